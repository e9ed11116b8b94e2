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
import re
from pathlib import Path

from functools import lru_cache

from roboarena import __version__
from roboarena.errors import TraceError
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
        "challenge": {"id": simulation.settings.label or world.name,
                      "hash": f"sha256:{simulation.settings.content_hash or world.content_hash}"},
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


def event_record(event: tuple[float, str, dict]) -> dict:
    t_ms, name, fields = event
    return {"type": "event", "t": round(t_ms / 1000.0, 4), "event": name, **fields}


def end_record(simulation: Simulation) -> dict:
    return {"type": "end", "t": round(simulation.t_ms / 1000.0, 4), "reason": simulation.over or "program-ended",
            "samples": len(simulation.samples), "events": len(simulation.events)}


def records(simulation: Simulation, program_name: str = "", program_sha256: str = ""):
    """The trace's records (dicts) in file order."""
    yield header(simulation, program_name, program_sha256)
    kind = simulation.spec.kind
    events = simulation.events
    next_event = 0
    for sample in simulation.samples:
        while next_event < len(events) and events[next_event][0] <= sample[0]:
            yield event_record(events[next_event])
            next_event += 1
        yield _sample_record(kind, sample)
    for event in events[next_event:]:
        yield event_record(event)
    yield end_record(simulation)


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


def _trace_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise TraceError("file.missing", path=str(path), hint="Give the path of a .jsonl or .jsonl.gz trace.") from None
    except OSError as exc:
        raise TraceError("trace.bad", path=str(path), line=0, reason=str(exc)) from None
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise TraceError("trace.bad", path=str(path), line=0, reason=f"the gzip data is damaged ({exc})") from None
    return data


def _trace_lines(path: Path) -> list[bytes]:
    return [line for line in _trace_bytes(path).split(b"\n") if line.strip()]



