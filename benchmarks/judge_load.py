"""How many leaderboard reads the judge serves, printed as a table: a round of a city-wide
competition (500 teams, 20,000 runs) served by ``roboarena judge serve`` (waitress) and
loaded with ``wrk`` on the same machine. Target: >= 1,000 requests/s with p99 < 100 ms
(projectors and phones refresh the leaderboard all afternoon; DOMjudge counts on about one
request per second per 30 teams from auto-refresh alone).

What it does, in one run:

- makes a fresh instance folder (SQLite in WAL mode, or a fresh schema of the PostgreSQL
  database named by ``--database-url``) by the migrations, and fills it with bulk inserts:
  one line-follow round, its teams, a referee, and runs scored by the line-follow pack's own
  rules from made-up events (each team's pace, run-to-run spread and off-line count; times to
  the simulator's 0.01 s, so some teams tie and the tie-break order decides; 2 % are void);
- starts ``roboarena judge --instance DIR serve --port P`` as a coach would, and waits
  until it answers (``--threads N`` instead serves the same app with waitress's
  ``threads=N``, to compare thread counts);
- times the first leaderboard request (the standings computed from every run), warms the
  server up (a few seconds of wrk on each path, not counted), then runs ``wrk --latency``
  against: the JSON leaderboard; the same with ``If-None-Match`` (a poller
  that keeps the ETag); the leaderboard page for a returning visitor (an auto-refresh sends
  its session cookie back) and for first visits (no cookie: a new session each time); and
  the JSON leaderboard again while a referee uploads a real trace every ``--upload-every``
  seconds (each upload changes the standings, which are computed again from every run).

The machine's load average is printed with the figures: other work on it lowers them all.

Run: ``python benchmarks/judge_load.py [--teams N] [--runs N] [--duration 10s]
[--connections 50] [--threads N] [--upload-every SECONDS]
[--database-url postgresql+psycopg://USER:PASS@HOST/DB]``.
Needs ``wrk`` (Debian/Ubuntu: ``apt-get install wrk``; macOS: ``brew install wrk``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tables import print_table  # noqa: E402  (this folder: the scripts run as files)

ROOT = Path(__file__).resolve().parent.parent
TARGET_RPS = 1000
TARGET_P99_MS = 100
CHALLENGE = "line-follow"
SCHOOLS = 60
VOID_SHARE = 0.02
START_TIMEOUT_S = 60
WARM_UP = "3s"            # wrk on each path before the measured runs, not counted
# Serves the app as ``cmd_serve`` does (less re-queueing programs a stopped server left
# pending: there are none here), but with waitress's thread count chosen.
SERVE_WITH_THREADS = """
import sys, waitress
from roboarena.judge import create_app
waitress.serve(create_app({"INSTANCE_PATH": sys.argv[1]}), host="127.0.0.1", port=int(sys.argv[2]),
               threads=int(sys.argv[3]))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--duration", default="10s", help="wrk's -d for each figure (default 10s)")
    parser.add_argument("--connections", type=int, default=50, help="wrk's -c (default 50)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk's -t (default 2)")
    parser.add_argument("--threads", type=int, help="serve with waitress threads=N instead of `roboarena judge "
                                                    "serve` (which uses waitress's default)")
    parser.add_argument("--database-url", help="a PostgreSQL database to fill (a fresh schema in it, dropped "
                                               "afterwards) instead of SQLite in the instance folder")
    parser.add_argument("--upload-every", type=float, default=1.0, metavar="SECONDS",
                        help="for the last figure, a referee uploads a run this often during the load (0: no such "
                             "figure)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("judge_load: wrk is not installed. Install it (Debian/Ubuntu: `sudo apt-get install wrk`; "
              "macOS: `brew install wrk`) and run this again.", file=sys.stderr)
        return 2
    if args.teams < 1 or args.runs < args.teams:
        print(f"judge_load: --runs ({args.runs}) must be at least --teams ({args.teams}), and --teams at least 1.",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder, database(args.database_url) as url:
        instance = Path(folder) / "instance"
        instance.mkdir()
        if url is not None:
            # Where a deployment names its database: the served app reads it from there.
            (instance / "config.py").write_text(f"DATABASE_URL = {url!r}\n", encoding="utf-8")
        started = time.perf_counter()
        round_id, counted, backend, token = fill(instance, args.teams, args.runs, random.Random(args.seed))
        fill_s = time.perf_counter() - started
        trace = make_trace(Path(folder)) if args.upload_every > 0 else None
        port = free_port()
        load_before = os.getloadavg()[0]
        with serving(instance, port, args.threads, Path(folder) / "server.log"):
            base = f"http://127.0.0.1:{port}"
            json_path, page_path = f"/api/rounds/{round_id}/leaderboard", f"/rounds/{round_id}"
            cold_ms, board = first_request(base + json_path)
            first_visit = fetch(base + page_path)
            page_bytes = len(first_visit.read())
            # What a browser sends back on its next visit (an auto-refresh): its session.
            cookie = first_visit.headers.get("Set-Cookie", "").split(";")[0]
            # A judge at a competition has been up for hours: the first seconds of a fresh
            # process (its first full garbage collections) are not what the gym sees.
            for path in (json_path, page_path):
                wrk(args, base + path, duration=WARM_UP)
            figures = [("JSON leaderboard", json_path, wrk(args, base + json_path)),
                       ("JSON leaderboard, If-None-Match (304)", json_path,
                        wrk(args, base + json_path, {"If-None-Match": board.headers["ETag"]}))]
            if cookie:       # the page made a session: a returning visitor sends it back
                figures.append(("leaderboard page, returning visitor (session cookie)", page_path,
                                wrk(args, base + page_path, {"Cookie": cookie})))
            figures.append(("leaderboard page, a visitor (no session is made)" if not cookie
                            else "leaderboard page, first visits (no cookie)", page_path, wrk(args, base + page_path)))
            if trace is not None:
                with uploading(base, round_id, token, trace, args.teams, args.upload_every) as uploads:
                    live = wrk(args, base + json_path)
                figures.append((f"JSON leaderboard while a run is uploaded every {args.upload_every:g} s", json_path,
                                live))
        load_after = os.getloadavg()[0]
        workers, workers_from = waitress_threads(args.threads, instance)
    rows_json = json.loads(board.body)["rows"]
    shared = sum(1 for row in rows_json if row["tie_break"] and row["tie_break"]["tied"])
    separated = sum(1 for row in rows_json if row["tie_break"] and not row["tie_break"]["tied"])
    settings = f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration} --latency"
    server_text = (f"`roboarena judge serve`, waitress with {workers} threads" if args.threads is None
                   else f"the judge app in waitress.serve(..., threads={workers})")
    rows = [
        ("round", f"{args.teams} teams, {args.runs:,} runs ({counted:,} counted), {CHALLENGE}",
         f"standings: {shared} teams share a rank, {separated} placed by a tie-break"),
        ("database", backend, f"filled in {fill_s:.1f} s (bulk inserts)"),
        ("server", server_text, f"threads: {workers_from}"),
        ("load", settings, f"{os.cpu_count()} cores, wrk and the server on the same machine; after a "
                           f"{WARM_UP} warm-up per path"),
        ("machine load average (1 min)", f"{load_before:.1f} before, {load_after:.1f} after",
         "anything else running on the machine lowers every figure below"),
        ("first leaderboard request", f"{cold_ms:.0f} ms",
         f"standings computed from every run (cache cold); JSON body {len(board.body) / 1024:.0f} KB"),
    ]
    json_rate = figures[0][2]["rps"]
    for name, path, result in figures:
        rows.append((f"{name} `{path}`", describe(result), verdict(result)
                     + ("" if result is figures[0][2] else f"; {result['rps'] / json_rate:.2f}x the JSON's rate")))
    if trace is not None:
        accepted = [ms for status, ms in uploads if status == 201]
        rows.append(("uploads during that load",
                     f"{len(accepted)} of {len(uploads)} accepted (201); answered in p50 "
                     f"{percentile(accepted, 50):.0f} ms, max {max(accepted, default=0):.0f} ms",
                     "each changes the standings, which are computed again from every run"))
    rows.append(("leaderboard page size", f"{page_bytes / 1024:.0f} KB", "HTML, English, kept for visitors who "
                                                                         "are not signed in"))
    print(f"roboarena judge load benchmark: the leaderboard of a {args.teams}-team, {args.runs:,}-run round, "
          f"{settings}, {server_text}, {backend}")
    print_table(rows)
    return 0


@contextlib.contextmanager
def database(url: str | None):
    """None for SQLite in the instance folder; else a URL to a fresh schema of that PostgreSQL
    database (the whole search path, as in the judge's own tests), dropped afterwards."""
    if url is None:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from roboarena.judge import db

    try:
        engine = create_engine(db.database_url(url), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, ImportError) as exc:
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        sys.exit(f"judge_load: cannot connect to --database-url ({reason}); check the address, user and password.")
    if engine.dialect.name != "postgresql":
        sys.exit("judge_load: --database-url is for PostgreSQL; SQLite is the default without it.")
    schema = f"judge_load_{uuid.uuid4().hex[:12]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def fill(instance: Path, teams: int, runs: int, rng: random.Random) -> tuple[int, int, str, str]:
    """Make the schema and one round of ``teams`` teams and ``runs`` runs, and a referee;
    (round id, counted runs, what the database is, the referee's API token)."""
    from sqlalchemy import insert, select, text

    from roboarena.challenges.pack import load_challenge
    from roboarena.judge import create_app, db
    from roboarena.judge.cli_commands import upgrade
    from roboarena.judge.models import ApiToken, Competition, Membership, Round, Run, Team, User

    challenge = load_challenge(CHALLENGE)
    app = create_app({"INSTANCE_PATH": instance})
    upgrade(app)
    with app.app_context():
        session = db.session()
        competition = Competition(name="City-wide robotics day")
        round_ = Round(competition=competition, challenge_id=CHALLENGE, title="Line-follow heats",
                       pack_hash=challenge.content_hash)
        referee = User(username="referee", role="member")
        referee.set_password(uuid.uuid4().hex)
        token_row, token = ApiToken.issue(referee)
        session.add_all([round_, Membership(user=referee, competition=competition, role="referee"), token_row])
        session.flush()
        session.execute(insert(Team), [{"competition_id": competition.id, "name": f"Team {i + 1:03d}",
                                        "school": f"No. {i % SCHOOLS + 1} Primary School"} for i in range(teams)])
        team_ids = list(session.scalars(select(Team.id).where(Team.competition_id == competition.id)))
        skill = {team_id: rng.random() for team_id in team_ids}
        start = datetime(2025, 6, 1, 9, 0, tzinfo=timezone.utc)
        rows = []
        for i in range(runs):
            # Every team gets at least one run; the rest fall where they may.
            team_id = team_ids[i] if i < len(team_ids) else rng.choice(team_ids)
            score = made_up_score(challenge, skill[team_id], rng)
            rows.append({
                "round_id": round_.id, "team_id": team_id, "source": "sim",
                "status": "void" if rng.random() < VOID_SHARE else "scored",
                "pack_hash": challenge.content_hash, "score": score.score, "success": score.success,
                "time_s": score.time_s, "outcome": score.outcome,
                "breakdown": [rule.as_dict() for rule in score.breakdown], "explanation": score.explanation,
                "counts": score.counts, "version": 1,
                "created_at": start + timedelta(seconds=i * 6 * 3600 / runs)})
        session.execute(insert(Run), rows)
        session.commit()
        backend = session.get_bind().dialect.name
        if backend == "postgresql":
            # As an autovacuum would soon after a day's uploads: plans need the table's statistics.
            session.execute(text("ANALYZE run"))
            session.commit()
            version = session.execute(text("SHOW server_version")).scalar()
            backend = f"PostgreSQL {version.split()[0]}"
        else:
            backend = "SQLite (WAL) in the instance folder"
        round_id = round_.id
    db.dispose(app)
    counted = sum(1 for row in rows if row["status"] == "scored")
    return round_id, counted, backend, token


def made_up_score(challenge, skill: float, rng: random.Random):
    """A line-follow run scored by the pack's own rules from made-up events. A team's skill
    (0..1) sets how often it finishes and its usual pace; each run varies around it, to the
    simulator's 0.01 s. Among finishers an equal score with another team is a faster run with
    more off-line penalties (time places them); among the weakest teams, who never finish,
    runs end at the time limit on round scores, so the off-line count places them or they tie."""
    from roboarena.challenges.scoring import RunEvents, score_run

    limit_s = challenge.time_limit_ms / 1000
    off_line = min(int(rng.expovariate(0.8 + 2 * skill)), 6)
    if rng.random() < 0.02 + 0.9 * skill ** 2:
        pace_s = 40.0 + (1 - skill) * 45.0
        end_s = round(min(limit_s - 1, pace_s + abs(rng.gauss(0, 4)) + 1.5 * off_line), 2)
        laps, checkpoints, reason = 2, 8, "finished"
    else:
        end_s = limit_s
        laps = rng.choice((0, 1, 1))
        checkpoints, reason = min(8, laps * 4 + rng.randint(0, 3)), "time-limit"
    events = sorted([(end_s * (k + 1) / (checkpoints + 1), "checkpoint", {}) for k in range(checkpoints)]
                    + [(end_s * (k + 1) / (laps + 0.5), "lap", {}) for k in range(laps)]
                    + [(rng.uniform(0, end_s), "off-path", {}) for _ in range(off_line)], key=lambda e: e[0])
    return score_run(challenge, RunEvents(tuple(events), reason, end_s))


def make_trace(folder: Path) -> Path:
    """A real line-follow run's trace, gzipped, as a referee uploads it."""
    from roboarena.sims.runner import run_challenge
    from roboarena.sims.trace import write_trace

    result = run_challenge(CHALLENGE, ROOT / "examples" / "line_follower.py", seed=0)
    return write_trace(result.simulation, folder / "run.jsonl.gz", "line_follower.py", result.program_sha256)


@contextlib.contextmanager
def uploading(base: str, round_id: int, token: str, trace: Path, teams: int, every_s: float):
    """Upload ``trace`` for one team after another every ``every_s`` while the block runs;
    yields the list of (status, milliseconds) it fills."""
    data, done, results = trace.read_bytes(), threading.Event(), []

    def upload_loop():
        number = 0
        while not done.wait(every_s):
            team = urllib.parse.quote(f"Team {number % teams + 1:03d}")
            request = urllib.request.Request(f"{base}/api/rounds/{round_id}/runs?team={team}", data=data, method="POST",
                                             headers={"Authorization": f"Bearer {token}",
                                                      "Content-Type": "application/octet-stream",
                                                      "X-Trace-Filename": "run.jsonl.gz"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    status = response.status
            except urllib.error.HTTPError as refused:
                status = refused.code
            except (urllib.error.URLError, OSError):
                status = 0
            results.append((status, (time.perf_counter() - started) * 1000))
            number += 1

    worker = threading.Thread(target=upload_loop, daemon=True)
    worker.start()
    try:
        yield results
    finally:
        done.set()
        worker.join()


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * percent / 100))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(instance: Path, port: int, threads: int | None, log_path: Path):
    """The judge serving ``instance`` on ``port`` until the block ends."""
    if threads is None:
        command = ([shutil.which("roboarena")] if shutil.which("roboarena") else [sys.executable, "-m", "roboarena"])
        command += ["judge", "--instance", str(instance), "serve", "--port", str(port)]
    else:
        command = [sys.executable, "-c", SERVE_WITH_THREADS, str(instance), str(port), str(threads)]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                sys.exit(f"judge_load: the server stopped (exit {server.returncode}) before it answered:\n"
                         + log_path.read_text(encoding="utf-8", errors="replace"))
            try:
                fetch(f"http://127.0.0.1:{port}/login")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    sys.exit(f"judge_load: the server did not answer within {START_TIMEOUT_S} s; its output is in "
                             f"{log_path}")
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def waitress_threads(asked: int | None, instance: Path) -> tuple[int, str]:
    """The server's waitress worker threads, and where the number comes from."""
    from roboarena.judge import create_app, db
    from roboarena.judge.cli_commands import serve_threads

    if asked is not None:
        return asked, "--threads"
    app = create_app({"INSTANCE_PATH": instance})
    try:
        return serve_threads(app), "judge serve's SERVE_THREADS"
    finally:
        db.dispose(app)


def fetch(url: str, headers: dict | None = None):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=60)


