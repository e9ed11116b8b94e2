"""How fast the judge takes runs in, printed as a table: trace uploads (a 40 s line-follow
run, gzipped) scored and stored per second through the app (Flask's test client, so no
network in the figure), on a fresh SQLite database in WAL mode; and the leaderboard JSON
for the round that results. Run: ``python benchmarks/judge_ingest.py [--uploads N]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from roboarena.challenges.pack import load_challenge
from roboarena.judge import create_app, db
from roboarena.judge.cli_commands import upgrade
from roboarena.judge.models import ApiToken, Competition, Round, Team, User
from roboarena.sims.runner import run_challenge
from roboarena.sims.trace import write_trace

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--teams", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = run_challenge("line-follow", ROOT / "examples" / "line_follower.py", seed=0)
        trace = write_trace(result.simulation, Path(folder) / "run.jsonl.gz", "line_follower.py",
                            result.program_sha256)
        data = trace.read_bytes()
        app = create_app({"INSTANCE_PATH": Path(folder) / "instance"})
        upgrade(app)
        with app.app_context():
            session = db.session()
            competition = Competition(name="Benchmark cup")
            round_ = Round(competition=competition, challenge_id="line-follow", title="Heat",
                           pack_hash=load_challenge("line-follow").content_hash)
            session.add_all([round_] + [Team(competition=competition, name=f"team-{i}") for i in range(args.teams)])
            user = User(username="referee", role="referee")
            user.set_password("unused")
            token_row, token = ApiToken.issue(user)
            session.add(token_row)
            session.commit()
            round_id = round_.id
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "X-Trace-Filename": "run.jsonl.gz"}
        started = time.perf_counter()
        for i in range(args.uploads):
            response = client.post(f"/api/rounds/{round_id}/runs?team=team-{i % args.teams}", data=data,
                                   headers=headers)
            assert response.status_code == 201, response.get_json()
        ingest_s = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(50):
            assert client.get(f"/api/rounds/{round_id}/leaderboard").status_code == 200
        board_s = (time.perf_counter() - started) / 50
        db.dispose(app)
    print(f"roboarena judge ingest benchmark: {args.uploads} uploads of a {len(data) / 1024:.0f} KB gzipped "
          f"40 s trace, {args.teams} teams, SQLite (WAL), in-process client")
    print("| figure | measured |")
    print("|---|---|")
    print(f"| uploads scored and stored | {args.uploads / ingest_s:.0f} per second ({ingest_s / args.uploads * 1000:.1f} ms each) |")
    print(f"| leaderboard JSON for that round ({args.uploads} runs) | {board_s * 1000:.1f} ms per request |")


if __name__ == "__main__":
    main()
