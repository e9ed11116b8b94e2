"""The referee's tablet: a team goes on the field, the referee times the run and taps what
happens (checkpoints, restarts, collisions, the finish), the team captain confirms, and the
sheet becomes a ``hardware`` run trace (``judge/scoresheet.py``) scored by the round's pinned
pack like any other. Timing gates post their crossings here too (``roboarena gate
--server``); they join the run on the field and its sheet.

Two tablets on one run: a sheet names the run version its tablet loaded, and only a sheet
for the current version is applied, by one ``UPDATE ... WHERE version = :base`` (atomic on
SQLite and PostgreSQL alike); the other gets 409, and its sheet is kept, not applied.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from sqlalchemy import select, update

from roboarena.challenges.scoring import tidy
from roboarena.errors import RoboarenaError, TraceError
from roboarena.judge import audit, db
from roboarena.judge.errors import api_error
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal, _instance_file, apply_score
from roboarena.judge.models import MAX_INT, GateCrossing, Round, Run, ScoreSheet, Team
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may
from roboarena.judge.scoresheet import (TELEMETRY_SOURCES, Sheet, _epoch_ms, crossing_times, join_telemetry,
                                        parse_sheet, sheet_buttons, sheet_trace)
from roboarena.judge.standings import forget
from roboarena.judge.views.api import run_json, token_required
from roboarena.judge.views.auth import login_required
from roboarena.messages import CATALOG
from roboarena.sims.trace import read_trace

bp = Blueprint("referee", __name__)

MAX_CROSSINGS_PER_POST = 500


def write_records(round_id: int, records: list[dict]):
    relative, path = _instance_file("TRACE_FOLDER", round_id, ".jsonl")
    path.write_text("".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                            for record in records), encoding="utf-8")
    return relative, path


# --- pages ------------------------------------------------------------------------------------------

def _round_or_404(round_id: int) -> Round:
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def _run_or_404(run_id: int) -> Run:
    run = db.session().get(Run, run_id)
    if run is None:
        abort(404)
    return run


def _when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return format_datetime(moment, "medium")


@bp.get("/rounds/<int:round_id>/referee")
@login_required
def round_page(round_id: int):
    round_ = _round_or_404(round_id)
    if not may("run.referee", round_.competition_id):
        abort(403)
    session = db.session()
    teams = session.scalars(select(Team).where(Team.competition_id == round_.competition_id).order_by(Team.name)).all()
    runs = session.scalars(select(Run).where(Run.round_id == round_id, Run.source == "referee")
                           .order_by(Run.id.desc()).limit(50)).all()
    return render_template("referee_round.html", round=round_, teams=teams,
                           on_field=[run for run in runs if run.status == "on-field"],
                           done=[run for run in runs if run.status != "on-field"], server=request.host_url.rstrip("/"))


@bp.post("/rounds/<int:round_id>/referee/runs")
@login_required
def start_run(round_id: int):
    round_ = _round_or_404(round_id)
    if not may("run.referee", round_.competition_id):
        abort(403)
    session = db.session()
    team = session.get(Team, request.form.get("team_id", type=int) or 0)
    if team is None or team.competition_id != round_.competition_id:
        flash(t("judge.referee.need_team"))
        return redirect(url_for("referee.round_page", round_id=round_id))
    run = Run(round=round_, team=team, source="referee", status="on-field", version=1, submitted_by=g.user,
              pack_hash=round_.pack_hash)
    session.add(run)
    session.flush()
    audit.record("run.start", f"run {run.id}", None, {"team": team.name, "status": "on-field", "version": 1},
                 round_.competition_id)
    session.commit()
    flash(t("judge.referee.run_started", run=run.id, team=team.name))
    return redirect(url_for("referee.sheet_page", run_id=run.id))


def _sheets(run: Run) -> list[ScoreSheet]:
    return list(db.session().scalars(select(ScoreSheet).where(ScoreSheet.run_id == run.id).order_by(ScoreSheet.id)))


def _sheet_summary(sheet: ScoreSheet) -> dict:
    data = sheet.data if isinstance(sheet.data, dict) else {}
    taps = data.get("taps") if isinstance(data.get("taps"), list) else []
    elapsed = data.get("elapsed_ms")
    return {"referee": sheet.referee.username, "at": _when(sheet.created_at), "base": sheet.base_version,
            "taps": taps, "captain": data.get("captain", ""),
            "time_s": f"{elapsed / 1000:.3f}" if isinstance(elapsed, (int, float)) else "?"}


@bp.get("/runs/<int:run_id>/sheet")
@login_required
def sheet_page(run_id: int):
    run = _run_or_404(run_id)
    round_ = run.round
    if not may("run.referee", round_.competition_id):
        abort(403)
    lang = language()
    challenge = pinned_challenge(round_)
    buttons = sheet_buttons(challenge)
    sheets = _sheets(run)
    accepted = next((s for s in reversed(sheets) if s.accepted), None)
    gates = [gate.name for gate in challenge.world.gates]
    templates = ("judge.sheet.timer_start", "judge.sheet.timer_stop", "judge.sheet.no_taps", "judge.sheet.next_gate",
                 "judge.sheet.need_captain", "judge.sheet.need_timer", "judge.sheet.offline", "judge.sheet.scored",
                 "judge.sheet.no_crossings", "judge.sheet.crossing", "judge.sheet.lap_time", "judge.sheet.sending",
                 "judge.sheet.before_start", "judge.sheet.at")
    page_data = {
        "run": run.id, "version": run.version, "status": run.status, "lang": lang, "gates": gates,
        "time_limit_ms": challenge.time_limit_ms,
        "buttons": [{"key": b.key, "label": b.label[lang]} for b in buttons],
        "submit_url": url_for("referee.submit_sheet", run_id=run.id),
        "live_url": url_for("referee.live", run_id=run.id),
        "texts": {text_id.rsplit(".", 1)[1]: CATALOG[text_id][lang] for text_id in templates},
    }
    telemetry = telemetry_file(run)
    return render_template("referee_sheet.html", run=run, round=round_, buttons=buttons, lang=lang,
                           telemetry=telemetry.name if telemetry else None,
                           score=tidy(run.score) if run.score is not None else None,
                           page_data=page_data, accepted=_sheet_summary(accepted) if accepted else None,
                           refused=[_sheet_summary(s) for s in sheets if not s.accepted],
                           labels={b.key: b.label[lang] for b in buttons},
                           gate_rule=t("judge.sheet.gate_rule", gate=gates[-1]) if gates
                           else t("judge.sheet.gate_rule_no_gates"))


# --- the robot's telemetry trace, joined to the sheet -----------------------------------------------

TELEMETRY_FOLDER = "telemetry"            # under the instance folder: <run id>.jsonl[.gz]


def telemetry_file(run: Run) -> Path | None:
    folder = Path(current_app.instance_path) / TELEMETRY_FOLDER
    return next((path for path in (folder / f"{run.id}.jsonl.gz", folder / f"{run.id}.jsonl") if path.exists()), None)


@bp.post("/runs/<int:run_id>/telemetry")
@login_required
def attach_telemetry(run_id: int):
    """The trace the robot recorded of this run (``roboarena run --trace``), uploaded from
    the field laptop: checked now, joined to the referee's sheet when it is sent."""
    run = _run_or_404(run_id)
    if not may("run.referee", run.round.competition_id):
        abort(403)
    back = redirect(url_for("referee.sheet_page", run_id=run_id), 303)
    upload = request.files.get("trace")
    if run.status != "on-field":
        raise Refusal(409, "judge.telemetry.not_on_field", run=run_id)
    if upload is None or not upload.filename:
        raise Refusal(400, "judge.error.no_trace")
    data = upload.read()
    gzipped = data[:2] == b"\x1f\x8b"
    folder = Path(current_app.instance_path) / TELEMETRY_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    staged = folder / f".{uuid.uuid4().hex}{'.jsonl.gz' if gzipped else '.jsonl'}"
    staged.write_bytes(data)
    try:
        records = read_trace(staged, validate=True)
    except RoboarenaError as exc:
        staged.unlink(missing_ok=True)
        exc.fields["path"] = Path(upload.filename).name      # the uploader's name, not the server's folders
        raise Refusal(400, exc.message_id, **exc.fields) from None
    header = records[0]
    if header["challenge"]["id"] != run.round.challenge_id or header["source"] not in TELEMETRY_SOURCES:
        staged.unlink(missing_ok=True)
        raise Refusal(400, "judge.telemetry.not_this_run", name=Path(upload.filename).name,
                      challenge=header["challenge"]["id"], source=header["source"],
                      round_challenge=run.round.challenge_id)
    earlier = telemetry_file(run)
    if earlier is not None:
        earlier.unlink()
    staged.replace(folder / f"{run.id}{'.jsonl.gz' if gzipped else '.jsonl'}")
    samples = sum(1 for record in records if record["type"] == "sample")
    audit.record("run.telemetry", f"run {run.id}", None, {"file": Path(upload.filename).name, "samples": samples},
                 run.round.competition_id)
    db.session().commit()
    flash(t("judge.telemetry.attached", run=run.id, samples=samples))
    return back


