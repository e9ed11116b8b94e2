"""The live projector: its event stream (the standings at connect, again at each change, and
the end that sends the browser back), the freeze that hides later runs from everyone but
admins, the awards reveal from the bottom, who may drive them (and the audit log of it),
the page in both languages, and the stream served by waitress itself.

Streams are read with the test client until they end: each test shortens them through the
LIVE_* settings, so nothing waits on a clock and nothing asserts one."""

import http.client
import json
import threading
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
import waitress
from sqlalchemy import insert, select

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.db import make_engine
from roboarena.judge.models import AuditEntry, Competition, Round, Run, Team
from roboarena.judge.views.live import projector_state, revealing_rows

from judge_helpers import SLOWER, login_as, make_account, post_form

ROLES_REFUSED = ("viewer", "team", "coach", "referee")


@pytest.fixture(scope="module")
def traces(sim_trace):
    """Real simulator runs (shared, see conftest): fast1 scores a little more than fast0, slow clearly less."""
    return {"fast0": sim_trace(seed=0), "fast1": sim_trace(seed=1), "slow": sim_trace(seed=0, edits=SLOWER)}


@pytest.fixture
def arena(app):
    """A competition with one line-follow round, four teams of one school, and an account of
    every role; streams short and quick to poll."""
    app.config.update(LIVE_POLL_SECONDS=0.01, LIVE_STREAM_SECONDS=3, LIVE_HEARTBEAT_SECONDS=10,
                      LIVE_RETRY_MS=1000, LIVE_BUSY_RETRY_MS=4000, LIVE_MAX_STREAMS=2)
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow final",
                       pack_hash=load_challenge("line-follow").content_hash)
        teams = [Team(competition=competition, name=name, school="No. 1 Primary") for name in ("Ants", "Bees", "Cats", "Dogs")]
        session.add_all([round_, *teams])
        session.commit()
        ids = SimpleNamespace(round_id=round_.id, competition_id=competition.id, ants=teams[0].id,
                              team_ids={team.name: team.id for team in teams})
    accounts = {role: make_account(app, role, role, ids.competition_id, team_id=ids.ants if role in ("team", "coach") else None)
                for role in ("admin", "coach", "referee", "team", "viewer")}
    return SimpleNamespace(**vars(ids), accounts=accounts)


def upload(client, arena, path, team):
    with open(path, "rb") as stream:
        response = client.post(f"/api/rounds/{arena.round_id}/runs",
                               headers={"Authorization": f"Bearer {arena.accounts['referee']['token']}"},
                               data={"team": team, "trace": (stream, path.name)})
    assert response.status_code == 201, response.get_json()
    return response


class EventStream:
    """A server-sent event stream read block by block, as a browser's EventSource reads it."""

    def __init__(self, response):
        assert response.status_code == 200 and response.mimetype == "text/event-stream"
        self.response, self.chunks, self.buffer, self.ended = response, iter(response.response), "", False

    def block(self) -> str | None:
        while "\n\n" not in self.buffer:
            try:
                self.buffer += next(self.chunks).decode("utf-8")
            except StopIteration:
                self.ended = True
                return None
        block, self.buffer = self.buffer.split("\n\n", 1)
        return block

    def next_event(self) -> dict | None:
        """The next event with data (comments and bare ``retry:`` blocks are skipped), or
        None when the stream ends first."""
        while (block := self.block()) is not None:
            fields = {}
            for line in block.splitlines():
                name, _, value = line.partition(":")
                if name:
                    fields[name] = value.removeprefix(" ")
            if "data" in fields:
                return {"id": fields.get("id"), "retry": fields.get("retry"), "state": json.loads(fields["data"])}
        return None

    def rest(self) -> str:
        """Everything up to the end of the stream."""
        text = []
        while (block := self.block()) is not None:
            text.append(block)
        return "\n\n".join(text)

    def close(self):
        self.response.close()


def open_stream(client, arena, query="", headers=None) -> EventStream:
    return EventStream(client.get(f"/api/rounds/{arena.round_id}/events{query}", headers=headers or {},
                                  buffered=False))


