"""The referee's tablet: a team goes on the field, the referee times the run and taps what
happens (checkpoints, restarts, collisions, the finish), the team captain confirms, and the
sheet becomes a ``hardware`` run trace scored by the round's pinned pack like any other.
Timing gates post their crossings here too (``roboarena gate --server``); they join the
run on the field and its sheet.

How a sheet becomes a trace (``docs/trace.md``): a header, one event per tap at its time on
the tablet's timer, an end line, no samples. Buttons come from the pack: one per event its
rules, success condition and ``referee_events`` name, plus "finished". In a world with
gates, "checkpoint" is the robot passing the next gate in order, as in the simulator;
passing the last gate (the start line) closes a lap, so laps are never tapped. A timing
gate stands on that last gate: each crossing during the run is a ``checkpoint`` there and
closes a lap (the referee does not tap it too). In a world without gates a crossing is a
``timing-gate`` event, kept in the trace, scored only if the pack names it. Crossing times
come from the gate board's clock, placed on the server's clock by the crossing that
arrived fastest, and on the run's timer by when the tablet started it.

Two tablets on one run: a sheet names the run version its tablet loaded, and only a sheet
for the current version is applied, by one ``UPDATE ... WHERE version = :base`` (atomic on
SQLite and PostgreSQL alike); the other gets 409, and its sheet is kept, not applied.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from sqlalchemy import select, update

import roboarena.judge.texts  # noqa: F401 - the labels below read the catalog outside a request too
from roboarena import __version__
from roboarena.challenges.pack import Challenge, EventMatch
from roboarena.challenges.scoring import tidy
from roboarena.errors import RoboarenaError, TraceError
from roboarena.judge import audit, db
from roboarena.judge.errors import api_error
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal, _instance_file, apply_score
from roboarena.judge.models import GateCrossing, Round, Run, ScoreSheet, Team
from roboarena.judge.permissions import may
from roboarena.judge.standings import forget
from roboarena.judge.views.api import run_json, token_required
from roboarena.judge.views.auth import login_required
from roboarena.judge.packs import pinned_challenge
from roboarena.messages import CATALOG, LANGUAGES, render
from roboarena.sims.spec import load_spec

bp = Blueprint("referee", __name__)

FINISHED = "finished"            # the button that ends the run as finished
MAX_RUN_MS = 3_600_000           # an hour: far beyond any pack's time limit
MAX_TAPS = 2000
MAX_CROSSINGS_PER_POST = 500
CAPTAIN_LIMIT = 40               # a team name or initials, nothing more about a person


# --- the sheet's buttons, from the pack ----------------------------------------------------------

@dataclass(frozen=True)
class Button:
    key: str                      # what a tap sends: "collision", "zone-entered(zone=exit)", "checkpoint"
    event: str                    # the trace event it makes
    fields: tuple[tuple[str, str], ...]
    label: dict[str, str]


def _event_label(match: EventMatch) -> dict[str, str]:
    text_id = f"judge.event.{match.name}"
    labels = {lang: render(text_id, lang) if text_id in CATALOG else match.name for lang in LANGUAGES}
    if match.fields:
        detail = ", ".join(value for _, value in match.fields)
        labels = {lang: f"{label}: {detail}" for lang, label in labels.items()}
    return labels


def sheet_buttons(challenge: Challenge) -> list[Button]:
    """The buttons of the challenge's sheet, in the order its rules name their events."""
    success = challenge.success
    named = [rule.event for rule in challenge.rules if rule.event is not None]
    named += list(success.in_order) + list(success.never)
    named += [EventMatch(name.split("(")[0].strip()) for name in challenge.referee_events]
    named += [EventMatch(item.split(":", 1)[1]) for item in challenge.tie_break if ":" in item]
    labels = {str(rule.event): rule.label for rule in challenge.rules if rule.event is not None}
    has_gates = bool(challenge.world.gates)
    buttons: dict[str, Button] = {}
    for match in named:
        if match.name in ("start", "end", "finish"):
            continue                       # the timer and the "finished" button say these
        if has_gates and match.name in ("checkpoint", "lap"):
            # Gate names and laps follow from the order of the passages, as in the simulator.
            key, match = "checkpoint", EventMatch("checkpoint")
        else:
            key = str(match)
        if key not in buttons:
            label = labels.get(key) or _event_label(match)
            buttons[key] = Button(key, match.name, match.fields, dict(label))
    buttons[FINISHED] = Button(FINISHED, "finish", (("reason", "finished"),),
                               {lang: render("judge.sheet.finished", lang) for lang in LANGUAGES})
    return list(buttons.values())


