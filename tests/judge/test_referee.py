"""The referee's tablet and the timing gates: a referee puts a team on the field, taps what
happens, the captain confirms, and the sheet scores the run by the round's pack; a second
tablet's late sheet is kept but not applied; a timing gate's crossings land on the run on
the field and in its trace; ``roboarena gate --server`` delivers crossings and keeps them
while the judge cannot be reached.

Expected scores are worked out by hand from the pack's published points (line-follow: a
lap 100, a checkpoint 10, off the line -5, a collision -10, a restart -15, and 2 points
for each second left of the 120 s when the run succeeds)."""

import io
import json
import re
import socket
import threading
from datetime import timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from roboarena.challenges.pack import builtin_ids, load_challenge
from roboarena.challenges.results import score_trace
from roboarena.cli import main
from roboarena.judge import db
from roboarena.judge.gate_client import GatePoster
from roboarena.judge.models import AuditEntry, Competition, GateCrossing, Round, Run, ScoreSheet, Team
from roboarena.judge import scoresheet
from roboarena.judge.views import referee
from roboarena.sims.trace import read_trace

from judge_helpers import csrf_token, login_as, make_account, post_form

GATES = ("right side", "dip", "left side", "start line")     # the line-follow world's gates, in order


@pytest.fixture
def field(app):
    """A competition with a line-follow round, two teams, two referees, an admin, a coach,
    a team account and a viewer."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="Gym cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow heats",
                       pack_hash=load_challenge("line-follow").content_hash)
        ants = Team(competition=competition, name="Ants", school="No. 1 Primary")
        bees = Team(competition=competition, name="Bees", school="No. 2 Primary")
        session.add_all([round_, ants, bees])
        session.commit()
        ids = SimpleNamespace(competition=competition.id, round=round_.id, ants=ants.id, bees=bees.id)
    accounts = {
        "referee": make_account(app, "ref-lin", "referee", ids.competition),
        "referee2": make_account(app, "ref-wang", "referee", ids.competition),
        "admin": make_account(app, "boss", "admin"),
        "coach": make_account(app, "coach-zhou", "coach", ids.competition, school="No. 1 Primary"),
        "team": make_account(app, "ants", "team", ids.competition, team_id=ids.ants),
        "viewer": make_account(app, "someone", "viewer"),
    }
    return SimpleNamespace(**vars(ids), accounts=accounts)


def start_run(client, field, team_id, who="referee") -> int:
    login_as(client, field.accounts[who])
    answer = post_form(client, f"/rounds/{field.round}/referee/runs", {"team_id": team_id})
    assert answer.status_code == 302
    return int(re.search(r"/runs/(\d+)/sheet", answer.headers["Location"]).group(1))


def send_sheet(client, token, run_id, sheet):
    return client.post(f"/api/runs/{run_id}/sheet", json=sheet, headers={"Authorization": f"Bearer {token}"})


def sheet(taps, elapsed_ms=90_000, base_version=1, **changes):
    return {"base_version": base_version, "elapsed_ms": elapsed_ms,
            "taps": [{"event": event, "t_ms": t_ms} for event, t_ms in taps],
            "captain_confirmed": True, "captain": "AB"} | changes


# Two laps (eight checkpoints), one time off the line, a collision, a restart, finished at 90 s.
GOOD_RUN = [("checkpoint", 8_000 + 10_000 * i) for i in range(8)] + [
    ("off-path", 12_500), ("collision", 30_100), ("restart", 41_000), ("finished", 90_000)]
GOOD_SCORE = 2 * 100 + 8 * 10 - 5 - 10 - 15 + 2 * (120 - 90)        # 310


def leaderboard(client, round_id) -> dict:
    return {row["team"]: row for row in client.get(f"/api/rounds/{round_id}/leaderboard").get_json()["rows"]}


def test_a_referee_scores_a_run_and_the_team_is_ranked_by_the_packs_points(app, client, field):
    run_id = start_run(client, field, field.ants)
    page = client.get(f"/runs/{run_id}/sheet").get_data(as_text=True)
    for label in ("checkpoints", "off the line", "collisions", "restarts", "Finished"):    # the pack's own words
        assert label in page
    # Sent as the page's script sends it: the session cookie and the page's CSRF token.
    answer = client.post(f"/api/runs/{run_id}/sheet", json=sheet(GOOD_RUN),
                         headers={"X-CSRFToken": csrf_token(client, f"/runs/{run_id}/sheet")})
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["score"] == GOOD_SCORE and body["success"] is True and body["version"] == 2
    assert body["status"] == "scored" and body["source"] == "referee"
    assert leaderboard(client, field.round)["Ants"]["score"] == GOOD_SCORE

    with app.app_context():
        run = db.session().get(Run, run_id)
        trace = Path(app.instance_path) / run.trace_path
        records = read_trace(trace, validate=True)            # every line passes the trace schema
        assert records[0]["source"] == "hardware" and records[-1]["reason"] == "finished"
        laps = [r for r in records if r.get("event") == "lap"]
        assert [r["lap"] for r in laps] == [1, 2]
        gates = [r["gate"] for r in records if r.get("event") == "checkpoint"]
        assert gates == list(GATES) * 2
        assert score_trace(trace)[0].score == GOOD_SCORE       # the stored trace re-scores the same
        assert run.scoresheet["sheet"]["captain"] == "AB"
        sheets = db.session().scalars(select(ScoreSheet)).all()
        assert [(s.accepted, s.base_version) for s in sheets] == [(True, 1)]
        actions = [e.action for e in db.session().scalars(select(AuditEntry).order_by(AuditEntry.id))]
        assert actions[-2:] == ["run.start", "run.sheet"]


def test_a_second_tablets_stale_sheet_gets_409_is_kept_and_the_first_score_stands(app, client, field):
    run_id = start_run(client, field, field.ants)
    first = send_sheet(client, field.accounts["referee"]["token"], run_id, sheet(GOOD_RUN))
    assert first.status_code == 200
    other = sheet([("checkpoint", 5_000), ("finished", 20_000)], elapsed_ms=20_000)
    second = send_sheet(client, field.accounts["referee2"]["token"], run_id, other)
    assert second.status_code == 409
    refusal = second.get_json()
    assert refusal["error"] == "judge.referee.stale"
    assert "ref-lin" in refusal["message"]["en"] and "ref-lin" in refusal["message"]["zh"]
    assert refusal["details"]["version"] == 2 and refusal["details"]["base"] == 1

    assert leaderboard(client, field.round)["Ants"]["score"] == GOOD_SCORE
    with app.app_context():
        sheets = db.session().scalars(select(ScoreSheet).order_by(ScoreSheet.id)).all()
        assert [(s.referee.username, s.accepted) for s in sheets] == [("ref-lin", True), ("ref-wang", False)]
        assert sheets[1].data["taps"] == other["taps"]                 # nothing the second referee wrote is lost
        assert db.session().get(Run, run_id).version == 2
    # Shown on the run's sheet page to the referees and the admin.
    login_as(client, field.accounts["admin"])
    page = client.get(f"/runs/{run_id}/sheet").get_data(as_text=True)
    assert "Sheets not applied" in page and "ref-wang" in page
    # The first tablet sending its sheet again (its answer was lost) is told it scored, not refused.
    again = send_sheet(client, field.accounts["referee"]["token"], run_id, sheet(GOOD_RUN))
    assert again.status_code == 200 and again.get_json()["repeated"] is True


def test_the_version_check_holds_when_the_other_sheet_lands_mid_request(app, client, field, monkeypatch):
    """The race itself: the second sheet has read the run at version 1 when the first one
    commits. Only the conditional UPDATE can notice; a check in Python alone would not."""
    run_id = start_run(client, field, field.ants)
    real_build = referee.build_sheet_trace
    landed = {}

    def first_tablet_lands_now(*args, **kwargs):
        if not landed:
            landed["status"] = None

            def post_first():
                landed["status"] = send_sheet(app.test_client(), field.accounts["referee"]["token"], run_id,
                                              sheet(GOOD_RUN)).status_code

            worker = threading.Thread(target=post_first)
            worker.start()
            worker.join()
        return real_build(*args, **kwargs)

    monkeypatch.setattr(referee, "build_sheet_trace", first_tablet_lands_now)
    late = send_sheet(client, field.accounts["referee2"]["token"], run_id,
                      sheet([("checkpoint", 5_000)], elapsed_ms=30_000))
    assert landed["status"] == 200
    assert late.status_code == 409 and "ref-lin" in late.get_json()["message"]["en"]
    with app.app_context():
        run = db.session().get(Run, run_id)
        assert run.score == GOOD_SCORE and run.version == 2
        assert sorted(s.accepted for s in db.session().scalars(select(ScoreSheet))) == [False, True]


@pytest.mark.parametrize("who", ["coach", "team", "viewer"])
def test_only_referees_and_admins_may_referee(app, client, field, who):
    run_id = start_run(client, field, field.ants)
    login_as(client, field.accounts[who])
    assert client.get(f"/rounds/{field.round}/referee").status_code == 403
    assert post_form(client, f"/rounds/{field.round}/referee/runs", {"team_id": field.ants}).status_code == 403
    assert client.get(f"/runs/{run_id}/sheet").status_code == 403
    answer = send_sheet(client, field.accounts[who]["token"], run_id, sheet(GOOD_RUN))
    assert answer.status_code == 403 and answer.get_json()["error"] == "judge.error.not_allowed"
    gate = client.post(f"/api/rounds/{field.round}/gate", json={"board_ms": 1000},
                       headers={"Authorization": f"Bearer {field.accounts[who]['token']}"})
    assert gate.status_code == 403
    with app.app_context():
        assert db.session().get(Run, run_id).status == "on-field"
        assert db.session().scalars(select(GateCrossing)).first() is None


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, field):
    answer = client.get(f"/rounds/{field.round}/referee")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    assert client.post(f"/api/rounds/{field.round}/gate", json={"board_ms": 1}).status_code == 401


def test_the_admin_referees_too(client, field):
    run_id = start_run(client, field, field.bees, who="admin")
    assert send_sheet(client, field.accounts["admin"]["token"], run_id, sheet(GOOD_RUN)).status_code == 200


@pytest.mark.parametrize("change, status, error, words", [
    ({"taps": [{"event": "teleport", "t_ms": 1000}]}, 400, "judge.referee.unknown_event", "'teleport'"),
    ({"taps": [{"event": "collision", "t_ms": -5}]}, 400, "judge.referee.tap_outside_run", "outside the run"),
    ({"taps": [{"event": "collision", "t_ms": 95_000}]}, 400, "judge.referee.tap_outside_run", "90.000"),
    ({"elapsed_ms": -1}, 400, "judge.referee.bad_number", "elapsed_ms"),
    ({"base_version": "one"}, 400, "judge.referee.bad_number", "base_version"),
    ({"captain_confirmed": False}, 400, "judge.referee.no_captain", "captain"),
    ({"captain": "Li Ming, 11 years old, Class 3, No. 1 Primary"}, 400, "judge.referee.bad_captain", "initials"),
    ({"taps": [{"event": "finished", "t_ms": 50_000}, {"event": "collision", "t_ms": 60_000}]}, 400,
     "judge.referee.finish_not_last", "already finished"),
    ({"taps": "checkpoint"}, 400, "judge.referee.bad_taps", "list"),
])
def test_bad_sheet_input_gets_a_clear_message_and_changes_nothing(app, client, field, change, status, error, words):
    run_id = start_run(client, field, field.ants)
    answer = send_sheet(client, field.accounts["referee"]["token"], run_id, sheet([]) | change)
    assert answer.status_code == status
    body = answer.get_json()
    assert body["error"] == error and words in body["message"]["en"] and body["message"]["zh"]
    with app.app_context():
        run = db.session().get(Run, run_id)
        assert run.status == "on-field" and run.version == 1
        assert db.session().scalars(select(ScoreSheet)).first() is None


def test_a_sheet_that_is_not_json_is_refused(client, field):
    run_id = start_run(client, field, field.ants)
    answer = client.post(f"/api/runs/{run_id}/sheet", data="checkpoint at 5 s",
                         headers={"Authorization": f"Bearer {field.accounts['referee']['token']}"})
    assert answer.status_code == 400 and answer.get_json()["error"] == "judge.referee.not_json"


def test_a_sheet_for_a_run_that_is_not_on_the_field_gets_409_and_is_kept(app, client, field):
    with app.app_context():
        session = db.session()
        run = Run(round_id=field.round, team_id=field.ants, source="sim", status="scored", score=50.0)
        session.add(run)
        session.commit()
        run_id = run.id
    answer = send_sheet(client, field.accounts["referee"]["token"], run_id, sheet(GOOD_RUN))
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "judge.referee.not_on_field"
    assert "not on the field" in answer.get_json()["message"]["en"]
    with app.app_context():
        assert db.session().get(Run, run_id).score == 50.0
        assert [s.accepted for s in db.session().scalars(select(ScoreSheet))] == [False]


def gate_post(client, field, crossings, who="referee"):
    return client.post(f"/api/rounds/{field.round}/gate", json=crossings,
                       headers={"Authorization": f"Bearer {field.accounts[who]['token']}"})


def test_a_gate_crossing_lands_on_the_run_on_the_field_and_in_its_scored_trace(app, client, field):
    lonely = gate_post(client, field, {"board_ms": 500, "sensor": 0, "device": "gate-1"})
    assert lonely.status_code == 201 and lonely.get_json()["run"] is None      # kept, though no run is on the field
    run_id = start_run(client, field, field.ants)
    answer = gate_post(client, field, [{"board_ms": 61_000, "sensor": 0, "device": "gate-1"}])
    assert answer.status_code == 201 and answer.get_json() | {"crossings": None} == {
        "round": field.round, "run": run_id, "stored": 1, "repeated": 0, "crossings": None}
    repeat = gate_post(client, field, {"board_ms": 61_000, "device": "gate-1"})   # a retry whose answer was lost
    assert repeat.status_code == 200 and repeat.get_json()["repeated"] == 1
    with app.app_context():
        crossing = db.session().scalars(select(GateCrossing).where(GateCrossing.run_id == run_id)).one()
        received = crossing.received_at.replace(tzinfo=crossing.received_at.tzinfo or timezone.utc)
    # The tablet's timer started 30 s before the crossing arrived (on the server's clock).
    started_ms = round(received.timestamp() * 1000) - 30_000
    live = client.get(f"/api/runs/{run_id}/sheet?started_at_ms={started_ms}",
                      headers={"Authorization": f"Bearer {field.accounts['referee']['token']}"}).get_json()
    assert [(c["board_ms"], c["t_ms"]) for c in live["crossings"]] == [(61_000, 30_000)]

    # The referee taps the first three gates; the timing gate on the start line closes the lap.
    taps = [("checkpoint", 5_000), ("checkpoint", 12_000), ("checkpoint", 20_000)]
    answer = send_sheet(client, field.accounts["referee"]["token"], run_id,
                        sheet(taps, elapsed_ms=60_000, started_at_ms=started_ms))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["score"] == 4 * 10 + 100 and answer.get_json()["outcome"] == "stopped"
    with app.app_context():
        run = db.session().get(Run, run_id)
        records = read_trace(Path(app.instance_path) / run.trace_path, validate=True)
    from_gate = [r for r in records if r.get("by") == "timing-gate"]
    assert [(r["event"], r["t"]) for r in from_gate] == [("checkpoint", 30.0), ("lap", 30.0)]
    assert from_gate[0]["gate"] == "start line" and from_gate[1]["lap_time_s"] == 30.0


@pytest.mark.parametrize("crossings, words", [
    ({"board_ms": -3}, "board_ms"),
    ([{"board_ms": 10, "sensor": "left"}], "sensor"),
    ({"board_ms": 10, "device": 7}, "device"),
    ([], "Send crossings as JSON"),
    ("gate!", "Send crossings as JSON"),
])
def test_a_bad_gate_crossing_is_refused_with_what_to_send(app, client, field, crossings, words):
    answer = gate_post(client, field, crossings)
    assert answer.status_code == 400 and words in answer.get_json()["message"]["en"]
    with app.app_context():
        assert db.session().scalars(select(GateCrossing)).first() is None


@pytest.mark.parametrize("challenge_id", builtin_ids())
def test_every_packs_sheet_makes_a_valid_trace_that_scores(challenge_id, tmp_path):
    """Tapping each button of any built-in pack's sheet once gives a trace the schema and
    the scorer accept."""
    challenge = load_challenge(challenge_id)
    buttons = scoresheet.sheet_buttons(challenge)
    keys = [b.key for b in buttons if b.key != scoresheet.FINISHED] + [scoresheet.FINISHED]
    taps = [{"event": key, "t_ms": 1000 * (index + 1)} for index, key in enumerate(keys)]
    parsed = scoresheet.parse_sheet(sheet([], elapsed_ms=len(keys) * 1000, started_at_ms=1_790_000_000_000)
                                 | {"taps": taps}, buttons,
                                 challenge.time_limit_ms)
    round_ = SimpleNamespace(challenge_id=challenge.id, pack_hash=challenge.content_hash)
    run = SimpleNamespace(id=1, team=SimpleNamespace(name="Ants"), created_at=None)
    records = scoresheet.sheet_trace(challenge, round_, run, parsed, [], "ref-lin")
    path = tmp_path / "sheet.jsonl"
    path.write_text("".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records), encoding="utf-8")
    read_trace(path, validate=True)
    score, _, _ = score_trace(path)
    assert score.outcome == "finished" and score.time_s == len(keys)


def test_the_maze_exit_button_scores_the_exit():
    challenge = load_challenge("maze")
    buttons = scoresheet.sheet_buttons(challenge)
    parsed = scoresheet.parse_sheet(sheet([("zone-entered(zone=exit)", 80_000), ("finished", 80_000)]), buttons,
                                 challenge.time_limit_ms)
    events, end = scoresheet.sheet_events(challenge, parsed, [])
    assert events[0]["event"] == "zone-entered" and events[0]["zone"] == "exit"
    assert end == {"type": "end", "t": 80.0, "reason": "finished", "samples": 0, "events": 2}


# --- the gate client against a real server -----------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    """The app served on loopback by werkzeug in a thread, until stopped."""

    def __init__(self, app, port: int):
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def test_the_gate_client_keeps_crossings_while_the_judge_is_down_and_delivers_them_after(app, client, field):
    run_id = start_run(client, field, field.ants)
    port = free_port()
    said = []
    poster = GatePoster(f"http://127.0.0.1:{port}", field.round, field.accounts["referee"]["token"],
                        say=said.append, background=False)
    poster.add(10_250, 0, "gate-1")                         # nothing listens yet
    poster.add(41_900, 0, "gate-1")
    assert len(poster.waiting) == 2 and poster.delivered == 0
    assert any("Cannot reach the judge" in line and "kept" in line for line in said)
    served = Served(app, port)
    try:
        assert poster.flush() is True
        assert not poster.waiting and poster.delivered == 2
        assert any(f"run {run_id}" in line for line in said)
        poster.add(70_000, 1, "gate-1")                     # and while it is up, at once
        assert poster.delivered == 3
    finally:
        served.stop()
    with app.app_context():
        stored = db.session().scalars(select(GateCrossing).order_by(GateCrossing.board_ms)).all()
        assert [(c.board_ms, c.sensor, c.run_id) for c in stored] == [
            (10_250, 0, run_id), (41_900, 0, run_id), (70_000, 1, run_id)]


def test_the_gate_client_names_every_crossing_it_could_not_deliver(app, field):
    port = free_port()
    said = []
    poster = GatePoster(f"http://127.0.0.1:{port}", field.round, "ra_not-a-token", say=said.append, background=False)
    served = Served(app, port)
    try:
        poster.add(5_000)
        assert any("refused" in line and "401" in line for line in said)
        assert any("5000 ms" in line for line in said)
    finally:
        served.stop()
    poster.add(6_000)                                       # the judge is gone now
    poster.close()
    assert any("6000 ms" in line and "Not sent" in line for line in said)


def test_roboarena_gate_posts_each_crossing_to_the_judge(app, client, field, monkeypatch, capsys):
    """The command line, with the board replaced by two crossings (the board side has its
    own tests in test_serial_link.py)."""
    from roboarena.host import commands, serial_link

    run_id = start_run(client, field, field.ants)
    board = SimpleNamespace(capabilities=serial_link.proto.CAP_GATE, board_id="gate-7")
    monkeypatch.setattr(serial_link.SerialLink, "open", staticmethod(lambda url: SimpleNamespace(
        board=board, close=lambda: None)))
    monkeypatch.setattr(commands, "gate_crossings", lambda link: iter([(1.5, 11_500.0, 0), (33.25, 43_250.0, 0)]))
    port = free_port()
    served = Served(app, port)
    try:
        monkeypatch.setenv("ROBOARENA_TOKEN", field.accounts["referee"]["token"])
        code = main(["gate", "--port", "loop://", "--server", f"http://127.0.0.1:{port}", "--round",
                     str(field.round), "--json"])
    finally:
        served.stop()
    assert code == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [p["board_ms"] for p in printed] == [11_500.0, 43_250.0]       # still printed, as without a judge
    with app.app_context():
        stored = db.session().scalars(select(GateCrossing).order_by(GateCrossing.board_ms)).all()
        assert [(c.board_ms, c.device, c.run_id) for c in stored] == [(11_500, "gate-7", run_id),
                                                                       (43_250, "gate-7", run_id)]


def test_roboarena_gate_with_a_server_but_no_round_says_what_to_add(capsys, monkeypatch):
    monkeypatch.delenv("ROBOARENA_TOKEN", raising=False)
    assert main(["gate", "--port", "loop://", "--server", "http://127.0.0.1:9"]) == 2
    assert "--round" in capsys.readouterr().err


def robot_trace(sim_trace, folder: Path, challenge="line-follow", example="line_follower.py") -> Path:
    """What `roboarena run --trace` records on the field: a hardware trace (here a simulated
    run's, relabelled), with its own idea of checkpoints that must not score twice."""
    records = read_trace(sim_trace(challenge=challenge, example=example))
    records[0] |= {"source": "hardware", "seed": None, "pose_source": "odometry"}
    path = folder / f"robot-{challenge}.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def test_the_robots_own_trace_joins_the_sheet_without_scoring_twice(app, client, field, sim_trace, tmp_path):
    run_id = start_run(client, field, field.ants)
    telemetry = robot_trace(sim_trace, tmp_path)
    robot_samples = [r for r in read_trace(telemetry) if r["type"] == "sample"]
    attached = post_form(client, f"/runs/{run_id}/telemetry", {"trace": (open(telemetry, "rb"), "ants.jsonl")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert attached.status_code == 200 and "Attached: 1.jsonl" in attached.get_data(as_text=True)
    answer = send_sheet(client, field.accounts["referee"]["token"], run_id, sheet(GOOD_RUN))
    assert answer.status_code == 200 and answer.get_json()["score"] == GOOD_SCORE     # the sheet alone scores
    with app.app_context():
        records = read_trace(Path(app.instance_path) / db.session().get(Run, run_id).trace_path, validate=True)
    samples = [r for r in records if r["type"] == "sample"]
    assert samples == robot_samples                                   # the robot's path and sensors, all of them
    checkpoints = [r for r in records if r.get("event") == "checkpoint"]
    assert len(checkpoints) == 8 and all(r["by"] == "referee" for r in checkpoints)
    assert records[0]["telemetry"]["source"] == "hardware" and records[0]["pose_source"] == "odometry"
    picture = client.get(f"/runs/{run_id}/trajectory.png")
    assert picture.status_code == 200 and picture.data[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_trace_of_another_challenge_or_a_finished_run_is_not_joined(app, client, field, sim_trace, tmp_path):
    run_id = start_run(client, field, field.ants)
    maze = robot_trace(sim_trace, tmp_path, challenge="maze", example="wall_follower.py")
    refused = post_form(client, f"/runs/{run_id}/telemetry", {"trace": (open(maze, "rb"), "maze.jsonl")},
                        content_type="multipart/form-data")
    assert refused.status_code == 400 and "this round is line-follow" in refused.get_data(as_text=True)
    broken = post_form(client, f"/runs/{run_id}/telemetry", {"trace": (io.BytesIO(b'{"type": "header"}\n'), "x.jsonl")},
                       content_type="multipart/form-data")
    assert broken.status_code == 400 and "x.jsonl" in broken.get_data(as_text=True)
    assert send_sheet(client, field.accounts["referee"]["token"], run_id, sheet(GOOD_RUN)).status_code == 200
    late = post_form(client, f"/runs/{run_id}/telemetry",
                     {"trace": (open(robot_trace(sim_trace, tmp_path), "rb"), "ants.jsonl")},
                     content_type="multipart/form-data")
    assert late.status_code == 409 and "no longer on the field" in late.get_data(as_text=True)
    assert not (Path(app.instance_path) / "telemetry" / f"{run_id}.jsonl").exists()
