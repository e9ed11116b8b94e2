"""The JSON API: upload a run trace to a round (scored against the round's pinned pack),
read a round's leaderboard. Clients authenticate with ``Authorization: Bearer TOKEN``."""

from __future__ import annotations

import functools
import gzip
import io
import json
import uuid
from pathlib import Path

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.results import score_trace
from roboarena.errors import RoboarenaError, TraceError
from roboarena.judge import db
from roboarena.judge.models import ApiToken, Round, Run, Team
from roboarena.judge.standings import round_standings
from roboarena.messages import LANGUAGES, render

bp = Blueprint("api", __name__, url_prefix="/api")

UPLOAD_ROLES = ("admin", "coach", "referee", "team")


def error(status: int, message_id: str, **fields):
    """The same shape as ``roboarena ... --json`` errors: an id and the text in each language."""
    body = {"error": message_id, "message": {lang: render(message_id, lang, **fields) for lang in LANGUAGES}}
    return jsonify(body | ({"details": fields} if fields else {})), status


def token_required(view):
    @functools.wraps(view)
    def wrapped(**kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            response = error(401, "judge.error.no_token")
        else:
            row = db.session().scalars(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token.strip()))).first()
            if row is None:
                response = error(401, "judge.error.bad_token")
            else:
                g.user = row.user
                return view(**kwargs)
        response[0].headers["WWW-Authenticate"] = "Bearer"
        return response
    return wrapped


def run_json(run: Run) -> dict:
    return {"run": run.id, "round": run.round_id, "team": run.team.name, "source": run.source, "score": run.score,
            "success": run.success, "time_s": run.time_s, "outcome": run.outcome, "breakdown": run.breakdown,
            "explanation": run.explanation, "created_at": run.created_at.isoformat()}


def _received_trace() -> tuple[bytes, str] | None:
    """(content, file name) from a multipart field 'trace' or the raw body."""
    if "trace" in request.files:
        upload = request.files["trace"]
        return upload.read(), upload.filename or "trace.jsonl"
    data = request.get_data(cache=False)
    if not data:
        return None
    return data, request.headers.get("X-Trace-Filename", "trace.jsonl")


def _header(data: bytes) -> dict | None:
    """The trace's first line, if it can be read; the scorer says what is wrong otherwise."""
    try:
        if data[:2] == b"\x1f\x8b":
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                first = stream.readline()
        else:
            first = data.split(b"\n", 1)[0]
        header = json.loads(first)
        return header if isinstance(header, dict) and isinstance(header.get("challenge"), dict) else None
    except (OSError, EOFError, ValueError):
        return None


@bp.post("/rounds/<int:round_id>/runs")
@token_required
def upload_run(round_id: int):
    session = db.session()
    if g.user.role not in UPLOAD_ROLES:
        return error(403, "judge.error.forbidden", user=g.user.username, role=g.user.role)
    round_ = session.get(Round, round_id)
    if round_ is None:
        return error(404, "judge.error.no_round", round_id=round_id)
    try:
        received = _received_trace()
    except RequestEntityTooLarge:
        return error(413, "judge.error.too_large", limit_mb=current_app.config["MAX_CONTENT_LENGTH"] / 2**20)
    team_name = (request.form.get("team") or request.args.get("team") or "").strip()
    team = session.scalars(select(Team).where(Team.competition_id == round_.competition_id,
                                              Team.name == team_name)).first()
    if team is None:
        return error(404, "judge.error.no_team", team=team_name, competition=round_.competition.name)
    key = request.headers.get("Idempotency-Key") or None
    if key:
        earlier = session.scalars(select(Run).where(Run.team_id == team.id, Run.idempotency_key == key)).first()
        if earlier is not None:
            return jsonify(run_json(earlier)), 200
    if received is None:
        return error(400, "judge.error.no_trace")
    data, name = received
    name = Path(name).name
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
        return error(400, "judge.error.bad_name", name=name)
    header = _header(data)
    if header is not None:
        recorded = header["challenge"]
        if recorded.get("id") != round_.challenge_id:
            return error(409, "judge.error.wrong_challenge", trace_challenge=recorded.get("id"),
                         round_challenge=round_.challenge_id, round_id=round_id)
        trace_hash = str(recorded.get("hash", "")).removeprefix("sha256:")
        if trace_hash != round_.pack_hash:
            return error(409, "judge.error.pack_mismatch", challenge=round_.challenge_id, trace_hash=trace_hash,
                         round_hash=round_.pack_hash, round_id=round_id)
    relative = Path(current_app.config["TRACE_FOLDER"]) / str(round_id) / (
        f"{uuid.uuid4().hex}.jsonl" + (".gz" if data[:2] == b"\x1f\x8b" else ""))
    path = Path(current_app.instance_path) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        # Against the installed pack, which must still be the round's pinned version (else 409).
        score, header, _ = score_trace(path)
    except RoboarenaError as exc:
        path.unlink(missing_ok=True)
        if "path" in exc.fields:
            exc.fields["path"] = name        # the uploader's file name, not the server's folders
        status = 409 if exc.message_id == "trace.unknown_pack" else 400 if isinstance(exc, TraceError) else 500
        return jsonify({"error": exc.message_id, "message": {lang: exc.text(lang) for lang in LANGUAGES}}), status
    run = Run(round=round_, team=team, source=header.get("source", "sim"), trace_path=relative.as_posix(),
              score=score.score, success=score.success, time_s=score.time_s, outcome=score.outcome,
              breakdown=[rule.as_dict() for rule in score.breakdown], explanation=score.explanation,
              counts=score.counts, idempotency_key=key)
    session.add(run)
    try:
        session.commit()
    except IntegrityError:     # the same key raced in from a second request: keep the first
        session.rollback()
        path.unlink(missing_ok=True)
        earlier = session.scalars(select(Run).where(Run.team_id == team.id, Run.idempotency_key == key)).one()
        return jsonify(run_json(earlier)), 200
    return jsonify(run_json(run) | {"score_detail": score.as_dict()}), 201


@bp.get("/rounds/<int:round_id>/leaderboard")
def round_leaderboard(round_id: int):
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        return error(404, "judge.error.no_round", round_id=round_id)
    challenge = load_challenge(round_.challenge_id)
    return jsonify({"round": round_.id, "title": round_.title, "challenge": round_.challenge_id,
                    "pack_hash": f"sha256:{round_.pack_hash}", "ranking_mode": challenge.ranking_mode,
                    "tie_break": list(challenge.tie_break), "rows": round_standings(challenge, round_)})
