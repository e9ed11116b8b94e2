"""The audit log: who changed what, when, with the values before and after. Views call
``record`` inside the transaction that makes the change, so the two land together or not
at all."""

from __future__ import annotations

from flask import g

from roboarena.judge import db
from roboarena.judge.models import AuditEntry


def record(action: str, target: str, before, after, competition_id: int | None = None) -> AuditEntry:
    entry = AuditEntry(user=getattr(g, "user", None), competition_id=competition_id, action=action, target=target,
                       before=before, after=after)
    db.session().add(entry)
    return entry
