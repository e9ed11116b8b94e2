"""Sumo: two programs, two robots, one ring, in lockstep virtual time."""

import pytest

from project_paths import EXAMPLES
from roboarena.challenges.pack import load_challenge
from roboarena.challenges.scoring import sort_key
from roboarena.cli import score_of
from roboarena.errors import ProgramError
from roboarena.sims.runner import prepare_match, run_challenge, run_match
from roboarena.sims.trace import records

CHARGER = "from roboarena import Robot\nrobot = Robot()\nwhile robot.running:\n    robot.drive(400, 0)\n    robot.wait(10)\n"
SPINNER = "from roboarena import Robot\nrobot = Robot()\nwhile robot.running:\n    robot.drive(0, 90)\n    robot.wait(10)\n"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_pusher_pushes_the_sparring_partner_out(seed):
    result = run_challenge("sumo", EXAMPLES / "sumo_pusher.py", seed=seed)
    score = score_of(result.simulation)
    assert score.success and score.score == 3
    opponent = result.simulation.others[0]
    assert [e[1] for e in opponent.events if e[1] == "out"] == ["out"]
    assert not [e for e in result.simulation.events if e[1] == "out"]


def test_searching_and_charging_beats_charging_blind_beats_spinning(write_program):
    pack = load_challenge("sumo")
    scores = {name: score_of(run_challenge("sumo", path, seed=0).simulation)
              for name, path in (("pusher", EXAMPLES / "sumo_pusher.py"), ("charger", write_program(CHARGER, "c.py")),
                                 ("spinner", write_program(SPINNER, "s.py")))}
    ranked = sorted(scores, key=lambda name: sort_key(pack, scores[name]))
    assert ranked == ["pusher", "charger", "spinner"]
    assert scores["spinner"].score == 0 and scores["charger"].score == 3


def test_a_bout_is_deterministic():
    def bout():
        result = run_challenge("sumo", EXAMPLES / "sumo_pusher.py", seed=5,
                               opponent=EXAMPLES / "sumo_pusher.py")
        simulation = result.simulation
        return [list(records(s)) for s in (simulation, *simulation.others)]

    first, second = bout(), bout()
    for one, two in zip(first, second):
        assert one[1:] == two[1:]        # everything but the header's wall-clock start time


def test_a_hung_opponent_is_stopped_and_the_bout_goes_on(write_program):
    hang = write_program("from roboarena import Robot\nrobot = Robot()\nwhile True:\n    pass\n", "hang.py")
    simulations = prepare_match("sumo", seed=0)
    outcomes = run_match([EXAMPLES / "sumo_pusher.py", hang], simulations, hang_guard_s=1.0)
    assert isinstance(outcomes[1], ProgramError) and "without letting any robot time pass" in str(outcomes[1])
    assert score_of(outcomes[0].simulation).success


def test_nobody_out_at_the_time_limit_is_a_draw_worth_one(write_program):
    spinner = write_program(SPINNER, "spin.py")
    result = run_challenge("sumo", spinner, seed=0, opponent=spinner)
    score = score_of(result.simulation)
    assert result.simulation.over == "time-limit"
    assert score.score == 1 and not score.success
    assert [e[1] for e in result.simulation.events].count("draw") == 1
