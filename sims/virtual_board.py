"""The virtual board: the real firmware in the real MicroPython VM, on a pseudo-terminal,
driving a simulated robot.

``roboarena virtual-board CHALLENGE`` opens a pseudo-terminal that behaves like a kit's
serial port: pyserial, mpremote (``mpremote connect PTY resume ...``) and roboarena's own
serial link open it by its name. Behind it, Node.js runs the MicroPython WebAssembly VM
(npm ``@micropython/micropython-webassembly-pyscript``, pinned in
``firmware/virtual/package.json``) with the firmware's files (``firmware/*.py``) in its
filesystem; ``firmware/virtual/vboard.mjs`` runs its ``main.py``, which runs ra_main's
loop on the board object ``ra_board_virtual``. Each pass of that loop asks this module,
synchronously, to let the simulation run one loop period of board time and for the readings after
it; the motor power it set drives the simulated robot.

This module owns the pseudo-terminal, the simulation and the clock:

- Board time advances only by the firmware's loop steps; the run is paced to ``speed``
  times real time (``None``: as fast as the VM goes).
- The serial line is modelled as a UART at ``baud`` (in board time, 10 bits per byte):
  bytes reach the other end when they have been sent, a write that does not fit in the
  TX FIFO holds the loop up as a blocking UART write would, and received bytes reach the
  firmware as they arrive. ``baud=0`` turns the line model off.
- When the VM waits in its REPL (after Ctrl-C), board time stands still and bytes pass
  at once.

POSIX only (a pseudo-terminal); Node.js 18 or later and ``npm ci --prefix firmware/virtual``.
"""

from __future__ import annotations

import collections
import json
import math
import os
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from roboarena.errors import RoboarenaError
from roboarena.firmware import FOLDER as FIRMWARE_DIR, load as load_firmware
from roboarena.sims.simulation import Simulation

VIRTUAL_DIR = FIRMWARE_DIR / "virtual"
RUNNER = VIRTUAL_DIR / "vboard.mjs"
NPM_PACKAGE = "@micropython/micropython-webassembly-pyscript"
PACKAGE_MODULE = VIRTUAL_DIR / "node_modules" / NPM_PACKAGE / "micropython.mjs"

# The shared buffers' layouts: the same strings as in firmware/ra_board_virtual.py (the
# board sends its own when it attaches, and they are checked).
OUTPUTS_FORMAT = "<ffhfBBBHH"    # duty left, duty right, steering centi-deg, throttle, led r g b, beep Hz, beep ms
READINGS_FORMAT = "<Iii5HHiBBB"  # board ms, encoders l r, line x5, distance mm, heading centi-deg, bumper, colour, gate

DEFAULT_BAUD = 115200
TX_FIFO_BYTES = 256              # a UART driver's transmit buffer: more waiting than this blocks the writer
RESYNC_S = 0.1                   # fallen this far behind the pace (the REPL held the clock): take it from now
PTY_BACKLOG_BYTES = 1 << 20      # bytes kept for a reader that does not read; older ones are dropped
HISTORY = 20000                  # motor commands remembered for tests and tools

MAIN_PY = """\
# The virtual board's main.py: the firmware's loop, on the bridge to roboarena's simulator.
import ra_board_virtual
ra_board_virtual.main()
"""


class VirtualBoardError(RoboarenaError, RuntimeError):
    """The virtual board cannot start or has stopped working."""


class SerialLine:
    """One direction of a UART at ``baud``, in board time: bytes pushed at time t leave one
    by one, each taking 10 bits' time after the one before (or at once if baud is 0)."""

    def __init__(self, baud: int):
        self.byte_ms = 10_000.0 / baud if baud else 0.0
        self.backlog = bytearray()
        self.clock_ms = 0.0          # when the first byte of the backlog started (or the line went idle)
        self.total = 0

    def push(self, data: bytes, now_ms: float):
        if not self.backlog:
            self.clock_ms = max(self.clock_ms, now_ms)
        self.backlog += data
        self.total += len(data)

    def pull(self, now_ms: float, everything: bool = False) -> bytes:
        """The bytes whose last bit has been sent by ``now_ms`` (all of them: ``everything``)."""
        if not self.backlog:
            return b""
        if everything or self.byte_ms == 0.0:
            count = len(self.backlog)
        else:
            count = min(len(self.backlog), int((now_ms - self.clock_ms) / self.byte_ms + 1e-9))
            if count <= 0:
                return b""
        out = bytes(self.backlog[:count])
        del self.backlog[:count]
        self.clock_ms = now_ms if everything else self.clock_ms + count * self.byte_ms
        return out

    def busy_ms(self, now_ms: float) -> float:
        """How long the bytes waiting now take to go out."""
        return max(0.0, len(self.backlog) * self.byte_ms - max(0.0, now_ms - self.clock_ms))


