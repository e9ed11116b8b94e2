"""Times as the judge hands them out: always with their zone. The judge stores UTC; SQLite
gives datetimes back without a zone, PostgreSQL with one, so every reader goes through
``utc``."""

from __future__ import annotations

from datetime import datetime, timezone


def utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)
