"""The judging server: competitions, rounds and teams; runs uploaded as traces, scored by
the challenge pack pinned to their round; leaderboards as JSON and as pages.

A Flask application factory in the flaskr style: ``create_app(test_config=None)``, one
blueprint per feature in ``views/``, the database as an extension (``db.init_app``).
Configuration is layered: defaults, then ``config.py`` in the instance folder, then
``ROBOARENA_JUDGE_*`` environment variables, then ``test_config``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

MAX_UPLOAD_MB = 20


def default_instance_path() -> Path:
    """Where the judge keeps its database, secret key and traces, unless told otherwise."""
    chosen = os.environ.get("ROBOARENA_JUDGE_INSTANCE_PATH")
    return Path(chosen) if chosen else Path.home() / ".roboarena" / "judge"


def create_app(test_config: dict | None = None) -> Flask:
    test_config = dict(test_config or {})
    instance = Path(test_config.pop("INSTANCE_PATH", None) or default_instance_path()).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{(instance / 'judge.db').as_posix()}",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_MB * 1024 * 1024,
        TRACE_FOLDER="traces",            # under the instance folder
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ROBOARENA_JUDGE")
    app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _stored_secret_key(instance)

    from roboarena.judge import db
    from roboarena.judge.views import api, leaderboard, setup

    db.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(leaderboard.bp)
    app.register_blueprint(setup.bp)
    return app


def _stored_secret_key(instance: Path) -> str:
    """Made on the first run and kept, so sessions survive a restart of the server."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_hex(32)
    path.write_text(key, encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:        # not every file system keeps POSIX modes (Windows)
        pass
    return key
