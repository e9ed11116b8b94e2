"""A simulated board: the real firmware (``ra_main``'s loop around ``ra_core``) running
under CPython, with a roboarena :class:`Simulation` as its motors and sensors, reached
through a pseudo-terminal or a local TCP socket exactly as a kit on a USB cable is.

    board = CoreBoard(prepare("line-follow"), speed=10)   # board clock 10x real time
    board.start()
    link = SerialLink.open(board.url, "kit")                 # pyserial -> firmware -> simulator

``Robot("sim://line-follow?board=core")`` does just that (``&speed=10`` for a faster
board clock, ``&transport=socket`` for TCP). What this exercises that the plain simulator
does not: the wire protocol, the firmware's handshake, watchdog and wheel-speed loop,
telemetry timing, and the host's serial link with its retries and reconnection.

The board is the firmware's: every loop period (3 ms) it reads the sensors (the
simulation's readings, in the protocol's units), takes the received bytes, runs the
control loop and applies the motor duties as wheel speed commands (``duty × max_speed``;
the simulator then adds its motor lag, deadband and mismatch). Simulated time only moves
inside the board's idle, so the board clock and the simulation stay in step; the clock
is paced against the wall clock by ``speed`` (1: real time, for people watching).

:class:`FaultInjector` damages the byte stream in either direction (flipped bits, lost and
extra bytes), and ``cut`` / ``unplug()`` break the link, for the tests of the protocol's
safety.
"""

from __future__ import annotations

import math
import os
import random
import socket
import sys
import tempfile
import threading
import time

from roboarena import firmware
from roboarena.errors import RunOver

proto = firmware.load("ra_proto")
ra_main = firmware.load("ra_main")

COLOUR_PERIOD_MS = 25            # a TCS34725-class colour sensor integrates for about 24 ms
GATE_PULSE_MS = 50               # a robot takes about this long to pass a break-beam
# A board clock this far behind the wall clock gives up catching up. Counted in board time
# and kept well under the firmware's 250 ms watchdog: a board that has been descheduled
# (a busy computer) and then races to catch up would outrun the host's heartbeats, which
# a real board never does.
MAX_LAG_BOARD_MS = 30
SENSOR_CAPABILITIES = {"line": proto.CAP_LINE, "ultrasonic": proto.CAP_ULTRASONIC, "gyro": proto.CAP_GYRO,
                       "encoders": proto.CAP_ENCODERS, "colour": proto.CAP_COLOUR, "bumper": proto.CAP_BUMPER}
KIT_SENSORS = ("line", "ultrasonic", "gyro", "encoders", "colour", "bumper")
CAR_SENSORS = ("ultrasonic", "encoders", "bumper")


class BoardStopped(BaseException):
    """Raised inside the board's loop to end it (the firmware stops its motors first)."""


def capabilities_of(spec, allowed_sensors=None) -> int:
    """The HELLO_REPLY capability flags of a board built like ``spec``: the sensors a
    challenge allows only (a board without the others, as the referee would check)."""
    flags = proto.CAP_LED | proto.CAP_BUZZER
    flags |= proto.CAP_DIFF_DRIVE if spec.kind == "kit" else proto.CAP_STEERING
    for sensor in KIT_SENSORS if spec.kind == "kit" else CAR_SENSORS:
        if allowed_sensors is None or sensor in allowed_sensors:
            flags |= SENSOR_CAPABILITIES[sensor]
    return flags


class FaultInjector:
    """Damages a byte stream as a bad cable or radio link does: each byte is lost, has one
    bit flipped, or gets a random byte inserted before it, each with probability ``rate``.
    Seeded, so the same stream gets the same damage. ``log`` holds (index in the stream,
    fault) for every fault."""

    def __init__(self, rate: float = 0.001, seed: int = 0):
        self.rate = rate
        self._random = random.Random(seed)
        self.index = 0
        self.log: list[tuple[int, str]] = []

    def apply(self, data: bytes) -> bytes:
        rate, draw = self.rate, self._random.random
        out = bytearray()
        for byte in data:
            r = draw()
            if r >= 3 * rate:
                out.append(byte)
            elif r < rate:
                self.log.append((self.index, "drop"))
            elif r < 2 * rate:
                out.append(byte ^ (1 << self._random.randrange(8)))
                self.log.append((self.index, "flip"))
            else:
                out.append(self._random.randrange(256))
                out.append(byte)
                self.log.append((self.index, "insert"))
            self.index += 1
        return bytes(out)

    def count(self, kind: str | None = None) -> int:
        return sum(1 for _, fault in self.log if kind is None or fault == kind)


