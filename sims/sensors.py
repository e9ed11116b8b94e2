"""Sensor models that work on arrays: the ultrasonic cone of rays and the car's camera.

Each is a function of (world, pose, spec) with precomputed geometry, separate from the
renderer. The cheap per-read sensors (reflectance, gyro, encoders) live with the robot
body in :mod:`roboarena.sims.bodies`, in plain float math.
"""

from __future__ import annotations

import math

import numpy as np

from roboarena.sims.spec import CameraSpec, UltrasonicSpec
from roboarena.sims.world import World


class UltrasonicModel:
    """An HC-SR04 as a cone of rays: the nearest wall that returns an echo wins.

    A ray whose angle to the wall's normal exceeds ``max_incidence_deg`` returns no echo
    (angled surfaces scatter the ping away), as on the real part. No echo reads max_mm."""

    def __init__(self, spec: UltrasonicSpec, world: World):
        self.spec = spec
        half = math.radians(spec.cone_deg) / 2
        self.ray_angles = np.linspace(-half, half, spec.rays) if spec.rays > 1 else np.zeros(1)
        walls = world.walls_array
        self.wall_start = walls[:, 0:2]
        self.wall_vector = walls[:, 2:4] - walls[:, 0:2]
        self.wall_length = np.hypot(self.wall_vector[:, 0], self.wall_vector[:, 1])
        self.half_thickness = world.wall_thickness_mm / 2
        self.min_cos_incidence = math.cos(math.radians(spec.max_incidence_deg))
        # Few rays against few walls: plain floats beat numpy's per-call cost.
        self.small = spec.rays * len(walls) <= 64
        self.wall_rows = [(ax, ay, bx - ax, by - ay, math.hypot(bx - ax, by - ay)) for ax, ay, bx, by in walls.tolist()]

    def measure(self, x: float, y: float, heading: float, extra_segments: np.ndarray | None = None) -> float:
        """Range in mm from a sensor at (x, y) facing ``heading`` rad, before noise."""
        if self.small and extra_segments is None:
            return self._measure_few(x, y, heading)
        start, vector, length = self.wall_start, self.wall_vector, self.wall_length
        if extra_segments is not None and len(extra_segments):
            start = np.vstack([start, extra_segments[:, 0:2]])
            extra_vector = extra_segments[:, 2:4] - extra_segments[:, 0:2]
            vector = np.vstack([vector, extra_vector])
            length = np.concatenate([length, np.hypot(extra_vector[:, 0], extra_vector[:, 1])])
        angles = heading + self.ray_angles
        dx, dy = np.cos(angles)[:, None], np.sin(angles)[:, None]           # rays x 1
        ex, ey = vector[:, 0][None, :], vector[:, 1][None, :]               # 1 x walls
        px, py = start[:, 0][None, :] - x, start[:, 1][None, :] - y
        denom = dx * ey - dy * ex
        with np.errstate(divide="ignore", invalid="ignore"):
            along_ray = (px * ey - py * ex) / denom
            along_wall = (px * dy - py * dx) / denom
            cos_incidence = np.abs(denom) / length[None, :]
        echo = (np.abs(denom) > 1e-12) & (along_ray > 0) & (along_wall >= 0) & (along_wall <= 1) \
            & (cos_incidence >= self.min_cos_incidence)
        if not echo.any():
            return self.spec.max_mm
        # A thick wall's face is half a thickness nearer than its centre line, measured
        # square to the wall: along a slanted ray that is h / cos(incidence).
        with np.errstate(divide="ignore", invalid="ignore"):
            to_face = along_ray - self.half_thickness / cos_incidence
        return max(0.0, float(np.where(echo, to_face, np.inf).min()))

    def _measure_few(self, x: float, y: float, heading: float) -> float:
        """The same geometry as :meth:`measure`, one ray and one wall at a time."""
        nearest = math.inf
        min_cos = self.min_cos_incidence
        for angle in self.ray_angles.tolist():
            dx, dy = math.cos(heading + angle), math.sin(heading + angle)
            for ax, ay, ex, ey, length in self.wall_rows:
                denom = dx * ey - dy * ex
                if -1e-12 < denom < 1e-12 or abs(denom) < min_cos * length:
                    continue   # parallel, or too steep for an echo
                px, py = ax - x, ay - y
                along_ray = (px * ey - py * ex) / denom
                along_wall = (px * dy - py * dx) / denom
                if along_ray > 0 and 0 <= along_wall <= 1:
                    to_face = along_ray - self.half_thickness * length / abs(denom)
                    if to_face < nearest:
                        nearest = to_face
        if nearest == math.inf:
            return self.spec.max_mm
        return max(0.0, nearest)


class CameraModel:
    """A forward camera that sees the floor: each pixel's ray is intersected with the
    ground once, up front; a frame is then one gather from the floor image."""

    SKY = np.array([150, 180, 220], dtype=np.uint8)
    OFF_FLOOR = np.array([110, 110, 110], dtype=np.uint8)

    def __init__(self, spec: CameraSpec, world: World, floor: np.ndarray | None = None, far_mm: float = 4000.0):
        self.spec, self.world = spec, world
        self.floor = world.floor if floor is None else floor   # a run's own copy when it has traffic lights
        focal = (spec.width / 2) / math.tan(math.radians(spec.fov_deg) / 2)
        cols = (np.arange(spec.width) + 0.5 - spec.width / 2) / focal
        rows = (np.arange(spec.height) + 0.5 - spec.height / 2) / focal
        lateral = -np.broadcast_to(cols[None, :], (spec.height, spec.width))   # + is left
        vertical = -np.broadcast_to(rows[:, None], (spec.height, spec.width))  # + is up
        pitch = math.radians(spec.pitch_deg)
        forward = math.cos(pitch) + vertical * math.sin(pitch)
        down = vertical * math.cos(pitch) - math.sin(pitch)
        with np.errstate(divide="ignore"):
            scale = np.where(down < 0, spec.height_mm / -down, np.inf)
        self.sees_floor = scale * np.hypot(forward, lateral) < far_mm
        self.ground_forward = np.where(self.sees_floor, spec.forward_mm + scale * forward, 0.0)
        self.ground_left = np.where(self.sees_floor, scale * lateral, 0.0)

    def frame(self, x: float, y: float, heading: float) -> np.ndarray:
        """height x width x 3 uint8 RGB, row 0 at the top of the picture."""
        c, s = math.cos(heading), math.sin(heading)
        wx = x + self.ground_forward * c - self.ground_left * s
        wy = y + self.ground_forward * s + self.ground_left * c
        floor = self.floor
        col = np.floor(wx / self.world.mm_per_px).astype(np.int64)
        row = np.floor(wy / self.world.mm_per_px).astype(np.int64)
        on_floor = self.sees_floor & (col >= 0) & (row >= 0) & (col < floor.shape[1]) & (row < floor.shape[0])
        image = np.empty((self.spec.height, self.spec.width, 3), dtype=np.uint8)
        image[:] = self.OFF_FLOOR
        image[~self.sees_floor] = self.SKY
        image[on_floor] = floor[row[on_floor], col[on_floor]]
        return image
