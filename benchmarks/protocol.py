"""The wire protocol's cost, printed as a table: bytes on the wire for a telemetry frame and
a drive command against Firmata's encoding of the same readings, and the host's cost to
encode and decode a frame.

Firmata (the protocol Arduino kits use) sends an analog reading as 3 bytes (a command byte
and two 7-bit data bytes: 14 bits of value) and an encoder position, through its encoder
sysex, as 5 bytes per encoder plus 3 bytes of sysex framing. It has no CRC: a flipped bit
is a wrong reading. Run: ``python benchmarks/protocol.py``.
"""

from __future__ import annotations

import struct
import timeit

from roboarena.firmware import load

proto = load("ra_proto")


def ours(kind, payload) -> tuple[int, int]:
    return len(payload), len(proto.build(kind, 0, payload))


def main():
    telemetry = struct.pack(proto.TELEMETRY_FORMAT, 123456, 1000, -1000, 300, 1200, 3900, 1200, 300, 845, -4500, 1, 2)
    drive = struct.pack("<hh", 150, 250)
    rows = []
    for name, kind, payload in (("telemetry (time, 2 encoders, 5 line, distance, heading, flags, colour)",
                                 proto.TELEMETRY, telemetry), ("drive command (two wheel speeds)", proto.DRIVE, drive)):
        useful, wire = ours(kind, payload)
        rows.append((f"roboarena {name}", useful, wire))
    # Firmata: 5 analog line readings (3 bytes each, 2 of them data) and 2 encoder positions.
    rows.append(("Firmata 5 analog readings", 5 * 2, 5 * 3))
    rows.append(("Firmata 2 encoder positions (sysex)", 2 * 4, 3 + 2 * 5))
    rows.append(("Firmata the two together (no time, distance, heading, CRC)", 5 * 2 + 2 * 4, 5 * 3 + 3 + 2 * 5))

    frame = proto.build(proto.TELEMETRY, 7, telemetry)
    decoder = proto.Decoder()

    def decode():
        for byte in frame:
            result = decoder.feed_byte(byte)
        return struct.unpack(proto.TELEMETRY_FORMAT, result[3])

    number = 20000
    encode_us = min(timeit.repeat(lambda: proto.build(proto.TELEMETRY, 7, telemetry), number=number, repeat=5)) \
        / number * 1e6
    decode_us = min(timeit.repeat(decode, number=number, repeat=5)) / number * 1e6

    print("roboarena wire protocol benchmark")
    print("| message | payload bytes | wire bytes | payload / wire |")
    print("|---|---|---|---|")
    for name, useful, wire in rows:
        print(f"| {name} | {useful} | {wire} | {useful / wire:.2f} |")
    print()
    print("| host cost per telemetry frame (CPython) | µs |")
    print("|---|---|")
    print(f"| encode (build: layout, CRC-16, COBS) | {encode_us:.1f} |")
    print(f"| decode (byte-by-byte COBS, CRC-16, unpack) | {decode_us:.1f} |")
    baud_frames = 115200 / 10 / len(frame)
    print(f"\nAt 115200 baud (10 bits a byte) the link carries at most {baud_frames:.0f} telemetry frames/s "
          f"of {len(frame)} bytes.")


if __name__ == "__main__":
    main()
