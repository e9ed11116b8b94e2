"""ra_board_machine with fake hardware: a board built from each shipped profile fills
ra_core.Readings and applies ra_core.Outputs to the right pins, and ra_main's loop on it
talks the protocol over the (fake) REPL stream and stops the motors when a driver fails."""

import importlib
import json
import struct
import types

import pytest

from fakehw import FIRMWARE, hw  # noqa: F401  (hw: the fixture)

MPU = 0x68


class Stream:
    """The REPL's byte stream: the host's bytes waiting to be read, what the board wrote."""

    def __init__(self, clock):
        self.clock = clock
        self.incoming = bytearray()
        self.written = bytearray()
        self.later = []              # (clock ms, bytes): what the host sends then

    def arrive(self):
        for item in list(self.later):
            if self.clock.ms >= item[0]:
                self.incoming += item[1]
                self.later.remove(item)

    def readinto(self, buf):         # like MicroPython's: blocks until buf is full
        assert len(self.incoming) >= len(buf), "the board read more than poll() promised"
        buf[:] = self.incoming[:len(buf)]
        del self.incoming[:len(buf)]
        return len(buf)

    def write(self, data):
        self.written += bytes(data)
        return len(data)


class Poll:
    def __init__(self, stream):
        self.stream = stream

    def register(self, obj, mask):
        pass

    def ipoll(self, timeout):
        self.stream.arrive()
        if self.stream.incoming:
            yield (self.stream, 1)


@pytest.fixture
def link(hw, monkeypatch):
    """Import ra_board_machine on the fake hardware with a fake REPL stream."""
    module = importlib.import_module("ra_board_machine")
    stream = Stream(hw.clock)
    fake_sys = types.SimpleNamespace(stdin=types.SimpleNamespace(buffer=stream),
                                     stdout=types.SimpleNamespace(buffer=stream))
    fake_select = types.SimpleNamespace(POLLIN=1, poll=lambda: Poll(stream))
    monkeypatch.setattr(module, "sys", fake_sys)
    monkeypatch.setattr(module, "select", fake_select)
    return module, stream


def profile(name):
    return json.loads((FIRMWARE / "boards" / (name + ".json")).read_text(encoding="utf-8"))


def frames(data):
    proto = importlib.import_module("ra_proto")
    decoder = proto.Decoder()
    found = []
    for byte in data:
        frame = decoder.feed_byte(byte)
        if frame is not None:
            found.append((frame[1], bytes(frame[3])))
    return found


# --- building from the shipped profiles --------------------------------------------------

@pytest.mark.parametrize("name, prefix", [("esp32_kit", "esp32kit"), ("pico_kit", "picokit")])
def test_each_profile_builds_a_board_with_every_part(hw, link, name, prefix):
    module, _ = link
    proto = importlib.import_module("ra_proto")
    board = module.Board(profile(name))
    assert board.board_id == prefix + "-1da25b"           # the last 3 bytes of unique_id()
    assert len(board.board_id) <= 16                      # HELLO_REPLY carries 16 bytes
    assert board.capabilities == (proto.CAP_DIFF_DRIVE | proto.CAP_ENCODERS | proto.CAP_LINE
                                  | proto.CAP_ULTRASONIC | proto.CAP_GYRO | proto.CAP_LED
                                  | proto.CAP_BUZZER | proto.CAP_BUMPER)
    assert (board.max_speed, board.axle_track_mm) == (600, 130)
    assert board.counts_per_mm == pytest.approx(840 / (3.14159265 * 65))
    assert hw.i2cs[0].writes[0] == (MPU, 0x6B, b"\x00")    # the gyro woke up
    assert not hw.wdts                                      # no watchdog until the motors run


def test_the_esp32_profile_reads_analog_only_on_adc1_with_full_range(hw, link):
    module, _ = link
    module.Board(profile("esp32_kit"))
    assert sorted(hw.adcs) == [32, 34, 35, 36, 39]        # ADC1: usable with Wi-Fi on
    assert {adc.atten for adc in hw.adcs.values()} == {hw.machine.ADC.ATTN_11DB}


