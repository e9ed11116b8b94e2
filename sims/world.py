"""Worlds: a painted floor at a stated mm-per-pixel scale plus walls, gates, zones and
start poses as geometry, read from a folder holding ``world.toml``.

Built-in worlds live in ``worlds/<name>/``; any folder with a ``world.toml`` works too, so
a coach can write a new one without Python. Coordinates in mm, headings in deg, world y up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from roboarena.errors import WorldError
from roboarena.sims.floor import PALETTE, FloorCanvas, reflectance, rounded_path, summed_area
from roboarena.sims.tomlfile import Table, load_toml

WORLDS_DIR = Path(__file__).parent / "worlds"
WALL_GRID_MM = 250.0         # cell size of the spatial grid the simulator keeps walls in


@dataclass(frozen=True)
class Gate:
    """A line segment the robot's centre crosses: checkpoints, in order, then the finish line.
    ``restart`` is where a robot that makes no progress is put back after crossing it."""
    name: str
    a: tuple[float, float]
    b: tuple[float, float]
    restart: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class Zone:
    """A rectangle, or a circle (a sumo ring) with ``rect`` its bounding box."""
    name: str
    rect: tuple[float, float, float, float]  # x, y, w, h
    circle: tuple[float, float, float] | None = None   # centre x, y and radius

    def contains(self, x: float, y: float) -> bool:
        if self.circle is not None:
            cx, cy, radius = self.circle
            return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius
        zx, zy, zw, zh = self.rect
        return zx <= x <= zx + zw and zy <= y <= zy + zh


@dataclass(frozen=True)
class Light:
    """A traffic light shown as a coloured pad on the floor (where the car's camera sees
    it), cycling through ``phases`` of (colour, ms); entering ``zone`` on red is a violation."""
    name: str
    rect: tuple[float, float, float, float]
    zone: str
    phases: tuple[tuple[str, float], ...]
    offset_ms: float

    def colour_at(self, t_ms: float) -> str:
        cycle = sum(ms for _, ms in self.phases)
        moment = (t_ms + self.offset_ms) % cycle
        for colour, ms in self.phases:
            if moment < ms:
                return colour
            moment -= ms
        return self.phases[-1][0]


@dataclass
class World:
    name: str
    title: dict[str, str]
    robot_kind: str
    width_mm: float
    height_mm: float
    mm_per_px: float
    time_limit_ms: float
    floor: np.ndarray                       # rows x cols x 3 uint8, row 0 at y = 0
    walls: list[tuple[float, float, float, float]]
    wall_thickness_mm: float
    starts: list[tuple[float, float, float]]
    gates: list[Gate]
    zones: list[Zone]
    paths: dict[str, list[tuple[float, float]]]  # named painted paths, for measuring (lane centre, track)
    finish_laps: int
    finish_zone: str
    lights: list[Light]
    content_hash: str
    source: Path
    floor_sat: list[list[float]] = field(default_factory=list)   # reflectance summed-area table

    def __post_init__(self):
        self.floor_sat = summed_area(reflectance(self.floor))
        self.walls_array = np.array(self.walls, dtype=np.float64).reshape(-1, 4)

    def patch_rgb(self, x: float, y: float, half_mm: float, floor: np.ndarray | None = None) -> tuple[int, int, int]:
        """Mean colour of the floor square centred on (x, y) (of ``floor``, a run's copy, if given)."""
        s = self.mm_per_px
        c0, c1 = max(0, int((x - half_mm) / s)), int((x + half_mm) / s) + 1
        r0, r1 = max(0, int((y - half_mm) / s)), int((y + half_mm) / s) + 1
        patch = (self.floor if floor is None else floor)[r0:r1, c0:c1]
        if patch.size == 0:
            return (0, 0, 0)
        mean = patch.reshape(-1, 3).mean(axis=0)
        return (int(mean[0]), int(mean[1]), int(mean[2]))


def builtin_worlds() -> list[str]:
    return sorted(path.parent.name for path in WORLDS_DIR.glob("*/world.toml"))


def find_world(name_or_path: str) -> Path:
    """The folder of a built-in world by name, or of a world given by path."""
    path = Path(name_or_path)
    if path.is_file() and path.name == "world.toml":
        return path.parent
    if (path / "world.toml").is_file():
        return path
    builtin = WORLDS_DIR / name_or_path
    if (builtin / "world.toml").is_file():
        return builtin
    raise WorldError("world.unknown", name=name_or_path, choices=", ".join(builtin_worlds()))


def load_world(name_or_path: str) -> World:
    """Load (once per process) the world named or found at ``name_or_path``."""
    return _load_world_folder(find_world(name_or_path).resolve())


@lru_cache(maxsize=16)
def _load_world_folder(folder: Path) -> World:
    toml_path = folder / "world.toml"
    data = load_toml(toml_path, WorldError)
    # The hash covers every file of the world (floor images too), so a changed asset is a new version.
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
    return parse_world(data, toml_path, digest.hexdigest())


def _colour(table: Table, key: str, default: str | None = None) -> tuple[int, int, int]:
    value = table.data.get(key, default)
    if isinstance(value, str) and value in PALETTE:
        return PALETTE[value]
    if (isinstance(value, list) and len(value) == 3
            and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)):
        return (value[0], value[1], value[2])
    table.fail(key, value, f"it must be one of {', '.join(PALETTE)} or [r, g, b] with 0-255")


