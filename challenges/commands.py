"""The challenge commands of the ``roboarena`` CLI: ``score``, ``verify``, ``challenges``
and ``sim --seeds``. Exit codes as everywhere: 0 success, 2 bad input, 1 failure (for
``verify``: the re-simulation differs from the trace)."""

from __future__ import annotations

import json
from pathlib import Path

from roboarena.cli import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, _console
from roboarena.errors import ProgramError
from roboarena.messages import current_language, render


def _lang_text(texts: dict[str, str]) -> str:
    return texts.get(current_language()) or texts.get("en", "")


def cmd_score(args) -> int:
    from roboarena.challenges.results import score_trace

    score, header, other_version = score_trace(args.trace, args.pack)
    if args.json:
        print(json.dumps(score.as_dict() | ({"rescored": True} if other_version else {}), ensure_ascii=False))
        return EXIT_OK
    console = _console()
    console.print(render("score.title", challenge=score.challenge, version=score.version,
                         program=header["program"].get("name", ""), seed=header.get("seed")), style="bold")
    if other_version:
        console.print(render("score.rescored", recorded=header["challenge"]["hash"][7:19], used=score.pack_hash[:12]))
    _print_score(console, score)
    return EXIT_OK


def _print_score(console, score):
    from rich.table import Table

    table = Table()
    table.add_column(render("score.column.rule"))
    table.add_column(render("score.column.count"), justify="right")
    table.add_column(render("score.column.points"), justify="right")
    for rule in score.breakdown:
        item = rule.as_dict()
        table.add_row(_lang_text(rule.label), str(item["count"]), str(item["points"]))
    console.print(table)
    console.print(render("result.score", score=score.as_dict()["score"], explanation=_lang_text(score.explanation)),
                  style="bold", markup=False)


def cmd_verify(args) -> int:
    """Re-run the program with the trace's challenge and seed; compare line by line."""
    from roboarena.sims.runner import compile_program, run_challenge
    from roboarena.sims.trace import read_trace, records

    recorded = read_trace(args.trace, validate=True)
    header = recorded[0]
    _, digest = compile_program(Path(args.program).resolve())
    if header["program"].get("sha256") and header["program"]["sha256"] != digest:
        return _verify_report(args, False, render("verify.other_program", program=args.program), None)
    if header["source"] != "sim":
        return _verify_report(args, False, render("verify.not_sim", source=header["source"]), None)
    try:
        simulation = run_challenge(header["challenge"]["id"], args.program, seed=header["seed"] or 0).simulation
    except ProgramError as exc:   # a failed re-run is compared too: the trace says how it ended
        if exc.simulation is None:
            raise
        simulation = exc.simulation
    # Through JSON and back, as the recorded lines went: tuples become lists, and so on.
    rerun = [json.loads(json.dumps(record)) for record in records(simulation, header["program"].get("name", ""), digest)]
    for number, (old, new) in enumerate(zip(recorded, rerun), start=1):
        if number == 1:
            old, new = dict(old, start_time=None), dict(new, start_time=None)
        if old != new:
            key = next((k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)), "?")
            detail = render("verify.diverged", line=number, t=old.get("t", 0), key=key,
                            recorded=json.dumps(old.get(key), ensure_ascii=False),
                            rerun=json.dumps(new.get(key), ensure_ascii=False))
            return _verify_report(args, False, detail, {"line": number, "key": key, "recorded": old.get(key),
                                                         "rerun": new.get(key)})
    if len(recorded) != len(rerun):
        detail = render("verify.length", recorded=len(recorded), rerun=len(rerun))
        return _verify_report(args, False, detail, {"line": min(len(recorded), len(rerun)) + 1})
    return _verify_report(args, True, render("verify.same", lines=len(recorded)), None)


def _verify_report(args, same: bool, message: str, divergence: dict | None) -> int:
    if args.json:
        print(json.dumps({"identical": same, "message": message, "divergence": divergence}, ensure_ascii=False))
    else:
        _console(stderr=not same).print(message, markup=False)
    return EXIT_OK if same else EXIT_FAILURE


