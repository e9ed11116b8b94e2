"""The link to a robot kit running the roboarena firmware, over any pyserial URL: a USB
serial port (``/dev/ttyUSB0``, ``COM4``), ``socket://`` (Wi-Fi kits, the simulated core
board), ``rfc2217://``, ``loop://``.

It speaks the same methods as the simulator's link (:class:`roboarena.sims.link.SimLink`),
so ``Robot()`` drives a real kit unchanged. The wire protocol is ``firmware/ra_proto.py``:
COBS frames with a CRC-16, a HELLO handshake that checks the protocol's major version,
ARM, heartbeats (the firmware stops the motors 250 ms after the last frame and stays
stopped until armed again), acknowledged commands and a telemetry stream.

One background thread owns the reading: it decodes frames, keeps the latest telemetry,
hands each acknowledgement to the command waiting for it, sends a heartbeat every 100 ms,
and when the kit goes away (cable out, radio gone) tries to get it back for 30 s, telling
the student once that it is gone and once that it is back.

Reads (line, distance, heading, encoders, colour, bumper) return the latest telemetry and
cost no round trip; commands wait for their acknowledgement. ``wait(ms)`` waits by the
board's clock, as seen through the telemetry's timestamps, so a simulated board running
faster or slower than real time keeps the student's program consistent.
"""

from __future__ import annotations

import atexit
import errno
import struct
import sys
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass

from roboarena import firmware
from roboarena.errors import BadArgument, ConnectError, RunOver
from roboarena.messages import Msg, render

proto = firmware.load("ra_proto")

BAUDRATE = 115200                # the kits' USB serial speed (kit-facts.md)
HOST_PROTOCOL = (proto.PROTOCOL_MAJOR, proto.PROTOCOL_MINOR, proto.PROTOCOL_PATCH)
TELEMETRY_MS = 20                # the telemetry period the host asks for, board ms
HEARTBEAT_S = 0.100              # a frame at least this often (wall clock) ...
HEARTBEAT_BOARD_MS = 100         # ... and this often by the board's clock (a fast simulated board)
HELLO_TIMEOUT_S = 0.4            # per HELLO; a board that is booting gets several
HELLO_TRIES = 4
ACK_TIMEOUT_S = 0.1              # per try of a setup command (HELLO, ARM, TELEMETRY_RATE)
ACK_TIMEOUT_MIN_S, ACK_TIMEOUT_MAX_S = 0.05, 0.25   # per try of a command: 4 x the measured round trip, within these
COMMAND_TRIES = 5
FIRST_TELEMETRY_S = 1.0
READ_POLL_S = 0.005              # the reader thread's read timeout: how fast it notices anything
WRITE_TIMEOUT_S = 1.0
SILENCE_S = 0.3                  # no frame for this long (and 10 telemetry periods): the link is interrupted
RECONNECT_EVERY_S = 0.5
RECONNECT_FOR_S = 30.0
STALE_CLOCK_S = 0.3              # telemetry older than this: wait() falls back to the wall clock
CLOCK_WINDOW = 64                # telemetry timestamps the board clock is estimated from

ERROR_NAMES = {proto.E_UNKNOWN_TYPE: "unknown_type", proto.E_BAD_LENGTH: "bad_length",
               proto.E_NOT_ARMED: "not_armed", proto.E_OUT_OF_RANGE: "out_of_range",
               proto.E_VERSION: "version", proto.E_NOT_SUPPORTED: "not_supported"}


@dataclass(frozen=True)
class Telemetry:
    """One telemetry frame, in the board's own counts (before the host's offsets)."""
    t_ms: int
    encoder_left: int
    encoder_right: int
    line: tuple[int, int, int, int, int]
    distance_mm: int
    heading_cdeg: int
    flags: int
    colour: int
    wall_s: float                # when it arrived (time.monotonic)

    @classmethod
    def parse(cls, payload: bytes, wall_s: float) -> "Telemetry":
        v = struct.unpack(proto.TELEMETRY_FORMAT, payload)
        return cls(v[0], v[1], v[2], v[3:8], v[8], v[9], v[10], v[11], wall_s)


