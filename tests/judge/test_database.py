"""What a coach needs from the judge's database, on SQLite and on PostgreSQL alike: a run
whose storing fails half-way leaves no trace of itself, and the results stored before it
are untouched.

Two ways of failing half-way: an error in the judge's own process after the run's rows
were written but before the commit (the transaction is rolled back), and the process
dying there, as with a power cut or ``kill -9`` (nothing is rolled back or closed: the
database itself must drop the unfinished transaction). After either, the database is
opened again, the earlier run read back unchanged, and the same upload, retried with the
same idempotency key, is stored: the half-written run did not keep the key for itself.

Only the columns every version of the schema has are used, always made by the migrations
(the ``app`` fixture in conftest.py runs them on a fresh database for each backend).
"""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from roboarena.judge import create_app, db
from roboarena.judge.models import Competition, Round, Run, Team

# The child process of the crash test: stores a run and dies before committing it.
CRASH_BEFORE_COMMIT = """
import json, os, sys
from roboarena.judge import create_app, db
from roboarena.judge.models import Run, Team

instance, url, competition_id = sys.argv[1:4]
fields = json.load(sys.stdin)
app = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url})
with app.app_context():
    session = db.session()
    session.add(Team(competition_id=int(competition_id), name="Cats", school="No. 2 Primary"))
    session.add(Run(**fields))
    session.flush()                    # the rows are written: sent to the server, into SQLite's pages
    print("written", flush=True)
    os._exit(70)                       # no commit, no rollback, no clean close
"""

# Big enough that SQLite has to write the unfinished transaction's pages to its WAL file
# (its page cache holds 2 MB) and PostgreSQL stores the value out of line (TOAST): the
# half-written run is on disk, not only in the crashed process's memory.
BIG_BREAKDOWN = [{"id": f"checkpoint-{i}", "points": 1.0, "note": "x" * 2000} for i in range(2000)]


def run_fields(round_id: int, team_id: int, key: str, **changes) -> dict:
    """A scored run's columns, as the upload API stores them."""
    fields = dict(round_id=round_id, team_id=team_id, source="sim", trace_path=f"traces/{round_id}/{key}.jsonl",
                  score=87.5, success=True, time_s=41.25, outcome="finished",
                  breakdown=[{"id": "laps", "points": 75.0}, {"id": "time", "points": 12.5}],
                  explanation={"en": "3 laps, 41.25 s", "zh": "完成 3 圈，用时 41.25 秒"},
                  counts={"off-path": 2}, idempotency_key=key)
    return fields | changes


def stored(app) -> dict:
    """Everything stored about the competition's runs and teams, read afresh."""
    with app.app_context():
        session = db.session()
        runs = session.execute(select(Run.id, Run.round_id, Run.team_id, Run.score, Run.success, Run.time_s,
                                      Run.outcome, Run.breakdown, Run.explanation, Run.counts, Run.idempotency_key)
                               .order_by(Run.id)).all()
        teams = session.scalars(select(Team.name).order_by(Team.name)).all()
        return {"runs": [tuple(row) for row in runs], "teams": list(teams)}


@pytest.fixture
def heat(app):
    """A round with two teams, and one run of Ants already stored: the earlier result."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="District cup")
        round_ = Round(competition=competition, challenge_id="line-follow", pack_hash="ab" * 32, title="Heat 1")
        ants, bees = (Team(competition=competition, name=name, school="No. 1 Primary") for name in ("Ants", "Bees"))
        session.add_all([round_, ants, bees])
        session.flush()
        session.add(Run(**run_fields(round_.id, ants.id, "tablet-1-run-1")))
        session.commit()
        return SimpleNamespace(competition_id=competition.id, round_id=round_.id, ants=ants.id, bees=bees.id)


def assert_retry_is_stored(app, heat, before):
    """The upload that failed, sent again with its key, is stored (nothing holds the key)."""
    with app.app_context():
        session = db.session()
        session.add(Run(**run_fields(heat.round_id, heat.bees, "tablet-2-run-1", score=64.0)))
        session.commit()
    after = stored(app)
    assert after["runs"][:-1] == before["runs"] and after["teams"] == before["teams"]
    assert after["runs"][-1][2:4] == (heat.bees, 64.0)


class RefereeTabletError(Exception):
    """Stands for any error in the judge after the run's rows were written."""


def fail_with_an_error(session, heat):
    session.add(Run(**run_fields(heat.round_id, heat.bees, "tablet-2-run-1")))
    session.flush()
    raise RefereeTabletError("the scoring failed after the run was written")


def fail_on_a_constraint(session, heat):
    # The first run is written; the second repeats Ants's stored key, which the database refuses.
    session.add(Run(**run_fields(heat.round_id, heat.bees, "tablet-2-run-1")))
    session.flush()
    session.add(Run(**run_fields(heat.round_id, heat.ants, "tablet-1-run-1")))
    session.flush()


@pytest.mark.parametrize("fail, error", [(fail_with_an_error, RefereeTabletError),
                                         (fail_on_a_constraint, IntegrityError)], ids=["error", "constraint"])
def test_a_transaction_that_fails_half_way_leaves_no_trace(app, heat, fail, error):
    before = stored(app)
    with app.app_context():
        session = db.session()
        with pytest.raises(error):
            with session.begin():          # rolled back when the block raises, as the API's rollback does
                session.add(Team(competition_id=heat.competition_id, name="Cats", school="No. 2 Primary"))
                fail(session, heat)
    assert stored(app) == before
    assert_retry_is_stored(app, heat, before)


def test_a_process_that_dies_before_the_commit_leaves_no_trace(app, heat):
    before = stored(app)
    url = app.config["DATABASE_URL"]
    db.dispose(app)                        # only the child has the database open when it dies
    fields = run_fields(heat.round_id, heat.bees, "tablet-2-run-1", breakdown=BIG_BREAKDOWN)
    child = subprocess.run([sys.executable, "-c", CRASH_BEFORE_COMMIT, app.instance_path, url,
                            str(heat.competition_id)], input=json.dumps(fields), capture_output=True, text=True)
    assert (child.returncode, child.stdout) == (70, "written\n"), child.stderr

    # Opened again, as the judge restarted after the crash would open it.
    again = create_app({"TESTING": True, "INSTANCE_PATH": app.instance_path, "DATABASE_URL": url})
    try:
        assert stored(again) == before
        with again.app_context():
            session = db.session()
            assert session.scalar(select(func.count()).select_from(Run).where(Run.team_id == heat.bees)) == 0
            if session.get_bind().dialect.name == "sqlite":
                assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        assert_retry_is_stored(again, heat, before)
    finally:
        db.dispose(again)