def cmd_challenges(args) -> int:
    from roboarena.challenges.pack import builtin_ids, load_challenge

    if args.action == "list":
        packs = [load_challenge(challenge_id) for challenge_id in builtin_ids()]
        if args.json:
            print(json.dumps({"challenges": [_summary(pack) for pack in packs]}, ensure_ascii=False))
            return EXIT_OK
        from rich.table import Table

        table = Table(title=render("challenges.heading"))
        for column in ("id", "title", "robot", "time", "version"):
            table.add_column(render(f"challenges.column.{column}"), no_wrap=column == "id")
        for pack in packs:
            table.add_row(pack.id, _lang_text(pack.title), render(f"kind.{pack.robot}"),
                          f"{pack.time_limit_ms / 1000:g} s", f"{pack.version} ({pack.content_hash[:8]})")
        _console().print(table)
        return EXIT_OK
    if args.action == "show":
        pack = load_challenge(args.challenge)
        if args.json:
            print(json.dumps(_summary(pack) | {"instructions": pack.instructions, "rules": [
                {"id": r.id, "kind": r.kind, "label": r.label, "event": str(r.event) if r.event else None,
                 "points": r.points, "points_per_s": r.points_per_s, "cap": r.cap, "factor": r.factor}
                for r in pack.rules]}, ensure_ascii=False))
            return EXIT_OK
        console = _console()
        console.print(f"{pack.id} {pack.version} · {_lang_text(pack.title)}", style="bold", markup=False)
        console.print(_lang_text(pack.instructions), markup=False)
        console.print(render("challenges.facts", robot=render(f"kind.{pack.robot}"),
                             world=f"{_lang_text(pack.world.title)} ({pack.world_ref})",
                             time_s=pack.time_limit_ms / 1000, sensors=", ".join(sorted(pack.settings.sensors)),
                             tie_break=", ".join(pack.tie_break), ranking=pack.ranking_mode), markup=False)
        return EXIT_OK
    if args.action == "validate":
        pack = load_challenge(args.path)
        _console().print(render("challenges.valid", id=pack.id, version=pack.version, rules=len(pack.rules),
                                world=pack.world_ref, hash=pack.content_hash[:12]), markup=False)
        return EXIT_OK
    from roboarena.challenges.printing import print_floor

    pack = load_challenge(args.challenge)
    out, pages = print_floor(pack, args.out)
    _console().print(render("challenges.printed", path=str(out), pages=pages), markup=False)
    return EXIT_OK


def _summary(pack) -> dict:
    return {"id": pack.id, "version": pack.version, "hash": f"sha256:{pack.content_hash}", "title": pack.title,
            "robot": pack.robot, "world": pack.world_ref, "time_limit_ms": pack.time_limit_ms,
            "sensors": sorted(pack.settings.sensors), "tie_break": list(pack.tie_break),
            "ranking": {"mode": pack.ranking_mode, "count": pack.ranking_count}}


def cmd_sim_seeds(args) -> int:
    """The same program over seeds: the score distribution and the pack's ranking score."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from roboarena.challenges.pack import find_pack, load_challenge
    from roboarena.challenges.results import score_simulation
    from roboarena.challenges.scoring import distribution, ranking_score
    from roboarena.sims.runner import prepare, run_challenge

    if find_pack(args.challenge) is None:
        prepare(args.challenge)          # a plain world (or none: prepare says which) has no score
        return _needs_challenge(args)
    challenge = load_challenge(args.challenge)
    opponent = getattr(args, "opponent", None)
    runs, scores = [], []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_console(stderr=True), transient=True) as progress:
        task = progress.add_task(render("seeds.running", challenge=challenge.id), total=args.seeds)
        for seed in range(args.seed, args.seed + args.seeds):
            result = run_challenge(args.challenge, args.program, seed=seed, robot=args.robot, opponent=opponent)
            score = score_simulation(challenge, result.simulation)
            scores.append(score)
            runs.append({"seed": seed, "score": score.as_dict()["score"], "success": score.success,
                         "outcome": score.outcome, "time_s": score.time_s, "collisions": result.collisions})
            progress.advance(task)
    summary = distribution([s.score for s in scores])
    ranked = ranking_score(challenge, scores)
    successes = sum(1 for s in scores if s.success)
    if args.json:
        print(json.dumps({"challenge": challenge.id, "program": Path(args.program).name, "runs": runs,
                          "distribution": summary, "successes": successes,
                          "ranking": {"mode": challenge.ranking_mode, "score": round(ranked, 2)}}, ensure_ascii=False))
        return EXIT_OK
    console = _console()
    console.print(render("seeds.title", challenge=challenge.id, program=Path(args.program).name, seeds=args.seeds),
                  style="bold", markup=False)
    console.print(render("seeds.distribution", **summary, successes=successes), markup=False)
    console.print(render("seeds.ranking", mode=challenge.ranking_mode, score=round(ranked, 2)), style="bold",
                  markup=False)
    return EXIT_OK


def _needs_challenge(args) -> int:
    _console(stderr=True).print(render("seeds.no_challenge", name=args.challenge), markup=False)
    return EXIT_BAD_INPUT