@dataclass(frozen=True)
class BoardInfo:
    """What the board said in its HELLO_REPLY."""
    firmware_version: str
    protocol_version: str
    protocol_major: int
    capabilities: int
    board_id: str

    @classmethod
    def parse(cls, payload: bytes) -> "BoardInfo":
        fw = struct.unpack_from("<BBB", payload, 0)
        pr = struct.unpack_from("<BBB", payload, 3)
        caps = struct.unpack_from("<I", payload, 6)[0]
        board = bytes(payload[10:]).decode("utf-8", "replace")
        return cls(".".join(map(str, fw)), ".".join(map(str, pr)), pr[0], caps, board)

    @property
    def kind(self) -> str:
        return "car" if self.capabilities & proto.CAP_STEERING else "kit"

    def as_dict(self) -> dict:
        return {"firmware_version": self.firmware_version, "protocol_version": self.protocol_version,
                "capabilities": self.capabilities, "board_id": self.board_id, "kind": self.kind}


class BoardClock:
    """The board's clock seen through telemetry timestamps: its rate against the wall
    clock and the offset of the least delayed frame, so the present board time can be
    told between frames (a frame is up to one period old when it arrives)."""

    def __init__(self):
        self._points: deque[tuple[int, float]] = deque(maxlen=CLOCK_WINDOW)
        self.rate = 1.0              # board ms per wall ms
        self._anchor = 0.0

    def add(self, board_ms: int, wall_s: float):
        points = self._points
        if points and board_ms < points[-1][0]:
            points.clear()           # the board restarted: its clock began again
        points.append((board_ms, wall_s))
        first, last = points[0], points[-1]
        if last[1] - first[1] > 0.02 and last[0] > first[0]:
            self.rate = (last[0] - first[0]) / ((last[1] - first[1]) * 1000.0)
        rate = self.rate
        self._anchor = max(b - rate * w * 1000.0 for b, w in points)

    def fresh(self, wall_s: float) -> bool:
        return bool(self._points) and wall_s - self._points[-1][1] < STALE_CLOCK_S

    def now_ms(self, wall_s: float) -> float | None:
        """The board's time now, or None before the first telemetry."""
        if not self._points:
            return None
        return max(self.rate * wall_s * 1000.0 + self._anchor, float(self._points[-1][0]))

    def reset(self):
        self._points.clear()


