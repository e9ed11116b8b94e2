"""The firmware drivers under CPython with fake machine/neopixel/micropython modules: the
exact pin levels, PWM duties, pulse widths and I2C bytes each one produces."""

import importlib

import pytest

from fakehw import hw  # noqa: F401  (the fixture)


def driver(name):
    return importlib.import_module("drivers." + name)


# --- motor ------------------------------------------------------------------------------

def test_two_pwm_motor_drives_one_input_and_holds_the_other_low(hw):
    machine = hw.machine
    in1, in2 = machine.PWM(machine.Pin(25)), machine.PWM(machine.Pin(26))
    motor = driver("motor").Motor(in1, in2, freq=20000)
    assert in1.freqs == [20000] and in2.freqs == [20000]
    assert (in1.duty, in2.duty) == (0, 0)                  # coasting from the start
    motor.set(0.5)
    assert (in1.duty, in2.duty) == (32767, 0)
    motor.set(-1.0)
    assert (in1.duty, in2.duty) == (0, 65535)
    motor.set(-3.0)                                        # clamped
    assert (in1.duty, in2.duty) == (0, 65535)
    motor.set(0.0)
    assert (in1.duty, in2.duty) == (0, 0)


def test_two_pwm_motor_writes_only_on_change_and_brakes_with_both_high(hw):
    machine = hw.machine
    in1, in2 = machine.PWM(machine.Pin(25)), machine.PWM(machine.Pin(26))
    motor = driver("motor").Motor(in1, in2)
    motor.set(0.25)
    writes = len(in1.duties) + len(in2.duties)
    motor.set(0.25)
    assert len(in1.duties) + len(in2.duties) == writes    # the loop calls set() every 5 ms
    motor.brake()
    assert (in1.duty, in2.duty) == (65535, 65535)
    motor.set(0.25)                                        # after a brake the same duty applies again
    assert (in1.duty, in2.duty) == (16383, 0)
    motor.coast()
    assert (in1.duty, in2.duty) == (0, 0)


def test_an_inverted_motor_turns_the_other_way(hw):
    machine = hw.machine
    in1, in2 = machine.PWM(machine.Pin(25)), machine.PWM(machine.Pin(26))
    driver("motor").Motor(in1, in2, invert=True).set(0.5)
    assert (in1.duty, in2.duty) == (0, 32767)


def test_direction_and_enable_motor(hw):
    machine = hw.machine
    in1 = machine.Pin(10, machine.Pin.OUT, value=0)
    in2 = machine.Pin(11, machine.Pin.OUT, value=0)
    en = machine.PWM(machine.Pin(8))
    motor = driver("motor").MotorWithEnable(in1, in2, en, freq=1000)
    assert en.freqs == [1000] and (in1.level, in2.level, en.duty) == (0, 0, 0)
    motor.set(0.75)
    assert (in1.level, in2.level, en.duty) == (1, 0, 49151)
    motor.set(-0.75)
    assert (in1.level, in2.level, en.duty) == (0, 1, 49151)
    assert en.duties[-2:] == [0, 49151]                     # enable off while the direction flips
    motor.set(0)
    assert (in1.level, in2.level, en.duty) == (0, 0, 0)
    motor.brake()
    assert (in1.level, in2.level, en.duty) == (1, 1, 65535)
    motor.coast()
    assert (in1.level, in2.level, en.duty) == (0, 0, 0)


# --- encoder ----------------------------------------------------------------------------

FORWARD = [(1, 0), (1, 1), (0, 1), (0, 0)]                 # A leads B: one full cycle, 4 counts
REVERSE = [(0, 1), (1, 1), (1, 0), (0, 0)]


def turn(a, b, states):
    for level_a, level_b in states:
        if level_a != a.level:
            a.drive(level_a)
        if level_b != b.level:
            b.drive(level_b)


