"""The student API's promises: clear errors for bad arguments, connection by URL."""

import pytest

from roboarena import Car, Robot
from roboarena.errors import BadArgument, ConnectError


@pytest.mark.sim_world("line-follow")
def test_a_speed_over_the_maximum_says_what_the_maximum_is(sim_robot):
    with pytest.raises(BadArgument) as caught:
        sim_robot.drive(speed=900)
    assert "900 mm/s" in str(caught.value) and "maximum is 600 mm/s" in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.sim_world("line-follow")
@pytest.mark.parametrize("call, fragment", [
    (lambda r: r.drive(100, turn_rate=2000), "turn_rate = 2000 deg/s"),
    (lambda r: r.drive("fast"), "speed must be a number"),
    (lambda r: r.wait(-5), "ms = -5 ms is out of range"),
    (lambda r: r.left_motor.run(700), "maximum is 600 mm/s"),
    (lambda r: r.beep(frequency_hz=5), "frequency_hz = 5 Hz"),
])
def test_bad_arguments_name_the_argument_and_its_range(sim_robot, call, fragment):
    with pytest.raises(BadArgument) as caught:
        call(sim_robot)
    assert fragment in str(caught.value)


@pytest.mark.sim_world("line-follow")
def test_led_accepts_names_and_rgb_and_refuses_the_rest(sim_robot):
    sim_robot.led.color = (0, 10, 200)
    sim_robot.led.color = "green"
    assert sim_robot.simulation.led == (0, 255, 0)
    with pytest.raises(BadArgument, match="not known"):
        sim_robot.led.color = "pink"


@pytest.mark.sim_world("line-follow")
def test_drive_scales_both_wheels_when_one_would_be_over_the_maximum(sim_robot):
    sim_robot.drive(600, 200)
    left, right = sim_robot.simulation.body.cmd_left, sim_robot.simulation.body.cmd_right
    assert max(abs(left), abs(right)) == pytest.approx(600)
    assert right > left


def test_robot_without_a_url_says_how_to_connect_one():
    with pytest.raises(ConnectError) as caught:
        Robot()
    assert "roboarena sim line-follow" in str(caught.value)


def test_robot_follows_roboarena_url(monkeypatch):
    monkeypatch.setenv("ROBOARENA_URL", "sim://maze?seed=5")
    robot = Robot()
    assert robot._link.sim.world.name == "maze" and robot._link.sim.seed == 5


def test_the_wrong_robot_class_for_a_world_says_which_to_use():
    with pytest.raises(ConnectError, match=r"Use Car\(\)"):
        Robot("sim://road")
    assert Car("sim://road").max_steering == 28


@pytest.mark.parametrize("url, fragment", [
    ("sim://line-follow?speed=9", "speed='9'"),
    ("sim://line-follow?seed=-1", "seed='-1'"),
    ("/dev/ttyUSB0", "There is no serial port /dev/ttyUSB0"),
])
def test_unusable_urls_are_refused_with_the_reason(url, fragment):
    with pytest.raises(ConnectError) as caught:
        Robot(url)
    assert fragment in str(caught.value)