def board_facts(simulation: Simulation) -> dict:
    """What the firmware's Core is told about the robot: from the simulation's robot spec."""
    proto = load_firmware("ra_proto")
    spec = simulation.spec
    caps = proto.CAP_ENCODERS | proto.CAP_ULTRASONIC | proto.CAP_LED | proto.CAP_BUZZER
    if spec.kind == "kit":
        caps |= proto.CAP_DIFF_DRIVE | proto.CAP_BUMPER | proto.CAP_COLOUR
        if spec.line_array:
            caps |= proto.CAP_LINE
        if spec.gyro:
            caps |= proto.CAP_GYRO
    else:
        caps |= proto.CAP_STEERING | proto.CAP_BUMPER
    return {
        "board_id": f"virtual-{spec.kind}",
        "capabilities": caps,
        "max_speed": int(spec.motor.max_speed),
        "counts_per_mm": spec.encoder_counts_per_rev / (math.pi * spec.wheel_diameter_mm),
        "axle_track_mm": float(spec.axle_track_mm or spec.width_mm),
    }


# Not for the virtual board's flash: the host's package file, and the kit's hardware side
# (it needs the machine module; its main.py is replaced by MAIN_PY).
NOT_FLASHED = {"__init__.py", "main.py", "ra_board_machine.py"}


def firmware_files() -> list[str]:
    """The firmware's files as they go into the virtual board's flash."""
    return sorted(path.name for path in FIRMWARE_DIR.iterdir()
                  if path.is_file() and path.suffix in (".py", ".json") and path.name not in NOT_FLASHED)


def find_node() -> str:
    node = os.environ.get("ROBOARENA_NODE") or shutil.which("node")
    if not node:
        raise VirtualBoardError("vboard.no_node")
    return node


def npm_package_ready() -> bool:
    return PACKAGE_MODULE.exists()


