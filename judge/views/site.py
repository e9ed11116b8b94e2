"""The coach's pages: the competitions, one competition's rounds, teams and accounts, and
the forms that make them. Admins open competitions and rounds and make the accounts of
coaches, referees and teams (each with a generated password, shown once); coaches
register their school's teams. Every change lands in the audit log."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from roboarena.challenges.pack import builtin_ids, find_pack, load_challenge
from roboarena.judge import audit, db
from roboarena.judge.i18n import t
from roboarena.judge.models import MEMBER_ROLES, Competition, Membership, Round, Team, User
from roboarena.judge.packs import keep_pack
from roboarena.judge.permissions import may, membership, my_teams, role_in
from roboarena.judge.views.auth import login_required

bp = Blueprint("site", __name__)


def _field(name: str, limit: int = 200) -> str:
    return (request.form.get(name) or "").strip()[:limit]


def _competition(competition_id: int) -> Competition:
    competition = db.session().get(Competition, competition_id)
    if competition is None:
        abort(404)
    return competition


@bp.get("/")
def home():
    competitions = db.session().scalars(select(Competition).order_by(Competition.id.desc())).all()
    return render_template("home.html", competitions=competitions, can_create=may("competition.create"))


@bp.post("/competitions")
@login_required
def create_competition():
    if not may("competition.create"):
        abort(403)
    name = _field("name")
    if not name:
        flash(t("judge.site.need_name"))
        return redirect(url_for("site.home"))
    session = db.session()
    if session.scalars(select(Competition).where(Competition.name == name)).first():
        flash(t("judge.error.exists", what=name))
        return redirect(url_for("site.home"))
    competition = Competition(name=name)
    session.add(competition)
    session.flush()
    audit.record("competition.create", f"competition {competition.id}", None, {"name": name}, competition.id)
    session.commit()
    return redirect(url_for("site.competition", competition_id=competition.id))


@bp.get("/competitions/<int:competition_id>")
def competition(competition_id: int):
    competition = _competition(competition_id)
    session = db.session()
    role = role_in(g.user, competition_id)
    member = membership(g.user, competition_id)
    rounds = session.scalars(select(Round).where(Round.competition_id == competition_id).order_by(Round.id)).all()
    teams = session.scalars(select(Team).where(Team.competition_id == competition_id).order_by(Team.name)).all()
    accounts = []
    if may("competition.manage", competition_id):
        accounts = session.scalars(select(Membership).where(Membership.competition_id == competition_id)
                                   .order_by(Membership.role, Membership.id)).all()
    return render_template("competition.html", competition=competition, rounds=rounds, teams=teams, role=role,
                           member=member, accounts=accounts, packs=[load_challenge(pack_id) for pack_id in builtin_ids()],
                           can_manage=may("competition.manage", competition_id),
                           can_referee=may("run.referee", competition_id),
                           can_export=may("results.export", competition_id),
                           can_resolve=may("appeal.resolve", competition_id),
                           can_audit=may("audit.view", competition_id),
                           can_add_team=role in ("admin", "coach"), my_teams=my_teams(g.user, competition_id),
                           roles=MEMBER_ROLES)


@bp.post("/competitions/<int:competition_id>/rounds")
@login_required
def create_round(competition_id: int):
    competition = _competition(competition_id)
    if not may("competition.manage", competition_id):
        abort(403)
    challenge_id = _field("challenge", 100)
    if find_pack(challenge_id) is None:
        flash(t("judge.error.no_challenge", challenge=challenge_id))
        return redirect(url_for("site.competition", competition_id=competition_id))
    challenge = load_challenge(challenge_id)
    keep_pack(challenge)          # this version stays at hand when the installed pack changes
    round_ = Round(competition=competition, challenge_id=challenge.id, pack_hash=challenge.content_hash,
                   title=_field("title") or challenge.title.get("en", challenge.id))
    session = db.session()
    session.add(round_)
    session.flush()
    audit.record("round.create", f"round {round_.id}", None,
                 {"title": round_.title, "challenge": challenge.id, "pack_hash": challenge.content_hash}, competition_id)
    session.commit()
    return redirect(url_for("site.competition", competition_id=competition_id))


@bp.post("/competitions/<int:competition_id>/teams")
@login_required
def create_team(competition_id: int):
    competition = _competition(competition_id)
    member = membership(g.user, competition_id)
    # A coach registers teams of their own school only: the school is theirs, not typed.
    school = member.school if member is not None and member.role == "coach" else _field("school")
    if not may("team.create", competition_id, school=school):
        abort(403)
    name = _field("name")
    back = redirect(url_for("site.competition", competition_id=competition_id))
    if not name:
        flash(t("judge.site.need_name"))
        return back
    session = db.session()
    if session.scalars(select(Team).where(Team.competition_id == competition_id, Team.name == name)).first():
        flash(t("judge.error.exists", what=name))
        return back
    team = Team(competition=competition, name=name, school=school)
    session.add(team)
    session.flush()
    audit.record("team.create", f"team {team.id}", None, {"name": name, "school": school}, competition_id)
    session.commit()
    flash(t("judge.site.team_added", team=name))
    return back


@bp.post("/competitions/<int:competition_id>/accounts")
@login_required
def create_account(competition_id: int):
    _competition(competition_id)
    if not may("competition.manage", competition_id):
        abort(403)
    username, role = _field("username", 100), _field("role", 20)
    back = redirect(url_for("site.competition", competition_id=competition_id))
    session = db.session()
    if not username or role not in MEMBER_ROLES:
        flash(t("judge.site.need_account"))
        return back
    if session.scalars(select(User).where(User.username == username)).first():
        flash(t("judge.error.exists", what=username))
        return back
    team = None
    if role == "team":
        team = session.get(Team, request.form.get("team_id", type=int) or 0)
        if team is None or team.competition_id != competition_id:
            flash(t("judge.site.need_team"))
            return back
    password = secrets.token_urlsafe(9)
    user = User(username=username, role="member")
    user.set_password(password)
    session.add(Membership(user=user, competition_id=competition_id, role=role, team=team,
                           school=_field("school") if role == "coach" else ""))
    session.flush()
    audit.record("account.create", f"user {user.id}", None,
                 {"username": username, "role": role, "team": team.name if team else None}, competition_id)
    session.commit()
    # Shown once, on this page only: it is stored as a hash.
    return render_template("account_created.html", username=username, password=password, role=role,
                           competition_id=competition_id)
