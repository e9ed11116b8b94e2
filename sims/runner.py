"""Running a student's program in a simulation, as ``roboarena sim`` and the judge do.

The program runs in this process, in the main thread, exactly as ``python program.py``
would run it, with ``ROBOARENA_URL`` pointing at a simulation the runner has prepared (so
``Robot()`` attaches to it). Whatever goes wrong in the student's code becomes a
:class:`ProgramError` whose message names the file and line and says what to do.
"""

from __future__ import annotations

import _thread
import hashlib
import linecache
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from roboarena.errors import ProgramError, RoboarenaError, RunOver
from roboarena.messages import render
from roboarena.sims import link
from roboarena.sims.simulation import Simulation
from roboarena.sims.spec import RobotSpec, load_spec
from roboarena.sims.world import World, load_world

HANG_GUARD_S = 5.0


@dataclass
class RunResult:
    world: str
    program: str
    seed: int
    outcome: str                 # finished | time-limit | program-ended | stopped
    sim_time_s: float
    wall_time_s: float
    laps: int
    checkpoints: int
    collisions: int
    distance_mm: float
    program_sha256: str
    event_counts: dict[str, int] = field(default_factory=dict)
    simulation: Simulation | None = field(default=None, repr=False, compare=False)

    @property
    def speedup(self) -> float:
        return self.sim_time_s / self.wall_time_s if self.wall_time_s > 0 else float("inf")

    def as_dict(self) -> dict:
        return {
            "world": self.world, "program": self.program, "seed": self.seed, "outcome": self.outcome,
            "sim_time_s": round(self.sim_time_s, 3), "wall_time_s": round(self.wall_time_s, 4),
            "laps": self.laps, "checkpoints": self.checkpoints, "collisions": self.collisions,
            "distance_mm": round(self.distance_mm, 1), "program_sha256": self.program_sha256,
            "events": self.event_counts,
        }

    def summary(self) -> str:
        return render("result.summary", outcome=render(f"result.{self.outcome}"), time_s=self.sim_time_s,
                      speedup=min(self.speedup, 1e9), laps=self.laps, checkpoints=self.checkpoints,
                      collisions=self.collisions, distance_m=self.distance_mm / 1000)


class HangGuard:
    """Stops a program that keeps the CPU busy without letting robot time pass.

    Watches the simulation's progress counter from a thread; after ``seconds`` of wall time
    with no progress it interrupts the main thread (the program raises KeyboardInterrupt
    at its next bytecode), and the runner reports the hang."""

    def __init__(self, simulation: Simulation, seconds: float):
        self.simulation, self.seconds = simulation, seconds
        self.tripped = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="roboarena-hang-guard", daemon=True)

    def _watch(self):
        seen, since = self.simulation.progress, time.monotonic()
        while not self._stop.wait(0.1):
            progress = self.simulation.progress
            if progress != seen or self.simulation.paused:
                seen, since = progress, time.monotonic()
            elif time.monotonic() - since > self.seconds:
                self.tripped = True
                _thread.interrupt_main()
                return

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()


def compile_program(path: Path):
    """The program's code object, or ProgramError for a missing file or a syntax error."""
    try:
        source = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ProgramError("program.missing", path=str(path)) from None
    try:
        return compile(source, str(path), "exec", dont_inherit=True), hashlib.sha256(source).hexdigest()
    except SyntaxError as exc:
        code = (exc.text or "").rstrip("\n")
        stripped = code.lstrip()
        offset = max(1, (exc.offset or 1) - (len(code) - len(stripped)))
        raise ProgramError("program.syntax", path=path.name, line=exc.lineno or "?", detail=exc.msg,
                           code=stripped, caret="    " + " " * (offset - 1) + "^") from None
    except ValueError as exc:   # e.g. a NUL byte in the file
        raise ProgramError("program.syntax", path=path.name, line="?", detail=str(exc), code="", caret="") from None


