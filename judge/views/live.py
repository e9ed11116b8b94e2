"""The live projector: a round's standings on the gym's big screen, kept current by
server-sent events; the scoreboard freeze; the awards reveal, one team at a time from the
bottom; and the admin's control panel that drives both.

What the projector shows (``projector_state``, the JSON every event carries):

- a live round: the live standings;
- a frozen round: the standings as they stood at ``Round.frozen_at`` (runs made later still
  count, but the public does not see them);
- during the reveal (``Round.reveal_step`` = n): the n lowest-placed teams of the final
  standings at their final place, and above them the teams still to come, in their order at
  the freeze, with their score at the freeze and no place. An awards ceremony wants the
  room to see who is still in the running and how the frozen board looked, but not the
  final order. A tie-break note that names the team above is held back until that team is
  revealed too, so it cannot give the next place away. The last step unfreezes the round.

The projector always shows what the public sees, whoever is signed in on the laptop that
drives it: admins open ``?view=live`` for the live standings, under a banner saying so.

Threads: waitress serves the judge with a small pool (4 by default), and an open event
stream holds one. So a stream is short (``LIVE_STREAM_SECONDS``) and ends with a ``retry:``
hint, so the browser reconnects and the thread is free in between; and at most
``LIVE_MAX_STREAMS`` streams stay open at once. A stream over that sends the current state
and ends at once, so its browser comes back after ``LIVE_BUSY_RETRY_MS``: polling by
another name, and a referee's upload always finds a free thread.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import overload

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from roboarena.challenges.pack import Challenge
from roboarena.judge import audit, db
from roboarena.judge.errors import api_error
from roboarena.judge.i18n import both, language, t
from roboarena.judge.models import Round, Run
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may
from roboarena.judge import standings as standings_cache
from roboarena.judge.standings import round_standings
from roboarena.judge.timezones import utc
from roboarena.judge.views.auth import login_required
from roboarena.judge.views.leaderboard import ranking_summary
from sqlalchemy import func, select

bp = Blueprint("live", __name__)

# Each can be set like any other setting (config.py, ROBOARENA_JUDGE_LIVE_...).
DEFAULTS = {
    "LIVE_POLL_SECONDS": 0.75,        # how often a stream looks for a change: a new score shows within ~1 s
    "LIVE_STREAM_SECONDS": 25,        # then the stream ends and the browser reconnects, freeing the thread
    "LIVE_HEARTBEAT_SECONDS": 10,     # a comment line keeps proxies and the browser from dropping a quiet stream
    "LIVE_RETRY_MS": 1000,            # the browser's wait before reconnecting after a stream ends
    "LIVE_MAX_STREAMS": 2,            # open streams at once: half of waitress's default 4 threads
    "LIVE_BUSY_RETRY_MS": 2000,       # the wait for a browser turned away because the streams are full
}
VIEWS = ("public", "live")


@dataclass(frozen=True)
class StreamSettings:
    poll_s: float
    duration_s: float
    heartbeat_s: float
    retry_ms: int
    max_streams: int
    busy_retry_ms: int

    @classmethod
    def from_config(cls, config) -> StreamSettings:
        value = {key: config.get(key, default) for key, default in DEFAULTS.items()}
        return cls(float(value["LIVE_POLL_SECONDS"]), float(value["LIVE_STREAM_SECONDS"]),
                   float(value["LIVE_HEARTBEAT_SECONDS"]), int(value["LIVE_RETRY_MS"]),
                   int(value["LIVE_MAX_STREAMS"]), int(value["LIVE_BUSY_RETRY_MS"]))


class StreamSlots:
    """How many event streams are open in this app: shared by waitress's worker threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open = 0

    def take(self, limit: int) -> bool:
        with self._lock:
            if self.open >= limit:
                return False
            self.open += 1
            return True

    def give_back(self):
        with self._lock:
            self.open -= 1


