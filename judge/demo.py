"""``roboarena demo``: the whole judging loop on embedded defaults, in one command.

It makes a demo judge in a fresh folder by the same path as ``roboarena judge init`` (the
app factory, the migrations, an admin with a generated password), opens a competition
with one round per built-in challenge that has an example program, and enters three
teams: the example as shipped, a slower copy and a bolder copy. Every program is
submitted through the judge's own intake and run by its evaluator in the simulator, with
a progress bar; the leaderboards are printed, then served on this computer until Ctrl+C.

The folder is ``~/.roboarena/demo`` unless ``--instance`` names another. It is emptied
and refilled on every run, so it holds a marker file: a folder without one that is not
empty is never cleared (someone's data may be in it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import roboarena.judge.texts  # noqa: F401 - the demo's texts join the catalog before any app is made
from roboarena.errors import RoboarenaError
from roboarena.messages import current_language, render

EXIT_OK, EXIT_FAILURE = 0, 1
HOST = "127.0.0.1"             # this computer only: a demo has a throwaway admin password
DEFAULT_PORT = 8080
ADMIN = "admin"
MARKER = ".roboarena-demo"     # "this folder was made by the demo": it may be cleared

# The built-in challenges with an example program written for them: one round each. Sumo
# is a bout; the judge's evaluator runs it against the pack's sparring partner.
EXAMPLE_ROUNDS = [("line-follow", "line_follower.py"), ("rescue-line", "rescue_line.py"), ("maze", "wall_follower.py"),
                  ("lane-keeping", "lane_keeper.py"), ("parking", "parking.py"), ("sumo", "sumo_pusher.py")]

# What each team enters: the round's example with these (text, replacement) edits, the first
# constants a student would try. The slower copy scores lower everywhere; the bolder one
# wins some rounds and loses others (in the maze it follows the right-hand wall, the long
# way round; in sumo it sees its opponent late), so the leaderboards differ.
TEAM_EDITS = {
    "stock": {},
    "slow": {"line-follow": [("SPEED = 250", "SPEED = 180")], "rescue-line": [("SPEED = 200", "SPEED = 140")],
             "maze": [("SPEED = 400", "SPEED = 250")], "lane-keeping": [("SPEED = 400", "SPEED = 280")],
             "parking": [("LANE_SPEED = 350", "LANE_SPEED = 200")],
             "sumo": [("robot.drive(robot.max_speed, 0)", "robot.drive(150, 0)")]},
    "bold": {"line-follow": [("SPEED = 250", "SPEED = 350")], "rescue-line": [("SPEED = 200", "SPEED = 300")],
             "maze": [('HAND = "left"', 'HAND = "right"')], "lane-keeping": [("SPEED = 400", "SPEED = 500")],
             "parking": [("LANE_SPEED = 350", "LANE_SPEED = 500")], "sumo": [("SEE_MM = 600", "SEE_MM = 100")]},
}


class DemoError(RoboarenaError, ValueError):
    """The demo was asked for something it cannot do (a folder it must not clear, a bad port)."""


@dataclass
class Entry:
    """One team's program in one round, and what became of it."""
    round_number: int
    challenge: str
    team_key: str
    team: str
    example: str
    edits: list[tuple[str, str]]
    run_id: int | None = None
    failure: str | None = None           # why it was not scored, in the user's language

    def program_label(self, lang: str) -> str:
        changed = ", ".join(new for _, new in self.edits) or render("demo.as_shipped", lang)
        return f"{self.example}: {changed}"

    def source(self) -> str:
        """The example's text with this team's edits (refused if the example has moved on)."""
        text = example_path(self.example).read_text(encoding="utf-8")
        for old, new in self.edits:
            if old not in text:
                raise DemoError("demo.variant_stale", old=old, program=self.example)
            text = text.replace(old, new)
        return text


def example_path(name: str) -> Path:
    """An example program shipped with roboarena."""
    from importlib.resources import files

    return Path(str(files("roboarena.examples") / name))


def default_instance() -> Path:
    return Path.home() / ".roboarena" / "demo"


# --- the demo judge ----------------------------------------------------------------------------

def fresh_folder(path: Path):
    """Empty ``path`` for a new demo judge, if it is the demo's own (or new, or empty)."""
    if path.exists() and not path.is_dir():
        raise DemoError("demo.error.not_a_folder", path=str(path))
    if path.is_dir() and any(path.iterdir()):
        if not (path / MARKER).exists():
            raise DemoError("demo.error.not_demo_folder", path=str(path))
        shutil.rmtree(path)          # OSError (a server still holding it on Windows) is the caller's
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("Made by `roboarena demo`, which clears this folder on every run.\n", encoding="utf-8")


