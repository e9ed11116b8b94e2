"""``roboarena ports`` and ``roboarena run``: the kits plugged in, and a student's program
run on one of them (or on a simulated board, ``--port "sim://line-follow?board=core"``),
with its run trace recorded from the telemetry.

A hardware trace has the simulator's format (``docs/trace.md``), source ``hardware`` (or
``virtual-board`` for a simulated board), the firmware version from the HELLO_REPLY and
one sample per telemetry frame. A real kit does not know where it is, so ``pose`` is
dead reckoning from the encoders and the gyro, from the challenge's start pose (the header
says ``"pose_source": "odometry"``); a simulated board's trace takes the simulation's true
pose and its events (checkpoints, laps, finish), so it can be scored.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path

from roboarena import __version__
from roboarena.errors import ConnectError, ProgramError, RunOver
from roboarena.host.serial_link import proto
from roboarena.messages import Msg, render

EXIT_OK, EXIT_FAILURE = 0, 1
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# --- roboarena ports ---------------------------------------------------------------------------------
def cmd_ports(args) -> int:
    from roboarena.host import ports

    kits = ports.find_kits()
    if args.json:
        print(json.dumps({"kits": [kit.as_dict() for kit in kits]}, ensure_ascii=False))
        return EXIT_OK
    from roboarena.cli import _console

    console = _console()
    if not kits:
        console.print(render("ports.none"), markup=False)
        return EXIT_OK
    from rich.table import Table

    table = Table(title=render("ports.heading"))
    for column in ("port", "description", "vid_pid", "chip", "serial_number"):
        table.add_column(render(f"ports.column.{column}"), no_wrap=column == "port")
    for kit in kits:
        table.add_row(kit.port, kit.description, kit.vid_pid, kit.chip, kit.serial_number)
    console.print(table)
    console.print(render("ports.hint", port=kits[0].port), markup=False)
    return EXIT_OK


# --- the trace of a run on a board ---------------------------------------------------------------------
class HardwareTrace:
    """Records a run from the link's telemetry: one sample per telemetry frame."""

    def __init__(self, link, challenge=None):
        self.link = link
        self.spec = link.spec
        self.samples: list[dict] = []
        self._counts_per_mm = self.spec.encoder_counts_per_rev / (math.pi * self.spec.wheel_diameter_mm)
        board = link.core_board
        self.simulation = board.simulation if board is not None else None
        if self.simulation is not None:
            start = self.simulation.start_pose
        elif challenge is not None:
            start = challenge.settings.start_pose or challenge.world.starts[0]
        else:
            start = (0.0, 0.0, 0.0)
        self.start_pose = tuple(float(v) for v in start)
        self.challenge = challenge
        self._pose = list(self.start_pose)
        self._last = None                # (t_ms, left, right, heading_deg) of the previous frame
        link.listeners.append(self._on_telemetry)

    def _on_telemetry(self, link, telemetry):
        t_ms, left, right, heading = link.in_run(telemetry)
        capabilities = link.board.capabilities if link.board is not None else 0
        wheels = [0.0, 0.0]
        if self._last is not None:
            last_t, last_left, last_right, last_heading = self._last
            d_left = (left - last_left) / self._counts_per_mm
            d_right = (right - last_right) / self._counts_per_mm
            if t_ms > last_t:
                wheels = [d_left * 1000.0 / (t_ms - last_t), d_right * 1000.0 / (t_ms - last_t)]
            if not capabilities & proto.CAP_GYRO and self.spec.axle_track_mm:
                heading = last_heading + math.degrees((d_right - d_left) / self.spec.axle_track_mm)
            middle = math.radians(self.start_pose[2] + (last_heading + heading) / 2)
            travel = (d_left + d_right) / 2
            self._pose[0] += travel * math.cos(middle)
            self._pose[1] += travel * math.sin(middle)
        self._pose[2] = self.start_pose[2] + heading
        self._last = (t_ms, left, right, heading)
        pose = self._pose
        if self.simulation is not None:      # a simulated board: the simulation knows the truth
            body = self.simulation.body
            pose = (body.x, body.y, math.degrees(body.heading))
        record = {"type": "sample", "t": round(max(t_ms, 0) / 1000.0, 4),
                  "pose": [round(pose[0], 1), round(pose[1], 1), round(pose[2], 2)]}
        a, b = link.last_command
        if self.spec.kind == "kit":
            record["wheels"] = [round(wheels[0], 1), round(wheels[1], 1)]
            record["cmd"] = {"left": round(a, 1), "right": round(b, 1)}
        else:
            record["speed"] = round((wheels[0] + wheels[1]) / 2, 1)
            record["cmd"] = {"speed": round(a, 1), "steer": round(b, 2)}
        sensors = {}
        if capabilities & proto.CAP_LINE:
            sensors["line"] = [max(0, min(4095, v)) for v in telemetry.line]
        if capabilities & proto.CAP_ULTRASONIC:
            sensors["distance"] = telemetry.distance_mm
        record["sensors"] = sensors
        self.samples.append(record)

    def _events(self) -> list[tuple[float, str, dict]]:
        link, board = self.link, self.link.core_board
        if self.simulation is not None and board.sim_start_ms is not None:
            # A simulated board: the simulation's own events (it saw the LED and the buzzer
            # too). Its time counts from the first ARM; run time from the first telemetry after.
            shift = board.sim_start_ms + link.offsets[0]
            events = [(max(0.0, t + shift), name, fields) for t, name, fields in self.simulation.events]
            events += [event for event in link.events if event[1] not in ("led", "beep")]
        else:
            events = [(0.0, "start", {"x": round(self.start_pose[0], 1), "y": round(self.start_pose[1], 1),
                                      "heading": round(self.start_pose[2], 2)})] + list(link.events)
        return sorted(events, key=lambda event: event[0])

    def header(self, program: Path, digest: str) -> dict:
        link, challenge = self.link, self.challenge
        simulation = self.simulation
        if simulation is not None:
            world = simulation.world
            identity = {"id": simulation.settings.label or world.name,
                        "hash": f"sha256:{simulation.settings.content_hash or world.content_hash}"}
        elif challenge is not None:
            identity = {"id": challenge.id, "hash": f"sha256:{challenge.content_hash}"}
        else:
            identity = {"id": "free-run", "hash": f"sha256:{EMPTY_SHA256}"}
        header = {
            "type": "header", "format": "roboarena-trace", "version": 1, "challenge": identity,
            "source": link.source, "seed": simulation.seed if simulation is not None else None,
            "program": {"name": program.name, "sha256": digest},
            "firmware_version": link.board.firmware_version if link.board is not None else None,
            "simulator_version": __version__, "robot": self.spec.as_dict(), "start_time": _start_time(),
            "sample_period_ms": float(link.telemetry_ms),
            "pose_source": "simulator" if simulation is not None else "odometry",
            "board": link.board.as_dict() if link.board is not None else None,
        }
        limit = simulation.time_limit_ms if simulation is not None else (challenge.time_limit_ms if challenge else None)
        if limit:
            header["time_limit_ms"] = limit
        return header

    def write(self, path: str | Path, program: Path, digest: str, reason: str) -> Path:
        """The trace file: header, samples and events in time order, end."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        samples, events = list(self.samples), self._events()
        lines = [self.header(program, digest)]
        index = 0
        for sample in samples:
            while index < len(events) and events[index][0] / 1000.0 <= sample["t"]:
                lines.append(_event_record(events[index]))
                index += 1
            lines.append(sample)
        lines += [_event_record(event) for event in events[index:]]
        end_t = max([samples[-1]["t"] if samples else 0.0] + [round(e[0] / 1000.0, 4) for e in events])
        lines.append({"type": "end", "t": end_t, "reason": reason, "samples": len(samples),
                      "events": len(events)})
        text = "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)
        data = text.encode("utf-8")
        if path.suffix == ".gz":
            data = gzip.compress(data, mtime=0)
        path.write_bytes(data)
        return path


def _event_record(event) -> dict:
    t_ms, name, fields = event
    return {"type": "event", "t": round(max(0.0, t_ms) / 1000.0, 4), "event": name, **fields}


def _start_time() -> str:
    pinned = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(pinned), _dt.timezone.utc) if pinned and pinned.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


# --- roboarena run -------------------------------------------------------------------------------------
def open_board_link(url: str):
    """The serial link for ``roboarena run``: a port, a network address, or a simulated
    board (``sim://WORLD?board=core`` or ``board=virtual``); the plain simulator is
    ``roboarena sim``'s job."""
    if url.startswith("sim://"):
        from roboarena.sims.link import SimLink, parse_sim_url

        if parse_sim_url(url)[1].get("board") not in ("core", "virtual"):
            raise ConnectError("connect.unsupported", url=url, reason=Msg("run.plain_sim"))
        return SimLink.open(url)
    from roboarena.host.serial_link import SerialLink

    return SerialLink.open(url)


def cmd_run(args) -> int:
    from roboarena.host import connect, ports
    from roboarena.sims.runner import _program_error, compile_program

    program = Path(args.program).resolve()
    code, digest = compile_program(program)
    challenge = None
    if args.challenge:
        from roboarena.challenges.pack import load_challenge

        challenge = load_challenge(args.challenge)
    url = args.port or ports.the_one_kit(program.name)
    link = open_board_link(url)
    recorder = HardwareTrace(link, challenge)
    saved = (os.environ.get("ROBOARENA_URL"), list(sys.argv), list(sys.path))
    os.environ["ROBOARENA_URL"] = url
    sys.argv = [str(program)]
    sys.path.insert(0, str(program.parent))
    connect.offer(link)
    failure: ProgramError | None = None
    lost = False
    outcome = "program-ended"
    started = time.perf_counter()
    try:
        try:
            exec(code, {"__name__": "__main__", "__file__": str(program), "__builtins__": __builtins__})
        except RunOver as over:
            outcome = over.reason
        except SystemExit as exc:
            if exc.code not in (None, 0):
                failure = _program_error(exc, program)
        except KeyboardInterrupt:
            outcome = "stopped"
        except Exception as exc:  # noqa: BLE001 - any error in the student's code is reported
            if link.lost:
                lost = True
            else:
                failure = _program_error(exc, program)
    finally:
        connect.offer(None)
        wall_s = time.perf_counter() - started
        time_s = link.time_ms / 1000.0
        over = link.run_over() if link.run_over is not None else None
        lost = lost or link.lost
        link.close()
        url_before, sys.argv, sys.path[:] = saved
        if url_before is None:
            os.environ.pop("ROBOARENA_URL", None)
        else:
            os.environ["ROBOARENA_URL"] = url_before
    if over is not None and outcome == "program-ended":
        outcome = over
    if failure is not None or lost:
        outcome = "error"
    written = {}
    if args.trace:
        written["trace"] = str(recorder.write(args.trace, program, digest, outcome))
    if failure is not None:
        raise failure
    result = {"program": program.name, "port": url, "outcome": "link-lost" if lost else outcome,
              "time_s": round(time_s, 3), "wall_time_s": round(wall_s, 3), "program_sha256": digest,
              "board": link.board.as_dict() if link.board else None,
              "link": dict(link.stats, errors=link.decoder.errors)} | written
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return EXIT_FAILURE if lost else EXIT_OK
    from roboarena.cli import _console

    console = _console()
    console.print(render("run.title", program=program.name, url=url, board=link.board.board_id,
                         firmware=link.board.firmware_version), style="bold", markup=False)
    console.print(render("run.summary", outcome=render(f"result.{result['outcome']}"), time_s=time_s,
                         sent=link.stats["sent"], received=link.stats["received"], errors=link.decoder.errors,
                         retries=link.stats["retries"], reconnects=link.stats["reconnects"]), markup=False)
    if "trace" in written:
        console.print(render("result.trace_written", path=written["trace"]), markup=False)
    return EXIT_FAILURE if lost else EXIT_OK


# --- roboarena gate ------------------------------------------------------------------------------------
def gate_crossings(link, stop=lambda: False, poll_s: float = 0.02):
    """Each crossing a timing-gate board reports, as (run time s, board time ms, sensor),
    the run time on the host's clock (the link estimates the board clock's offset and rate
    from telemetry)."""
    seen = 0
    while not stop() and not link.lost:
        events = link.events
        while seen < len(events):
            t_ms, name, fields = events[seen]
            seen += 1
            if name == "gate":
                yield t_ms / 1000.0, t_ms - link.offsets[0], fields.get("sensor", 0)
        time.sleep(poll_s)


def cmd_gate(args) -> int:
    """Print crossings as they happen, until Ctrl-C; with --server, post each to the judge too."""
    from roboarena.cli import EXIT_BAD_INPUT, _console
    from roboarena.host.serial_link import SerialLink

    console = _console()
    token = getattr(args, "token", None) or os.environ.get("ROBOARENA_TOKEN")
    if args.server:
        from roboarena.judge.gate_client import GatePoster

        if getattr(args, "round", None) is None or not token:
            _console(stderr=True).print(render("judge.gate.need_round_and_token"), markup=False)
            return EXIT_BAD_INPUT
    link = SerialLink.open(args.port)
    if not link.board.capabilities & proto.CAP_GATE:
        link.close()
        raise ConnectError("gate.not_a_gate", port=args.port)
    console.print(render("gate.ready", port=args.port), markup=False)
    poster = None
    if args.server:
        # Notes about the judge go to stderr, so --json output stays one object per line.
        notes = _console(stderr=True)
        poster = GatePoster(args.server, args.round, token, say=lambda text: notes.print(text, markup=False))
        notes.print(render("judge.gate.posting", round=args.round, server=args.server), markup=False)
    device = str(getattr(link.board, "board_id", "") or args.port)
    try:
        for run_s, board_ms, sensor in gate_crossings(link):
            if args.json:
                print(json.dumps({"event": "gate", "t": round(run_s, 3), "board_ms": board_ms, "sensor": sensor}),
                      flush=True)
            else:
                console.print(render("gate.crossing", t=run_s, board_ms=board_ms), markup=False)
            if poster is not None:
                poster.add(round(board_ms), sensor, device)
    except KeyboardInterrupt:
        pass
    finally:
        link.close()
        if poster is not None:
            poster.close()
    return EXIT_OK
