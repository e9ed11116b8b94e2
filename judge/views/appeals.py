"""Appeals: a team (or its coach) asks for one of its runs to be looked at again, with a
reason; referees and admins see the competition's open appeals and resolve each one, upheld
or rejected, with a written resolution the team reads. Upholding may void the run (it leaves
the standings) or point at the re-score of its round that settled it; the appeal keeps the
audit entry of what was done. One appeal per run may be open at a time.

Pages: ``/runs/<id>/appeal`` (the team's), ``/competitions/<id>/appeals`` (the referees'),
``/appeals/<id>/resolve``. JSON: ``/api/runs/<id>/appeals`` (file, read),
``/api/competitions/<id>/appeals``, ``/api/appeals/<id>/resolve``."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from roboarena.judge import audit, db
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import MAX_INT, Appeal, AuditEntry, Competition, Round, Run
from roboarena.judge.permissions import may
from roboarena.judge.standings import forget
from roboarena.judge.timezones import utc
from roboarena.judge.views.api import token_required
from roboarena.judge.views.auth import login_required

bp = Blueprint("appeals", __name__)

MAX_TEXT = 2000              # a reason or a resolution: a paragraph, not an essay
DECISIONS = {"uphold": "upheld", "reject": "rejected"}
ACTIONS = ("none", "void", "rescore")
RECENT_RESOLVED = 50


def appeal_json(appeal: Appeal) -> dict:
    return {"appeal": appeal.id, "run": appeal.run_id, "round": appeal.run.round_id, "team": appeal.run.team.name,
            "status": appeal.status, "reason": appeal.reason, "filed_by": appeal.filed_by.username,
            "created_at": utc(appeal.created_at).isoformat(), "resolution": appeal.resolution,
            "resolved_by": appeal.resolved_by.username if appeal.resolved_by else None,
            "resolved_at": utc(appeal.resolved_at).isoformat() if appeal.resolved_at else None,
            "audit_id": appeal.audit_id}


def _run(run_id: int, lock: bool = False) -> Run:
    # Locked while an appeal is filed on it (PostgreSQL), so two at once cannot both be "the one open".
    run = db.session().get(Run, run_id, with_for_update=lock or None)
    if run is None:
        raise Refusal(404, "judge.error.no_run", run_id=run_id)
    return run


def _appeal(appeal_id: int) -> Appeal:
    appeal = db.session().get(Appeal, appeal_id)
    if appeal is None:
        raise Refusal(404, "judge.appeal.no_appeal", appeal_id=appeal_id)
    return appeal


def _text(value, message_id: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text or len(text) > MAX_TEXT:
        raise Refusal(400, message_id, limit=MAX_TEXT)
    return text


def open_appeal(run: Run) -> Appeal | None:
    return db.session().scalars(select(Appeal).where(Appeal.run_id == run.id, Appeal.status == "open")).first()


def file_appeal(run: Run, reason) -> Appeal:
    """File an appeal on ``run`` for the signed-in user (raises Refusal)."""
    competition_id = run.round.competition_id
    if not may("appeal.file", competition_id, team=run.team):
        raise Refusal(403, "judge.appeal.not_yours", user=g.user.username, team=run.team.name)
    reason = _text(reason, "judge.appeal.need_reason")
    earlier = open_appeal(run)
    if earlier is not None:
        raise Refusal(409, "judge.appeal.already_open", run=run.id, appeal=earlier.id)
    session = db.session()
    appeal = Appeal(run=run, filed_by=g.user, reason=reason)
    session.add(appeal)
    session.flush()
    audit.record("appeal.file", f"appeal {appeal.id}", None,
                 {"run": run.id, "team": run.team.name, "reason": reason}, competition_id)
    session.commit()
    return appeal


def rescores_of(round_id: int) -> list[AuditEntry]:
    """The audit entries of the re-scores of a round, newest first: what an upheld appeal may point at."""
    return list(db.session().scalars(select(AuditEntry).where(AuditEntry.action == "round.rescore",
                                                              AuditEntry.target == f"round {round_id}")
                                     .order_by(AuditEntry.id.desc())))


def resolve_appeal(appeal: Appeal, decision, resolution, action, rescore_entry_id) -> Appeal:
    """Uphold or reject ``appeal`` as the signed-in referee or admin (raises Refusal)."""
    run = appeal.run
    competition_id = run.round.competition_id
    if not may("appeal.resolve", competition_id):
        raise Refusal(403, "judge.error.not_allowed")
    if appeal.status != "open":
        raise Refusal(409, "judge.appeal.not_open", appeal=appeal.id)
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise Refusal(400, "judge.appeal.bad_decision", value=str(decision)[:40])
    resolution = _text(resolution, "judge.appeal.need_resolution")
    action = action or "none"
    if not isinstance(action, str) or action not in ACTIONS:
        raise Refusal(400, "judge.appeal.bad_action", value=str(action)[:40])
    if action != "none" and decision != "uphold":
        raise Refusal(400, "judge.appeal.action_needs_uphold")
    session = db.session()
    done = None
    if action == "void":
        if run.status == "void":
            raise Refusal(409, "judge.appeal.already_void", run=run.id)
        before = {"status": run.status}
        run.status, run.version, run.updated_at = "void", run.version + 1, datetime.now(timezone.utc)
        done = audit.record("run.void", f"run {run.id}", before, {"status": "void", "appeal": appeal.id},
                            competition_id)
    elif action == "rescore":
        try:
            entry_id = int(rescore_entry_id)
        except (TypeError, ValueError):
            entry_id = None
        # Beyond the id column's range PostgreSQL would fail the query: no such entry either.
        done = session.get(AuditEntry, entry_id) if entry_id is not None and 0 < entry_id <= MAX_INT else None
        if done is None or done.action != "round.rescore" or done.target != f"round {run.round_id}":
            raise Refusal(400, "judge.appeal.no_rescore", entry=str(rescore_entry_id or "")[:40], round_id=run.round_id)
    appeal.status, appeal.resolution = DECISIONS[decision], resolution
    appeal.resolved_by, appeal.resolved_at = g.user, datetime.now(timezone.utc)
    session.flush()                  # the void's entry needs its id before the resolution names it
    resolved = audit.record("appeal.resolve", f"appeal {appeal.id}", {"status": "open"},
                            {"status": appeal.status, "resolution": resolution, "run": run.id, "action": action,
                             "audit_id": done.id if done is not None else None}, competition_id)
    session.flush()
    appeal.audit_id = (done if done is not None else resolved).id
    session.commit()
    if action == "void":
        forget(run.round_id)
    return appeal


def linked_entries(appeals) -> dict[int, AuditEntry]:
    """The audit entry each resolved appeal points at, by appeal id."""
    ids = {appeal.audit_id for appeal in appeals if appeal.audit_id is not None}
    if not ids:
        return {}
    entries = {entry.id: entry for entry in db.session().scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}
    return {appeal.id: entries[appeal.audit_id] for appeal in appeals if appeal.audit_id in entries}


# --- pages -------------------------------------------------------------------------------

@bp.get("/runs/<int:run_id>/appeal")
@login_required
def run_appeals(run_id: int):
    run = _run(run_id)
    competition_id = run.round.competition_id
    may_file = may("appeal.file", competition_id, team=run.team)
    if not (may_file or may("appeal.resolve", competition_id)):
        abort(403)
    appeals = db.session().scalars(select(Appeal).where(Appeal.run_id == run.id).order_by(Appeal.id.desc())).all()
    return render_template("appeal_form.html", run=run, appeals=appeals, lang=language(), limit=MAX_TEXT,
                           linked=linked_entries(appeals), has_open=any(a.status == "open" for a in appeals),
                           may_file=may_file, may_resolve=may("appeal.resolve", competition_id),
                           can_view_audit=may("audit.view", competition_id))


@bp.post("/runs/<int:run_id>/appeal")
@login_required
def file_from_page(run_id: int):
    appeal = file_appeal(_run(run_id, lock=True), request.form.get("reason"))
    flash(t("judge.appeal.filed", run=run_id, appeal=appeal.id))
    return redirect(url_for("appeals.run_appeals", run_id=run_id), 303)


@bp.get("/competitions/<int:competition_id>/appeals")
@login_required
def competition_appeals(competition_id: int):
    competition = db.session().get(Competition, competition_id)
    if competition is None:
        abort(404)
    if not may("appeal.resolve", competition_id):
        abort(403)
    query = select(Appeal).join(Run, Appeal.run_id == Run.id).join(Round, Run.round_id == Round.id) \
        .where(Round.competition_id == competition_id)
    session = db.session()
    open_ones = session.scalars(query.where(Appeal.status == "open").order_by(Appeal.id)).all()
    resolved = session.scalars(query.where(Appeal.status != "open").order_by(Appeal.resolved_at.desc(), Appeal.id.desc())
                               .limit(RECENT_RESOLVED)).all()
    rescores = {appeal.run.round_id: rescores_of(appeal.run.round_id) for appeal in open_ones}
    return render_template("appeals.html", competition=competition, open_appeals=open_ones, resolved=resolved,
                           rescores=rescores, linked=linked_entries(resolved), lang=language(), limit=MAX_TEXT,
                           can_view_audit=may("audit.view", competition_id))


@bp.post("/appeals/<int:appeal_id>/resolve")
@login_required
def resolve_from_page(appeal_id: int):
    appeal = _appeal(appeal_id)
    if not may("appeal.resolve", appeal.run.round.competition_id):
        abort(403)
    form = request.form
    resolve_appeal(appeal, form.get("decision"), form.get("resolution"), form.get("action"),
                   form.get("rescore_audit_id"))
    flash(t("judge.appeal.resolved", appeal=appeal.id, status=t(f"judge.appeal.status.{appeal.status}")))
    return redirect(url_for("appeals.competition_appeals", competition_id=appeal.run.round.competition_id), 303)


# --- JSON --------------------------------------------------------------------------------

def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else request.form.to_dict()


@bp.post("/api/runs/<int:run_id>/appeals")
@token_required
def file_from_api(run_id: int):
    appeal = file_appeal(_run(run_id, lock=True), _body().get("reason"))
    return jsonify(appeal_json(appeal)), 201


@bp.get("/api/runs/<int:run_id>/appeals")
@token_required
def run_appeals_json(run_id: int):
    run = _run(run_id)
    competition_id = run.round.competition_id
    if not (may("appeal.file", competition_id, team=run.team) or may("appeal.resolve", competition_id)):
        raise Refusal(403, "judge.appeal.not_yours", user=g.user.username, team=run.team.name)
    appeals = db.session().scalars(select(Appeal).where(Appeal.run_id == run.id).order_by(Appeal.id)).all()
    return jsonify({"run": run.id, "appeals": [appeal_json(appeal) for appeal in appeals]})


@bp.get("/api/competitions/<int:competition_id>/appeals")
@token_required
def competition_appeals_json(competition_id: int):
    if db.session().get(Competition, competition_id) is None:
        raise Refusal(404, "judge.error.no_competition", competition_id=competition_id)
    if not may("appeal.resolve", competition_id):
        raise Refusal(403, "judge.error.not_allowed")
    status = request.args.get("status", "open")
    query = select(Appeal).join(Run, Appeal.run_id == Run.id).join(Round, Run.round_id == Round.id) \
        .where(Round.competition_id == competition_id).order_by(Appeal.id)
    if status != "all":
        query = query.where(Appeal.status == status)
    return jsonify({"competition": competition_id,
                    "appeals": [appeal_json(appeal) for appeal in db.session().scalars(query)]})


@bp.post("/api/appeals/<int:appeal_id>/resolve")
@token_required
def resolve_from_api(appeal_id: int):
    body = _body()
    appeal = resolve_appeal(_appeal(appeal_id), body.get("decision"), body.get("resolution"), body.get("action"),
                            body.get("rescore_audit_id"))
    return jsonify(appeal_json(appeal))