# --- a sheet as sent, checked ---------------------------------------------------------------------

@dataclass
class Sheet:
    base_version: int
    elapsed_ms: int
    taps: list[tuple[int, str]]            # (t_ms, button key), in time order
    captain: str
    started_at_ms: int | None              # when the tablet's timer started, on the server's clock

    def as_dict(self) -> dict:
        return {"base_version": self.base_version, "elapsed_ms": self.elapsed_ms,
                "taps": [{"event": key, "t_ms": t_ms} for t_ms, key in self.taps],
                "captain_confirmed": True, "captain": self.captain, "started_at_ms": self.started_at_ms}


def _whole(body: dict, field: str, low: int, high: int, required: bool = True) -> int | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Refusal(400, "judge.referee.bad_number", field=field, low=low, high=high, value=value)
    return value


def parse_sheet(body, buttons: list[Button], time_limit_ms: float) -> Sheet:
    """The sheet in a request's JSON, or a Refusal saying what is wrong with it."""
    if not isinstance(body, dict):
        raise Refusal(400, "judge.referee.not_json")
    base_version = _whole(body, "base_version", 1, 2**31 - 1)
    elapsed_ms = _whole(body, "elapsed_ms", 0, MAX_RUN_MS)
    started_at_ms = _whole(body, "started_at_ms", 0, 2**53, required=False)
    raw_taps = body.get("taps", [])
    if not isinstance(raw_taps, list) or len(raw_taps) > MAX_TAPS:
        raise Refusal(400, "judge.referee.bad_taps", limit=MAX_TAPS, index=0, value=type(raw_taps).__name__)
    keys = {button.key: button for button in buttons}
    end_ms = min(elapsed_ms, time_limit_ms)
    taps = []
    for index, tap in enumerate(raw_taps, start=1):
        if not isinstance(tap, dict) or not isinstance(tap.get("event"), str):
            raise Refusal(400, "judge.referee.bad_taps", limit=MAX_TAPS, index=index, value=tap)
        key = tap["event"]
        if key not in keys:
            raise Refusal(400, "judge.referee.unknown_event", index=index, event=key, choices=", ".join(keys))
        t_ms = tap.get("t_ms")
        if isinstance(t_ms, bool) or not isinstance(t_ms, (int, float)) or not 0 <= t_ms <= end_ms:
            raise Refusal(400, "judge.referee.tap_outside_run", index=index, event=key, t_s=_seconds(t_ms),
                          end_s=_seconds(end_ms))
        taps.append((round(t_ms), key))
    taps.sort(key=lambda tap: tap[0])           # stable: taps at the same ms keep their order
    finish_at = next((i for i, (_, key) in enumerate(taps) if key == FINISHED), None)
    if finish_at is not None and finish_at != len(taps) - 1:
        raise Refusal(400, "judge.referee.finish_not_last", index=finish_at + 2, t_s=_seconds(taps[finish_at][0]))
    if body.get("captain_confirmed") is not True:
        raise Refusal(400, "judge.referee.no_captain")
    captain = body.get("captain", "")
    if not isinstance(captain, str) or len(captain.strip()) > CAPTAIN_LIMIT:
        raise Refusal(400, "judge.referee.bad_captain", limit=CAPTAIN_LIMIT)
    return Sheet(base_version, elapsed_ms, taps, captain.strip(), started_at_ms)


def _seconds(value) -> str:
    return f"{value / 1000:.3f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)


# --- timing-gate crossings on the run's timer -----------------------------------------------------

def _epoch_ms(moment: datetime) -> int:
    if moment.tzinfo is None:            # SQLite hands datetimes back without their zone: UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return round(moment.timestamp() * 1000)


def crossing_times(crossings: list[GateCrossing], started_ms: int | None) -> list[dict]:
    """Each crossing with its time on the run's timer (``t_ms``; None before the timer is
    known) and the lap time since the same device's crossing before it, from the board's
    clock. The board clock is placed on the server's by the crossing that arrived fastest
    (the smallest arrival minus board time), so a crossing queued while the network was
    down still gets its true time."""
    offsets: dict[str, int] = {}
    for crossing in crossings:
        offset = _epoch_ms(crossing.received_at) - crossing.board_ms
        offsets[crossing.device] = min(offsets.get(crossing.device, offset), offset)
    previous: dict[tuple[str, int], int] = {}
    timed = []
    for crossing in sorted(crossings, key=lambda c: (c.board_ms, c.id)):
        t_ms = None if started_ms is None else crossing.board_ms + offsets[crossing.device] - started_ms
        before = previous.get((crossing.device, crossing.sensor))
        previous[(crossing.device, crossing.sensor)] = crossing.board_ms
        timed.append({"id": crossing.id, "board_ms": crossing.board_ms, "sensor": crossing.sensor,
                      "device": crossing.device, "t_ms": t_ms,
                      "lap_time_s": None if before is None else round((crossing.board_ms - before) / 1000, 3)})
    return timed


