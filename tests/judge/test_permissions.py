"""Every endpoint against every role: the permission matrix, stated here independently of
``judge/permissions.py`` so a change to either shows up as a failing cell.

Roles: the admin; the coach of No. 1 Primary (whose team is Ants); a referee; the Ants
team account; a viewer (signed in with no role here) and an anonymous visitor. Requests go
with valid input where the role is allowed, so "allowed" means not refused (no 401/403, no
redirect to the sign-in page), whatever the endpoint then answers."""

import io
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from judge_helpers import login_as, make_account, post_form

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.results import score_trace
from roboarena.judge import db
from roboarena.judge.models import Appeal, Competition, Round, Run, Team


ROLES = ("admin", "coach", "referee", "team", "viewer", "anonymous")
EVERYONE = set(ROLES)


@pytest.fixture(scope="module")
def trace_file(sim_trace):
    trace = sim_trace(seed=0)
    return trace, score_trace(trace)[0]


def scored_run(app, round_, team, trace_file) -> Run:
    """A scored run of ``team``, its trace in the instance folder."""
    trace_file, score = trace_file
    relative = Path("traces") / f"{team.name}.jsonl.gz"
    (Path(app.instance_path) / "traces").mkdir(exist_ok=True)
    shutil.copy(trace_file, Path(app.instance_path) / relative)
    return Run(round=round_, team=team, source="sim", status="scored", trace_path=relative.as_posix(),
               pack_hash=round_.pack_hash, score=score.score, success=score.success, time_s=score.time_s,
               outcome=score.outcome, breakdown=[rule.as_dict() for rule in score.breakdown],
               explanation=score.explanation, counts=score.counts)


@pytest.fixture
def world(app, trace_file):
    app.config["LIVE_STREAM_SECONDS"] = 0        # an event stream sends the state once, then ends
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Final",
                       pack_hash=load_challenge("line-follow").content_hash)
        ants = Team(competition=competition, name="Ants", school="No. 1 Primary")
        wasps = Team(competition=competition, name="Wasps", school="No. 2 Primary")
        ants_run, wasps_run = scored_run(app, round_, ants, trace_file), scored_run(app, round_, wasps, trace_file)
        on_field = Run(round=round_, team=ants, source="referee", status="on-field", version=1,
                       pack_hash=round_.pack_hash)
        session.add_all([round_, ants, wasps, ants_run, wasps_run, on_field])
        session.flush()
        admin_id = make_account(app, "appeal-filer", "admin")["id"]
        appeal = Appeal(run=wasps_run, filed_by_id=admin_id, reason="The gate missed a lap.")
        session.add(appeal)
        session.commit()
        ids = SimpleNamespace(c=competition.id, r=round_.id, ants=ants.id, wasps=wasps.id, ants_run=ants_run.id,
                              wasps_run=wasps_run.id, on_field=on_field.id, appeal=appeal.id)
    accounts = {
        "admin": make_account(app, "admin", "admin"),
        "coach": make_account(app, "coach", "coach", ids.c, school="No. 1 Primary"),
        "referee": make_account(app, "referee", "referee", ids.c),
        "team": make_account(app, "ants", "team", ids.c, team_id=ids.ants),
        "viewer": make_account(app, "viewer", "viewer"),
        "anonymous": None,
    }
    return SimpleNamespace(ids=ids, accounts=accounts)


def garbage_trace():
    return (io.BytesIO(b"not a trace\n"), "run.jsonl")


STAFF = {"admin", "coach", "referee"}
SHEET = {"base_version": 1, "elapsed_ms": 30000, "taps": [{"event": "finished", "t_ms": 30000}],
         "captain_confirmed": True, "captain": "A"}

