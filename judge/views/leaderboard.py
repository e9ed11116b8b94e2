"""A round's page: its leaderboard (server-rendered, no assets from the internet, in the
reader's language) and, for those who may, the forms to submit a run to it: a trace
recorded by ``roboarena sim``/``run``, or a program for the server to run."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import ingest_trace, submit_program
from roboarena.judge.models import Round, Run, Team
from roboarena.judge.permissions import may, my_teams
from roboarena.judge.standings import key_label, public_standings
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


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = _round(round_id)
    lang = language()
    challenge = load_challenge(round_.challenge_id)
    rows, frozen = public_standings(challenge, round_)
    teams = my_teams(g.user, round_.competition_id) if g.user is not None else []
    mine = {team.id for team in teams}
    recent = db.session().scalars(select(Run).where(Run.round_id == round_id).order_by(Run.id.desc())
                                  .limit(RECENT_RUNS)).all()
    recent = [run for run in recent if run.team_id in mine or may("run.referee", round_.competition_id)]
    return render_template("leaderboard.html", lang=lang, round=round_, summary=ranking_summary(challenge, lang),
                           rows=rows, frozen=frozen, teams=teams, recent=recent)


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