def open_app(instance: Path):
    """The demo judge's app on the SQLite database in ``instance``, whatever the environment
    names: a ROBOARENA_JUDGE_DATABASE_URL meant for a real judge must not receive the demo."""
    from roboarena.judge import create_app

    return create_app({"INSTANCE_PATH": instance, "DATABASE_URL": f"sqlite:///{(instance / 'judge.db').as_posix()}",
                       "EVALUATE_INLINE": True})       # the demo waits for each program in turn


def make_judge(instance: Path):
    """A new demo judge in ``instance``: (app, the admin's password)."""
    from roboarena.judge import db
    from roboarena.judge.cli_commands import upgrade
    from roboarena.judge.models import User

    app = open_app(instance)
    upgrade(app)
    password = secrets.token_urlsafe(12)
    with app.app_context():
        admin = User(username=ADMIN, role="admin")
        admin.set_password(password)
        session = db.session()
        session.add(admin)
        session.commit()
    return app, password


def enter_teams(lang: str) -> tuple[int, list[Entry]]:
    """The demo competition, its rounds and teams (as the admin, in the audit log): the
    competition's id and one entry per team and round. Needs the app's context."""
    from flask import g
    from sqlalchemy import select

    from roboarena.challenges.pack import load_challenge
    from roboarena.judge import audit, db
    from roboarena.judge.models import Competition, Round, Team, User

    session = db.session()
    g.user = session.scalars(select(User).where(User.username == ADMIN)).one()
    competition = Competition(name=render("demo.competition", lang))
    session.add(competition)
    session.flush()
    audit.record("competition.create", f"competition {competition.id}", None, {"name": competition.name},
                 competition.id)
    school = render("demo.school", lang)
    names = {key: render(f"demo.team.{key}", lang) for key in TEAM_EDITS}
    for name in names.values():
        team = Team(competition=competition, name=name, school=school)
        session.add(team)
        session.flush()
        audit.record("team.create", f"team {team.id}", None, {"name": name, "school": school}, competition.id)
    entries = []
    for number, (challenge_id, example) in enumerate(EXAMPLE_ROUNDS, start=1):
        challenge = load_challenge(challenge_id)
        round_ = Round(competition=competition, challenge_id=challenge.id, pack_hash=challenge.content_hash,
                       title=challenge.title.get(lang, challenge.id))
        session.add(round_)
        session.flush()
        audit.record("round.create", f"round {round_.id}", None,
                     {"title": round_.title, "challenge": challenge.id, "pack_hash": challenge.content_hash},
                     competition.id)
        entries += [Entry(number, challenge_id, key, names[key], example, edits.get(challenge_id, []))
                    for key, edits in TEAM_EDITS.items()]
    session.commit()
    return competition.id, entries


def run_entry(entry: Entry, competition_id: int, lang: str):
    """Submit the entry's program as its team would, and let the judge's evaluator run and
    score it (inline). A program that cannot be scored is recorded with the reason."""
    from sqlalchemy import select

    from roboarena.judge import db
    from roboarena.judge.ingest import Refusal, submit_program
    from roboarena.judge.models import Round, Run, Team, User

    session = db.session()
    try:
        rounds = session.scalars(select(Round).where(Round.competition_id == competition_id)
                                 .order_by(Round.id)).all()
        team = session.scalars(select(Team).where(Team.competition_id == competition_id,
                                                  Team.name == entry.team)).one()
        admin = session.scalars(select(User).where(User.username == ADMIN)).one()
        run, _ = submit_program(rounds[entry.round_number - 1], team, entry.source().encode("utf-8"), entry.example,
                                None, admin)
        entry.run_id = run.id
        run = session.get(Run, run.id)
        if run.status != "scored":
            entry.failure = failure_reason(run.explanation, lang) or render(f"judge.status.{run.status}", lang)
    except RoboarenaError as exc:
        entry.failure = exc.text(lang)
    except Refusal as exc:
        entry.failure = render(exc.message_id, lang, **exc.fields)
    except Exception as exc:  # noqa: BLE001 - one broken run must not stop the others; its reason is shown
        session.rollback()
        entry.failure = f"{type(exc).__name__}: {exc}"


def failure_reason(explanation: dict | None, lang: str) -> str:
    """The evaluator's reason in ``lang``: it stores a message id when it has one."""
    from roboarena.messages import CATALOG

    reason = (explanation or {}).get(lang) or ""
    if reason in CATALOG:
        return render(reason, lang)
    if "Traceback (most recent call last)" in reason:
        # The end of a crashed child's stderr: its last line names the error; the frames help no coach.
        return reason.strip().splitlines()[-1]
    return reason


