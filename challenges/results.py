"""Scores for runs: from a simulation just run, or from a trace file re-read later.

Both paths build the same :class:`RunEvents` from the same rounded event records, so a
score printed by ``roboarena sim --json`` and by ``roboarena score TRACE --json`` agree
exactly. A trace is scored against the pack version it names (its content hash); another
version only when asked for explicitly (a rules fix, re-scored by the judge).
"""

from __future__ import annotations

from pathlib import Path

from roboarena.challenges.pack import Challenge, find_pack, load_challenge
from roboarena.challenges.scoring import RunEvents, Score, score_run
from roboarena.errors import TraceError
from roboarena.messages import Msg


def run_events(event_records: list[dict], end_record: dict) -> RunEvents:
    events = tuple((record["t"], record["event"], {k: v for k, v in record.items() if k not in ("type", "t", "event")})
                   for record in event_records)
    return RunEvents(events, end_record["reason"], end_record["t"])


def score_simulation(challenge: Challenge, simulation) -> Score:
    from roboarena.sims.trace import end_record, event_record

    return score_run(challenge, run_events([event_record(e) for e in simulation.events], end_record(simulation)))


def score_trace(path: str | Path, pack: str | Path | None = None) -> tuple[Score, dict, bool]:
    """(score, trace header, scored with another pack version than recorded)."""
    from roboarena.sims.trace import read_events

    header, events, end, _ = read_events(path)
    recorded_id = header["challenge"]["id"]
    recorded_hash = header["challenge"]["hash"].removeprefix("sha256:")
    if pack is not None:
        challenge = load_challenge(pack)
    else:
        if find_pack(recorded_id) is None:
            raise TraceError("trace.unknown_pack", path=str(path), challenge=recorded_id, trace_hash=recorded_hash[:12],
                             found=Msg("trace.pack_missing"))
        challenge = load_challenge(recorded_id)
        if challenge.content_hash != recorded_hash:
            raise TraceError("trace.unknown_pack", path=str(path), challenge=recorded_id, trace_hash=recorded_hash[:12],
                             found=Msg("trace.pack_other_version", installed=challenge.content_hash[:12]))
    return score_run(challenge, run_events(events, end)), header, challenge.content_hash != recorded_hash
