"""Sensors as a student sees them: ranges, update rates, quantisation, seeded noise."""

import math

import pytest

from roboarena.sims.runner import prepare


@pytest.mark.sim_world("line-follow", seed=0)
def test_line_array_reads_low_on_the_line_and_high_on_white(sim_robot):
    readings = sim_robot.line.read()   # the robot starts centred on the line
    assert len(readings) == 5
    assert readings[2] < 1000
    assert readings[0] > 3000 and readings[4] > 3000
    assert all(0 <= value <= 4095 and isinstance(value, int) for value in readings)


@pytest.mark.sim_world("maze", seed=0)
def test_ultrasonic_measures_the_wall_ahead_and_updates_only_every_60_ms(sim_robot):
    sim = sim_robot.simulation
    first = sim_robot.distance()
    # Start cell centre x=175, the wall at x=700 (12 mm thick), sensor 85 mm ahead of centre.
    assert first == pytest.approx(700 - 6 - 175 - 85, abs=10)
    sim_robot.motors(300, 300)
    readings = {sim_robot.distance() for _ in range(20)}    # 20 calls = 20 ms of link time
    assert len(readings) == 1
    sim_robot.wait(100)
    assert sim_robot.distance() < first
    assert sim.spec.ultrasonic.period_ms == 60


def test_ultrasonic_gets_no_echo_from_a_steep_wall():
    sim = prepare("maze", seed=0)
    sonar = sim.ultrasonic
    # From the start cell, the floor-level wall y = 0 below and the wall x = 700 ahead.
    # Aimed 80 deg down, the cone meets the bottom wall nearly square on: an echo from it.
    assert sonar.measure(175.0, 175.0, math.radians(-80)) == pytest.approx(169 / math.cos(math.radians(2.5)), abs=3)
    # Aimed 20 deg down, the cone meets the bottom wall 62-78 deg off its normal: no echo
    # from it (that would read under 400 mm); the first echo is the wall at x = 700.
    assert sonar.measure(175.0, 175.0, math.radians(-20)) > 500


@pytest.mark.sim_world("line-follow", seed=0)
def test_encoders_count_whole_ticks_of_wheel_travel(sim_robot):
    sim = sim_robot.simulation
    sim_robot.motors(200, 200)
    sim_robot.wait(500)
    left, right = sim_robot.encoders
    assert isinstance(left, int) and isinstance(right, int)
    counts_per_mm = sim.spec.encoder_counts_per_rev / (3.141592653589793 * sim.spec.wheel_diameter_mm)
    assert left == int(sim.body.travel_left * counts_per_mm)


def test_gyro_drift_is_seeded_and_grows_at_rest():
    def drift(seed):
        sim = prepare("line-follow", seed=seed)
        sim.tick(20000)
        return sim.read_heading()

    assert drift(4) == drift(4)
    assert drift(4) != drift(5)
    assert abs(drift(4)) < 20


@pytest.mark.sim_world("line-follow", seed=0)
def test_turn_and_straight_land_close_to_what_was_asked(sim_robot):
    sim = sim_robot.simulation
    sim_robot.turn(90)
    assert sim_robot.heading() == pytest.approx(90, abs=6)
    x0, y0 = sim.body.x, sim.body.y
    sim_robot.straight(300)
    sim.sync()
    assert ((sim.body.x - x0) ** 2 + (sim.body.y - y0) ** 2) ** 0.5 == pytest.approx(300, abs=15)


@pytest.mark.sim_world("line-follow", seed=0)
def test_colour_sensor_names_the_floor_colour(sim_robot):
    assert sim_robot.color() == "black"          # it starts centred over the line
    sim_robot.turn(90)
    assert sim_robot.color() == "white"          # now it looks at the paper beside the line
    sim_robot.led.color = "red"
    assert sim_robot.simulation.led == (255, 0, 0)


@pytest.mark.sim_world("road", seed=0)
def test_car_camera_sees_the_road_ahead(sim_robot):
    frame = sim_robot.camera.frame()
    assert frame.shape == (60, 80, 3) and frame.dtype.name == "uint8"
    bottom = frame[-10:].reshape(-1, 3).astype(int)
    # Looking down the lane: asphalt grey fills the bottom of the picture.
    grey = (abs(bottom[:, 0] - 60) < 20) & (abs(bottom[:, 1] - 62) < 20) & (abs(bottom[:, 2] - 66) < 20)
    assert grey.mean() > 0.5


@pytest.mark.parametrize("world", ["line-follow", "maze"])
def test_ultrasonic_float_and_numpy_paths_agree(world):
    sim = prepare(world, seed=0)
    sonar = sim.ultrasonic
    rng = __import__("numpy").random.default_rng(7)
    for x, y, heading in zip(rng.uniform(50, 1300, 200), rng.uniform(50, 1300, 200), rng.uniform(-4, 4, 200)):
        small = sonar._measure_few(x, y, heading)
        sonar.small = False
        full = sonar.measure(x, y, heading)
        sonar.small = True
        assert small == pytest.approx(full, abs=1e-6)
