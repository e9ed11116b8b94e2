"""End-to-end set-up: a real judge (a fresh SQLite database, programs run in the request
that submits them) served by waitress on a free localhost port, and Debian's Chromium
driven by Playwright, one empty profile per person at the browser.

Playwright's own browsers are never downloaded: the tests launch ``/usr/bin/chromium``
(Debian's ``chromium`` package, which ``bash tools/test.sh`` installs when run as root).
Without it the tests are skipped, except in CI (``CI`` set), where they fail: CI must
run them.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
import waitress
from playwright.sync_api import sync_playwright

from roboarena.judge import create_app, db
from roboarena.judge.cli_commands import upgrade

CHROMIUM = Path("/usr/bin/chromium")
# --disable-background-networking and its neighbours keep Chromium from calling Google's
# services at start-up: on a closed network those calls are refused and only slow it down.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER_THREADS = 8       # a projector may hold a connection open while the others keep clicking
STOP_TIMEOUT_S = 10
ACTION_TIMEOUT_MS = 10_000    # a click or a page load: far more than a local server needs

HELPERS = Path(__file__).resolve().parents[1] / "judge" / "judge_helpers.py"


def _judge_helpers():
    """tests/judge/judge_helpers.py, by path: tests/judge is not a package."""
    spec = importlib.util.spec_from_file_location("judge_helpers", HELPERS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for the whole module (each test opens its own contexts)."""
    if not os.access(CHROMIUM, os.X_OK):
        why = f"{CHROMIUM} (Debian's chromium package) is not installed"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the end-to-end tests, but {why}", pytrace=False)
        pytest.skip(f"end-to-end tests: {why}; `bash tools/test.sh` installs it (as root, with apt-get)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def judge(tmp_path_factory):
    """A judge served over HTTP: ``.url`` (no trailing slash) and ``.app`` (for set-up
    that is not what a test is about, and to check what the pages showed)."""
    instance = tmp_path_factory.mktemp("judge_instance")
    # A heartbeat every second: a projector's event stream then notices within a second
    # that its browser has gone, and gives its thread back before the server stops.
    app = create_app({"INSTANCE_PATH": instance, "EVALUATE_INLINE": True, "LIVE_HEARTBEAT_SECONDS": 1})
    upgrade(app)
    # Our own socket map: closing what is left in it at the end lets the loop return.
    sockets: dict = {}
    server = waitress.create_server(app, map=sockets, host="127.0.0.1", port=0, threads=SERVER_THREADS)
    thread = threading.Thread(target=server.run, name="e2e-judge", daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.effective_port}", app=app)
    server.close()
    for channel in list(sockets.values()):      # connections a browser left open
        channel.close()
    thread.join(STOP_TIMEOUT_S)
    server.task_dispatcher.shutdown()
    db.dispose(app)


@pytest.fixture(scope="module")
def admin(judge):
    """The first admin, as ``roboarena judge init`` makes it: {"username", "password", ...}."""
    return _judge_helpers().make_account(judge.app, "admin", "admin")


@pytest.fixture
def open_page(browser, judge):
    """``open_page(locale="en-US")``: a page in a new browser context (an empty profile,
    so no cookies: one person), asking for pages in ``locale``."""
    contexts = []

    def open_(locale: str = "en-US"):
        context = browser.new_context(locale=locale, base_url=judge.url)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()
