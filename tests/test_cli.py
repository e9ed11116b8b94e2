"""The command line as a student meets it: results, and a clear message with exit code 2
(never a Python traceback from roboarena) for every kind of bad input."""

import json
import os
import subprocess
import sys

import pytest

from project_paths import EXAMPLES
from roboarena.cli import main


def run_cli(*args, timeout=60):
    env = dict(os.environ, ROBOARENA_LANG="en", SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run([sys.executable, "-m", "roboarena", *args], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_sim_json_prints_one_object_with_the_result(capsys):
    code = main(["sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--headless", "--json", "--seed", "2"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["outcome"] == "finished" and result["laps"] == 2 and result["seed"] == 2


def test_sim_human_output_summarises_the_run(capsys):
    assert main(["sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--headless"]) == 0
    out = capsys.readouterr().out
    assert "Laps: 2" in out and "Collisions: 0" in out


def test_messages_come_in_chinese_too(capsys):
    assert main(["--lang", "zh", "sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--headless"]) == 0
    assert "圈数：2" in capsys.readouterr().out


BAD_PROGRAMS = {
    "syntax error": ("from roboarena import Robot\nrobot = Robot()\nwhile robot.running\n    robot.wait(10)\n",
                     ["syntax error on line 3", "while robot.running"]),
    "exception": ("from roboarena import Robot\nrobot = Robot()\nrobot.wait(10)\nprint(speed)\n",
                  ["line 4", "NameError", "print(speed)"]),
    "out of range": ("from roboarena import Robot\nrobot = Robot()\nrobot.drive(speed=5000)\n",
                     ["line 3", "5000 mm/s", "maximum is 600 mm/s"]),
    "never calls the robot": ("from roboarena import Robot\nrobot = Robot()\nx = 0\nwhile True:\n    x += 1\n",
                              ["without letting any robot time pass", "robot.wait(10)"]),
    "loops on running only": ("from roboarena import Robot\nrobot = Robot()\nwhile robot.running:\n    pass\n",
                              ["without letting any robot time pass"]),
}


@pytest.mark.parametrize("case", sorted(BAD_PROGRAMS))
def test_a_bad_program_gets_a_clear_message_and_exit_code_2(case, write_program):
    source, expected = BAD_PROGRAMS[case]
    program = write_program(source)
    done = run_cli("sim", "line-follow", str(program), "--headless")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    for fragment in expected:
        assert fragment in done.stderr


def test_a_failed_run_still_writes_its_trace(write_program, tmp_path, capsys):
    program = write_program("from roboarena import Robot\nrobot = Robot()\nrobot.drive(100)\nrobot.wait(500)\n1 / 0\n")
    trace = tmp_path / "run.jsonl"
    assert main(["sim", "line-follow", str(program), "--headless", "--trace", str(trace)]) == 2
    lines = [json.loads(line) for line in trace.read_text().splitlines()]
    assert lines[-1]["type"] == "end" and lines[-1]["reason"] == "error"
    assert "ZeroDivisionError" in capsys.readouterr().err


@pytest.mark.parametrize("args, expected", [
    (["sim", "lin-follow", "PROGRAM", "--headless"], ["no world called 'lin-follow'", "line-follow, maze, road"]),
    (["sim", "line-follow", "missing.py", "--headless"], ["missing.py does not exist"]),
    (["sim", "line-follow", "PROGRAM", "--headless", "--robot", "no-such-kit"], ["no-such-kit does not exist", "kit"]),
])
def test_bad_command_line_input_exits_2_with_the_fix(args, expected, capsys):
    args = [str(EXAMPLES / "line_follower.py") if a == "PROGRAM" else a for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    for fragment in expected:
        assert fragment in err


def test_a_malformed_world_names_the_file_and_line(tmp_path, capsys):
    world = tmp_path / "my-world"
    world.mkdir()
    (world / "world.toml").write_text('name = "mine"\nwidth_mm = 1000\nheight_mm = [oops\n', encoding="utf-8")
    assert main(["sim", str(world), str(EXAMPLES / "line_follower.py"), "--headless"]) == 2
    err = capsys.readouterr().err
    assert "world.toml has a mistake on line 3" in err


def test_a_malformed_robot_spec_names_the_key(tmp_path, capsys):
    spec = tmp_path / "my-kit.toml"
    spec.write_text((EXAMPLES.parent / "sims" / "robots" / "kit.toml").read_text().replace(
        "axle_track_mm = 130", "axle_track_mm = -5"), encoding="utf-8")
    assert main(["sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--headless", "--robot", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "drive.axle_track_mm = -5" in err and "between 20 and 1000" in err


def test_bad_seed_is_refused_by_the_parser():
    done = run_cli("sim", "line-follow", str(EXAMPLES / "line_follower.py"), "--seed", "abc")
    assert done.returncode == 2
    assert "--seed must be a whole number" in done.stderr