def test_encoder_counts_every_edge_in_both_directions(hw):
    machine = hw.machine
    a, b = machine.Pin(18, machine.Pin.IN), machine.Pin(19, machine.Pin.IN)
    encoder = driver("encoder").Encoder(a, b)
    assert a.hard and b.hard and a.trigger == b.trigger == machine.Pin.IRQ_RISING | machine.Pin.IRQ_FALLING
    turn(a, b, FORWARD * 3)
    assert encoder.count == 12
    turn(a, b, REVERSE * 3)
    assert encoder.count == 0
    turn(a, b, [(0, 1), (1, 1)])                          # half a step back and forth
    turn(a, b, [(0, 1), (0, 0)])
    assert encoder.count == 0 and encoder.errors == 0


def test_encoder_invert_and_missed_edges(hw):
    machine = hw.machine
    a, b = machine.Pin(4, machine.Pin.IN), machine.Pin(23, machine.Pin.IN)
    encoder = driver("encoder").Encoder(a, b, invert=True)
    turn(a, b, FORWARD)
    assert encoder.count == -4
    # both lines changed between two interrupts (00 -> 11): not counted, but noticed
    a.level, b.level = 1, 1
    encoder._edge(a)
    assert encoder.count == -4 and encoder.errors == 1


def test_encoder_falls_back_to_soft_irqs_where_the_port_has_no_hard_ones(hw):
    machine = hw.machine

    class Esp32Pin(machine.Pin):                           # ESP32's Pin.irq() takes no `hard`
        def irq(self, handler=None, trigger=3):
            machine.Pin.irq(self, handler, trigger)
    a, b = Esp32Pin(18, machine.Pin.IN), Esp32Pin(19, machine.Pin.IN)
    encoder = driver("encoder").Encoder(a, b)
    assert not encoder.hard and a.hard is False and a.handler is not None
    turn(a, b, FORWARD)
    assert encoder.count == 4


def test_counter_encoder_reads_the_hardware_count(hw):
    machine = hw.machine
    unit = machine.Encoder(0, machine.Pin(18), machine.Pin(19), phases=4)
    unit.counted = 99
    encoder = driver("encoder").CounterEncoder(unit, invert=True)
    assert encoder.count == 0                              # zeroed at start
    unit.counted = 840
    assert encoder.count == -840


# --- HC-SR04 ----------------------------------------------------------------------------

def sonar(hw, **kwargs):
    machine = hw.machine
    trigger = machine.Pin(15, machine.Pin.OUT, value=0)
    echo = machine.Pin(33, machine.Pin.IN)
    return driver("hcsr04").HCSR04(trigger, echo, **kwargs), trigger, echo


def test_hcsr04_pings_with_a_10us_trigger_and_converts_the_echo_to_mm(hw):
    sensor, trigger, echo = sonar(hw)
    hw.machine.time_pulse_us.return_value = 5831           # 1000 mm there and back
    assert sensor.read(1000) == 1000
    assert trigger.writes[-3:] == [0, 1, 0] and hw.clock.slept_us == [10]
    # pin, level 1, and a timeout just over the 4 m round trip
    hw.machine.time_pulse_us.assert_called_once_with(echo, 1, 23824)


def test_hcsr04_reads_max_range_without_an_echo(hw):
    sensor, _, _ = sonar(hw, max_mm=2000)
    hw.machine.time_pulse_us.return_value = -1             # the echo never ended
    assert sensor.read(0) == 2000
    hw.machine.time_pulse_us.return_value = -2             # the echo never started
    assert sensor.read(100) == 2000
    hw.machine.time_pulse_us.return_value = 20000          # longer than the range: clipped
    assert sensor.read(200) == 2000


def test_hcsr04_pings_at_most_once_per_60_ms(hw):
    sensor, trigger, _ = sonar(hw)
    hw.machine.time_pulse_us.return_value = 583            # 99 mm
    assert sensor.read(10_000) == 99
    hw.machine.time_pulse_us.return_value = 1166           # 199 mm, once it pings again
    for now in range(10_005, 10_060, 5):
        assert sensor.read(now) == 99                      # the last value, no new ping
    assert hw.machine.time_pulse_us.call_count == 1
    assert sensor.read(10_060) == 199
    assert hw.machine.time_pulse_us.call_count == 2