def teams(state) -> list[str]:
    return [row["team"] for row in state["rows"]]


def as_admin(client, arena, action, data=None):
    login_as(client, arena.accounts["admin"])
    return post_form(client, f"/rounds/{arena.round_id}/{action}", data)


def round_now(app, arena) -> Round:
    with app.app_context():
        return db.session().get(Round, arena.round_id)


def audit_actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(entry.action, entry.user.username) for entry in db.session().scalars(select(AuditEntry).order_by(AuditEntry.id))]


# --- the event stream -----------------------------------------------------------------------

def test_the_first_event_carries_the_standings_and_a_new_run_brings_the_new_order(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    stream = open_stream(client, arena)
    first = stream.next_event()
    assert teams(first["state"]) == ["Ants"] and first["state"]["frozen"] is False
    assert first["id"] and first["retry"] == "1000"
    assert first["state"]["rows"][0]["score"] == client.get(
        f"/api/rounds/{arena.round_id}/leaderboard").get_json()["rows"][0]["score"]
    upload(client, arena, traces["fast0"], "Bees")
    second = stream.next_event()
    stream.close()
    assert second is not None, "the stream ended without sending the new standings"
    assert teams(second["state"]) == ["Bees", "Ants"] and second["id"] != first["id"]
    assert [row["rank"] for row in second["state"]["rows"]] == [1, 2]


def test_a_run_written_by_another_process_reaches_an_open_stream(app, arena, client, traces, monkeypatch):
    """A second judge process on the same database: its write is seen by the stream's poll,
    while this process's cached standings lag up to STANDINGS_RECHECK_S behind it."""
    from roboarena.judge import standings

    monkeypatch.setattr(standings, "STANDINGS_RECHECK_S", 0.3)
    upload(client, arena, traces["slow"], "Ants")
    stream = open_stream(client, arena)
    assert teams(stream.next_event()["state"]) == ["Ants"]
    other = make_engine(app.config["DATABASE_URL"])             # its own engine: not this process's sessions
    with other.begin() as connection:
        connection.execute(insert(Run).values(
            round_id=arena.round_id, team_id=arena.team_ids["Bees"], source="sim", status="scored", score=900,
            success=True, time_s=30.0, outcome="finished", counts={}, version=1, created_at=datetime.now(timezone.utc)))
    other.dispose()
    second = stream.next_event()
    stream.close()
    assert second is not None and teams(second["state"]) == ["Bees", "Ants"]


def test_a_stream_ends_by_itself_with_heartbeats_and_a_retry_hint(app, arena, client, traces):
    app.config.update(LIVE_STREAM_SECONDS=0.2, LIVE_HEARTBEAT_SECONDS=0.02)
    upload(client, arena, traces["slow"], "Ants")
    stream = open_stream(client, arena)
    assert stream.next_event()["retry"] == "1000"
    rest = stream.rest()
    assert stream.ended and ": heartbeat" in rest and "data:" not in rest      # nothing changed: nothing sent


def test_a_browser_reconnecting_with_the_current_event_id_is_not_sent_it_again(app, arena, client, traces):
    app.config.update(LIVE_STREAM_SECONDS=0.1)
    upload(client, arena, traces["slow"], "Ants")
    first = open_stream(client, arena).next_event()
    again = open_stream(client, arena, headers={"Last-Event-ID": first["id"]})
    assert again.next_event() is None and again.ended
    upload(client, arena, traces["fast0"], "Bees")           # missed while away: the whole state comes at once
    caught_up = open_stream(client, arena, headers={"Last-Event-ID": first["id"]}).next_event()
    assert teams(caught_up["state"]) == ["Bees", "Ants"]


def test_streams_over_the_limit_get_the_state_and_end_at_once(app, arena, client, traces):
    app.config.update(LIVE_MAX_STREAMS=1)
    upload(client, arena, traces["slow"], "Ants")
    holding = open_stream(client, arena)
    assert holding.next_event()["retry"] == "1000"            # holds the one slot
    turned_away = open_stream(client, arena)
    event = turned_away.next_event()
    assert teams(event["state"]) == ["Ants"] and event["retry"] == "4000"
    assert turned_away.rest() == "" and turned_away.ended
    holding.close()                                           # gives its slot back
    app.config.update(LIVE_STREAM_SECONDS=0.05)
    assert open_stream(client, arena).next_event()["retry"] == "1000"


def test_an_unknown_round_has_no_stream(client):
    response = client.get("/api/rounds/999/events")
    assert response.status_code == 404 and response.get_json()["error"] == "judge.error.no_round"
    assert client.get("/rounds/999/projector").status_code == 404


# --- the freeze -----------------------------------------------------------------------------

@pytest.mark.parametrize("role", [*ROLES_REFUSED, None])
def test_a_frozen_round_hides_later_runs_from_everyone_but_the_admin(app, arena, client, traces, role):
    upload(client, arena, traces["slow"], "Ants")
    assert as_admin(client, arena, "freeze").status_code == 302
    upload(client, arena, traces["fast0"], "Bees")

    login_as(client, arena.accounts[role] if role else None)
    for seen in (open_stream(client, arena).next_event()["state"],
                 open_stream(client, arena, "?view=live").next_event()["state"],     # asking is not enough
                 client.get(f"/api/rounds/{arena.round_id}/projector").get_json()):
        assert teams(seen) == ["Ants"] and seen["frozen"] and seen["view"] == "public"
        assert "frozen at" in seen["notice"]["en"] and "冻结" in seen["notice"]["zh"]
    assert client.get(f"/api/rounds/{arena.round_id}/leaderboard").get_json()["rows"][0]["team"] == "Ants"

    login_as(client, arena.accounts["admin"])
    live = open_stream(client, arena, "?view=live").next_event()["state"]
    assert teams(live) == ["Bees", "Ants"] and live["view"] == "live" and not live["frozen"]
    assert "admins only" in live["notice"]["en"]
    # The projector itself shows the public's view even on an admin's laptop, and says so.
    assert teams(open_stream(client, arena).next_event()["state"]) == ["Ants"]
    page = client.get(f"/rounds/{arena.round_id}/projector?lang=en").get_data(as_text=True)
    assert "this screen shows what the public sees" in page and "view=live" in page
    control = client.get(f"/rounds/{arena.round_id}/control?lang=en").get_data(as_text=True)
    assert "Bees" in control and "hidden from the public: 1." in control


def test_a_score_after_the_freeze_sends_the_public_nothing_new(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    as_admin(client, arena, "freeze")
    login_as(client, None)
    stream = open_stream(client, arena)
    assert teams(stream.next_event()["state"]) == ["Ants"]
    upload(client, arena, traces["fast0"], "Bees")
    assert stream.next_event() is None                      # the stream ran out with nothing to tell


def test_freeze_and_unfreeze_are_audited_and_unfreezing_shows_everything(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    as_admin(client, arena, "freeze")
    frozen_at = round_now(app, arena).frozen_at
    assert frozen_at is not None
    assert "already frozen" in client.get(as_admin(client, arena, "freeze").location + "?lang=en").get_data(as_text=True)
    assert round_now(app, arena).frozen_at == frozen_at       # a second freeze does not move the cut
    upload(client, arena, traces["fast0"], "Bees")
    as_admin(client, arena, "unfreeze")
    assert round_now(app, arena).frozen_at is None
    login_as(client, None)
    assert teams(open_stream(client, arena).next_event()["state"]) == ["Bees", "Ants"]
    assert audit_actions(app) == [("round.freeze", "admin"), ("round.unfreeze", "admin")]
    with app.app_context():
        entries = db.session().scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        assert entries[0].before["frozen_at"] is None and entries[0].after["frozen_at"] is not None
        assert entries[1].after == {"frozen_at": None, "reveal_step": None}
        assert {entry.target for entry in entries} == {f"round {arena.round_id}"}


@pytest.mark.parametrize("role", ROLES_REFUSED)
@pytest.mark.parametrize("action", ["freeze", "unfreeze", "reveal/start", "reveal/next", "reveal/stop"])
def test_only_those_who_may_freeze_drive_the_projector(app, arena, client, traces, role, action):
    upload(client, arena, traces["slow"], "Ants")
    as_admin(client, arena, "freeze")
    if action != "freeze":
        as_admin(client, arena, "reveal/start")
    before = round_now(app, arena)
    audited = audit_actions(app)
    login_as(client, arena.accounts[role])
    assert post_form(client, f"/rounds/{arena.round_id}/{action}", {"step": before.reveal_step}).status_code == 403
    assert client.get(f"/rounds/{arena.round_id}/control").status_code == 403
    response = client.post(f"/rounds/{arena.round_id}/{action}",
                           headers={"Authorization": f"Bearer {arena.accounts[role]['token']}"})
    assert response.status_code == 403 and response.get_json()["error"] == "judge.error.not_allowed"
    after = round_now(app, arena)
    assert (after.frozen_at, after.reveal_step) == (before.frozen_at, before.reveal_step)
    assert audit_actions(app) == audited


def test_a_visitor_is_sent_to_sign_in_and_a_form_without_its_token_is_refused(app, arena, client):
    login_as(client, None)
    assert post_form(client, f"/rounds/{arena.round_id}/freeze").status_code == 302
    assert "/login" in client.get(f"/rounds/{arena.round_id}/control").location
    login_as(client, arena.accounts["admin"])
    assert client.post(f"/rounds/{arena.round_id}/freeze").status_code == 400      # no CSRF token
    assert round_now(app, arena).frozen_at is None


def test_an_admin_token_drives_the_projector_from_a_script(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    headers = {"Authorization": f"Bearer {arena.accounts['admin']['token']}"}
    response = client.post(f"/rounds/{arena.round_id}/freeze", headers=headers)
    assert response.status_code == 200 and response.get_json()["frozen_at"] is not None
    refused = client.post(f"/rounds/{arena.round_id}/freeze", headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"] == "judge.live.already_frozen"


# --- the awards reveal ----------------------------------------------------------------------

@pytest.fixture
def awards(app, arena, client, traces):
    """Before the freeze: Bees ahead of Ants. After it, unseen: Cats on top, Dogs level with
    Ants. Final: Cats 1, Bees 2, Ants 3, Dogs 3 (tied, by name)."""
    upload(client, arena, traces["slow"], "Ants")
    upload(client, arena, traces["fast0"], "Bees")
    as_admin(client, arena, "freeze")
    upload(client, arena, traces["fast1"], "Cats")
    upload(client, arena, traces["slow"], "Dogs")
    return arena


def public_state(client, arena) -> dict:
    login_as(client, None)
    return client.get(f"/api/rounds/{arena.round_id}/projector").get_json()


def test_a_full_reveal_walks_from_the_bottom_to_the_top_and_ends_unfrozen(app, awards, client):
    arena = awards
    assert as_admin(client, arena, "reveal/start").status_code == 302
    start = public_state(client, arena)
    assert teams(start) == ["Bees", "Ants", "Cats", "Dogs"] and all(row["rank"] is None for row in start["rows"])
    assert start["reveal"] == {"step": 0, "total": 4}
    assert [row["score"] is None for row in start["rows"]] == [False, False, True, True]      # no run before the freeze

    shown = []
    for step in range(4):
        login_as(client, arena.accounts["admin"])
        page = client.get(f"/rounds/{arena.round_id}/control?lang=en").get_data(as_text=True)
        assert ("Reveal the winner, Cats, and unfreeze" in page) == (step == 3)
        assert as_admin(client, arena, "reveal/next", {"step": step}).status_code == 302
        state = public_state(client, arena)
        if step < 3:
            revealed = [row for row in state["rows"] if row["revealed"]]
            shown.append(revealed[0]["team"])
            assert revealed[0]["just_revealed"] and state["reveal"]["step"] == step + 1
            assert all(row["rank"] is None for row in state["rows"] if not row["revealed"])

    final = public_state(client, arena)
    assert teams(final) == ["Cats", "Bees", "Ants", "Dogs"] and [row["rank"] for row in final["rows"]] == [1, 2, 3, 3]
    assert final["reveal"] is None and not final["frozen"] and final["notice"] is None
    assert shown == ["Dogs", "Ants", "Bees"]
    round_ = round_now(app, arena)
    assert round_.frozen_at is None and round_.reveal_step is None
    with app.app_context():
        steps = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "round.reveal")
                                     .order_by(AuditEntry.id)).all()
        assert [(entry.after["team"], entry.after["rank"]) for entry in steps] == [
            ("Dogs", 3), ("Ants", 3), ("Bees", 2), ("Cats", 1)]
        assert [entry.before["reveal_step"] for entry in steps] == [0, 1, 2, 3]
        assert steps[-1].after["frozen_at"] is None and steps[-1].after["reveal_step"] is None
    assert [action for action, _ in audit_actions(app)] == ["round.freeze", "round.reveal.start", *["round.reveal"] * 4]


def test_a_revealed_tie_does_not_name_the_team_above_until_it_is_revealed(app, awards, client):
    arena = awards
    as_admin(client, arena, "reveal/start")
    as_admin(client, arena, "reveal/next", {"step": 0})
    dogs = public_state(client, arena)["rows"][-1]
    assert dogs["team"] == "Dogs" and dogs["rank"] == 3 and dogs["tie_break"] is None
    as_admin(client, arena, "reveal/next", {"step": 1})
    rows = public_state(client, arena)["rows"]
    assert [row["team"] for row in rows[-2:]] == ["Ants", "Dogs"]
    assert "Tied with Ants" in rows[-1]["tie_break"]["explanation"]["en"]


def test_a_second_click_on_a_reveal_step_reveals_nothing_more(app, awards, client):
    arena = awards
    as_admin(client, arena, "reveal/start")
    as_admin(client, arena, "reveal/next", {"step": 0})
    again = as_admin(client, arena, "reveal/next", {"step": 0})
    assert "already taken" in client.get(again.location + "?lang=en").get_data(as_text=True)
    assert round_now(app, arena).reveal_step == 1
    assert [action for action, _ in audit_actions(app)].count("round.reveal") == 1


def test_a_reveal_needs_a_frozen_round_and_can_be_stopped(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    as_admin(client, arena, "reveal/start")
    assert round_now(app, arena).reveal_step is None
    as_admin(client, arena, "freeze")
    as_admin(client, arena, "reveal/start")
    assert round_now(app, arena).reveal_step == 0
    as_admin(client, arena, "reveal/stop")
    round_ = round_now(app, arena)
    assert round_.reveal_step is None and round_.frozen_at is not None
    assert public_state(client, arena)["frozen"]


def test_the_projector_follows_the_reveal_through_its_stream(app, awards, client):
    arena = awards
    as_admin(client, arena, "reveal/start")
    admin = client.application.test_client()
    login_as(admin, arena.accounts["admin"])
    login_as(client, None)
    stream = open_stream(client, arena)
    assert stream.next_event()["state"]["reveal"]["step"] == 0
    post_form(admin, f"/rounds/{arena.round_id}/reveal/next", {"step": 0})
    event = stream.next_event()
    stream.close()
    assert event["state"]["reveal"]["step"] == 1 and event["state"]["rows"][-1]["team"] == "Dogs"


def test_revealing_rows_keeps_the_final_order_secret_above_the_revealed():
    def row(rank, team, score, tie=None):
        return {"rank": rank, "team": team, "school": "", "score": score, "runs": 1, "best_run": rank,
                "time_s": 40.0, "tie_break": tie}

    final = [row(1, "Cats", 300), row(2, "Bees", 250), row(3, "Ants", 200, tie={"explanation": {"en": "x"}})]
    at_freeze = [row(1, "Ants", 210), row(2, "Bees", 200)]
    rows = revealing_rows(final, at_freeze, 0)
    assert [(r["team"], r["rank"], r["score"]) for r in rows] == [       # the order at the freeze, no places
        ("Ants", None, 210), ("Bees", None, 200), ("Cats", None, None)]
    rows = revealing_rows(final, at_freeze, 1)
    assert [(r["team"], r["rank"], r["score"]) for r in rows] == [("Bees", None, 200), ("Cats", None, None), ("Ants", 3, 200)]
    assert rows[2]["tie_break"] is None                      # it would name the team above, still hidden
    rows = revealing_rows(final, at_freeze, 2)
    assert [(r["team"], r["rank"]) for r in rows] == [("Cats", None), ("Bees", 2), ("Ants", 3)]
    assert rows[1]["just_revealed"] and rows[2]["tie_break"] == {"explanation": {"en": "x"}}


def test_the_projector_state_of_a_live_round_is_its_standings(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    with app.app_context():
        round_ = db.session().get(Round, arena.round_id)
        state = projector_state(round_, load_challenge("line-follow"))
    assert teams(state) == ["Ants"] and state["reveal"] is None and state["notice"] is None
    assert state["challenge_title"]["zh"] == "巡线竞速" and json.loads(json.dumps(state)) == state


# --- the page -------------------------------------------------------------------------------

def test_the_projector_page_renders_in_chinese_and_english(app, arena, client, traces):
    for team, trace in (("Bees", "fast0"), ("Dogs", "fast0"), ("Ants", "slow")):
        upload(client, arena, traces[trace], team)
    page = client.get(f"/rounds/{arena.round_id}/projector?lang=zh").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "实时排名" in page and "名次" in page and "巡线竞速" in page
    assert "名次并列" in page                         # why Dogs shares Bees's place
    assert page.index("Bees") < page.index("Dogs") < page.index("Ants")
    assert "projector.js" in page and "http" not in page.split("<body")[0]     # nothing from the internet
    page = client.get(f"/rounds/{arena.round_id}/projector?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page and "live standings" in page and "Tied with Bees" in page
    assert "/api/rounds/%d/events" % arena.round_id in page
    with client.get("/static/projector.js") as script:
        assert script.status_code == 200 and "EventSource" in script.get_data(as_text=True)
    as_admin(client, arena, "freeze")
    login_as(client, None)
    page = client.get(f"/rounds/{arena.round_id}/projector?lang=zh").get_data(as_text=True)
    assert "冻结" in page and "view=live" not in page.split("</header>")[1]


def test_the_control_panel_renders_in_both_languages(app, arena, client, traces):
    upload(client, arena, traces["slow"], "Ants")
    login_as(client, arena.accounts["admin"])
    assert "冻结排名" in client.get(f"/rounds/{arena.round_id}/control?lang=zh").get_data(as_text=True)
    page = client.get(f"/rounds/{arena.round_id}/control?lang=en").get_data(as_text=True)
    assert "Freeze the standings" in page and 'name="csrf_token"' in page


# --- on the real server -----------------------------------------------------------------------

def test_waitress_streams_each_new_run_to_an_open_projector(app, arena, traces):
    # Heartbeats often: a stream notices its client has gone at its next write, and ends.
    app.config.update(LIVE_STREAM_SECONDS=20, LIVE_POLL_SECONDS=0.05, LIVE_HEARTBEAT_SECONDS=0.1)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port
    stream = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    response = None
    try:
        stream.request("GET", f"/api/rounds/{arena.round_id}/events")
        response = stream.getresponse()
        assert response.status == 200 and response.getheader("Content-Type").startswith("text/event-stream")

        def next_state():
            for raw in iter(response.readline, b""):
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    return json.loads(line[6:])
            return None

        assert next_state()["rows"] == []
        for team, trace, expected in (("Bees", "fast0", ["Bees"]), ("Ants", "fast1", ["Ants", "Bees"])):
            upload_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            upload_connection.request("POST", f"/api/rounds/{arena.round_id}/runs?team={team}",
                                      body=traces[trace].read_bytes(),
                                      headers={"Authorization": f"Bearer {arena.accounts['referee']['token']}",
                                               "Content-Type": "application/octet-stream",
                                               "X-Trace-Filename": "run.jsonl.gz"})
            assert upload_connection.getresponse().status == 201
            upload_connection.close()
            state = next_state()
            assert state is not None and teams(state) == expected
    finally:
        if response is not None:
            response.close()          # the socket closes only when the response lets go of it too
        stream.close()
        server.task_dispatcher.shutdown(timeout=5)
        server.close()
        thread.join(timeout=5)
        assert not thread.is_alive(), "waitress did not stop"