def run_all(entries: list[Entry], competition_id: int, lang: str, console, show_progress: bool):
    """Every entry through the judge, one progress step per program."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=not show_progress) as progress:
        task = progress.add_task("", total=len(entries))
        for entry in entries:
            progress.update(task, description=render("demo.progress", lang, team=entry.team, challenge=entry.challenge))
            run_entry(entry, competition_id, lang)
            if entry.failure and show_progress:
                progress.console.print(render("demo.run_failed", lang, team=entry.team, challenge=entry.challenge,
                                              reason=entry.failure), style="red", markup=False)
            progress.advance(task)


# --- the leaderboards --------------------------------------------------------------------------

def leaderboards(competition_id: int) -> list[dict]:
    """Each round's standings as the judge computes them: {round, challenge, title, rows}."""
    from sqlalchemy import select

    from roboarena.challenges.pack import load_challenge
    from roboarena.judge import db
    from roboarena.judge.models import Round
    from roboarena.judge.standings import standings

    session = db.session()
    session.expire_all()          # the evaluator changed the runs: read them as stored
    boards = []
    for round_ in session.scalars(select(Round).where(Round.competition_id == competition_id).order_by(Round.id)):
        challenge = load_challenge(round_.challenge_id)
        boards.append({"round": round_.id, "challenge": round_.challenge_id, "title": round_.title,
                       "ranking_mode": challenge.ranking_mode, "tie_break": list(challenge.tie_break),
                       "rows": standings(challenge, round_)})
    return boards


def print_leaderboards(console, boards: list[dict], entries: list[Entry], lang: str):
    from rich.table import Table

    for number, board in enumerate(boards, start=1):
        table = Table(title=render("demo.board_title", lang, number=number, title=board["title"],
                                   challenge=board["challenge"]), title_justify="left")
        table.add_column(render("judge.col.rank", lang), justify="right")
        table.add_column(render("judge.col.team", lang))
        table.add_column(render("judge.col.score", lang), justify="right")
        table.add_column(render("judge.col.time", lang), justify="right")
        table.add_column(render("demo.table.program", lang))
        table.add_column(render("judge.col.tie", lang))
        mine = [entry for entry in entries if entry.round_number == number]
        labels = {entry.team: entry.program_label(lang) for entry in mine}
        for row in board["rows"]:
            note = row["tie_break"]["explanation"][lang] if row["tie_break"] else ""
            time_s = f"{row['time_s']:.2f}" if row["time_s"] is not None else "-"
            table.add_row(str(row["rank"]), row["team"], str(row["score"]), time_s, labels.get(row["team"], ""), note)
        for entry in mine:
            if entry.failure:
                # The first line: the whole reason was printed as the run failed.
                table.add_row("-", entry.team, "-", "-", labels[entry.team],
                              render("demo.failed_row", lang, reason=entry.failure.splitlines()[0]), style="red")
        console.print(table)
        console.print()


def results(instance: Path, competition_id: int, password: str, boards: list[dict], entries: list[Entry],
            lang: str) -> dict:
    """Everything the demo did, as the one JSON object ``--json`` prints."""
    from roboarena.judge import db
    from roboarena.judge.models import Run

    session = db.session()
    runs = []
    for entry in entries:
        run = session.get(Run, entry.run_id) if entry.run_id else None
        runs.append({"run": entry.run_id, "round": boards[entry.round_number - 1]["round"],
                     "challenge": entry.challenge, "team": entry.team, "program": entry.example,
                     "changes": [new for _, new in entry.edits], "status": run.status if run else "failed",
                     "score": run.score if run else None, "success": run.success if run else None,
                     "time_s": run.time_s if run else None, "outcome": run.outcome if run else None,
                     "error": entry.failure})
    return {"instance": str(instance), "competition": {"id": competition_id, "name": render("demo.competition", lang)},
            "admin": {"username": ADMIN, "password": password},
            "rounds": [{key: board[key] for key in ("round", "challenge", "title", "ranking_mode", "tie_break")}
                       | {"leaderboard": board["rows"]} for board in boards],
            "runs": runs, "failed": sum(1 for entry in entries if entry.failure)}


# --- serving -----------------------------------------------------------------------------------

def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        if os.name == "posix":
            # As waitress binds: a port left in TIME_WAIT by the last demo is free to take again.
            # (On Windows the same option would let a bind steal a port in use.)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


