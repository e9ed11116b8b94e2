"""The virtual board: the real firmware in the real MicroPython VM (Node.js), on a
pseudo-terminal, driving a simulated robot. Opened with pyserial and mpremote as a kit's
serial port would be."""

import os
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from roboarena.firmware import load
from roboarena.sims import virtual_board
from roboarena.sims.runner import prepare

proto = load("ra_proto")
ROOT = Path(__file__).resolve().parents[1]
VM_TESTS = ROOT / "firmware" / "tests_vm" / "test_core_vm.py"

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="the virtual board needs a pseudo-terminal (POSIX)"),
    pytest.mark.skipif(shutil.which("node") is None, reason="the virtual board needs Node.js"),
]


@pytest.fixture(scope="module", autouse=True)
def vm_installed():
    """The npm package, installed from the lock file if it is not there yet."""
    if not virtual_board.npm_package_ready():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is needed to install the MicroPython VM")
        subprocess.run([npm, "ci", "--prefix", str(virtual_board.VIRTUAL_DIR), "--no-audit", "--no-fund"],
                       check=True, timeout=300, capture_output=True)


@pytest.fixture
def make_board():
    boards = []

    def make(speed=4.0, baud=virtual_board.DEFAULT_BAUD, challenge="line-follow"):
        board = virtual_board.VirtualBoard(prepare(challenge, seed=0), speed=speed, baud=baud).start()
        boards.append(board)
        assert board.wait_for(lambda b: b.steps > 0), list(board.vm_errors)
        return board

    yield make
    for board in boards:
        board.stop()
        board.raise_failure()