def test_pcnt_counting_on_a_port_without_machine_encoder_says_what_to_do(hw, link):
    module, _ = link
    del hw.machine.Encoder
    with pytest.raises(ValueError, match="needs machine.Encoder .* use 'irq'"):
        module.Board(profile("esp32_kit"))


def test_a_gyro_that_does_not_answer_is_named_with_its_pins(hw, link, mocker):
    module, _ = link
    mocker.patch.object(hw.machine.I2C, "writeto_mem", side_effect=OSError(19, "ENODEV"))
    with pytest.raises(OSError, match=r"MPU6050 gyro \(I2C 0, SDA 4, SCL 5, address 0x68\) does not answer"):
        module.Board(profile("pico_kit"))


def test_a_profile_with_an_unknown_motor_mode_says_what_is_allowed(hw, link):
    module, _ = link
    bad = profile("esp32_kit")
    bad["motors"]["mode"] = "pwm_pwm"
    with pytest.raises(ValueError, match="'two_pwm' or 'dir_enable', got 'pwm_pwm'"):
        module.Board(bad)


# --- readings in --------------------------------------------------------------------------

def test_esp32_board_fills_readings(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    board = module.Board(profile("esp32_kit"))
    pins, adcs, i2c = hw.pins, hw.adcs, hw.i2cs[0]
    for number, u16 in zip((36, 39, 34, 35, 32), (1000, 20000, 40000, 60000, 65535)):
        adcs[number].u16 = u16
    left, right = hw.counters[0], hw.counters[1]                       # the PCNT units
    assert (left.phase_a, left.phase_b, right.phase_a, right.phase_b) == (pins[18], pins[19], pins[4], pins[23])
    assert left.phases == right.phases == 4 and left.filter_ns == 1000
    assert pins[18].pull == hw.machine.Pin.PULL_UP
    left.counted = right.counted = 4                                  # one cycle forward on each
    hw.machine.time_pulse_us.return_value = 2916                      # 500 mm
    pins[5].level = 0                                                 # bumper pressed
    i2c.set_word(MPU, 0x47, 655)                                      # 10 deg/s, left
    readings = core.Readings()
    board.ticks_ms()
    board.read(readings)
    hw.clock.sleep_ms(100)
    board.ticks_ms()
    board.read(readings)
    assert readings.encoder_left == -4 and readings.encoder_right == 4  # the left side is mirrored
    assert readings.line == [62, 1250, 2500, 3750, 4095]
    assert readings.distance == 500
    assert readings.heading == 100
    assert readings.bumper is True
    pins[5].level = 1
    board.read(readings)
    assert readings.bumper is False


def test_pico_board_reads_the_line_through_the_mux(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    board = module.Board(profile("pico_kit"))
    select = [hw.pins[n] for n in (2, 3, 6)]
    hw.adcs[26].read_u16 = lambda: (select[0].level + 2 * select[1].level + 4 * select[2].level + 1) * 16 * 100
    for level_a, level_b in [(1, 0), (1, 1), (0, 1), (0, 0)]:          # one cycle forward on each
        for a, b in ((14, 15), (16, 17)):
            if hw.pins[a].level != level_a:
                hw.pins[a].drive(level_a)
            if hw.pins[b].level != level_b:
                hw.pins[b].drive(level_b)
    readings = core.Readings()
    board.read(readings)
    assert readings.line == [100, 200, 300, 400, 500]
    assert readings.encoder_left == -4 and readings.encoder_right == 4  # counted in pin IRQs
    assert hw.pins[14].hard is True


# --- outputs out --------------------------------------------------------------------------

def test_esp32_board_applies_outputs_to_the_right_pins(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    board = module.Board(profile("esp32_kit"))
    pwms = hw.pwms
    out = core.Outputs()
    out.duty_left, out.duty_right = 0.5, -0.25
    out.led = (255, 0, 0)
    out.beep_hz, out.beep_ms = 440, 50
    board.ticks_ms()
    board.apply(out)
    # the left motor is mounted mirrored: forward is its IN2
    assert (pwms[25].duty, pwms[26].duty) == (0, 32767)
    assert (pwms[27].duty, pwms[13].duty) == (0, 16383)
    assert {pwms[n].frequency for n in (25, 26, 27, 13)} == {20000}
    assert pwms[14].frequency == 440 and pwms[14].duty == 32768
    assert board._led._np.written[-1] == [(64, 0, 0)]       # the profile's brightness 64
    assert len(hw.wdts) == 1 and hw.wdts[0].timeout == 1000
    out.beep_hz = 0
    hw.clock.sleep_ms(50)
    board.ticks_ms()
    board.apply(out)
    assert pwms[14].duty == 0                                # the beep is over


def test_pico_board_drives_the_tb6612(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    board = module.Board(profile("pico_kit"))
    out = core.Outputs()
    out.duty_left, out.duty_right = 1.0, 1.0
    board.apply(out)
    pins, pwms = hw.pins, hw.pwms
    assert (pins[10].level, pins[11].level, pwms[8].duty) == (0, 1, 65535)   # mirrored left
    assert (pins[12].level, pins[13].level, pwms[9].duty) == (1, 0, 65535)


def test_a_car_profile_steers_and_arms_its_esc(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    proto = importlib.import_module("ra_proto")
    car = {"name": "car", "max_speed": 1500, "wheel_diameter_mm": 65, "encoder_counts_per_turn": 840,
           "axle_track_mm": 150, "servo": {"pin": 13, "limit_cdeg": 2500}, "esc": {"pin": 12, "arm_ms": 2000}}
    board = module.Board(car)
    assert board.capabilities == proto.CAP_STEERING
    out = core.Outputs()
    out.steering, out.throttle = 4500, 0.5
    board.ticks_ms()
    board.apply(out)
    assert hw.pwms[13].pulse_ns == 1_777_000                 # clamped to 25 deg
    assert hw.pwms[12].pulse_ns == 1_500_000                 # neutral while the ESC arms
    hw.clock.sleep_ms(2000)
    board.ticks_ms()
    board.apply(out)
    assert hw.pwms[12].pulse_ns == 1_750_000


# --- clock --------------------------------------------------------------------------------

def test_board_time_does_not_wrap_and_idle_keeps_the_loop_period(hw, link):
    module, _ = link
    hw.clock.ms = (1 << 30) - 7                              # ticks_ms() wraps in 7 ms
    board = module.Board(profile("esp32_kit"))
    start = board.ticks_ms()
    hw.clock.ms += 3                                         # 3 ms of work...
    board.idle(5)                                            # ...so 2 ms of sleep
    assert board.ticks_ms() - start == 5
    board.idle(5)
    hw.clock.ms += 20
    assert board.ticks_ms() - start == 30                    # straight across the wrap


# --- the main loop on this board ----------------------------------------------------------

def host_session(proto, speed=300):
    return (proto.build(proto.HELLO, 1, bytes([1, 0, 0])) + proto.build(proto.ARM, 2)
            + proto.build(proto.DRIVE, 3, struct.pack("<hh", speed, speed)))


def test_ra_main_runs_the_protocol_over_the_repl_stream(hw, link):
    module, stream = link
    proto = importlib.import_module("ra_proto")
    ra_main = importlib.import_module("ra_main")
    board = module.Board(profile("esp32_kit"))
    stream.incoming += host_session(proto)
    ra_main.run(board, loops=10)
    replies = frames(stream.written)
    kind, payload = replies[0]
    assert kind == proto.HELLO_REPLY and payload[10:] == b"esp32kit-1da25b"
    assert struct.unpack("<I", payload[6:10])[0] == board.capabilities
    assert replies[1:] == [(proto.ACK, bytes([2, proto.OK])), (proto.ACK, bytes([3, proto.OK]))]
    assert hw.pwms[27].duty > 10000 and hw.pwms[26].duty > 10000    # both wheels forward
    assert hw.wdts and hw.wdts[0].feeds == 10


def test_a_failing_driver_stops_the_motors_before_the_error_propagates(hw, link, mocker):
    module, stream = link
    proto = importlib.import_module("ra_proto")
    ra_main = importlib.import_module("ra_main")
    board = module.Board(profile("esp32_kit"))
    i2c = hw.i2cs[0]
    stream.incoming += host_session(proto)
    motor_pwms = [hw.pwms[n] for n in (25, 26, 27, 13)]
    seen = {}
    loose_ms = hw.clock.ms + 100

    def gyro_read(addr, reg, buf):
        if hw.clock.ms >= loose_ms:                           # the gyro's wire comes loose
            seen["duties"] = [pwm.duty for pwm in motor_pwms]
            seen["writes"] = [len(pwm.duties) for pwm in motor_pwms]
            raise OSError(5, "EIO")
        buf[0] = buf[1] = 0
    mocker.patch.object(i2c, "readfrom_mem_into", side_effect=gyro_read)
    with pytest.raises(OSError):
        ra_main.run(board, loops=100)
    assert max(seen["duties"]) > 10000                       # the motors were running
    for pwm, before in zip(motor_pwms, seen["writes"]):
        assert pwm.duties[before:] and pwm.duty == 0         # and got duty 0 after the failure


def test_ctrl_c_in_band_stops_the_motors_and_leaves_the_rest_for_the_repl(hw, link):
    module, stream = link
    proto = importlib.import_module("ra_proto")
    ra_main = importlib.import_module("ra_main")
    board = module.Board(profile("esp32_kit"))
    stream.incoming += host_session(proto)
    stream.later.append((hw.clock.ms + 50, b"\r\x03\r\x01"))   # what mpremote sends to take over
    duties = []
    board_apply = board.apply

    def apply(outputs):
        board_apply(outputs)
        duties.append(hw.pwms[27].duty)
    board.apply = apply
    with pytest.raises(KeyboardInterrupt):
        ra_main.run(board, loops=100)
    loops = -(-50 // ra_main.LOOP_MS)                       # the passes before the Ctrl-C 50 ms later
    assert len(duties) == loops and min(duties) > 10000     # driving all along, then board.stop():
    assert [hw.pwms[n].duty for n in (25, 26, 27, 13)] == [0, 0, 0, 0]   # stopped
    assert stream.incoming == b"\r\x01"                     # Ctrl-A reaches the REPL


@pytest.mark.parametrize("keys, interrupts", [
    (b"\x03\x03", True),             # Ctrl-C pressed twice in a terminal
    (b"\x03", True),                 # once, then nothing
    (b"\x03\x01\x02\x05", False),    # a frame beginning 0x03: its second byte is the version
    (b"\x05\x01\x02\x03\x03\x00", False),   # 0x03 inside a frame
])
def test_what_counts_as_ctrl_c(hw, link, keys, interrupts):
    module, stream = link
    board = module.Board(profile("esp32_kit"))
    stream.incoming += keys

    def two_loops():
        board.ticks_ms()
        assert bytes(board.serial_read()) == keys
        hw.clock.sleep_ms(100)
        board.ticks_ms()
        assert board.serial_read() is None
    if interrupts:
        with pytest.raises(KeyboardInterrupt):
            two_loops()
    else:
        two_loops()


def test_board_stop_rests_every_actuator(hw, link):
    module, _ = link
    core = importlib.import_module("ra_core")
    board = module.Board(profile("esp32_kit"))
    out = core.Outputs()
    out.duty_left = out.duty_right = 1.0
    out.beep_hz, out.beep_ms = 1000, 1000
    board.apply(out)
    board.stop()
    assert [hw.pwms[n].duty for n in (25, 26, 27, 13, 14)] == [0, 0, 0, 0, 0]


def test_the_gate_profile_reports_the_beam_and_sends_a_gate_frame(hw, link):
    module, stream = link
    proto = importlib.import_module("ra_proto")
    ra_core = importlib.import_module("ra_core")
    board = module.Board(profile("esp32_gate"))
    assert board.capabilities == proto.CAP_GATE | proto.CAP_LED
    readings = ra_core.Readings()
    board.read(readings)
    assert readings.gate is False                    # the receiver sees the beam: its line is low
    hw.pins[4].drive(1)                              # a robot breaks the beam: the pull-up wins
    board.read(readings)
    assert readings.gate is True
    core = ra_core.Core(board.board_id, board.capabilities, 1, 1, 100, 0)
    core.tick(1234, readings)
    assert frames(core.take_tx()) == [(proto.GATE, struct.pack("<IB", 1234, 0))]
    core.tick(1239, readings)                        # still broken: one crossing, one frame
    assert frames(core.take_tx()) == []