class SerialLink:
    """One kit over one port. ``SerialLink.open(url, kind)`` opens it, shakes hands, arms
    it and starts the telemetry; the robot classes call its methods."""

    def __init__(self, url: str, kind: str | None = None, telemetry_ms: int = TELEMETRY_MS,
                 run_over=None, notify=None, on_close=None):
        self.url = url
        self.source = "hardware"     # for the run trace; a simulated board says "virtual-board"
        self.core_board = None       # the simulated board behind a sim://...?board=core link
        self.on_close = on_close
        self.kind = kind
        self.telemetry_ms = telemetry_ms
        self.run_over = run_over     # callable -> reason the run is over, or None (a simulated board's run)
        self.notify = notify or _print_notice
        self.board: BoardInfo | None = None
        self.spec = None
        self.serial_number = ""      # of the USB chip, to find the kit again under another port name
        self.port = None
        self.decoder = proto.Decoder()
        self.clock = BoardClock()
        self.telemetry: Telemetry | None = None
        self.listeners: list = []    # callables(link, telemetry) run in the reader thread (trace recording)
        self.events: list[tuple[float, str, dict]] = []   # (run time ms, name, fields): link events for the trace
        self.last_command: tuple[float, float] = (0.0, 0.0)
        self.history: deque = deque(maxlen=4096)          # (kind, seq, payload, ack code or None) sent
        self.stats = {"sent": 0, "received": 0, "retries": 0, "reconnects": 0, "rearms": 0}
        self.moves_done: set[int] = set()
        self._seq = 0
        self._write_lock = threading.Lock()
        self._state = threading.Condition()      # guards acks, telemetry, connection state
        self._acks: dict[int, int] = {}
        self._hello: bytes | None = None
        self._connected = False
        self._interrupted_at: float | None = None  # wall time the link went away
        self._announced = False
        self._gave_up = False
        self._closing = False
        self._closed = False
        self._rearm_wanted = False
        self.offsets = [0, 0, 0, 0]              # time, encoder left, encoder right, heading: run = board + offset
        self._started = False
        self._last_host: tuple | None = None      # the last host-side values (for a board that restarts)
        self._last_rx = 0.0
        self._last_tx = 0.0
        self._last_tx_board = 0.0
        self._last_hello_try = 0.0
        self._time_ms = 0.0
        self._round_trip_s = 0.025               # smoothed command round trip, as TCP measures it
        self._stray = bytearray()                # bytes that were not frames, while shaking hands
        self._thread: threading.Thread | None = None

    # --- opening ----------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, kind: str | None = None, **options) -> "SerialLink":
        link = cls(url, kind, **options)
        from roboarena.host import ports

        kit = ports.kit_at(url) if "://" not in url else None
        link.serial_number = kit.serial_number if kit else ""
        link.port = _open_port(url)
        try:
            link._handshake(first=True)
        except BaseException:
            link.port.close()
            raise
        link._thread = threading.Thread(target=link._run, name="roboarena-serial", daemon=True)
        link._thread.start()
        _open_links.add(link)
        return link

    def _handshake(self, first: bool = False, hello_tries: int = HELLO_TRIES):
        """HELLO (check the version), ARM, TELEMETRY_RATE, first telemetry. Runs in the
        thread that reads the port at the time (the caller's at open, the reader's after)."""
        port = self.port
        if first:
            port.reset_input_buffer()            # a board's boot messages, old telemetry
        self._stray.clear()
        errors = self.decoder.errors
        reply = self._exchange(proto.HELLO, bytes(HOST_PROTOCOL), HELLO_TIMEOUT_S, hello_tries, hello=True)
        if reply is None:
            shown = _printable(bytes(self._stray))
            if shown or self.decoder.errors > errors:
                raise ConnectError("serial.not_roboarena", url=self.url, output=shown or "…")
            raise ConnectError("serial.no_answer", url=self.url)
        if len(reply) < 10:
            raise ConnectError("serial.not_roboarena", url=self.url, output=reply.hex())
        board = BoardInfo.parse(reply)
        if board.protocol_major != proto.PROTOCOL_MAJOR:
            key = "serial.version_newer" if board.protocol_major > proto.PROTOCOL_MAJOR else "serial.version_older"
            raise ConnectError(key, url=self.url, board_version=board.protocol_version,
                               host_version=".".join(map(str, HOST_PROTOCOL)), firmware=board.firmware_version)
        if first:
            self._check_kind(board)
        self.board = board
        for kind, payload in ((proto.ARM, b""), (proto.TELEMETRY_RATE, struct.pack("<H", self.telemetry_ms))):
            code = self._exchange(kind, payload, ACK_TIMEOUT_S * 2, COMMAND_TRIES)
            if code is None:
                raise ConnectError("serial.no_ack", url=self.url, what=_KIND_NAMES[kind], tries=COMMAND_TRIES)
            if code != proto.OK:
                raise ConnectError("serial.refused_setup", url=self.url, what=_KIND_NAMES[kind],
                                   reason=Msg(f"serial.code.{ERROR_NAMES.get(code, 'unknown_type')}"))
        if self.telemetry_ms:
            deadline = time.monotonic() + FIRST_TELEMETRY_S
            seen = self.telemetry
            while self.telemetry is seen and time.monotonic() < deadline:
                self._read_once()
            if self.telemetry is seen:
                raise ConnectError("serial.no_telemetry", url=self.url)
        with self._state:
            self._connected = True
            self._rearm_wanted = False
            self._state.notify_all()

    def _check_kind(self, board: BoardInfo):
        from roboarena.sims.spec import load_spec

        if self.kind and board.kind != self.kind:
            raise ConnectError("serial.wrong_kind", url=self.url, board_kind=Msg(f"kind.{board.kind}"),
                               asked_kind=Msg(f"kind.{self.kind}"),
                               suggestion="Car" if board.kind == "car" else "Robot")
        # The board tells what it has, not its measurements: the built-in spec of its kind
        # gives the figures Robot() checks commands against.
        self.spec = load_spec(board.kind)

    def _exchange(self, kind: int, payload: bytes, timeout_s: float, tries: int, hello: bool = False):
        """Send and read until the answer comes (HELLO_REPLY payload, or the ACK's code);
        None after ``tries`` timeouts. Frames read meanwhile are handled as usual."""
        seq = None
        for _ in range(tries):
            with self._state:
                self._hello = None
            seq = self._send(kind, payload, seq)
            deadline = time.monotonic() + timeout_s + 0.05 / max(self.clock.rate, 0.05)
            while time.monotonic() < deadline and not self._closing:
                self._read_once(collect_stray=hello)
                with self._state:
                    if hello and self._hello is not None:
                        return self._hello
                    if not hello and seq in self._acks:
                        return self._acks.pop(seq)
            self.stats["retries"] += 1
        return None

    # --- the reader thread -----------------------------------------------------------------------
    def _read_once(self, collect_stray: bool = False) -> bool:
        """Read what the port has (waiting up to READ_POLL_S) and handle its frames.
        False when the port has gone."""
        port = self.port
        if port is None:
            raise _PortGone("closed")
        try:
            data = _read_available(port)
        except Exception as exc:  # noqa: BLE001 - pyserial raises SerialException, OSError, TypeError (closed fd) ...
            if self._closing:
                return False
            raise _PortGone(exc) from None
        if data:
            now = time.monotonic()
            feed = self.decoder.feed_byte
            for byte in data:
                frame = feed(byte)
                if frame is not None:
                    self._on_frame(frame[1], frame[2], bytes(frame[3]), now)
            if collect_stray and len(self._stray) < 400:
                self._stray += data          # shown when no HELLO_REPLY comes: what the board says instead
        return True

    def _on_frame(self, kind: int, seq: int, payload: bytes, now: float):
        if kind < 0x80:
            return                               # our own frames echoed back (a REPL, a loopback)
        self._last_rx = now
        self.stats["received"] += 1
        if kind == proto.TELEMETRY and len(payload) == struct.calcsize(proto.TELEMETRY_FORMAT):
            self._on_telemetry(Telemetry.parse(payload, now))
        elif kind == proto.ACK and len(payload) == 2:
            with self._state:
                self._acks[payload[0]] = payload[1]
                self._state.notify_all()
        elif kind == proto.HELLO_REPLY:
            with self._state:
                self._hello = payload
                self._state.notify_all()
        elif kind == proto.MOVE_DONE and len(payload) == 1:
            self.moves_done.add(payload[0])
        elif kind == proto.GATE and len(payload) == 5:
            board_ms, sensor = struct.unpack("<IB", payload)
            self.events.append((board_ms + self.offsets[0], "gate", {"sensor": sensor}))

    def _on_telemetry(self, t: Telemetry):
        offsets = self.offsets
        if not self._started:
            # The run starts now: time, encoders and heading count from here.
            self._started = True
            offsets[:] = [-t.t_ms, -t.encoder_left, -t.encoder_right, -t.heading_cdeg]
        elif self.telemetry is not None and t.t_ms < self.telemetry.t_ms and self._last_host is not None:
            # The board restarted (its clock began again): carry on from the last values.
            last_t, last_left, last_right, last_heading = self._last_host
            offsets[:] = [last_t - t.t_ms, last_left - t.encoder_left, last_right - t.encoder_right,
                          last_heading - t.heading_cdeg]
        self.clock.add(t.t_ms, t.wall_s)
        self._last_host = (t.t_ms + offsets[0], t.encoder_left + offsets[1], t.encoder_right + offsets[2],
                           t.heading_cdeg + offsets[3])
        with self._state:
            self.telemetry = t
            if self._connected and not t.flags & proto.FLAG_ARMED:
                self._rearm_wanted = True        # the watchdog stopped the motors: the link was cut
            self._state.notify_all()
        for listener in self.listeners:
            listener(self, t)

    def _run(self):
        while not self._closing:
            try:
                if self.port is None:
                    self._reopen()
                    continue
                self._read_once()
                self._keep_alive(time.monotonic())
            except _PortGone:
                self._port_gone()
            except ConnectError:
                # A board that answered but then refused: keep trying until the window closes.
                self._close_port()
            except Exception as exc:  # noqa: BLE001 - the reader must not die silently
                self._give_up(str(exc))
                return

    def _keep_alive(self, now: float):
        if self._rearm_wanted and self._connected:
            self.stats["rearms"] += 1
            self._interrupted(now)
            self._handshake()
            self._restored()
            return
        period_s = self.telemetry_ms / 1000.0 / max(self.clock.rate, 0.05)
        silent = now - self._last_rx > max(SILENCE_S, 10 * period_s) if self.telemetry_ms else False
        if self._connected and silent:
            self._interrupted(now)
        if not self._connected:
            if self._interrupted_at is None:
                self._interrupted_at = now
            if now - self._interrupted_at > RECONNECT_FOR_S:
                self._give_up("")
                return
            if now - self._last_hello_try >= RECONNECT_EVERY_S:
                self._last_hello_try = now
                try:
                    self._handshake(hello_tries=1)
                except ConnectError:
                    return
                self._restored()
            return
        board_now = self.clock.now_ms(now) or 0.0
        if now - self._last_tx >= HEARTBEAT_S or board_now - self._last_tx_board >= HEARTBEAT_BOARD_MS:
            self._send(proto.HEARTBEAT, b"")

    def _interrupted(self, now: float):
        with self._state:
            self._connected = False
            if self._interrupted_at is None:
                self._interrupted_at = now
            self._state.notify_all()
        if not self._announced:
            self._announced = True
            self.notify(render("serial.disconnected", url=self.url, seconds=f"{RECONNECT_FOR_S:g}"))
            self.events.append((self._time_ms, "link-lost", {}))

    def _restored(self):
        self.stats["reconnects"] += 1
        self._interrupted_at = None
        self._last_rx = time.monotonic()
        if self._announced:
            self._announced = False
            self.notify(render("serial.back", url=self.url))
            self.events.append((self._time_ms, "link-back", {}))

    def _port_gone(self):
        self._close_port()
        self._interrupted(time.monotonic())

    def _close_port(self):
        port, self.port = self.port, None
        with self._state:
            self._connected = False
        if port is not None:
            try:
                port.close()
            except Exception:  # noqa: BLE001 - it is gone already
                pass

    def _reopen(self):
        """Try to open the port again (or wherever the kit's USB serial number is now)."""
        now = time.monotonic()
        if self._interrupted_at is None:
            self._interrupted_at = now
        if now - self._interrupted_at > RECONNECT_FOR_S:
            self._give_up("")
            return
        wait = RECONNECT_EVERY_S - (now - self._last_hello_try)
        if wait > 0:
            time.sleep(min(wait, 0.05))
            return
        self._last_hello_try = now
        url = self.url
        if self.serial_number:
            from roboarena.host import ports

            url = ports.port_of_serial_number(self.serial_number) or url
        try:
            self.port = _open_port(url)
        except ConnectError:
            return
        self.decoder = proto.Decoder()
        try:
            self._handshake(first=True, hello_tries=2)
        except (ConnectError, _PortGone):
            self._close_port()
            return
        self._restored()

    def _give_up(self, reason: str):
        with self._state:
            self._gave_up = True
            self._connected = False
            self._state.notify_all()
        self._close_port()
        if not self._closing:
            self.notify(render("serial.lost", url=self.url, seconds=f"{RECONNECT_FOR_S:g}"))
            self.events.append((self._time_ms, "link-gone", {"reason": reason} if reason else {}))

    # --- sending ---------------------------------------------------------------------------------
    def _send(self, kind: int, payload: bytes, seq: int | None = None) -> int:
        """Write one frame; a new seq unless this resends one (a resent command keeps its seq)."""
        with self._write_lock:
            if seq is None:
                seq = self._seq
                self._seq = (seq + 1) & 0xFF
                self._acks.pop(seq, None)    # a late ACK from 256 commands ago is not this one's
            port = self.port
            if port is None:
                return seq
            try:
                port.write(proto.build(kind, seq, payload))
            except Exception as exc:  # noqa: BLE001 - a port that went away mid-write
                if threading.current_thread() is self._thread:
                    raise _PortGone(exc) from None
                return seq               # the reader thread finds out and reconnects
            self.stats["sent"] += 1
            now = time.monotonic()
            self._last_tx = now
            self._last_tx_board = self.clock.now_ms(now) or 0.0
            return seq

    def _request(self, kind: int, payload: bytes, what: str):
        """Send a command and wait for its ACK: retried when the ACK does not come, waited
        out while the kit is disconnected, re-armed after the watchdog stopped it."""
        deadline = time.monotonic() + RECONNECT_FOR_S + 5
        tries = 0
        seq = None
        while True:
            self._check()
            self._wait_connected(deadline)
            seq = self._send(kind, payload, seq)
            code = self._wait_ack(seq)
            self.history.append((kind, seq, payload, code))
            if code == proto.OK:
                return seq
            if code in (proto.E_NOT_ARMED, proto.E_VERSION):
                # The watchdog stopped the motors, or the board restarted: the reader
                # thread shakes hands and arms it again; then the command goes again.
                with self._state:
                    self._rearm_wanted = True
                self._wait_rearmed(deadline)
                continue
            if code is not None:
                name = ERROR_NAMES.get(code, "unknown_type")
                if code == proto.E_OUT_OF_RANGE:
                    raise BadArgument("serial.refused", what=what, reason=Msg(f"serial.code.{name}"))
                raise ConnectError("serial.refused_setup", url=self.url, what=what, reason=Msg(f"serial.code.{name}"))
            tries += 1
            self.stats["retries"] += 1
            if tries >= COMMAND_TRIES and self._connected:
                raise ConnectError("serial.no_ack", url=self.url, what=what, tries=tries)
            if time.monotonic() > deadline:
                raise ConnectError("serial.lost", url=self.url, seconds=f"{RECONNECT_FOR_S:g}")

    def _wait_ack(self, seq: int) -> int | None:
        """The ACK's code, or None when it did not come within 50 ms (protocol.md), or 4
        round trips on a slower link (measured: a few ms on a USB cable, tens on
        Bluetooth). A command sent again is harmless: each sets a state (speeds, LED)."""
        sent = time.monotonic()
        deadline = sent + min(ACK_TIMEOUT_MAX_S, max(ACK_TIMEOUT_MIN_S, 4 * self._round_trip_s))
        with self._state:
            while seq not in self._acks:
                left = deadline - time.monotonic()
                if left <= 0 or self._gave_up:
                    return None
                self._state.wait(left)
            self._round_trip_s += (time.monotonic() - sent - self._round_trip_s) * 0.125
            return self._acks.pop(seq)

    def _wait_connected(self, deadline: float):
        with self._state:
            while not self._connected and not self._gave_up and not self._closed:
                if time.monotonic() > deadline:
                    break
                self._state.wait(0.05)
        if self._gave_up or self._closed:
            raise ConnectError("serial.lost", url=self.url, seconds=f"{RECONNECT_FOR_S:g}")

    def _wait_rearmed(self, deadline: float):
        with self._state:
            while self._rearm_wanted and not self._gave_up and time.monotonic() < deadline:
                self._state.wait(0.05)

    def _check(self):
        """Raise RunOver once a simulated board's run is over (as the simulator's link does)."""
        if self.run_over is not None:
            reason = self.run_over()
            if reason is not None:
                raise RunOver(reason)

    # --- the link methods the robot classes call -------------------------------------------------------
    @property
    def lost(self) -> bool:
        """True once the kit did not come back within the reconnection window."""
        return self._gave_up

    def in_run(self, telemetry: Telemetry) -> tuple[int, int, int, float]:
        """(time ms, encoder left, encoder right, heading deg) of a frame, counted from the
        start of the run (and carried on over a board restart), as the program reads them."""
        o = self.offsets
        return (telemetry.t_ms + o[0], telemetry.encoder_left + o[1], telemetry.encoder_right + o[2],
                (telemetry.heading_cdeg + o[3]) / 100.0)

    @property
    def running(self) -> bool:
        if self._closed or self._gave_up:
            return False
        return self.run_over is None or self.run_over() is None

    def board_now_ms(self) -> float:
        """The board's clock now, in the run's time (ms since the program connected)."""
        now = time.monotonic()
        with self._state:
            board = self.clock.now_ms(now)
            if board is not None and self.clock.fresh(now):
                self._time_ms = max(self._time_ms, board + self.offsets[0])
        return self._time_ms

    @property
    def time_ms(self) -> float:
        return self.board_now_ms()

    def wait(self, ms: float):
        """Let ``ms`` pass by the board's clock while telemetry flows, else by the wall clock."""
        self._check()
        target = self.board_now_ms() + ms
        wall_end = time.monotonic() + ms / 1000.0
        with self._state:
            while not self._closed:
                now = time.monotonic()
                board = self.clock.now_ms(now)
                if board is not None and self.clock.fresh(now):
                    board += self.offsets[0]
                    if board >= target:
                        break
                    left_s = (target - board) / 1000.0 / max(self.clock.rate, 0.01)
                    wall_end = now + left_s     # if the telemetry stops, finish by the wall clock
                else:
                    left_s = wall_end - now
                    if left_s <= 0:
                        break
                self._state.wait(min(left_s, 0.02))
        self._time_ms = max(self._time_ms, target)
        self._check()

    def command(self, a: float, b: float):
        """Kit: left and right wheel speeds in mm/s. Car: speed in mm/s and steering in deg."""
        if self.board is not None and self.board.kind == "car":
            payload = struct.pack("<hh", _int16(a), _int16(b * 100))
            self._request(proto.CAR, payload, "drive")
        else:
            self._request(proto.DRIVE, struct.pack("<hh", _int16(a), _int16(b)), "drive")
        self.last_command = (float(a), float(b))

    def move(self, straight: bool, amount: float, speed: float, counts_per_mm: float, timeout_ms: float = 60000):
        """A straight (``amount`` mm at ``speed`` mm/s) or a turn (deg at deg/s) run by the
        firmware on the board, closed-loop on its encoders and gyro; returns when its
        MOVE_DONE comes (or after ``timeout_ms`` of board time). When the watchdog stops the
        kit mid-move (a cable blip), the move is cancelled on the board: once the link is
        re-armed, what is left of it is sent again, so the robot still ends where it was told."""
        kind = proto.STRAIGHT if straight else proto.TURN
        what = "straight" if straight else "turn"
        start = self._move_progress(counts_per_mm)
        handshakes = self.stats["reconnects"]       # a re-arm or a reconnect: a new handshake either way
        seq = self._request(kind, self._move_payload(straight, amount, speed), what)
        end = self.board_now_ms() + timeout_ms
        while seq not in self.moves_done and self.board_now_ms() < end:
            if self.stats["reconnects"] != handshakes and self._connected and not self._rearm_wanted:
                handshakes = self.stats["reconnects"]
                done = self._move_progress(counts_per_mm)
                left = amount - ((done[0] - start[0]) if straight else (done[1] - start[1]))
                if left * amount <= 0 or abs(left) < (2 if straight else 1):
                    break                           # it got there (or past) before the cut
                self.moves_done.discard(seq)
                seq = self._request(kind, self._move_payload(straight, left, speed), what)
            self.wait(5)
        self.moves_done.discard(seq)
        self.last_command = (0.0, 0.0)

    @staticmethod
    def _move_payload(straight: bool, amount: float, speed: float) -> bytes:
        goal = round(amount) if straight else round(amount * 100)
        return struct.pack("<ih", goal, max(1, round(abs(speed))))

    def _move_progress(self, counts_per_mm: float) -> tuple[float, float]:
        """(mm travelled by the middle of the axle, heading in deg) by the latest telemetry."""
        t = self._latest()
        middle = (t.encoder_left + self.offsets[1] + t.encoder_right + self.offsets[2]) / 2
        return middle / counts_per_mm, (t.heading_cdeg + self.offsets[3]) / 100.0

    def set_led(self, rgb: tuple[int, int, int]):
        self._need(proto.CAP_LED, "led")
        self._request(proto.SET_LED, bytes(rgb), "led")
        self.events.append((self.board_now_ms(), "led", {"rgb": list(rgb)}))

    def beep(self, frequency_hz: float, duration_ms: float):
        self._need(proto.CAP_BUZZER, "buzzer")
        self._request(proto.BEEP, struct.pack("<HH", min(65535, round(frequency_hz)), min(65535, round(duration_ms))),
                      "beep")
        self.events.append((self.board_now_ms(), "beep", {"frequency_hz": frequency_hz, "duration_ms": duration_ms}))

    def _latest(self) -> Telemetry:
        self._check()
        with self._state:
            if self.telemetry is None:
                raise ConnectError("serial.no_telemetry", url=self.url)
            return self.telemetry

    def _need(self, capability: int, part: str):
        if self.board is not None and not self.board.capabilities & capability:
            raise BadArgument("arg.not_on_this_robot", kind=Msg(f"kind.{self.board.kind}"),
                              part=Msg(f"serial.part.{part}"), hint=Msg("serial.part_hint"))

    def read_line(self) -> list[int]:
        self._need(proto.CAP_LINE, "line")
        return list(self._latest().line)

    def read_distance(self) -> float:
        self._need(proto.CAP_ULTRASONIC, "ultrasonic")
        return float(self._latest().distance_mm)

    def read_heading(self) -> float:
        self._need(proto.CAP_GYRO, "gyro")
        return (self._latest().heading_cdeg + self.offsets[3]) / 100.0

    def read_encoders(self) -> tuple[int, int]:
        self._need(proto.CAP_ENCODERS, "encoders")
        t = self._latest()
        return t.encoder_left + self.offsets[1], t.encoder_right + self.offsets[2]

    def read_colour(self) -> str:
        self._need(proto.CAP_COLOUR, "colour")
        index = self._latest().colour
        return proto.COLOURS[index] if index < len(proto.COLOURS) else "none"

    def read_bumper(self) -> bool:
        self._need(proto.CAP_BUMPER, "bumper")
        return bool(self._latest().flags & proto.FLAG_BUMPER)

    def camera_frame(self):
        raise BadArgument("arg.not_on_this_robot", kind=Msg(f"kind.{self.board.kind if self.board else 'car'}"),
                          part=Msg("serial.part.camera"), hint=Msg("serial.camera_hint"))

    def close(self):
        """Stop the motors, stop the telemetry, close the port."""
        if self._closed:
            return
        try:
            if self._connected and not self._gave_up and self.port is not None:
                self._wait_ack(self._send(proto.STOP, b""))     # one try: the watchdog stops them anyway
                self._send(proto.TELEMETRY_RATE, struct.pack("<H", 0))
        finally:
            self._closed = True
            self._closing = True
            with self._state:
                self._state.notify_all()
            if self._thread is not None and self._thread is not threading.current_thread():
                self._thread.join(1.0)
            self._close_port()
            _open_links.discard(self)
            if self.on_close is not None:
                self.on_close()