# --- the sheet's JSON: live state and submitting ----------------------------------------------------

def _referee_run(run_id: int):
    """(run, None) when the signed-in user may referee it, else (None, an API error)."""
    run = db.session().get(Run, run_id)
    if run is None:
        return None, api_error(404, "judge.error.no_run", run_id=run_id)
    if not may("run.referee", run.round.competition_id):
        return None, api_error(403, "judge.error.not_allowed")
    return run, None


def _run_crossings(run: Run) -> list[GateCrossing]:
    return list(db.session().scalars(select(GateCrossing).where(GateCrossing.run_id == run.id)))


@bp.get("/api/runs/<int:run_id>/sheet")
@token_required
def live(run_id: int):
    """What the sheet page polls: the run's state and the gate's crossings so far."""
    run, refused = _referee_run(run_id)
    if refused:
        return refused
    started = request.args.get("started_at_ms", type=int)
    return jsonify(run_json(run) | {
        "crossings": crossing_times(_run_crossings(run), started),
        "refused_sheets": sum(1 for sheet in _sheets(run) if not sheet.accepted),
        "server_ms": _epoch_ms(datetime.now(timezone.utc)),
    })


def build_sheet_trace(challenge, round_, run, sheet, referee) -> list[dict]:
    """The sheet's trace with the run's gate crossings (a seam the race test holds open)."""
    started = sheet.started_at_ms if sheet.started_at_ms is not None else _epoch_ms(run.created_at)
    return sheet_trace(challenge, round_, run, sheet, crossing_times(_run_crossings(run), started), referee)