def _parse(path: Path, number: int, line: bytes) -> dict:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TraceError("trace.bad", path=str(path), line=number, reason=f"it is not valid JSON ({exc})") from None
    if not isinstance(record, dict):
        raise TraceError("trace.bad", path=str(path), line=number, reason="it is not a JSON object")
    return record


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    return jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _check(path: Path, number: int, record: dict):
    error = next(iter(_validator().iter_errors(record)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the line"
        raise TraceError("trace.bad", path=str(path), line=number, reason=f"{where}: {error.message}")


def _check_event(path: Path, number: int, record: dict):
    t = record.get("t")
    if record.get("type") != "event":
        reason = "only sample and event lines may stand between the header and the end"
    elif isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0:
        reason = "t: it must be a number of seconds, 0 or more"
    elif not isinstance(record.get("event"), str) or not record["event"]:
        reason = "event: it must be the event's name"
    else:
        return
    raise TraceError("trace.bad", path=str(path), line=number, reason=reason)


_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")
_EVENT_OR_END = re.compile(rb'\n(\{"type":"e)')


def _check_header(path: Path, number: int, record: dict):
    challenge, seed = record.get("challenge"), record.get("seed")
    if record.get("type") != "header":
        reason = "the first line must be the header"
    elif record.get("format") != TRACE_FORMAT or record.get("version") != TRACE_VERSION:
        reason = f"format/version: this is not a {TRACE_FORMAT} version {TRACE_VERSION} trace"
    elif (not isinstance(challenge, dict) or not isinstance(challenge.get("id"), str) or not challenge["id"]
          or not isinstance(challenge.get("hash"), str) or not _HASH.match(challenge["hash"])):
        reason = "challenge: it must name the challenge id and its sha256 hash"
    elif record.get("source") not in ("sim", "virtual-board", "hardware"):
        reason = "source: it must be sim, virtual-board or hardware"
    elif seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        reason = "seed: it must be a whole number, 0 or more"
    elif not isinstance(record.get("program"), dict) or not isinstance(record.get("robot"), dict) \
            or not isinstance(record.get("start_time"), str):
        reason = "program, robot and start_time are required"
    else:
        return
    raise TraceError("trace.bad", path=str(path), line=number, reason=reason)


def _check_end(path: Path, number: int, record: dict):
    t, samples, events = record.get("t"), record.get("samples"), record.get("events")
    if record.get("type") != "end":
        raise TraceError("trace.truncated", path=str(path))
    if (isinstance(t, bool) or not isinstance(t, (int, float)) or t < 0
            or record.get("reason") not in ("finished", "time-limit", "program-ended", "stopped", "error")
            or any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in (samples, events))):
        raise TraceError("trace.bad", path=str(path), line=number, reason="the end line must give t, a known "
                                                                           "reason, and the sample and event counts")


def read_trace(path: str | Path, validate: bool = False) -> list[dict]:
    """Every record of a trace file, in order (plain or gzipped); with ``validate`` each
    line is checked against the schema and a trace without its end line is refused."""
    path = Path(path)
    records = [_parse(path, number, line) for number, line in enumerate(_trace_lines(path), start=1)]
    if validate:
        for number, record in enumerate(records, start=1):
            _check(path, number, record)
        _check_shape(path, records)
    return records


def read_events(path: str | Path) -> tuple[dict, list[dict], dict, int]:
    """(header, event records, end record, sample count) of a trace. Header, events and
    end are parsed and checked (a missing end, a miscounted or damaged event is refused);
    sample lines, which scoring does not read, are skipped unread, so scoring a 3-minute
    run takes a couple of milliseconds. The full check of every line, samples included, is
    ``read_trace(path, validate=True)`` (``roboarena verify``).

    The fast path relies on the form roboarena writes (compact JSON, "type" first). A
    trace written otherwise (spaces, another key order) is read line by line instead."""
    path = Path(path)
    data = _trace_bytes(path)
    if not data.endswith(b"\n"):
        data += b"\n"
    try:
        return _read_events_fast(path, data)
    except TraceError:
        pass   # not in our compact form, or really damaged: the careful reading says which
    records = [_parse(path, number, line) for number, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    for number, record in enumerate(records, start=1):
        if record.get("type") != "sample":
            (_check_event if record.get("type") == "event" else _check)(path, number, record)
    _check_shape(path, records)
    kept = [r for r in records if r.get("type") != "sample"]
    return kept[0], kept[1:-1], kept[-1], kept[-1]["samples"]


def _read_events_fast(path: Path, data: bytes):
    # Header, events and end: the header is the first line; events and the end line are the
    # only lines starting {"type":"e, found by one regex scan (C speed, no sample parsed).
    starts = [0] + [found.start(1) for found in _EVENT_OR_END.finditer(data)]
    records = []
    for index, start in enumerate(starts):
        line = data[start:data.index(b"\n", start)]
        # Checked by hand, the schema's rules for what scoring reads: a hundred times faster
        # than the validator (tests check that both agree).
        check = _check_header if index == 0 else _check_end if index == len(starts) - 1 else _check_event
        try:
            record = _parse(path, 0, line)
            check(path, 0, record)
        except TraceError:
            # Only now is the line number worth counting: raise again, saying where.
            number = data.count(b"\n", 0, start) + 1
            record = _parse(path, number, line)
            check(path, number, record)
            raise
        records.append(record)
    _check_shape(path, records, records[-1].get("samples") if records else 0)
    return records[0], records[1:-1], records[-1], records[-1]["samples"]


def _check_shape(path: Path, records: list[dict], samples: int | None = None):
    """A header first, an end last, their counts right: otherwise the trace is refused."""
    if not records or records[0].get("type") != "header":
        raise TraceError("trace.bad", path=str(path), line=1, reason="the first line must be the header")
    if records[-1].get("type") != "end":
        raise TraceError("trace.truncated", path=str(path))
    end = records[-1]
    events = sum(1 for r in records if r.get("type") == "event")
    if samples is None:
        samples = sum(1 for r in records if r.get("type") == "sample")
    if end["events"] != events or end["samples"] != samples:
        raise TraceError("trace.truncated", path=str(path))
    for record in records[1:-1]:
        if record.get("type") not in ("event", "sample"):
            raise TraceError("trace.bad", path=str(path), line=records.index(record) + 1,
                             reason="only sample and event lines may stand between the header and the end")
