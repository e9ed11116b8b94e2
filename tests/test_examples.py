"""Each example program does its job in the world it was written for, over several
seeds (noise, motor mismatch, gyro bias): not just that it runs."""

import math

import pytest

from project_paths import EXAMPLES

SEEDS = [0, 1, 2, 3, 4]


def distance_to_path(x, y, path):
    best = math.inf
    for (ax, ay), (bx, by) in zip(path, path[1:]):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        best = min(best, math.hypot(x - ax - t * dx, y - ay - t * dy))
    return best


@pytest.mark.parametrize("seed", SEEDS)
def test_line_follower_finishes_two_laps_on_the_line(run_sim, seed):
    result = run_sim(EXAMPLES / "line_follower.py", "line-follow", seed)
    assert result.outcome == "finished" and result.laps == 2 and result.collisions == 0
    assert result.sim_time_s < 60
    # It follows the line, not a short cut: the robot's centre stays near the track.
    track = result.simulation.world.paths["track"]
    worst = max(distance_to_path(s[1], s[2], track) for s in result.simulation.samples[::10])
    assert worst < 60


@pytest.mark.parametrize("seed", SEEDS)
def test_wall_follower_gets_out_of_the_maze_without_touching_a_wall(run_sim, seed):
    result = run_sim(EXAMPLES / "wall_follower.py", "maze", seed)
    assert result.outcome == "finished" and result.collisions == 0
    assert "exit" in {e[2].get("zone") for e in result.simulation.events if e[1] == "zone-entered"}
    assert result.sim_time_s < 90


@pytest.mark.parametrize("seed", SEEDS)
def test_lane_keeper_keeps_its_lane_and_stops_at_the_stop_line(run_sim, seed):
    result = run_sim(EXAMPLES / "lane_keeper.py", "road", seed)
    assert result.outcome == "finished" and result.laps == 1 and result.collisions == 0
    simulation = result.simulation
    lane = simulation.world.paths["right-lane"]
    assert max(distance_to_path(s[1], s[2], lane) for s in simulation.samples[::5]) < 120
    # Standing still (measured speed 0) for at least a second, just before the stop line.
    still = [s[0] for s in simulation.samples if s[4] == 0.0 and 2300 <= s[1] <= 2660 and s[2] < 600]
    assert still and max(still) - min(still) >= 1000
    assert "stop-line" in {e[2].get("zone") for e in simulation.events if e[1] == "zone-entered"}


def test_lane_keeper_without_the_stop_does_not_stop(run_sim, tmp_path):
    """The stop test above can fail: the same program with its stop removed never stands still."""
    source = (EXAMPLES / "lane_keeper.py").read_text().replace("and stop_line_ahead(white)", "and False")
    program = tmp_path / "no_stop.py"
    program.write_text(source)
    simulation = run_sim(program, "road", 0).simulation
    assert not [s for s in simulation.samples if s[4] == 0.0 and 2300 <= s[1] <= 2660]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_lane_keeper_succeeds_at_lane_keeping_and_waits_for_the_light(run_sim, seed):
    from roboarena.cli import score_of

    result = run_sim(EXAMPLES / "lane_keeper.py", "lane-keeping", seed)
    score = score_of(result.simulation)
    assert score.success and score.counts.get("red-light", 0) == 0 and score.counts.get("off-path", 0) == 0
    # It waited at the line for the light to turn green (red for the first 8 s).
    moved_on = min(e[0] for e in result.simulation.events if e[1] == "zone-entered" and e[2]["zone"] == "junction")
    assert moved_on >= 8000


def test_a_car_that_runs_the_red_light_scores_less_and_fails(run_sim, tmp_path):
    from roboarena.cli import score_of

    source = (EXAMPLES / "lane_keeper.py").read_text().replace("and red_light(car.camera.frame())", "and False")
    program = tmp_path / "runs_red.py"
    program.write_text(source)
    careless = score_of(run_sim(program, "lane-keeping", 0).simulation)
    careful = score_of(run_sim(EXAMPLES / "lane_keeper.py", "lane-keeping", 0).simulation)
    assert careless.counts.get("red-light") == 1 and not careless.success
    assert careful.score > careless.score
