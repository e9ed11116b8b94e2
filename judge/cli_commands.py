"""``roboarena judge init|serve|token``: make or upgrade the database, serve the app,
issue API tokens. Secrets (the first admin's password, a token) are printed once and
stored only as hashes."""

from __future__ import annotations

import gc
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from roboarena.messages import render

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def alembic_config(app: Flask):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    # configparser interpolates '%': a URL with an escaped password must survive it.
    config.set_main_option("sqlalchemy.url", app.config["DATABASE_URL"].replace("%", "%%"))
    return config


def upgrade(app: Flask):
    """Bring the app's database to the newest schema (what ``judge init`` does first)."""
    from alembic import command

    command.upgrade(alembic_config(app), "head")


def _app(args) -> Flask:
    from roboarena.judge import create_app

    return create_app({"INSTANCE_PATH": args.instance} if getattr(args, "instance", None) else None)


def cmd_init(args) -> int:
    from roboarena.judge import db
    from roboarena.judge.models import User

    app = _app(args)
    upgrade(app)
    print(render("judge.init.migrated", url=app.config["DATABASE_URL"]))
    with app.app_context():
        session = db.session()
        admin = session.scalars(select(User).where(User.role == "admin")).first()
        if admin is not None:
            print(render("judge.init.admin_exists", username=admin.username))
            return EXIT_OK
        password = secrets.token_urlsafe(12)
        user = User(username=args.admin, role="admin")
        user.set_password(password)
        session.add(user)
        session.commit()
    print(render("judge.init.admin_created", username=args.admin, password=password))
    return EXIT_OK


def cmd_token(args) -> int:
    from roboarena.judge import db
    from roboarena.judge.models import ApiToken, User

    app = _app(args)
    with app.app_context():
        session = db.session()
        user = session.scalars(select(User).where(User.username == args.user)).first()
        if user is None:
            names = ", ".join(session.scalars(select(User.username).order_by(User.username))) or "-"
            print(render("judge.token.no_user", user=args.user, users=names))
            return EXIT_BAD_INPUT
        token_row, token = ApiToken.issue(user)
        session.add(token_row)
        session.commit()
    print(render("judge.token.created", user=args.user, token=token))
    return EXIT_OK


def cmd_serve(args) -> int:
    import waitress

    from roboarena.judge import evaluate

    app = _app(args)
    threads = serve_threads(app)
    evaluate.requeue_pending(app)         # programs a stopped server left waiting are run now
    # Everything loaded so far lives as long as the server: kept out of the garbage
    # collector's full passes, which otherwise stall requests now and then.
    gc.collect()
    gc.freeze()
    print(render("judge.serve.listening", url=f"http://{args.host}:{args.port}", instance=app.instance_path))
    waitress.serve(app, host=args.host, port=args.port, threads=threads)
    return EXIT_OK


def serve_threads(app: Flask) -> int:
    """Waitress's worker threads (``SERVE_THREADS``, default 16), and the projector streams
    they may hold: each open live stream keeps a thread, so at most half of them, leaving
    the rest for referees' sheets, uploads and pages."""
    threads = int(app.config.get("SERVE_THREADS", 16))
    app.config.setdefault("LIVE_MAX_STREAMS", max(1, threads // 2))
    return threads


def cmd_judge(args) -> int:
    return {"init": cmd_init, "serve": cmd_serve, "token": cmd_token}[args.action](args)