def _refuse_sheet(run_id: int, sent: dict, base: int, message_id: str, **fields):
    """Keep a sheet that is not applied (nothing a referee wrote is lost), then say why."""
    session = db.session()
    session.rollback()
    run = session.get(Run, run_id)
    session.add(ScoreSheet(run_id=run.id, referee_id=g.user.id, data=sent, base_version=base, accepted=False))
    audit.record("run.sheet_refused", f"run {run.id}", None, {"base_version": base, "version": run.version,
                                                              "reason": message_id}, run.round.competition_id)
    session.commit()
    return api_error(409, message_id, run_id=run.id, base=base, version=run.version, **fields)


def _conflict(run: Run, sheet: Sheet, sent: dict):
    if run.version == sheet.base_version:       # same version, but not on the field
        return _refuse_sheet(run.id, sent, sheet.base_version, "judge.referee.not_on_field",
                             state=t(f"judge.status.{run.status}"))
    session = db.session()
    accepted = session.scalars(select(ScoreSheet).where(ScoreSheet.run_id == run.id, ScoreSheet.accepted.is_(True))
                               .order_by(ScoreSheet.id.desc())).first()
    if accepted is None:
        return _refuse_sheet(run.id, sent, sheet.base_version, "judge.referee.changed")
    return _refuse_sheet(run.id, sent, sheet.base_version, "judge.referee.stale", referee=accepted.referee.username,
                         at=_when(accepted.created_at))