class _PortGone(Exception):
    """The port stopped working (cable out, device gone): the reader reconnects."""


_KIND_NAMES = {proto.ARM: "arm", proto.TELEMETRY_RATE: "telemetry", proto.HELLO: "hello"}
_open_links: "weakref.WeakSet[SerialLink]" = weakref.WeakSet()


@atexit.register
def _close_all():
    """A program that ends without close(): stop its motors now, not 250 ms later."""
    for link in list(_open_links):
        try:
            link.close()
        except Exception:  # noqa: BLE001 - exiting anyway
            pass


def _open_port(url: str):
    """Open ``url`` with pyserial; ConnectError saying what to do when it cannot be."""
    import serial

    try:
        # exclusive: two programs driving one kit would fight over it; the second is told.
        port = serial.serial_for_url(url, baudrate=BAUDRATE, timeout=0, do_not_open=True, exclusive=True)
    except (ValueError, serial.SerialException) as exc:
        raise ConnectError("serial.bad_url", url=url, reason=str(exc)) from None
    # ESP32 dev boards wire DTR and RTS to EN (reset) and GPIO0 (boot mode) through two
    # transistors: asserting one without the other resets the chip or holds it in the ROM
    # bootloader. pyserial applies these settings when it opens the port, so set both
    # false before open(): the board keeps running the firmware it has.
    port.dtr = False
    port.rts = False
    try:
        port.open()
    except (serial.SerialException, OSError) as exc:
        raise _open_error(url, exc) from None
    port.timeout = READ_POLL_S       # the reader thread polls: it also sends heartbeats
    port.write_timeout = WRITE_TIMEOUT_S
    return port


def _open_error(url: str, exc: Exception) -> ConnectError:
    from roboarena.host import ports

    text = str(exc)
    number = getattr(exc, "errno", None)
    lowered = text.lower()
    if number == errno.ENOENT or "filenotfounderror" in lowered or "no such file" in lowered \
            or "cannot find the file" in lowered:
        kits = ports.find_kits()
        found = ports.describe(kits) if kits else render("ports.none_short")
        return ConnectError("serial.no_port", url=url, found=found)
    if number in (errno.EACCES, errno.EBUSY, errno.EAGAIN) or "permission" in lowered \
            or "access is denied" in lowered or "busy" in lowered or "exclusively lock" in lowered:
        return ConnectError("serial.busy", url=url, reason=text)
    return ConnectError("serial.cannot_open", url=url, reason=text)


def _read_available(port) -> bytes:
    """What the port has: waits up to its timeout for the first byte, then takes the rest
    without waiting. pyserial's socket:// handler only says whether there is something
    (its in_waiting is 0 or 1), so its non-blocking socket is drained directly."""
    data = port.read(1)
    if not data:
        return data
    if _is_socket(port):
        try:
            more = port._socket.recv(4096)
        except (BlockingIOError, InterruptedError):
            return data
        if not more:
            raise ConnectionError("socket disconnected")
        return data + more
    waiting = port.in_waiting
    return data + port.read(waiting) if waiting else data


def _is_socket(port) -> bool:
    from serial.urlhandler import protocol_socket

    return isinstance(port, protocol_socket.Serial)


def _int16(value: float) -> int:
    return max(-32768, min(32767, int(round(value))))


def _printable(data: bytes) -> str:
    text = data.decode("utf-8", "replace")
    shown = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(shown.split())[:120]


def _print_notice(text: str):
    print(text, file=sys.stderr, flush=True)


def frame_cost_us(repeat: int = 2000) -> dict[str, float]:
    """Host cost of encoding and of decoding one frame, in µs (a DRIVE and a TELEMETRY)."""
    drive = struct.pack("<hh", 250, -250)
    telemetry = struct.pack(proto.TELEMETRY_FORMAT, 123456, 1000, -1000, 100, 200, 3000, 200, 100, 1234, -9000, 1, 2)
    result = {}
    for name, kind, payload in (("drive", proto.DRIVE, drive), ("telemetry", proto.TELEMETRY, telemetry)):
        start = time.perf_counter()
        for i in range(repeat):
            frame = proto.build(kind, i, payload)
        encode = (time.perf_counter() - start) / repeat * 1e6
        decoder = proto.Decoder()
        start = time.perf_counter()
        for _ in range(repeat):
            for byte in frame:
                decoder.feed_byte(byte)
        decode = (time.perf_counter() - start) / repeat * 1e6
        result[name] = {"encode_us": round(encode, 1), "decode_us": round(decode, 1), "bytes": len(frame)}
    return result


__all__ = ["SerialLink", "BoardInfo", "BoardClock", "Telemetry", "frame_cost_us"]
