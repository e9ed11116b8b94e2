"""The scoring engine as a coach relies on it: each rule kind, success conditions,
tie-breaks and ranking modes, on hand-made event lists."""

import pytest

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.scoring import RunEvents, distribution, ranking_score, score_run, sort_key

PACK = '''
id = "test-pack"
version = "2.1.0"
robot = "kit"
world = "line-follow"
time_limit_ms = 100000
tie_break = ["score", "time", "fewer:collision"]

[title]
en = "Test"
zh = "测试"

[[rules]]
id = "laps"
event = "lap"
points = 100
cap = 2
label = {{ en = "laps", zh = "圈" }}

[[rules]]
id = "bonus"
kind = "time-bonus"
points_per_s = 2
max_points = 50
label = {{ en = "time bonus", zh = "时间奖励" }}

[[rules]]
id = "crash"
event = "collision"
points = -10
label = {{ en = "collisions", zh = "碰撞" }}

[[rules]]
id = "clean"
kind = "success"
points = 30
label = {{ en = "clean run", zh = "完美完成" }}

[[rules]]
id = "double"
kind = "multiplier"
event = "checkpoint(gate=dip)"
factor = 1.5
cap = 1
label = {{ en = "dip bonus", zh = "下凹奖励" }}

[success]
in_order = ["lap", "lap"]
never = ["restart"]
finished = true

[ranking]
mode = "{mode}"
count = 2
'''


@pytest.fixture
def make_pack(tmp_path):
    def make(mode="best"):
        folder = tmp_path / f"pack-{mode}"
        folder.mkdir(exist_ok=True)
        (folder / "challenge.toml").write_text(PACK.format(mode=mode), encoding="utf-8")
        return load_challenge(folder)
    return make


def run(*events, end="finished", t=40.0):
    return RunEvents(tuple((time, name, fields) for time, name, fields in events), end, t)


LAP = (10.0, "lap", {"lap": 1})
LAP2 = (20.0, "lap", {"lap": 2})
DIP = (5.0, "checkpoint", {"gate": "dip", "index": 1})
HIT = (12.0, "collision", {"wall": 0})


def test_points_caps_bonus_and_multiplier_add_up(make_pack):
    pack = make_pack()
    score = score_run(pack, run(DIP, LAP, HIT, LAP2, (30.0, "lap", {"lap": 3}), t=40.0))
    parts = {r.id: r.points for r in score.breakdown}
    assert parts == {"laps": 200, "bonus": 50, "crash": -10, "clean": 30, "double": 0}   # bonus capped at 50
    assert score.success
    assert score.score == pytest.approx((200 + 50 - 10 + 30) * 1.5)


def test_success_needs_the_order_the_finish_and_never_the_forbidden_event(make_pack):
    pack = make_pack()
    assert not score_run(pack, run(LAP, end="time-limit", t=100.0)).success
    assert not score_run(pack, run(LAP, LAP2, end="time-limit", t=100.0)).success      # finished = true
    failed = score_run(pack, run(LAP, (15.0, "restart", {}), LAP2))
    assert not failed.success
    # Without success the time bonus and the success points do not count; laps still do.
    assert {r.id: r.points for r in failed.breakdown}["bonus"] == 0
    assert failed.score == 200


def test_score_never_goes_below_the_floor(make_pack):
    pack = make_pack()
    hits = [(float(i), "collision", {"wall": 0}) for i in range(30)]
    assert score_run(pack, run(*hits, end="time-limit", t=100.0)).score == 0


def test_explanation_is_one_line_in_both_languages(make_pack):
    score = score_run(make_pack(), run(LAP, HIT, LAP2, t=41.3))
    assert score.explanation["en"].startswith("Finished at 41.3 s; 2 × laps +200")
    assert "1 × collisions −10" in score.explanation["en"]
    assert score.explanation["zh"].startswith("41.3 秒完成; 2 × 圈 +200")
    assert score.explanation["en"].endswith("clean run +30 → 270 points")
    assert score.explanation["zh"].endswith("→ 共 270 分")
    assert "\n" not in score.explanation["en"] + score.explanation["zh"]


def test_tied_scores_are_ordered_by_the_tie_break(make_pack):
    pack = make_pack()
    slow = score_run(pack, run(LAP, LAP2, end="time-limit", t=100.0))
    quick_clumsy = score_run(pack, run(LAP, LAP2, HIT, (13.0, "collision", {}), end="time-limit", t=90.0))
    quick_clean = score_run(pack, run(LAP, LAP2, HIT, end="time-limit", t=90.0))
    assert slow.score == 200 and quick_clumsy.score == 180
    quick_tidy = score_run(pack, run(LAP, LAP2, end="time-limit", t=90.0))
    ordered = sorted([slow, quick_clumsy, quick_tidy, quick_clean], key=lambda s: sort_key(pack, s))
    assert ordered == [quick_tidy, slow, quick_clean, quick_clumsy]


@pytest.mark.parametrize("mode, expected", [("best", 200), ("sum-best", 300), ("mean", 100)])
def test_ranking_modes(make_pack, mode, expected):
    pack = make_pack(mode)
    scores = [score_run(pack, run(*laps, end="time-limit", t=100.0)) for laps in ([LAP, LAP2], [LAP], [])]
    assert ranking_score(pack, scores) == expected


def test_distribution_summarises_scores():
    assert distribution([1, 2, 3, 10]) == {"runs": 4, "min": 1, "median": 2.5, "mean": 4, "max": 10,
                                           "stdev": 3.54}


def test_off_path_monitor_sees_leaving_and_coming_back():
    from roboarena.sims.monitors import OffPath, WatchSpec
    from roboarena.sims.world import load_world

    world = load_world("line-follow")
    monitor = OffPath(WatchSpec("off-path", path="track", max_offset_mm=60), world)
    assert monitor._on_path(600, 300) and monitor._on_path(600, 355)
    assert not monitor._on_path(600, 365) and not monitor._on_path(1200, 800)
    assert monitor.offset(600, 340) == __import__("pytest").approx(40, abs=1)
