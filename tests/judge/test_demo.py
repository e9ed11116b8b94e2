"""`roboarena demo`: a demo judge made by the real path, the example teams' programs
submitted to it and run by its evaluator, the leaderboards printed (and in the database),
then served until stopped.

The whole demo (18 simulated runs) runs once for this module, with --no-serve; the
other tests cut the rounds down to what they need."""

import contextlib
import io
import json
import re
import socket
import threading
import urllib.request
from types import SimpleNamespace

import pytest
from rich.console import Console
from sqlalchemy import select

from roboarena.cli import main
from roboarena.judge import db, demo
from roboarena.judge.models import Competition, Round, Run, User

CHALLENGES = [challenge for challenge, _ in demo.EXAMPLE_ROUNDS]
ROW = re.compile(r"│\s+(\d+) │ (\w+)\s+│\s+([\d.]+) │")      # rank, team, score of a leaderboard row


@pytest.fixture(scope="module")
def english():
    """English messages (`--lang en` would leave ROBOARENA_LANG set for the tests after these)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ROBOARENA_LANG", "en")
        yield


@pytest.fixture(scope="module")
def finished(tmp_path_factory, english):
    """The whole demo, printed and not served."""
    instance = tmp_path_factory.mktemp("demo") / "judge"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["demo", "--no-serve", "--instance", str(instance)])
    return SimpleNamespace(instance=instance, code=code, output=printed.getvalue())


def boards(output: str) -> dict[str, dict[str, int]]:
    """Each printed leaderboard by its challenge: {team: rank}."""
    found = {}
    for section in re.split(r"\nRound \d+: ", output)[1:]:
        challenge = re.match(r".*?\(([\w-]+)\)\n", section).group(1)
        found[challenge] = {team: int(rank) for rank, team, _ in ROW.findall(section)}
    return found


def test_the_demo_prints_a_leaderboard_per_round_where_the_example_beats_its_slowed_copy(finished):
    assert finished.code == 0
    printed = boards(finished.output)
    assert list(printed) == CHALLENGES
    for challenge, ranks in printed.items():
        assert set(ranks) == {"Pandas", "Tortoises", "Hares"}, (challenge, finished.output)
        assert ranks["Pandas"] < ranks["Tortoises"], (challenge, ranks)
    assert "18 of 18 programs scored" in finished.output
    assert "Same score as Pandas; placed by time" in finished.output       # sumo: every bout won, time decides
    assert f"roboarena judge --instance {finished.instance} serve" in finished.output


def test_the_demo_judge_holds_the_competition_the_teams_and_their_scored_programs(finished):
    password = re.search(r"user admin, password (\S+) \(shown only this once\)", finished.output).group(1)
    app = demo.open_app(finished.instance)
    try:
        with app.app_context():
            session = db.session()
            competition = session.scalars(select(Competition)).one()
            assert competition.name == "roboarena demo cup"
            assert sorted(team.name for team in competition.teams) == ["Hares", "Pandas", "Tortoises"]
            rounds = session.scalars(select(Round).order_by(Round.id)).all()
            assert [round_.challenge_id for round_ in rounds] == CHALLENGES
            runs = session.scalars(select(Run)).all()
            assert len(runs) == len(CHALLENGES) * 3
            # Submitted as programs and run by the judge's evaluator, each scored with a trace.
            assert all(run.program_path and run.trace_path and run.status == "scored" and run.success
                       and run.score > 0 for run in runs)
            assert {(run.round.challenge_id, run.team.name) for run in runs} == \
                {(challenge, team.name) for challenge in CHALLENGES for team in competition.teams}
            admin = session.scalars(select(User).where(User.username == "admin")).one()
            assert admin.role == "admin" and admin.check_password(password)
    finally:
        db.dispose(app)


def test_json_gives_the_results_and_the_leaderboards(tmp_path, capsys, english, monkeypatch):
    monkeypatch.setattr(demo, "EXAMPLE_ROUNDS", [("line-follow", "line_follower.py"), ("sumo", "sumo_pusher.py")])
    assert main(["demo", "--json", "--instance", str(tmp_path / "demo")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] == 0
    assert [round_["challenge"] for round_ in result["rounds"]] == ["line-follow", "sumo"]
    for round_ in result["rounds"]:
        ranks = {row["team"]: row["rank"] for row in round_["leaderboard"]}
        assert ranks["Pandas"] < ranks["Tortoises"]
    assert len(result["runs"]) == 6
    assert all(run["status"] == "scored" and run["success"] for run in result["runs"])
    assert {tuple(run["changes"]) for run in result["runs"] if run["team"] == "Tortoises"} == \
        {("SPEED = 180",), ("robot.drive(150, 0)",)}


def test_a_program_that_cannot_be_run_shows_as_failed_with_its_reason(tmp_path, capsys, english, monkeypatch):
    monkeypatch.setattr(demo, "EXAMPLE_ROUNDS", [("line-follow", "line_follower.py")])
    broken = {"stock": {},
              "slow": {"line-follow": [("robot = Robot()", "robot = Robot(")]},      # a syntax error
              "bold": {"line-follow": [("no such text", "x")]}}                     # an edit that finds nothing
    monkeypatch.setattr(demo, "TEAM_EDITS", broken)
    assert main(["demo", "--no-serve", "--instance", str(tmp_path / "demo")]) == 1
    captured = capsys.readouterr()
    both = captured.out + captured.err
    assert "Tortoises in line-follow: the program could not be scored" in captured.err
    assert "syntax error" in both and "no longer contains it" in both
    assert "1 of 3 programs scored" in captured.out and "2 of 3 programs could not be scored" in captured.out
    assert boards(captured.out)["line-follow"] == {"Pandas": 1}
    assert "Traceback" not in both


def test_a_folder_holding_other_files_is_left_alone(tmp_path, capsys, english):
    keep = tmp_path / "my-judge" / "judge.db"
    keep.parent.mkdir()
    keep.write_text("not the demo's", encoding="utf-8")
    assert main(["demo", "--no-serve", "--instance", str(keep.parent)]) == 2
    assert "did not make, so it is left alone" in capsys.readouterr().err
    assert keep.read_text(encoding="utf-8") == "not the demo's"


def test_the_served_demo_shows_the_leaderboard_until_it_is_stopped(finished):
    app = demo.open_app(finished.instance)
    server = demo.DemoServer(app, port=0)
    printed = io.StringIO()
    console = Console(file=printed, width=200)
    boards_ = [{"round": 1, "title": "Line-follow sprint"}]
    serving = threading.Thread(target=demo.serve, args=(server, boards_, 1, finished.instance, console, "en"))
    serving.start()
    try:
        page = urllib.request.urlopen(f"{server.url}/rounds/1?lang=en", timeout=10).read().decode("utf-8")
    finally:
        server.stop()
        serving.join(timeout=10)
        db.dispose(app)
    assert not serving.is_alive()
    assert "Pandas" in page and "Tortoises" in page
    assert f"{server.url}/rounds/1?lang=en" in printed.getvalue()
    assert "Demo judge stopped." in printed.getvalue()
    with pytest.raises(OSError):                    # and no longer listening
        urllib.request.urlopen(f"{server.url}/rounds/1", timeout=2)


def test_a_busy_port_is_given_up_for_a_free_one(finished):
    app = demo.open_app(finished.instance)
    with socket.socket() as busy:
        busy.bind((demo.HOST, 0))
        busy.listen()
        taken = busy.getsockname()[1]
        server = demo.DemoServer(app, port=taken)
        server.stop()
        server.serve_until_stopped()          # returns at once, closing its socket
    db.dispose(app)
    assert server.moved and server.port not in (0, taken)