class VirtualBoard:
    """One virtual board on a pseudo-terminal. ``start()`` it (or use it as a context
    manager), open ``port`` with pyserial or mpremote, ``stop()`` it.

    The simulation is read under ``lock`` (the relay thread steps it); ``commands`` keeps
    (board ms, a, b) for every change of the motor commands, ``events`` the VM's events
    (firmware started, REPL, soft reboot) with their board time."""

    def __init__(self, simulation: Simulation, speed: float | None = 1.0, baud: int = DEFAULT_BAUD,
                 echo_vm_errors: bool = False):
        if not hasattr(os, "openpty"):
            raise VirtualBoardError("vboard.no_pty", platform=sys.platform)
        self.simulation = simulation
        self.speed = speed if speed and speed > 0 else None
        self.facts = board_facts(simulation)
        self.max_speed = self.facts["max_speed"]
        self.kind = simulation.spec.kind
        self.proto = load_firmware("ra_proto")
        self.tx = SerialLine(baud)       # board to host
        self.rx = SerialLine(baud)       # host to board
        self.now_ms = 0.0                # board time
        self.steps = 0
        self.lock = threading.RLock()
        self.commands: collections.deque = collections.deque(maxlen=HISTORY)
        self.events: list[tuple[float, dict]] = []
        self.last_rx_ms: float | None = None   # board time the firmware last got bytes
        self.dropped_bytes = 0
        self.port = ""
        self.sim_start_ms: float | None = None   # board time the program's run began (set by open_virtual_link)
        self.echo_vm_errors = echo_vm_errors
        self.vm_errors: collections.deque = collections.deque(maxlen=200)
        self._command = None
        self._wall0 = None
        self._pty_out = bytearray()
        self._stepping = False           # the VM runs the loop (board time moves); else it waits in the REPL
        self._master = self._slave = -1
        self._process: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._failure: BaseException | None = None
        self._changed = threading.Condition(self.lock)

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> "VirtualBoard":
        import tty

        if self._process is not None:
            return self                      # already running (``with VirtualBoard(...).start()``)
        node = find_node()
        if not npm_package_ready() and not os.environ.get("ROBOARENA_MICROPYTHON_MJS"):
            raise VirtualBoardError("vboard.no_package", folder=str(VIRTUAL_DIR), package=NPM_PACKAGE)
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)              # a serial port: no echo, no line editing, bytes as they are
        os.set_blocking(self._master, False)
        self.port = os.ttyname(self._slave)
        self._process = subprocess.Popen([node, str(RUNNER)], cwd=str(VIRTUAL_DIR), stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
                                         start_new_session=True)   # Ctrl-C in the terminal is ours to handle
        threading.Thread(target=self._collect_errors, name="roboarena-vboard-stderr", daemon=True).start()
        config = {
            "firmware_dir": str(FIRMWARE_DIR), "files": firmware_files(), "extra_files": {"main.py": MAIN_PY},
            "board": self.facts, "heap_bytes": 1 << 20,
        }
        module = os.environ.get("ROBOARENA_MICROPYTHON_MJS")
        if module:
            config["micropython_module"] = Path(module).resolve().as_uri()
        self._send(b"C", json.dumps(config).encode())
        self._thread = threading.Thread(target=self._serve, name="roboarena-vboard", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Stop the VM (closing its input makes it exit) and close the pseudo-terminal."""
        self._stopping = True
        process = self._process
        if process is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
            try:
                process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._thread is not None:
            self._thread.join(timeout=3)
        for fd in (self._master, self._slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._master = self._slave = -1

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def vm_pid(self) -> int | None:
        """The Node.js process running the VM."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        """Wait until ``predicate(self)`` holds (checked at every change of board state)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.running:
                    return predicate(self)
                self._changed.wait(min(remaining, 0.05))
            return True

    def wait_event(self, name: str, after: int = 0, timeout: float = 10.0) -> bool:
        return self.wait_for(lambda b: any(e.get("event") == name for _, e in b.events[after:]), timeout)

    def pose(self) -> tuple[float, float, float]:
        """(x mm, y mm, heading deg) of the simulated robot now."""
        with self.lock:
            body = self.simulation.body
            return body.x, body.y, math.degrees(body.heading)

    def wheel_speeds(self) -> tuple[float, float]:
        with self.lock:
            body = self.simulation.body
            return (body.v_left, body.v_right) if self.kind == "kit" else (body.v, body.v)

    # --- the channel to the VM ----------------------------------------------------------------
    def _send(self, kind: bytes, payload: bytes = b""):
        data = kind + struct.pack("<I", len(payload)) + payload
        fd = self._process.stdin.fileno()
        while data:
            written = os.write(fd, data)
            data = data[written:]

    def _read_exact(self, count: int) -> bytes | None:
        fd = self._process.stdout.fileno()
        chunks, got = [], 0
        while got < count:
            chunk = os.read(fd, count - got)
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _collect_errors(self):
        for line in iter(self._process.stderr.readline, b""):
            text = line.decode("utf-8", "replace").rstrip()
            self.vm_errors.append(text)
            if self.echo_vm_errors:
                print(text, file=sys.stderr)

    def _next_message(self):
        """The VM's next message; meanwhile the pseudo-terminal is served both ways."""
        vm_fd = self._process.stdout.fileno()
        while True:
            writers = [self._master] if self._pty_out else []
            readable, writable, _ = select.select([vm_fd, self._master], writers, [], 0.2)
            if self._master in readable:
                self._read_pty()
            if writable:
                self._write_pty(b"")
            if vm_fd in readable:
                head = self._read_exact(5)
                if head is None:
                    return None
                length = struct.unpack_from("<I", head, 1)[0]
                payload = self._read_exact(length) if length else b""
                if payload is None:
                    return None
                return head[:1], payload

    def _serve(self):
        try:
            while True:
                message = self._next_message()
                if message is None:
                    break
                kind, payload = message
                if kind == b"S":
                    self._stepping = True
                    self._send(b"S", self._step(payload))
                elif kind == b"O":
                    self.tx.push(payload, self.now_ms)
                    if not self._stepping or self.tx.byte_ms == 0.0:
                        self._write_pty(self.tx.pull(self.now_ms, everything=True))
                elif kind == b"R":
                    self._stepping = False
                    self._send(b"R", self._wait_input())
                elif kind == b"A":
                    self._check_formats(json.loads(payload))
                elif kind == b"E":
                    event = json.loads(payload)
                    if event.get("event") in ("repl", "soft-reboot"):
                        self._stepping = False          # board time stands still: no line to pace
                        self._write_pty(self.tx.pull(self.now_ms, everything=True))
                    with self._changed:
                        self.events.append((self.now_ms, event))
                        self._changed.notify_all()
        except BaseException as exc:  # noqa: BLE001 - kept for the caller; the VM is stopped below
            if not self._stopping and self._failure is None:
                self._failure = exc
        finally:
            with self._changed:
                self._changed.notify_all()
            if not self._stopping and self._process is not None:
                try:
                    self._process.stdin.close()
                except OSError:
                    pass

    def _check_formats(self, formats: dict):
        if formats.get("outputs") != OUTPUTS_FORMAT or formats.get("readings") != READINGS_FORMAT:
            self._failure = VirtualBoardError("vboard.format_mismatch", board=json.dumps(formats),
                                              bridge=json.dumps({"outputs": OUTPUTS_FORMAT,
                                                                 "readings": READINGS_FORMAT}))
            raise self._failure

    # --- the pseudo-terminal --------------------------------------------------------------------
    def _read_pty(self):
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:              # EIO: nobody has the terminal open (macOS); nothing to read
            return
        if data:
            self.rx.push(data, self.now_ms)

    def _write_pty(self, data: bytes):
        self._pty_out += data
        while self._pty_out:
            try:
                written = os.write(self._master, self._pty_out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.dropped_bytes += len(self._pty_out)
                self._pty_out.clear()
                break
            del self._pty_out[:written]
        if len(self._pty_out) > PTY_BACKLOG_BYTES:       # nobody reads: a serial line just loses them
            excess = len(self._pty_out) - PTY_BACKLOG_BYTES
            del self._pty_out[:excess]
            self.dropped_bytes += excess

    def _wait_input(self) -> bytes:
        """The REPL waits for input: board time stands still, bytes pass at once."""
        self._write_pty(self.tx.pull(self.now_ms, everything=True))
        while True:
            waiting = self.rx.pull(self.now_ms, everything=True)
            if waiting:
                return waiting
            vm_fd = self._process.stdout.fileno()
            writers = [self._master] if self._pty_out else []
            readable, writable, _ = select.select([self._master, vm_fd], writers, [], 0.2)
            if writable:
                self._write_pty(b"")
            if self._master in readable:
                self._read_pty()
            elif vm_fd in readable or self._stopping:
                return b""           # the VM has gone (its output closed): nothing more to read

    # --- one step of the firmware's loop ----------------------------------------------------------
    def _step(self, payload: bytes) -> bytes:
        ms = struct.unpack_from("<H", payload)[0]
        outputs = struct.unpack_from(OUTPUTS_FORMAT, payload, 2)
        with self._changed:
            self._apply(outputs)
            # A write bigger than the TX FIFO blocked the loop until the FIFO had room.
            advance = ms + max(0.0, self.tx.busy_ms(self.now_ms) - TX_FIFO_BYTES * self.tx.byte_ms) if ms else 0.0
            if advance:
                if self.simulation.over is None:
                    self.simulation.tick(advance)
                self.now_ms += advance
                self.steps += 1
            readings = self._readings()
            self._changed.notify_all()
        if advance:
            self._pace()
        self._read_pty()
        self._write_pty(self.tx.pull(self.now_ms))
        received = self.rx.pull(self.now_ms)
        if received:
            self.last_rx_ms = self.now_ms
        return bytes([len(readings)]) + readings + received

    def _pace(self):
        if self.speed is None:
            return
        wall = time.monotonic()
        due = (self._wall0 if self._wall0 is not None else wall) + self.now_ms / 1000.0 / self.speed
        if self._wall0 is None or wall - due > RESYNC_S:
            self._wall0 = wall - self.now_ms / 1000.0 / self.speed       # start, or after the REPL held the clock
            return
        while wall < due:
            readable, _, _ = select.select([self._master], [], [], due - wall)
            if readable:
                self._read_pty()
            wall = time.monotonic()

    def _apply(self, outputs):
        duty_left, duty_right, steering, throttle, red, green, blue, beep_hz, beep_ms = outputs
        sim = self.simulation
        if self.kind == "kit":
            command = (duty_left * self.max_speed, duty_right * self.max_speed)
        else:
            command = (throttle * self.max_speed, steering / 100.0)
        if command != self._command:
            self._command = command
            if sim.over is None:
                sim.command(*command)
            self.commands.append((self.now_ms, *command))
        if (red, green, blue) != sim.led:
            sim.set_led((red, green, blue))
        if beep_hz:
            sim.beep(beep_hz, beep_ms)

    def _readings(self) -> bytes:
        sim, spec = self.simulation, self.simulation.spec
        left, right = sim.read_encoders()
        line = list(sim.read_line()[:5]) if spec.line_array else []
        line += [0] * (5 - len(line))
        distance = min(65535, max(0, int(sim.read_distance())))
        heading = int(round(sim.read_heading() * 100)) if spec.gyro else 0
        colours = self.proto.COLOURS
        colour = sim.read_colour() if spec.kind == "kit" else "none"
        return struct.pack(READINGS_FORMAT, int(self.now_ms) & 0xFFFFFFFF, _int32(left), _int32(right), *line,
                           distance, _int32(heading), int(sim.read_bumper()),
                           colours.index(colour) if colour in colours else 0, 0)

    def raise_failure(self):
        """Re-raise what stopped the relay (the VM crashed, formats disagree), if anything did."""
        if self._failure is not None:
            if isinstance(self._failure, RoboarenaError):
                raise self._failure
            raise VirtualBoardError("vboard.vm_failed", reason=repr(self._failure),
                                    log="\n".join(list(self.vm_errors)[-10:]))


def _int32(value: int) -> int:
    return (int(value) + (1 << 31)) % (1 << 32) - (1 << 31)


def parse_speed(text: str) -> float | None:
    """``--speed``: a factor above 0, or "max" (None: unpaced)."""
    if text == "max":
        return None
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < math.inf:
        raise VirtualBoardError("cli.bad_speed", value=text)
    return value


def cmd_virtual_board(args) -> int:
    """``roboarena virtual-board``: serve a virtual board until Ctrl-C."""
    return serve(args.challenge, args.seed, parse_speed(args.speed), args.robot, args.baud)


def serve(challenge: str = "line-follow", seed: int = 0, speed: float | None = 1.0, robot: str | None = None,
          baud: int = DEFAULT_BAUD) -> int:
    """Serve a virtual board on a new pseudo-terminal until Ctrl-C; returns the exit code."""
    from roboarena.messages import render
    from roboarena.sims.runner import prepare

    simulation = prepare(challenge, seed=seed, robot=robot)
    board = VirtualBoard(simulation, speed=speed, baud=baud, echo_vm_errors=True)
    board.start()
    print(render("vboard.ready", port=board.port, challenge=challenge, seed=seed,
                 speed="max" if board.speed is None else f"{board.speed:g}"), flush=True)
    announced_over = False
    try:
        while board.running:
            time.sleep(0.2)
            if simulation.over is not None and not announced_over:
                announced_over = True
                print(render("vboard.run_over", reason=simulation.over, time_s=board.now_ms / 1000), flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        board.stop()
    print(render("vboard.stopped", time_s=board.now_ms / 1000, steps=board.steps, sent=board.tx.total,
                 received=board.rx.total), flush=True)
    board.raise_failure()
    return 0


def open_virtual_link(url: str, simulation=None, kind: str | None = None):
    """A serial link to a virtual board simulating ``sim://WORLD?board=virtual&...``: the
    student's program drives the simulated robot through the real firmware in the VM."""
    from roboarena.host.serial_link import SerialLink
    from roboarena.sims.link import parse_sim_url, simulation_from_url

    _, options = parse_sim_url(url)
    simulation = simulation or simulation_from_url(url)
    board = VirtualBoard(simulation, speed=float(options.get("speed", 1))).start()
    try:
        if not board.wait_for(lambda b: b.steps > 0):
            board.raise_failure()
        link = SerialLink.open(board.port, kind, run_over=lambda: simulation.over, on_close=board.stop)
    except BaseException:
        board.stop()
        raise
    link.spec = simulation.spec         # the simulated robot's own figures, not the built-in kit's
    board.sim_start_ms = board.now_ms   # the run starts now that the program's link has armed the robot
    link.core_board = board             # the simulated board behind the link (its simulation, for traces)
    link.source = "virtual-board"
    return link
