"""A round's standings: teams ranked by the pack's ranking mode, ties broken in the pack's
tie-break order, and for each team level on score with the one above, which key placed it
(or that nothing did, and the two share a rank). The JSON API and the page both show this."""

from __future__ import annotations

import threading
import time

from roboarena.challenges.pack import Challenge
from roboarena.challenges.scoring import Score, tidy, ranking_score, sort_key
from roboarena.judge.models import Round, Run
from roboarena.judge.timezones import utc
from roboarena.messages import LANGUAGES, render


def run_score(run: Run) -> Score:
    """The stored run as the Score the ranking functions read."""
    return Score(run.round.challenge_id, "", run.round.pack_hash, run.score, run.success, run.outcome, run.time_s,
                 [], run.explanation, run.counts)


def key_label(item: str, lang: str) -> str:
    if item.startswith("fewer:"):
        return render("judge.key.fewer", lang, event=item[6:])
    if item.startswith("more:"):
        return render("judge.key.more", lang, event=item[5:])
    return render(f"judge.key.{item}", lang) if item in ("score", "time") else item


def standings(challenge: Challenge, round_: Round, until=None) -> list[dict]:
    """The round's standings over its counted runs (those made up to ``until``, if given)."""
    by_team: dict[int, list[Run]] = {}
    for run in round_.runs:
        if run.counted and (until is None or utc(run.created_at) <= utc(until)):
            by_team.setdefault(run.team_id, []).append(run)
    entries = []
    for runs in by_team.values():
        scores = [run_score(run) for run in runs]
        best = min(range(len(runs)), key=lambda i: sort_key(challenge, scores[i]))
        total = ranking_score(challenge, scores)
        entries.append((total, sort_key(challenge, scores[best]), runs[0].team, runs[best], len(runs)))
    # Equal on every key: by name, only so the order does not change between two reloads.
    entries.sort(key=lambda e: (-e[0], e[1], e[2].name))
    rows: list[dict] = []
    for index, (total, key, team, best, count) in enumerate(entries):
        row = {"rank": index + 1, "team": team.name, "school": team.school, "score": tidy(total), "runs": count,
               "best_run": best.id, "time_s": best.time_s, "tie_break": None}
        if rows and total == entries[index - 1][0]:
            above, above_key = rows[-1], entries[index - 1][1]
            separated = next((item for item, mine, theirs in zip(challenge.tie_break, key, above_key)
                              if mine != theirs), None)
            if separated is None:
                row["rank"] = above["rank"]
                text = {lang: render("judge.tie.tied", lang, team=above["team"],
                                     keys=", ".join(key_label(k, lang) for k in challenge.tie_break))
                        for lang in LANGUAGES}
            else:
                text = {lang: render("judge.tie.separated", lang, team=above["team"], key=key_label(separated, lang))
                        for lang in LANGUAGES}
            row["tie_break"] = {"separated_by": separated, "tied": separated is None, "explanation": text}
        rows.append(row)
    return rows


def round_standings(challenge: Challenge, round_: Round, frozen: bool = False) -> list[dict]:
    """The round's standings (as the public sees them while it is frozen, if ``frozen``),
    computed once per change of its runs: a projector page polled by every screen in a gym
    must not re-rank every run on each request, nor even ask the database on each.

    The cache key is a summary of the round's runs (one aggregate over ``ix_run_round_id``):
    any new run, status change or re-score alters it. It is asked again as ``still_current``
    says: after any commit in this process, else every ``STANDINGS_RECHECK_S``. One thread
    per round computes while the others wait for its result, rather than all computing at once."""
    from flask import current_app

    until = round_.frozen_at if frozen else None
    slot = (round_.id, frozen)
    cache = current_app.extensions.setdefault("roboarena.standings", {})
    entry = cache.get(slot)
    if entry is not None and entry.serves(round_.pack_hash, until):
        return entry.rows
    locks = current_app.extensions.setdefault("roboarena.standings.locks", {})
    with locks.setdefault(slot, threading.Lock()):
        entry = cache.get(slot)            # another thread may have refreshed it while this one waited
        if entry is not None and entry.serves(round_.pack_hash, until):
            return entry.rows
        mark = read_mark()
        summary = _runs_summary(round_.id)
        if entry is not None and (entry.summary, entry.pack_hash, entry.until) == (summary, round_.pack_hash, until):
            rows = entry.rows
        else:
            rows = standings(challenge, _RoundOfColumns(round_), until)
        cache[slot] = _CachedStandings(rows, summary, round_.pack_hash, until, mark)
        return rows


# How long something read from the database and kept (the standings, a leaderboard page) is
# served again without asking whether anything changed, when this process has committed
# nothing since: about the most a change made by another process (a second server on the
# same PostgreSQL) can lag behind.
STANDINGS_RECHECK_S = 1.0


def read_mark() -> tuple[int, float]:
    """Take it before reading something from the database that will be kept and served
    again; ``still_current(mark)`` then says for how long."""
    return _commit_counter.count, time.monotonic()


def still_current(mark: tuple[int, float]) -> bool:
    """Whether what was read after ``mark`` was taken may be served again without asking the
    database: nothing has been committed in this process since (an upload, a scoresheet, a
    re-score, a freeze all show at once), and it is less than ``STANDINGS_RECHECK_S`` old."""
    commits, taken_at = mark
    return commits == _commit_counter.count and time.monotonic() - taken_at < STANDINGS_RECHECK_S


