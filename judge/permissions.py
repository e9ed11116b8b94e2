"""Who may do what: one table of actions and the roles allowed each, read by every view
(pages and API alike) and by the permission-matrix test.

A person's role is per competition (``Membership``); a user whose own role is "admin" is
admin everywhere; anyone else, signed in or not, is a "viewer". Coaches and team accounts
are further limited to their own teams: a coach to the teams of their school, a team
account to its one team.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from roboarena.judge import db
from roboarena.judge.models import Membership, Team, User

# action -> roles allowed. "viewer" in a set means everyone.
ACTIONS: dict[str, frozenset[str]] = {
    "competition.create": frozenset({"admin"}),
    "competition.manage": frozenset({"admin"}),        # rounds, accounts, settings
    "team.create": frozenset({"admin", "coach"}),
    "run.submit": frozenset({"admin", "coach", "referee", "team"}),
    "run.referee": frozenset({"admin", "referee"}),    # field runs, scoresheets
    "gate.post": frozenset({"admin", "referee"}),
    "appeal.file": frozenset({"admin", "coach", "team"}),
    "appeal.resolve": frozenset({"admin", "referee"}),
    "round.freeze": frozenset({"admin"}),
    "round.rescore": frozenset({"admin"}),
    "run.void": frozenset({"admin"}),
    "results.export": frozenset({"admin", "coach", "referee"}),
    "audit.view": frozenset({"admin"}),
    "leaderboard.view": frozenset({"admin", "coach", "referee", "team", "viewer"}),
    "run.view": frozenset({"admin", "coach", "referee", "team", "viewer"}),
}
# Actions on one team's behalf: coaches and team accounts only for their own teams.
TEAM_SCOPED = frozenset({"run.submit", "appeal.file", "team.create"})


def current_user() -> User | None:
    return getattr(g, "user", None)


def membership(user: User | None, competition_id: int) -> Membership | None:
    if user is None:
        return None
    return db.session().scalars(select(Membership).where(Membership.user_id == user.id,
                                                         Membership.competition_id == competition_id)).first()


def role_in(user: User | None, competition_id: int | None) -> str:
    """The user's role in a competition: admin, coach, referee, team or viewer."""
    if user is None:
        return "viewer"
    if user.role == "admin":
        return "admin"
    if competition_id is None:
        return "viewer"
    member = membership(user, competition_id)
    return member.role if member is not None else "viewer"


def may(action: str, competition_id: int | None = None, team: Team | None = None, school: str | None = None,
        user: User | None = None) -> bool:
    """Whether the user (the signed-in one by default) may do ``action`` in the competition,
    for ``team`` (or, creating one, for ``school``) when the action is on a team's behalf."""
    user = user if user is not None else current_user()
    role = role_in(user, competition_id)
    allowed = ACTIONS[action]
    if role not in allowed and "viewer" not in allowed:
        return False
    if action in TEAM_SCOPED and role in ("coach", "team"):
        member = membership(user, competition_id)
        if member is None:
            return False
        if role == "team":
            return action != "team.create" and team is not None and team.id == member.team_id
        wanted_school = team.school if team is not None else school
        return wanted_school is not None and wanted_school == member.school
    return True


def my_teams(user: User | None, competition_id: int) -> list[Team]:
    """The teams a user may act for in a competition (all of them for admins and referees)."""
    role = role_in(user, competition_id)
    query = select(Team).where(Team.competition_id == competition_id).order_by(Team.name)
    if role in ("admin", "referee"):
        return list(db.session().scalars(query))
    member = membership(user, competition_id)
    if member is None:
        return []
    if role == "coach":
        return list(db.session().scalars(query.where(Team.school == member.school)))
    if role == "team" and member.team_id is not None:
        return list(db.session().scalars(query.where(Team.id == member.team_id)))
    return []
