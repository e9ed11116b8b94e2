"""The motion model: exact arcs, the motor lag's closed form, deadband, saturation,
mismatch, walls, and lockstep time."""

import math

import pytest

from roboarena import RunOver
from roboarena.sims.physics import arc, lagged_travel


def test_lagged_travel_matches_fine_integration():
    speed, target, tau, dt = 0.0, 400.0, 0.06, 0.05
    distance, final = lagged_travel(speed, target, dt, tau)
    v, travelled, h = speed, 0.0, 1e-6
    for _ in range(int(dt / h)):
        travelled += v * h
        v += (target - v) * h / tau
    assert distance == pytest.approx(travelled, rel=1e-4)
    assert final == pytest.approx(v, rel=1e-4)


def test_arc_of_a_full_turn_returns_to_the_start():
    x, y, heading = arc(100.0, 200.0, 0.3, 2 * math.pi * 250, 2 * math.pi)   # a circle of radius 250
    assert (x, y) == pytest.approx((100.0, 200.0), abs=1e-6)
    assert heading == pytest.approx(0.3 + 2 * math.pi)


def test_arc_pieces_add_up_to_the_whole_arc():
    whole = arc(0.0, 0.0, 0.0, 300.0, 1.2)
    x, y, h = 0.0, 0.0, 0.0
    for _ in range(10):
        x, y, h = arc(x, y, h, 30.0, 0.12)
    assert (x, y, h) == pytest.approx(whole, abs=1e-9)


@pytest.mark.sim_world("line-follow", seed=0)
def test_straight_drive_covers_speed_times_time_minus_the_lag(sim_robot):
    sim = sim_robot.simulation
    start_x = sim.body.x
    sim_robot.motors(300, 300)
    sim_robot.wait(1000)
    sim.sync()
    tau = sim.spec.motor.time_constant_ms / 1000
    # Each wheel runs at its own gain (motor mismatch), so allow for a few percent.
    expected = 300 * (1.0 - tau * (1 - math.exp(-1.0 / tau)))
    assert sim.body.x - start_x == pytest.approx(expected, rel=0.08)


@pytest.mark.sim_world("line-follow", seed=0)
def test_a_command_inside_the_deadband_does_not_move_the_robot(sim_robot):
    sim = sim_robot.simulation
    deadband = sim.spec.motor.deadband * sim.spec.motor.max_speed
    before = (sim.body.x, sim.body.y)
    sim_robot.motors(deadband * 0.9, deadband * 0.9)
    sim_robot.wait(2000)
    sim.sync()
    assert (sim.body.x, sim.body.y) == before


def test_motor_mismatch_comes_from_the_seed():
    from roboarena.sims.runner import prepare

    gains = [(prepare("line-follow", seed=s).body.gain_left, prepare("line-follow", seed=s).body.gain_right)
             for s in (1, 1, 2)]
    assert gains[0] == gains[1]
    assert gains[0] != gains[2]


@pytest.mark.sim_world("maze", seed=0)
def test_driving_into_a_wall_stops_the_robot_and_records_one_collision(sim_robot):
    sim = sim_robot.simulation
    sim_robot.drive(300)            # the first wall ahead of the start is at x = 700
    sim_robot.wait(5000)
    assert sim_robot.bumper.pressed
    sim.sync()
    stopped_at = sim.body.x
    sim_robot.wait(1000)
    sim.sync()
    assert sim.body.x == pytest.approx(stopped_at, abs=1.0)
    assert sim.collisions == 1
    sim_robot.drive(-200)
    sim_robot.wait(500)
    assert not sim_robot.bumper.pressed


@pytest.mark.sim_world("line-follow", seed=0)
def test_the_run_ends_at_its_time_limit_inside_the_next_call(sim_robot):
    sim = sim_robot.simulation
    sim_robot.wait(sim.time_limit_ms + 5000)
    assert sim.t_ms == sim.time_limit_ms
    assert not sim_robot.running
    with pytest.raises(RunOver):
        sim_robot.line.read()


@pytest.mark.sim_world("line-follow", seed=0)
def test_every_robot_call_costs_link_latency_so_busy_loops_advance(sim_robot):
    before = sim_robot.time_ms
    for _ in range(100):
        sim_robot.line.read()
    assert sim_robot.time_ms - before == pytest.approx(100 * sim_robot.spec.link_latency_ms)
