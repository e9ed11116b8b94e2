"""How fast the simulator runs a student's program, printed as a table.

Two figures, measured in one run on this machine:

- real-time factor: simulated seconds per wall second for ``examples/line_follower.py``
  (a 100 Hz loop reading the line array and the ultrasonic every iteration) on the
  ``line-follow`` world, headless, one core;
- simulator overhead: the wall time of that run divided by the wall time of the same
  program, for the same number of loop iterations, against the same ``Robot`` class on a
  stub link that returns constants (so the student's own code and the API layer are in
  both, and the ratio is what the simulation adds).

Run: ``python benchmarks/realtime.py [--repeats N]``. Each figure is the best of N runs
(the least disturbed by the rest of the machine).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from roboarena.host import robot as robot_module
from roboarena.sims.runner import prepare, run_program

from tables import print_table  # noqa: E402  (this folder: the scripts run as files)

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = ROOT / "examples" / "line_follower.py"
WORLD = "line-follow"


class StubLink:
    """A robot that answers every read with a constant, for ``iterations`` loop passes."""

    def __init__(self, spec, iterations: int):
        self.spec = spec
        self.remaining = iterations
        self.time_ms = 0.0

    @property
    def running(self) -> bool:
        return self.remaining > 0

    def wait(self, ms):
        self.remaining -= 1
        self.time_ms += ms

    def command(self, a, b):
        pass

    def read_line(self):
        return [3900, 2400, 400, 2400, 3900]      # centred on the line

    def read_distance(self):
        return 2000.0

    def close(self):
        pass


def time_sim(seed: int):
    simulation = prepare(WORLD, seed=seed)
    started = time.perf_counter()
    result = run_program(PROGRAM, simulation)
    return result, time.perf_counter() - started


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def count_iterations(seed: int) -> int:
    """Loop passes of the program in the simulator: one robot.wait() each."""
    simulation = prepare(WORLD, seed=seed)
    from roboarena.sims import link as link_module

    counter = {"waits": 0}
    original_wait = link_module.SimLink.wait

    def counting_wait(self, ms):
        counter["waits"] += 1
        original_wait(self, ms)

    link_module.SimLink.wait = counting_wait
    try:
        run_program(PROGRAM, simulation)
    finally:
        link_module.SimLink.wait = original_wait
    return counter["waits"]


def time_stub(iterations: int, spec) -> float:
    original = robot_module.open_link
    robot_module.open_link = lambda url, kind: StubLink(spec, iterations)
    try:
        code = compile(PROGRAM.read_text(), str(PROGRAM), "exec")
        started = time.perf_counter()
        exec(code, {"__name__": "__main__"})
        return time.perf_counter() - started
    finally:
        robot_module.open_link = original


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    prepare(WORLD)                       # load the world once, outside the timings
    iterations = count_iterations(0)
    sim_walls, sim_time = [], 0.0
    for _ in range(args.repeats):
        result, wall = time_sim(0)
        sim_walls.append(wall)
        sim_time = result.sim_time_s
    spec = prepare(WORLD).spec
    stub_walls = [time_stub(iterations, spec) for _ in range(args.repeats)]
    seed_factors = []
    for seed in range(1, 6):
        result, wall = time_sim(seed)
        seed_factors.append(result.sim_time_s / wall)

    best_sim, best_stub = min(sim_walls), min(stub_walls)
    rows = [
        ("loop iterations (seed 0)", f"{iterations}", ""),
        ("simulated time (seed 0)", f"{sim_time:.2f} s", ""),
        ("wall time in the simulator", f"{best_sim * 1000:.1f} ms", f"{best_sim / iterations * 1e6:.1f} us/iteration"),
        ("wall time against a stub robot", f"{best_stub * 1000:.1f} ms", f"{best_stub / iterations * 1e6:.1f} us/iteration"),
        ("real-time factor (seed 0)", f"{sim_time / best_sim:.0f}x", "target >= 500x"),
        ("real-time factor (seeds 1-5, median)", f"{statistics.median(seed_factors):.0f}x", "one run each"),
        ("simulator overhead", f"{best_sim / best_stub:.2f}x", "target <= 3x"),
    ]
    print(f"roboarena simulator benchmark: {PROGRAM.name} on {WORLD}, best of {args.repeats}")
    print(f"machine: {cpu_name()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    print_table(rows)


if __name__ == "__main__":
    main()
