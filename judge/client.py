"""``roboarena submit``: send a run to a judging server, from the command line.

A trace is uploaded as it is and scored at once; a program (``.py``) is sent for the server
to run in the round's challenge, and the client waits for its score. The idempotency key is
the file's own hash, so a client that retries after a network error, or a student who
submits the same run twice, makes one run on the server, not two.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import uuid
import urllib.parse
import urllib.request
from pathlib import Path

from roboarena.errors import ConnectError

TIMEOUT_S = 30
WAIT_S = 600          # how long to wait for the server to run a program (a queue on a busy day)
POLL_S = 1.0


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


def submit(server: str, token: str, round_id: int, team: str, file: Path, wait_s: float = WAIT_S) -> tuple[int, dict]:
    """(HTTP status, the server's JSON answer) for one run; for a program, once it is scored
    (or after ``wait_s``, still pending)."""
    data = file.read_bytes()
    key = hashlib.sha256(data + team.encode() + str(round_id).encode()).hexdigest()
    if file.suffix != ".py":
        query = urllib.parse.urlencode({"team": team})
        return _call(server, f"/api/rounds/{round_id}/runs?{query}", token, data,
                     {"Content-Type": "application/octet-stream", "X-Trace-Filename": file.name,
                      "Idempotency-Key": key})
    body, content_type = _multipart({"team": team}, "program", file.name, data)
    status, answer = _call(server, f"/api/rounds/{round_id}/runs", token, body,
                           {"Content-Type": content_type, "Idempotency-Key": key})
    deadline = time.monotonic() + wait_s
    while status in (200, 201, 202) and answer.get("status") == "pending" and time.monotonic() < deadline:
        time.sleep(POLL_S)
        polled, latest = _call(server, f"/api/runs/{answer['run']}", token)
        if polled == 200:
            answer = latest
    return status, answer


def _multipart(fields: dict[str, str], file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: text/x-python\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


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
    status, answer = submit(args.server, token, args.round, args.team, file)
    if args.json:
        print(json.dumps(answer | {"http_status": status}, ensure_ascii=False))
    elif answer.get("status") in ("pending", "failed"):
        message = "submit.pending" if answer["status"] == "pending" else "submit.failed_run"
        explanation = (answer.get("explanation") or {}).get(current_language(), "")
        _console(stderr=True).print(render(message, run=answer.get("run"), team=args.team, explanation=explanation),
                                    markup=False)
        return EXIT_FAILURE
    elif status in (200, 201, 202):
        _console().print(render("submit.done", run=answer.get("run"), score=answer.get("score"), team=args.team,
                                round=args.round, explanation=answer.get("explanation", {}).get(current_language(), "")),
                         markup=False)
    else:
        message = answer.get("message", {}).get(current_language(), answer.get("error", ""))
        _console(stderr=True).print(render("submit.failed", server=args.server, status=status, message=message),
                                    markup=False)
    if answer.get("status") in ("pending", "failed"):
        return EXIT_FAILURE
    return EXIT_OK if status in (200, 201, 202) else EXIT_BAD_INPUT if 400 <= status < 500 else EXIT_FAILURE
