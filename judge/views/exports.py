"""Results out of the judge: each round's final standings as a table for Excel (CSV in UTF-8
with a byte-order mark, headers in the reader's language) or as JSON; the certificates
(place and award of every ranked team in every round) as a CSV list for a mail merge and as
a page to print; and a page linking them all. ``?round=ID`` narrows any of them to one round.

These are the real standings, runs made while a leaderboard is frozen included, so only
those who may export results (admins, referees, coaches) get them.
"""

from __future__ import annotations

import csv
import functools
import io
from datetime import date

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date

from roboarena.errors import RoboarenaError
from roboarena.judge import db
from roboarena.judge.errors import api_error
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import Competition, Round
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may
from roboarena.judge.standings import standings
from roboarena.judge.timezones import utc
from roboarena.messages import render

bp = Blueprint("exports", __name__)

AWARDS = ("first", "second", "third")
DEFAULT_PRIZE_PLACES = (1, 2, 3)      # first prize to place 1, second to place 2, third to place 3
# Excel runs a cell starting with one of these as a formula: a team named "=HYPERLINK(...)"
# is written as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_view(view):
    """Only for those who may export results: a browser not signed in is sent to sign in
    first, a client whose token was refused gets the API's 401."""
    @functools.wraps(view)
    def wrapped(competition_id: int):
        if g.user is None:
            if getattr(g, "by_token", False):
                return api_error(401, "judge.error.bad_token")
            return redirect(url_for("auth.login", next=request.full_path))
        competition = db.session().get(Competition, competition_id)
        if competition is None:
            raise Refusal(404, "judge.exports.no_competition", competition_id=competition_id)
        if not may("results.export", competition_id):
            abort(403)
        return view(competition)
    return wrapped


def chosen_rounds(competition: Competition) -> list[Round]:
    """The competition's rounds in order, or the one named by ``?round=``."""
    rounds = sorted(competition.rounds, key=lambda round_: round_.id)
    asked = request.args.get("round", "").strip()
    if not asked:
        return rounds
    chosen = [round_ for round_ in rounds if str(round_.id) == asked]
    if not chosen:
        raise Refusal(404, "judge.exports.bad_round", value=asked,
                      choices=", ".join(f"{round_.id} ({round_.title})" for round_ in rounds) or "—")
    return chosen


