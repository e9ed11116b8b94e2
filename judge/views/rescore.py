"""Re-scoring a round after a rules fix. The admin picks a pack version (the installed pack,
or a fixed pack uploaded as a .zip and kept by the judge), sees what re-scoring every counted
run's trace with it would change (the leaderboard before and after, the runs whose score
moves, the runs that cannot be re-scored and why) without anything being saved, and then
applies it: in one transaction the runs are re-scored, the round is pinned to the new
version, and the audit log gets an entry for the round and one per run whose score changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from roboarena.challenges.pack import Challenge
from roboarena.challenges.results import score_trace
from roboarena.challenges.scoring import tidy
from roboarena.errors import RoboarenaError
from roboarena.judge import audit, db
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import Round, Run
from roboarena.judge.packs import (MAX_PACK_ZIP_BYTES, PinnedPackMissing, challenge_version, installed_challenge,
                                   keep_pack, known_versions, pinned_challenge, store_uploaded_pack)
from roboarena.judge.permissions import may
from roboarena.judge.standings import forget, standings
from roboarena.judge.views.auth import login_required
from roboarena.messages import Msg

bp = Blueprint("rescore", __name__)

# What a score is made of: re-scoring rewrites these, and the run's pack_hash.
SCORE_FIELDS = ("score", "success", "time_s", "outcome", "breakdown", "explanation", "counts")


@dataclass
class RunRescore:
    run: Run
    before: dict
    after: dict

    @property
    def score_changed(self) -> bool:
        return any(self.before[key] != self.after[key] for key in ("score", "success", "outcome", "time_s"))

    @property
    def stale(self) -> bool:
        """Whether applying writes anything to this run."""
        return self.before != self.after or self.run.pack_hash != self.after["pack_hash"]


@dataclass
class Unscorable:
    run: Run
    message_id: str
    fields: dict = field(default_factory=dict)


@dataclass
class RescorePlan:
    round: Round
    challenge: Challenge
    rescored: list[RunRescore]
    unscorable: list[Unscorable]
    before: list[dict]
    after: list[dict]
    basis: str                  # the runs the plan was made from: apply refuses if they changed since

    @property
    def changed(self) -> list[RunRescore]:
        return [item for item in self.rescored if item.score_changed]

    @property
    def nothing_to_do(self) -> bool:
        return self.round.pack_hash == self.challenge.content_hash and not any(i.stale for i in self.rescored)

    def board(self) -> list[dict]:
        """One row per team: rank and score before and after, and how each moved."""
        earlier = {row["team"]: row for row in self.before}
        rows = []
        for row in self.after:
            old = earlier.pop(row["team"], None)
            rows.append({"team": row["team"], "school": row["school"],
                         "before_rank": old["rank"] if old else None, "before_score": old["score"] if old else None,
                         "after_rank": row["rank"], "after_score": row["score"],
                         "rank_change": old["rank"] - row["rank"] if old else None,
                         "score_change": tidy(row["score"] - old["score"]) if old else None})
        rows += [{"team": old["team"], "school": old["school"], "before_rank": old["rank"],
                  "before_score": old["score"], "after_rank": None, "after_score": None, "rank_change": None,
                  "score_change": None} for old in earlier.values()]
        return rows


def _plain(value):
    """A value as the JSON column hands it back, so stored and fresh scores compare equal."""
    return json.loads(json.dumps(value))


def stored_score(run: Run) -> dict:
    return _plain({key: getattr(run, key) for key in SCORE_FIELDS} | {"pack_hash": run.pack_hash})


def fresh_score(run: Run, challenge: Challenge) -> dict | Unscorable:
    """The run's trace scored with ``challenge``, or why that cannot be done."""
    if not run.trace_path:
        return Unscorable(run, "judge.rescore.reason.no_trace", {"source": run.source})
    path = Path(current_app.instance_path) / run.trace_path
    if not path.is_file():
        return Unscorable(run, "judge.rescore.reason.trace_missing", {"path": run.trace_path})
    try:
        score, header, _ = score_trace(path, pack=challenge.folder)
    except RoboarenaError as exc:
        fields = {key: run.trace_path if key == "path" else value for key, value in exc.fields.items()}
        return Unscorable(run, "judge.rescore.reason.bad_trace", {"problem": Msg(exc.message_id, **fields)})
    recorded = header["challenge"]["id"]
    if recorded != run.round.challenge_id:
        return Unscorable(run, "judge.rescore.reason.wrong_challenge",
                          {"trace_challenge": recorded, "challenge": run.round.challenge_id})
    return _plain({"score": score.score, "success": score.success, "time_s": score.time_s, "outcome": score.outcome,
                   "breakdown": [rule.as_dict() for rule in score.breakdown], "explanation": score.explanation,
                   "counts": score.counts, "pack_hash": challenge.content_hash})