def test_hcsr04_waits_while_the_echo_line_is_still_high(hw):
    sensor, trigger, echo = sonar(hw)
    echo.level = 1                                         # a clone still holding its last echo
    assert sensor.read(0) == 4000
    assert hw.machine.time_pulse_us.call_count == 0 and trigger.writes == [0, 0]


# --- reflectance and the Pico's multiplexer --------------------------------------------

def test_reflectance_scales_16_bit_reads_to_12_bit_counts(hw):
    machine = hw.machine
    adcs = [machine.ADC(machine.Pin(n)) for n in (36, 39, 34, 35, 32)]
    for adc, u16 in zip(adcs, (0, 16, 0x8000, 0xFFF0, 0xFFFF)):
        adc.u16 = u16
    values = [None] * 5
    driver("reflectance").Reflectance(adcs).read_into(values)
    assert values == [0, 1, 2048, 4095, 4095]


def test_reflectance_through_a_4051_selects_each_input_then_reads(hw):
    machine = hw.machine
    adc = machine.ADC(machine.Pin(26))
    select = [machine.Pin(n, machine.Pin.OUT, value=0) for n in (2, 3, 6)]
    seen = []

    def read_u16():
        seen.append(tuple(pin.level for pin in select))    # S0, S1, S2 at the time of the read
        return len(seen) << 4
    adc.read_u16 = read_u16
    mux = driver("mux4051").Mux4051(adc, *select)
    values = [0] * 5
    driver("reflectance").Reflectance([mux.channel(n) for n in range(5)]).read_into(values)
    assert seen == [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0), (0, 0, 1)]
    assert values == [1, 2, 3, 4, 5]
    assert hw.clock.slept_us == [10] * 5                   # settling after each switch
    with pytest.raises(ValueError, match="0-7"):
        mux.channel(8)


# --- MPU6050 ----------------------------------------------------------------------------

MPU = 0x68
GYRO_ZOUT_H = 0x47


def gyro(hw, **kwargs):
    i2c = hw.machine.I2C(0, scl=hw.machine.Pin(22), sda=hw.machine.Pin(21))
    return driver("mpu6050").MPU6050(i2c, **kwargs), i2c


def test_mpu6050_wakes_and_sets_500_dps(hw):
    _, i2c = gyro(hw)
    assert i2c.writes == [
        (MPU, 0x6B, b"\x00"),        # PWR_MGMT_1: out of sleep
        (MPU, 0x19, b"\x00"),        # SMPLRT_DIV
        (MPU, 0x1A, b"\x03"),        # CONFIG: 44 Hz low-pass
        (MPU, 0x1B, b"\x08"),        # GYRO_CONFIG: FS_SEL 1, +-500 deg/s
    ]


def test_mpu6050_calibrates_the_offset_and_integrates_heading(hw):
    sensor, i2c = gyro(hw)
    i2c.set_word(MPU, GYRO_ZOUT_H, -200)                  # ~3 deg/s of offset at rest
    assert sensor.calibrate(50) == -3200                  # raw x16
    for now in range(0, 1000, 5):
        sensor.update(now)
    assert sensor.heading == 0                            # at rest: no drift
    i2c.set_word(MPU, GYRO_ZOUT_H, -200 + 5895)           # +90 deg/s (65.5 LSB per deg/s)
    for now in range(1000, 2000, 5):                      # one second of turning left
        sensor.update(now)
    assert sensor.heading == 9000
    i2c.set_word(MPU, GYRO_ZOUT_H, -200 - 5895)           # and back, clockwise
    for now in range(2000, 3000, 5):
        sensor.update(now)
    assert sensor.heading == 0


def test_mpu6050_reads_into_one_buffer_and_can_be_mounted_upside_down(hw):
    sensor, i2c = gyro(hw, invert=True)
    buffer = sensor._rate
    i2c.set_word(MPU, GYRO_ZOUT_H, 655)                   # 10 deg/s
    sensor.update(0)
    sensor.update(100)
    assert sensor.heading == -100 and sensor._rate is buffer


