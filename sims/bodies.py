"""Robot bodies: the state of one kit or car, how it moves over a sub-step, and the
cheap sensors read from that state (reflectance, gyro, encoders, colour, bumper).

Plain float math: one robot is a handful of numbers, and a numpy call on a handful of
numbers costs more than the arithmetic. Angles are rad inside, deg at the edges.
"""

from __future__ import annotations

import math

from roboarena.sims.floor import PALETTE
from roboarena.sims.physics import arc, lagged_travel
from roboarena.sims.spec import RobotSpec

SETTLED_MM_S = 1.0           # closer than this to its target, a wheel is at its target (stiction)
# The longest sub-step: wheel travel over it is exact whatever the lag, the arc through it
# is off by far less than a mm, and at full speed the body moves about as far as a wall is
# thick, so no step can jump a wall.
MAX_STEP_S = 0.020

# Colours the colour sensor names; the rest of the palette is not on its list.
SENSED_COLOURS = ("black", "white", "red", "green", "blue", "yellow")


class Noise:
    """Every random number of a run, drawn from one seeded generator in blocks.

    Drawing one float from numpy costs about a microsecond; a block of 4096 drawn at once
    and handed out from a list costs a few nanoseconds each, with the same determinism."""

    BLOCK = 4096

    def __init__(self, seed: int):
        import numpy as np

        self.rng = np.random.default_rng(seed)
        self._normals: list[float] = []
        self._next = 0

    def normal(self) -> float:
        if self._next == len(self._normals):
            self._normals = self.rng.standard_normal(self.BLOCK).tolist()
            self._next = 0
        value = self._normals[self._next]
        self._next += 1
        return value

    def normals(self, count: int) -> list[float]:
        """The next ``count`` draws at once (the same numbers ``normal()`` would give)."""
        start = self._next
        if start + count > len(self._normals):
            return [self.normal() for _ in range(count)]
        self._next = start + count
        return self._normals[start:start + count]


class Body:
    """What kit and car bodies share: pose, wheel travel, encoders, footprint."""

    def __init__(self, spec: RobotSpec, pose: tuple[float, float, float], noise: Noise):
        self.spec = spec
        self.x, self.y = pose[0], pose[1]
        self.heading = math.radians(pose[2])   # unwrapped: counts whole turns
        self.start_heading = self.heading
        self.travel_left = self.travel_right = 0.0
        self.half_length, self.half_width = spec.length_mm / 2, spec.width_mm / 2
        self.radius = math.hypot(self.half_length, self.half_width)
        self.counts_per_mm = spec.encoder_counts_per_rev / (math.pi * spec.wheel_diameter_mm)
        self.tau_s = spec.motor.time_constant_ms / 1000.0
        self.noise = noise

    def encoders(self) -> tuple[int, int]:
        """Encoder counts, quantised like the real quadrature counter."""
        return (math.floor(self.travel_left * self.counts_per_mm), math.floor(self.travel_right * self.counts_per_mm))

    def to_world(self, forward: float, left: float) -> tuple[float, float]:
        c, s = math.cos(self.heading), math.sin(self.heading)
        return self.x + forward * c - left * s, self.y + forward * s + left * c

    def corners(self) -> list[tuple[float, float]]:
        hl, hw = self.half_length, self.half_width
        return [self.to_world(f, l) for f, l in ((hl, hw), (hl, -hw), (-hl, -hw), (-hl, hw))]