def _standings_with(challenge: Challenge, round_: Round, scores: dict[int, dict]) -> list[dict]:
    # The standings of the round as they would be, computed on stand-ins for its runs: the
    # stored runs are never touched, so the preview cannot save anything by accident.
    standin_round = SimpleNamespace(challenge_id=round_.challenge_id, pack_hash=challenge.content_hash, runs=[])
    for run in round_.runs:
        values = {key: getattr(run, key) for key in SCORE_FIELDS} | scores.get(run.id, {})
        standin_round.runs.append(SimpleNamespace(
            id=run.id, team_id=run.team_id, team=run.team, created_at=run.created_at, status=run.status,
            counted=run.status == "scored" and values["score"] is not None, round=standin_round, **values))
    return standings(challenge, standin_round)


def basis_of(round_: Round) -> str:
    """A fingerprint of the round's runs as they are now (ids, versions, states)."""
    text = ";".join(f"{run.id}:{run.version}:{run.status}" for run in sorted(round_.runs, key=lambda r: r.id))
    return hashlib.sha256(f"{round_.pack_hash}|{text}".encode()).hexdigest()[:16]


def rescore_plan(round_: Round, challenge: Challenge) -> RescorePlan:
    rescored, unscorable = [], []
    for run in sorted(round_.runs, key=lambda r: r.id):
        if not run.counted:
            continue
        result = fresh_score(run, challenge)
        if isinstance(result, Unscorable):
            unscorable.append(result)
        else:
            rescored.append(RunRescore(run, stored_score(run), result))
    try:
        current = pinned_challenge(round_)
    except PinnedPackMissing:
        current = challenge       # its ranking order stands in for the lost one's
    before = standings(current, round_)
    after = _standings_with(challenge, round_, {item.run.id: item.after for item in rescored})
    return RescorePlan(round_, challenge, rescored, unscorable, before, after, basis_of(round_))


def _audit_score(values: dict) -> dict:
    return {"score": tidy(values["score"]) if values["score"] is not None else None, "success": values["success"],
            "outcome": values["outcome"], "time_s": values["time_s"], "pack_hash": values["pack_hash"],
            "points": {rule["id"]: rule["points"] for rule in values["breakdown"] or []}}


def _audit_standings(rows: list[dict]) -> list[dict]:
    return [{"rank": row["rank"], "team": row["team"], "score": row["score"]} for row in rows]