class PtyPort:
    """The board's end of a pseudo-terminal (POSIX). The host opens ``url``, a stable name
    in a private folder pointing at the terminal (as /dev/serial/by-id/... does for a USB
    kit), so it can vanish on ``unplug()`` and come back on ``plug()``."""

    def __init__(self):
        self._folder = tempfile.mkdtemp(prefix="roboarena-board-")
        self.url = os.path.join(self._folder, "tty")
        self.master = self.slave = None
        self.plug()

    def plug(self):
        import tty

        master, slave = os.openpty()
        # Raw: no echo and no newline translation before the host sets its own modes (an
        # echo would feed the board its own telemetry). The board keeps the slave open, so
        # the terminal lives on while the host closes and reopens it.
        tty.setraw(slave)
        os.set_blocking(master, False)
        self.master, self.slave = master, slave
        self.device = os.ttyname(slave)
        os.symlink(self.device, self.url)

    def unplug(self):
        if self.master is None:
            return
        os.remove(self.url)
        os.close(self.master)
        os.close(self.slave)
        self.master = self.slave = None

    def read(self) -> bytes:
        if self.master is None:
            return b""
        try:
            return os.read(self.master, 4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            return b""

    def write(self, data: bytes):
        if self.master is None:
            return
        try:
            os.write(self.master, data)     # a full buffer drops the rest, as a UART FIFO does
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass

    def close(self):
        self.unplug()
        try:
            os.rmdir(self._folder)
        except OSError:
            pass


class SocketPort:
    """The board as a TCP server on 127.0.0.1 (``socket://127.0.0.1:PORT``, also on
    Windows). One host at a time; a new connection replaces the old one."""

    def __init__(self, port: int = 0):
        self.port = port
        self.server = self.client = None
        self.plug()

    def plug(self):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(1)
        server.setblocking(False)
        self.server = server
        self.port = server.getsockname()[1]
        self.url = f"socket://127.0.0.1:{self.port}"

    def unplug(self):
        for sock in (self.client, self.server):
            if sock is not None:
                sock.close()
        self.server = self.client = None

    def read(self) -> bytes:
        if self.server is None:
            return b""
        try:
            client, _ = self.server.accept()
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.client is not None:
                self.client.close()
            self.client = client
        except (BlockingIOError, InterruptedError):
            pass
        if self.client is None:
            return b""
        try:
            data = self.client.recv(4096)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            data = b""
        if not data:                        # the host went away
            self.client.close()
            self.client = None
        return data

    def write(self, data: bytes):
        if self.client is None:
            return
        try:
            self.client.send(data)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            self.client.close()
            self.client = None

    def close(self):
        self.unplug()


class CoreBoard:
    """One simulated board around ``simulation``; ``start()`` runs it in a thread.

    What the tests read: ``received`` (board ms, type, seq, payload) of every valid frame
    the firmware got, ``commands`` (board ms, type, payload, ACK code) of every command it
    answered, ``outputs`` (board ms, a, b) each time the motor outputs changed (duties,
    or throttle and steering), ``clock_ms`` and ``sim_start_ms`` (when the first ARM
    started the simulated run)."""

    def __init__(self, simulation, speed: float = 1.0, transport: str = "auto", board_id: str = "sim-core",
                 faults: float = 0.0, fault_seed: int = 0, gate: bool = False):
        self.simulation = simulation
        spec = simulation.spec
        self.speed = float(speed)
        # The facts ra_main reads from its board.
        self.board_id = board_id
        self.capabilities = capabilities_of(spec, simulation.settings.sensors)
        if gate:
            # A timing gate too: its beam lies along the world's gates, and is broken for
            # GATE_PULSE_MS whenever the robot crosses one (a checkpoint event).
            self.capabilities |= proto.CAP_GATE
        self.max_speed = spec.motor.max_speed
        self.counts_per_mm = spec.encoder_counts_per_rev / (math.pi * spec.wheel_diameter_mm)
        self.axle_track_mm = spec.axle_track_mm or spec.wheelbase_mm
        if transport == "auto":
            transport = "pty" if hasattr(os, "openpty") and sys.platform != "win32" else "socket"
        self.port = PtyPort() if transport == "pty" else SocketPort()
        self.faults_in = FaultInjector(faults, fault_seed) if faults else None           # host -> board
        self.faults_out = FaultInjector(faults, fault_seed + 1) if faults else None      # board -> host
        self.cut = False
        self.clock_ms = 0
        self.sim_start_ms: int | None = None
        self.received: list[tuple[int, int, int, bytes]] = []
        self.commands: list[tuple[int, int, bytes, int]] = []
        self.outputs: list[tuple[int, float, float]] = []
        self.error: BaseException | None = None
        self._rx = proto.Decoder()
        self._tx = proto.Decoder()
        self._pending: dict[int, tuple[int, bytes]] = {}
        self._applied = None
        self._led = (0, 0, 0)
        self._colour_at = -COLOUR_PERIOD_MS
        self._stop = threading.Event()
        self._wall0 = 0.0
        self._thread = threading.Thread(target=self._run, name="roboarena-core-board", daemon=True)
        self._lock = threading.Lock()           # plug/unplug against the board's reads and writes

    @property
    def url(self) -> str:
        return self.port.url

    def start(self) -> "CoreBoard":
        self._wall0 = time.perf_counter()
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(2.0)
        with self._lock:
            self.port.close()

    def unplug(self):
        """The cable comes out: the port vanishes (the firmware runs on, its watchdog stops the motors)."""
        with self._lock:
            self.port.unplug()

    def plug(self):
        with self._lock:
            self.port.plug()

    def _run(self):
        try:
            ra_main.run(self)
        except BoardStopped:
            pass
        except BaseException as exc:  # noqa: BLE001 - kept for the tests to see
            self.error = exc

    # --- the board contract of ra_main ----------------------------------------------------------
    def ticks_ms(self) -> int:
        return self.clock_ms

    def read(self, readings):
        sim, caps = self.simulation, self.capabilities
        readings.encoder_left, readings.encoder_right = sim.read_encoders()
        if caps & proto.CAP_LINE:
            values = sim.read_line()
            readings.line[:] = (values + [0] * 5)[:5]
        if caps & proto.CAP_ULTRASONIC:
            readings.distance = sim.read_distance()
        if caps & proto.CAP_GYRO:
            readings.heading = int(round(sim.read_heading() * 100))
        if caps & proto.CAP_BUMPER:
            readings.bumper = sim.read_bumper()
        if caps & proto.CAP_GATE:
            events = sim._events
            crossed = next((t for t, name, _ in reversed(events) if name == "checkpoint"), None)
            readings.gate = crossed is not None and sim.t_ms - crossed < GATE_PULSE_MS
        if caps & proto.CAP_COLOUR and self.clock_ms - self._colour_at >= COLOUR_PERIOD_MS:
            self._colour_at = self.clock_ms
            colour = sim.read_colour()
            readings.colour = proto.COLOURS.index(colour) if colour in proto.COLOURS else 0

    def apply(self, outputs):
        sim = self.simulation
        if sim.spec.kind == "kit":
            applied = (outputs.duty_left, outputs.duty_right)
            command = (outputs.duty_left * self.max_speed, outputs.duty_right * self.max_speed)
        else:
            applied = (outputs.throttle, outputs.steering / 100.0)
            command = (outputs.throttle * self.max_speed, outputs.steering / 100.0)
        if applied != self._applied:
            self._applied = applied
            self.outputs.append((self.clock_ms, applied[0], applied[1]))
            sim.command(*command)
        if tuple(outputs.led) != self._led:
            self._led = tuple(outputs.led)
            sim.set_led(self._led)
        if outputs.beep_hz:
            sim.beep(outputs.beep_hz, outputs.beep_ms)

    def serial_read(self):
        with self._lock:
            data = self.port.read()
        if not data or self.cut:
            return None
        if self.faults_in is not None:
            data = self.faults_in.apply(data)
        for byte in data:                     # what the firmware will decode, exactly as it will
            frame = self._rx.feed_byte(byte)
            if frame is not None:
                kind, seq, payload = frame[1], frame[2], bytes(frame[3])
                self.received.append((self.clock_ms, kind, seq, payload))
                self._pending[seq] = (kind, payload)
        return data

    def serial_write(self, buffer):
        data = bytes(buffer)
        for byte in data:                     # what the firmware sent, before any damage
            frame = self._tx.feed_byte(byte)
            if frame is not None and frame[1] == proto.ACK:
                seq, code = frame[3][0], frame[3][1]
                kind, payload = self._pending.pop(seq, (None, b""))
                if kind is not None:
                    self.commands.append((self.clock_ms, kind, payload, code))
                    if kind == proto.ARM and code == proto.OK and self.sim_start_ms is None:
                        self.sim_start_ms = self.clock_ms     # the run starts when the program arms the robot
        if self.cut:
            return
        if self.faults_out is not None:
            data = self.faults_out.apply(data)
        with self._lock:
            self.port.write(data)

    def idle(self, ms: int):
        self.clock_ms += ms
        sim = self.simulation
        if self.sim_start_ms is not None and sim.over is None:
            try:
                sim.tick(ms)
            except RunOver:
                pass
        if self._stop.is_set():
            raise BoardStopped()
        # Pace the board clock against the wall clock; a board that falls far behind
        # (a busy computer) does not rush to catch up: its clock just ran slower.
        ahead = self._wall0 + self.clock_ms / 1000.0 / self.speed - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
        elif ahead < -MAX_LAG_BOARD_MS / 1000.0 / self.speed:
            self._wall0 -= ahead + MAX_LAG_BOARD_MS / 1000.0 / self.speed

    def feed_watchdog(self):
        """The board's hardware watchdog: nothing to feed in a simulation."""


def open_core_link(url: str, simulation=None, kind: str | None = None):
    """A serial link to a core board simulating ``sim://WORLD?board=core&...`` (or the
    ``simulation`` the runner offered): what ``Robot("sim://...?board=core")`` talks to."""
    from roboarena.host.serial_link import SerialLink
    from roboarena.sims.link import parse_sim_url, simulation_from_url

    _, options = parse_sim_url(url)
    simulation = simulation or simulation_from_url(url)
    board = CoreBoard(simulation, speed=float(options.get("speed", 1)), transport=options.get("transport", "auto"))
    board.start()
    try:
        link = SerialLink.open(board.url, kind, run_over=lambda: simulation.over, on_close=board.stop)
    except BaseException:
        board.stop()
        raise
    link.spec = simulation.spec         # the simulated robot's own figures, not the built-in kit's
    link.core_board = board
    link.source = "virtual-board"
    return link