def round_results(rounds: list[Round]) -> list[tuple[Round, object, list[dict]]]:
    """(round, challenge, final standings rows) for each round."""
    results = []
    for round_ in rounds:
        try:
            challenge = pinned_challenge(round_)
        except RoboarenaError as exc:
            raise Refusal(500, exc.message_id, **exc.fields) from None
        results.append((round_, challenge, standings(challenge, round_)))
    return results


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_download(header: list[str], rows: list[list], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    # The byte-order mark tells Excel the file is UTF-8; without it Excel on a Chinese
    # Windows reads it in GBK and every Chinese team name comes out garbled.
    response = Response(buffer.getvalue().encode("utf-8-sig"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"     # results change with every run
    return response


def _file_name(competition: Competition, what: str, extension: str) -> str:
    asked = request.args.get("round", "").strip()
    return f"competition-{competition.id}-{what}{f'-round-{asked}' if asked else ''}.{extension}"


@bp.get("/competitions/<int:competition_id>/exports")
@export_view
def page(competition: Competition):
    return render_template("exports.html", competition=competition,
                           rounds=sorted(competition.rounds, key=lambda round_: round_.id),
                           places=DEFAULT_PRIZE_PLACES)


@bp.get("/competitions/<int:competition_id>/results.csv")
@export_view
def results_csv(competition: Competition):
    lang = language()
    header = [t("judge.exports.col.round"), t("judge.col.rank"), t("judge.col.team"), t("judge.col.school"),
              t("judge.col.score"), t("judge.col.time"), t("judge.col.runs"), t("judge.exports.col.best_run"),
              t("judge.col.tie")]
    rows = [[round_.title, row["rank"], row["team"], row["school"], row["score"], row["time_s"], row["runs"],
             row["best_run"], row["tie_break"]["explanation"][lang] if row["tie_break"] else ""]
            for round_, _, table in round_results(chosen_rounds(competition)) for row in table]
    return csv_download(header, rows, _file_name(competition, "results", "csv"))


@bp.get("/competitions/<int:competition_id>/results.json")
@export_view
def results_json(competition: Competition):
    rounds = [{"round": round_.id, "title": round_.title, "challenge": round_.challenge_id,
               "pack_hash": f"sha256:{round_.pack_hash}", "ranking_mode": challenge.ranking_mode,
               "tie_break": list(challenge.tie_break),
               "frozen_at": utc(round_.frozen_at).isoformat() if round_.frozen_at else None, "rows": rows}
              for round_, challenge, rows in round_results(chosen_rounds(competition))]
    response = jsonify({"competition": {"id": competition.id, "name": competition.name}, "rounds": rounds})
    response.headers["Cache-Control"] = "no-store"
    return response


def prize_places() -> tuple[int, int, int]:
    """The last place that wins each prize, from ``?first=&second=&third=``."""
    raw = [request.args.get(award, str(default)).strip() for award, default in zip(AWARDS, DEFAULT_PRIZE_PLACES)]
    try:
        places = tuple(int(value) for value in raw)
    except ValueError:
        places = None
    if places is None or min(places) < 0 or not places[0] <= places[1] <= places[2]:
        raise Refusal(400, "judge.exports.bad_prizes", first=raw[0], second=raw[1], third=raw[2])
    return places


def award_for(rank: int, places: tuple[int, int, int]) -> str:
    return next((award for award, last in zip(AWARDS, places) if rank <= last), "participation")


def ordinal(rank: int, lang: str) -> str:
    if lang != "en":
        return str(rank)
    suffix = "th" if 10 <= rank % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


def certificates(results, places: tuple[int, int, int], lang: str) -> list[dict]:
    """One certificate per ranked team per round, in standings order."""
    entries = []
    for round_, challenge, rows in results:
        for row in rows:
            award = award_for(row["rank"], places)
            entries.append({"round": round_.title, "round_id": round_.id,
                            "challenge": challenge.title.get(lang, challenge.id), "team": row["team"],
                            "school": row["school"], "rank": row["rank"], "score": row["score"], "award": award,
                            "place": render("judge.exports.place", lang, ordinal=ordinal(row["rank"], lang)),
                            "award_text": render(f"judge.award.{award}", lang)})
    return entries


@bp.get("/competitions/<int:competition_id>/certificates.csv")
@export_view
def certificates_csv(competition: Competition):
    lang = language()
    entries = certificates(round_results(chosen_rounds(competition)), prize_places(), lang)
    header = [t("judge.exports.col.competition"), t("judge.exports.col.round"), t("judge.exports.col.challenge"),
              t("judge.col.team"), t("judge.col.school"), t("judge.exports.col.place"), t("judge.col.score"),
              t("judge.exports.col.award")]
    rows = [[competition.name, entry["round"], entry["challenge"], entry["team"], entry["school"], entry["rank"],
             entry["score"], entry["award_text"]] for entry in entries]
    return csv_download(header, rows, _file_name(competition, "certificates", "csv"))


@bp.get("/competitions/<int:competition_id>/certificates")
@export_view
def certificates_page(competition: Competition):
    lang = language()
    results = round_results(chosen_rounds(competition))
    entries = certificates(results, prize_places(), lang)
    unranked = []
    for round_, _, rows in results:
        ranked = {row["team"] for row in rows}
        missing = sorted(team.name for team in competition.teams if team.name not in ranked)
        if missing:
            unranked.append((round_.title, missing))
    return render_template("certificates.html", competition=competition, entries=entries, unranked=unranked,
                           today=format_date(date.today(), "long"))
