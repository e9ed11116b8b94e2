"""Scoring: a pure function of (challenge, run events) to a score with a per-rule
breakdown and a one-line explanation in both languages.

The input is what a trace holds: its events and its end line, so a run from the
simulator, the virtual board or a real field with a referee is scored the same way, and
``roboarena sim --json`` and ``roboarena score TRACE --json`` agree to the last digit.
Ranking (best run, sum of the best N, mean) and tie-breaks live here too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from roboarena.challenges.pack import Challenge, EventMatch, Rule, SuccessRule


@dataclass(frozen=True)
class RunEvents:
    """The part of a run that scoring reads: events as (t_s, name, fields) in time order,
    how it ended, and when."""
    events: tuple[tuple[float, str, dict], ...]
    end_reason: str
    end_t: float


@dataclass
class RuleResult:
    id: str
    kind: str
    label: dict[str, str]
    count: int
    points: float

    def as_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "label": self.label, "count": self.count,
                "points": tidy(self.points)}


@dataclass
class Score:
    challenge: str
    version: str
    pack_hash: str
    score: float
    success: bool
    outcome: str
    time_s: float
    breakdown: list[RuleResult]
    explanation: dict[str, str]
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {"challenge": self.challenge, "version": self.version, "pack_hash": f"sha256:{self.pack_hash}",
                "score": tidy(self.score), "success": self.success, "outcome": self.outcome,
                "time_s": self.time_s, "breakdown": [rule.as_dict() for rule in self.breakdown],
                "explanation": self.explanation}


def tidy(value: float) -> float | int:
    """Whole numbers as ints, the rest rounded to 0.01: what people read and JSON carries."""
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def succeeded(success: SuccessRule, run: RunEvents) -> bool:
    if success.finished and run.end_reason != "finished":
        return False
    if any(match.matches(name, fields) for _, name, fields in run.events for match in success.never):
        return False
    needed = 0
    for _, name, fields in run.events:
        if needed < len(success.in_order) and success.in_order[needed].matches(name, fields):
            needed += 1
    return needed == len(success.in_order)


def _count(match: EventMatch, run: RunEvents) -> int:
    return sum(1 for _, name, fields in run.events if match.matches(name, fields))


def _clip(points: float, rule: Rule) -> float:
    if rule.max_points is None:
        return points
    return min(points, rule.max_points) if rule.max_points >= 0 else max(points, rule.max_points)


def score_run(challenge: Challenge, run: RunEvents) -> Score:
    success = succeeded(challenge.success, run)
    limit_s = challenge.time_limit_ms / 1000.0
    total, factor, breakdown = 0.0, 1.0, []
    for rule in challenge.rules:
        active = success or not rule.requires_success
        count, points = 0, 0.0
        if rule.kind == "event":
            count = _count(rule.event, run)
            if rule.cap is not None:
                count = min(count, rule.cap)
            points = _clip(count * rule.points, rule) if active else 0.0
        elif rule.kind == "time-bonus":
            points = _clip(rule.points_per_s * max(0.0, limit_s - run.end_t), rule) if active else 0.0
        elif rule.kind == "time-penalty":
            points = _clip(rule.points_per_s * run.end_t, rule) if active else 0.0
        elif rule.kind == "success":
            count = int(success)
            points = rule.points if success else 0.0
        elif rule.kind == "multiplier":
            count = _count(rule.event, run)
            if rule.cap is not None:
                count = min(count, rule.cap)
            if active:
                factor *= rule.factor ** count
        total += points
        breakdown.append(RuleResult(rule.id, rule.kind, rule.label, count, points))
    score = max(challenge.min_score, total * factor)
    counts: dict[str, int] = {}
    for _, name, _ in run.events:
        counts[name] = counts.get(name, 0) + 1
    return Score(challenge.id, challenge.version, challenge.content_hash, score, success, run.end_reason,
                 run.end_t, breakdown, _explain(score, success, run, breakdown, factor), counts)


_OUTCOME = {
    "en": {"finished": "Finished at {t:.1f} s", "time-limit": "Time ran out at {t:.1f} s",
           "program-ended": "The program ended at {t:.1f} s", "stopped": "Stopped at {t:.1f} s",
           "error": "The program stopped with an error at {t:.1f} s"},
    "zh": {"finished": "{t:.1f} 秒完成", "time-limit": "{t:.1f} 秒时间到", "program-ended": "程序在 {t:.1f} 秒结束",
           "stopped": "{t:.1f} 秒被停止", "error": "程序在 {t:.1f} 秒出错停止"},
}
_TOTAL = {"en": "{score} points", "zh": "共 {score} 分"}
_TIMES = {"en": "×", "zh": "×"}


def _signed(points: float) -> str:
    value = tidy(points)
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def _explain(score: float, success: bool, run: RunEvents, breakdown: list[RuleResult], factor: float) -> dict[str, str]:
    """One line a student reads: how the run ended, what scored, the total."""
    text = {}
    for lang in ("en", "zh"):
        parts = [_OUTCOME[lang].get(run.end_reason, "{t:.1f} s").format(t=run.end_t)]
        for rule in breakdown:
            label = rule.label[lang]
            if rule.kind == "multiplier":
                if rule.count:
                    parts.append(f"{rule.count} {_TIMES[lang]} {label}")
            elif rule.points or (rule.kind == "event" and rule.count):
                count = f"{rule.count} {_TIMES[lang]} " if rule.kind == "event" else ""
                parts.append(f"{count}{label} {_signed(rule.points)}")
        if factor != 1.0:
            parts.append(f"{_TIMES[lang]}{round(factor, 3):g}")
        text[lang] = "; ".join(parts) + " → " + _TOTAL[lang].format(score=tidy(score))
    return text


# --- ranking --------------------------------------------------------------------------------------

def sort_key(challenge: Challenge, score: Score) -> tuple:
    """Sorts better runs first, by the pack's tie-break order."""
    key = []
    for item in challenge.tie_break:
        if item == "score":
            key.append(-score.score)
        elif item == "time":
            key.append(score.time_s)
        elif item.startswith("fewer:"):
            key.append(score.counts.get(item[6:], 0))
        elif item.startswith("more:"):
            key.append(-score.counts.get(item[5:], 0))
    return tuple(key)


def ranking_score(challenge: Challenge, scores: list[Score]) -> float:
    """A team's score over its runs, by the pack's ranking mode."""
    if not scores:
        return 0.0
    values = sorted((s.score for s in scores), reverse=True)
    if challenge.ranking_mode == "best":
        return min(scores, key=lambda s: sort_key(challenge, s)).score
    if challenge.ranking_mode == "sum-best":
        return sum(values[:challenge.ranking_count])
    return sum(values) / len(values)


def distribution(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        return {}
    mean = sum(ordered) / n
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    spread = math.sqrt(sum((v - mean) ** 2 for v in ordered) / n)
    return {"runs": n, "min": tidy(ordered[0]), "median": tidy(median), "mean": tidy(mean),
            "max": tidy(ordered[-1]), "stdev": tidy(spread)}