def parse_world(data: dict, path: Path, content_hash: str) -> World:
    top = Table(data, path, WorldError)
    top.unknown_keys({"name", "title", "robot", "width_mm", "height_mm", "mm_per_px", "time_limit_ms",
                      "background", "boundary_walls", "wall_thickness_mm", "floor_image", "paint", "walls",
                      "obstacles", "starts", "gates", "zones", "finish", "lights"})
    width = top.number("width_mm", low=200, high=50000)
    height = top.number("height_mm", low=200, high=50000)
    scale = top.number("mm_per_px", 2, low=0.5, high=50)
    if width / scale * height / scale > 25_000_000:
        top.fail("mm_per_px", scale, "the floor image would be over 25 million pixels; use a larger mm_per_px")
    title_table = top.table("title")
    title = {"en": title_table.text("en", path.parent.name), "zh": title_table.text("zh", path.parent.name)}
    canvas = FloorCanvas(width, height, scale, _colour(top, "background", "white"))
    if "floor_image" in top.data:
        canvas.image[:] = _read_floor_image(folder=path.parent, top=top, rows=canvas.rows, cols=canvas.cols)

    paths: dict[str, list[tuple[float, float]]] = {}
    for item in top.tables("paint"):
        shape = item.text("shape", choices=("path", "rect", "circle"))
        colour = _colour(item, "color", "black")
        if shape == "path":
            item.unknown_keys({"shape", "name", "points", "closed", "corner_radius_mm", "width_mm", "color", "dash_mm"})
            closed = bool(item.data.get("closed", False))
            line = rounded_path(item.points("points"), item.number("corner_radius_mm", 0, low=0, high=10000), closed)
            canvas.stroke(line, item.number("width_mm", 20, low=1, high=5000), colour,
                          item.number("dash_mm", 0, low=0, high=5000))
            if "name" in item.data:
                paths[item.text("name")] = line
        elif shape == "rect":
            item.unknown_keys({"shape", "name", "rect", "color"})
            x, y, w, h = _rect(item)
            canvas.fill_rect(x, y, w, h, colour)
        else:
            item.unknown_keys({"shape", "name", "center", "radius_mm", "color"})
            cx, cy = item.point("center")[:2]
            canvas.fill_circle(cx, cy, item.number("radius_mm", low=1, high=10000), colour)

    walls: list[tuple[float, float, float, float]] = []
    if top.data.get("boundary_walls", True):
        walls += [(0, 0, width, 0), (width, 0, width, height), (width, height, 0, height), (0, height, 0, 0)]
    for item in top.tables("walls"):
        item.unknown_keys({"from", "to", "points"})
        if "points" in item.data:
            pts = item.points("points")
            walls += [(a[0], a[1], b[0], b[1]) for a, b in zip(pts, pts[1:])]
        else:
            a, b = item.point("from"), item.point("to")
            walls.append((a[0], a[1], b[0], b[1]))
    for item in top.tables("obstacles"):
        item.unknown_keys({"rect"})
        x, y, w, h = _rect(item)
        walls += [(x, y, x + w, y), (x + w, y, x + w, y + h), (x + w, y + h, x, y + h), (x, y + h, x, y)]

    starts = []
    for item in top.tables("starts"):
        item.unknown_keys({"pose"})
        pose = item.point("pose")
        if len(pose) != 3:
            item.fail("pose", list(pose), "it must be [x, y, heading] in mm and deg")
        if not (0 < pose[0] < width and 0 < pose[1] < height):
            item.fail("pose", list(pose), f"the start must lie on the floor (0-{width:g} x 0-{height:g} mm)")
        starts.append(pose)
    if not starts:
        raise WorldError("file.bad_key", path=str(path), key="starts", problem="is missing",
                         hint="Add at least one [[starts]] table with pose = [x, y, heading].")
    gates = []
    for index, item in enumerate(top.tables("gates")):
        item.unknown_keys({"name", "from", "to", "restart"})
        a, b = item.point("from"), item.point("to")
        restart = item.point("restart") if "restart" in item.data else None
        if restart is not None and len(restart) != 3:
            item.fail("restart", list(restart), "it must be [x, y, heading] in mm and deg")
        gates.append(Gate(item.text("name", f"gate-{index}"), a[:2], b[:2], restart))
    zones = []
    for item in top.tables("zones"):
        item.unknown_keys({"name", "rect", "circle"})
        if "circle" in item.data:
            circle = item.point("circle")
            if len(circle) != 3 or circle[2] <= 0:
                item.fail("circle", item.data["circle"], "it must be [x, y, radius] in mm, the radius more than 0")
            cx, cy, radius = circle
            zones.append(Zone(item.text("name"), (cx - radius, cy - radius, 2 * radius, 2 * radius), (cx, cy, radius)))
        else:
            zones.append(Zone(item.text("name"), _rect(item)))
    zone_names = {zone.name for zone in zones}
    lights = []
    for item in top.tables("lights"):
        item.unknown_keys({"name", "rect", "zone", "phases", "offset_ms"})
        zone = item.text("zone")
        if zone not in zone_names:
            item.fail("zone", zone, f"no [[zones]] entry is called {zone!r}")
        phases = item.data.get("phases")
        if (not isinstance(phases, list) or not phases
                or not all(isinstance(p, list) and len(p) == 2 and p[0] in ("red", "yellow", "green")
                           and isinstance(p[1], (int, float)) and not isinstance(p[1], bool) and p[1] > 0
                           for p in phases)):
            item.fail("phases", phases, 'it must be a list like [["green", 5000], ["yellow", 1500], ["red", 5000]]')
        lights.append(Light(item.text("name", f"light-{len(lights)}"), _rect(item), zone,
                            tuple((p[0], float(p[1])) for p in phases), item.number("offset_ms", 0, low=0, high=1e7)))
    finish = top.table("finish")
    finish.unknown_keys({"laps", "zone"})
    finish_zone = finish.text("zone", "")
    if finish_zone and finish_zone not in zone_names:
        finish.fail("zone", finish_zone, f"no [[zones]] entry is called {finish_zone!r}")
    finish_laps = finish.integer("laps", 0, low=0, high=1000)
    if finish_laps and not gates:
        finish.fail("laps", finish_laps, "counting laps needs [[gates]]: checkpoints in order, the start line last")
    return World(
        name=top.text("name", path.parent.name), title=title, robot_kind=top.text("robot", "kit", ("kit", "car")),
        width_mm=width, height_mm=height, mm_per_px=scale,
        time_limit_ms=top.number("time_limit_ms", 60000, low=100, high=3_600_000),
        floor=canvas.image, walls=walls, wall_thickness_mm=top.number("wall_thickness_mm", 12, low=1, high=500),
        starts=starts, gates=gates, zones=zones, paths=paths, finish_laps=finish_laps, finish_zone=finish_zone,
        lights=lights, content_hash=content_hash, source=path,
    )


