"""A competition's audit log, for its admins: every change (who, what, when, the values
before and after), newest first, filtered by action, user, target and day, each entry with
a compact diff of what changed. The same as JSON at ``/api/competitions/<id>/audit``."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from sqlalchemy import select

from roboarena.judge import db
from roboarena.judge.errors import api_error
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import MAX_INT, AuditEntry, Competition, User
from roboarena.judge.permissions import may
from roboarena.judge.timezones import utc
from roboarena.judge.views.api import token_required
from roboarena.judge.views.auth import login_required

bp = Blueprint("audit_log", __name__)

PAGE_SIZE = 100
DIFF_LINES = 8              # shown in the table; the rest is one click away
VALUE_CHARS = 80
_MISSING = object()


def json_diff(before, after, path: str = "") -> list[dict]:
    """The leaves that differ between two JSON values, as {"path", "before", "after"}
    (a side is left out where the key did not exist). Lists of equal length are compared
    item by item, so one team moving in a standings list shows as its own line."""
    if isinstance(before, dict) and isinstance(after, dict):
        changes = []
        for key in list(before) + [k for k in after if k not in before]:
            inner = f"{path}.{key}" if path else str(key)
            changes += json_diff(before.get(key, _MISSING), after.get(key, _MISSING), inner)
        return changes
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        changes = []
        for index, (old, new) in enumerate(zip(before, after)):
            changes += json_diff(old, new, f"{path}[{index}]")
        return changes
    if before is not _MISSING and after is not _MISSING and before == after:
        return []
    change = {"path": path}
    if before is not _MISSING:
        change["before"] = before
    if after is not _MISSING:
        change["after"] = after
    return [change]


def compact(value) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def entry_json(entry: AuditEntry) -> dict:
    return {"id": entry.id, "at": utc(entry.at).isoformat(), "user": entry.user.username if entry.user else None,
            "action": entry.action, "target": entry.target, "before": entry.before, "after": entry.after,
            "diff": json_diff(entry.before, entry.after) if entry.before is not None and entry.after is not None else None}


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refusal(400, "judge.audit.bad_date", field=name, value=value) from None


def filtered_entries(competition_id: int) -> tuple[list[AuditEntry], int | None]:
    """The entries the request's filters ask for, newest first, one page of them, and the
    id to ask for the next (older) page with, if there is one."""
    query = select(AuditEntry).where(AuditEntry.competition_id == competition_id)
    if request.args.get("action"):
        query = query.where(AuditEntry.action == request.args["action"])
    if request.args.get("user"):
        query = query.join(User, AuditEntry.user_id == User.id).where(User.username == request.args["user"])
    if request.args.get("target"):
        query = query.where(AuditEntry.target.contains(request.args["target"].strip(), autoescape=True))
    since, until = _day("since"), _day("until")
    if since is not None:
        query = query.where(AuditEntry.at >= datetime.combine(since, time(), timezone.utc))
    if until is not None:
        query = query.where(AuditEntry.at < datetime.combine(until + timedelta(days=1), time(), timezone.utc))
    older_than = request.args.get("before", type=int)
    if older_than is not None and 0 < older_than <= MAX_INT:
        query = query.where(AuditEntry.id < older_than)
    rows = list(db.session().scalars(query.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], (rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None)


def _choices(competition_id: int) -> tuple[list[str], list[str]]:
    session = db.session()
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.competition_id == competition_id)
                              .distinct().order_by(AuditEntry.action)).all()
    users = session.scalars(select(User.username).join(AuditEntry, AuditEntry.user_id == User.id)
                            .where(AuditEntry.competition_id == competition_id).distinct()
                            .order_by(User.username)).all()
    return list(actions), list(users)


@bp.get("/competitions/<int:competition_id>/audit")
@login_required
def page(competition_id: int):
    competition = db.session().get(Competition, competition_id)
    if competition is None:
        abort(404)
    if not may("audit.view", competition_id):
        abort(403)
    entries, next_before = filtered_entries(competition_id)
    actions, users = _choices(competition_id)
    views = [entry_json(entry) | {"entry": entry} for entry in entries]
    filters = {key: value for key, value in request.args.items() if key != "before" and value}
    older_url = url_for("audit_log.page", competition_id=competition_id, before=next_before, **filters) \
        if next_before is not None else None
    return render_template("audit_log.html", competition=competition, entries=views, older_url=older_url,
                           actions=actions, users=users, args=request.args, compact=compact, diff_lines=DIFF_LINES)


@bp.get("/api/competitions/<int:competition_id>/audit")
@token_required
def api(competition_id: int):
    if db.session().get(Competition, competition_id) is None:
        return api_error(404, "judge.error.no_competition", competition_id=competition_id)
    if not may("audit.view", competition_id):
        return api_error(403, "judge.error.not_allowed")
    entries, next_before = filtered_entries(competition_id)
    return jsonify({"competition": competition_id, "entries": [entry_json(entry) for entry in entries],
                    "next_before": next_before})
