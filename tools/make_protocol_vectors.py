"""Writes firmware/protocol_vectors.json from the protocol module, after checking the CRC
and COBS parts against their published reference values. Run it after a protocol change
(and bump the protocol version): python tools/make_protocol_vectors.py"""

import json
import struct
import sys
from pathlib import Path

FIRMWARE = Path(__file__).resolve().parent.parent / "firmware"
sys.path.insert(0, str(FIRMWARE))
import ra_proto as p  # noqa: E402


def cobs(data: bytes) -> bytes:
    out = bytearray(len(data) + len(data) // 254 + 2)
    return bytes(out[:p.cobs_encode(data, out)])


# Reference encodings (the examples of Cheshire and Baker's COBS paper, as usually listed).
COBS_CASES = [
    ("one zero", b"\x00", "0101"),
    ("two zeros", b"\x00\x00", "010101"),
    ("zero in the middle", bytes.fromhex("11220033"), "0311220233"),
    ("no zero", bytes.fromhex("11223344"), "0511223344"),
    ("trailing zeros", bytes.fromhex("11000000"), "0211010101"),
    ("254 non-zero bytes", bytes(range(1, 255)), "ff" + bytes(range(1, 255)).hex()),
    ("255 bytes from 0", bytes(range(0, 255)), "01ff" + bytes(range(1, 255)).hex()),
    ("255 non-zero bytes", bytes(range(1, 256)), "ff" + bytes(range(1, 255)).hex() + "02ff"),
]

MESSAGES = [
    ("hello from a 1.0.0 host", p.HELLO, 1, struct.pack("<BBB", 1, 0, 0)),
    ("heartbeat", p.HEARTBEAT, 2, b""),
    ("arm", p.ARM, 3, b""),
    ("drive 150 left, 250 right", p.DRIVE, 4, struct.pack("<hh", 150, 250)),
    ("drive backwards", p.DRIVE, 5, struct.pack("<hh", -300, -300)),
    ("car 800 mm/s, 12.5 deg left", p.CAR, 6, struct.pack("<hh", 800, 1250)),
    ("stop", p.STOP, 7, b""),
    ("straight 500 mm at 200 mm/s", p.STRAIGHT, 8, struct.pack("<ih", 500, 200)),
    ("turn 90 deg right at 90 deg/s", p.TURN, 9, struct.pack("<ih", -9000, 90)),
    ("led red", p.SET_LED, 10, bytes([255, 0, 0])),
    ("beep 880 Hz 100 ms", p.BEEP, 11, struct.pack("<HH", 880, 100)),
    ("telemetry every 20 ms", p.TELEMETRY_RATE, 12, struct.pack("<H", 20)),
    ("ack of seq 4, ok", p.ACK, 0, struct.pack("<BB", 4, p.OK)),
    ("ack of seq 5, not armed", p.ACK, 1, struct.pack("<BB", 5, p.E_NOT_ARMED)),
    ("hello reply", p.HELLO_REPLY, 2, struct.pack("<BBBBBBI", 1, 0, 0, 1, 0, 0, 0x3FD) + b"esp32-kit"),
    ("telemetry", p.TELEMETRY, 3,
     struct.pack(p.TELEMETRY_FORMAT, 123456, 1000, -1000, 300, 1200, 3900, 1200, 300, 845, -4500, 1, 2)),
    ("move done", p.MOVE_DONE, 4, struct.pack("<B", 8)),
    ("gate crossing", p.GATE, 5, struct.pack("<IB", 98765, 0)),
    ("seq wraps to 0", p.HEARTBEAT, 256, b""),
]


def main():
    for name, raw, expected in COBS_CASES:
        assert cobs(raw).hex() == expected, name
    assert p.crc16(b"123456789") == 0x29B1        # the CRC catalogue's check value
    good = p.build(p.DRIVE, 4, struct.pack("<hh", 150, 250))
    flipped = bytearray(good)
    flipped[4] ^= 0x10
    vectors = {
        "about": "Test vectors of the roboarena wire protocol (docs/protocol.md), checked by the host tests "
                 "and by the firmware tests in the MicroPython VM. Hex strings; frames end with their 0x00.",
        "crc16": [{"name": "check value of CRC-16/CCITT-FALSE", "data": b"123456789".hex(), "crc": 0x29B1},
                  {"name": "empty", "data": "", "crc": 0xFFFF}],
        "cobs": [{"name": n, "raw": r.hex(), "encoded": e} for n, r, e in COBS_CASES],
        "frames": [{"name": n, "type": t, "seq": s & 0xFF, "payload": pl.hex(), "frame": p.build(t, s, pl).hex()}
                   for n, t, s, pl in MESSAGES],
        "corrupted": [
            {"name": "bit flipped in the payload", "bytes": bytes(flipped).hex()},
            {"name": "a byte missing", "bytes": (good[:5] + good[6:]).hex()},
            {"name": "not a frame (REPL text)", "bytes": b">>> \r\n".hex() + "00"},
            {"name": "too short", "bytes": "020100"},
        ],
    }
    (FIRMWARE / "protocol_vectors.json").write_text(json.dumps(vectors, indent=1) + "\n")


if __name__ == "__main__":
    main()