# (name, kind, method, path, data, roles allowed). kind "page": a browser with a session
# and the form's CSRF token; kind "api": a bearer token. Paths: {c} competition, {r} round,
# {a}/{w} the Ants'/Wasps' scored runs, {f} the Ants' run on the field, {p} an open appeal.
MATRIX = [
    ("home page", "page", "GET", "/", None, EVERYONE),
    ("competition page", "page", "GET", "/competitions/{c}", None, EVERYONE),
    ("round page", "page", "GET", "/rounds/{r}", None, EVERYONE),
    ("create competition", "page", "POST", "/competitions", lambda w: {"name": "New cup"}, {"admin"}),
    ("create round", "page", "POST", "/competitions/{c}/rounds", lambda w: {"challenge": "maze"}, {"admin"}),
    ("create account", "page", "POST", "/competitions/{c}/accounts",
     lambda w: {"username": "ref2", "role": "referee"}, {"admin"}),
    ("register a team", "page", "POST", "/competitions/{c}/teams",
     lambda w: {"name": "Moths", "school": "No. 1 Primary"}, {"admin", "coach"}),
    ("submit for own team", "page", "POST", "/rounds/{r}/submit",
     lambda w: {"team_id": str(w.ids.ants), "file": garbage_trace()}, {"admin", "coach", "referee", "team"}),
    ("submit for another team", "page", "POST", "/rounds/{r}/submit",
     lambda w: {"team_id": str(w.ids.wasps), "file": garbage_trace()}, {"admin", "referee"}),
    ("api leaderboard", "api", "GET", "/api/rounds/{r}/leaderboard", None, EVERYONE),
    ("api create competition", "api", "POST", "/api/competitions", lambda w: {"name": "API cup"}, {"admin"}),
    ("api create round", "api", "POST", "/api/competitions/{c}/rounds", lambda w: {"challenge": "maze"}, {"admin"}),
    ("api register a team", "api", "POST", "/api/competitions/{c}/teams",
     lambda w: {"name": "Moths", "school": "No. 1 Primary"}, {"admin", "coach"}),
    ("api upload for own team", "api", "POST", "/api/rounds/{r}/runs",
     lambda w: {"team": "Ants", "trace": garbage_trace()}, {"admin", "coach", "referee", "team"}),
    ("api upload for another team", "api", "POST", "/api/rounds/{r}/runs",
     lambda w: {"team": "Wasps", "trace": garbage_trace()}, {"admin", "referee"}),
    ("api run", "api", "GET", "/api/runs/{a}", None, EVERYONE),
    ("api openapi", "api", "GET", "/api/openapi.json", None, EVERYONE),
    ("api docs page", "page", "GET", "/api/docs", None, EVERYONE),
    # runs
    ("run page", "page", "GET", "/runs/{a}", None, EVERYONE),
    ("run trace", "page", "GET", "/runs/{a}/trace", None, EVERYONE),
    ("run trajectory", "page", "GET", "/runs/{a}/trajectory.png", None, EVERYONE),
    # the field: referees and gates
    ("referee page", "page", "GET", "/rounds/{r}/referee", None, {"admin", "referee"}),
    ("start a field run", "page", "POST", "/rounds/{r}/referee/runs", lambda w: {"team_id": str(w.ids.ants)},
     {"admin", "referee"}),
    ("scoresheet page", "page", "GET", "/runs/{f}/sheet", None, {"admin", "referee"}),
    ("api scoresheet state", "api", "GET", "/api/runs/{f}/sheet", None, {"admin", "referee"}),
    ("api send a scoresheet", "api", "POST", "/api/runs/{f}/sheet", lambda w: SHEET, {"admin", "referee"}),
    ("attach the robot's trace", "page", "POST", "/runs/{f}/telemetry", lambda w: {"trace": garbage_trace()},
     {"admin", "referee"}),
    ("api gate crossing", "api", "POST", "/api/rounds/{r}/gate", lambda w: {"board_ms": 5, "sensor": 0, "device": "g"},
     {"admin", "referee"}),
    # live: the projector, freeze, reveal
    ("projector page", "page", "GET", "/rounds/{r}/projector", None, EVERYONE),
    ("api projector state", "api", "GET", "/api/rounds/{r}/projector", None, EVERYONE),
    ("api event stream", "api", "GET", "/api/rounds/{r}/events", None, EVERYONE),
    ("round control panel", "page", "GET", "/rounds/{r}/control", None, {"admin"}),
    ("freeze", "page", "POST", "/rounds/{r}/freeze", lambda w: {}, {"admin"}),
    ("unfreeze", "page", "POST", "/rounds/{r}/unfreeze", lambda w: {}, {"admin"}),
    ("start the reveal", "page", "POST", "/rounds/{r}/reveal/start", lambda w: {}, {"admin"}),
    # after the runs
    ("re-score preview", "page", "GET", "/rounds/{r}/rescore", None, {"admin"}),
    ("re-score apply", "page", "POST", "/rounds/{r}/rescore/apply", lambda w: {"version": "installed"}, {"admin"}),
    ("appeal own run", "page", "POST", "/runs/{a}/appeal", lambda w: {"reason": "A checkpoint was missed."},
     {"admin", "coach", "team"}),
    ("appeal another team's run", "page", "POST", "/runs/{w}/appeal", lambda w: {"reason": "Theirs."}, {"admin"}),
    ("api appeal own run", "api", "POST", "/api/runs/{a}/appeals", lambda w: {"reason": "A checkpoint was missed."},
     {"admin", "coach", "team"}),
    ("appeals list", "page", "GET", "/competitions/{c}/appeals", None, {"admin", "referee"}),
    ("api appeals list", "api", "GET", "/api/competitions/{c}/appeals", None, {"admin", "referee"}),
    ("resolve an appeal", "page", "POST", "/appeals/{p}/resolve",
     lambda w: {"decision": "reject", "resolution": "The gate log shows no lap.", "action": "none"},
     {"admin", "referee"}),
    ("api resolve an appeal", "api", "POST", "/api/appeals/{p}/resolve",
     lambda w: {"decision": "reject", "resolution": "The gate log shows no lap.", "action": "none"},
     {"admin", "referee"}),
    ("audit log", "page", "GET", "/competitions/{c}/audit", None, {"admin"}),
    ("api audit log", "api", "GET", "/api/competitions/{c}/audit", None, {"admin"}),
    ("exports page", "page", "GET", "/competitions/{c}/exports", None, STAFF),
    ("results csv", "page", "GET", "/competitions/{c}/results.csv", None, STAFF),
    ("results json", "page", "GET", "/competitions/{c}/results.json", None, STAFF),
    ("certificates", "page", "GET", "/competitions/{c}/certificates", None, STAFF),
    ("certificates csv", "page", "GET", "/competitions/{c}/certificates.csv", None, STAFF),
]