def kept_for_visitors(store: str, slot, make):
    """What visitors who are not signed in are served (a leaderboard's JSON, its page), kept
    in the app under ``store`` by ``slot``. ``make()`` makes it again (an object with the
    ``mark`` taken before its reads, or None for nothing to keep) when it is missing or no
    longer ``still_current``; while one request makes it again, the others get the last one at
    once: after an upload to a big round that takes a moment, and a gym's screens need not all
    wait for it."""
    from flask import current_app

    kept = current_app.extensions.setdefault(store, {})
    last = kept.get(slot)
    if last is not None and still_current(last.mark):
        return last
    if last is None:
        made = make()
    else:
        lock = current_app.extensions.setdefault(store + ".making", {}).setdefault(slot, threading.Lock())
        if not lock.acquire(blocking=False):
            return last
        try:
            made = make()
        finally:
            lock.release()
    if made is not None:
        kept[slot] = made
    return made


class _CachedStandings:
    __slots__ = ("rows", "summary", "pack_hash", "until", "mark")

    def __init__(self, rows, summary, pack_hash, until, mark):
        self.rows, self.summary, self.pack_hash, self.until, self.mark = rows, summary, pack_hash, until, mark

    def serves(self, pack_hash: str, until) -> bool:
        return self.pack_hash == pack_hash and self.until == until and still_current(self.mark)


def _runs_summary(round_id: int) -> tuple:
    from sqlalchemy import func, select

    from roboarena.judge import db

    return tuple(db.session().execute(
        select(func.max(Run.id), func.count(Run.id), func.sum(Run.version), func.max(Run.updated_at))
        .where(Run.round_id == round_id)).one())


class _CommitCounter:
    """Counts the commits of every session in this process: any of them may have changed a
    round or its runs, and a commit is rare next to a leaderboard read."""

    def __init__(self):
        self.count, self._lock = 0, threading.Lock()

    def __call__(self, _session):
        with self._lock:
            self.count += 1


def _listen_for_commits() -> _CommitCounter:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    counter = _CommitCounter()
    event.listen(Session, "after_commit", counter)
    return counter


_commit_counter = _listen_for_commits()


class _TeamColumns:
    __slots__ = ("name", "school")

    def __init__(self, name: str, school: str):
        self.name, self.school = name, school


# What ``standings`` reads of a run. Not read: the breakdown and a referee's sheet (heavy,
# never ranked on) and the explanation (ranking never looks at it, so it is left None).
_RUN_COLUMNS = ("id", "team_id", "status", "score", "success", "time_s", "outcome", "created_at", "counts")


class _RunColumns:
    """A run as ``standings`` reads it, from a column-only query: 20,000 runs load in a
    fraction of the time their ORM objects take. ``counted`` is the model's own rule."""
    __slots__ = _RUN_COLUMNS + ("team", "round")
    explanation = None
    counted = property(Run.counted.fget)

    def __init__(self, values: tuple, round_):
        (self.id, self.team_id, self.status, self.score, self.success, self.time_s, self.outcome, self.created_at,
         self.counts) = values
        self.round = round_


class _RoundOfColumns:
    """The round with its runs (and their teams) read column by column, for ``standings``;
    every other attribute is the round's own."""

    def __init__(self, round_: Round):
        import json

        from sqlalchemy import Text, cast, select

        from roboarena.judge import db
        from roboarena.judge.models import Team

        session = db.session()
        # The event counts come as text and are decoded here, once per distinct text: the JSON
        # type's own result processing costs more than the rest of the query, and most runs'
        # counts repeat. Runs with the same text share one dict; ranking only reads them.
        columns = [getattr(Run, name) for name in _RUN_COLUMNS[:-1]] + [cast(Run.counts, Text)]
        decoded = {None: None}
        self._round, self.runs = round_, []
        for values in session.execute(select(*columns).where(Run.round_id == round_.id)):
            text = values[-1]
            if text not in decoded:
                decoded[text] = json.loads(text)
            self.runs.append(_RunColumns((*values[:-1], decoded[text]), self))
        teams = {team_id: _TeamColumns(name, school) for team_id, name, school in session.execute(
            select(Team.id, Team.name, Team.school).where(Team.id.in_({run.team_id for run in self.runs})))}
        for run in self.runs:
            run.team = teams[run.team_id]

    def __getattr__(self, name):
        return getattr(self._round, name)


def public_standings(challenge: Challenge, round_: Round) -> tuple[list[dict], bool]:
    """(rows, frozen): what the person asking may see. While a round is frozen, everyone but
    those who may freeze it sees the standings as they stood at the freeze."""
    from roboarena.judge.permissions import may

    frozen = round_.frozen_at is not None and not may("round.freeze", round_.competition_id)
    return round_standings(challenge, round_, frozen), frozen


def forget(round_id: int):
    """Drop a round's cached standings (the cache key notices changes; this is for certainty)."""
    from flask import current_app

    cache = current_app.extensions.get("roboarena.standings", {})
    for frozen in (False, True):
        cache.pop((round_id, frozen), None)
