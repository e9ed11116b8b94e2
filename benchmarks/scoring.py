"""How fast runs are scored, printed as a table: a 3-minute run sampled at 100 Hz.

The run is a program that keeps the kit busy in the maze for the whole 180 s time limit
(18,000 samples and a few dozen events: it bumps into walls on purpose). Measured in one run on this machine:

- the simulation's own wall time for that run;
- scoring it from memory (what ``roboarena sim --json`` does);
- scoring it from its trace file, plain and gzipped (what ``roboarena score`` and the judge do:
  read, check the header, events and end against the schema, score);

and each as a share of the simulation time (target: scoring at most 1 %).

Run: ``python benchmarks/scoring.py [--repeats N]``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.results import score_simulation, score_trace
from roboarena.sims.runner import prepare, run_program
from roboarena.sims.trace import write_trace

from tables import best_of, print_table  # noqa: E402  (this folder: the scripts run as files)

WANDERER = """
from roboarena import Robot

robot = Robot()
while robot.running:
    if robot.bumper.pressed:          # bump, back off, turn, go on: a run full of events
        robot.drive(-150, 0)
        robot.wait(300)
        robot.drive(0, 120)
        robot.wait(700)
    robot.drive(250, robot.distance() / 40 - 20)
    robot.wait(10)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    challenge = load_challenge("maze")
    with tempfile.TemporaryDirectory() as folder:
        program = Path(folder) / "wanderer.py"
        program.write_text(WANDERER)
        simulated = {}

        def simulate():
            simulated["sim"] = prepare("maze", seed=0)
            run_program(program, simulated["sim"])

        sim_s = best_of(args.repeats, simulate)
        simulation = simulated["sim"]
        plain = write_trace(simulation, Path(folder) / "run.jsonl")
        packed = write_trace(simulation, Path(folder) / "run.jsonl.gz")
        memory_s = best_of(args.repeats, lambda: score_simulation(challenge, simulation))
        plain_s = best_of(args.repeats, lambda: score_trace(plain))
        packed_s = best_of(args.repeats, lambda: score_trace(packed))
        rows = [
            ("run length", f"{simulation.t_ms / 1000:.0f} s, {len(simulation.samples)} samples, "
                           f"{len(simulation.events)} events", ""),
            ("trace size", f"{plain.stat().st_size / 1e6:.1f} MB plain, {packed.stat().st_size / 1e6:.2f} MB gzipped", ""),
            ("simulating the run", f"{sim_s * 1000:.0f} ms", f"{simulation.t_ms / 1000 / sim_s:.0f}x real time"),
        ]
        for name, seconds in (("scoring from memory", memory_s), ("scoring the .jsonl file", plain_s),
                              ("scoring the .jsonl.gz file", packed_s)):
            rows.append((name, f"{seconds * 1000:.2f} ms ({1 / seconds:.0f} traces/s)",
                         f"{seconds / sim_s * 100:.2f} % of the simulation (target <= 1 %)"))
    print(f"roboarena scoring benchmark: a 3-minute 100 Hz maze run, best of {args.repeats}")
    print_table(rows)


if __name__ == "__main__":
    main()
