"""The JSON API: submit a run to a round (a trace, scored against the round's pinned pack,
or a program, run on the server), read a run and a round's leaderboard. Clients
authenticate with ``Authorization: Bearer TOKEN`` (``roboarena judge token``)."""

from __future__ import annotations

import functools
import hashlib

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select

from roboarena.challenges.scoring import tidy
from roboarena.judge import db
from roboarena.judge.errors import api_error
from roboarena.judge.ingest import Refusal, ingest_trace, submit_program
from roboarena.judge.models import Round, Run, Team
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may
from roboarena.judge.standings import kept_for_visitors, public_standings, read_mark
from roboarena.judge.timezones import utc

bp = Blueprint("api", __name__, url_prefix="/api")

error = api_error        # the name the other API modules import
MAX_KEY_LENGTH = 200     # Run.idempotency_key's column


def token_required(view):
    """The API's sign-in: a valid bearer token (or, from a page's script, the session)."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            response = api_error(401, "judge.error.bad_token" if g.token_refused else "judge.error.no_token")
            response[0].headers["WWW-Authenticate"] = "Bearer"
            return response
        return view(**kwargs)
    return wrapped


def run_json(run: Run) -> dict:
    return {"run": run.id, "round": run.round_id, "team": run.team.name, "source": run.source, "status": run.status,
            "score": tidy(run.score) if run.score is not None else None, "success": run.success, "time_s": run.time_s, "outcome": run.outcome,
            "breakdown": run.breakdown, "explanation": run.explanation, "version": run.version,
            "created_at": utc(run.created_at).isoformat()}


@bp.post("/rounds/<int:round_id>/runs")
@token_required
def upload_run(round_id: int):
    session = db.session()
    round_ = session.get(Round, round_id)
    if round_ is None:
        return api_error(404, "judge.error.no_round", round_id=round_id)
    team_name = (request.form.get("team") or request.args.get("team") or "").strip()
    team = session.scalars(select(Team).where(Team.competition_id == round_.competition_id,
                                              Team.name == team_name)).first()
    if team is None:
        return api_error(404, "judge.error.no_team", team=team_name, competition=round_.competition.name)
    if not may("run.submit", round_.competition_id, team=team):
        return api_error(403, "judge.error.forbidden", user=g.user.username, team=team.name)
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > MAX_KEY_LENGTH:
        return api_error(400, "judge.error.key_too_long", limit=MAX_KEY_LENGTH)
    try:
        if "program" in request.files:
            upload = request.files["program"]
            run, created = submit_program(round_, team, upload.read(), upload.filename or "program.py", key, g.user)
            return jsonify(run_json(run)), (202 if created and run.status == "pending" else 201 if created else 200)
        if "trace" in request.files:
            upload = request.files["trace"]
            data, name = upload.read(), upload.filename or "trace.jsonl"
        else:
            data, name = request.get_data(cache=False), request.headers.get("X-Trace-Filename", "trace.jsonl")
        run, score, created = ingest_trace(round_, team, data, name, key, g.user)
    except Refusal as refusal:
        return api_error(refusal.status, refusal.message_id, **refusal.fields)
    if not created:
        return jsonify(run_json(run)), 200
    return jsonify(run_json(run) | {"score_detail": score.as_dict()}), 201


@bp.get("/runs/<int:run_id>")
def get_run(run_id: int):
    run = db.session().get(Run, run_id)
    if run is None:
        return api_error(404, "judge.error.no_run", run_id=run_id)
    return jsonify(run_json(run))


@bp.get("/rounds/<int:round_id>/leaderboard")
def round_leaderboard(round_id: int):
    """The round's standings as JSON. The body is made once per version of the standings
    (the projectors and phones of a whole gym poll it) and sent with its ETag; a client that
    sends the ETag back in ``If-None-Match`` gets 304 and no body while nothing changed.

    What everyone who is not signed in sees is kept whole and sent again without a database
    query while it is current (``standings.kept_for_visitors``). Signed-in readers (a referee
    checking an upload) always get it as it is now."""
    if g.user is None:
        made = kept_for_visitors("roboarena.leaderboard_json.public", round_id, lambda: _leaderboard_json(round_id))
    else:
        made = _leaderboard_json(round_id)
    if made is None:
        return api_error(404, "judge.error.no_round", round_id=round_id)
    response = current_app.response_class(made.body, mimetype="application/json")
    response.set_etag(made.etag)
    # Any cache may keep it but must ask first: the ETag makes asking cheap.
    response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


class _LeaderboardJson:
    __slots__ = ("mark", "rows", "head", "body", "etag")

    def __init__(self, mark, rows, head, body, etag):
        self.mark, self.rows, self.head, self.body, self.etag = mark, rows, head, body, etag


def _leaderboard_json(round_id: int) -> _LeaderboardJson | None:
    """The leaderboard's body as the asker may see it now (None: no such round)."""
    mark = read_mark()
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        return None
    challenge = pinned_challenge(round_)
    rows, frozen = public_standings(challenge, round_)
    head = {"round": round_.id, "title": round_.title, "challenge": round_.challenge_id,
            "pack_hash": f"sha256:{round_.pack_hash}", "ranking_mode": challenge.ranking_mode,
            "tie_break": list(challenge.tie_break), "frozen": frozen}
    made = current_app.extensions.setdefault("roboarena.leaderboard_json", {})
    last = made.get((round_id, frozen))
    # The cached standings are the same list until they change: its identity is their version.
    if last is not None and last.rows is rows and last.head == head:
        body, etag = last.body, last.etag
    else:
        body = jsonify(head | {"rows": rows}).get_data()
        etag = hashlib.sha256(body).hexdigest()[:32]
    made[(round_id, frozen)] = _LeaderboardJson(mark, rows, head, body, etag)
    return made[(round_id, frozen)]
