"""The wire protocol against its test vectors (the firmware's tests in the MicroPython VM
check the same file): CRC, COBS, whole frames both ways, and corrupted frames dropped."""

import json
import random
import struct

import pytest

from roboarena.firmware import FOLDER, load

proto = load("ra_proto")
VECTORS = json.loads((FOLDER / "protocol_vectors.json").read_text())


@pytest.mark.parametrize("case", VECTORS["crc16"], ids=lambda c: c["name"])
def test_crc16(case):
    assert proto.crc16(bytes.fromhex(case["data"])) == case["crc"]


@pytest.mark.parametrize("case", VECTORS["cobs"], ids=lambda c: c["name"])
def test_cobs_both_ways(case):
    raw, encoded = bytes.fromhex(case["raw"]), bytes.fromhex(case["encoded"])
    out = bytearray(len(raw) + len(raw) // 254 + 2)
    assert bytes(out[:proto.cobs_encode(raw, out)]) == encoded
    back = bytearray(len(encoded))
    assert bytes(back[:proto.cobs_decode(encoded, len(encoded), back)]) == raw


@pytest.mark.parametrize("case", VECTORS["frames"], ids=lambda c: c["name"])
def test_frames_encode_and_decode(case):
    frame = bytes.fromhex(case["frame"])
    assert proto.build(case["type"], case["seq"], bytes.fromhex(case["payload"])) == frame
    assert frame.count(0) == 1 and frame[-1] == 0
    decoder = proto.Decoder()
    results = [r for r in (decoder.feed_byte(b) for b in frame) if r is not None]
    assert [(r[0], r[1], r[2], bytes(r[3])) for r in results] == [
        (1, case["type"], case["seq"], bytes.fromhex(case["payload"]))]
    layout = proto.PAYLOADS[case["type"]]
    if layout is not None:
        assert struct.calcsize(layout) == len(bytes.fromhex(case["payload"]))


@pytest.mark.parametrize("case", VECTORS["corrupted"], ids=lambda c: c["name"])
def test_corrupted_frames_are_dropped_and_the_next_one_is_read(case):
    good = proto.build(proto.STOP, 1)
    decoder = proto.Decoder()
    results = [r for r in (decoder.feed_byte(b) for b in bytes.fromhex(case["bytes"]) + good) if r is not None]
    assert [(r[1], r[2]) for r in results] == [(proto.STOP, 1)]


def test_random_noise_never_passes_as_a_frame():
    """200,000 random bytes: with CRC-16 a false frame is rare (about 1 in 65,536 candidates); at most one may pass, and
    the decoder keeps working afterwards."""
    rng = random.Random(1)
    decoder = proto.Decoder()
    noise = bytes(rng.getrandbits(8) for _ in range(200_000))
    passed = [r for r in (decoder.feed_byte(b) for b in noise) if r is not None]
    assert len(passed) <= 1
    ok = [r for r in (decoder.feed_byte(b) for b in b"\x00" + proto.build(proto.ARM, 7)) if r is not None]
    assert [(r[1], r[2]) for r in ok] == [(proto.ARM, 7)]


@pytest.mark.parametrize("case", VECTORS["crc16"] + [{"data": f["frame"][:-4], "crc": None} for f in VECTORS["frames"][:5]],
                         ids=lambda c: c.get("name", "frame"))
def test_the_boards_table_crc_matches_the_hosts(case, monkeypatch):
    """Boards have no binascii.crc_hqx and use a lookup table: both must agree."""
    data = bytes.fromhex(case["data"])
    host = proto.crc16(data)
    monkeypatch.setattr(proto, "crc_hqx", None)
    monkeypatch.setattr(proto, "_CRC_TABLE", proto._crc_table(), raising=False)
    assert proto.crc16(data) == host == (case["crc"] if case["crc"] is not None else host)
