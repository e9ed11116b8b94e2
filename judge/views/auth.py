"""Signing in and out, and who is asking: a session cookie for people at a browser, a
bearer token (``Authorization: Bearer ra_...``) for the CLI and devices. Requests with a
token are not cookie-borne, so they are the only ones spared the CSRF check."""

from __future__ import annotations

import functools

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from roboarena.judge import db
from roboarena.judge.extensions import csrf, limiter
from roboarena.judge.i18n import t
from roboarena.judge.models import ApiToken, User

bp = Blueprint("auth", __name__)

LOGIN_LIMIT = "10 per minute"      # per address: enough for a typo or two, not for guessing


@bp.before_app_request
def load_user():
    g.user, g.token_refused = None, False
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        g.by_token = True
        row = db.session().scalars(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))).first()
        if row is None:
            g.token_refused = True
        else:
            g.user = row.user
        return None
    g.by_token = False
    # Forms always carry the token; an API call only needs it when the session cookie is
    # what signs it in (a page's script). One with neither gets the API's 401 instead.
    if request.method not in ("GET", "HEAD", "OPTIONS") and (
            not request.path.startswith("/api/") or session.get("user_id") is not None):
        csrf.protect()
    user_id = session.get("user_id")
    if user_id is not None:
        g.user = db.session().get(User, user_id)
    return None


def login_required(view):
    """Pages: send a visitor who is not signed in to the sign-in page, then back."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path))
        return view(**kwargs)
    return wrapped


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        user = db.session().scalars(select(User).where(User.username == username)).first()
        if user is None or not user.check_password(request.form.get("password", "")):
            error = t("judge.auth.bad_login")
        else:
            session.clear()
            session["user_id"] = user.id
            target = request.args.get("next", "")
            # Only a path on this server: never an address elsewhere handed in by a link.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("site.home")
            return redirect(target)
    return render_template("login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    flash(t("judge.auth.signed_out"))
    return redirect(url_for("site.home"))
