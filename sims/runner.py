"""Running a student's program in a simulation, as ``roboarena sim`` and the judge do.

The program runs in this process, in the main thread, exactly as ``python program.py``
would run it, with ``ROBOARENA_URL`` pointing at a simulation the runner has prepared (so
``Robot()`` attaches to it). Whatever goes wrong in the student's code becomes a
:class:`ProgramError` whose message names the file and line and says what to do.
"""

from __future__ import annotations

import _thread
import ctypes
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


def run_challenge(target: str, program: str | Path, seed: int = 0, robot: str | None = None,
                  opponent: str | Path | None = None) -> RunResult:
    """Run ``program`` in ``target``; in a match, against ``opponent`` (default: the
    challenge's sparring program). The result is the first robot's; a failing opponent
    only stops its own robot."""
    first = prepare(target, seed=seed, robot=robot)
    if first.settings.robots == 1:
        return run_program(program, first)
    simulations = [first] + prepare_match(target, seed=seed, robot=robot)[1:]
    opponents = [opponent or first.settings.opponent] * (first.settings.robots - 1)
    outcomes = run_match([program, *opponents], simulations)
    if isinstance(outcomes[0], ProgramError):
        raise outcomes[0]
    return outcomes[0]


def prepare_match(target: str, seed: int = 0, robot: str | RobotSpec | None = None) -> list[Simulation]:
    """One simulation per robot of a challenge with several robots (robot i at start i).
    Each robot draws its noise from its own generator, seeded from the run's seed."""
    first = prepare(target, seed=seed, robot=robot)
    others = [prepare(target, seed=seed, robot=robot, start_index=index, noise_stream=index)
              for index in range(1, first.settings.robots)]
    return [first, *others]


def prepare(target: str | World, seed: int = 0, robot: str | RobotSpec | None = None,
            start_index: int = 0, noise_stream: int = 0) -> Simulation:
    """A fresh simulation of a challenge (by id or pack folder: its world, limits, start
    jitter and monitors) or of a plain world (by name or folder)."""
    spec = load_spec(robot) if isinstance(robot, str) else robot
    if isinstance(target, str):
        from roboarena.challenges.pack import find_pack, load_challenge

        if find_pack(target) is not None:
            challenge = load_challenge(target)
            return Simulation(challenge.world, spec or load_spec(challenge.robot), seed=seed,
                              start_index=start_index, settings=challenge.settings, noise_stream=noise_stream)
        target = load_world(target)
    return Simulation(target, spec, seed=seed, start_index=start_index, noise_stream=noise_stream)


class _Hung(BaseException):
    """Raised inside a match program's thread that keeps the world waiting without a call."""


def run_match(programs: list[str | Path], simulations: list[Simulation],
              hang_guard_s: float = HANG_GUARD_S) -> list[RunResult | ProgramError]:
    """Several programs, each driving its own robot in one arena (a sumo bout), each in its
    own thread. Returns, per robot, its RunResult or the ProgramError its program ended with
    (one program failing does not stop the bout: its robot just stops)."""
    from roboarena.sims.arena import Arena

    arena = Arena(simulations)
    paths = [Path(p).resolve() for p in programs]
    compiled = [compile_program(path) for path in paths]
    outcomes: list = [None] * len(simulations)
    hung = [False] * len(simulations)

    def play(index: int):
        simulation, path, (code, _) = simulations[index], paths[index], compiled[index]
        link.offer(simulation)
        try:
            exec(code, {"__name__": "__main__", "__file__": str(path), "__builtins__": __builtins__})
        except RunOver:
            pass
        except _Hung as exc:
            found = _student_frame(exc.__traceback__, path)
            outcomes[index] = ProgramError("program.hang", seconds=hang_guard_s, path=path.name,
                                           line=found[0] if found else "?")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                outcomes[index] = _program_error(exc, path)
        except Exception as exc:  # noqa: BLE001 - reported per robot, the bout goes on
            outcomes[index] = _program_error(exc, path)
        finally:
            link.offer(None)
            arena.leave(simulation)

    saved = (list(sys.argv), list(sys.path), os.environ.get("ROBOARENA_URL"))
    sys.path.insert(0, str(paths[0].parent))
    os.environ["ROBOARENA_URL"] = f"sim://{simulations[0].settings.label or simulations[0].world.name}"
    started = time.perf_counter()
    threads = [threading.Thread(target=play, args=(i,), name=f"roboarena-robot-{i}", daemon=True)
               for i in range(len(simulations))]
    try:
        for thread in threads:
            thread.start()
        seen, since = arena.progress, time.monotonic()
        while any(thread.is_alive() for thread in threads):
            threads[0].join(0.05) if threads[0].is_alive() else next(t for t in threads if t.is_alive()).join(0.05)
            if arena.progress != seen:
                seen, since = arena.progress, time.monotonic()
            elif time.monotonic() - since > hang_guard_s:
                # The world waits for a program that makes no robot call: stop that program.
                for index, thread in enumerate(threads):
                    if thread.is_alive() and index in arena.running and index not in arena.waiting and not hung[index]:
                        hung[index] = True
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Hung))
                since = time.monotonic()
    finally:
        sys.argv, sys.path[:] = saved[0], saved[1]
        if saved[2] is None:
            os.environ.pop("ROBOARENA_URL", None)
        else:
            os.environ["ROBOARENA_URL"] = saved[2]
    wall = time.perf_counter() - started
    for index, simulation in enumerate(simulations):
        if simulation.over is None:
            simulation.finish("error" if outcomes[index] is not None else "program-ended")
        if outcomes[index] is not None:
            outcomes[index].simulation = simulation
            outcomes[index].program_sha256 = compiled[index][1]
        else:
            outcomes[index] = _result(simulation, paths[index], compiled[index][1], wall)
    return outcomes


def _result(simulation: Simulation, program: Path, digest: str, wall: float) -> RunResult:
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
    simulation.finish("program-ended")
    return _result(simulation, program, digest, wall)
