"""A referee's scoresheet as data: the buttons a pack's rules call for, the sheet a tablet
sends (checked), and the ``hardware`` run trace it becomes, timing-gate crossings included.
No Flask here: ``views/referee.py`` serves the tablet and stores what this makes.

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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import roboarena.judge.texts  # noqa: F401 - the labels below read the catalog outside a request too
from roboarena.challenges.pack import Challenge, EventMatch
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import MAX_INT, GateCrossing, Round, Run
from roboarena.sims.spec import load_spec

from roboarena import __version__
from roboarena.messages import CATALOG, LANGUAGES, render

FINISHED = "finished"            # the button that ends the run as finished
MAX_RUN_MS = 3_600_000           # an hour: far beyond any pack's time limit
MAX_TAPS = 2000
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
    base_version = _whole(body, "base_version", 1, MAX_INT)
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


# --- the robot's own telemetry, joined to a sheet ---------------------------------------------------

# What the robot's telemetry trace adds to a referee's trace besides its samples: what the
# robot did that scores nothing. Whatever scores (checkpoints, collisions, the finish) comes
# from the referee and the gates alone.
TELEMETRY_EVENTS = frozenset({"led", "beep", "link-lost", "link-back"})
TELEMETRY_SOURCES = ("hardware", "virtual-board")


def join_telemetry(sheet_records: list[dict], telemetry: list[dict]) -> list[dict]:
    """The sheet's trace with the robot's telemetry trace (``roboarena run --trace``) joined
    in: its samples (the path and the sensors the run page plots) and its events that score
    nothing, up to the sheet's end. Both clocks count from the start of the run (the referee
    starts the timer as the robot starts), so the telemetry's times are kept as they are."""
    header, *body = sheet_records
    end = body[-1]
    robot_header = telemetry[0]
    until = end["t"]
    kept = [record for record in telemetry[1:]
            if record["t"] <= until and (record["type"] == "sample"
                                         or (record["type"] == "event" and record["event"] in TELEMETRY_EVENTS))]
    # Time order, an event before a sample of the same time (docs/trace.md).
    lines = sorted([*body[:-1], *kept], key=lambda record: (record["t"], record["type"] == "sample"))
    header = header | {"robot": robot_header["robot"], "firmware_version": robot_header.get("firmware_version"),
                       "telemetry": {"source": robot_header["source"], "start_time": robot_header.get("start_time"),
                                     "program": robot_header.get("program", {})}}
    if "pose_source" in robot_header:
        header["pose_source"] = robot_header["pose_source"]
    samples = sum(1 for record in lines if record["type"] == "sample")
    return [header, *lines, end | {"samples": samples, "events": len(lines) - samples}]
