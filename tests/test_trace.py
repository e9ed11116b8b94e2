"""The run trace: schema-valid, complete, and bit-identical for the same run."""

import json

import jsonschema
import pytest

from project_paths import EXAMPLES
from roboarena.cli import main
from roboarena.sims.trace import SCHEMA_PATH, read_trace


def sim_trace(tmp_path, name, seed=0, world="line-follow", program="line_follower.py"):
    out = tmp_path / name
    assert main(["sim", world, str(EXAMPLES / program), "--headless", "--seed", str(seed), "--trace", str(out)]) == 0
    return out


@pytest.fixture(autouse=True)
def pinned_start_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")


def test_same_world_seed_and_program_give_the_same_trace_bytes(tmp_path):
    first = sim_trace(tmp_path, "a.jsonl", seed=3).read_bytes()
    second = sim_trace(tmp_path, "b.jsonl", seed=3).read_bytes()
    assert first == second
    assert sim_trace(tmp_path, "c.jsonl", seed=4).read_bytes() != first


def test_gzipped_traces_are_identical_too_and_read_back(tmp_path):
    first = sim_trace(tmp_path, "a.jsonl.gz", seed=1)
    second = sim_trace(tmp_path, "b.jsonl.gz", seed=1)
    assert first.read_bytes() == second.read_bytes()
    assert read_trace(first) == read_trace(sim_trace(tmp_path, "c.jsonl", seed=1))


def test_every_line_matches_the_schema_and_the_trace_is_complete(tmp_path):
    records = read_trace(sim_trace(tmp_path, "t.jsonl"))
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))
    for record in records:
        validator.validate(record)
    header, end = records[0], records[-1]
    assert header["type"] == "header" and header["challenge"]["id"] == "line-follow"
    assert header["robot"]["kind"] == "kit" and header["seed"] == 0
    assert end["type"] == "end" and end["reason"] == "finished"
    samples = [r for r in records if r["type"] == "sample"]
    events = [r for r in records if r["type"] == "event"]
    assert end["samples"] == len(samples) and end["events"] == len(events)
    times = [r["t"] for r in records[1:-1]]
    assert times == sorted(times)
    assert [e["lap"] for e in events if e["event"] == "lap"] == [1, 2]
    assert all(len(s["sensors"]["line"]) == 5 for s in samples[1:])


def test_a_car_trace_records_speed_and_steering(tmp_path, write_program):
    program = write_program("from roboarena import Car\ncar = Car()\ncar.drive(400, 10)\ncar.wait(2000)\n")
    out = tmp_path / "car.jsonl"
    assert main(["sim", "road", str(program), "--headless", "--trace", str(out)]) == 0
    samples = [r for r in read_trace(out) if r["type"] == "sample"]
    assert samples[-1]["cmd"] == {"speed": 400.0, "steer": 10.0}
    assert samples[-1]["speed"] > 300 and samples[-1]["pose"][2] > 20   # it turned left


def test_the_fast_event_check_agrees_with_the_schema():
    from roboarena.errors import TraceError
    from roboarena.sims.trace import _check, _check_event

    cases = [{"type": "event", "t": 1.5, "event": "lap", "lap": 1}, {"type": "event", "t": -1, "event": "lap"},
             {"type": "event", "t": "1", "event": "lap"}, {"type": "event", "t": 1, "event": ""},
             {"type": "event", "t": 1}, {"type": "sample", "t": 1, "event": "x"}, {"type": "event", "t": True, "event": "a"}]
    for record in cases:
        outcomes = []
        for check in (_check, _check_event):
            try:
                check("trace.jsonl", 1, record)
                outcomes.append(True)
            except TraceError:
                outcomes.append(False)
        assert outcomes[0] == outcomes[1], record


def test_the_fast_header_and_end_checks_agree_with_the_schema(tmp_path):
    from roboarena.errors import TraceError
    from roboarena.sims.trace import _check, _check_end, _check_header

    trace = sim_trace(tmp_path, "t.jsonl")
    records = read_trace(trace)
    header, end = records[0], records[-1]
    headers = [header, dict(header, version=2), dict(header, source="robot"), dict(header, seed=-1),
               dict(header, challenge={"id": "x", "hash": "sha256:abc"}), dict(header, seed=True),
               {k: v for k, v in header.items() if k != "robot"}, dict(header, seed=None)]
    ends = [end, dict(end, reason="crashed"), dict(end, t=-1), dict(end, samples="many"),
            {k: v for k, v in end.items() if k != "events"}, dict(end, events=True)]
    for fast, records_to_check in ((_check_header, headers), (_check_end, ends)):
        for record in records_to_check:
            outcomes = []
            for check in (_check, fast):
                try:
                    check("t.jsonl", 1, record)
                    outcomes.append(True)
                except TraceError:
                    outcomes.append(False)
            assert outcomes[0] == outcomes[1], record
