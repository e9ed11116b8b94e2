"""Appeals: a team files one on its run, a referee upholds it and voids the run, which leaves
the leaderboard, and the appeal points at the audit entry of the void; an upheld appeal can
point at a re-score of the round instead. A team may not appeal another team's run, a run has
one open appeal at a time (a second is refused with 409), and only referees and admins
resolve. Both the pages and the JSON API.

The runs are uploads of one real simulator trace, made once per module."""

import re
from types import SimpleNamespace

import pytest

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Appeal, AuditEntry, Competition, Round, Run, Team

from judge_helpers import login_as, make_account, post_form



@pytest.fixture(scope="module")
def trace(sim_trace):
    return sim_trace(seed=0)


@pytest.fixture
def arena(app, client, trace):
    """Two teams of two schools, each with one scored run, their team accounts, the coach of
    the first school, a referee and an admin."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow final",
                       pack_hash=load_challenge("line-follow").content_hash)
        ants = Team(competition=competition, name="Ants", school="No. 1 Primary")
        bees = Team(competition=competition, name="Bees", school="No. 2 Primary")
        session.add_all([round_, ants, bees])
        session.commit()
        ids = SimpleNamespace(competition=competition.id, round=round_.id, ants=ants.id, bees=bees.id)
    accounts = {
        "admin": make_account(app, "admin", "admin"),
        "referee": make_account(app, "referee", "referee", ids.competition),
        "ants": make_account(app, "ants", "team", ids.competition, team_id=ids.ants),
        "bees": make_account(app, "bees", "team", ids.competition, team_id=ids.bees),
        "ants_coach": make_account(app, "ants-coach", "coach", ids.competition, school="No. 1 Primary"),
    }
    runs = {}
    for team in ("Ants", "Bees"):
        with open(trace, "rb") as stream:
            response = client.post(f"/api/rounds/{ids.round}/runs",
                                   headers={"Authorization": f"Bearer {accounts['referee']['token']}"},
                                   data={"team": team, "trace": (stream, "run.jsonl.gz")})
        assert response.status_code == 201, response.json
        runs[team] = response.json["run"]
    return SimpleNamespace(**vars(ids), accounts=accounts, runs=runs)


def bearer(arena, who: str) -> dict:
    return {"Authorization": f"Bearer {arena.accounts[who]['token']}"}


def teams_on_board(client, arena) -> list[str]:
    return [row["team"] for row in client.get(f"/api/rounds/{arena.round}/leaderboard").json["rows"]]


def test_team_files_referee_upholds_with_void_and_the_run_leaves_the_leaderboard(app, client, arena):
    run_id = arena.runs["Ants"]
    assert sorted(teams_on_board(client, arena)) == ["Ants", "Bees"]
    login_as(client, arena.accounts["ants"])
    form = client.get(f"/runs/{run_id}/appeal").get_data(as_text=True)
    assert 'id="appeal-form"' in form
    filed = post_form(client, f"/runs/{run_id}/appeal", {"reason": "The robot of another team touched ours."})
    assert filed.status_code == 303
    page = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert "is filed" in page and 'data-status="open"' in page and 'id="appeal-form"' not in page

    login_as(client, arena.accounts["referee"])
    listing = client.get(f"/competitions/{arena.competition}/appeals").get_data(as_text=True)
    appeal_id = int(re.search(r'<section class="appeal" id="appeal-(\d+)">', listing).group(1))
    assert "The robot of another team touched ours." in listing
    resolved = post_form(client, f"/appeals/{appeal_id}/resolve",
                         {"decision": "uphold", "action": "void", "resolution": "Seen on the video: the run is void."})
    assert resolved.status_code == 303

    assert teams_on_board(client, arena) == ["Bees"]
    with app.app_context():
        session = db.session()
        appeal = session.get(Appeal, appeal_id)
        assert appeal.status == "upheld" and appeal.resolved_by.username == "referee"
        assert session.get(Run, run_id).status == "void"
        done = session.get(AuditEntry, appeal.audit_id)
        assert (done.action, done.target, done.before, done.after) == (
            "run.void", f"run {run_id}", {"status": "scored"}, {"status": "void", "appeal": appeal_id})
        resolution = session.query(AuditEntry).filter_by(action="appeal.resolve").one()
        assert resolution.after["audit_id"] == done.id and resolution.user.username == "referee"
        assert session.query(AuditEntry).filter_by(action="appeal.file", target=f"appeal {appeal_id}").count() == 1
    # The team reads the resolution on its run's page.
    login_as(client, arena.accounts["ants"])
    page = client.get(f"/runs/{run_id}/appeal").get_data(as_text=True)
    assert "Seen on the video: the run is void." in page and 'data-status="upheld"' in page
    assert f"audit entry {done.id} (run.void)" in page


def test_a_team_may_not_appeal_another_teams_run(app, client, arena):
    bees_run = arena.runs["Bees"]
    login_as(client, arena.accounts["ants"])
    assert post_form(client, f"/runs/{bees_run}/appeal", {"reason": "They cheated."}).status_code == 403
    assert client.get(f"/runs/{bees_run}/appeal").status_code == 403
    refused = client.post(f"/api/runs/{bees_run}/appeals", json={"reason": "They cheated."}, headers=bearer(arena, "ants"))
    assert refused.status_code == 403 and refused.json["error"] == "judge.appeal.not_yours"
    assert "'Bees'" in refused.json["message"]["en"] and "Bees" in refused.json["message"]["zh"]
    # The coach of the other school may not either; the team's own coach may.
    coach = client.post(f"/api/runs/{bees_run}/appeals", json={"reason": "x"}, headers=bearer(arena, "ants_coach"))
    assert coach.status_code == 403
    own = client.post(f"/api/runs/{arena.runs['Ants']}/appeals", json={"reason": "Gate missed a lap."},
                      headers=bearer(arena, "ants_coach"))
    assert own.status_code == 201 and own.json["team"] == "Ants" and own.json["filed_by"] == "ants-coach"
    with app.app_context():
        assert db.session().query(Appeal).count() == 1


def test_a_second_open_appeal_on_a_run_is_refused_with_409(app, client, arena):
    run_id = arena.runs["Ants"]
    first = client.post(f"/api/runs/{run_id}/appeals", json={"reason": "Gate missed a lap."}, headers=bearer(arena, "ants"))
    assert first.status_code == 201 and first.json["status"] == "open"
    second = client.post(f"/api/runs/{run_id}/appeals", json={"reason": "Again."}, headers=bearer(arena, "ants_coach"))
    assert second.status_code == 409 and second.json["error"] == "judge.appeal.already_open"
    assert f"open appeal (number {first.json['appeal']})" in second.json["message"]["en"]
    login_as(client, arena.accounts["ants"])
    page = post_form(client, f"/runs/{run_id}/appeal", {"reason": "Once more."})
    assert page.status_code == 409 and "already has an open appeal" in page.get_data(as_text=True)

    # Once it is answered, a new one may be filed.
    rejected = client.post(f"/api/appeals/{first.json['appeal']}/resolve", headers=bearer(arena, "referee"),
                           json={"decision": "reject", "resolution": "The gate log shows both laps."})
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert rejected.json["audit_id"] is not None
    again = client.post(f"/api/runs/{run_id}/appeals", json={"reason": "New video."}, headers=bearer(arena, "ants"))
    assert again.status_code == 201
    mine = client.get(f"/api/runs/{run_id}/appeals", headers=bearer(arena, "ants")).json["appeals"]
    assert [(a["status"], a["resolution"]) for a in mine] == [("rejected", "The gate log shows both laps."),
                                                               ("open", None)]
    assert teams_on_board(client, arena).count("Ants") == 1          # a rejection changes nothing


def test_only_referees_and_admins_resolve_and_bad_resolutions_are_refused(app, client, arena):
    run_id = arena.runs["Ants"]
    appeal_id = client.post(f"/api/runs/{run_id}/appeals", json={"reason": "Gate missed a lap."},
                            headers=bearer(arena, "ants")).json["appeal"]
    for who in ("ants", "ants_coach"):
        refused = client.post(f"/api/appeals/{appeal_id}/resolve", headers=bearer(arena, who),
                              json={"decision": "uphold", "resolution": "Fine by us."})
        assert refused.status_code == 403
    login_as(client, arena.accounts["ants"])
    assert client.get(f"/competitions/{arena.competition}/appeals").status_code == 403
    assert post_form(client, f"/appeals/{appeal_id}/resolve", {"decision": "uphold", "resolution": "x"}).status_code == 403

    def resolve(body):
        return client.post(f"/api/appeals/{appeal_id}/resolve", headers=bearer(arena, "admin"), json=body)

    assert resolve({"decision": "maybe", "resolution": "x"}).json["error"] == "judge.appeal.bad_decision"
    assert resolve({"decision": "uphold", "resolution": "  "}).json["error"] == "judge.appeal.need_resolution"
    assert resolve({"decision": "reject", "resolution": "No.", "action": "void"}).json["error"] == \
        "judge.appeal.action_needs_uphold"
    assert resolve({"decision": "uphold", "resolution": "Yes.", "action": "rescore", "rescore_audit_id": 999}
                   ).json["error"] == "judge.appeal.no_rescore"
    with app.app_context():
        assert db.session().get(Appeal, appeal_id).status == "open"
        assert db.session().get(Run, run_id).status == "scored"
    assert resolve({"decision": "uphold", "resolution": "Yes.", "action": "void"}).status_code == 200
    twice = resolve({"decision": "reject", "resolution": "Changed my mind."})
    assert twice.status_code == 409 and twice.json["error"] == "judge.appeal.not_open"


def test_an_upheld_appeal_can_point_at_the_rescore_of_its_round(app, client, arena):
    run_id = arena.runs["Ants"]
    with app.app_context():
        session = db.session()
        other_round = Round(competition_id=arena.competition, challenge_id="line-follow", title="Heat 2",
                            pack_hash="0" * 64)
        session.add(other_round)
        session.flush()
        entries = [AuditEntry(competition_id=arena.competition, action="round.rescore", target=f"round {rid}",
                              before={"pack_hash": "a" * 64}, after={"pack_hash": "b" * 64})
                   for rid in (arena.round, other_round.id)]
        session.add_all(entries)
        session.commit()
        this_rescore, other_rescore = (entry.id for entry in entries)
    appeal_id = client.post(f"/api/runs/{run_id}/appeals", json={"reason": "The off-line rule was wrong."},
                            headers=bearer(arena, "ants")).json["appeal"]
    login_as(client, arena.accounts["referee"])
    listing = client.get(f"/competitions/{arena.competition}/appeals").get_data(as_text=True)
    assert f'<option value="{this_rescore}">' in listing and f'<option value="{other_rescore}">' not in listing
    wrong = post_form(client, f"/appeals/{appeal_id}/resolve", {"decision": "uphold", "resolution": "Fixed.",
                                                                "action": "rescore", "rescore_audit_id": other_rescore})
    assert wrong.status_code == 400 and "is not a re-score of round" in wrong.get_data(as_text=True)
    done = post_form(client, f"/appeals/{appeal_id}/resolve", {"decision": "uphold", "resolution": "Fixed by the re-score.",
                                                               "action": "rescore", "rescore_audit_id": this_rescore})
    assert done.status_code == 303
    with app.app_context():
        appeal = db.session().get(Appeal, appeal_id)
        assert appeal.status == "upheld" and appeal.audit_id == this_rescore
        assert db.session().get(Run, run_id).status == "scored"
    assert "Ants" in teams_on_board(client, arena)
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'id="resolved-appeals"' in page and "Fixed by the re-score." in page
