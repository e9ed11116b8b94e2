"""Posting a timing gate's crossings to the judge (``roboarena gate --server URL --round N``).

Each crossing joins a short queue and is sent at once; when the judge cannot be reached
(a Wi-Fi hiccup in the gym, the laptop restarting) the queue is kept and sent again every
few seconds, all of it in one request, so the judge receives every crossing with its board
time once the network is back. The judge stores a repeated crossing once, so sending again
after a lost answer is safe. Nothing is dropped without a line on the terminal: a crossing
the judge refuses, one pushed out of a full queue, or one still waiting when the gate is
stopped is printed with its board time, for the referee to enter by hand.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable

import roboarena.judge.texts  # noqa: F401 - the gate's messages join the catalog
from roboarena.messages import current_language, render

TIMEOUT_S = 5.0
RETRY_S = 2.0
MAX_WAITING = 1000          # about an afternoon of crossings: the network is out for longer than that rarely


class GatePoster:
    """Sends crossings to ``POST /api/rounds/<round>/gate``. With ``background`` a thread
    sends them and retries; without, ``flush()`` sends what is waiting (tests, scripts)."""

    def __init__(self, server: str, round_id: int, token: str, *, say: Callable[[str], None] = print,
                 retry_s: float = RETRY_S, timeout_s: float = TIMEOUT_S, max_waiting: int = MAX_WAITING,
                 background: bool = True):
        self.url = f"{server.rstrip('/')}/api/rounds/{round_id}/gate"
        self.server, self.round_id, self.token = server, round_id, token
        self.say, self.retry_s, self.timeout_s = say, retry_s, timeout_s
        self.waiting: deque[dict] = deque()
        self.max_waiting = max_waiting
        self.delivered = 0
        self._lock = threading.Lock()          # the queue, between the gate loop and the sender
        self._send_lock = threading.Lock()     # one request at a time, in order
        self._wake = threading.Event()
        self._stop = False
        self._unreachable = False              # say so once per outage, not on every retry
        self._thread = None
        if background:
            self._thread = threading.Thread(target=self._run, name="gate-poster", daemon=True)
            self._thread.start()

    def add(self, board_ms: int, sensor: int = 0, device: str = ""):
        """Queue one crossing and send it (now, or from the sender thread)."""
        crossing = {"board_ms": int(board_ms), "sensor": int(sensor), "device": device}
        with self._lock:
            if len(self.waiting) >= self.max_waiting:
                oldest = self.waiting.popleft()
                self.say(render("judge.gate.unsent", board_ms=oldest["board_ms"], sensor=oldest["sensor"]))
            self.waiting.append(crossing)
        if self._thread is None:
            self.flush()
        else:
            self._wake.set()

    def flush(self) -> bool:
        """Send every waiting crossing in one request; True when none is left waiting."""
        with self._send_lock:
            with self._lock:
                batch = list(self.waiting)
            if not batch:
                return True
            status, answer, reason = self._post(batch)
            if status is None:
                if not self._unreachable:
                    self.say(render("judge.gate.unreachable", server=self.server, reason=reason, count=len(batch),
                                    retry_s=self.retry_s))
                self._unreachable = True
                return False
            if status >= 500:                   # the judge is up but in trouble: keep and retry
                self.say(render("judge.gate.refused", status=status, message=_message(answer)))
                return False
            sent = {id(crossing) for crossing in batch}
            with self._lock:       # not popleft: a full queue may have pushed some out meanwhile
                self.waiting = deque(c for c in self.waiting if id(c) not in sent)
            self._unreachable = False
            if status in (200, 201):
                self.delivered += len(batch)
                if answer.get("run") is None:
                    self.say(render("judge.gate.no_run", count=len(batch), round=self.round_id))
                else:
                    self.say(render("judge.gate.delivered", count=len(batch), run=answer["run"]))
                return True
            # Refused for good (a wrong token or round, a bad crossing): sending again cannot
            # help, so say so and name each crossing that did not reach the judge.
            self.say(render("judge.gate.refused", status=status, message=_message(answer)))
            for crossing in batch:
                self.say(render("judge.gate.unsent", board_ms=crossing["board_ms"], sensor=crossing["sensor"]))
            return True

    def close(self):
        """Stop the sender after one last try; name every crossing still not sent."""
        self._stop = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s * 2)
        self.flush()
        with self._lock:
            left, self.waiting = list(self.waiting), deque()
        for crossing in left:
            self.say(render("judge.gate.unsent", board_ms=crossing["board_ms"], sensor=crossing["sensor"]))

    def _run(self):
        while not self._stop:
            self._wake.wait(timeout=self.retry_s)
            self._wake.clear()
            if not self._stop and self.waiting:
                self.flush()

    def _post(self, batch: list[dict]) -> tuple[int | None, dict, str]:
        """(HTTP status or None when unreachable, the JSON answer, why it was unreachable)."""
        request = urllib.request.Request(self.url, data=json.dumps(batch).encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.status, _json(response.read()), ""
        except urllib.error.HTTPError as exc:
            return exc.code, _json(exc.read()), ""
        except (urllib.error.URLError, OSError) as exc:
            return None, {}, str(getattr(exc, "reason", exc))


def _json(data: bytes) -> dict:
    try:
        answer = json.loads(data or b"{}")
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _message(answer: dict) -> str:
    message = answer.get("message")
    if isinstance(message, dict):
        return message.get(current_language(), "") or str(answer.get("error", ""))
    return str(answer.get("error", ""))
