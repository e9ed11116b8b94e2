"""Setting a competition up through the API: competitions and rounds (admins), teams
(admins and coaches). A round pins the version of its challenge pack installed now, so
runs are judged by the rules the round was opened with."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from roboarena.challenges.pack import find_pack, load_challenge
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Team
from roboarena.judge.packs import keep_pack
from roboarena.judge.permissions import may
from roboarena.judge.views.api import error, token_required

bp = Blueprint("setup", __name__, url_prefix="/api")


def _text(field: str, limit: int = 200) -> str | None:
    body = request.get_json(silent=True)
    value = body.get(field) if isinstance(body, dict) else None     # a list or a string names nothing
    return value.strip()[:limit] if isinstance(value, str) and value.strip() else None


def _allowed(action: str, competition_id: int | None = None, school: str | None = None):
    if not may(action, competition_id, school=school):
        return error(403, "judge.error.not_allowed")
    return None


@bp.post("/competitions")
@token_required
def create_competition():
    refused = _allowed("competition.create")
    if refused:
        return refused
    name = _text("name")
    if name is None:
        return error(400, "judge.error.missing_field", field="name")
    session = db.session()
    competition = Competition(name=name)
    session.add(competition)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return error(409, "judge.error.exists", what=name)
    return jsonify({"competition": competition.id, "name": competition.name}), 201


@bp.post("/competitions/<int:competition_id>/rounds")
@token_required
def create_round(competition_id: int):
    refused = _allowed("competition.manage", competition_id)
    if refused:
        return refused
    session = db.session()
    competition = session.get(Competition, competition_id)
    if competition is None:
        return error(404, "judge.error.no_competition", competition_id=competition_id)
    challenge_id = _text("challenge", 100)
    if challenge_id is None or find_pack(challenge_id) is None:
        return error(400, "judge.error.no_challenge", challenge=challenge_id or "")
    challenge = load_challenge(challenge_id)
    keep_pack(challenge)          # this version stays at hand when the installed pack changes
    round_ = Round(competition=competition, challenge_id=challenge.id, pack_hash=challenge.content_hash,
                   title=_text("title") or challenge.title["en"])
    session.add(round_)
    session.commit()
    return jsonify({"round": round_.id, "challenge": challenge.id, "pack_hash": f"sha256:{challenge.content_hash}",
                    "title": round_.title}), 201


@bp.post("/competitions/<int:competition_id>/teams")
@token_required
def create_team(competition_id: int):
    session = db.session()
    competition = session.get(Competition, competition_id)
    if competition is None:
        return error(404, "judge.error.no_competition", competition_id=competition_id)
    name = _text("name")
    refused = _allowed("team.create", competition_id, school=_text("school") or "")
    if refused:
        return refused
    if name is None:
        return error(400, "judge.error.missing_field", field="name")
    if session.scalars(select(Team).where(Team.competition_id == competition_id, Team.name == name)).first():
        return error(409, "judge.error.exists", what=name)
    team = Team(competition=competition, name=name, school=_text("school") or "")   # no personal data asked
    session.add(team)
    session.commit()
    return jsonify({"team": team.id, "name": team.name, "school": team.school}), 201
