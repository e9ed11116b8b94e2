"""The ``roboarena`` command: one console script, one subcommand per job.

Exit codes: 0 success, 2 bad input (including a student's program that fails), 1 any
other failure. ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from roboarena import __version__
from roboarena.errors import ProgramError, RoboarenaError
from roboarena.messages import current_language, render

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _console(stderr: bool = False):
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = 120     # piped or captured: rich would assume 80 columns and cut tables short
    return console


def _seed(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(render("cli.bad_seed", value=text))
    return int(text)


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10000:
        raise argparse.ArgumentTypeError(render("cli.bad_count", value=text))
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="roboarena", description="Robot competitions and maker labs for schools.")
    parser.add_argument("--version", action="version", version=f"roboarena {__version__}")
    parser.add_argument("--lang", choices=("en", "zh"), help="language of messages (default: from the locale)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sim = commands.add_parser("sim", help="run a program in a challenge or a world, simulated")
    sim.add_argument("challenge", help="a challenge (line-follow, maze, lane-keeping, ...), a pack folder, "
                                       "or a plain world (road, ...) or world folder")
    sim.add_argument("program", help="the student's program, a .py file")
    sim.add_argument("--seed", type=_seed, default=0, help="seed for noise, motor mismatch, start jitter (default 0)")
    sim.add_argument("--seeds", type=_count, metavar="N", help="run N seeds from --seed on, headless, and report "
                                                               "the score distribution and the ranking score")
    sim.add_argument("--robot", help="robot spec: a built-in name (kit, car) or a .toml file")
    sim.add_argument("--opponent", metavar="PROGRAM.py", help="in a match (sumo): the other robot's program "
                                                             "(default: the challenge's sparring partner)")
    sim.add_argument("--headless", action="store_true", help="no window; run as fast as possible")
    sim.add_argument("--speed", default="1", choices=("1", "4", "max"), help="window pacing (default 1x)")
    sim.add_argument("--trace", metavar="OUT", help="write the run trace (.jsonl, or .jsonl.gz)")
    sim.add_argument("--png", metavar="OUT", help="save a picture of the final frame with the trajectory")
    sim.add_argument("--json", action="store_true", help="print the result as one JSON object")

    drive = commands.add_parser("drive", help="drive a simulated robot with the keyboard")
    drive.add_argument("world", nargs="?", default="line-follow")
    drive.add_argument("--robot", help="robot spec: a built-in name or a .toml file")
    drive.add_argument("--seed", type=_seed, default=0)

    demo = commands.add_parser("demo", help="a demo competition on a local judge: the example teams' programs run "
                                             "in the simulator, the leaderboards printed and served until Ctrl+C")
    demo.add_argument("--no-serve", action="store_true", help="print the leaderboards and exit, without serving them")
    demo.add_argument("--instance", metavar="DIR", help="the demo judge's folder, emptied and refilled on every run "
                                                        "(default ~/.roboarena/demo)")
    demo.add_argument("--port", type=int, default=8080, help="port to serve on at 127.0.0.1 (default 8080; "
                                                             "if it is in use, a free one)")
    demo.add_argument("--json", action="store_true", help="print the results as one JSON object and exit")

    score = commands.add_parser("score", help="score a run trace against its challenge")
    score.add_argument("trace", help="a .jsonl or .jsonl.gz trace")
    score.add_argument("--pack", help="score with this pack folder (e.g. a fixed version of the rules)")
    score.add_argument("--json", action="store_true", help="print the score as one JSON object")

    verify = commands.add_parser("verify", help="re-simulate a sim trace and report the first difference")
    verify.add_argument("trace")
    verify.add_argument("program")
    verify.add_argument("--json", action="store_true")

    packs = commands.add_parser("challenges", help="list, show, check and print challenge packs")
    pack_commands = packs.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = pack_commands.add_parser("list", help="the installed challenges")
    listing.add_argument("--json", action="store_true")
    show = pack_commands.add_parser("show", help="a challenge's instructions and rules")
    show.add_argument("challenge")
    show.add_argument("--json", action="store_true")
    validate = pack_commands.add_parser("validate", help="check a pack folder and say what is wrong")
    validate.add_argument("path")
    printing = pack_commands.add_parser("print", help="the floor at true scale as a PDF of A4 pages")
    printing.add_argument("challenge")
    printing.add_argument("--out", required=True, help="the PDF file to write")
    board = commands.add_parser("virtual-board", help="the real firmware in the MicroPython VM on a pseudo-terminal, "
                                                      "driving a simulated robot")
    board.add_argument("challenge", nargs="?", default="line-follow", help="a challenge or world (default line-follow)")
    board.add_argument("--seed", type=_seed, default=0, help="seed for noise, motor mismatch, start jitter (default 0)")
    board.add_argument("--speed", default="1", help="board time per real time (default 1; max: unpaced)")
    board.add_argument("--robot", help="robot spec: a built-in name (kit, car) or a .toml file")
    board.add_argument("--baud", type=int, default=115200, help="serial line speed modelled, in board time "
                                                                "(default 115200; 0: no line model)")

    firmware = commands.add_parser("firmware", help="put the firmware on a board, or read its version")
    firmware_commands = firmware.add_subparsers(dest="action", required=True, metavar="ACTION")
    flash = firmware_commands.add_parser("flash", help="copy the firmware onto a MicroPython board (mpremote)")
    flash.add_argument("--port", required=True, metavar="URL", help="the board's serial port, e.g. COM4 or /dev/ttyUSB0")
    flash.add_argument("--board", choices=("esp32", "pico", "esp32_gate"), default="esp32",
                       help="which kit's pin map (default esp32; esp32_gate: a timing gate)")
    reading = firmware_commands.add_parser("version", help="the firmware version on a board")
    reading.add_argument("--port", required=True, metavar="URL")

    gate = commands.add_parser("gate", help="a timing gate board: print each crossing as it happens")
    gate.add_argument("--port", required=True, metavar="URL")
    gate.add_argument("--server", metavar="URL", help="the judging server to post crossings to, e.g. http://127.0.0.1:8000")
    gate.add_argument("--round", type=int, help="with --server: the round's number on the server")
    gate.add_argument("--token", help="with --server: API token (default: $ROBOARENA_TOKEN)")
    gate.add_argument("--json", action="store_true", help="one JSON object per crossing")

    submit = commands.add_parser("submit", help="send a run (a trace, or a program for the server to run) to a judge")
    submit.add_argument("file", help="a trace (.jsonl, .jsonl.gz), scored at once, or a program (.py), run by the "
                                     "server in the round's challenge")
    submit.add_argument("--server", required=True, metavar="URL", help="e.g. http://127.0.0.1:8000")
    submit.add_argument("--round", required=True, type=int, help="the round's number on the server")
    submit.add_argument("--team", required=True, help="the team's name, as registered")
    submit.add_argument("--token", help="API token (default: $ROBOARENA_TOKEN)")
    submit.add_argument("--json", action="store_true", help="print the server's answer as one JSON object")

    ports = commands.add_parser("ports", help="list the robot kits plugged in by USB")
    ports.add_argument("--json", action="store_true", help="print the kits as one JSON object")

    run = commands.add_parser("run", help="run a program on a robot kit (or a simulated board)")
    run.add_argument("program", help="the student's program, a .py file")
    run.add_argument("--port", metavar="URL", help="COM4, /dev/ttyUSB0, socket://HOST:PORT or "
                                                   "sim://CHALLENGE?board=core (default: the one kit plugged in)")
    run.add_argument("--challenge", help="the challenge being run, for the trace (start pose, id and version)")
    run.add_argument("--trace", metavar="OUT", help="write the run trace from the telemetry (.jsonl, or .jsonl.gz)")
    run.add_argument("--json", action="store_true", help="print the result as one JSON object")

    judge = commands.add_parser("judge", help="the judging server: set up its database, serve it, issue API tokens")
    judge.add_argument("--instance", metavar="DIR", help="the server's data folder (default: ROBOARENA_JUDGE_INSTANCE_PATH, "
                                                         "else ~/.roboarena/judge)")
    judge_commands = judge.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = judge_commands.add_parser("init", help="create or upgrade the database and the first admin user")
    init.add_argument("--admin", default="admin", help="the admin's user name (default admin)")
    serve = judge_commands.add_parser("serve", help="serve the judge (waitress)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    serve.add_argument("--port", type=int, default=8000)
    token = judge_commands.add_parser("token", help="print a new API token for a user, once")
    token.add_argument("--user", required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.lang:
        os.environ["ROBOARENA_LANG"] = args.lang
    try:
        if args.command == "sim":
            return cmd_sim(args)
        if args.command == "drive":
            from roboarena.sims.teleop import drive

            return drive(args.world, args.robot, args.seed)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "virtual-board":
            from roboarena.sims.virtual_board import cmd_virtual_board

            return cmd_virtual_board(args)
        if args.command == "submit":
            from roboarena.judge.client import cmd_submit

            return cmd_submit(args)
        if args.command == "firmware":
            from roboarena.host.firmware_tools import cmd_firmware

            return cmd_firmware(args)
        if args.command == "judge":
            from roboarena.judge.cli_commands import cmd_judge

            return cmd_judge(args)
        if args.command in ("ports", "run", "gate"):
            from roboarena.host import commands as host_commands

            return {"ports": host_commands.cmd_ports, "run": host_commands.cmd_run,
                    "gate": host_commands.cmd_gate}[args.command](args)
        from roboarena.challenges import commands

        return {"score": commands.cmd_score, "verify": commands.cmd_verify,
                "challenges": commands.cmd_challenges}[args.command](args)
    except RoboarenaError as exc:
        _report(exc, getattr(args, "json", False))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        _console(stderr=True).print(render("program.interrupted"))
        return EXIT_FAILURE
    return EXIT_FAILURE


def _report(exc: RoboarenaError, as_json: bool):
    if as_json:
        print(json.dumps({"error": exc.message_id, "message": {"en": exc.text("en"), "zh": exc.text("zh")}},
                         ensure_ascii=False))
    _console(stderr=True).print(exc.text(), markup=False)


def cmd_sim(args) -> int:
    from roboarena.sims.runner import prepare, run_challenge, run_program

    if args.seeds:
        from roboarena.challenges.commands import cmd_sim_seeds

        return cmd_sim_seeds(args)
    simulation = prepare(args.challenge, seed=args.seed, robot=args.robot)
    match = simulation.settings.robots > 1       # a bout of several robots (sumo): no window yet
    viewer = None
    if not args.headless and not match:
        from roboarena.sims.view import NoDisplay, Viewer

        try:
            viewer = Viewer(simulation, speed=None if args.speed == "max" else float(args.speed))
        except NoDisplay:
            _console(stderr=True).print(render("window.none"))
    try:
        if match:
            result = run_challenge(args.challenge, args.program, seed=args.seed, robot=args.robot,
                                   opponent=args.opponent)
        else:
            result = run_program(args.program, simulation)
        if viewer is not None:
            viewer.hold()        # keep the last frame on screen until the user closes it
    except ProgramError as exc:
        if exc.simulation is not None:
            _write_outputs(args, exc.simulation, exc.program_sha256)
        raise
    finally:
        if viewer is not None:
            viewer.close()
    simulation = result.simulation
    written = _write_outputs(args, simulation, result.program_sha256)
    score = score_of(simulation)
    if args.json:
        print(json.dumps(result.as_dict() | written | (score.as_dict() if score else {}), ensure_ascii=False))
        return EXIT_OK
    console = _console()
    console.print(render("result.title", world=simulation.settings.label or result.world, program=result.program,
                         seed=result.seed), style="bold")
    console.print(result.summary())
    if score is not None:
        console.print(render("result.score", score=score.as_dict()["score"],
                             explanation=score.explanation[current_language()]), style="bold")
    for key, message in (("trace", "result.trace_written"), ("png", "result.png_written")):
        if key in written:
            console.print(render(message, path=written[key]))
    return EXIT_OK


def score_of(simulation):
    """The run's score when it ran a challenge (None in a plain world)."""
    if not simulation.settings.label:
        return None
    from roboarena.challenges.pack import load_challenge
    from roboarena.challenges.results import score_simulation

    return score_simulation(load_challenge(simulation.settings.label), simulation)


def _write_outputs(args, simulation, program_sha256: str) -> dict:
    written = {}
    if args.trace:
        from roboarena.sims.trace import write_trace

        written["trace"] = str(write_trace(simulation, args.trace, Path(args.program).name, program_sha256))
    if args.png:
        from roboarena.sims.view import save_png

        written["png"] = str(save_png(simulation, args.png))
    return written


def cmd_demo(args) -> int:
    from roboarena.judge.demo import run_demo

    return run_demo(args, console=_console(), progress_console=_console(stderr=True))


if __name__ == "__main__":
    sys.exit(main())
