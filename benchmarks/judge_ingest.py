"""How fast the judge takes runs in, printed as a table: trace uploads (a 40 s line-follow
run, gzipped) scored and stored per second through the app (Flask's test client, so no
network in the figure), one after another, on a fresh SQLite database in WAL mode (or a
fresh schema of the PostgreSQL database named by ``--database-url``). The uploader is a
referee of the competition (a ``Membership``), with an API token, as ``roboarena submit``
sends them.

Measured in the same run, for comparison: scoring the same trace alone (what every upload
does first), as a share of an upload; and the round's JSON leaderboard afterwards, the
first read (standings computed from every upload) and the next ones (kept until a run
changes).

Run: ``python benchmarks/judge_ingest.py [--uploads N] [--teams N] [--database-url URL]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.results import score_trace
from roboarena.judge import create_app, db
from roboarena.judge.cli_commands import upgrade
from roboarena.judge.models import ApiToken, Competition, Membership, Round, Team, User
from roboarena.sims.runner import run_challenge
from roboarena.sims.trace import write_trace

from judge_load import database  # noqa: E402  (this folder: the scripts run as files)
from tables import best_of, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CACHED_READS = 200


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--database-url", help="a PostgreSQL database to use (a fresh schema in it, dropped "
                                               "afterwards) instead of SQLite in the instance folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, database(args.database_url) as url:
        result = run_challenge("line-follow", ROOT / "examples" / "line_follower.py", seed=0)
        trace = write_trace(result.simulation, Path(folder) / "run.jsonl.gz", "line_follower.py",
                            result.program_sha256)
        data = trace.read_bytes()
        scoring_s = best_of(5, lambda: score_trace(trace))
        app = create_app({"INSTANCE_PATH": Path(folder) / "instance"} | ({"DATABASE_URL": url} if url else {}))
        upgrade(app)
        with app.app_context():
            session = db.session()
            competition = Competition(name="Benchmark cup")
            round_ = Round(competition=competition, challenge_id="line-follow", title="Heat",
                           pack_hash=load_challenge("line-follow").content_hash)
            session.add_all([round_] + [Team(competition=competition, name=f"team-{i}") for i in range(args.teams)])
            user = User(username="referee", role="member")
            user.set_password("unused")
            session.add(Membership(user=user, competition=competition, role="referee"))
            token_row, token = ApiToken.issue(user)
            session.add(token_row)
            session.commit()
            round_id = round_.id
            backend = ("SQLite (WAL)" if session.get_bind().dialect.name == "sqlite" else "PostgreSQL")
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "X-Trace-Filename": "run.jsonl.gz"}
        started = time.perf_counter()
        for i in range(args.uploads):
            response = client.post(f"/api/rounds/{round_id}/runs?team=team-{i % args.teams}", data=data,
                                   headers=headers)
            if response.status_code != 201:
                raise SystemExit(f"judge_ingest: upload {i + 1} was refused ({response.status_code}): "
                                 f"{response.get_json()}")
        ingest_s = (time.perf_counter() - started) / args.uploads
        board = f"/api/rounds/{round_id}/leaderboard"
        started = time.perf_counter()
        first = client.get(board)
        first_s = time.perf_counter() - started
        assert first.status_code == 200 and len(first.get_json()["rows"]) == min(args.teams, args.uploads)
        started = time.perf_counter()
        for _ in range(CACHED_READS):
            client.get(board)
        cached_s = (time.perf_counter() - started) / CACHED_READS
        db.dispose(app)
    print(f"roboarena judge ingest benchmark: {args.uploads} uploads of a {len(data) / 1024:.0f} KB gzipped 40 s "
          f"line-follow trace by a referee's token, {args.teams} teams, {backend}, in-process client, one at a time")
    print_table([
        ("uploads scored and stored", f"{1 / ingest_s:.0f} per second ({ingest_s * 1000:.1f} ms each)",
         "read, checked, scored against the round's pack, file written, run committed"),
        ("scoring the trace alone", f"{scoring_s * 1000:.1f} ms (best of 5)",
         f"{scoring_s / ingest_s * 100:.0f} % of an upload"),
        (f"leaderboard JSON, first read ({args.uploads} runs)", f"{first_s * 1000:.1f} ms",
         "standings computed from every run"),
        ("leaderboard JSON, next reads", f"{cached_s * 1000:.2f} ms each (mean of {CACHED_READS})",
         f"kept until a run changes; {first_s / cached_s:.0f}x faster than the first"),
    ])


if __name__ == "__main__":
    main()
