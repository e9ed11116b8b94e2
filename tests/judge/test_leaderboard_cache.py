"""The leaderboard's read path under load: the JSON carries an ETag and answers a poller
that sends it back with 304 until the standings change; the standings are computed from a
column-only read of the runs and match those of the ORM objects; a change made in this
process shows at once, one made elsewhere once the recheck interval has passed; while the
standings are computed again, visitors get the last leaderboard rather than wait; the page
kept for visitors who are not signed in still gives each of them their own CSRF token.

Runs are written straight to the database with their scores (no traces): what is tested is
the reading, not the scoring."""

import re
import threading
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import insert

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db, standings
from roboarena.judge.models import Competition, Round, Run, Team
from judge_helpers import login_as, make_account

CHALLENGE = "line-follow"
START = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def board(app):
    """A line-follow round with four teams and a few scored runs: Ants and Bees tie on score
    and time (a shared rank), Cats trail, Dogs has only a void run."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id=CHALLENGE, title="Heats",
                       pack_hash=load_challenge(CHALLENGE).content_hash)
        teams = [Team(competition=competition, name=name, school="No. 1 Primary")
                 for name in ("Ants", "Bees", "Cats", "Dogs")]
        session.add_all([round_, *teams])
        session.commit()
        ids = SimpleNamespace(round_id=round_.id, competition_id=competition.id, teams={t.name: t.id for t in teams})
    runs = (("Ants", 400, 60.0, "scored"), ("Bees", 400, 60.0, "scored"), ("Cats", 300, 80.0, "scored"),
            ("Ants", 200, 120.0, "scored"), ("Dogs", 500, 40.0, "void"))
    for minute, (team, score, time_s, status) in enumerate(runs):
        add_run(app, ids, team, score, time_s, status=status, at=START + timedelta(minutes=minute))
    return ids


def add_run(app, board, team, score, time_s, status="scored", at=None):
    with app.app_context():
        session = db.session()
        session.add(Run(round_id=board.round_id, team_id=board.teams[team], source="sim", status=status, score=score,
                        success=True, time_s=time_s, outcome="finished", breakdown=[],
                        explanation={"en": f"{score} points", "zh": f"共 {score} 分"}, counts={"off-path": 1},
                        pack_hash=load_challenge(CHALLENGE).content_hash, created_at=at or datetime.now(timezone.utc)))
        session.commit()


def leaderboard(client, board, **headers):
    return client.get(f"/api/rounds/{board.round_id}/leaderboard", headers=headers)


def test_a_poller_that_sends_the_etag_back_gets_304_until_the_standings_change(app, client, board):
    first = leaderboard(client, board)
    assert first.status_code == 200 and first.headers["ETag"] and "no-cache" in first.headers["Cache-Control"]
    assert [row["team"] for row in first.json["rows"]] == ["Ants", "Bees", "Cats"]
    again = leaderboard(client, board, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    add_run(app, board, "Cats", 450, 50.0)
    changed = leaderboard(client, board, **{"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert [row["team"] for row in changed.json["rows"]] == ["Cats", "Ants", "Bees"]
    assert leaderboard(client, board, **{"If-None-Match": "\"something-else\""}).status_code == 200


def test_the_kept_json_follows_the_rounds_own_fields_too(app, client, board):
    etag = leaderboard(client, board).headers["ETag"]
    with app.app_context():
        db.session().get(Round, board.round_id).title = "Heats, renamed"
        db.session().commit()
    renamed = leaderboard(client, board, **{"If-None-Match": etag})
    assert renamed.status_code == 200 and renamed.json["title"] == "Heats, renamed"


def test_column_only_standings_match_those_of_the_stored_runs(app, board):
    add_run(app, board, "Bees", 400, 59.5, at=START + timedelta(hours=2))      # after the freeze below
    with app.app_context(), app.test_request_context():
        session = db.session()
        round_ = session.get(Round, board.round_id)
        challenge = load_challenge(CHALLENGE)
        live = standings.round_standings(challenge, round_)
        assert live == standings.standings(challenge, round_)
        assert [row["team"] for row in live] == ["Bees", "Ants", "Cats"]
        assert live[1]["tie_break"]["separated_by"] == "time"
        round_.frozen_at = START + timedelta(hours=1)
        session.commit()
        at_freeze = standings.round_standings(challenge, round_, frozen=True)
        assert at_freeze == standings.standings(challenge, round_, until=round_.frozen_at)
        assert [row["rank"] for row in at_freeze] == [1, 1, 3] and at_freeze[1]["tie_break"]["tied"]


def test_a_change_made_by_another_process_shows_once_the_recheck_interval_has_passed(app, client, board, monkeypatch):
    leaderboard(client, board)
    # Another process's write: straight through the engine, never through this process's sessions.
    with app.app_context():
        with db.session().get_bind().begin() as connection:
            connection.execute(insert(Run).values(
                round_id=board.round_id, team_id=board.teams["Dogs"], source="sim", status="scored", score=600,
                success=True, time_s=30.0, outcome="finished", counts={}, version=1, created_at=START))
    monkeypatch.setattr(standings, "STANDINGS_RECHECK_S", 3600.0)
    assert "Dogs" not in [row["team"] for row in leaderboard(client, board).json["rows"]]
    monkeypatch.setattr(standings, "STANDINGS_RECHECK_S", 0.0)
    assert [row["team"] for row in leaderboard(client, board).json["rows"]][0] == "Dogs"


def test_the_page_kept_for_visitors_is_the_same_for_all_and_makes_no_session(app, board):
    first, second = app.test_client(), app.test_client()
    page = first.get(f"/rounds/{board.round_id}")
    other = second.get(f"/rounds/{board.round_id}")
    assert "Ants" in page.get_data(as_text=True) and page.data == other.data
    assert "Set-Cookie" not in page.headers and "csrf-token" not in page.get_data(as_text=True)
    # The sign-in form still has its token: a visitor who signs in gets a session then.
    token = re.search(r'name="csrf_token" value="([^"]+)"', first.get("/login").get_data(as_text=True)).group(1)
    assert first.post("/login", data={"csrf_token": token, "username": "nobody", "password": "x"}).status_code == 401
    add_run(app, board, "Cats", 450, 50.0)
    page = first.get(f"/rounds/{board.round_id}?lang=zh").get_data(as_text=True)
    assert "排行榜" in page and page.index("Cats") < page.index("Ants")


def test_a_referee_still_sees_the_recent_runs_that_visitors_do_not(app, client, board):
    assert 'id="runs"' not in client.get(f"/rounds/{board.round_id}").get_data(as_text=True)
    login_as(client, make_account(app, "ref", "referee", board.competition_id))
    page = client.get(f"/rounds/{board.round_id}").get_data(as_text=True)
    assert 'id="runs"' in page and page.count("<tr>") > 5


def test_while_the_standings_are_computed_again_visitors_get_the_last_leaderboard_at_once(app, board, monkeypatch):
    visitor = app.test_client()
    before = leaderboard(visitor, board).json["rows"]
    add_run(app, board, "Cats", 450, 50.0)
    computing, finish = threading.Event(), threading.Event()
    original = standings.standings

    def slow(challenge, round_, until=None):
        computing.set()
        finish.wait(10)
        return original(challenge, round_, until)

    monkeypatch.setattr(standings, "standings", slow)
    first = threading.Thread(target=lambda: leaderboard(app.test_client(), board))
    first.start()
    try:
        assert computing.wait(10)
        assert leaderboard(visitor, board).json["rows"] == before          # not held up by the one computing
    finally:
        finish.set()
        first.join(10)
    assert leaderboard(visitor, board).json["rows"][0]["team"] == "Cats"
