"""The firmware core under CPython: handshake, arming, the heartbeat watchdog, commands
and acknowledgements, telemetry, on exact bytes."""

import math
import struct
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "firmware"))
import ra_core  # noqa: E402
import ra_proto as proto  # noqa: E402

CAPS = proto.CAP_DIFF_DRIVE | proto.CAP_ENCODERS | proto.CAP_LINE | proto.CAP_ULTRASONIC


def frames(data):
    decoder = proto.Decoder()
    found = []
    for byte in data:
        frame = decoder.feed_byte(byte)
        if frame is not None:
            found.append((frame[1], bytes(frame[3])))   # (type, payload): the board's own seq is its business
    return found


@pytest.fixture
def core():
    return ra_core.Core("test-kit", CAPS, max_speed=600, counts_per_mm=4.1, axle_track_mm=130, now_ms=0)


def send(core, kind, seq, payload=b"", now=0):
    readings = ra_core.Readings()
    core.receive(proto.build(kind, seq, payload), now, readings)
    return frames(core.take_tx())


def arm(core, now=0):
    send(core, proto.HELLO, 1, bytes([1, 0, 0]), now)
    assert send(core, proto.ARM, 2, b"", now) == [(proto.ACK, bytes([2, proto.OK]))]


def test_hello_reply_gives_versions_capabilities_and_board_id(core):
    reply = send(core, proto.HELLO, 9, bytes([1, 0, 0]))
    kind, payload = reply[0]
    assert kind == proto.HELLO_REPLY
    assert struct.unpack("<BBBBBBI", payload[:10]) == (1, 0, 0, 1, 0, 0, CAPS)
    assert payload[10:] == b"test-kit"


def test_a_host_of_another_major_version_is_refused(core):
    send(core, proto.HELLO, 1, bytes([2, 0, 0]))
    assert send(core, proto.ARM, 2) == [(proto.ACK, bytes([2, proto.E_VERSION]))]
    assert not core.armed


def test_commands_need_arming_and_get_acknowledged(core):
    send(core, proto.HELLO, 1, bytes([1, 0, 0]))
    assert send(core, proto.DRIVE, 5, struct.pack("<hh", 100, 100))[0][1] == bytes([5, proto.E_NOT_ARMED])
    arm(core)
    assert send(core, proto.DRIVE, 6, struct.pack("<hh", 100, 100))[0][1] == bytes([6, proto.OK])
    assert send(core, proto.DRIVE, 7, struct.pack("<hh", 900, 100))[0][1] == bytes([7, proto.E_OUT_OF_RANGE])
    assert send(core, proto.DRIVE, 8, b"\x01")[0][1] == bytes([8, proto.E_BAD_LENGTH])
    assert send(core, 0x55, 9)[0][1] == bytes([9, proto.E_UNKNOWN_TYPE])


def test_the_watchdog_stops_the_motors_and_they_stay_stopped_until_rearmed(core):
    arm(core)
    send(core, proto.DRIVE, 3, struct.pack("<hh", 300, 300))
    readings = ra_core.Readings()
    for now in range(0, 200, 10):
        core.tick(now, readings)
    assert core.out.duty_left > 0.3
    core.tick(260, readings)                       # 260 ms without a frame
    assert core.out.duty_left == 0 and not core.armed and core.stopped_by_watchdog
    core.receive(proto.build(proto.HEARTBEAT, 4), 300, readings)   # the link is back...
    core.tick(310, readings)
    assert core.out.duty_left == 0                 # ...but the motors stay off until ARM
    reply = send(core, proto.DRIVE, 5, struct.pack("<hh", 300, 300), now=320)
    assert reply[0][1] == bytes([5, proto.E_NOT_ARMED])


def test_telemetry_streams_at_the_rate_the_host_sets(core):
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
    assert len(telemetry) == 4
    values = struct.unpack(proto.TELEMETRY_FORMAT, telemetry[1])
    assert values[0] == 50 and values[3:8] == (100, 200, 3000, 200, 100) and values[8] == 321
    assert values[10] & proto.FLAG_ARMED


def test_a_resent_command_is_acknowledged_again_but_not_run_twice(core):
    arm(core)
    readings = ra_core.Readings()
    readings.encoder_left = readings.encoder_right = 1000
    straight = proto.build(proto.STRAIGHT, 40, struct.pack("<ih", 300, 200))
    core.receive(straight, 10, readings)
    readings.encoder_left = readings.encoder_right = 1400       # the move is under way
    core.receive(straight, 60, readings)                         # our ACK was lost: the host resends
    acks = [p for kind, p in frames(core.take_tx()) if kind == proto.ACK]
    assert acks == [bytes([40, proto.OK]), bytes([40, proto.OK])]
    assert core.move[4] == 1000                                  # still the first start, not restarted
    core.receive(straight, 500, readings)                        # seq 40 again much later: a new command
    assert core.move[4] == 1400


def run_plant(core, readings, until, start_ms=0, gyro=False, max_speed=600):
    """Tick the core against a simple robot: each wheel turns at duty x max speed, the
    encoders count it; with ``gyro`` the heading comes from the true wheel difference."""
    now, left, right, heading = start_ms, 0.0, 0.0, 0.0
    sent = []
    while now < start_ms + until:
        now += 5
        core.receive(proto.build(proto.HEARTBEAT, 0), now, readings)
        d_left = core.out.duty_left * max_speed * 0.005
        d_right = core.out.duty_right * max_speed * 0.005
        left, right = left + d_left, right + d_right
        heading += math.degrees((d_right - d_left) / 130)
        readings.encoder_left, readings.encoder_right = int(left * 4.1), int(right * 4.1)
        if gyro:
            readings.heading = int(heading * 100)
        core.tick(now, readings)
        sent += frames(core.take_tx())
        if any(kind == proto.MOVE_DONE for kind, _ in sent):
            break
    return sent, heading


@pytest.mark.parametrize("gyro", [True, False])
def test_a_turn_runs_on_the_board_with_or_without_a_gyro(gyro):
    caps = CAPS | (proto.CAP_GYRO if gyro else 0)
    core = ra_core.Core("kit", caps, max_speed=600, counts_per_mm=4.1, axle_track_mm=130, now_ms=0)
    arm(core)
    readings = ra_core.Readings()
    core.tick(0, readings)
    core.receive(proto.build(proto.TURN, 9, struct.pack("<ih", 9000, 90)), 0, readings)
    sent, heading = run_plant(core, readings, until=5000, gyro=gyro)
    assert (proto.MOVE_DONE, bytes([9])) in sent
    assert 80 < heading < 95                       # the true turn, by the wheels
    assert abs(core.heading_cdeg / 100 - heading) < 3


def test_odometry_tracks_a_straight_move():
    core = ra_core.Core("kit", CAPS, max_speed=600, counts_per_mm=4.1, axle_track_mm=130, now_ms=0)
    arm(core)
    readings = ra_core.Readings()
    core.tick(0, readings)
    core.receive(proto.build(proto.STRAIGHT, 4, struct.pack("<ih", 300, 200)), 0, readings)
    sent, _ = run_plant(core, readings, until=5000)
    assert (proto.MOVE_DONE, bytes([4])) in sent
    assert 270 < core.x_mm < 310 and abs(core.y_mm) < 10
