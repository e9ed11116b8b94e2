"""The judging server: competitions, rounds and teams; runs uploaded as traces, submitted
as programs, or scored by referees on the field, all scored by the challenge pack pinned to
their round; leaderboards as JSON and as pages, in Chinese and English.

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
from werkzeug.routing import IntegerConverter

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
        PROGRAM_FOLDER="programs",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,     # checked in auth.load_user, for cookie-borne requests only
        WTF_CSRF_TIME_LIMIT=None,         # a form left open on a tablet all afternoon still posts
        RATELIMIT_HEADERS_ENABLED=True,
        EVALUATE_INLINE=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("ROBOARENA_JUDGE")
    app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _stored_secret_key(instance)

    from roboarena.judge import db, errors, evaluate, i18n, texts  # noqa: F401 - texts joins the catalog
    from roboarena.judge.extensions import csrf, limiter

    # Ids in addresses fit the id columns (32-bit on PostgreSQL): a larger one is no such
    # thing (404), not a database error.
    app.url_map.converters["int"] = BoundedInt
    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    evaluate.init_app(app)
    errors.init_app(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    return app


class BoundedInt(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        from roboarena.judge.models import MAX_INT

        kwargs.setdefault("max", MAX_INT)
        super().__init__(url_map, *args, **kwargs)


def _blueprints():
    """One blueprint per feature; each module in ``views/`` that has a ``bp``."""
    import importlib
    import pkgutil

    from roboarena.judge import views

    for module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        blueprint = getattr(importlib.import_module(f"{views.__name__}.{module.name}"), "bp", None)
        if blueprint is not None:
            yield blueprint


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
