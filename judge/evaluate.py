"""The judge's simple local evaluator: a submitted program is run in the round's challenge
by ``roboarena sim`` in a child process (so a program that crashes or hangs cannot take the
server with it), then its trace is scored like an uploaded one.

One worker thread per server process runs the queue in order. With ``EVALUATE_INLINE``
(tests, ``roboarena demo``) a program is run at once, in the request that submitted it.
Pending runs left by a stopped server are queued again when it starts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from roboarena.errors import RoboarenaError
from roboarena.judge import db
from roboarena.judge.i18n import both
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import Run

SEED = 0                       # every team's program meets the same start, noise and jitter
RUN_TIMEOUT_S = 300            # wall clock for one program, far above any challenge's time limit
EXTENSION = "roboarena.evaluator"


def init_app(app: Flask):
    app.extensions[EXTENSION] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roboarena-evaluate")


def enqueue(run_id: int):
    app = current_app._get_current_object()
    if app.config.get("EVALUATE_INLINE"):
        evaluate(run_id)
        return
    app.extensions[EXTENSION].submit(_in_context, app, run_id)


def requeue_pending(app: Flask):
    """Queue the runs a stopped server left waiting."""
    with app.app_context():
        for run_id in db.session().scalars(select(Run.id).where(Run.status == "pending").order_by(Run.id)):
            app.extensions[EXTENSION].submit(_in_context, app, run_id)


def _in_context(app: Flask, run_id: int):
    with app.app_context():
        evaluate(run_id)


_lock = threading.Lock()


def evaluate(run_id: int):
    """Run a pending run's program and score it (or mark it failed, saying why)."""
    with _lock:
        session = db.session()
        run = session.get(Run, run_id)
        if run is None or run.status != "pending":
            return
        instance = Path(current_app.instance_path)
        program = instance / run.program_path
        relative = Path(run.program_path).with_suffix(".jsonl.gz")
        trace = instance / relative
        from roboarena.judge.packs import pinned_challenge

        try:
            pack = str(pinned_challenge(run.round).folder)     # the version the round is judged by
        except Refusal as refusal:
            _failed(run, both(refusal.message_id, **refusal.fields))
            session.commit()
            return
        command = [sys.executable, "-m", "roboarena", "sim", pack, str(program), "--headless",
                   "--seed", str(SEED), "--trace", str(trace), "--json"]
        try:
            finished = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                                      stdin=subprocess.DEVNULL, cwd=program.parent,
                                      env=_child_environment())
            report = _last_json(finished.stdout)
        except subprocess.TimeoutExpired:
            finished = None
            report = {"error": "judge.error.program_timeout", "message": both("judge.error.program_timeout")}
        if trace.exists():
            run.trace_path = relative.as_posix()
            try:
                from roboarena.judge.ingest import apply_score

                apply_score(run, trace)
                if report.get("error"):
                    run.outcome = "program-error"
            except RoboarenaError as exc:
                _failed(run, {"en": exc.text("en"), "zh": exc.text("zh")})
            except Refusal as refusal:
                _failed(run, both(refusal.message_id, **refusal.fields))
        else:
            said = (finished.stderr.strip()[-300:] if finished else "") or "no trace"
            _failed(run, report.get("message") or {"en": said, "zh": said})
        session.commit()


def _failed(run: Run, reason: dict):
    """Not scored: the reason (what ``roboarena sim`` said, in both languages) is kept."""
    run.status, run.outcome = "failed", "program-error"
    run.explanation = reason


def _last_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return {}


def _child_environment() -> dict:
    import os

    env = {key: value for key, value in os.environ.items() if not key.startswith("ROBOARENA_JUDGE")}
    env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return env
