"""Motion of one robot between two instants, in plain float math.

Between commands the wheels follow a first-order lag towards their targets; over a short
sub-step the path is integrated as an exact arc with the wheel travel computed in closed
form, so a 10 ms wait costs one or two arcs, not ten thousand Euler steps. Units: mm, mm/s,
rad inside this module (deg only at the API), seconds for dt.
"""

from __future__ import annotations

import math


def lagged_travel(speed: float, target: float, dt_s: float, tau_s: float) -> tuple[float, float]:
    """Distance travelled and final speed of a first-order lag from ``speed`` towards
    ``target`` over ``dt_s`` seconds (exact: v(t) = T + (v0 - T) e^(-t/tau))."""
    gap = speed - target
    if gap == 0.0:
        return target * dt_s, target
    decay = math.exp(-dt_s / tau_s)
    return target * dt_s + gap * tau_s * (1.0 - decay), target + gap * decay


def arc(x: float, y: float, heading: float, distance: float, turn: float) -> tuple[float, float, float]:
    """Pose after moving ``distance`` along an arc that turns by ``turn`` rad (exact)."""
    half = turn * 0.5
    if -1e-9 < half < 1e-9:
        chord = distance
    else:
        chord = distance * math.sin(half) / half
    direction = heading + half
    return x + chord * math.cos(direction), y + chord * math.sin(direction), heading + turn


def segment_hits_box(ax: float, ay: float, bx: float, by: float, half_x: float, half_y: float):
    """Where segment a-b (robot frame) crosses the box |x| <= half_x, |y| <= half_y.

    Returns the x (forward) coordinate of the middle of the overlapping part, or None.
    Liang-Barsky clipping: a handful of float operations, no allocation."""
    t0, t1 = 0.0, 1.0
    dx, dy = bx - ax, by - ay
    for p, q in ((-dx, ax + half_x), (dx, half_x - ax), (-dy, ay + half_y), (dy, half_y - ay)):
        if p == 0.0:
            if q < 0.0:
                return None
        else:
            r = q / p
            if p < 0.0:
                if r > t1:
                    return None
                if r > t0:
                    t0 = r
            else:
                if r < t0:
                    return None
                if r < t1:
                    t1 = r
    return ax + dx * (t0 + t1) * 0.5


def segments_cross(p1x, p1y, p2x, p2y, q1x, q1y, q2x, q2y) -> bool:
    """True when segment p1-p2 crosses segment q1-q2 (touching counts)."""
    d1 = (q2x - q1x) * (p1y - q1y) - (q2y - q1y) * (p1x - q1x)
    d2 = (q2x - q1x) * (p2y - q1y) - (q2y - q1y) * (p2x - q1x)
    if (d1 > 0 and d2 > 0) or (d1 < 0 and d2 < 0):
        return False
    d3 = (p2x - p1x) * (q1y - p1y) - (p2y - p1y) * (q1x - p1x)
    d4 = (p2x - p1x) * (q2y - p1y) - (p2y - p1y) * (q2x - p1x)
    return not ((d3 > 0 and d4 > 0) or (d3 < 0 and d4 < 0))
