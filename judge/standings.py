"""A round's standings: teams ranked by the pack's ranking mode, ties broken in the pack's
tie-break order, and for each team level on score with the one above, which key placed it
(or that nothing did, and the two share a rank). The JSON API and the page both show this."""

from __future__ import annotations

from roboarena.challenges.pack import Challenge
from roboarena.challenges.scoring import Score, tidy, ranking_score, sort_key
from roboarena.judge.models import Round, Run
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
        if run.counted and (until is None or _aware(run.created_at) <= _aware(until)):
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
    must not re-rank every run on each request. The cache key is a summary of the round's
    runs (one indexed query): any new run, status change or re-score alters it."""
    from flask import current_app
    from sqlalchemy import func, select

    from roboarena.judge import db

    summary = db.session().execute(
        select(func.max(Run.id), func.count(Run.id), func.sum(Run.version), func.max(Run.updated_at))
        .where(Run.round_id == round_.id)).one()
    until = round_.frozen_at if frozen else None
    key = (round_.pack_hash, tuple(summary), until)
    cache = current_app.extensions.setdefault("roboarena.standings", {})
    cached = cache.get((round_.id, frozen))
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = standings(challenge, round_, until)
    cache[(round_.id, frozen)] = (key, rows)
    return rows


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


def _aware(moment):
    """SQLite hands datetimes back without their zone: they were stored in UTC."""
    from datetime import timezone

    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment
