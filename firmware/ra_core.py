# The firmware's core, without I/O: fed received bytes and sensor readings with the time,
# it answers with bytes to send and actuator settings. The same object runs on the board
# (ra_main.py wires it to machine.*), under CPython in the tests, and in the MicroPython
# VM of the virtual board. Buffers are allocated once; the control loop allocates little.
#
# Safety: the motors run only while armed. Arming needs a HELLO of the same protocol major
# version and an ARM; any valid frame from the host is a heartbeat; when none has come for
# WATCHDOG_MS the motors stop and stay stopped until the host sends ARM again.

import math
import struct

import ra_proto as proto

try:
    from micropython import const
except ImportError:
    def const(value):  # type: ignore[misc]  # CPython stand-in for micropython.const
        return value

FIRMWARE_VERSION = (1, 0, 0)
WATCHDOG_MS = const(250)         # no frame from the host for this long: stop the motors
TELEMETRY_SIZE = struct.calcsize(proto.TELEMETRY_FORMAT)
RESEND_WINDOW_MS = const(200)    # the same command and seq again within this: a resend, not a new command
SPEED_KP = 0.6                   # wheel speed loop: duty per (mm/s error / max speed)
SPEED_KI = 4.0                   # ... integral, per second
HEADING_KP = 4.0                 # straight moves: deg/s of correction per deg off
MIN_MOVE_SPEED = 60              # mm/s: slower than this the motors stall (deadband)
_DEG_PER_RAD = 57.29577951


class Readings:
    """Sensor values the main loop fills in before each tick (units as in the protocol)."""

    def __init__(self):
        self.encoder_left = 0        # counts
        self.encoder_right = 0
        self.line = [0, 0, 0, 0, 0]  # ADC counts, left to right
        self.distance = 0            # mm
        self.heading = 0             # centi-degrees, counter-clockwise
        self.bumper = False
        self.colour = 0              # index into ra_proto.COLOURS
        self.gate = False            # gate role: the beam is broken


class Outputs:
    """What the main loop applies after each tick."""

    def __init__(self):
        self.duty_left = 0.0         # -1 .. 1, motor power
        self.duty_right = 0.0
        self.steering = 0            # centi-degrees (car)
        self.throttle = 0.0          # -1 .. 1 (car)
        self.led = (0, 0, 0)
        self.beep_hz = 0             # a new beep to start (0: none)
        self.beep_ms = 0


