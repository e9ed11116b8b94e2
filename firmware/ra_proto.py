# roboarena wire protocol: COBS framing, CRC-16 and message layouts, shared by the firmware
# (MicroPython) and the host (CPython). Spec: docs/protocol.md; test vectors:
# firmware/protocol_vectors.json, checked by the host tests and by the firmware tests in
# the MicroPython VM.
#
# A frame on the wire is COBS(version | type | seq | payload | crc16) followed by 0x00.
# COBS removes every 0x00 from the frame, so 0x00 always means "end of frame" and a
# receiver that joins mid-stream resynchronises at the next 0x00.

try:
    from micropython import const
except ImportError:  # CPython (host, tests)
    def const(value):  # type: ignore[misc]  # CPython stand-in for micropython.const
        return value

PROTOCOL_MAJOR = const(1)
PROTOCOL_MINOR = const(0)
PROTOCOL_PATCH = const(0)
MAX_FRAME = const(64)            # bytes before COBS; every message fits

# Message types. Host to firmware: 0x01-0x7f; firmware to host: 0x80-0xff.
HELLO = const(0x01)              # payload: host protocol major, minor, patch
HEARTBEAT = const(0x02)          # keeps the motors armed
ARM = const(0x03)                # re-arms after the watchdog stopped the motors
DRIVE = const(0x10)              # kit: int16 left, int16 right wheel speed, mm/s
CAR = const(0x11)                # car: int16 speed mm/s, int16 steering centi-deg
STOP = const(0x12)
STRAIGHT = const(0x13)           # int32 distance mm, int16 speed mm/s: run on the board
TURN = const(0x14)               # int32 angle centi-deg, int16 rate deg/s: run on the board
SET_LED = const(0x20)            # uint8 r, g, b
BEEP = const(0x21)               # uint16 frequency Hz, uint16 duration ms
TELEMETRY_RATE = const(0x30)     # uint16 period ms (0: off)
HELLO_REPLY = const(0x81)        # firmware semver, protocol semver, uint32 capabilities, board id
ACK = const(0x82)                # uint8 acknowledged seq, uint8 error code
TELEMETRY = const(0x90)          # see TELEMETRY_FORMAT
MOVE_DONE = const(0x91)          # uint8 seq of the straight/turn that finished
GATE = const(0x92)               # uint32 crossing time ms (board clock), uint8 sensor

# Error codes in ACK.
OK = const(0)
E_UNKNOWN_TYPE = const(1)
E_BAD_LENGTH = const(2)
E_NOT_ARMED = const(3)
E_OUT_OF_RANGE = const(4)
E_VERSION = const(5)
E_NOT_SUPPORTED = const(6)

# Capability flags in HELLO_REPLY.
CAP_DIFF_DRIVE = const(1 << 0)
CAP_STEERING = const(1 << 1)
CAP_ENCODERS = const(1 << 2)
CAP_LINE = const(1 << 3)
CAP_ULTRASONIC = const(1 << 4)
CAP_GYRO = const(1 << 5)
CAP_LED = const(1 << 6)
CAP_BUZZER = const(1 << 7)
CAP_BUMPER = const(1 << 8)
CAP_COLOUR = const(1 << 9)
CAP_GATE = const(1 << 10)

# Telemetry payload: uint32 t_ms, int32 encoder left, int32 encoder right, 5 x uint16 line,
# uint16 distance mm, int32 heading centi-deg, uint8 flags, uint8 colour index.
TELEMETRY_FORMAT = "<Iii5HHiBB"
FLAG_ARMED = const(1)
FLAG_BUMPER = const(2)
FLAG_MOVING = const(4)           # a straight/turn is running on the board
COLOURS = ("none", "black", "white", "red", "green", "blue", "yellow")

# Payload layouts (struct formats, little-endian) by message type; None: variable.
PAYLOADS = {
    HELLO: "<BBB", HEARTBEAT: "<", ARM: "<", DRIVE: "<hh", CAR: "<hh", STOP: "<", STRAIGHT: "<ih",
    TURN: "<ih", SET_LED: "<BBB", BEEP: "<HH", TELEMETRY_RATE: "<H", HELLO_REPLY: None, ACK: "<BB",
    TELEMETRY: TELEMETRY_FORMAT, MOVE_DONE: "<B", GATE: "<IB",
}


def _crc_table():
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


try:
    from binascii import crc_hqx  # type: ignore[attr-defined]  # CPython: the same CRC, in C
except ImportError:                # MicroPython: a 256-entry table, one lookup per byte
    crc_hqx = None
    _CRC_TABLE = _crc_table()


