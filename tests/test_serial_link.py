"""The serial link to a kit, end to end without hardware: pyserial -> the firmware core
(on a simulated board, behind a pseudo-terminal) -> the simulator. Handshake, commands
and acknowledgements, waits by the board's clock, a damaged byte stream, a cut link, a
pulled cable, boards that are not roboarena's, and finding the kits on the USB ports."""

import json
import math
import os
import struct
import threading
import time

import pytest

from project_paths import EXAMPLES
from roboarena import Robot
from roboarena.cli import main
from roboarena.errors import ConnectError
from roboarena.host import ports, serial_link
from roboarena.host.serial_link import SerialLink, proto
from roboarena.sims.core_board import CoreBoard, FaultInjector
from roboarena.sims.runner import prepare
from roboarena.sims.trace import read_trace

# The core boards use a pseudo-terminal on POSIX and a local socket on Windows; the fake
# boards here are pseudo-terminals only.
needs_pty = pytest.mark.skipif(not hasattr(os, "openpty"), reason="pseudo-terminals are POSIX")


@pytest.fixture
def board_factory():
    """Start core boards (and close their links) for one test."""
    started, links = [], []

    def start(challenge="line-follow", speed=5.0, **options):
        board = CoreBoard(prepare(challenge), speed=speed, **options).start()
        started.append(board)
        return board

    def connect(board, kind="kit"):
        link = SerialLink.open(board.url, kind, notify=notices.append)
        links.append(link)
        return link

    notices: list[str] = []
    start.connect, start.notices = connect, notices
    yield start
    for link in links:
        link.close()
    for board in started:
        board.stop()


