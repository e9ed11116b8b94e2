"""The leaderboard page a venue shows on a screen: server-rendered, no assets from the
internet, in the viewer's language (``?lang=zh|en``, else the browser's Accept-Language)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Round
from roboarena.judge.standings import key_label, round_standings
from roboarena.messages import LANGUAGES, render

bp = Blueprint("leaderboard", __name__)


def page_language() -> str:
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en")


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        abort(404)
    lang = page_language()
    challenge = load_challenge(round_.challenge_id)

    def text(message_id: str, **fields) -> str:
        return render(message_id, lang, **fields)

    mode = text(f"judge.mode.{challenge.ranking_mode}", count=challenge.ranking_count)
    summary = text("judge.page.ranking", challenge=challenge.title.get(lang, challenge.id), mode=mode,
                   order=", ".join(key_label(item, lang) for item in challenge.tie_break))
    return render_template("leaderboard.html", lang=lang, t=text, round=round_, summary=summary,
                           rows=round_standings(challenge, round_))