def _rect(item: Table) -> tuple[float, float, float, float]:
    value = item.data.get("rect")
    if (not isinstance(value, list) or len(value) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            or value[2] <= 0 or value[3] <= 0):
        item.fail("rect", value, "it must be [x, y, width, height] in mm with a positive width and height")
    return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))


def _read_floor_image(folder: Path, top: Table, rows: int, cols: int) -> np.ndarray:
    """A floor drawn in any paint program: PNG, top row = far edge (y = height)."""
    image_path = folder / top.text("floor_image")
    if not image_path.is_file():
        raise WorldError("file.missing", path=str(image_path), hint="Put the floor image next to world.toml.")
    import pygame  # only worlds with an image need it; pygame.image needs no display

    try:
        surface = pygame.image.load(str(image_path))
    except pygame.error as exc:
        top.fail("floor_image", str(image_path), f"it could not be read as an image ({exc})")
    pixels = pygame.surfarray.array3d(surface).transpose(1, 0, 2)[::-1]  # to rows, y up
    if pixels.shape[:2] != (rows, cols):
        top.fail("floor_image", str(image_path),
                 f"it is {pixels.shape[1]}x{pixels.shape[0]} px but width_mm, height_mm and mm_per_px "
                 f"need {cols}x{rows} px")
    return pixels
