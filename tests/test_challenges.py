"""Challenge packs from the command line: validation of bad packs, scores that agree
between sim and score, refused traces, verify, seeds."""

import gzip
import json

import pytest

from project_paths import EXAMPLES, ROOT
from roboarena.challenges.pack import builtin_ids, load_challenge
from roboarena.cli import main

GOOD = (ROOT / "challenges" / "packs" / "maze" / "challenge.toml").read_text(encoding="utf-8")


def write_pack(tmp_path, text, name="my-pack", files=None):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "challenge.toml").write_text(text, encoding="utf-8")
    for file_name, content in (files or {}).items():
        (folder / file_name).write_text(content, encoding="utf-8")
    return folder


def validate(folder, capsys):
    code = main(["challenges", "validate", str(folder)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_every_builtin_pack_validates(capsys):
    assert len(builtin_ids()) >= 3
    for challenge_id in builtin_ids():
        code, out = validate(ROOT / "challenges" / "packs" / challenge_id, capsys)
        assert code == 0 and "is valid" in out


@pytest.mark.parametrize("change, fragments", [
    (("[[rules]]\nid = \"exit\"", "[[rules]]\nid = \"exit\"\nevent_typo = 1"), ["rules[0].event_typo", "not a known setting"]),
    (('event = "collision"', 'event = "colision"'), ["there is no event 'colision'", "collision"]),
    (('event = "zone-entered(zone=exit)"', 'event = "zone-entered(zone=exti)"'), ["no zone 'exti'", "exit"]),
    (('world = "maze"', 'world = "mazes"'), ["world = 'mazes'", "neither a built-in world"]),
    (('world = "maze"', 'world = "floor/world.toml"'), ["world.toml does not exist"]),
    (('time_limit_ms = 180000', 'time_limit_ms = 180000\ntime_limit_ms = 5'), ["line 8", "mistake"]),
    (('tie_break = ["score", "time", "fewer:collision"]', 'tie_break = ["score", "fastest"]'), ["tie_break = 'fastest'"]),
])
def test_a_bad_pack_is_refused_with_file_key_and_fix(tmp_path, capsys, change, fragments):
    old, new = change
    assert old in GOOD
    folder = write_pack(tmp_path, GOOD.replace(old, new, 1))
    code, out = validate(folder, capsys)
    assert code == 2 and "Traceback" not in out
    assert "challenge.toml" in out or "world.toml" in out
    for fragment in fragments:
        assert fragment in out


def test_a_world_scaled_so_the_robot_does_not_fit_is_refused(tmp_path, capsys):
    world = (ROOT / "sims" / "worlds" / "line-follow" / "world.toml").read_text(encoding="utf-8")
    # Every coordinate in tenths: the same drawing at a tenth of the size.
    tiny = world.replace("width_mm = 2400", "width_mm = 240").replace("height_mm = 1600", "height_mm = 200")
    for a, b in (("[1950, 800]", "[195, 80]"), ("[2250, 800]", "[225, 80]"), ("[1200, 650]", "[120, 65]"),
                 ("[1200, 1150]", "[120, 115]"), ("[150, 800]", "[15, 80]"), ("[450, 800]", "[45, 80]"),
                 ("[500, 150]", "[50, 15]"), ("[500, 450]", "[50, 45]"), ("[600, 300, 0]", "[60, 30, 0]"),
                 ("mm_per_px = 2", "mm_per_px = 1")):
        tiny = tiny.replace(a, b)
    pack = (ROOT / "challenges" / "packs" / "line-follow" / "challenge.toml").read_text(encoding="utf-8")
    folder = write_pack(tmp_path, pack.replace('world = "line-follow"', 'world = "world.toml"'),
                        files={"world.toml": tiny})
    code, out = validate(folder, capsys)
    assert code == 2
    assert "wider than the gate" in out and "mm_per_px" in out


def test_sim_json_and_score_json_agree_exactly(tmp_path, capsys):
    trace = tmp_path / "run.jsonl.gz"
    assert main(["sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--headless", "--json", "--seed", "4",
                 "--trace", str(trace)]) == 0
    simulated = json.loads(capsys.readouterr().out)
    assert main(["score", str(trace), "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert set(scored) >= {"challenge", "score", "breakdown", "explanation"}
    assert {key: simulated[key] for key in scored} == scored
    assert scored["challenge"] == "line-follow" and scored["score"] > 300
    assert set(scored["explanation"]) == {"en", "zh"}


@pytest.fixture
def recorded(tmp_path, capsys):
    trace = tmp_path / "run.jsonl"
    assert main(["sim", "maze", str(EXAMPLES / "wall_follower.py"), "--headless", "--trace", str(trace)]) == 0
    capsys.readouterr()
    return trace


def test_a_truncated_trace_is_refused(recorded, tmp_path, capsys):
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(recorded.read_text().splitlines(keepends=True)[:-40]))
    assert main(["score", str(cut)]) == 2
    assert "was cut short" in capsys.readouterr().err


def test_a_damaged_trace_names_the_line(recorded, tmp_path, capsys):
    lines = recorded.read_text().splitlines(keepends=True)
    event = next(n for n, line in enumerate(lines) if '"event":"finish"' in line)
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text("".join(lines[:event] + [lines[event][:30] + "\n"] + lines[event + 1:]))
    assert main(["score", str(damaged)]) == 2
    assert f"damaged at line {event + 1}" in capsys.readouterr().err
    # A damaged sample line (scoring does not read samples) is caught by the full check.
    lines[5] = lines[5][:30] + "\n"
    damaged.write_text("".join(lines))
    assert main(["verify", str(damaged), str(EXAMPLES / "wall_follower.py")]) == 2
    assert "damaged at line 6" in capsys.readouterr().err


def test_a_trace_of_an_unknown_pack_version_is_refused(recorded, tmp_path, capsys):
    text = recorded.read_text()
    header = json.loads(text.splitlines()[0])
    other = text.replace(header["challenge"]["hash"], "sha256:" + "0" * 64, 1)
    moved = tmp_path / "other.jsonl.gz"
    moved.write_bytes(gzip.compress(other.encode()))
    assert main(["score", str(moved)]) == 2
    err = capsys.readouterr().err
    assert "another version" in err and "--pack" in err
    # Asked for explicitly (a rules fix), another version scores, and says so.
    assert main(["score", str(moved), "--pack", str(ROOT / "challenges" / "packs" / "maze"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rescored"] is True


def test_verify_reproduces_a_trace_and_finds_a_changed_one(recorded, tmp_path, capsys):
    assert main(["verify", str(recorded), str(EXAMPLES / "wall_follower.py")]) == 0
    assert "Identical" in capsys.readouterr().out
    lines = recorded.read_text().splitlines(keepends=True)
    sample = json.loads(lines[300])
    sample["pose"][0] += 1.0
    lines[300] = json.dumps(sample, separators=(",", ":")) + "\n"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(lines))
    assert main(["verify", str(edited), str(EXAMPLES / "wall_follower.py"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["identical"] is False and report["divergence"]["line"] == 301
    assert report["divergence"]["key"] == "pose"


def test_seeds_report_the_distribution_and_the_ranking_score(capsys):
    assert main(["sim", "lane-keeping", str(EXAMPLES / "lane_keeper.py"), "--seeds", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [run["seed"] for run in report["runs"]] == [0, 1, 2]
    assert report["distribution"]["runs"] == 3 and report["successes"] == 3
    assert report["ranking"]["mode"] == "mean"
    assert report["ranking"]["score"] == pytest.approx(sum(r["score"] for r in report["runs"]) / 3, abs=0.01)


def test_challenges_list_and_show(capsys):
    assert main(["challenges", "list", "--json"]) == 0
    listed = {c["id"]: c for c in json.loads(capsys.readouterr().out)["challenges"]}
    assert {"line-follow", "maze", "lane-keeping"} <= set(listed)
    assert listed["maze"]["hash"] == "sha256:" + load_challenge("maze").content_hash
    assert main(["--lang", "zh", "challenges", "show", "maze"]) == 0
    assert "迷宫寻出口" in capsys.readouterr().out


def test_a_challenge_forbids_sensors_it_does_not_allow(write_program, capsys):
    program = write_program("from roboarena import Robot\nrobot = Robot()\nrobot.line.read()\n")
    assert main(["sim", "maze", str(program), "--headless"]) == 2
    assert "does not allow the line sensor" in capsys.readouterr().err


STRAIGHT_AHEAD = "from roboarena import Robot\nrobot = Robot()\nwhile robot.running:\n    robot.drive(200, 0)\n    robot.wait(10)\n"


@pytest.mark.parametrize("challenge, good, mediocre", [
    ("line-follow", ("line_follower.py", None), ("line_follower.py", ("SPEED = 250", "SPEED = 120"))),
    ("maze", ("wall_follower.py", None), ("wall_follower.py", ('HAND = "left"', 'HAND = "right"'))),
])
def test_good_mediocre_and_bad_programs_rank_in_that_order(challenge, good, mediocre, tmp_path):
    from roboarena.challenges.scoring import sort_key
    from roboarena.cli import score_of
    from roboarena.sims.runner import run_challenge

    def program(name, change):
        source = (EXAMPLES / name).read_text()
        if change:
            assert change[0] in source
            source = source.replace(*change)
        path = tmp_path / f"{len(list(tmp_path.iterdir()))}.py"
        path.write_text(source)
        return path

    bad = tmp_path / "bad.py"
    bad.write_text(STRAIGHT_AHEAD)
    pack = load_challenge(challenge)
    scores = [score_of(run_challenge(challenge, path, seed=1).simulation)
              for path in (program(*good), program(*mediocre), bad)]
    assert sorted(scores, key=lambda s: sort_key(pack, s)) == scores
    assert scores[0].score > scores[1].score > scores[2].score


def test_scoring_never_crashes_on_a_valid_trace_with_odd_events(recorded, tmp_path, capsys):
    lines = recorded.read_text().splitlines(keepends=True)
    odd = ['{"type":"event","t":1.0,"event":"referee-note","text":"robot lifted"}\n',
           '{"type":"event","t":1.5,"event":"zone-entered"}\n',
           '{"type":"event","t":2.0,"event":"collision","wall":"north","front":null}\n']
    end = json.loads(lines[-1])
    end["events"] += len(odd)
    text = "".join(lines[:2] + odd + lines[2:-1]) + json.dumps(end) + "\n"
    weird = tmp_path / "odd.jsonl"
    weird.write_text(text)
    assert main(["score", str(weird), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["breakdown"][2]["count"] == 1        # the odd collision still counts as one
