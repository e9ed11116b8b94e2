"""The parking challenge: the reference program parks (whole car in the bay, lined up, still
for 2 s, nothing touched) over several seeds, and the scoring ranks a good park above a
crooked one, and a crooked one above standing beside the bay or hitting a parked car."""

import json

import pytest

from project_paths import EXAMPLES
from roboarena.challenges.pack import load_challenge
from roboarena.challenges.scoring import sort_key
from roboarena.cli import main, score_of
from roboarena.sims.runner import prepare, run_program

REFERENCE = EXAMPLES / "parking.py"

# Drives alongside the red car, reverses with full right lock, then straight back: the
# centre ends in the bay (+30) but the car stands at about 45 degrees, so it is not parked.
CROOKED = """
import math
from roboarena import Car
car = Car()
MM = math.pi * 65 / 840
def travelled():
    return sum(car.encoders) / 2 * MM
def move(distance, steering, speed=150):
    goal = travelled() + distance
    sign = 1 if distance > 0 else -1
    while (goal - travelled()) * sign > 20:
        car.drive(sign * speed, steering)
        car.wait(10)
    car.stop()
    car.wait(600)
move(1880, 0, 300)
move(-300, -28)
move(-250, 0)
car.wait(2500)
"""

# Drives up until level with the bay and stops there, in the lane: never gets in.
BESIDE = """
import math
from roboarena import Car
car = Car()
while sum(car.encoders) / 2 * math.pi * 65 / 840 < 1430:
    car.drive(300, 0)
    car.wait(10)
car.stop()
car.wait(3000)
"""

# Turns right far too early and drives into the blue parked car.
CRASH = """
from roboarena import Car
car = Car()
car.drive(300, 0)
car.wait(2500)
car.drive(300, -20)
car.wait(2500)
car.stop()
car.wait(1000)
"""


def run(program, seed=0):
    simulation = prepare("parking", seed=seed)
    result = run_program(program, simulation)
    return result, score_of(simulation)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_program_parks_without_touching_anything(seed):
    result, score = run(REFERENCE, seed)
    assert score.success and result.collisions == 0
    assert result.outcome == "program-ended" and result.sim_time_s < 30
    parked = [e for e in result.simulation.events if e[1] == "stop-held"]
    assert len(parked) == 1 and parked[0][2]["zone"] == "bay"
    # It really is parked: the whole body inside the bay outline, lined up with the street.
    zone = next(z for z in result.simulation.world.zones if z.name == "bay")
    body = result.simulation.body
    assert all(zone.contains(x, y) for x, y in body.corners())
    t, x, y, heading = result.simulation.samples[-1][:4]
    assert abs(heading) < 3 and abs(x - 1835) < 25


def test_json_result_says_parked(capsys):
    code = main(["sim", "parking", str(REFERENCE), "--headless", "--json", "--seed", "3"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["success"] is True and result["collisions"] == 0
    assert {rule["id"]: rule["count"] for rule in result["breakdown"]}["parked"] == 1


def test_scores_rank_a_good_park_above_a_crooked_one_above_none(write_program):
    challenge = load_challenge("parking")
    scores = {"reference": run(REFERENCE)[1]}
    for name, source in (("crooked", CROOKED), ("beside", BESIDE), ("crash", CRASH)):
        scores[name] = run(write_program(source, f"{name}.py"))[1]
    reference, crooked, beside, crash = (scores[n] for n in ("reference", "crooked", "beside", "crash"))

    assert reference.success and not crooked.success and not beside.success and not crash.success
    assert reference.score > crooked.score > beside.score
    assert crooked.score == 30                           # into the bay, not parked
    assert crash.counts.get("collision", 0) >= 1
    # Standing beside the bay and crashing both score 0 (scores never go below 0); the
    # tie-break puts the run that hit nothing first.
    assert beside.score == crash.score == 0
    order = sorted(scores, key=lambda name: sort_key(challenge, scores[name]))
    assert order == ["reference", "crooked", "beside", "crash"]
