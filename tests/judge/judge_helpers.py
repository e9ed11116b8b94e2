"""Helpers for the judge's tests: accounts in a competition, signing a test client in,
and the CSRF token a page hands its forms."""

from __future__ import annotations

import re

from werkzeug.security import generate_password_hash

from roboarena.judge import db
from roboarena.judge.models import ApiToken, Membership, Team, User


# Edits to the example line follower (for the ``sim_trace`` fixture): slowed, it scores clearly less.
SLOWER = (("SPEED = 250", "SPEED = 180"),)


def make_account(app, username: str, role: str, competition_id: int | None = None, team_id: int | None = None,
                 school: str = "", password: str = "pass-word-1") -> dict:
    """A user with ``role`` ("admin", or a member role in the competition) and an API
    token: {"id", "username", "password", "token"}."""
    with app.app_context():
        session = db.session()
        user = User(username=username, role="admin" if role == "admin" else "member")
        # A cheap hash: the permission matrix makes hundreds of accounts. The server's own
        # accounts use werkzeug's default (scrypt); check_password reads either.
        user.password_hash = generate_password_hash(password, method="pbkdf2:sha256:1000")
        session.add(user)
        if role in ("coach", "referee", "team"):
            if role == "team" and team_id is None:
                raise ValueError("a team account needs team_id")
            if role == "coach" and not school and team_id is not None:
                school = session.get(Team, team_id).school
            session.add(Membership(user=user, competition_id=competition_id, role=role, team_id=team_id,
                                   school=school))
        row, token = ApiToken.issue(user)
        session.add(row)
        session.commit()
        return {"id": user.id, "username": username, "password": password, "token": token}


def login_as(client, account: dict | None):
    """Sign the test client in (or out, with None) without the login form: the permission
    tests sign in many times, and the login form is rate-limited."""
    with client.session_transaction() as session:
        session.clear()
        if account is not None:
            session["user_id"] = account["id"]


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of the client's session, as a page gives it to its forms (the sign-in
    page has a form for everyone; a signed-in page also has it in its head, for scripts)."""
    page = client.get(path).get_data(as_text=True)
    found = (re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
             or re.search(r'name="csrf_token" value="([^"]+)"', page))
    return found.group(1)


def post_form(client, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does: with the page's CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client)} | (data or {}), **kwargs)