# --- servo and ESC ----------------------------------------------------------------------

def test_servo_maps_centidegrees_to_1_to_2_ms_within_its_limits(hw):
    pwm = hw.machine.PWM(hw.machine.Pin(13))
    servo = driver("servo").Servo(pwm, limit_cdeg=3000)
    assert pwm.freqs == [50] and pwm.pulse_ns == 1_500_000
    servo.set(2250)
    assert pwm.pulse_ns == 1_750_000
    servo.set(-2250)
    assert pwm.pulse_ns == 1_250_000
    servo.set(9000)                                        # past the limit
    assert pwm.pulse_ns == 1_833_000
    servo.set(-4500)
    assert pwm.pulse_ns == 1_166_000                       # -333.3 us, rounded down
    count = len(pwm.pulses_ns)
    servo.set(-3000)                                       # the same clamped angle: no write
    assert len(pwm.pulses_ns) == count


def test_servo_trim_and_invert(hw):
    pwm = hw.machine.PWM(hw.machine.Pin(13))
    servo = driver("servo").Servo(pwm, trim_cdeg=450, invert=True)
    assert pwm.pulse_ns == 1_450_000
    servo.set(4500)                                        # trim would take it to 0.95 ms:
    assert pwm.pulse_ns == 1_000_000                       # never past the pulse range


def test_esc_holds_neutral_until_armed_then_maps_throttle(hw):
    pwm = hw.machine.PWM(hw.machine.Pin(12))
    esc = driver("esc").ESC(pwm, now_ms=0, arm_ms=2000)
    assert pwm.freqs == [50] and pwm.pulses_ns == [1_500_000]
    esc.set(1.0, 1999)
    assert pwm.pulses_ns == [1_500_000] and not esc.armed
    esc.set(1.0, 2000)
    assert esc.armed and pwm.pulse_ns == 2_000_000
    esc.set(-0.5, 2005)
    assert pwm.pulse_ns == 1_250_000
    esc.set(-7, 2010)
    assert pwm.pulse_ns == 1_000_000
    esc.set(0, 2015)
    assert pwm.pulse_ns == 1_500_000


# --- LED and buzzer ---------------------------------------------------------------------

def test_ws2812_writes_only_when_the_colour_changes(hw):
    pin = hw.machine.Pin(2, hw.machine.Pin.OUT)
    led = driver("ws2812").Pixel(pin)
    pixels = led._np
    assert pixels.written == [[(0, 0, 0)]]                 # dark after a reset
    led.set((255, 0, 40))
    led.set((255, 0, 40))
    assert pixels.written == [[(0, 0, 0)], [(255, 0, 40)]]


def test_ws2812_brightness_scales_every_channel(hw):
    led = driver("ws2812").Pixel(hw.machine.Pin(2), brightness=64)
    led.set((255, 128, 4))
    assert led._np.written[-1] == [(64, 32, 1)]


def test_buzzer_plays_a_tone_and_stops_after_its_duration(hw):
    pwm = hw.machine.PWM(hw.machine.Pin(14))
    buzzer = driver("buzzer").Buzzer(pwm)
    assert pwm.duty == 0
    buzzer.start(880, 100, now_ms=1000)
    assert pwm.frequency == 880 and pwm.duty == 32768 and buzzer.playing
    buzzer.update(1099)
    assert pwm.duty == 32768
    buzzer.update(1100)
    assert pwm.duty == 0 and not buzzer.playing
    buzzer.start(0, 100, 1200)                             # 0 Hz means silence
    assert pwm.duty == 0 and not buzzer.playing


def test_buzzer_timing_survives_the_ticks_wrap(hw):
    pwm = hw.machine.PWM(hw.machine.Pin(14))
    buzzer = driver("buzzer").Buzzer(pwm)
    start = (1 << 30) - 50                                 # 50 ms before ticks_ms() wraps
    buzzer.start(440, 100, start)
    buzzer.update(40)                                      # 90 ms later, after the wrap
    assert buzzer.playing
    buzzer.update(50)
    assert not buzzer.playing
