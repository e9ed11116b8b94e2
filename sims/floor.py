"""The floor: painting a world's lines and patches into an RGB image at a stated
mm-per-pixel scale, and reading it back fast for sensors (summed-area tables).

Image row 0 is world y = 0 (world y points up; only the renderer flips)."""

from __future__ import annotations

import math

import numpy as np

# Named colours a world file may use; also the colours the colour sensor reports.
PALETTE: dict[str, tuple[int, int, int]] = {
    "white": (245, 245, 240),
    "black": (20, 20, 20),
    "grey": (90, 90, 95),
    "asphalt": (60, 62, 66),
    "red": (210, 40, 40),
    "green": (30, 160, 70),
    "blue": (40, 80, 200),
    "yellow": (235, 200, 30),
    "orange": (240, 130, 30),
}


def rounded_path(points: list[tuple[float, float]], radius_mm: float, closed: bool,
                 step_mm: float = 10.0) -> list[tuple[float, float]]:
    """The polyline through ``points`` with each inner corner replaced by a circular arc."""
    if radius_mm <= 0 or len(points) < 3:
        return list(points) + ([points[0]] if closed else [])
    count = len(points)
    corners = range(count) if closed else range(1, count - 1)
    out: list[tuple[float, float]] = [] if closed else [points[0]]
    for i in corners:
        prev_pt, corner, next_pt = points[i - 1], points[i], points[(i + 1) % count]
        a = (prev_pt[0] - corner[0], prev_pt[1] - corner[1])
        b = (next_pt[0] - corner[0], next_pt[1] - corner[1])
        la, lb = math.hypot(*a), math.hypot(*b)
        ua, ub = (a[0] / la, a[1] / la), (b[0] / lb, b[1] / lb)
        half_angle = math.acos(max(-1.0, min(1.0, ua[0] * ub[0] + ua[1] * ub[1]))) / 2
        if half_angle < 1e-6 or abs(half_angle - math.pi / 2) < 1e-6:
            out.append(corner)
            continue
        # The arc touches both legs at distance `reach` from the corner; keep it inside the legs.
        reach = min(radius_mm / math.tan(half_angle), la / 2, lb / 2)
        radius = reach * math.tan(half_angle)
        bisector = (ua[0] + ub[0], ua[1] + ub[1])
        norm = math.hypot(*bisector)
        centre_dist = radius / math.sin(half_angle)
        centre = (corner[0] + bisector[0] / norm * centre_dist, corner[1] + bisector[1] / norm * centre_dist)
        start = (corner[0] + ua[0] * reach, corner[1] + ua[1] * reach)
        end = (corner[0] + ub[0] * reach, corner[1] + ub[1] * reach)
        a0 = math.atan2(start[1] - centre[1], start[0] - centre[0])
        a1 = math.atan2(end[1] - centre[1], end[0] - centre[0])
        sweep = (a1 - a0 + math.pi) % (2 * math.pi) - math.pi
        pieces = max(2, int(abs(sweep) * radius / step_mm))
        out.extend((centre[0] + radius * math.cos(a0 + sweep * k / pieces),
                    centre[1] + radius * math.sin(a0 + sweep * k / pieces)) for k in range(pieces + 1))
    if closed:
        out.append(out[0])
    else:
        out.append(points[-1])
    return out


class FloorCanvas:
    """An RGB floor image being painted, addressed in world mm."""

    def __init__(self, width_mm: float, height_mm: float, mm_per_px: float, background: tuple[int, int, int]):
        self.mm_per_px = mm_per_px
        self.rows = int(math.ceil(height_mm / mm_per_px))
        self.cols = int(math.ceil(width_mm / mm_per_px))
        self.image = np.empty((self.rows, self.cols, 3), dtype=np.uint8)
        self.image[:] = background

    def _window(self, x0: float, y0: float, x1: float, y1: float):
        """Pixel index ranges and pixel-centre coordinates (mm) covering a world box."""
        s = self.mm_per_px
        c0, c1 = max(0, int(x0 / s)), min(self.cols, int(math.ceil(x1 / s)) + 1)
        r0, r1 = max(0, int(y0 / s)), min(self.rows, int(math.ceil(y1 / s)) + 1)
        if c0 >= c1 or r0 >= r1:
            return None
        xs = (np.arange(c0, c1) + 0.5) * s
        ys = (np.arange(r0, r1) + 0.5) * s
        return r0, r1, c0, c1, xs[None, :], ys[:, None]

    def stroke(self, path: list[tuple[float, float]], width_mm: float, colour, dash_mm: float = 0.0):
        """Paint a polyline ``width_mm`` wide; with ``dash_mm`` > 0, dashes and gaps of that length."""
        half = width_mm / 2
        travelled = 0.0
        for (ax, ay), (bx, by) in zip(path, path[1:]):
            length = math.hypot(bx - ax, by - ay)
            if length == 0:
                continue
            box = self._window(min(ax, bx) - half, min(ay, by) - half, max(ax, bx) + half, max(ay, by) + half)
            if box is not None:
                r0, r1, c0, c1, xs, ys = box
                ux, uy = (bx - ax) / length, (by - ay) / length
                along = (xs - ax) * ux + (ys - ay) * uy
                across = (xs - ax) * -uy + (ys - ay) * ux
                clamped = np.clip(along, 0, length)
                dist = np.hypot(along - clamped, across)
                mask = dist <= half
                if dash_mm > 0:
                    mask &= ((travelled + clamped) // dash_mm) % 2 == 0
                self.image[r0:r1, c0:c1][mask] = colour
            travelled += length

    def fill_rect(self, x: float, y: float, w: float, h: float, colour):
        box = self._window(x, y, x + w, y + h)
        if box is None:
            return
        r0, r1, c0, c1, xs, ys = box
        mask = (xs >= x) & (xs <= x + w) & (ys >= y) & (ys <= y + h)
        self.image[r0:r1, c0:c1][mask] = colour

    def fill_circle(self, cx: float, cy: float, radius: float, colour):
        box = self._window(cx - radius, cy - radius, cx + radius, cy + radius)
        if box is None:
            return
        r0, r1, c0, c1, xs, ys = box
        self.image[r0:r1, c0:c1][np.hypot(xs - cx, ys - cy) <= radius] = colour


def summed_area(values: np.ndarray) -> list[list[float]]:
    """Summed-area table with a zero first row and column, as nested lists.

    Lists, not an ndarray: a sensor reads four corners per patch, and indexing a Python
    list costs a fraction of indexing a numpy array with scalars."""
    table = np.zeros((values.shape[0] + 1, values.shape[1] + 1), dtype=np.float64)
    table[1:, 1:] = values.astype(np.float64).cumsum(0).cumsum(1)
    return table.tolist()


def reflectance(image: np.ndarray) -> np.ndarray:
    """Fraction of light a reflectance sensor gets back from each pixel (0 black .. 1 white)."""
    return image.astype(np.float32).mean(axis=2) / 255.0
