"""Taking a run in: a trace (scored now against the round's pinned pack) or a program (run
on the server, then scored). The API and the web form both come here, so a run is
checked, stored and scored one way whichever door it came through.

Every refusal is a ``Refusal`` carrying the HTTP status and a message id, so the API can
answer in JSON and the page in the reader's language."""

from __future__ import annotations

import gzip
import io
import json
import uuid
from datetime import datetime, timezone
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from roboarena.challenges.results import score_trace
from roboarena.errors import RoboarenaError, TraceError
from roboarena.judge import db
from roboarena.judge.models import Round, Run, Team, User

MAX_PROGRAM_BYTES = 200_000          # a student's program; traces are limited by MAX_CONTENT_LENGTH


class Refusal(Exception):
    def __init__(self, status: int, message_id: str, **fields):
        super().__init__(message_id)
        self.status, self.message_id, self.fields = status, message_id, fields


def trace_header(data: bytes) -> dict | None:
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


def earlier_run(team: Team, key: str | None) -> Run | None:
    """The run a retrying client already sent with this idempotency key, if any."""
    if not key:
        return None
    return db.session().scalars(select(Run).where(Run.team_id == team.id, Run.idempotency_key == key)).first()


def _instance_file(folder_key: str, round_id: int, suffix: str) -> tuple[Path, Path]:
    relative = Path(current_app.config[folder_key]) / str(round_id) / f"{uuid.uuid4().hex}{suffix}"
    path = Path(current_app.instance_path) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    return relative, path


def apply_score(run: Run, path: Path):
    """Score the trace at ``path`` into ``run`` by the rules its round is pinned to (raises
    the scorer's RoboarenaError, or Refusal when that version is nowhere to be found)."""
    from roboarena.judge.packs import pinned_challenge

    score, header, _ = score_trace(path, pack=pinned_challenge(run.round).folder)
    run.source = header.get("source", run.source or "sim")
    run.score, run.success, run.time_s, run.outcome = score.score, score.success, score.time_s, score.outcome
    run.breakdown = [rule.as_dict() for rule in score.breakdown]
    run.explanation, run.counts = score.explanation, score.counts
    run.pack_hash = score.pack_hash.removeprefix("sha256:") if score.pack_hash else run.round.pack_hash
    run.status = "scored"
    run.updated_at = datetime.now(timezone.utc)
    return score


def ingest_trace(round_: Round, team: Team, data: bytes, filename: str, key: str | None, user: User | None):
    """Store and score an uploaded trace: (run, score, created). A second upload with the
    same idempotency key returns the first run, not a copy."""
    earlier = earlier_run(team, key)
    if earlier is not None:
        return earlier, None, False
    name = Path(filename or "trace.jsonl").name
    if not data:
        raise Refusal(400, "judge.error.no_trace")
    if not (name.endswith(".jsonl") or name.endswith(".jsonl.gz")):
        raise Refusal(400, "judge.error.bad_name", name=name)
    header = trace_header(data)
    if header is not None:
        recorded = header["challenge"]
        if recorded.get("id") != round_.challenge_id:
            raise Refusal(409, "judge.error.wrong_challenge", trace_challenge=recorded.get("id"),
                          round_challenge=round_.challenge_id, round_id=round_.id)
        trace_hash = str(recorded.get("hash", "")).removeprefix("sha256:")
        if trace_hash != round_.pack_hash:
            raise Refusal(409, "judge.error.pack_mismatch", challenge=round_.challenge_id, trace_hash=trace_hash,
                          round_hash=round_.pack_hash, round_id=round_.id)
    relative, path = _instance_file("TRACE_FOLDER", round_.id,
                                    ".jsonl.gz" if data[:2] == b"\x1f\x8b" else ".jsonl")
    path.write_bytes(data)
    session = db.session()
    run = Run(round=round_, team=team, source="sim", trace_path=relative.as_posix(), idempotency_key=key,
              submitted_by=user)
    try:
        # Against the installed pack, which must still be the round's pinned version (else 409).
        score = apply_score(run, path)
    except RoboarenaError as exc:
        path.unlink(missing_ok=True)
        if "path" in exc.fields:
            exc.fields["path"] = name        # the uploader's file name, not the server's folders
        status = 409 if exc.message_id == "trace.unknown_pack" else 400 if isinstance(exc, TraceError) else 500
        raise Refusal(status, exc.message_id, **exc.fields) from None
    session.add(run)
    try:
        session.commit()
    except IntegrityError:     # the same key raced in from a second request: keep the first
        session.rollback()
        path.unlink(missing_ok=True)
        return earlier_run(team, key), None, False
    return run, score, True


def submit_program(round_: Round, team: Team, source: bytes, filename: str, key: str | None, user: User | None):
    """Store a program to be run on the server in the round's challenge: (run, created).
    The run waits as "pending" until the evaluator has run and scored it."""
    earlier = earlier_run(team, key)
    if earlier is not None:
        return earlier, False
    name = Path(filename or "program.py").name
    if not name.endswith(".py"):
        raise Refusal(400, "judge.error.not_a_program", name=name)
    if not source.strip():
        raise Refusal(400, "judge.error.empty_program", name=name)
    if len(source) > MAX_PROGRAM_BYTES:
        raise Refusal(413, "judge.error.program_too_large", name=name, limit_kb=MAX_PROGRAM_BYTES // 1000)
    try:
        source.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "judge.error.program_not_text", name=name) from None
    relative, path = _instance_file("PROGRAM_FOLDER", round_.id, ".py")
    path.write_bytes(source)
    session = db.session()
    run = Run(round=round_, team=team, source="sim", status="pending", program_path=relative.as_posix(),
              idempotency_key=key, submitted_by=user)
    session.add(run)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        path.unlink(missing_ok=True)
        return earlier_run(team, key), False
    from roboarena.judge import evaluate

    evaluate.enqueue(run.id)
    return run, True