class Answer:
    def __init__(self, response):
        self.headers, self.body = response.headers, response.read()


def first_request(url: str) -> tuple[float, Answer]:
    started = time.perf_counter()
    answer = Answer(fetch(url))
    return (time.perf_counter() - started) * 1000, answer


def wrk(args, url: str, headers: dict | None = None, duration: str | None = None) -> dict:
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration or args.duration}", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    finished = subprocess.run(command + [url], capture_output=True, text=True)
    if finished.returncode != 0:
        sys.exit(f"judge_load: wrk failed on {url}:\n{finished.stderr or finished.stdout}")
    return parse_wrk(finished.stdout)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output: str) -> dict:
    """requests/s, p50 and p99 in ms, requests, socket errors and non-2xx/3xx answers from
    ``wrk --latency``'s report."""
    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE).groups()
        return float(value) * _UNITS_MS[unit]

    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "p50_ms": latency("50"), "p99_ms": latency("99"),
            "errors": sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0}


def describe(result: dict) -> str:
    return (f"{result['rps']:,.0f} req/s; p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; "
            f"{result['errors']} socket errors, {result['non_2xx']} non-2xx/3xx of {result['requests']:,}")


def verdict(result: dict) -> str:
    met = (result["rps"] >= TARGET_RPS and result["p99_ms"] < TARGET_P99_MS
           and result["errors"] == 0 and result["non_2xx"] == 0)
    return f"target >= {TARGET_RPS:,} req/s, p99 < {TARGET_P99_MS} ms, no errors: {'met' if met else 'NOT met'}"


if __name__ == "__main__":
    sys.exit(main())