class KitBody(Body):
    """Differential drive: two wheels ``axle_track_mm`` apart, each a lagged motor."""

    def __init__(self, spec: RobotSpec, pose, noise: Noise):
        super().__init__(spec, pose, noise)
        motor = spec.motor
        self.gain_left = 1.0 + motor.mismatch * noise.normal()
        self.gain_right = 1.0 + motor.mismatch * noise.normal()
        self.deadband_mm_s = motor.deadband * motor.max_speed
        self.track = spec.axle_track_mm
        self.v_left = self.v_right = 0.0
        self.target_left = self.target_right = 0.0
        self.cmd_left = self.cmd_right = 0.0

    def _wheel_target(self, command: float, gain: float) -> float:
        if -self.deadband_mm_s < command < self.deadband_mm_s:
            return 0.0
        limit = self.spec.motor.max_speed
        return max(-limit, min(limit, command * gain))

    def command(self, left: float, right: float):
        self.cmd_left, self.cmd_right = left, right
        self.target_left = self._wheel_target(left, self.gain_left)
        self.target_right = self._wheel_target(right, self.gain_right)

    def moving(self) -> bool:
        return self.v_left != 0.0 or self.v_right != 0.0 or self.target_left != 0.0 or self.target_right != 0.0

    def speed(self) -> float:
        """Forward speed of the centre, mm/s."""
        return (self.v_left + self.v_right) * 0.5

    def propose(self, max_step_s: float):
        """(step_s, x, y, heading, state) for the next sub-step, not yet committed.

        The same maths as physics.lagged_travel and physics.arc, written out in line:
        this runs for every sub-step of every run."""
        v_left, v_right, target_left, target_right = self.v_left, self.v_right, self.target_left, self.target_right
        if -SETTLED_MM_S < v_left - target_left < SETTLED_MM_S and -SETTLED_MM_S < v_right - target_right < SETTLED_MM_S:
            v_left, v_right = self.v_left, self.v_right = target_left, target_right
        step = max_step_s if max_step_s < MAX_STEP_S else MAX_STEP_S
        d_left, d_right = target_left * step, target_right * step
        if v_left != target_left or v_right != target_right:
            tau = self.tau_s
            decay = math.exp(-step / tau)
            d_left += (v_left - target_left) * tau * (1.0 - decay)
            d_right += (v_right - target_right) * tau * (1.0 - decay)
            v_left = target_left + (v_left - target_left) * decay
            v_right = target_right + (v_right - target_right) * decay
        turn = (d_right - d_left) / self.track
        half = turn * 0.5
        chord = (d_left + d_right) * 0.5
        if not -1e-9 < half < 1e-9:
            chord *= math.sin(half) / half
        direction = self.heading + half
        return (step, self.x + chord * math.cos(direction), self.y + chord * math.sin(direction),
                self.heading + turn, (v_left, v_right, d_left, d_right))

    def commit(self, x: float, y: float, heading: float, state):
        self.x, self.y, self.heading = x, y, heading
        self.v_left, self.v_right, d_left, d_right = state
        self.travel_left += d_left
        self.travel_right += d_right

    @staticmethod
    def partial(state, fraction: float):
        """The state after ``fraction`` of a proposed step (wheel travel scaled)."""
        v_left, v_right, d_left, d_right = state
        return v_left, v_right, d_left * fraction, d_right * fraction

    def halt(self):
        """Blocked by a wall: the wheels stop dead (the motors stall)."""
        self.v_left = self.v_right = 0.0

    def sample(self) -> tuple:
        return (self.v_left, self.v_right, self.cmd_left, self.cmd_right)


class CarBody(Body):
    """Kinematic bicycle referenced at the middle of the wheelbase: a lagged throttle and
    a rate-limited steering servo. Over a sub-step speed and steering angle are taken at
    their mid-step values and the centre moves on the exact arc they give."""

    def __init__(self, spec: RobotSpec, pose, noise: Noise):
        super().__init__(spec, pose, noise)
        motor = spec.motor
        self.gain = 1.0 + motor.mismatch * noise.normal()
        self.steer_trim = math.radians(0.5) * noise.normal()   # a servo horn is never exactly centred
        self.deadband_mm_s = motor.deadband * motor.max_speed
        self.wheelbase = spec.wheelbase_mm
        self.steer_rate = math.radians(spec.steer_rate_deg_s)
        self.v = 0.0
        self.steer = self.steer_trim
        self.target_v = 0.0
        self.target_steer = self.steer_trim
        self.cmd_speed = self.cmd_steer_deg = 0.0

    def command(self, speed: float, steer_deg: float):
        self.cmd_speed, self.cmd_steer_deg = speed, steer_deg
        limit = self.spec.motor.max_speed
        self.target_v = 0.0 if -self.deadband_mm_s < speed < self.deadband_mm_s else max(-limit, min(limit, speed * self.gain))
        self.target_steer = math.radians(steer_deg) + self.steer_trim

    def moving(self) -> bool:
        return self.v != 0.0 or self.target_v != 0.0

    def speed(self) -> float:
        return self.v

    def propose(self, max_step_s: float):
        if abs(self.v - self.target_v) < SETTLED_MM_S:
            self.v = self.target_v
        step = max_step_s if max_step_s < MAX_STEP_S else MAX_STEP_S
        distance, v = lagged_travel(self.v, self.target_v, step, self.tau_s)
        max_turn = self.steer_rate * step
        gap = self.target_steer - self.steer
        steer = self.target_steer if -max_turn <= gap <= max_turn else self.steer + math.copysign(max_turn, gap)
        mid_steer = (self.steer + steer) * 0.5
        slip = math.atan(math.tan(mid_steer) * 0.5)
        turn = distance * math.cos(slip) * math.tan(mid_steer) / self.wheelbase
        x, y, _ = arc(self.x, self.y, self.heading + slip, distance, turn)
        return step, x, y, self.heading + turn, (v, steer, distance)

    def commit(self, x: float, y: float, heading: float, state):
        self.x, self.y, self.heading = x, y, heading
        self.v, self.steer, distance = state
        self.travel_left += distance
        self.travel_right += distance

    @staticmethod
    def partial(state, fraction: float):
        v, steer, distance = state
        return v, steer, distance * fraction

    def halt(self):
        self.v = 0.0

    def sample(self) -> tuple:
        return (self.v, math.degrees(self.steer), self.cmd_speed, self.cmd_steer_deg)


def nearest_colour(rgb: tuple[int, int, int]) -> str:
    r, g, b = rgb
    return min(SENSED_COLOURS, key=lambda name: (PALETTE[name][0] - r) ** 2 + (PALETTE[name][1] - g) ** 2
               + (PALETTE[name][2] - b) ** 2)