@bp.post("/api/runs/<int:run_id>/sheet")
@token_required
def submit_sheet(run_id: int):
    run, refused = _referee_run(run_id)
    if refused:
        return refused
    round_ = run.round
    challenge = pinned_challenge(round_)
    try:
        sheet = parse_sheet(request.get_json(silent=True), sheet_buttons(challenge), challenge.time_limit_ms)
    except Refusal as refusal:
        return api_error(refusal.status, refusal.message_id, **refusal.fields)
    sent = sheet.as_dict()
    if run.version != sheet.base_version:
        if run.scoresheet and run.scoresheet.get("sheet") == sent and run.scoresheet.get("referee") == g.user.username:
            return jsonify(run_json(run) | {"repeated": True}), 200    # a retry of the sheet that scored it
        return _conflict(run, sheet, sent)
    if run.status != "on-field":
        return _conflict(run, sheet, sent)
    records = build_sheet_trace(challenge, round_, run, sheet, g.user.username)
    telemetry = telemetry_file(run)
    if telemetry is not None:
        records = join_telemetry(records, read_trace(telemetry))
    session = db.session()
    before = {"status": run.status, "score": run.score, "version": run.version}
    # The claim: only one sheet moves the run on from the version its tablet loaded. The row
    # is locked until the commit, so a second tablet's UPDATE waits, then matches nothing.
    claimed = session.execute(
        update(Run).where(Run.id == run.id, Run.version == sheet.base_version, Run.status == "on-field")
        .values(version=sheet.base_version + 1, updated_at=datetime.now(timezone.utc))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        session.rollback()
        return _conflict(session.get(Run, run_id), sheet, sent)
    relative, path = write_records(round_.id, records)
    try:
        score = apply_score(run, path)
    except RoboarenaError as exc:
        session.rollback()
        path.unlink(missing_ok=True)
        exc.fields.pop("path", None)
        status = 409 if exc.message_id == "trace.unknown_pack" else 400 if isinstance(exc, TraceError) else 500
        return api_error(status, exc.message_id, **{k: str(v) for k, v in exc.fields.items()})
    run.source = "referee"                   # the trace says hardware; the run says who scored it
    run.version = sheet.base_version + 1
    run.trace_path = relative.as_posix()
    gate_board_ms = sorted({record["board_ms"] for record in records if record.get("by") == "timing-gate"})
    run.scoresheet = {"sheet": sent, "referee": g.user.username, "gate_crossings_board_ms": gate_board_ms}
    session.add(ScoreSheet(run_id=run.id, referee_id=g.user.id, data=sent, base_version=sheet.base_version,
                           accepted=True))
    audit.record("run.sheet", f"run {run.id}", before,
                 {"status": run.status, "score": run.score, "version": run.version, "taps": len(sheet.taps)},
                 round_.competition_id)
    session.commit()
    forget(round_.id)
    return jsonify(run_json(run) | {"score_detail": score.as_dict()}), 200


# --- timing gates -------------------------------------------------------------------------------------

def _crossing(index: int, item) -> tuple[int, int, str]:
    if not isinstance(item, dict):
        raise Refusal(400, "judge.gate.bad_crossing", index=index, field="crossing", value=item)
    board_ms, sensor, device = item.get("board_ms"), item.get("sensor", 0), item.get("device", "")
    for field, value in (("board_ms", board_ms), ("sensor", sensor)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_INT:
            raise Refusal(400, "judge.gate.bad_crossing", index=index, field=field, value=value)
    if not isinstance(device, str) or len(device) > 100:
        raise Refusal(400, "judge.gate.bad_crossing", index=index, field="device", value=device)
    return int(board_ms), int(sensor), device


@bp.post("/api/rounds/<int:round_id>/gate")
@token_required
def post_gate(round_id: int):
    """A timing gate's crossings (one, or a list a client kept while the network was down),
    attached to the round's newest run on the field. A crossing sent twice (a retry whose
    answer was lost) is stored once."""
    session = db.session()
    round_ = session.get(Round, round_id)
    if round_ is None:
        return api_error(404, "judge.error.no_round", round_id=round_id)
    if not may("gate.post", round_.competition_id):
        return api_error(403, "judge.error.not_allowed")
    body = request.get_json(silent=True)
    items = body if isinstance(body, list) else [body] if isinstance(body, dict) else None
    if not items or len(items) > MAX_CROSSINGS_PER_POST:
        return api_error(400, "judge.gate.not_json", limit=MAX_CROSSINGS_PER_POST)
    try:
        crossings = [_crossing(index, item) for index, item in enumerate(items, start=1)]
    except Refusal as refusal:
        return api_error(refusal.status, refusal.message_id, **refusal.fields)
    run = session.scalars(select(Run).where(Run.round_id == round_id, Run.status == "on-field")
                          .order_by(Run.id.desc())).first()
    stored, repeated = [], 0
    for board_ms, sensor, device in crossings:
        known = session.scalars(select(GateCrossing.id).where(
            GateCrossing.round_id == round_id, GateCrossing.device == device, GateCrossing.sensor == sensor,
            GateCrossing.board_ms == board_ms)).first()
        if known is not None or (board_ms, sensor, device) in {(c.board_ms, c.sensor, c.device) for c in stored}:
            repeated += 1
            continue
        crossing = GateCrossing(round_id=round_id, run_id=run.id if run else None, board_ms=board_ms, sensor=sensor,
                                device=device)
        session.add(crossing)
        stored.append(crossing)
    session.commit()
    return jsonify({"round": round_id, "run": run.id if run else None, "stored": len(stored), "repeated": repeated,
                    "crossings": [c.id for c in stored]}), (201 if stored else 200)
