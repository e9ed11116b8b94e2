"""Challenge packs: a folder with ``challenge.toml`` (and any world files it brings) that
says what a run is, how it ends and how it is scored, as data a coach writes without Python.

A pack names its world (a built-in world, or a ``world.toml`` in the pack), the robot class
and the sensors allowed, start poses and seeded start jitter, the time limit and finish,
the monitors that turn behaviour into events, the scoring rules, the tie-break order and
the ranking mode. Its content hash (all its files, plus its world's hash) identifies a
version, so a trace is always scored against the rules it ran under. Format:
``docs/challenges.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from roboarena.errors import ChallengeError, WorldError
from roboarena.sims.monitors import WatchSpec
from roboarena.sims.simulation import SENSORS, RunSettings
from roboarena.sims.spec import load_spec
from roboarena.sims.tomlfile import Table, load_toml
from roboarena.sims.world import World, load_world

PACKS_DIR = Path(__file__).parent / "packs"

# Events the simulator produces; a pack may add referee / timing-gate events for hardware runs.
SIM_EVENTS = ("start", "checkpoint", "lap", "zone-entered", "zone-left", "collision", "led", "beep", "finish", "end",
              "off-path", "on-path", "stop-held", "no-progress", "restart", "light", "red-light", "contact", "out",
              "opponent-out", "draw")
RULE_KINDS = ("event", "time-bonus", "time-penalty", "success", "multiplier")
RANKING_MODES = ("best", "sum-best", "mean")
_MATCH = re.compile(r"^\s*([a-z][a-z0-9-]*)\s*(?:\((.*)\))?\s*$")


@dataclass(frozen=True)
class EventMatch:
    """``lap`` or ``zone-entered(zone=exit)``: an event name and fields it must have."""
    name: str
    fields: tuple[tuple[str, str], ...] = ()

    def matches(self, name: str, fields: dict) -> bool:
        return name == self.name and all(str(fields.get(key)) == value for key, value in self.fields)

    def __str__(self) -> str:
        if not self.fields:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v}' for k, v in self.fields)})"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    label: dict[str, str]
    event: EventMatch | None = None
    points: float = 0.0              # event: per event; success: once
    points_per_s: float = 0.0        # time-bonus / time-penalty
    cap: int | None = None           # event, multiplier: count at most this many
    max_points: float | None = None  # event, time rules: at most this many points
    factor: float = 1.0              # multiplier: per event
    requires_success: bool = False   # only counts when the run succeeded


@dataclass(frozen=True)
class SuccessRule:
    """A run succeeds when these events happen in this order, none of ``never`` does, and
    (with ``finished``) the run reached its finish."""
    in_order: tuple[EventMatch, ...] = ()
    never: tuple[EventMatch, ...] = ()
    finished: bool = False


@dataclass(frozen=True)
class Challenge:
    id: str
    version: str
    title: dict[str, str]
    instructions: dict[str, str]
    robot: str
    world: World
    world_ref: str
    settings: RunSettings
    rules: tuple[Rule, ...]
    success: SuccessRule
    tie_break: tuple[str, ...]
    ranking_mode: str
    ranking_count: int
    min_score: float
    folder: Path
    content_hash: str
    referee_events: tuple[str, ...] = field(default=())

    @property
    def time_limit_ms(self) -> float:
        return self.settings.time_limit_ms or self.world.time_limit_ms


def builtin_ids() -> list[str]:
    return sorted(path.parent.name for path in PACKS_DIR.glob("*/challenge.toml"))


def find_pack(name_or_path: str | Path) -> Path | None:
    """The folder of a built-in pack by id, or of a pack given by path; None if neither."""
    path = Path(name_or_path)
    if path.is_file() and path.name == "challenge.toml":
        return path.parent
    if (path / "challenge.toml").is_file():
        return path
    if isinstance(name_or_path, str) and (PACKS_DIR / name_or_path / "challenge.toml").is_file():
        return PACKS_DIR / name_or_path
    return None


def load_challenge(name_or_path: str | Path) -> Challenge:
    folder = find_pack(name_or_path)
    if folder is None:
        raise ChallengeError("challenge.unknown", name=str(name_or_path), choices=", ".join(builtin_ids()))
    return _load_pack(folder.resolve())


@lru_cache(maxsize=32)
def _load_pack(folder: Path) -> Challenge:
    toml_path = folder / "challenge.toml"
    data = load_toml(toml_path, ChallengeError)
    return parse_challenge(data, toml_path)


def parse_match(table: Table, key: str, text, known_events: set[str], zones: set[str]) -> EventMatch:
    """An event matcher from ``name`` or ``name(field=value, ...)``, checked against the
    events this pack can see and the zones of its world."""
    found = _MATCH.match(text) if isinstance(text, str) else None
    if not found:
        table.fail(key, text, 'it must be an event name such as "lap" or "zone-entered(zone=exit)"')
    name, inner = found.group(1), found.group(2)
    if name not in known_events:
        table.fail(key, text, f"there is no event {name!r}; events are: {', '.join(sorted(known_events))}")
    fields = []
    for part in filter(None, (p.strip() for p in (inner or "").split(","))):
        if "=" not in part:
            table.fail(key, text, "inside the brackets write field=value, e.g. zone=exit")
        field_name, value = (s.strip() for s in part.split("=", 1))
        if field_name == "zone" and value not in zones:
            table.fail(key, text, f"the world has no zone {value!r}; its zones are: {', '.join(sorted(zones)) or 'none'}")
        fields.append((field_name, value))
    return EventMatch(name, tuple(fields))


def _pack_world(top: Table, folder: Path) -> tuple[World, str]:
    ref = top.text("world")
    local = folder / ref
    try:
        if ref.endswith(".toml") or local.is_dir():
            if not local.exists():
                raise ChallengeError("file.missing", path=str(local),
                                     hint="Put the world file in the pack folder, or name a built-in world.")
            return load_world(str(local)), ref
        return load_world(ref), ref
    except WorldError as exc:
        if exc.message_id == "world.unknown":
            top.fail("world", ref, f"it is neither a built-in world ({exc.fields['choices']}) nor a file in {folder}")
        raise


def _labels(table: Table, key: str, default: str) -> dict[str, str]:
    labels = table.table(key)
    return {"en": labels.text("en", default), "zh": labels.text("zh", labels.data.get("en", default))}


def parse_challenge(data: dict, path: Path) -> Challenge:
    folder = path.parent
    top = Table(data, path, ChallengeError)
    top.unknown_keys({"id", "version", "title", "instructions", "robot", "sensors", "world", "time_limit_ms", "start",
                      "finish", "watch", "rules", "success", "tie_break", "ranking", "min_score", "referee_events", "match"})
    challenge_id = top.text("id", folder.name)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", challenge_id):
        top.fail("id", challenge_id, "it must be lower-case letters, digits and dashes, like line-follow")
    version = top.text("version", "1.0.0")
    robot = top.text("robot", "kit", ("kit", "car"))
    world, world_ref = _pack_world(top, folder)
    if world.robot_kind != robot:
        top.fail("robot", robot, f"the world {world_ref!r} is made for a {world.robot_kind}")
    sensors_value = top.data.get("sensors", list(SENSORS))
    if not isinstance(sensors_value, list) or not all(s in SENSORS for s in sensors_value):
        top.fail("sensors", sensors_value, f"it must be a list of sensors from: {', '.join(SENSORS)}")
    referee_events = top.data.get("referee_events", [])
    if not isinstance(referee_events, list) or not all(isinstance(e, str) and _MATCH.match(e) for e in referee_events):
        top.fail("referee_events", referee_events, 'it must be a list of event names, e.g. ["touch", "rescue"]')
    known_events = set(SIM_EVENTS) | set(referee_events)
    zones = {zone.name for zone in world.zones}

    start = top.table("start")
    start.unknown_keys({"pose", "jitter_mm", "jitter_deg"})
    pose = start.point("pose") if "pose" in start.data else None
    if pose is not None and len(pose) != 3:
        start.fail("pose", list(pose), "it must be [x, y, heading] in mm and deg")
    finish = top.table("finish")
    finish.unknown_keys({"laps", "zone"})
    finish_zone = finish.text("zone") if "zone" in finish.data else None
    if finish_zone is not None and finish_zone not in zones:
        finish.fail("zone", finish_zone, f"the world has no zone {finish_zone!r}")
    finish_laps = finish.integer("laps", low=0, high=1000) if "laps" in finish.data else None
    if finish_laps and not world.gates:
        finish.fail("laps", finish_laps, "the world has no gates to count laps with")

    match = top.table("match")
    match.unknown_keys({"robots", "opponent", "out_zone"})
    robots = match.integer("robots", 1, low=1, high=4)
    opponent = match.text("opponent", "")
    if robots > 1 and not opponent:
        match.fail("opponent", opponent, "a match needs the program the other robots run: an example name or a file here")
    if opponent and not _opponent_path(folder, opponent).is_file():
        match.fail("opponent", opponent, f"there is no example or file {opponent!r} (looked in {folder} and the examples)")
    if robots > len(world.starts):
        match.fail("robots", robots, f"the world has only {len(world.starts)} start poses")
    out_zone = match.text("out_zone", "")
    if out_zone and out_zone not in zones:
        match.fail("out_zone", out_zone, f"the world has no zone {out_zone!r}")

    watches = []
    for item in top.tables("watch"):
        kind = item.text("kind", choices=("off-path", "stop", "no-progress"))
        if kind == "off-path":
            item.unknown_keys({"kind", "path", "max_offset_mm"})
            path_name = item.text("path")
            if path_name not in world.paths:
                item.fail("path", path_name, f"the world has no named path {path_name!r}; "
                                             f"named paths: {', '.join(sorted(world.paths)) or 'none'}")
            watches.append(WatchSpec(kind, path=path_name, max_offset_mm=item.number("max_offset_mm", low=1, high=5000)))
        elif kind == "stop":
            item.unknown_keys({"kind", "zone", "hold_ms", "whole_body", "heading_deg", "heading_tolerance_deg"})
            zone = item.text("zone")
            if zone not in zones:
                item.fail("zone", zone, f"the world has no zone {zone!r}")
            watches.append(WatchSpec(
                kind, zone=zone, hold_ms=item.number("hold_ms", 1000, low=1, high=600000),
                whole_body=bool(item.data.get("whole_body", False)),
                heading_deg=item.number("heading_deg", low=-360, high=360) if "heading_deg" in item.data else None,
                heading_tolerance_deg=item.number("heading_tolerance_deg", 10, low=0, high=90)))
        else:
            item.unknown_keys({"kind", "after_ms", "restart"})
            if not world.gates:
                item.fail("kind", kind, "progress is counted in checkpoints, and the world has no gates")
            watches.append(WatchSpec(kind, after_ms=item.number("after_ms", low=100, high=3_600_000),
                                     restart=bool(item.data.get("restart", False))))

    rules, ids = [], set()
    for item in top.tables("rules"):
        kind = item.text("kind", "event", RULE_KINDS)
        rule_id = item.text("id", f"rule-{len(rules) + 1}")
        if rule_id in ids:
            item.fail("id", rule_id, "two rules have this id; give each its own")
        ids.add(rule_id)
        keys = {"id", "kind", "label", "requires_success"}
        keys |= {"event": {"event", "points", "cap", "max_points"}, "time-bonus": {"points_per_s", "max_points"},
                 "time-penalty": {"points_per_s", "max_points"}, "success": {"points"},
                 "multiplier": {"event", "factor", "cap"}}[kind]
        item.unknown_keys(keys)
        event = parse_match(item, "event", item.data.get("event"), known_events, zones) \
            if kind in ("event", "multiplier") else None
        rules.append(Rule(
            id=rule_id, kind=kind, label=_labels(item, "label", rule_id), event=event,
            points=item.number("points", 0, low=-1e6, high=1e6),
            points_per_s=item.number("points_per_s", 0, low=-1e6, high=1e6),
            cap=item.integer("cap", low=0, high=10**6) if "cap" in item.data else None,
            max_points=item.number("max_points", low=-1e6, high=1e6) if "max_points" in item.data else None,
            factor=item.number("factor", 1, low=0, high=100),
            requires_success=bool(item.data.get("requires_success", kind == "time-bonus")),
        ))
    if not rules:
        raise ChallengeError("file.bad_key", path=str(path), key="rules", problem="is missing",
                             hint="Add at least one [[rules]] table, e.g. event = \"lap\" and points = 100.")
    success_table = top.table("success")
    success_table.unknown_keys({"in_order", "never", "finished"})
    success = SuccessRule(
        in_order=tuple(parse_match(success_table, "in_order", text, known_events, zones)
                       for text in _list(success_table, "in_order")),
        never=tuple(parse_match(success_table, "never", text, known_events, zones)
                    for text in _list(success_table, "never")),
        finished=bool(success_table.data.get("finished", False)),
    )
    tie_break = tuple(_list(top, "tie_break") or ["score", "time"])
    for key in tie_break:
        name = key.split(":", 1)[1] if key.startswith(("fewer:", "more:")) else None
        if key not in ("score", "time") and (name is None or name not in known_events):
            top.fail("tie_break", key, 'each entry must be "score", "time", "fewer:EVENT" or "more:EVENT" '
                                       'with a known event, e.g. "fewer:collision"')
    ranking = top.table("ranking")
    ranking.unknown_keys({"mode", "count"})
    mode = ranking.text("mode", "best", RANKING_MODES)

    challenge = Challenge(
        id=challenge_id, version=version, title=_labels(top, "title", challenge_id),
        instructions=_labels(top, "instructions", ""), robot=robot, world=world, world_ref=world_ref,
        settings=RunSettings(
            time_limit_ms=top.number("time_limit_ms", low=100, high=3_600_000) if "time_limit_ms" in top.data else None,
            finish_laps=finish_laps, finish_zone=finish_zone, start_pose=pose,
            jitter_mm=start.number("jitter_mm", 0, low=0, high=500), jitter_deg=start.number("jitter_deg", 0, low=0, high=180),
            watches=tuple(watches), sensors=frozenset(sensors_value), label=challenge_id, out_zone=out_zone,
            robots=robots, opponent=str(_opponent_path(folder, opponent)) if opponent else "",
            content_hash=_pack_hash(folder, world)),
        rules=tuple(rules), success=success, tie_break=tie_break, ranking_mode=mode,
        ranking_count=ranking.integer("count", 3, low=1, high=1000), min_score=top.number("min_score", 0, low=-1e9, high=1e9),
        folder=folder, content_hash=_pack_hash(folder, world), referee_events=tuple(referee_events),
    )
    _check_fit(challenge, path)
    return challenge


def _opponent_path(folder: Path, name: str) -> Path:
    """A program in the pack folder, else a shipped example of that name."""
    local = folder / name
    if local.is_file():
        return local
    from importlib.resources import files

    return Path(str(files("roboarena.examples") / name))


def _list(table: Table, key: str) -> list:
    value = table.data.get(key, [])
    if not isinstance(value, list):
        table.fail(key, value, "it must be a list in square brackets")
    return value


def _pack_hash(folder: Path, world: World) -> str:
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    digest.update(b"world\0" + world.content_hash.encode())
    return digest.hexdigest()


def _check_fit(challenge: Challenge, path: Path):
    """Refuse a world whose scale makes the robot too big for it: a robot wider than a
    gate across the track, or one that starts touching a wall."""
    spec = load_spec(challenge.robot)
    for gate in challenge.world.gates:
        length = ((gate.a[0] - gate.b[0]) ** 2 + (gate.a[1] - gate.b[1]) ** 2) ** 0.5
        if length < spec.width_mm:
            raise ChallengeError("challenge.too_small", path=str(path), width=spec.width_mm, what=f"gate {gate.name!r}",
                                 size=round(length))
    from roboarena.sims.simulation import Simulation

    starts = [challenge.settings.start_pose] if challenge.settings.start_pose else challenge.world.starts
    for pose in starts:
        simulation = Simulation(challenge.world, spec, settings=RunSettings(start_pose=pose))
        if simulation._contact(simulation.body.x, simulation.body.y, simulation.body.heading) is not None:
            raise ChallengeError("challenge.start_in_wall", path=str(path), pose=list(pose), length=spec.length_mm,
                                 width=spec.width_mm)