class DemoServer:
    """The demo judge served by waitress at ``host``, on ``port`` if it is free and on a free
    one chosen by the system otherwise; ``serve_until_stopped`` returns on Ctrl+C or once
    another thread calls ``stop``."""

    def __init__(self, app, port: int = DEFAULT_PORT, host: str = HOST):
        import waitress

        from roboarena.judge.cli_commands import serve_threads

        self.app, self.host, self.wanted_port = app, host, port
        self._stopping = threading.Event()
        # waitress's socket map for this server alone, so the loop below can poll it.
        self._sockets: dict = {}
        chosen = port if port == 0 or port_is_free(host, port) else 0
        self._server = waitress.create_server(app, map=self._sockets, host=host, port=chosen,
                                              threads=serve_threads(app))
        self.port = int(self._server.effective_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moved(self) -> bool:
        """Whether the port asked for was in use and another was taken."""
        return self.wanted_port not in (0, self.port)

    def serve_until_stopped(self):
        from waitress import wasyncore

        try:
            while not self._stopping.is_set():
                # Short polls, so a stop() from another thread is seen within half a second.
                wasyncore.loop(timeout=0.5, map=self._sockets, count=1)
        except KeyboardInterrupt:
            pass
        finally:
            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._sockets)

    def stop(self):
        self._stopping.set()


def addresses(app, server: DemoServer, boards: list[dict], competition_id: int, lang: str) -> list[str]:
    """The lines that say where to look: the competition, each leaderboard, the admin sign-in."""
    from flask import url_for

    with app.test_request_context(base_url=server.url):
        lines = [render("demo.link.competition", lang,
                        url=url_for("site.competition", competition_id=competition_id, lang=lang, _external=True))]
        lines += [render("demo.link.round", lang, title=board["title"],
                         url=url_for("leaderboard.round_page", round_id=board["round"], lang=lang, _external=True))
                  for board in boards]
        lines.append(render("demo.link.login", lang, url=url_for("auth.login", lang=lang, _external=True),
                            username=ADMIN))
    return lines


def serve(server: DemoServer, boards: list[dict], competition_id: int, instance: Path, console, lang: str):
    """Print where the demo judge is, serve it until Ctrl+C (or ``server.stop()``), and say
    it stopped."""
    from roboarena.judge import evaluate

    app = server.app
    # A program a visitor submits now waits in the judge's queue, as on a real judge.
    app.config["EVALUATE_INLINE"] = False
    if server.moved:
        console.print(render("demo.port_moved", lang, wanted=server.wanted_port, port=server.port), markup=False)
    console.print(render("demo.serving", lang, url=server.url), style="bold", markup=False)
    for line in addresses(app, server, boards, competition_id, lang):
        console.print(f"  {line}", markup=False)
    try:
        server.serve_until_stopped()
    finally:
        app.extensions[evaluate.EXTENSION].shutdown(wait=False, cancel_futures=True)
        console.print(render("demo.stopped", lang, path=str(instance)), markup=False)


# --- the command -------------------------------------------------------------------------------

def run_demo(args, console, progress_console) -> int:
    """``roboarena demo [--json] [--no-serve] [--instance DIR] [--port N]``."""
    from roboarena.judge import db

    lang = current_language()
    if not 0 <= args.port <= 65535:
        raise DemoError("demo.error.bad_port", port=args.port)
    instance = Path(args.instance).expanduser().resolve() if args.instance else default_instance()
    try:
        fresh_folder(instance)
    except OSError as exc:
        console.print(render("demo.error.cannot_clear", lang, path=str(instance), reason=exc.strerror or exc),
                      markup=False)
        return EXIT_FAILURE
    started = time.monotonic()
    app, password = make_judge(instance)
    with app.app_context():
        competition_id, entries = enter_teams(lang)
        if not args.json:
            console.print(render("demo.instance", lang, path=str(instance)), markup=False)
            console.print(render("demo.admin", lang, username=ADMIN, password=password), style="bold", markup=False)
            console.print(render("demo.teams", lang, **{key: render(f"demo.team.{key}", lang) for key in TEAM_EDITS}),
                          markup=False)
        run_all(entries, competition_id, lang, progress_console, show_progress=not args.json)
        boards = leaderboards(competition_id)
        failed = sum(1 for entry in entries if entry.failure)
        if args.json:
            print(json.dumps(results(instance, competition_id, password, boards, entries, lang), ensure_ascii=False))
            db.dispose(app)
            return EXIT_FAILURE if failed else EXIT_OK
    console.print()
    print_leaderboards(console, boards, entries, lang)
    console.print(render("demo.summary", lang, scored=len(entries) - failed, total=len(entries),
                         seconds=time.monotonic() - started), markup=False)
    if failed:
        console.print(render("demo.summary_failed", lang, failed=failed, total=len(entries)), style="red",
                      markup=False)
    if args.no_serve:
        console.print(render("demo.not_serving", lang, path=str(instance)), markup=False)
    else:
        try:
            server = DemoServer(app, args.port)
        except OSError as exc:
            console.print(render("demo.error.cannot_serve", lang, host=HOST, reason=exc.strerror or exc), markup=False)
            db.dispose(app)
            return EXIT_FAILURE
        serve(server, boards, competition_id, instance, console, lang)
    db.dispose(app)
    return EXIT_FAILURE if failed else EXIT_OK