def apply_plan(plan: RescorePlan) -> int:
    """Write the plan in one transaction; the number of runs whose score changed."""
    round_, challenge = plan.round, plan.challenge
    keep_pack(challenge)          # the version the round is now pinned to stays at hand
    session = db.session()
    now = datetime.now(timezone.utc)
    for item in plan.rescored:
        if not item.stale:
            continue
        run = item.run
        for key in SCORE_FIELDS:
            setattr(run, key, item.after[key])
        run.pack_hash, run.version, run.updated_at = challenge.content_hash, run.version + 1, now
        if item.score_changed:
            audit.record("run.rescore", f"run {run.id}", _audit_score(item.before), _audit_score(item.after),
                         round_.competition_id)
    old_hash = round_.pack_hash
    round_.pack_hash = challenge.content_hash
    audit.record("round.rescore", f"round {round_.id}",
                 {"pack_hash": old_hash, "standings": _audit_standings(plan.before)},
                 {"pack_hash": challenge.content_hash, "version": challenge.version,
                  "standings": _audit_standings(plan.after), "changed_runs": [i.run.id for i in plan.changed],
                  "rescored_runs": [i.run.id for i in plan.rescored if i.stale],
                  "not_rescored": [{"run": u.run.id, "reason": u.message_id} for u in plan.unscorable]},
                 round_.competition_id)
    session.commit()
    forget(round_.id)
    return len(plan.changed)


def _round(round_id: int, lock: bool = False) -> Round:
    # Locked while a re-score is applied (PostgreSQL), so two admins applying at once take turns.
    round_ = db.session().get(Round, round_id, with_for_update=lock or None)
    if round_ is None:
        abort(404)
    if not may("round.rescore", round_.competition_id):
        abort(403)
    return round_


def _version(round_: Round, content_hash: str) -> Challenge:
    challenge = challenge_version(round_.challenge_id, content_hash)
    if challenge is None:
        raise Refusal(404, "judge.rescore.unknown_version", hash=(content_hash or "")[:12],
                      challenge=round_.challenge_id)
    return challenge


@bp.route("/rounds/<int:round_id>/rescore", methods=["GET", "POST"])
@login_required
def preview(round_id: int):
    round_ = _round(round_id)
    error, status = None, 200
    if request.method == "POST":
        upload = request.files.get("pack")
        if upload is None or not upload.filename:
            error, status = t("judge.rescore.no_version"), 400
        else:
            try:
                challenge = store_uploaded_pack(upload.read(), upload.filename, round_.challenge_id)
            except Refusal as refusal:
                error, status = t(refusal.message_id, **refusal.fields), refusal.status
            else:
                # Reloading the preview must not upload the pack again.
                return redirect(url_for("rescore.preview", round_id=round_id, version=challenge.content_hash), 303)
    version = request.args.get("version", "")
    plan = rescore_plan(round_, _version(round_, version)) if version and error is None else None
    installed = installed_challenge(round_.challenge_id)
    versions = [(version, installed is not None and version.content_hash == installed.content_hash)
                for version in known_versions(round_.challenge_id)]
    return render_template("rescore_preview.html", round=round_, lang=language(), plan=plan, error=error,
                           versions=versions, pinned=challenge_version(round_.challenge_id, round_.pack_hash),
                           board=plan.board() if plan is not None else [],
                           upload_limit_mb=MAX_PACK_ZIP_BYTES // 2**20, tidy=tidy), status


@bp.post("/rounds/<int:round_id>/rescore/apply")
@login_required
def apply(round_id: int):
    round_ = _round(round_id, lock=True)
    challenge = _version(round_, request.form.get("version", ""))
    back = redirect(url_for("rescore.preview", round_id=round_id, version=challenge.content_hash), 303)
    if not request.form.get("confirm"):
        flash(t("judge.rescore.confirm_needed"))
        return back
    plan = rescore_plan(round_, challenge)
    if request.form.get("basis") and request.form["basis"] != plan.basis:
        flash(t("judge.rescore.changed_since"))
        return back
    if plan.nothing_to_do:
        flash(t("judge.rescore.unchanged", hash=challenge.content_hash[:12]))
        return back
    changed = apply_plan(plan)
    flash(t("judge.rescore.applied", version=challenge.version, hash=challenge.content_hash[:12], changed=changed,
            runs=len(plan.rescored), kept=len(plan.unscorable)))
    return redirect(url_for("leaderboard.round_page", round_id=round_id), 303)
