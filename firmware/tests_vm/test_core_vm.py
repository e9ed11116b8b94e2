# The firmware's protocol and core, tested inside the MicroPython VM (the virtual board's,
# or a real board's): plain asserts, no test framework, one success line at the end.
# The host suite runs it through mpremote on the virtual board (tests/test_virtual_board.py):
#   mpremote connect PORT resume run firmware/tests_vm/test_core_vm.py
# It needs ra_proto.py and ra_core.py on the board, and uses protocol_vectors.json if it
# is there (the same vectors the host tests check).

import json
import struct
from binascii import unhexlify

import ra_core
import ra_proto as proto

SUCCESS = "FIRMWARE VM TESTS PASSED"
checks = 0


def check(condition, what):
    global checks
    assert condition, what
    checks += 1


def frames(data):
    decoder = proto.Decoder()
    found = []
    for byte in data:
        frame = decoder.feed_byte(byte)
        if frame is not None:
            found.append((frame[1], bytes(frame[3])))
    return found


# --- the protocol ----------------------------------------------------------------------------
def test_vectors():
    try:
        with open("protocol_vectors.json") as f:
            vectors = json.load(f)
    except OSError:
        print("protocol_vectors.json is not on the board: vectors skipped")
        return 0
    for case in vectors["crc16"]:
        check(proto.crc16(unhexlify(case["data"])) == case["crc"], "crc16 " + case["name"])
    for case in vectors["cobs"]:
        raw, encoded = unhexlify(case["raw"]), unhexlify(case["encoded"])
        out = bytearray(len(raw) + len(raw) // 254 + 2)
        check(bytes(out[:proto.cobs_encode(raw, out)]) == encoded, "cobs encode " + case["name"])
        back = bytearray(len(encoded) + 1)
        check(bytes(back[:proto.cobs_decode(encoded, len(encoded), back)]) == raw, "cobs decode " + case["name"])
    for case in vectors["frames"]:
        frame, payload = unhexlify(case["frame"]), unhexlify(case["payload"])
        check(proto.build(case["type"], case["seq"], payload) == frame, "build " + case["name"])
        decoder = proto.Decoder()
        got = [(r[0], r[1], r[2], bytes(r[3])) for r in (decoder.feed_byte(b) for b in frame) if r is not None]
        check(got == [(proto.PROTOCOL_MAJOR, case["type"], case["seq"], payload)], "decode " + case["name"])
    good = proto.build(proto.STOP, 1)
    for case in vectors["corrupted"]:
        decoder = proto.Decoder()
        got = [(r[1], r[2]) for r in (decoder.feed_byte(b) for b in unhexlify(case["bytes"]) + good) if r is not None]
        check(got == [(proto.STOP, 1)], "corrupted " + case["name"])
    return len(vectors["frames"])


def test_round_trips():
    for seq in (0, 1, 3, 127, 255):
        for payload in (b"", b"\x00", b"\x00\x00\x00", bytes(range(1, 40)), bytes(50)):
            frame = proto.build(proto.DRIVE, seq, payload)
            check(frame.count(b"\x00") == 1 and frame[-1] == 0, "one delimiter")
            decoder = proto.Decoder()
            got = [(r[1], r[2], bytes(r[3])) for r in (decoder.feed_byte(b) for b in frame) if r is not None]
            check(got == [(proto.DRIVE, seq, payload)], "round trip")
    frame = bytearray(proto.build(proto.ARM, 7))
    frame[2] ^= 0x10
    decoder = proto.Decoder()
    check([r for r in (decoder.feed_byte(b) for b in bytes(frame)) if r is not None] == [], "bad crc dropped")
    check(decoder.errors == 1, "bad crc counted")


# --- the core ----------------------------------------------------------------------------------
CAPS = proto.CAP_DIFF_DRIVE | proto.CAP_ENCODERS | proto.CAP_LINE


def new_core():
    return ra_core.Core("vm-test", CAPS, 600, 4.1, 130, 0)


def send(core, kind, seq, payload=b"", now=0):
    core.receive(proto.build(kind, seq, payload), now, ra_core.Readings())
    return frames(core.take_tx())


def arm(core, now=0):
    send(core, proto.HELLO, 1, bytes([1, 0, 0]), now)
    check(send(core, proto.ARM, 2, b"", now) == [(proto.ACK, bytes([2, proto.OK]))], "armed")


def test_handshake():
    core = new_core()
    kind, payload = send(core, proto.HELLO, 9, bytes([proto.PROTOCOL_MAJOR, 0, 0]))[0]
    check(kind == proto.HELLO_REPLY, "hello reply")
    version = ra_core.FIRMWARE_VERSION
    check(struct.unpack("<BBBBBBI", payload[:10]) == (version[0], version[1], version[2], proto.PROTOCOL_MAJOR,
                                                       proto.PROTOCOL_MINOR, proto.PROTOCOL_PATCH, CAPS), "versions")
    check(payload[10:] == b"vm-test", "board id")
    other = new_core()
    send(other, proto.HELLO, 1, bytes([proto.PROTOCOL_MAJOR + 1, 0, 0]))
    check(send(other, proto.ARM, 2) == [(proto.ACK, bytes([2, proto.E_VERSION]))], "other major refused")
    check(not other.armed, "not armed")


def test_commands():
    core = new_core()
    send(core, proto.HELLO, 1, bytes([1, 0, 0]))
    check(send(core, proto.DRIVE, 5, struct.pack("<hh", 100, 100))[0][1] == bytes([5, proto.E_NOT_ARMED]), "unarmed")
    arm(core)
    check(send(core, proto.DRIVE, 6, struct.pack("<hh", 100, 100))[0][1] == bytes([6, proto.OK]), "drive ok")
    check(send(core, proto.DRIVE, 7, struct.pack("<hh", 900, 100))[0][1] == bytes([7, proto.E_OUT_OF_RANGE]), "range")
    check(send(core, proto.DRIVE, 8, b"\x01")[0][1] == bytes([8, proto.E_BAD_LENGTH]), "length")
    check(send(core, 0x55, 9)[0][1] == bytes([9, proto.E_UNKNOWN_TYPE]), "unknown type")


def test_watchdog():
    core = new_core()
    arm(core)
    send(core, proto.DRIVE, 3, struct.pack("<hh", 300, 300))
    readings = ra_core.Readings()
    for now in range(0, 200, 10):
        core.tick(now, readings)
    check(core.out.duty_left > 0.3, "driving")
    core.tick(ra_core.WATCHDOG_MS + 10, readings)        # no frame for longer than the watchdog allows
    check(core.out.duty_left == 0 and not core.armed and core.stopped_by_watchdog, "watchdog stopped the motors")
    core.receive(proto.build(proto.HEARTBEAT, 4), 300, readings)
    core.tick(310, readings)
    check(core.out.duty_left == 0, "still stopped after a heartbeat")
    check(send(core, proto.DRIVE, 5, struct.pack("<hh", 300, 300), 320)[0][1] == bytes([5, proto.E_NOT_ARMED]),
          "stays stopped until re-armed")
    arm(core, 330)
    check(send(core, proto.DRIVE, 6, struct.pack("<hh", 300, 300), 330)[0][1] == bytes([6, proto.OK]), "re-armed")


def test_telemetry():
    core = new_core()
    arm(core)
    send(core, proto.TELEMETRY_RATE, 3, struct.pack("<H", 50))
    readings = ra_core.Readings()
    readings.line = [100, 200, 3000, 200, 100]
    readings.distance = 321
    sent = []
    for now in range(0, 200, 5):
        core.receive(proto.build(proto.HEARTBEAT, 0), now, readings)
        core.tick(now, readings)
        sent += frames(core.take_tx())
    telemetry = [payload for kind, payload in sent if kind == proto.TELEMETRY]
    check(len(telemetry) == 4, "telemetry every 50 ms")
    values = struct.unpack(proto.TELEMETRY_FORMAT, telemetry[1])
    check(values[0] == 50 and values[3:8] == (100, 200, 3000, 200, 100) and values[8] == 321, "telemetry values")
    check(values[10] & proto.FLAG_ARMED, "armed flag")


vectors = test_vectors()
test_round_trips()
test_handshake()
test_commands()
test_watchdog()
test_telemetry()
print("%s (%d checks, %d frame vectors)" % (SUCCESS, checks, vectors))