class Host:
    """A host on the serial port: frames out, frames in (with the board time they came),
    and heartbeats from a thread so that test code's pauses do not trip the watchdog."""

    def __init__(self, board):
        import serial

        self.board = board
        self.port = serial.Serial(board.port, 115200, timeout=0.05)
        self.frames = []             # (board ms on arrival, type, payload)
        self.text = bytearray()      # everything received, for REPL output
        self.seq = 0
        self.beating = False
        self._lock = threading.Lock()
        self._decoder = proto.Decoder()
        self._stop = False
        self._threads = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._beat, daemon=True)]
        for thread in self._threads:
            thread.start()

    def send(self, kind, payload=b""):
        with self._lock:
            self.seq = (self.seq + 1) & 0xFF
            self.port.write(proto.build(kind, self.seq, payload))
            return self.seq

    def write(self, data):
        with self._lock:
            self.port.write(data)

    def _read(self):
        while not self._stop:
            data = self.port.read(256)
            self.text += data
            for byte in data:
                frame = self._decoder.feed_byte(byte)
                if frame is not None:
                    self.frames.append((self.board.now_ms, frame[1], bytes(frame[3])))

    def _beat(self):
        while not self._stop:
            if self.beating:
                self.send(proto.HEARTBEAT)
            time.sleep(0.002)

    def wait_frame(self, kind, seq=None, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for _, got, payload in list(self.frames):
                if got == kind and (seq is None or payload[0] == seq):
                    return payload
            time.sleep(0.002)
        raise AssertionError(f"no frame of type {kind:#x} (seq {seq}); got {[f[1:] for f in self.frames][-5:]}, "
                             f"text {bytes(self.text[-200:])!r}")

    def wait_text(self, text, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.text:
                return
            time.sleep(0.005)
        raise AssertionError(f"{text!r} never came; got {bytes(self.text[-300:])!r}")

    def hello(self, tries=3):
        """HELLO until it is answered: a reply right after text (the REPL, a boot message)
        is lost to the decoder, which resynchronises at the next delimiter."""
        for attempt in range(tries):
            self.send(proto.HELLO, bytes([proto.PROTOCOL_MAJOR, proto.PROTOCOL_MINOR, proto.PROTOCOL_PATCH]))
            try:
                return self.wait_frame(proto.HELLO_REPLY, timeout=1.0)
            except AssertionError:
                if attempt == tries - 1:
                    raise

    def arm_and_drive(self, left, right):
        arm = self.send(proto.ARM)
        drive = self.send(proto.DRIVE, struct.pack("<hh", left, right))
        assert self.wait_frame(proto.ACK, arm) == bytes([arm, proto.OK])
        assert self.wait_frame(proto.ACK, drive) == bytes([drive, proto.OK])

    def close(self):
        self._stop = True
        for thread in self._threads:
            thread.join(1)
        self.port.close()


def run_for(board, ms):
    start = board.now_ms
    assert board.wait_for(lambda b: b.now_ms >= start + ms, timeout=30)


def mpremote(board, *args, timeout=60):
    result = subprocess.run([sys.executable, "-m", "mpremote", "connect", board.port, *args], capture_output=True,
                            text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_hello_arm_and_drive_move_the_simulated_robot(make_board):
    board = make_board(speed=4.0)
    host = Host(board)
    try:
        reply = host.hello()
        version = load("ra_core").FIRMWARE_VERSION
        assert struct.unpack("<BBBBBBI", reply[:10]) == (*version, proto.PROTOCOL_MAJOR, proto.PROTOCOL_MINOR,
                                                          proto.PROTOCOL_PATCH, board.facts["capabilities"])
        assert reply[10:] == b"virtual-kit"
        x0, y0, _ = board.pose()
        host.beating = True
        host.arm_and_drive(300, 300)       # the ARM frame holds 0x03: it must not interrupt the loop
        run_for(board, 600)
        x1, y1, _ = board.pose()
        assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 > 80       # ~0.5 s at up to 300 mm/s
        assert min(board.wheel_speeds()) > 200
        assert [e["event"] for _, e in board.events].count("repl") == 0
    finally:
        host.close()


def test_the_watchdog_in_the_vm_stops_the_wheels_when_heartbeats_stop(make_board):
    board = make_board(speed=4.0)
    host = Host(board)
    try:
        host.hello()
        host.beating = True
        host.arm_and_drive(300, 300)
        run_for(board, 400)
        assert min(board.wheel_speeds()) > 200
        host.beating = False
        assert board.wait_for(lambda b: b.now_ms > (b.last_rx_ms or 0) + 700, timeout=30)
        last_frame = board.last_rx_ms
        stops = [t for t, left, right in board.commands if t >= last_frame and left == 0 and right == 0]
        assert stops and stops[0] - last_frame <= 300, (last_frame, list(board.commands)[-5:])
        assert board.wheel_speeds() == (0.0, 0.0)
    finally:
        host.close()


def test_ctrl_c_gives_the_repl_and_ctrl_d_restarts_the_firmware(make_board):
    board = make_board(speed=None)
    host = Host(board)
    try:
        host.write(b"\r\x03")              # as mpremote and a terminal send it
        host.wait_text(b"KeyboardInterrupt")
        host.wait_text(b"\r\n>>> ")
        host.write(b"print(6 * 7)\r")
        host.wait_text(b"42\r\n>>> ")
        firmware_runs = [e["event"] for _, e in board.events].count("firmware")
        host.write(b"\x04")                # soft reboot: main.py runs the firmware again
        host.wait_text(b"MPY: soft reboot\r\n")
        assert board.wait_for(lambda b: [e["event"] for _, e in b.events].count("firmware") > firmware_runs)
        assert host.hello()[10:] == b"virtual-kit"
    finally:
        host.close()


def test_mpremote_lists_the_firmware_and_measures_its_memory(make_board):
    board = make_board(speed=1.0)
    listing = mpremote(board, "resume", "fs", "ls")
    for name in ("main.py", "ra_core.py", "ra_proto.py", "ra_main.py", "ra_board_virtual.py"):
        assert name in listing
    # Measured in a later exec than the import: in the same one, the import's compile garbage
    # is still on the stack the GC scans. Without `resume`, mpremote soft-reboots the board first.
    measure = "import gc; gc.collect(); print(gc.mem_alloc())"
    mpremote(board, "exec", "pass")
    vm_only = int(mpremote(board, "resume", "exec", measure))
    mpremote(board, "resume", "exec", "import ra_core")
    memory = int(mpremote(board, "resume", "exec", measure))
    print(f"\nmemory after import ra_core: {memory} bytes ({memory - vm_only} for the firmware, {vm_only} the VM's own)")
    assert memory < 40_000


def test_mpremote_copies_files_both_ways(make_board, tmp_path):
    board = make_board(speed=None)
    source = tmp_path / "hello.py"
    source.write_text("print('hello from the board')\n")
    mpremote(board, "resume", "cp", str(source), ":hello.py")     # a new file: stat gives ENOENT first
    assert "hello from the board" in mpremote(board, "resume", "exec", "import hello")
    mpremote(board, "resume", "cp", ":ra_core.py", str(tmp_path / "back.py"))
    assert (tmp_path / "back.py").read_bytes() == (ROOT / "firmware" / "ra_core.py").read_bytes()
    missing = subprocess.run([sys.executable, "-m", "mpremote", "connect", board.port, "resume", "fs", "cat",
                              ":nothing.py"], capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "No such file" in missing.stdout + missing.stderr


def test_the_firmware_tests_pass_inside_the_vm(make_board):
    board = make_board(speed=None)
    output = mpremote(board, "resume", "run", str(VM_TESTS))
    assert "FIRMWARE VM TESTS PASSED" in output
    assert "frame vectors" in output and " 0 frame vectors" not in output


def test_the_serial_line_is_paced_at_its_baud_rate(make_board):
    """9600 baud carries 960 bytes a second: at most ~26 telemetry frames of 37 bytes."""
    board = make_board(speed=None, baud=9600)
    host = Host(board)
    try:
        host.hello()
        host.send(proto.TELEMETRY_RATE, struct.pack("<H", 1))      # as often as the loop runs
        assert board.wait_for(lambda b: any(kind == proto.TELEMETRY for _, kind, _ in host.frames))
        start = board.now_ms + 500                          # the FIFO has filled by then

        def telemetry_times():
            return [struct.unpack(proto.TELEMETRY_FORMAT, p)[0] for _, kind, p in list(host.frames)
                    if kind == proto.TELEMETRY]

        assert board.wait_for(lambda b: max(telemetry_times()) >= start + 1000, timeout=30)
        times = telemetry_times()
        per_second = len([t for t in times if start <= t < start + 1000])
        frame_bytes = len(proto.build(proto.TELEMETRY, 0, bytes(struct.calcsize(proto.TELEMETRY_FORMAT))))
        assert 0.8 * 960 / frame_bytes <= per_second <= 960 / frame_bytes + 1, (per_second, frame_bytes)
    finally:
        host.close()


def test_the_vm_exits_when_its_parent_dies(tmp_path):
    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from roboarena.sims.runner import prepare\n"
        "from roboarena.sims.virtual_board import VirtualBoard\n"
        "board = VirtualBoard(prepare('line-follow'), speed=1.0).start()\n"
        "board.wait_for(lambda b: b.steps > 0)\n"
        "print(board.vm_pid, flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    vm_pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(vm_pid, 0)
        except ProcessLookupError:
            return                           # gone and reaped
        stat = Path(f"/proc/{vm_pid}/stat")
        if stat.exists() and stat.read_text().split(") ")[1].startswith("Z"):
            return                           # exited; a zombie until its new parent reaps it
        time.sleep(0.05)
    os.kill(vm_pid, signal.SIGKILL)
    raise AssertionError("the VM's Node.js process outlived its parent")


def test_the_command_line_serves_a_board_until_ctrl_c():
    process = subprocess.Popen([sys.executable, "-m", "roboarena", "--lang", "en", "virtual-board", "line-follow",
                                "--speed", "max"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        port = line.split(" on ", 1)[1].split(" ", 1)[0]
        import serial

        with serial.Serial(port, 115200, timeout=2) as link:
            link.write(proto.build(proto.HELLO, 1, bytes([1, 0, 0])))
            reply = link.read_until(b"\x00")
        decoder = proto.Decoder()
        frames = [f for f in (decoder.feed_byte(b) for b in reply) if f is not None]
        assert frames and frames[0][1] == proto.HELLO_REPLY
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        assert process.returncode == 0, err
        assert "Virtual board stopped" in out
    finally:
        if process.poll() is None:
            process.kill()


def test_the_line_follower_completes_a_lap_through_the_firmware_in_the_vm(tmp_path):
    """End to end: the student's program → pyserial → the firmware in the MicroPython VM →
    the simulator; the lap is counted by the simulator's gates."""
    from roboarena.cli import main

    trace = tmp_path / "vm.jsonl"
    code = main(["run", str(ROOT / "examples" / "line_follower.py"), "--port",
                 "sim://line-follow?board=virtual&speed=20", "--trace", str(trace), "--json"])
    assert code == 0
    from roboarena.sims.trace import read_trace

    records = read_trace(trace)
    assert records[0]["source"] == "virtual-board"
    laps = [r for r in records if r.get("event") == "lap"]
    assert laps, [r for r in records if r["type"] == "event"][:10]