def _student_frame(tb, program: Path):
    """The innermost traceback frame in the student's file: where to point them."""
    found = None
    for frame, line in traceback.walk_tb(tb):
        if Path(frame.f_code.co_filename) == program:
            found = (line, frame)
    return found


def _program_error(exc: BaseException, program: Path) -> ProgramError:
    found = _student_frame(exc.__traceback__, program)
    line = found[0] if found else "?"
    code = linecache.getline(str(program), line).strip() if found else ""
    if isinstance(exc, RoboarenaError):
        error, hint = exc.text(), render("program.robot_error_hint")
    else:
        error, hint = f"{type(exc).__name__}: {exc}", render("program.exception_hint")
    return ProgramError("program.exception", path=program.name, line=line, code=code, error=error, hint=hint)


def prepare(target: str | World, seed: int = 0, robot: str | RobotSpec | None = None,
            start_index: int = 0) -> Simulation:
    """A fresh simulation of a challenge (by id or pack folder: its world, limits, start
    jitter and monitors) or of a plain world (by name or folder)."""
    spec = load_spec(robot) if isinstance(robot, str) else robot
    if isinstance(target, str):
        from roboarena.challenges.pack import find_pack, load_challenge

        if find_pack(target) is not None:
            challenge = load_challenge(target)
            return Simulation(challenge.world, spec or load_spec(challenge.robot), seed=seed,
                              start_index=start_index, settings=challenge.settings)
        target = load_world(target)
    return Simulation(target, spec, seed=seed, start_index=start_index)


def run_program(program: str | Path, simulation: Simulation, hang_guard_s: float = HANG_GUARD_S) -> RunResult:
    """Run the student's ``program`` against ``simulation`` until it ends or the run is over."""
    program = Path(program).resolve()
    code, digest = compile_program(program)
    url = f"sim://{simulation.settings.label or simulation.world.name}?seed={simulation.seed}"
    saved = (os.environ.get("ROBOARENA_URL"), list(sys.argv), list(sys.path))
    os.environ["ROBOARENA_URL"] = url
    sys.argv = [str(program)]
    sys.path.insert(0, str(program.parent))
    link.offer(simulation)
    started = time.perf_counter()
    failure: ProgramError | None = None
    try:
        with HangGuard(simulation, hang_guard_s) as guard:
            try:
                exec(code, {"__name__": "__main__", "__file__": str(program), "__builtins__": __builtins__})
            except RunOver:
                pass
            except SystemExit as exc:
                if exc.code not in (None, 0):
                    failure = _program_error(exc, program)
            except KeyboardInterrupt as exc:
                if not guard.tripped:
                    simulation.finish("stopped")
                else:
                    found = _student_frame(exc.__traceback__, program)
                    failure = ProgramError("program.hang", seconds=hang_guard_s, path=program.name,
                                           line=found[0] if found else "?")
            except Exception as exc:  # noqa: BLE001 - any error in the student's code is reported, not raised
                failure = _program_error(exc, program)
    finally:
        wall = time.perf_counter() - started
        link.offer(None)
        url_before, sys.argv, sys.path[:] = saved[0], saved[1], saved[2]
        if url_before is None:
            os.environ.pop("ROBOARENA_URL", None)
        else:
            os.environ["ROBOARENA_URL"] = url_before
    simulation.sync()
    if failure is not None:
        # The run so far is kept (its trace can still be written); the error goes to the caller.
        simulation.finish("error")
        failure.simulation = simulation
        failure.program_sha256 = digest
        raise failure
    simulation.sync()
    simulation.finish("program-ended")
    counts: dict[str, int] = {}
    for _, name, _ in simulation.events:
        counts[name] = counts.get(name, 0) + 1
    return RunResult(
        world=simulation.world.name, program=program.name, seed=simulation.seed, outcome=simulation.over,
        sim_time_s=simulation.t_ms / 1000.0, wall_time_s=wall, laps=simulation.laps,
        checkpoints=simulation.checkpoints, collisions=simulation.collisions,
        distance_mm=simulation.distance_driven_mm(), program_sha256=digest, event_counts=counts,
        simulation=simulation,
    )