# --- a sheet as a run trace -----------------------------------------------------------------------

def sheet_events(challenge: Challenge, sheet: Sheet, crossings: list[dict]) -> tuple[list[dict], dict]:
    """The trace's event records and end record for a sheet and the timed crossings."""
    buttons = {button.key: button for button in sheet_buttons(challenge)}
    gates = challenge.world.gates
    end_ms = min(sheet.elapsed_ms, challenge.time_limit_ms)
    finish_ms = next((t_ms for t_ms, key in sheet.taps if key == FINISHED), None)
    if finish_ms is not None:
        end_ms, reason = finish_ms, "finished"
    else:
        reason = "time-limit" if sheet.elapsed_ms >= challenge.time_limit_ms else "stopped"
    passages = [(t_ms, 0, key, None) for t_ms, key in sheet.taps]
    passages += [(c["t_ms"], 1, "timing-gate", c) for c in crossings
                 if c["t_ms"] is not None and 0 <= c["t_ms"] <= end_ms]
    passages.sort(key=lambda p: (p[0], p[1]))
    events: list[dict] = []
    next_gate, laps, lap_start_ms = 0, 0, 0

    def add(t_ms: int, name: str, **fields):
        events.append({"type": "event", "t": round(t_ms / 1000, 4), "event": name, **fields})

    for t_ms, _, key, crossing in passages:
        by = {"by": "referee"} if crossing is None else {
            "by": "timing-gate", "device": crossing["device"], "sensor": crossing["sensor"],
            "board_ms": crossing["board_ms"]}
        if gates and key in ("checkpoint", "timing-gate"):
            index = next_gate if key == "checkpoint" else len(gates) - 1
            add(t_ms, "checkpoint", gate=gates[index].name, index=index, lap=laps + 1, **by)
            next_gate = (index + 1) % len(gates)
            if next_gate == 0:
                laps += 1
                add(t_ms, "lap", lap=laps, lap_time_s=round((t_ms - lap_start_ms) / 1000, 3), **by)
                lap_start_ms = t_ms
        elif crossing is not None:
            add(t_ms, "timing-gate", **by)
        else:
            button = buttons[key]
            add(t_ms, button.event, **dict(button.fields), **by)
    end = {"type": "end", "t": round(end_ms / 1000, 4), "reason": reason, "samples": 0, "events": len(events)}
    return events, end


def sheet_trace(challenge: Challenge, round_: Round, run: Run, sheet: Sheet, crossings: list[dict],
                referee: str) -> list[dict]:
    """The records of the sheet's trace file, header first, end last."""
    started = sheet.started_at_ms if sheet.started_at_ms is not None else _epoch_ms(run.created_at)
    start_time = datetime.fromtimestamp(started / 1000, timezone.utc).isoformat(timespec="seconds")
    header = {
        "type": "header", "format": "roboarena-trace", "version": 1,
        "challenge": {"id": round_.challenge_id, "hash": f"sha256:{round_.pack_hash}"},
        "source": "hardware", "seed": None, "program": {"name": "", "sha256": ""},
        "firmware_version": None, "simulator_version": __version__, "robot": load_spec(challenge.robot).as_dict(),
        "start_time": start_time.replace("+00:00", "Z"), "time_limit_ms": challenge.time_limit_ms,
        "recorded_by": "referee-sheet", "run": run.id, "referee": referee, "team": run.team.name,
    }
    events, end = sheet_events(challenge, sheet, crossings)
    return [header, *events, end]


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
    return render_template("referee_sheet.html", run=run, round=round_, buttons=buttons, lang=lang,
                           score=tidy(run.score) if run.score is not None else None,
                           page_data=page_data, accepted=_sheet_summary(accepted) if accepted else None,
                           refused=[_sheet_summary(s) for s in sheets if not s.accepted],
                           labels={b.key: b.label[lang] for b in buttons},
                           gate_rule=t("judge.sheet.gate_rule", gate=gates[-1]) if gates
                           else t("judge.sheet.gate_rule_no_gates"))


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
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**31:
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