def stream_slots() -> StreamSlots:
    return current_app.extensions.setdefault("roboarena.live.slots", StreamSlots())


# --- what the projector shows ----------------------------------------------------------------

def projector_state(round_: Round, challenge: Challenge, view: str = "public") -> dict:
    """The projector's whole state, as every event and the polling fallback carry it: the
    rows to show and the banner above them, both languages, in JSON types only."""
    final = round_standings(challenge, round_, frozen=False)
    frozen_at = _aware(round_.frozen_at)
    reveal = None
    if frozen_at is not None and round_.reveal_step is not None:
        revealed = min(round_.reveal_step, len(final))
        reveal = {"step": revealed, "total": len(final)}
    if view == "live" or frozen_at is None:
        rows = [dict(row) for row in final]
        notice = both("judge.live.live_view_banner", time=_clock(frozen_at)) if frozen_at is not None else None
    elif reveal is None:
        rows = [dict(row) for row in round_standings(challenge, round_, frozen=True)]
        notice = both("judge.live.frozen_banner", time=_clock(frozen_at))
    else:
        rows = revealing_rows(final, round_standings(challenge, round_, frozen=True), reveal["step"])
        notice = both("judge.live.reveal_banner", revealed=reveal["step"], total=reveal["total"])
    return {"round": round_.id, "title": round_.title, "challenge": challenge.id,
            "challenge_title": dict(challenge.title), "view": view,
            "frozen": frozen_at is not None and view == "public",
            "frozen_at": utc(frozen_at).isoformat() if frozen_at is not None else None,
            "reveal": reveal, "notice": notice, "rows": rows}


def revealing_rows(final: list[dict], at_freeze: list[dict], revealed: int) -> list[dict]:
    """The board in the middle of the reveal: the ``revealed`` lowest-placed teams of the
    final standings at their final place; above them the others, in their order at the
    freeze, with no place (a team with no run before the freeze comes last among them)."""
    cut = len(final) - revealed
    waiting = {row["team"] for row in final[:cut]}
    frozen_rows = {row["team"]: row for row in at_freeze}
    order = [row["team"] for row in at_freeze if row["team"] in waiting]
    order += sorted(waiting - set(order))
    rows = []
    for team in order:
        seen = frozen_rows.get(team)
        school = next(row["school"] for row in final if row["team"] == team)
        rows.append({"rank": None, "team": team, "school": school,
                     "score": seen["score"] if seen else None, "runs": seen["runs"] if seen else None,
                     "time_s": seen["time_s"] if seen else None, "best_run": None, "tie_break": None,
                     "revealed": False, "just_revealed": False})
    for index in range(cut, len(final)):
        row = dict(final[index], revealed=True, just_revealed=index == cut)
        if index == cut and row["tie_break"] is not None:
            row["tie_break"] = None        # it names the team above, which is not revealed yet
        rows.append(row)
    return rows


def state_id(state: dict) -> str:
    """The event id of a state: the same state always has the same id, so a browser that
    reconnects with it (``Last-Event-ID``) already shows what the stream would send."""
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sse_event(state: dict, retry_ms: int | None = None) -> str:
    """One server-sent event carrying the whole state (never a delta: a browser that missed
    events is whole again with the next one)."""
    head = f"retry: {retry_ms}\n" if retry_ms is not None else ""
    return f"{head}id: {state_id(state)}\ndata: {json.dumps(state, ensure_ascii=False)}\n\n"


def round_signature(round_id: int) -> tuple | None:
    """A cheap summary of everything the projector's state depends on (one indexed query):
    the round's freeze and reveal and the standings' cache key. None if the round is gone."""
    row = db.session().execute(
        select(Round.frozen_at, Round.reveal_step, Round.pack_hash, func.max(Run.id), func.count(Run.id),
               func.sum(Run.version), func.max(Run.updated_at))
        .select_from(Round).outerjoin(Run, Run.round_id == Round.id).where(Round.id == round_id)
        .group_by(Round.id, Round.frozen_at, Round.reveal_step, Round.pack_hash)).first()
    return tuple(row) if row is not None else None