def request_as(client, world, role, kind, method, path, data):
    ids = world.ids
    path = path.format(c=ids.c, r=ids.r, a=ids.ants_run, w=ids.wasps_run, f=ids.on_field, p=ids.appeal)
    account = world.accounts[role]
    body = data(world) if data else None
    if kind == "page":
        login_as(client, account)
        if method == "GET":
            return client.get(path)
        multipart = any(isinstance(value, tuple) for value in body.values())
        return post_form(client, path, body, content_type="multipart/form-data" if multipart else None)
    headers = {"Authorization": f"Bearer {account['token']}"} if account else {}
    if method == "GET":
        return client.get(path, headers=headers)
    if isinstance(body, dict) and any(isinstance(value, tuple) for value in body.values()):
        return client.post(path, headers=headers, data=body, content_type="multipart/form-data")
    return client.post(path, headers=headers, json=body)


def refused(response) -> bool:
    signing_in = response.status_code == 302 and "/login" in response.headers.get("Location", "")
    return response.status_code in (401, 403) or signing_in


# Who may do what does not depend on the database: the matrix runs on SQLite only.
@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, kind, method, path, data, allowed", MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(app, client, world, role, name, kind, method, path, data, allowed):
    response = request_as(client, world, role, kind, method, path, data)
    if role in allowed:
        assert not refused(response), f"{role} was refused: {name} ({response.status_code})"
        assert response.status_code < 500
    else:
        assert refused(response), f"{role} was let through: {name} ({response.status_code})"
        if role == "anonymous" and kind == "api":
            assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
