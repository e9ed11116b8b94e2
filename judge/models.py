"""What the judge stores: competitions, their rounds and teams, scored runs, and the
people (by role) and API tokens allowed to change them. Teams carry a name and a school,
never a student's personal data."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from roboarena.judge.db import Base

ROLES = ("admin", "coach", "referee", "team", "viewer")


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
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    source: Mapped[str] = mapped_column(String(20))          # sim | virtual-board | hardware
    trace_path: Mapped[str] = mapped_column(String(500))     # relative to the instance folder
    score: Mapped[float]
    success: Mapped[bool]
    time_s: Mapped[float]
    outcome: Mapped[str] = mapped_column(String(40))
    breakdown: Mapped[list] = mapped_column(JSON)
    explanation: Mapped[dict] = mapped_column(JSON)
    counts: Mapped[dict] = mapped_column(JSON)               # events by name: the fewer:/more: tie-breaks read them
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    round: Mapped[Round] = relationship(back_populates="runs")
    team: Mapped[Team] = relationship()


class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))

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