class Core:
    def __init__(self, board_id, capabilities, max_speed, counts_per_mm, axle_track_mm, now_ms=0):
        self.board_id = board_id.encode() if isinstance(board_id, str) else board_id
        self.capabilities = capabilities
        self.max_speed = max_speed
        self.counts_per_mm = counts_per_mm
        self.axle_track = axle_track_mm
        self.decoder = proto.Decoder()
        self.out = Outputs()
        self.tx = bytearray(256)     # bytes to send, filled by tick/receive
        self.tx_len = 0
        self._raw = bytearray(proto.MAX_FRAME)
        self.host_ok = False         # a HELLO of our major version has been seen
        self.armed = False
        self.last_frame_ms = now_ms
        self.telemetry_ms = 0        # period; 0: off
        self.next_telemetry_ms = now_ms
        self.seq = 0
        self.target_left = 0.0       # wheel speed targets, mm/s
        self.target_right = 0.0
        self._integral_left = 0.0
        self._integral_right = 0.0
        self._last_ms = -1           # time and encoder counts at the previous tick (-1: none yet)
        self._last_left = self._last_right = 0
        self.x_mm = self.y_mm = 0.0      # odometry since start-up (see _odometry)
        self.heading_cdeg = 0            # centi-degrees, counter-clockwise
        self._heading_deg = 0.0
        self._odo_left = self._odo_right = None
        self._prev_tick_ms = None
        self.speed_left = 0.0        # measured, mm/s
        self.speed_right = 0.0
        self.move = None             # (kind, seq, goal, speed, start_left, start_right, start_heading)
        self.stopped_by_watchdog = False
        self.gate_was = False
        self.last_kind = self.last_seq = self.last_code = None   # the last command, to spot resends
        self.last_ms = 0

    # --- receiving --------------------------------------------------------------------------
    def receive(self, data, now_ms, readings):
        """Bytes from the host; every complete frame is handled at once."""
        for byte in data:
            frame = self.decoder.feed_byte(byte)
            if frame is not None:
                self._handle(frame, now_ms, readings)

    def _handle(self, frame, now_ms, readings):
        version, kind, seq, payload = frame
        self.last_frame_ms = now_ms       # any valid frame is a heartbeat
        if kind == proto.HELLO:
            self.host_ok = len(payload) == 3 and payload[0] == proto.PROTOCOL_MAJOR and version == proto.PROTOCOL_MAJOR
            self._send_hello_reply(seq)
            return
        if not self.host_ok:
            self._ack(seq, proto.E_VERSION)
            return
        layout = proto.PAYLOADS.get(kind)
        if layout is None and kind not in proto.PAYLOADS or kind >= 0x80:
            self._ack(seq, proto.E_UNKNOWN_TYPE)
            return
        if layout is not None and len(payload) != struct.calcsize(layout):
            self._ack(seq, proto.E_BAD_LENGTH)
            return
        if kind == proto.HEARTBEAT:
            return                        # heartbeats are not acknowledged: they are many
        if seq == self.last_seq and kind == self.last_kind and now_ms - self.last_ms < RESEND_WINDOW_MS:
            self._ack(seq, self.last_code)  # a resend (our ACK was lost): answer, do not run it twice
            return
        code = self._execute(kind, layout, payload, seq, readings)
        self._ack(seq, code)
        self.last_kind, self.last_seq, self.last_code, self.last_ms = kind, seq, code, now_ms

    def _execute(self, kind, layout, payload, seq, readings):
        """Carry out one command; its ACK code."""
        if kind == proto.ARM:
            self.armed = True
            self.stopped_by_watchdog = False
            return proto.OK
        if kind == proto.TELEMETRY_RATE:
            self.telemetry_ms = struct.unpack(layout, payload)[0]
            self.next_telemetry_ms = 0
            return proto.OK
        if kind == proto.SET_LED:
            self.out.led = tuple(payload)
            return proto.OK
        if kind == proto.BEEP:
            self.out.beep_hz, self.out.beep_ms = struct.unpack(layout, payload)
            return proto.OK
        if kind == proto.STOP:
            self._stop()
            return proto.OK
        if not self.armed:
            return proto.E_NOT_ARMED
        if kind == proto.DRIVE:
            left, right = struct.unpack(layout, payload)
            if abs(left) > self.max_speed or abs(right) > self.max_speed:
                return proto.E_OUT_OF_RANGE
            self.move = None
            self.target_left, self.target_right = left, right
        elif kind == proto.CAR:
            if not self.capabilities & proto.CAP_STEERING:
                return proto.E_NOT_SUPPORTED
            speed, steering = struct.unpack(layout, payload)
            self.target_left = self.target_right = speed
            self.out.steering = steering
        elif kind in (proto.STRAIGHT, proto.TURN):
            goal, speed = struct.unpack(layout, payload)
            if speed <= 0 or (kind == proto.STRAIGHT and speed > self.max_speed):
                return proto.E_OUT_OF_RANGE
            self.move = (kind, seq, goal, speed, readings.encoder_left, readings.encoder_right, self.heading_cdeg)
        return proto.OK

    # --- the control loop ----------------------------------------------------------------------
    def tick(self, now_ms, readings):
        """Run the watchdog, the speed loop, moves and telemetry; update ``self.out``."""
        if self.armed and now_ms - self.last_frame_ms > WATCHDOG_MS:
            self.armed = False
            self.stopped_by_watchdog = True
            self._stop()
        self._measure_speeds(now_ms, readings)
        self._odometry(readings)
        if self.move is not None:
            self._run_move(readings)
        self._speed_loop(now_ms)
        if self.capabilities & proto.CAP_GATE:
            broken = readings.gate
            if broken and not self.gate_was:
                self._send(proto.GATE, struct.pack("<IB", now_ms & 0xFFFFFFFF, 0))
            self.gate_was = broken
        if self.telemetry_ms and now_ms >= self.next_telemetry_ms:
            self.next_telemetry_ms = now_ms + self.telemetry_ms
            self._send_telemetry(now_ms, readings)

    def _stop(self):
        self.target_left = self.target_right = 0.0
        self._integral_left = self._integral_right = 0.0
        self.move = None
        self.out.duty_left = self.out.duty_right = 0.0
        self.out.throttle = 0.0

    def _measure_speeds(self, now_ms, readings):
        last_ms, last_left, last_right = self._last_ms, self._last_left, self._last_right
        self._last_ms, self._last_left, self._last_right = now_ms, readings.encoder_left, readings.encoder_right
        if last_ms < 0 or now_ms <= last_ms:
            return
        dt_s = (now_ms - last_ms) / 1000
        self.speed_left = (readings.encoder_left - last_left) / self.counts_per_mm / dt_s
        self.speed_right = (readings.encoder_right - last_right) / self.counts_per_mm / dt_s

    def _odometry(self, readings):
        """Dead reckoning on the board: distance from the encoders, heading from the gyro
        when the board has one, else from the difference between the wheels. Moves steer
        by this heading, so a kit without a gyro still turns by the angle asked."""
        if self._odo_left is None:           # the first tick: counts start here
            self._odo_left, self._odo_right = readings.encoder_left, readings.encoder_right
            if self.capabilities & proto.CAP_GYRO:
                self.heading_cdeg = readings.heading
            return
        d_left = (readings.encoder_left - self._odo_left) / self.counts_per_mm
        d_right = (readings.encoder_right - self._odo_right) / self.counts_per_mm
        self._odo_left, self._odo_right = readings.encoder_left, readings.encoder_right
        before = self.heading_cdeg
        if self.capabilities & proto.CAP_GYRO:
            self.heading_cdeg = readings.heading
        else:
            self._heading_deg += (d_right - d_left) / self.axle_track * _DEG_PER_RAD
            self.heading_cdeg = int(self._heading_deg * 100)
        middle = (before + self.heading_cdeg) / 200 / _DEG_PER_RAD
        travel = (d_left + d_right) / 2
        self.x_mm += travel * math.cos(middle)
        self.y_mm += travel * math.sin(middle)

    def _speed_loop(self, now_ms):
        """Wheel speed PI from the encoders, with the target as feed-forward."""
        if not self.armed or (self.target_left == 0 and self.target_right == 0 and self.move is None):
            self.out.duty_left = self.out.duty_right = self.out.throttle = 0.0
            self._integral_left = self._integral_right = 0.0
            return
        previous, self._prev_tick_ms = self._prev_tick_ms, now_ms
        dt_s = 0.01 if previous is None else max(0.001, min(0.05, (now_ms - previous) / 1000))
        self.out.duty_left, self._integral_left = self._pi(self.target_left, self.speed_left, self._integral_left, dt_s)
        self.out.duty_right, self._integral_right = self._pi(self.target_right, self.speed_right,
                                                             self._integral_right, dt_s)
        self.out.throttle = (self.out.duty_left + self.out.duty_right) / 2

    def _pi(self, target, measured, integral, dt_s):
        error = (target - measured) / self.max_speed
        integral = max(-0.5, min(0.5, integral + SPEED_KI * error * dt_s))
        duty = target / self.max_speed + SPEED_KP * error + integral
        return max(-1.0, min(1.0, duty)), integral

    def _run_move(self, readings):
        move = self.move
        if move is None:
            return
        kind, seq, goal, speed, start_left, start_right, start_heading = move
        if kind == proto.STRAIGHT:
            travelled = ((readings.encoder_left - start_left) + (readings.encoder_right - start_right)) / 2
            remaining = abs(goal) - abs(travelled) / self.counts_per_mm
            drift = (self.heading_cdeg - start_heading) / 100          # deg, + = turned left
            sign = 1 if goal >= 0 else -1
            now_speed = max(MIN_MOVE_SPEED, min(speed, 4 * remaining))
            correction = -HEADING_KP * drift * self.axle_track / 2 * 3.14159 / 180
            self.target_left = sign * now_speed - correction
            self.target_right = sign * now_speed + correction
            coast = (abs(self.speed_left) + abs(self.speed_right)) / 2 * 0.06
        else:
            turned = (self.heading_cdeg - start_heading) / 100
            remaining = (abs(goal) / 100) - abs(turned)
            sign = 1 if goal >= 0 else -1
            rate = max(45, min(speed, 3 * remaining))                # deg/s
            wheel = rate * 3.14159 / 180 * self.axle_track / 2
            self.target_left, self.target_right = -sign * wheel, sign * wheel
            spin = (abs(self.speed_left) + abs(self.speed_right)) / 2 / (self.axle_track / 2) * 180 / 3.14159
            coast = spin * 0.04
        if remaining <= coast:
            self._stop()
            self._send(proto.MOVE_DONE, struct.pack("<B", seq))

    # --- sending -------------------------------------------------------------------------------
    def _send(self, kind, payload):
        """Queue a frame whose payload is given (the rare messages)."""
        self._raw[3:3 + len(payload)] = payload
        self._frame(kind, len(payload))

    def _frame(self, kind, size):
        """Queue the frame whose ``size`` payload bytes are already in ``_raw[3:]``: header
        and CRC around them, COBS-encoded straight into the transmit buffer (no copies)."""
        raw = self._raw
        n = 3 + size
        raw[0] = proto.PROTOCOL_MAJOR
        raw[1] = kind
        raw[2] = self.seq
        self.seq = (self.seq + 1) & 0xFF
        crc = proto.crc16(raw, 0, n)
        raw[n] = crc >> 8
        raw[n + 1] = crc & 0xFF
        if self.tx_len + n + 2 + (n + 2) // 254 + 2 > len(self.tx):
            return                       # the host is not reading: drop rather than block
        length = proto.cobs_encode(raw, self.tx, n + 2, self.tx_len)
        self.tx[self.tx_len + length] = 0
        self.tx_len += length + 1

    def _ack(self, seq, code):
        struct.pack_into("<BB", self._raw, 3, seq, code)
        self._frame(proto.ACK, 2)

    def _send_hello_reply(self, seq):
        version = FIRMWARE_VERSION
        payload = struct.pack("<BBBBBBI", version[0], version[1], version[2], proto.PROTOCOL_MAJOR,
                              proto.PROTOCOL_MINOR, proto.PROTOCOL_PATCH, self.capabilities) + self.board_id[:16]
        self._send(proto.HELLO_REPLY, payload)

    def _send_telemetry(self, now_ms, r):
        flags = (proto.FLAG_ARMED if self.armed else 0) | (proto.FLAG_BUMPER if r.bumper else 0) \
            | (proto.FLAG_MOVING if self.move is not None else 0)
        line = r.line
        struct.pack_into(proto.TELEMETRY_FORMAT, self._raw, 3, now_ms & 0xFFFFFFFF, r.encoder_left, r.encoder_right,
                         line[0], line[1], line[2], line[3], line[4], min(65535, max(0, int(r.distance))),
                         int(r.heading), flags, r.colour)
        self._frame(proto.TELEMETRY, TELEMETRY_SIZE)

    def take_tx(self):
        """The bytes to send since the last call (a copy; the buffer is reused)."""
        data = bytes(self.tx[:self.tx_len])
        self.tx_len = 0
        return data

    def tx_view(self):
        """The bytes to send, without copying: write them out, then call ``tx_sent()``."""
        return memoryview(self.tx)[:self.tx_len]

    def tx_sent(self):
        self.tx_len = 0
