"""What the judge stores: competitions, their rounds and teams, runs (scored, waiting to be
run, or on the field with a referee), referee scoresheets, timing-gate crossings, appeals,
the audit log, and the people (by role in each competition) and API tokens allowed to
change them. Teams carry a name and a school, never a student's personal data."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from roboarena.judge.db import Base

# A person's role in one competition; "admin" is also a user-wide role (every competition),
# "viewer" is anyone, signed in or not.
ROLES = ("admin", "coach", "referee", "team", "viewer")
MEMBER_ROLES = ("coach", "referee", "team")
# What a run is doing: scored and counted; waiting for the server to run its program;
# on the field with a referee (a scoresheet not yet in); void (an appeal or an admin struck it);
# failed (its program could not be run: the reason is in ``outcome``).
# The largest id, version or count a column holds: integer columns are 32-bit on PostgreSQL,
# so a larger number from a request is no such thing, never a database error.
MAX_INT = 2**31 - 1
RUN_STATES = ("scored", "pending", "on-field", "void", "failed")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Competition(Base):
    __tablename__ = "competition"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    rounds: Mapped[list[Round]] = relationship(back_populates="competition")
    teams: Mapped[list[Team]] = relationship(back_populates="competition")


class Round(Base):
    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"))
    challenge_id: Mapped[str] = mapped_column(String(100))
    pack_hash: Mapped[str] = mapped_column(String(64))     # sha256 hex: the rules version this round is judged by
    title: Mapped[str] = mapped_column(String(200))
    # Freeze: runs made after this time are kept from the public standings until the reveal.
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Reveal (awards): None = not revealing; n = the n lowest-placed teams are shown final.
    reveal_step: Mapped[int | None] = mapped_column(Integer)
    competition: Mapped[Competition] = relationship(back_populates="rounds")
    runs: Mapped[list[Run]] = relationship(back_populates="round")


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"))
    name: Mapped[str] = mapped_column(String(200))
    school: Mapped[str] = mapped_column(String(200), default="")
    competition: Mapped[Competition] = relationship(back_populates="teams")


class Run(Base):
    __tablename__ = "run"
    __table_args__ = (UniqueConstraint("team_id", "idempotency_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    source: Mapped[str] = mapped_column(String(20))          # sim | virtual-board | hardware | referee
    status: Mapped[str] = mapped_column(String(20), default="scored")   # one of RUN_STATES
    trace_path: Mapped[str | None] = mapped_column(String(500))         # relative to the instance folder
    program_path: Mapped[str | None] = mapped_column(String(500))       # a program run on the server
    pack_hash: Mapped[str | None] = mapped_column(String(64))           # the rules version it was scored by
    score: Mapped[float | None]
    success: Mapped[bool | None]
    time_s: Mapped[float | None]
    outcome: Mapped[str | None] = mapped_column(String(40))
    breakdown: Mapped[list | None] = mapped_column(JSON)
    explanation: Mapped[dict | None] = mapped_column(JSON)
    counts: Mapped[dict | None] = mapped_column(JSON)        # events by name: the fewer:/more: tie-breaks read them
    scoresheet: Mapped[dict | None] = mapped_column(JSON)    # the referee's accepted sheet, for a field run
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every change: two tablets cannot both win
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    round: Mapped[Round] = relationship(back_populates="runs")
    team: Mapped[Team] = relationship()
    submitted_by: Mapped[User | None] = relationship()

    @property
    def counted(self) -> bool:
        """Whether the run takes part in the standings."""
        return self.status == "scored" and self.score is not None


class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))          # "admin" (every competition) or "member"
    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    def set_password(self, password: str):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class ApiToken(Base):
    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        # Tokens are 256 random bits, so a plain digest is enough (no slow password hash).
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        """A new token for ``user`` and its text, which is not stored anywhere."""
        # A prefix says what the string is when one turns up in a log, and keeps a token
        # from starting with "-", which a command line would read as an option.
        token = "ra_" + secrets.token_urlsafe(32)
        return cls(token_hash=cls.hash(token), user=user), token


class Membership(Base):
    """A person's role in one competition: a coach (of a school's teams), a referee, or a
    team's own account."""
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "competition_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id"))
    role: Mapped[str] = mapped_column(String(20))            # one of MEMBER_ROLES
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))     # a team account's team
    school: Mapped[str] = mapped_column(String(200), default="")           # a coach's school
    user: Mapped[User] = relationship(back_populates="memberships")
    competition: Mapped[Competition] = relationship()
    team: Mapped[Team | None] = relationship()


class ScoreSheet(Base):
    """One referee's sheet for a field run, as sent: the accepted one scores the run; one sent
    against an older version of the run (a second tablet) is kept, not applied."""
    __tablename__ = "score_sheet"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id"))
    referee_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict] = mapped_column(JSON)
    base_version: Mapped[int] = mapped_column(Integer)      # the run's version the tablet had loaded
    accepted: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    run: Mapped[Run] = relationship()
    referee: Mapped[User] = relationship()


class GateCrossing(Base):
    """A timing gate's report: the board's clock and the host's estimate of it in server time."""
    __tablename__ = "gate_crossing"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("run.id"))       # the run on the field then
    board_ms: Mapped[int] = mapped_column(Integer)
    sensor: Mapped[int] = mapped_column(Integer, default=0)
    device: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class Appeal(Base):
    """A team's appeal on a run; a referee (or admin) upholds or rejects it, and the
    resolution points at the audit entry of what was done about it (a re-score, a void)."""
    __tablename__ = "appeal"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("run.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")       # open | upheld | rejected
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("audit_entry.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    run: Mapped[Run] = relationship()
    filed_by: Mapped[User] = relationship(foreign_keys=[filed_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class AuditEntry(Base):
    """Who changed what, when, with the values before and after (JSON)."""
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    competition_id: Mapped[int | None] = mapped_column(ForeignKey("competition.id"))
    action: Mapped[str] = mapped_column(String(50))          # e.g. run.rescore, round.freeze, appeal.resolve
    target: Mapped[str] = mapped_column(String(100))         # e.g. "round 3", "run 17"
    before: Mapped[dict | list | None] = mapped_column(JSON)
    after: Mapped[dict | list | None] = mapped_column(JSON)
    user: Mapped[User | None] = relationship()
