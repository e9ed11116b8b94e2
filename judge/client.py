"""``roboarena submit``: send a run to a judging server, from the command line.

A trace is uploaded as it is; a program (``.py``) is first run in the simulator on the
round's challenge (asked from the server) and its trace uploaded. The idempotency key is
the trace's own hash, so a client that retries after a network error, or a student who
submits the same run twice, makes one run on the server, not two.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from roboarena.errors import ConnectError

TIMEOUT_S = 30


def _call(server: str, path: str, token: str | None = None, data: bytes | None = None,
          headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(server.rstrip("/") + path, data=data, method="POST" if data else "GET",
                                     headers={**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ConnectError("submit.unreachable", server=server, reason=str(getattr(exc, "reason", exc))) from None


def submit(server: str, token: str, round_id: int, team: str, file: Path, seed: int = 0) -> tuple[int, dict]:
    """(HTTP status, the server's JSON answer) for one run."""
    if file.suffix == ".py":
        from roboarena.sims.runner import run_challenge
        from roboarena.sims.trace import write_trace

        _, about = _call(server, f"/api/rounds/{round_id}/leaderboard")
        result = run_challenge(about.get("challenge", ""), file, seed=seed)
        with tempfile.TemporaryDirectory() as folder:
            trace = write_trace(result.simulation, Path(folder) / f"{file.stem}.jsonl.gz", file.name,
                                result.program_sha256)
            data, name = trace.read_bytes(), trace.name
    else:
        data, name = file.read_bytes(), file.name
    query = urllib.parse.urlencode({"team": team})
    key = hashlib.sha256(data + team.encode() + str(round_id).encode()).hexdigest()
    return _call(server, f"/api/rounds/{round_id}/runs?{query}", token, data,
                 {"Content-Type": "application/octet-stream", "X-Trace-Filename": name, "Idempotency-Key": key})


def cmd_submit(args) -> int:
    from roboarena.cli import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, _console
    from roboarena.messages import current_language, render

    token = args.token or os.environ.get("ROBOARENA_TOKEN")
    if not token:
        _console(stderr=True).print(render("submit.no_token"), markup=False)
        return EXIT_BAD_INPUT
    file = Path(args.file)
    if not file.is_file():
        _console(stderr=True).print(render("program.missing", path=str(file)), markup=False)
        return EXIT_BAD_INPUT
    status, answer = submit(args.server, token, args.round, args.team, file, args.seed)
    if args.json:
        print(json.dumps(answer | {"status": status}, ensure_ascii=False))
    elif status in (200, 201):
        _console().print(render("submit.done", run=answer.get("run"), score=answer.get("score"), team=args.team,
                                round=args.round, explanation=answer.get("explanation", {}).get(current_language(), "")),
                         markup=False)
    else:
        message = answer.get("message", {}).get(current_language(), answer.get("error", ""))
        _console(stderr=True).print(render("submit.failed", server=args.server, status=status, message=message),
                                    markup=False)
    return EXIT_OK if status in (200, 201) else EXIT_BAD_INPUT if 400 <= status < 500 else EXIT_FAILURE
