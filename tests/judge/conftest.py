"""The judge's tests run on both databases it supports: every test that asks for ``app``
(or ``client``) runs once on SQLite (``[sqlite]``, a file in the app's instance folder, the
default) and once on PostgreSQL (``[postgresql]``).

PostgreSQL is the server named by ``ROBOARENA_TEST_DATABASE_URL``; ``bash tools/test.sh``
starts one and sets it. Without it the PostgreSQL half is skipped, except in CI
(``CI`` set), where it fails: CI must test both. Each test gets a fresh, empty database
made by the migrations, as ``roboarena judge init`` makes it: a file of its own on SQLite,
a schema of its own on PostgreSQL (dropped afterwards), so tests never see each other's
rows and may run in parallel against one server.
"""

import contextlib
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from roboarena.judge import create_app, db
from roboarena.judge.cli_commands import upgrade

URL_VARIABLE = "ROBOARENA_TEST_DATABASE_URL"


@pytest.fixture(scope="session")
def postgres_server():
    """An engine on the test server (to make and drop schemas), or why there is none."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        yield None, f"{URL_VARIABLE} is not set"
        return
    try:
        # Through the judge's own URL handling, so a bare postgresql:// URL works here too.
        engine = create_engine(db.database_url(url), isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 10})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, ImportError) as exc:
        cause = getattr(exc, "orig", None) or exc
        reason = " ".join(str(cause).split())          # psycopg's messages span lines
        yield None, f"cannot connect to the server in {URL_VARIABLE} ({type(cause).__name__}: {reason})"
        return
    yield engine, None
    engine.dispose()


@contextlib.contextmanager
def fresh_database(backend: str, request, instance: Path):
    """The URL of a fresh, empty database for one test on ``backend``, removed afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{(instance / 'judge.db').as_posix()}"      # tmp_path is fresh already
        return
    engine, why_not = request.getfixturevalue("postgres_server")
    if engine is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the judge tests on PostgreSQL too, but {why_not}", pytrace=False)
        pytest.skip(f"PostgreSQL: {why_not}; `bash tools/test.sh` starts a server and sets it")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    # The schema is the connection's whole search path: the app's tables and Alembic's
    # version table are made in it, unqualified, as in a database of their own.
    url = make_url(os.environ[URL_VARIABLE]).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path):
    """A judge app on a fresh database brought to the newest schema by the migrations."""
    instance = tmp_path / "instance"
    instance.mkdir()
    with fresh_database(request.param, request, instance) as url:
        # Also in the instance's config.py, where a deployment names its database: then
        # `roboarena judge --instance ...` in a test works on this same database.
        (instance / "config.py").write_text(f"DATABASE_URL = {url!r}\n", encoding="utf-8")
        app = create_app({"TESTING": True, "INSTANCE_PATH": instance, "DATABASE_URL": url})
        upgrade(app)
        yield app
        db.dispose(app)


@pytest.fixture
def client(app):
    return app.test_client()


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="session")
def sim_trace(tmp_path_factory):
    """Real simulator runs, made once per session and shared by the judge's tests:
    ``sim_trace(seed=0, edits=SLOWER)`` is the path of the .jsonl.gz trace of the example line
    follower (``example=``, in ``challenge=``), with each (text, replacement) of ``edits``
    made to a copy first."""
    from roboarena.cli import main

    folder = tmp_path_factory.mktemp("sim-traces")
    made: dict = {}

    def make(seed: int = 0, edits=(), example: str = "line_follower.py", challenge: str = "line-follow") -> Path:
        key = (challenge, example, seed, tuple(edits))
        if key not in made:
            program = EXAMPLES / example
            if edits:
                source = program.read_text(encoding="utf-8")
                for old, new in edits:
                    assert old in source, f"{example} no longer holds {old!r}"
                    source = source.replace(old, new)
                program = folder / f"{Path(example).stem}_{len(made)}.py"
                program.write_text(source, encoding="utf-8")
            trace = folder / f"run{len(made)}.jsonl.gz"
            assert main(["sim", challenge, str(program), "--headless", "--seed", str(seed), "--trace", str(trace),
                         "--json"]) == 0
            made[key] = trace
        return made[key]

    return make
