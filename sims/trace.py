"""The run trace: the contract between robots, the simulator and the judge.

JSON Lines, optionally gzipped (a ``.gz`` name): one ``header`` line, then ``sample`` and
``event`` lines in time order, then one ``end`` line (a trace without it was cut short).
The format is specified in ``docs/trace.md`` and by ``trace.schema.json`` beside this
module. Floats are rounded when recorded, so the same run writes the same bytes.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
from pathlib import Path

from roboarena import __version__
from roboarena.sims.simulation import Simulation

TRACE_FORMAT = "roboarena-trace"
TRACE_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "trace.schema.json"


def _start_time() -> str:
    """Wall-clock start of the run, UTC. SOURCE_DATE_EPOCH (the reproducible-builds
    convention) pins it, for byte-identical traces of the same run."""
    pinned = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (_dt.datetime.fromtimestamp(int(pinned), _dt.timezone.utc) if pinned and pinned.isdigit()
              else _dt.datetime.now(_dt.timezone.utc))
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def header(simulation: Simulation, program_name: str = "", program_sha256: str = "") -> dict:
    world = simulation.world
    return {
        "type": "header",
        "format": TRACE_FORMAT,
        "version": TRACE_VERSION,
        "challenge": {"id": world.name, "hash": f"sha256:{world.content_hash}"},
        "source": "sim",
        "seed": simulation.seed,
        "program": {"name": program_name, "sha256": program_sha256},
        "firmware_version": None,
        "simulator_version": __version__,
        "robot": simulation.spec.as_dict(),
        "start_time": _start_time(),
        "time_limit_ms": simulation.time_limit_ms,
        "sample_period_ms": simulation.sample_period_ms,
    }


def _sample_record(kind: str, sample: tuple) -> dict:
    t_ms, x, y, heading, a, b, cmd_a, cmd_b, line, distance = sample
    record = {"type": "sample", "t": round(t_ms / 1000.0, 4), "pose": [round(x, 1), round(y, 1), round(heading, 2)]}
    if kind == "kit":
        record["wheels"] = [round(a, 1), round(b, 1)]
        record["cmd"] = {"left": round(cmd_a, 1), "right": round(cmd_b, 1)}
    else:
        record["speed"] = round(a, 1)
        record["steer"] = round(b, 2)
        record["cmd"] = {"speed": round(cmd_a, 1), "steer": round(cmd_b, 2)}
    sensors = {}
    if line is not None:
        sensors["line"] = list(line)
    if distance is not None:
        sensors["distance"] = distance
    record["sensors"] = sensors
    return record


def records(simulation: Simulation, program_name: str = "", program_sha256: str = ""):
    """The trace's records (dicts) in file order."""
    yield header(simulation, program_name, program_sha256)
    kind = simulation.spec.kind
    events = simulation.events
    next_event = 0
    for sample in simulation.samples:
        while next_event < len(events) and events[next_event][0] <= sample[0]:
            t_ms, name, fields = events[next_event]
            yield {"type": "event", "t": round(t_ms / 1000.0, 4), "event": name, **fields}
            next_event += 1
        yield _sample_record(kind, sample)
    for t_ms, name, fields in events[next_event:]:
        yield {"type": "event", "t": round(t_ms / 1000.0, 4), "event": name, **fields}
    yield {"type": "end", "t": round(simulation.t_ms / 1000.0, 4), "reason": simulation.over or "program-ended",
           "samples": len(simulation.samples), "events": len(events)}


def write_trace(simulation: Simulation, path: str | Path, program_name: str = "", program_sha256: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
                   for record in records(simulation, program_name, program_sha256))
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)   # mtime 0: the same run gives the same bytes
    path.write_bytes(data)
    return path


def read_trace(path: str | Path) -> list[dict]:
    """Every record of a trace file, in order (plain or gzipped)."""
    path = Path(path)
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
