"""Every endpoint against every role: the permission matrix, stated here independently of
``judge/permissions.py`` so a change to either shows up as a failing cell.

Roles: the admin; the coach of No. 1 Primary (whose team is Ants); a referee; the Ants
team account; a viewer (signed in with no role here) and an anonymous visitor. Requests go
with valid input where the role is allowed, so "allowed" means not refused (no 401/403, no
redirect to the sign-in page), whatever the endpoint then answers."""

import io
from types import SimpleNamespace

import pytest
from judge_helpers import login_as, make_account, post_form

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Team

ROLES = ("admin", "coach", "referee", "team", "viewer", "anonymous")
EVERYONE = set(ROLES)


@pytest.fixture
def world(app):
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Final",
                       pack_hash=load_challenge("line-follow").content_hash)
        ants = Team(competition=competition, name="Ants", school="No. 1 Primary")
        wasps = Team(competition=competition, name="Wasps", school="No. 2 Primary")
        session.add_all([round_, ants, wasps])
        session.commit()
        ids = SimpleNamespace(c=competition.id, r=round_.id, ants=ants.id, wasps=wasps.id)
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


# (name, kind, method, path, data, roles allowed). kind "page": a browser with a session
# and the form's CSRF token; kind "api": a bearer token.
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
]


def request_as(client, world, role, kind, method, path, data):
    path = path.format(c=world.ids.c, r=world.ids.r)
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
    if any(isinstance(value, tuple) for value in body.values()):
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
