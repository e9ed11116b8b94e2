"""The rescue-line challenge: the reference program gets round the whole course (gaps,
green markers, the box) without being put back, and the pack's scores put a good program
above a plain line follower above one that only drives straight on."""

import pytest

from project_paths import EXAMPLES
from roboarena.challenges.pack import load_challenge
from roboarena.challenges.scoring import sort_key
from roboarena.cli import score_of
from roboarena.sims.runner import prepare, run_program

REFERENCE = EXAMPLES / "rescue_line.py"
PLAIN_FOLLOWER = EXAMPLES / "line_follower.py"   # follows the line, but knows no gaps, markers or boxes
STRAIGHT_ON = """\
from roboarena import Robot

robot = Robot()
while robot.running:
    robot.drive(speed=100)
    robot.wait(50)
"""


def run(program, seed):
    simulation = prepare("rescue-line", seed=seed)
    run_program(program, simulation)
    return simulation, score_of(simulation)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_program_finishes_the_course(seed):
    simulation, score = run(REFERENCE, seed)
    assert score.success and score.outcome == "finished"
    assert score.counts.get("restart", 0) == 0 and score.counts.get("no-progress", 0) == 0
    assert score.counts.get("collision", 0) == 0
    # Every checkpoint, in order, and the box was passed (the multiplier counted once).
    gates = [fields["gate"] for _, name, fields in simulation.events if name == "checkpoint"]
    assert gates == [gate.name for gate in simulation.world.gates]
    by_rule = {rule.id: rule for rule in score.breakdown}
    assert by_rule["obstacle"].count == 1 and by_rule["finish"].points > 0
    assert score.time_s < 90


def test_scores_rank_good_above_plain_above_bad(write_program):
    challenge = load_challenge("rescue-line")
    programs = {"reference": REFERENCE, "plain": PLAIN_FOLLOWER, "straight": write_program(STRAIGHT_ON)}
    scores = {name: run(path, 0)[1] for name, path in programs.items()}
    assert scores["reference"].score > scores["plain"].score > scores["straight"].score
    ranked = sorted(scores, key=lambda name: sort_key(challenge, scores[name]))
    assert ranked == ["reference", "plain", "straight"]
    assert scores["reference"].success and not scores["plain"].success and not scores["straight"].success


def test_a_short_cut_to_the_finish_tile_scores_nothing_for_it(write_program):
    """Driving across the floor into the finish tile ends the run but is no success."""
    program = write_program("""\
from roboarena import Robot

robot = Robot()
robot.turn(36)          # from the start tile straight at the finish tile
robot.straight(2400, speed=300)
""")
    simulation, score = run(program, 0)
    assert "finish" in {fields.get("zone") for _, name, fields in simulation.events if name == "zone-entered"}
    by_rule = {rule.id: rule for rule in score.breakdown}
    assert not score.success and by_rule["finish"].points == 0 and by_rule["time-bonus"].points == 0
