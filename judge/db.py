"""The judge's database: one SQLAlchemy engine and scoped session per app, by URL.

SQLite (the embedded default, one file in the instance folder) runs in WAL mode with
foreign keys enforced, so the page readers never block a referee's upload; PostgreSQL
is the scale-up, chosen by ``DATABASE_URL`` alone. The schema is made by the Alembic
migrations in ``migrations/`` (``roboarena judge init``), never by ``create_all``.
"""

from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

EXTENSION = "roboarena_judge_db"


class Base(DeclarativeBase):
    pass


def database_url(url: str | URL) -> URL:
    """``url`` with a driver we install: a bare ``postgresql://`` (or Heroku-style
    ``postgres://``) URL would make SQLAlchemy look for psycopg2, which the ``postgres``
    extra does not bring; it brings psycopg 3."""
    url = make_url(url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def make_engine(url: str | URL) -> Engine:
    engine = create_engine(database_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def init_app(app: Flask):
    engine = make_engine(app.config["DATABASE_URL"])
    sessions = scoped_session(sessionmaker(bind=engine, expire_on_commit=False))
    app.extensions[EXTENSION] = sessions

    @app.teardown_appcontext
    def _end_session(_exc):
        sessions.remove()


def session() -> Session:
    """The current app's session (one per app context)."""
    return current_app.extensions[EXTENSION]()


def dispose(app: Flask):
    """Close the app's connections (tests on Windows cannot delete an open database)."""
    sessions = app.extensions[EXTENSION]
    sessions.remove()
    sessions.session_factory.kw["bind"].dispose()