def wait_until(condition, timeout_s=3.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True


# --- handshake, commands, time -----------------------------------------------------------------------
@pytest.mark.parametrize("transport", ["pty", "socket"])
def test_robot_on_a_core_board_shakes_hands_commands_and_reads(transport):
    if transport == "pty" and not hasattr(os, "openpty"):
        pytest.skip("pseudo-terminals are POSIX")
    robot = Robot(f"sim://line-follow?board=core&speed=4&transport={transport}")
    link, board = robot._link, robot._link.core_board
    try:
        assert isinstance(link, SerialLink) and link.board.firmware_version == "1.0.0"
        assert link.board.protocol_major == proto.PROTOCOL_MAJOR and link.board.board_id == "sim-core"
        assert link.board.capabilities & proto.CAP_LINE and robot.spec.kind == "kit"
        assert len(robot.line.read()) == 5 and 20 <= robot.distance() <= 4000
        robot.drive(200)
        robot.wait(500)
        left, right = robot.encoders
        assert 300 < left < 450 and 300 < right < 450         # 100 mm (411 counts) less the motor lag
        robot.led.color = "red"
        robot.beep(440, 50)
        robot.stop()
        robot.wait(200)
    finally:
        robot.close()
    kinds = [kind for _, kind, _, code in board.commands if code == proto.OK]
    assert kinds[:2] == [proto.ARM, proto.TELEMETRY_RATE]
    assert proto.DRIVE in kinds and proto.SET_LED in kinds and proto.BEEP in kinds
    assert kinds[-2:] == [proto.STOP, proto.TELEMETRY_RATE]         # close(): motors off, telemetry off
    events = [name for _, name, _ in board.simulation.events]
    assert "led" in events and "beep" in events
    assert board.outputs[-1][1:] == (0.0, 0.0)
    assert not board._thread.is_alive()                     # closing the robot stops its board


def test_waits_follow_the_board_clock_not_the_wall_clock(board_factory):
    for speed, ms in ((10.0, 1000), (0.5, 100)):
        link = board_factory.connect(board_factory(speed=speed))
        start_ms, start_s = link.time_ms, time.monotonic()
        link.wait(ms)
        board_ms, wall_ms = link.time_ms - start_ms, (time.monotonic() - start_s) * 1000
        assert ms <= board_ms < ms + 60                      # a few ms of wall-clock scheduling, x speed
        assert ms / speed * 0.6 < wall_ms < ms / speed * 1.6 + 30


def test_straight_and_turn_run_over_the_serial_link(board_factory):
    from roboarena.host import connect

    connect.offer(board_factory.connect(board_factory(speed=4)))    # what roboarena run does
    robot = Robot()
    start = robot.encoders
    robot.straight(200)
    travelled = [(now - then) / robot._counts_per_mm for now, then in zip(robot.encoders, start)]
    assert all(185 < mm < 225 for mm in travelled)
    heading = robot.heading()
    robot.turn(90)
    assert 84 < robot.heading() - heading < 96
    sent = [kind for kind, *_ in robot._link.history]
    assert proto.STRAIGHT in sent and proto.TURN in sent      # run by the firmware, not by a host loop


# --- the line follower, through pyserial, the firmware and the simulator -------------------------------------
def test_the_line_follower_finishes_its_laps_through_the_firmware(tmp_path, capsys):
    trace = tmp_path / "run.jsonl"
    code = main(["run", str(EXAMPLES / "line_follower.py"), "--port", "sim://line-follow?board=core&speed=10",
                 "--trace", str(trace), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["outcome"] == "finished"
    assert result["board"]["firmware_version"] == "1.0.0"
    records = read_trace(trace, validate=True)
    header, events = records[0], [r for r in records if r["type"] == "event"]
    assert header["source"] == "virtual-board" and header["firmware_version"] == "1.0.0"
    assert [e["lap"] for e in events if e["event"] == "lap"] == [1, 2]
    assert records[-1]["reason"] == "finished" and records[-1]["samples"] > 1000
    assert main(["score", str(trace), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["success"]


def test_a_hardware_run_records_its_trace_from_the_telemetry(board_factory, write_program, tmp_path, capsys):
    board = board_factory(speed=4)                       # reached by its port, as a kit on a cable
    program = write_program("from roboarena import Robot\nrobot = Robot()\nrobot.drive(200)\nrobot.wait(1000)\n"
                            "robot.led.color = 'green'\nrobot.stop()\nrobot.wait(300)\n")
    trace = tmp_path / "kit.jsonl.gz"
    assert main(["run", str(program), "--port", board.url, "--challenge", "line-follow", "--trace", str(trace),
                 "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["outcome"] == "program-ended" and 1300 <= result["time_s"] * 1000 < 1500
    records = read_trace(trace, validate=True)
    header, samples = records[0], [r for r in records if r["type"] == "sample"]
    assert header["source"] == "hardware" and header["seed"] is None and header["pose_source"] == "odometry"
    assert header["firmware_version"] == "1.0.0" and header["challenge"]["id"] == "line-follow"
    assert 60 <= len(samples) <= 80 and samples[-1]["sensors"]["line"] and samples[-1]["cmd"] == {"left": 0, "right": 0}
    start, end = samples[0]["pose"], samples[-1]["pose"]
    truth = board.simulation.body
    assert math.hypot(end[0] - start[0], end[1] - start[1]) == pytest.approx(
        math.hypot(truth.x - board.simulation.start_pose[0], truth.y - board.simulation.start_pose[1]), abs=10)
    assert [r["event"] for r in records if r["type"] == "event"] == ["start", "led"]


# --- a damaged byte stream --------------------------------------------------------------------------------
def test_a_damaged_stream_loses_only_the_frames_it_touches():
    """Resynchronisation within one frame: every frame whose bytes and leading delimiter
    came through untouched is decoded; nothing damaged is ever acted on.

    The CRC alone passes about 1 damaged frame in 5000 here: one byte more or less just
    before the delimiter (CRC-16/CCITT-FALSE has no final XOR, so a message followed by
    its CRC and a zero byte checks out). Both ends also check each message type's payload
    length (the firmware answers E_BAD_LENGTH), which refuses every one of those."""
    frames = [proto.build(proto.DRIVE, i, struct.pack("<hh", i, -i)) for i in range(20000)]
    stream = b"".join(frames)
    injector = FaultInjector(rate=0.001, seed=7)
    damaged = injector.apply(stream)
    decoder, decoded = proto.Decoder(), []
    for byte in damaged:
        frame = decoder.feed_byte(byte)
        if frame is not None:
            if len(frame[3]) == struct.calcsize(proto.PAYLOADS[frame[1]]):   # what a receiver acts on
                decoded.append((frame[1], frame[2], bytes(frame[3])))
    hit, end = set(), 0
    faults = iter(sorted(index for index, _ in injector.log))
    fault = next(faults, None)
    for number, frame in enumerate(frames):
        end += len(frame)
        while fault is not None and fault < end:
            hit.update({number, number + 1} if fault == end - 1 else {number})   # a delimiter ends this frame and starts the next
            fault = next(faults, None)
    clean = [(proto.DRIVE, i & 0xFF, struct.pack("<hh", i, -i)) for i in range(len(frames)) if i not in hit]
    sent = {(proto.DRIVE, i & 0xFF, struct.pack("<hh", i, -i)) for i in range(len(frames))}
    assert injector.count("flip") and injector.count("drop") and injector.count("insert")
    assert set(decoded) <= sent                               # nothing misread
    assert set(clean) <= set(decoded)                         # every untouched frame got through
    assert len(decoded) >= len(clean) and decoder.errors >= len(hit) // 3


def test_faults_on_the_wire_never_misexecute_a_command(board_factory):
    board = board_factory(speed=5, faults=0.001, fault_seed=3)
    link = board_factory.connect(board)
    values = [((i * 37) % 1001 - 500, 500 - (i * 53) % 1001) for i in range(600)]
    for number, (left, right) in enumerate(values):
        link.command(left, right)
        if number % 4 == 0:
            link.wait(5)
    assert wait_until(lambda: board.outputs and board.commands[-1][1] == proto.DRIVE)
    sent = {struct.pack("<hh", *v) for v in values}
    acked = {payload for kind, _, payload, code in link.history if kind == proto.DRIVE and code == proto.OK}
    applied = [payload for _, kind, payload, code in board.commands if kind == proto.DRIVE and code == proto.OK]
    assert set(applied) <= sent                               # the firmware ran only what the host sent
    assert acked == sent and acked <= set(applied)            # and everything the host saw confirmed
    assert applied[-1] == struct.pack("<hh", *values[-1])
    assert board.faults_in.count() > 5 and board.faults_out.count() > 5
    assert link.decoder.errors > 0 and board._rx.errors > 0 and link.stats["retries"] > 0


# --- a cut link, a pulled cable ---------------------------------------------------------------------------
@pytest.mark.parametrize("cut_s", [0.2, 0.8])
def test_a_cut_link_stops_the_motors_and_they_stay_stopped_until_rearmed(board_factory, cut_s):
    board = board_factory(speed=2)
    link = board_factory.connect(board)
    link.command(300, 300)
    link.wait(300)
    assert board.outputs[-1][1] > 0.3
    board.cut = True
    cut_ms = board.clock_ms
    time.sleep(cut_s)                                         # 400 or 1600 ms of board time
    stopped = [t for t, a, b in board.outputs if t >= cut_ms and a == b == 0.0]
    assert stopped and stopped[0] - cut_ms <= 300
    back_ms = board.clock_ms
    board.cut = False
    assert wait_until(lambda: any(t >= back_ms and kind == proto.ARM for t, kind, _, _ in board.commands))
    assert wait_until(lambda: link._connected)
    time.sleep(0.1)
    assert all(a == b == 0.0 for t, a, b in board.outputs if t >= stopped[0])   # armed again, still stopped
    link.command(300, 300)                                    # the program's next command moves it again
    assert wait_until(lambda: board.outputs[-1][1] > 0.3)
    assert any("disconnected" in text for text in board_factory.notices)
    assert any("is back" in text for text in board_factory.notices)


def test_a_turn_cut_short_by_the_watchdog_is_finished_once_the_link_is_back(board_factory):
    from roboarena.host import connect

    board = board_factory(speed=2)
    connect.offer(board_factory.connect(board))
    robot = Robot()
    start = robot.heading()

    def cut_mid_turn():
        wait_until(lambda: abs(board.simulation.read_heading() - start) > 20)
        board.cut = True                                      # 600 ms of board time: the watchdog stops it
        time.sleep(0.3)
        board.cut = False

    cutter = threading.Thread(target=cut_mid_turn)
    cutter.start()
    robot.turn(120)
    cutter.join()
    assert robot._link.stats["reconnects"] >= 1                # the cut did stop the move on the board
    assert 114 < robot.heading() - start < 126
    turns = [payload for _, kind, payload, code in board.commands if kind == proto.TURN and code == proto.OK]
    assert len(turns) >= 2                                     # the rest of the turn, sent once more


def test_a_pulled_cable_is_found_again_when_plugged_back_in(board_factory):
    board = board_factory(speed=2)
    link = board_factory.connect(board)
    link.command(200, 200)
    board.unplug()                                            # the port vanishes
    assert wait_until(lambda: board.outputs[-1][1:] == (0.0, 0.0))   # the watchdog stopped the motors
    time.sleep(0.3)
    board.plug()
    assert wait_until(lambda: link._connected and link.stats["reconnects"] == 1, 3.0)
    link.command(250, 250)
    assert wait_until(lambda: board.outputs[-1][1] > 0.3)
    assert [n for n in board_factory.notices if "disconnected" in n or "is back" in n] == board_factory.notices[:2]
    assert len(board_factory.notices) == 2 and link.running


def test_a_kit_that_never_comes_back_ends_the_run(board_factory, monkeypatch):
    monkeypatch.setattr(serial_link, "RECONNECT_FOR_S", 0.6)
    board = board_factory(speed=2)
    link = board_factory.connect(board)
    board.unplug()
    assert wait_until(lambda: not link.running, 3.0)
    with pytest.raises(ConnectError, match="did not come back"):
        link.command(100, 100)
    assert "did not come back" in board_factory.notices[-1]


# --- boards that are not (this) roboarena --------------------------------------------------------------------
class FakeBoard:
    """The far end of a pseudo-terminal, answering what it receives with ``answer(bytes)``."""

    def __init__(self, answer):
        import tty

        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        self.path = os.ttyname(self.slave)
        self.answer = answer
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        import select

        while self.running:
            ready, _, _ = select.select([self.master], [], [], 0.02)
            if ready:
                reply = self.answer(os.read(self.master, 4096))
                if reply:
                    os.write(self.master, reply)

    def close(self):
        self.running = False
        time.sleep(0.03)
        os.close(self.master)
        os.close(self.slave)


def raw_frame(version, kind, seq, payload):
    """A frame as another protocol version would build it (ra_proto.build writes ours)."""
    raw = bytearray([version, kind, seq]) + payload
    crc = proto.crc16(raw)
    raw += bytes([crc >> 8, crc & 0xFF])
    out = bytearray(len(raw) + 4)
    return bytes(out[:proto.cobs_encode(raw, out)]) + b"\x00"


@needs_pty
def test_a_board_of_another_major_version_is_refused_with_the_fix():
    decoder = proto.Decoder()

    def answer(data):
        replies = b""
        for byte in data:
            frame = decoder.feed_byte(byte)
            if frame is not None and frame[1] == proto.HELLO:
                payload = struct.pack("<BBBBBBI", 2, 1, 0, 2, 0, 0, proto.CAP_DIFF_DRIVE) + b"future-kit"
                replies += raw_frame(2, proto.HELLO_REPLY, 0, payload)
        return replies

    board = FakeBoard(answer)
    try:
        with pytest.raises(ConnectError) as caught:
            SerialLink.open(board.path, "kit")
        text = str(caught.value)
        assert "protocol 2.0.0" in text and "1.0.0" in text
        assert f"roboarena firmware flash --port {board.path}" in text
    finally:
        board.close()


@needs_pty
@pytest.mark.parametrize("says, expected", [
    (b"\r\nMicroPython v1.22.0 on 2024-01-01; ESP32 module with ESP32\r\n>>> ", "does not run the roboarena firmware"),
    (b"", "did not answer"),
])
def test_a_board_without_roboarena_firmware_gets_a_clear_message_not_a_hang(says, expected):
    board = FakeBoard(lambda data: says)
    started = time.monotonic()
    try:
        with pytest.raises(ConnectError) as caught:
            SerialLink.open(board.path, "kit")
    finally:
        board.close()
    assert expected in str(caught.value) and "roboarena firmware flash --port" in str(caught.value)
    assert time.monotonic() - started < 3.0
    if says:
        assert "MicroPython v1.22.0" in str(caught.value)


def test_run_on_a_port_that_does_not_exist_says_so_with_exit_code_2(write_program, capsys, monkeypatch):
    monkeypatch.setattr(ports, "_comports", lambda: [])
    program = write_program("from roboarena import Robot\nrobot = Robot()\nrobot.wait(10)\n")
    assert main(["run", str(program), "--port", "/dev/ttyNOPE9"]) == 2
    err = capsys.readouterr().err
    assert "There is no serial port /dev/ttyNOPE9" in err and "roboarena ports" in err and "Traceback" not in err
    assert main(["--lang", "zh", "run", str(program), "--port", "/dev/ttyNOPE9"]) == 2
    assert "没有串口 /dev/ttyNOPE9" in capsys.readouterr().err


# --- finding the kits ------------------------------------------------------------------------------------------------
def fake_ports():
    from serial.tools.list_ports_common import ListPortInfo

    def port(device, description, hwid, vid=None, pid=None, serial_number=None):
        info = ListPortInfo(device)
        info.description, info.hwid, info.vid, info.pid, info.serial_number = description, hwid, vid, pid, serial_number
        return info

    return [
        port("COM3", "Standard Serial over Bluetooth link (COM3)", "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}"),
        port("COM4", "USB-SERIAL CH340 (COM4)", "USB VID:PID=1A86:7523 SER=A1", 0x1A86, 0x7523, "A1"),
        port("COM5", "HUAWEI Mobile Connect - Modem", "USB VID:PID=12D1:1001", 0x12D1, 0x1001),
        port("COM7", "Silicon Labs CP210x USB to UART Bridge (COM7)", "USB VID:PID=10C4:EA60 SER=0001", 0x10C4, 0xEA60,
             "0001"),
    ]


def test_ports_lists_the_kits_only(monkeypatch, capsys):
    monkeypatch.setattr(ports, "_comports", fake_ports)
    assert main(["ports", "--json"]) == 0
    kits = json.loads(capsys.readouterr().out)["kits"]
    assert [(k["port"], k["vid_pid"], k["serial_number"]) for k in kits] == [("COM4", "1a86:7523", "A1"),
                                                                            ("COM7", "10c4:ea60", "0001")]
    assert main(["ports"]) == 0
    out = capsys.readouterr().out
    assert "COM4" in out and "COM7" in out and "CP2102" in out and "COM3" not in out and "COM5" not in out


def test_robot_with_two_kits_plugged_in_asks_which(monkeypatch):
    monkeypatch.setattr(ports, "_comports", fake_ports)
    with pytest.raises(ConnectError) as caught:
        Robot()
    text = str(caught.value)
    assert "2 robot kits" in text and "COM4" in text and "COM7" in text and 'Robot("COM4")' in text
    assert "--port COM4" in text


def test_robot_with_no_kit_and_no_url_says_how_to_get_one(monkeypatch):
    monkeypatch.setattr(ports, "_comports", lambda: fake_ports()[:1])     # a Bluetooth port only
    with pytest.raises(ConnectError, match="no robot kit was found"):
        Robot()


def test_the_one_kit_plugged_in_is_found_and_found_again_by_serial_number(monkeypatch):
    monkeypatch.setattr(ports, "_comports", lambda: fake_ports()[:2])
    assert ports.the_one_kit("p.py") == "COM4"
    assert ports.port_of_serial_number("A1") == "COM4" and ports.port_of_serial_number("ZZ") is None


def test_a_timing_gate_reports_a_robot_crossing_with_its_time():
    """The gate role: the firmware stamps the beam break with its clock and the host reads
    it back on the run's time line (here the beam lies along the world's first gate)."""
    from roboarena.host.commands import gate_crossings
    from roboarena.host.serial_link import SerialLink
    from roboarena.sims.core_board import CoreBoard
    from roboarena.sims.runner import prepare

    simulation = prepare("line-follow", seed=0)
    simulation.body.x, simulation.body.y, simulation.body.heading = 2100.0, 760.0, math.radians(90)
    board = CoreBoard(simulation, speed=5.0, gate=True)
    board.start()
    try:
        link = SerialLink.open(board.url)
        assert link.board.capabilities & proto.CAP_GATE
        link.command(200, 200)                 # drive north, across the gate at y = 800
        started = time.monotonic()
        crossing = next(gate_crossings(link, stop=lambda: time.monotonic() - started > 10))
        link.close()
    finally:
        board.stop()
    run_s, board_ms, sensor = crossing
    checkpoint_ms = next(t for t, name, _ in simulation.events if name == "checkpoint")
    assert sensor == 0 and 0 < run_s < 5
    # The board stamped the crossing on its own clock within two control loops (5 ms each)
    # of the simulator's event (the simulation's time starts at the board's ARM).
    assert abs(board_ms - (board.sim_start_ms + checkpoint_ms)) <= 10


@needs_pty
def test_a_port_another_program_holds_is_refused_as_busy():
    import serial

    board = FakeBoard(lambda data: b"")
    holder = serial.Serial(board.path, exclusive=True)
    try:
        with pytest.raises(ConnectError) as caught:
            SerialLink.open(board.path, "kit")
    finally:
        holder.close()
        board.close()
    assert caught.value.message_id == "serial.busy" and board.path in str(caught.value)


@needs_pty
def test_garbage_at_a_wrong_baud_rate_gets_a_clear_message_not_a_hang():
    rng = __import__("random").Random(3)
    board = FakeBoard(lambda data: bytes(rng.getrandbits(8) for _ in range(64)))
    started = time.monotonic()
    try:
        with pytest.raises(ConnectError) as caught:
            SerialLink.open(board.path, "kit")
    finally:
        board.close()
    assert "roboarena firmware flash --port" in str(caught.value)
    assert time.monotonic() - started < 3.0