# --- the projector page, its stream and its JSON -------------------------------------------

def _round(round_id: int) -> Round:
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def _asked_view(round_: Round) -> str:
    """"live" only for those who may see through the freeze, and only when asked for."""
    return "live" if request.args.get("view") == "live" and may("round.freeze", round_.competition_id) else "public"


@bp.get("/rounds/<int:round_id>/projector")
def projector(round_id: int):
    round_ = _round(round_id)
    challenge = pinned_challenge(round_)
    view = _asked_view(round_)
    state = projector_state(round_, challenge, view)
    settings = StreamSettings.from_config(current_app.config)
    view_query = "?view=live" if view == "live" else ""
    return render_template(
        "projector.html", round=round_, challenge=challenge, state=state, lang=language(),
        summary=ranking_summary(challenge, language()),
        is_admin=may("round.freeze", round_.competition_id),
        events_url=url_for("live.events", round_id=round_id) + view_query,
        state_url=url_for("live.state_json", round_id=round_id) + view_query,
        live_url=url_for("live.projector", round_id=round_id, view="live"),
        stream_seconds=settings.duration_s,
        script_texts=_script_texts())


def _script_texts() -> dict[str, str]:
    """The texts projector.js shows, in the page's language; it fills the {fields} itself."""
    texts = {name: t(f"judge.live.{name}") for name in (
        "status_connecting", "status_live", "status_reconnecting", "status_polling", "status_offline",
        "not_revealed", "no_score_at_freeze", "new_entry")}
    texts["updated"] = t("judge.live.updated", time="{time}")
    texts["moved_up"] = t("judge.live.moved_up", places="{places}")
    texts["moved_down"] = t("judge.live.moved_down", places="{places}")
    return texts


