"""A pytest plugin for testing robot programs in the simulator (registered through the
``pytest11`` entry point, so installing roboarena is enough).

A class tests its own programs like this::

    import pytest

    @pytest.mark.sim_world("line-follow", seed=3)
    def test_my_follower_finishes_a_lap(run_sim):
        result = run_sim("my_follower.py")
        assert result.laps >= 1

    @pytest.mark.sim_world("maze")
    def test_robot_stops_before_the_wall(sim_robot):
        sim_robot.drive(200)
        while sim_robot.distance() > 150:
            sim_robot.wait(10)
        sim_robot.stop()
        assert sim_robot.simulation.collisions == 0

``sim_robot`` is a ``Robot`` (or a ``Car`` in a car world) connected to a fresh simulation,
which ``sim_robot.simulation`` exposes (time, events, laps, samples). ``run_sim`` runs a
program file to its end and returns its result. The world and seed come from the
``sim_world`` marker, or from ``indirect`` parametrisation with a dict.
"""

from __future__ import annotations

from pathlib import Path

import pytest

DEFAULT_WORLD = "line-follow"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sim_world(world, seed=0, robot=None): the simulated world the sim_robot and run_sim fixtures use")


def _options(request) -> dict:
    options = {"world": DEFAULT_WORLD, "seed": 0, "robot": None}
    marker = request.node.get_closest_marker("sim_world")
    if marker is not None:
        if marker.args:
            options["world"] = marker.args[0]
        options.update(marker.kwargs)
    if isinstance(getattr(request, "param", None), dict):
        options.update(request.param)
    return options


@pytest.fixture
def sim_robot(request):
    """A Robot or Car in a fresh simulation of the marked world (default: line-follow, seed 0)."""
    from roboarena import Car, Robot
    from roboarena.sims.link import offer
    from roboarena.sims.runner import prepare

    options = _options(request)
    simulation = prepare(options["world"], seed=options["seed"], robot=options["robot"])
    offer(simulation)
    robot_class = Robot if simulation.spec.kind == "kit" else Car
    try:
        robot = robot_class(f"sim://{simulation.world.name}?seed={simulation.seed}")
    finally:
        offer(None)
    robot.simulation = simulation
    yield robot


@pytest.fixture
def run_sim(request):
    """``run_sim(program, world=None, seed=None)``: run a program file in a fresh simulation
    and return its RunResult (``result.simulation`` holds the whole run)."""
    from roboarena.sims.runner import prepare, run_program

    options = _options(request)

    def run(program: str | Path, world: str | None = None, seed: int | None = None, robot: str | None = None):
        simulation = prepare(world or options["world"], seed=options["seed"] if seed is None else seed,
                             robot=robot or options["robot"])
        return run_program(program, simulation)

    return run