def crc16(data, start=0, end=None):
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of data[start:end]."""
    if end is None:
        end = len(data)
    if crc_hqx is not None:
        return crc_hqx(bytes(data[start:end]), 0xFFFF)
    crc = 0xFFFF
    table = _CRC_TABLE
    for i in range(start, end):
        crc = ((crc << 8) & 0xFFFF) ^ table[((crc >> 8) ^ data[i]) & 0xFF]
    return crc


def cobs_encode(data, out, length=-1, start=0):
    """COBS-encode the first ``length`` bytes of ``data`` (all of it when -1) into bytearray
    ``out`` from index ``start`` (room for length + length // 254 + 1 bytes); returns the
    encoded length, without the 0x00 delimiter. Writes in place: the firmware encodes
    straight into its transmit buffer."""
    if length < 0:
        length = len(data)
    code_at = start
    code = 1
    n = start + 1
    last = length - 1
    for i in range(length):
        byte = data[i]
        if byte == 0:
            out[code_at] = code
            code_at = n
            n += 1
            code = 1
        else:
            out[n] = byte
            n += 1
            code += 1
            if code == 0xFF and i < last:   # a full block; a new one only if data follows
                out[code_at] = code
                code_at = n
                n += 1
                code = 1
    out[code_at] = code
    return n - start


def cobs_decode(data, length, out):
    """Decode ``length`` COBS bytes of ``data`` into ``out``; returns the decoded length,
    or -1 if the bytes are not valid COBS (a corrupted frame)."""
    i = 0
    n = 0
    while i < length:
        code = data[i]
        if code == 0:
            return -1
        i += 1
        end = i + code - 1
        if end > length:
            return -1
        while i < end:
            out[n] = data[i]
            n += 1
            i += 1
        if code < 0xFF and i < length:
            out[n] = 0
            n += 1
    return n


def build(msg_type, seq, payload=b""):
    """The whole wire frame (COBS + 0x00) of one message, as bytes. Allocates: host side
    and tests; the firmware encodes into its own buffers with ``Encoder``."""
    raw = bytearray(3 + len(payload) + 2)
    raw[0] = PROTOCOL_MAJOR
    raw[1] = msg_type
    raw[2] = seq & 0xFF
    raw[3:3 + len(payload)] = payload
    crc = crc16(raw, 0, 3 + len(payload))
    raw[-2] = crc >> 8
    raw[-1] = crc & 0xFF
    out = bytearray(len(raw) + len(raw) // 254 + 2)
    n = cobs_encode(raw, out)
    out[n] = 0
    return bytes(out[:n + 1])


_CTRL_C = const(0x03)


class CtrlCSpotter:
    """Spots a Ctrl-C typed on the serial line while frames flow. Boards switch the REPL's
    own Ctrl-C off in protocol mode (frames carry 0x03 bytes: COBS codes, CRCs), so they
    look for it here: a frame's second byte is always the protocol version, so a 0x03 in
    first place not followed by it, a 0x03 in second place, or a lone 0x03 followed by
    silence, can only be a person (or mpremote) asking for the REPL."""

    def __init__(self):
        self.pos = 0                 # bytes since a frame boundary, counted to 2
        self.first = 0               # the first byte after the boundary

    def silence(self):
        """Nothing came for a while: True if a lone Ctrl-C was waiting."""
        lone = self.pos == 1 and self.first == _CTRL_C
        self.pos = 0
        return lone

    def byte(self, byte):
        """True when this byte completes an in-band Ctrl-C."""
        pos = self.pos
        if byte == 0:
            self.pos = 0
        elif pos == 0:
            self.first = byte
            self.pos = 1
        elif pos == 1:
            self.pos = 2
            if byte != PROTOCOL_MAJOR and (byte == _CTRL_C or self.first == _CTRL_C):
                self.pos = 0
                return True
        return False


class Decoder:
    """Splits a byte stream into frames and checks them. ``feed_byte`` returns each
    complete, valid frame as (version, type, seq, payload memoryview), valid until the
    next call. Corrupted frames are dropped and counted; a stream joined mid-frame
    resynchronises at the next 0x00. Buffers are allocated once."""

    def __init__(self, size=MAX_FRAME + 8):
        self.buffer = bytearray(size)
        self.decoded = bytearray(size)
        self.length = 0
        self.overflow = False
        self.errors = 0

    def feed_byte(self, byte):
        """One received byte; returns a frame tuple when it completes a valid frame, else None."""
        if byte != 0:
            if self.length < len(self.buffer):
                self.buffer[self.length] = byte
                self.length += 1
            else:
                self.overflow = True     # too long to be ours: drop it at the delimiter
            return None
        length, self.length = self.length, 0
        if self.overflow or length == 0:
            if self.overflow:
                self.errors += 1
            self.overflow = False
            return None
        n = cobs_decode(self.buffer, length, self.decoded)
        if n < 5:
            self.errors += 1
            return None
        crc = (self.decoded[n - 2] << 8) | self.decoded[n - 1]
        if crc != crc16(self.decoded, 0, n - 2):
            self.errors += 1
            return None
        return self.decoded[0], self.decoded[1], self.decoded[2], memoryview(self.decoded)[3:n - 2]
