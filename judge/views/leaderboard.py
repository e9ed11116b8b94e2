"""A round's page: its leaderboard (server-rendered, no assets from the internet, in the
reader's language) and, for those who may, the forms to submit a run to it: a trace
recorded by ``roboarena sim``/``run``, or a program for the server to run."""

from __future__ import annotations


from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy import select

from roboarena.judge import db
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import ingest_trace, submit_program
from roboarena.judge.models import Round, Run, Team
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may, my_teams
from roboarena.judge.standings import kept_for_visitors, key_label, public_standings, read_mark
from roboarena.judge.views.auth import login_required

bp = Blueprint("leaderboard", __name__)

RECENT_RUNS = 20


def _round(round_id: int) -> Round:
    round_ = db.session().get(Round, round_id)
    if round_ is None:
        abort(404)
    return round_


def ranking_summary(challenge, lang: str) -> str:
    mode = t(f"judge.mode.{challenge.ranking_mode}", count=challenge.ranking_count)
    return t("judge.page.ranking", challenge=challenge.title.get(lang, challenge.id), mode=mode,
             order=", ".join(key_label(item, lang) for item in challenge.tie_break))


# Pages kept for visitors who are not signed in (the many phones and projectors): only these
# query strings, so a crawler's made-up ones cannot fill the memory.
SHARED_PAGE_QUERIES = (b"", b"lang=en", b"lang=zh")


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    """The round's page. For a visitor who is not signed in (and has no message waiting) it
    depends on nothing but the round, the standings, the language and the address: it is
    rendered once per version of the standings and kept, sent again without a database query
    while it is current (``standings.kept_for_visitors``); it carries no CSRF token, so it
    makes no session. A template change that shows anything else that varies by request must
    go into ``kept_for`` in ``_kept_page``."""
    lang = language()
    if g.user is not None or session.get("_flashes") or request.query_string not in SHARED_PAGE_QUERIES:
        return render_template("leaderboard.html", **_page_context(round_id, lang))
    slot = (round_id, lang, request.full_path)
    pages = current_app.extensions.setdefault("roboarena.shared_round_pages", {})

    def make() -> _KeptPage:
        mark = read_mark()
        return _kept_page(mark, _page_context(round_id, lang), pages.get(slot))

    kept = kept_for_visitors("roboarena.shared_round_pages", slot, make)
    return current_app.response_class(kept.html, mimetype="text/html")


def _page_context(round_id: int, lang: str) -> dict:
    """What the page shows the person asking."""
    round_ = _round(round_id)
    challenge = pinned_challenge(round_)
    rows, frozen = public_standings(challenge, round_)
    teams = my_teams(g.user, round_.competition_id) if g.user is not None else []
    mine = {team.id for team in teams}
    sees_every_run = may("run.referee", round_.competition_id)
    recent = []
    if mine or sees_every_run:      # else no recent run is theirs to see: none is loaded
        recent = db.session().scalars(select(Run).where(Run.round_id == round_id).order_by(Run.id.desc())
                                      .limit(RECENT_RUNS)).all()
        recent = [run for run in recent if run.team_id in mine or sees_every_run]
    return {"lang": lang, "round": round_, "challenge": challenge, "summary": ranking_summary(challenge, lang),
            "rows": rows, "frozen": frozen, "teams": teams, "recent": recent}


class _KeptPage:
    __slots__ = ("mark", "rows", "kept_for", "html")

    def __init__(self, mark, rows, kept_for, html):
        self.mark, self.rows, self.kept_for, self.html = mark, rows, kept_for, html


def _kept_page(mark, context: dict, last: _KeptPage | None) -> _KeptPage:
    """The page for visitors who are not signed in, as UTF-8 (sent as bytes: a page with
    Chinese in it is slow to encode on every request); the last one's again if nothing it
    shows has changed."""
    round_ = context["round"]
    kept_for = (context["frozen"], context["challenge"].content_hash,
                tuple(getattr(round_, column.key) for column in Round.__table__.columns))
    # The cached standings are the same list until they change: its identity is their version.
    if last is not None and last.rows is context["rows"] and last.kept_for == kept_for:
        return _KeptPage(mark, last.rows, kept_for, last.html)
    html = render_template("leaderboard.html", **context)
    return _KeptPage(mark, context["rows"], kept_for, html.encode())


@bp.post("/rounds/<int:round_id>/submit")
@login_required
def submit(round_id: int):
    round_ = _round(round_id)
    team = db.session().get(Team, request.form.get("team_id", type=int) or 0)
    if team is None or team.competition_id != round_.competition_id:
        abort(404)
    if not may("run.submit", round_.competition_id, team=team):
        abort(403)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(t("judge.error.no_trace"))
        return redirect(url_for("leaderboard.round_page", round_id=round_id))
    key = request.form.get("idempotency_key") or None     # the form's own: a double click sends it twice
    if upload.filename.endswith(".py"):
        run, _ = submit_program(round_, team, upload.read(), upload.filename, key, g.user)
    else:
        run, _, _ = ingest_trace(round_, team, upload.read(), upload.filename, key, g.user)
    flash(t("judge.round.submitted", team=team.name, run=run.id, status=t(f"judge.status.{run.status}")))
    return redirect(url_for("leaderboard.round_page", round_id=round_id))
