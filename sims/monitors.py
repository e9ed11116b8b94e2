"""Monitors: watchers a challenge puts on a run, turning what the robot does into events
(left the track, held a stop, made no progress). They look at the run every sample
period (10 ms), not every sub-step: cheap, and still fine enough to judge by.

Each monitor is configured from data (a challenge's ``[[watch]]`` tables) and
checked by the simulation after every sample; the events go into the trace like any other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PATH_GRID_MM = 100.0


@dataclass(frozen=True)
class WatchSpec:
    """One ``[[watch]]`` entry: ``kind`` is "off-path", "stop" or "no-progress"."""
    kind: str
    path: str = ""              # off-path: a named painted path of the world
    max_offset_mm: float = 0.0  # off-path: how far the robot's centre may be from it
    zone: str = ""              # stop: the zone to stop in
    hold_ms: float = 0.0        # stop: how long to stand still there
    whole_body: bool = False    # stop: all four corners of the body inside the zone, not just its centre
    heading_deg: float | None = None    # stop: lined up with this heading (either way round)...
    heading_tolerance_deg: float = 10.0  # ...to within this many degrees
    after_ms: float = 0.0       # no-progress: time without a new checkpoint
    restart: bool = False       # no-progress: put the robot back at the last checkpoint


STILL_MM_S = 5.0                # slower than this counts as standing still


class OffPath:
    """``off-path`` / ``on-path`` events when the centre strays further than the allowed
    offset from a named path (a line for the kit, a lane centre for the car)."""

    def __init__(self, spec: WatchSpec, world):
        self.name, self.limit = spec.path, spec.max_offset_mm
        points = world.paths[spec.path]
        self.segments = list(zip(points, points[1:]))
        # Grid of segments within `limit` of each cell, so a check looks at a handful.
        self.cells: dict[tuple[int, int], list[int]] = {}
        pad = self.limit
        for index, ((ax, ay), (bx, by)) in enumerate(self.segments):
            for gx in range(int((min(ax, bx) - pad) // PATH_GRID_MM), int((max(ax, bx) + pad) // PATH_GRID_MM) + 1):
                for gy in range(int((min(ay, by) - pad) // PATH_GRID_MM), int((max(ay, by) + pad) // PATH_GRID_MM) + 1):
                    self.cells.setdefault((gx, gy), []).append(index)
        self.off = False
        self.near: int | None = None    # a segment within the limit at the last check

    def _distance(self, index: int, x: float, y: float) -> float:
        (ax, ay), (bx, by) = self.segments[index]
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - ax - t * dx, y - ay - t * dy)

    def offset(self, x: float, y: float) -> float:
        """Distance from (x, y) to the path, or inf when it is further than the limit."""
        return min((self._distance(i, x, y) for i in self.cells.get((int(x // PATH_GRID_MM), int(y // PATH_GRID_MM)), ())),
                   default=math.inf)

    def _on_path(self, x: float, y: float) -> bool:
        # The segment that was near last time usually still is: one distance, not a search.
        if self.near is not None and self._distance(self.near, x, y) <= self.limit:
            return True
        for index in self.cells.get((int(x // PATH_GRID_MM), int(y // PATH_GRID_MM)), ()):
            if self._distance(index, x, y) <= self.limit:
                self.near = index
                return True
        return False

    def check(self, sim):
        off = not self._on_path(sim.body.x, sim.body.y)
        if off != self.off:
            self.off = off
            sim.event("off-path" if off else "on-path", path=self.name)


class StopHold:
    """``stop-held`` once the robot has stood still for ``hold_ms`` inside the zone
    (once per visit to the zone). For parking, ``whole_body`` asks for the whole body
    inside and ``heading_deg`` for it to be lined up (forwards or backwards)."""

    def __init__(self, spec: WatchSpec, world):
        self.zone = next(zone for zone in world.zones if zone.name == spec.zone)
        self.hold_ms = spec.hold_ms
        self.spec = spec
        self.still_since: float | None = None
        self.done = False

    def _inside(self, body) -> bool:
        if self.spec.whole_body:
            if not all(self.zone.contains(x, y) for x, y in body.corners()):
                return False
        elif not self.zone.contains(body.x, body.y):
            return False
        if self.spec.heading_deg is None:
            return True
        off = (math.degrees(body.heading) - self.spec.heading_deg) % 180.0
        return min(off, 180.0 - off) <= self.spec.heading_tolerance_deg

    def check(self, sim):
        inside = self._inside(sim.body)
        if not inside:
            self.still_since, self.done = None, False
            return
        if self.done:
            return
        if abs(sim.body.speed()) < STILL_MM_S:
            if self.still_since is None:
                self.still_since = sim.t_ms
            elif sim.t_ms - self.still_since >= self.hold_ms:
                self.done = True
                sim.event("stop-held", zone=self.zone.name, held_s=round((sim.t_ms - self.still_since) / 1000, 3))
        else:
            self.still_since = None


class NoProgress:
    """``no-progress`` when no new checkpoint was crossed for ``after_ms``; with
    ``restart``, the robot is put back at the last checkpoint it passed (as referees do in
    RoboCupJunior) and a ``restart`` event records where."""

    def __init__(self, spec: WatchSpec, world):
        self.after_ms, self.restart = spec.after_ms, spec.restart
        self.seen_checkpoints = 0
        self.since = 0.0

    def check(self, sim):
        if sim._checkpoints != self.seen_checkpoints:
            self.seen_checkpoints, self.since = sim._checkpoints, sim.t_ms
            return
        if sim.t_ms - self.since < self.after_ms:
            return
        self.since = sim.t_ms
        sim.event("no-progress", since_s=round((sim.t_ms - self.after_ms) / 1000, 3))
        if self.restart:
            sim.restart_at_last_checkpoint()


MONITORS = {"off-path": OffPath, "stop": StopHold, "no-progress": NoProgress}


def build(spec: WatchSpec, world):
    return MONITORS[spec.kind](spec, world)