@bp.get("/api/rounds/<int:round_id>/projector")
def state_json(round_id: int):
    """The projector's state as plain JSON: what the page polls when events cannot get through."""
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        return api_error(404, "judge.error.no_round", round_id=round_id)
    response = jsonify(projector_state(round_, pinned_challenge(round_), _asked_view(round_)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/api/rounds/<int:round_id>/events")
def events(round_id: int):
    """``text/event-stream``: the projector's state at connect (unless the browser's
    ``Last-Event-ID`` says it has it already) and again at each change, heartbeats as
    comments, then the end, with a ``retry:`` hint for the browser to come back."""
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        return api_error(404, "judge.error.no_round", round_id=round_id)
    challenge = pinned_challenge(round_)
    view = _asked_view(round_)        # decided once, at connect: the stream never reads who is asking again
    # The summary before the state: a change landing between the two is then seen at the next poll.
    signature = round_signature(round_id)
    state = projector_state(round_, challenge, view)
    db.session().rollback()           # no transaction (nor pooled connection) held while the stream waits
    stream = _stream(round_id, challenge, view, signature, state, request.headers.get("Last-Event-ID", ""),
                     StreamSettings.from_config(current_app.config), stream_slots())
    return Response(stream_with_context(stream), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _stream(round_id: int, challenge: Challenge, view: str, signature, state: dict, last_event_id: str,
            settings: StreamSettings, slots: StreamSlots):
    # The slot is taken at the first read, not in the view: a response never read (the
    # client gone at once) never runs this, and so never holds a slot it cannot give back.
    admitted = slots.take(settings.max_streams)
    try:
        retry_ms = settings.retry_ms if admitted else settings.busy_retry_ms
        sent = last_event_id
        if state_id(state) != last_event_id:
            yield sse_event(state, retry_ms)
            sent = state_id(state)
        else:
            yield f"retry: {retry_ms}\n: unchanged\n\n"
        if not admitted:
            return
        started = time.monotonic()
        next_heartbeat = started + settings.heartbeat_s
        recheck_until = 0.0
        while True:
            left = started + settings.duration_s - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(settings.poll_s, left))
            event = None
            try:
                current = round_signature(round_id)
                if current is None:        # the round was deleted: nothing more to show
                    return
                if current != signature:
                    signature = current
                    # The standings a change in another process brings may be up to
                    # STANDINGS_RECHECK_S late in this one's cache: look again until then.
                    recheck_until = time.monotonic() + standings_cache.STANDINGS_RECHECK_S + settings.poll_s
                if time.monotonic() <= recheck_until:
                    fresh = projector_state(db.session().get(Round, round_id), challenge, view)
                    if state_id(fresh) != sent:     # a run the public may not see yet changes nothing here
                        sent, event = state_id(fresh), sse_event(fresh)
            finally:
                # End the read before writing: the next poll then sees new commits (SQLite's
                # WAL snapshot), and no connection is held while the stream writes or sleeps.
                db.session().rollback()
            if event is not None:
                next_heartbeat = time.monotonic() + settings.heartbeat_s
                yield event
            elif time.monotonic() >= next_heartbeat:
                next_heartbeat = time.monotonic() + settings.heartbeat_s
                yield ": heartbeat\n\n"
    finally:
        if admitted:
            slots.give_back()


# --- the control panel: freeze, unfreeze, reveal ---------------------------------------------

def _round_to_control(round_id: int) -> Round:
    # Locked for the change: two admins' clicks on "reveal next" must not both read step n.
    round_ = db.session().scalars(select(Round).where(Round.id == round_id).with_for_update()).first()
    if round_ is None:
        _refuse(404, "judge.error.no_round", round_id=round_id)
    if not may("round.freeze", round_.competition_id):
        _refuse(403, "judge.error.not_allowed")
    return round_


def _refuse(status: int, message_id: str, **fields):
    """Stop here: with the API's JSON for a token's client, else with the error page."""
    if g.by_token:
        abort(make_response(api_error(status, message_id, **fields)))
    abort(status)


def _snapshot(round_: Round) -> dict:
    frozen_at = _aware(round_.frozen_at)
    return {"frozen_at": utc(frozen_at).isoformat() if frozen_at else None, "reveal_step": round_.reveal_step}


def _answer(round_: Round, message_id: str, status: int = 200, **fields):
    """After a control: the panel again with what happened, or JSON for a token's client."""
    db.session().rollback()      # whatever was not committed (a refusal) is dropped
    if g.by_token:
        if status >= 400:
            return api_error(status, message_id, **fields)
        return jsonify({"round": round_.id, **_snapshot(round_), "message": both(message_id, **fields)})
    flash(t(message_id, **fields))
    return redirect(url_for("live.control", round_id=round_.id))


def _final(round_: Round) -> list[dict]:
    return round_standings(pinned_challenge(round_), round_, frozen=False)


@bp.get("/rounds/<int:round_id>/control")
@login_required
def control(round_id: int):
    round_ = _round(round_id)
    if not may("round.freeze", round_.competition_id):
        abort(403)
    final = _final(round_)
    frozen_at = _aware(round_.frozen_at)
    revealing = frozen_at is not None and round_.reveal_step is not None
    shown_final = min(round_.reveal_step, len(final)) if revealing else 0
    next_index = len(final) - shown_final - 1 if revealing and shown_final < len(final) else None
    hidden = 0 if frozen_at is None else sum(1 for run in round_.runs if _aware(run.created_at) > frozen_at)
    return render_template("round_control.html", round=round_, rows=final, frozen_at=frozen_at,
                           frozen_clock=_clock(frozen_at), hidden=hidden, revealing=revealing,
                           shown_final=shown_final, next_index=next_index, lang=language())


@bp.post("/rounds/<int:round_id>/freeze")
@login_required
def freeze(round_id: int):
    round_ = _round_to_control(round_id)
    if round_.frozen_at is not None:
        return _answer(round_, "judge.live.already_frozen", 409, time=_clock(_aware(round_.frozen_at)))
    before = _snapshot(round_)
    round_.frozen_at, round_.reveal_step = datetime.now(timezone.utc), None
    audit.record("round.freeze", f"round {round_.id}", before, _snapshot(round_), round_.competition_id)
    db.session().commit()
    return _answer(round_, "judge.live.frozen_done", time=_clock(round_.frozen_at))


@bp.post("/rounds/<int:round_id>/unfreeze")
@login_required
def unfreeze(round_id: int):
    round_ = _round_to_control(round_id)
    if round_.frozen_at is None:
        return _answer(round_, "judge.live.unfrozen_done")     # already what was asked for
    before = _snapshot(round_)
    round_.frozen_at, round_.reveal_step = None, None
    audit.record("round.unfreeze", f"round {round_.id}", before, _snapshot(round_), round_.competition_id)
    db.session().commit()
    return _answer(round_, "judge.live.unfrozen_done")


@bp.post("/rounds/<int:round_id>/reveal/start")
@login_required
def reveal_start(round_id: int):
    round_ = _round_to_control(round_id)
    if round_.frozen_at is None:
        return _answer(round_, "judge.live.not_frozen", 409)
    if round_.reveal_step is not None:
        return _answer(round_, "judge.live.already_revealing", 409, revealed=round_.reveal_step)
    if not _final(round_):
        return _answer(round_, "judge.live.nothing_to_reveal", 409)
    before = _snapshot(round_)
    round_.reveal_step = 0
    audit.record("round.reveal.start", f"round {round_.id}", before, _snapshot(round_), round_.competition_id)
    db.session().commit()
    return _answer(round_, "judge.live.reveal_started")


@bp.post("/rounds/<int:round_id>/reveal/next")
@login_required
def reveal_next(round_id: int):
    """One step: the next team from the bottom is shown at its final place. The form says
    which step it was made for, so a double click or a second screen cannot skip a team."""
    round_ = _round_to_control(round_id)
    if round_.frozen_at is None or round_.reveal_step is None:
        return _answer(round_, "judge.live.not_revealing", 409)
    if request.form.get("step", type=int) != round_.reveal_step:
        return _answer(round_, "judge.live.stale_step", 409)
    final = _final(round_)
    before = _snapshot(round_)
    step = round_.reveal_step + 1
    shown = final[len(final) - step] if step <= len(final) else None
    if step >= len(final):             # the winner: the reveal is over, every run is public again
        round_.frozen_at, round_.reveal_step = None, None
        message_id = "judge.live.reveal_finished"
    else:
        round_.reveal_step = step
        message_id = "judge.live.revealed_done"
    team, rank = (shown["team"], shown["rank"]) if shown else ("-", "-")
    audit.record("round.reveal", f"round {round_.id}", before, _snapshot(round_) | {"team": team, "rank": rank},
                 round_.competition_id)
    db.session().commit()
    return _answer(round_, message_id, team=team, rank=rank)


@bp.post("/rounds/<int:round_id>/reveal/stop")
@login_required
def reveal_stop(round_id: int):
    round_ = _round_to_control(round_id)
    if round_.reveal_step is None:
        return _answer(round_, "judge.live.not_revealing", 409)
    before = _snapshot(round_)
    round_.reveal_step = None
    audit.record("round.reveal.stop", f"round {round_.id}", before, _snapshot(round_), round_.competition_id)
    db.session().commit()
    return _answer(round_, "judge.live.reveal_stopped")


# --- helpers ----------------------------------------------------------------------------------

@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone: they were stored in UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def _clock(moment: datetime | None) -> str:
    """A time of day on the server's clock: the judge runs on a laptop in the gym, so its
    clock is the room's."""
    return moment.astimezone().strftime("%H:%M") if moment is not None else ""
