"""One simulated run: a world, one robot, one seed, and lockstep virtual time.

Simulated time moves only when the robot is called: every call costs the spec's link
latency (as a real serial round trip does) and ``wait(ms)`` costs its ``ms``. Motion is
integrated lazily, only when something needs the present (a sensor read, a new command,
the time limit), so a 100 Hz student loop costs a few arcs per iteration. The same
world, seed and call sequence give the same floats, so traces are bit-identical.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from roboarena.errors import RunOver
from roboarena.sims import monitors
from roboarena.sims.bodies import CarBody, KitBody, Noise, nearest_colour
from roboarena.sims.floor import PALETTE
from roboarena.sims.physics import segment_hits_box, segments_cross
from roboarena.sims.sensors import CameraModel, UltrasonicModel
from roboarena.sims.spec import RobotSpec, load_spec
from roboarena.sims.world import WALL_GRID_MM, World

OBSERVER_CHUNK_MS = 20.0     # a window watching the run is shown a frame at least this often
ADC_MAX = 4095               # the 12-bit ADC the reflectance array is read through
ADC_BLACK, ADC_SPAN = 120.0, 3800.0   # counts at zero reflectance, and from zero to white paper
CONTACT_BISECTIONS = 8       # a contact is placed to 1/256 of a sub-step's travel
CONTACT_RELEASE_MM = 10.0    # moving this far from a contact ends it; touching again is a new collision


SENSORS = ("line", "ultrasonic", "gyro", "encoders", "colour", "bumper", "camera")


@dataclass(frozen=True)
class RunSettings:
    """What a challenge changes about a run in its world (None: the world's own)."""
    time_limit_ms: float | None = None
    finish_laps: int | None = None
    finish_zone: str | None = None
    start_pose: tuple[float, float, float] | None = None
    jitter_mm: float = 0.0          # standard deviation of the start position, seeded
    jitter_deg: float = 0.0         # standard deviation of the start heading, seeded
    watches: tuple[monitors.WatchSpec, ...] = ()
    sensors: frozenset[str] | None = None   # the sensors a program may read; None: all
    out_zone: str = ""              # leaving this zone ends the run (a sumo ring)
    robots: int = 1                 # robots in the world, each with its own program (a sumo bout: 2)
    opponent: str = ""              # the program the other robots run unless told otherwise
    label: str = ""                 # the challenge id, for traces and messages
    content_hash: str = ""          # the challenge pack's hash, for traces


class Simulation:
    """The state of one run. The student's program reaches it through a link
    (:class:`roboarena.sims.link.SimLink`); the runner, the window and the trace read it."""

    def __init__(self, world: World, spec: RobotSpec | None = None, seed: int = 0, start_index: int = 0,
                 sample_period_ms: float = 10.0, settings: RunSettings = RunSettings(), noise_stream: int = 0):
        self.world = world
        self.settings = settings
        self.spec = spec or load_spec(world.robot_kind)
        self.seed = seed
        # Robot 0 of a run draws from the seed itself; the others of a match from their own streams.
        self.noise = Noise(seed if noise_stream == 0 else [seed, noise_stream])
        x, y, heading = settings.start_pose or world.starts[start_index % len(world.starts)]
        if settings.jitter_mm or settings.jitter_deg:
            x += settings.jitter_mm * self.noise.normal()
            y += settings.jitter_mm * self.noise.normal()
            heading += settings.jitter_deg * self.noise.normal()
        start = self.start_pose = (x, y, heading)
        body_class = KitBody if self.spec.kind == "kit" else CarBody
        self.body = body_class(self.spec, start, self.noise)
        self.t_ms = 0.0
        self.pending_ms = 0.0
        self.time_limit_ms = settings.time_limit_ms or world.time_limit_ms
        self.finish_laps = world.finish_laps if settings.finish_laps is None else settings.finish_laps
        self.finish_zone = world.finish_zone if settings.finish_zone is None else settings.finish_zone
        self.progress = 0            # counts time advances; the hang guard watches it
        self.over: str | None = None
        self.observer = None         # callable(sim) shown the run as it goes (the window)
        self.arena = None            # the Arena when robots share the world (sumo), else None
        self.others: list[Simulation] = []   # the other robots in the arena
        self.robot_index = 0
        self.robot_contact = False   # touching another robot (one contact event per touch)
        self.paused = False          # the window holds the run; the hang guard waits meanwhile
        self.sample_period_ms = sample_period_ms
        self.next_sample_ms = 0.0
        self._samples: list[tuple] = []
        self._events: list[tuple[float, str, dict]] = []
        self.in_contact = False
        self.contact_at = (0.0, 0.0)
        self.bumper_pressed = False
        self._gate_box = None
        if world.gates:
            self._aim_at_gate(0)
        else:
            self.next_gate = 0
        self._laps = 0
        self._checkpoints = 0
        self._collisions = 0
        self.lap_start_ms = 0.0
        self.zones_inside = {zone.name for zone in world.zones if zone.contains(self.body.x, self.body.y)}
        self.led = (0, 0, 0)
        half_wall = world.wall_thickness_mm / 2
        self._wall_cells = _padded_wall_index(world, self.body.radius + half_wall + 1.0)
        self._box_half = (self.body.half_length + half_wall, self.body.half_width + half_wall)
        self.ultrasonic = UltrasonicModel(self.spec.ultrasonic, world)
        # A world with traffic lights gets its own copy of the floor to show their colours on.
        self.floor = world.floor.copy() if world.lights else world.floor
        self.light_colours = {light.name: "" for light in world.lights}
        self._show_lights()
        self.camera = CameraModel(self.spec.camera, world, self.floor) if self.spec.camera else None
        self.monitors = [monitors.build(watch, world) for watch in settings.watches]
        self.restart_pose = self.start_pose
        if self.spec.line_array:
            side = max(1, round(self.spec.line_array.patch_mm / world.mm_per_px))
            sat = world.floor_sat
            self._line_lookup = (sat, 1.0 / world.mm_per_px, side, len(sat) - 1, len(sat[0]) - 1)
            self._line_offset_px = side / 2
            offsets = self.spec.line_array.offsets
            # From one sensor to the next (the spec places them evenly along a bar).
            self._line_step = ((offsets[1][0] - offsets[0][0], offsets[1][1] - offsets[0][1])
                               if len(offsets) > 1 else (0.0, 0.0))
        gyro = self.spec.gyro
        self.gyro_bias_deg_s = gyro.bias_deg_s * self.noise.normal() if gyro else 0.0
        # Sensor caches: (time read, value). A sensor is recomputed no more often than its update rate.
        self._line = (-math.inf, None)
        self._distance = (-math.inf, None)
        self._heading = (-math.inf, None)
        self._frame = (-math.inf, None)
        self.event("start", x=round(start[0], 1), y=round(start[1], 1), heading=round(start[2], 2))
        self._record_sample()

    # --- time -------------------------------------------------------------------------------------
    def tick(self, ms: float):
        """Let ``ms`` of simulated time pass (integrated lazily, see :meth:`sync`)."""
        if self.over is not None:
            raise RunOver(self.over)
        self.progress += 1
        if self.arena is not None:
            self.arena.advance(self, ms)     # the world moves when every robot has asked it to
            return
        self.pending_ms += ms
        if self.t_ms + self.pending_ms >= self.time_limit_ms or self.observer is not None:
            self.sync()

    def sync(self):
        """Integrate the pending time: motion, contacts, gates, zones, samples, time limit.

        A sample is recorded when the integrated time passes a multiple of sample_period_ms.
        A span that passes two or more of them (a long wait) is cut at each, so the trace
        never has gaps; a short span is integrated whole, as the student's loop runs it."""
        if self.pending_ms <= 0.0:
            return
        end_ms = min(self.t_ms + self.pending_ms, self.time_limit_ms)
        self.pending_ms = 0.0
        while self.t_ms < end_ms and self.over is None:
            chunk_end = end_ms
            if end_ms >= self.next_sample_ms + self.sample_period_ms:
                chunk_end = self.next_sample_ms
            if self.observer is not None and chunk_end > self.t_ms + OBSERVER_CHUNK_MS:
                chunk_end = self.t_ms + OBSERVER_CHUNK_MS
            self._integrate((chunk_end - self.t_ms) / 1000.0)
            self.t_ms = chunk_end
            if chunk_end >= self.next_sample_ms:
                self._record_sample()
            if self.observer is not None:
                self.observer(self)
        if self.world.lights:
            self._show_lights()
        if self.t_ms >= self.time_limit_ms and self.over is None:
            self.finish("time-limit")

    def _show_lights(self):
        """Paint each traffic light's pad in its present colour (on this run's floor copy)."""
        for light in self.world.lights:
            colour = light.colour_at(self.t_ms)
            if colour != self.light_colours[light.name]:
                self.light_colours[light.name] = colour
                x, y, w, h = light.rect
                s = self.world.mm_per_px
                self.floor[int(y / s):int((y + h) / s), int(x / s):int((x + w) / s)] = PALETTE[colour]
                self.event("light", light=light.name, color=colour)

    def _integrate(self, seconds: float):
        body = self.body
        if not body.moving():
            return
        start_ms = self.t_ms
        elapsed = 0.0
        wall_cells, zones = self._wall_cells, self.world.zones
        while seconds - elapsed > 1e-12 and self.over is None:
            step, x, y, heading, state = body.propose(seconds - elapsed)
            elapsed += step
            self.t_ms = start_ms + elapsed * 1000.0     # events inside the step carry its time
            # Most steps are nowhere near a wall: one dict lookup says so.
            if self.others or wall_cells.get((int(x // WALL_GRID_MM), int(y // WALL_GRID_MM))):
                blocked = self._contact(x, y, heading)
                if blocked is not None and blocked[0] == "robot" and self._push(blocked[2], x - body.x, y - body.y):
                    blocked = None      # shoved the other robot along: this step goes through
                elif self.robot_contact and (blocked is None or blocked[0] != "robot"):
                    self.robot_contact = False
                if blocked is not None:
                    self._touch(x, y, heading, state, blocked)
                    continue
            old_x, old_y = body.x, body.y
            body.commit(x, y, heading, state)
            self.bumper_pressed = False
            if self.in_contact and math.hypot(x - self.contact_at[0], y - self.contact_at[1]) > CONTACT_RELEASE_MM:
                self.in_contact = False
            # Only a step whose box overlaps the next gate's box can cross it.
            gate_box = self._gate_box
            if (gate_box is not None and (x >= gate_box[0] or old_x >= gate_box[0])
                    and (x <= gate_box[2] or old_x <= gate_box[2]) and (y >= gate_box[1] or old_y >= gate_box[1])
                    and (y <= gate_box[3] or old_y <= gate_box[3])):
                self._check_gates(old_x, old_y, x, y)
            if zones:
                self._check_zones(x, y)

    def _aim_at_gate(self, index: int):
        """Make gate ``index`` the next one to cross, with its bounding box for the quick test."""
        self.next_gate = index
        gate = self.world.gates[index]
        self._gate_box = (min(gate.a[0], gate.b[0]), min(gate.a[1], gate.b[1]),
                          max(gate.a[0], gate.b[0]), max(gate.a[1], gate.b[1]))

    def _touch(self, x: float, y: float, heading: float, state, blocked):
        """The step would run into a wall: go as far as touching it, then stall the wheels.

        Bisecting the step puts the body within a fraction of a mm of the wall, so the next
        push collides at once and one contact is one collision event, however long it lasts."""
        body = self.body
        x0, y0, h0 = body.x, body.y, body.heading
        free, hit = 0.0, 1.0
        for _ in range(CONTACT_BISECTIONS):
            mid = (free + hit) * 0.5
            if self._contact(x0 + (x - x0) * mid, y0 + (y - y0) * mid, h0 + (heading - h0) * mid) is None:
                free = mid
            else:
                hit = mid
        if free > 0.0:
            body.commit(x0 + (x - x0) * free, y0 + (y - y0) * free, h0 + (heading - h0) * free,
                        body.partial(state, free))
        body.halt()
        self.bumper_pressed = blocked[1]
        if not self.in_contact:
            self.in_contact = True
            self.contact_at = (body.x, body.y)
            if blocked[0] == "robot":   # robots meeting is the point of sumo, not a crash
                if not self.robot_contact:
                    self.robot_contact = True
                    self.event("contact", robot=blocked[2].robot_index, front=blocked[1])
            else:
                self._collisions += 1
                self.event("collision", wall=blocked[0], x=round(body.x, 1), y=round(body.y, 1), front=blocked[1])

    def _contact(self, x: float, y: float, heading: float):
        """(wall index, hit at the front) if the body at this pose overlaps a wall, or
        ("robot", hit at the front, other simulation) if it overlaps another robot; else None."""
        cell = self._wall_cells.get((int(x // WALL_GRID_MM), int(y // WALL_GRID_MM)))
        if not cell and not self.others:
            return None
        c, s = math.cos(heading), math.sin(heading)
        half_x, half_y = self._box_half
        walls = self.world.walls
        for index in cell or ():
            ax, ay, bx, by = walls[index]
            ax, ay, bx, by = ax - x, ay - y, bx - x, by - y
            hit = segment_hits_box(ax * c + ay * s, -ax * s + ay * c, bx * c + by * s, -bx * s + by * c, half_x, half_y)
            if hit is not None:
                return index, hit > 0.0
        # Another robot: its four edges against this body's box (in this body's frame).
        for other in self.others:
            if math.hypot(other.body.x - x, other.body.y - y) > self.body.radius + other.body.radius:
                continue
            corners = other.body.corners()
            for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
                ax, ay, bx, by = ax - x, ay - y, bx - x, by - y
                hit = segment_hits_box(ax * c + ay * s, -ax * s + ay * c, bx * c + by * s, -bx * s + by * c,
                                       self.body.half_length, self.body.half_width)
                if hit is not None:
                    return "robot", hit > 0.0, other
        return None

    def _push(self, other: "Simulation", dx: float, dy: float) -> bool:
        """This robot's step runs into ``other``: shove it along by the same displacement
        (its wheels skid), unless a wall or a third robot stops it. A kinematic push: the
        robot that drives into the other moves it; two pushing head-on cancel out."""
        body = other.body
        x, y = body.x + dx, body.y + dy
        blocked = other._contact(x, y, body.heading)
        if blocked is not None and not (blocked[0] == "robot" and blocked[2] is self):
            return False
        if not self.robot_contact:
            self.robot_contact = True
            self.event("contact", robot=other.robot_index, front=True)
        old_x, old_y = body.x, body.y
        body.x, body.y = x, y
        if other.world.zones:
            other._check_zones(x, y)
        other._check_gates(old_x, old_y, x, y)
        return True

    def _check_gates(self, x0: float, y0: float, x1: float, y1: float):
        gates = self.world.gates
        if not gates:
            return
        gate = gates[self.next_gate]
        if not segments_cross(x0, y0, x1, y1, gate.a[0], gate.a[1], gate.b[0], gate.b[1]):
            return
        self._checkpoints += 1
        self.event("checkpoint", gate=gate.name, index=self.next_gate, lap=self._laps + 1)
        self.restart_pose = gate.restart or (x1, y1, math.degrees(self.body.heading))
        self._aim_at_gate((self.next_gate + 1) % len(gates))
        if self.next_gate == 0:
            self._laps += 1
            self.event("lap", lap=self._laps, lap_time_s=round((self.t_ms - self.lap_start_ms) / 1000.0, 3))
            self.lap_start_ms = self.t_ms
            if self.finish_laps and self._laps >= self.finish_laps:
                self.finish("finished")

    def _check_zones(self, x: float, y: float):
        for zone in self.world.zones:
            inside = zone.contains(x, y)
            if inside != (zone.name in self.zones_inside):
                if inside:
                    self.zones_inside.add(zone.name)
                    self.event("zone-entered", zone=zone.name)
                    for light in self.world.lights:
                        if light.zone == zone.name and light.colour_at(self.t_ms) == "red":
                            self.event("red-light", light=light.name)
                    # A finish zone ends the run once every checkpoint has been crossed (no short cuts).
                    if zone.name == self.finish_zone and self._checkpoints >= len(self.world.gates):
                        self.finish("finished")
                else:
                    self.zones_inside.discard(zone.name)
                    self.event("zone-left", zone=zone.name)
                    if zone.name == self.settings.out_zone:     # pushed or driven out of the ring
                        self.event("out", zone=zone.name)
                        if self.arena is not None:
                            self.arena.robot_out(self)
                        else:
                            self.finish("finished")

    def restart_at_last_checkpoint(self):
        """Put the robot back where it last crossed a checkpoint (or at the start), stopped."""
        body = self.body
        body.x, body.y = self.restart_pose[0], self.restart_pose[1]
        body.heading = math.radians(self.restart_pose[2])
        body.halt()
        self.in_contact = self.bumper_pressed = False
        self.event("restart", x=round(body.x, 1), y=round(body.y, 1), heading=round(self.restart_pose[2], 2))

    def finish(self, reason: str):
        """End the run: the next robot call raises RunOver(reason)."""
        if self.over is None:
            self.over = reason
            self.event("finish" if reason == "finished" else "end", reason=reason)
            self._record_sample()

    def event(self, name: str, **fields):
        self._events.append((self.t_ms, name, fields))

    def _record_sample(self):
        """Raw floats, rounded only when a trace is written: recording is on the hot path."""
        body = self.body
        a, b, cmd_a, cmd_b = body.sample()
        self._samples.append((self.t_ms, body.x, body.y, math.degrees(body.heading), a, b, cmd_a, cmd_b,
                              self._line[1], self._distance[1]))
        for monitor in self.monitors:
            monitor.check(self)
        self.next_sample_ms = (self.t_ms // self.sample_period_ms + 1) * self.sample_period_ms

    # --- sensors -----------------------------------------------------------------------------------
    def read_line(self) -> list[int]:
        """The reflectance array, left to right, in 12-bit ADC counts (black low, white high)."""
        self.sync()
        array = self.spec.line_array
        if self.t_ms - self._line[0] >= array.period_ms:
            body = self.body
            c, s = math.cos(body.heading), math.sin(body.heading)
            # Summed-area lookups written out in line: this runs for every sensor of every
            # student loop iteration. The sensors sit evenly along a bar, so each one's pixel
            # is the first one's plus a step; each patch is `side` pixels square.
            sat, scale, side, rows, cols = self._line_lookup
            forward, left = array.offsets[0]
            step_forward, step_left = self._line_step
            px = (body.x + forward * c - left * s) * scale - self._line_offset_px
            py = (body.y + forward * s + left * c) * scale - self._line_offset_px
            dx, dy = (step_forward * c - step_left * s) * scale, (step_forward * s + step_left * c) * scale
            gain, sigma = ADC_SPAN / (side * side), array.noise
            values = []
            for jitter in self.noise.normals(len(array.offsets)):
                c0, r0 = int(px), int(py)
                if c0 < 0 or r0 < 0 or c0 + side > cols or r0 + side > rows:
                    count = int(ADC_BLACK + sigma * jitter)       # off the floor: nothing reflects
                else:
                    top, bottom = sat[r0], sat[r0 + side]
                    count = int(ADC_BLACK + gain * (bottom[c0 + side] - bottom[c0] - top[c0 + side] + top[c0])
                                + sigma * jitter)
                values.append(0 if count < 0 else ADC_MAX if count > ADC_MAX else count)
                px += dx
                py += dy
            self._line = (self.t_ms, tuple(values))
        return list(self._line[1])

    def read_distance(self) -> float:
        """Ultrasonic range in mm (max_mm when no echo comes back)."""
        sonar = self.spec.ultrasonic
        if self.t_ms + self.pending_ms - self._distance[0] >= sonar.period_ms:
            self.sync()
            body = self.body
            x, y = body.to_world(sonar.forward_mm, 0.0)
            others = None
            if self.others:   # the other robots echo too
                edges = []
                for other in self.others:
                    corners = other.body.corners()
                    edges += [(a[0], a[1], b[0], b[1]) for a, b in zip(corners, corners[1:] + corners[:1])]
                others = np.array(edges)
            value = self.ultrasonic.measure(x, y, body.heading, others)
            if value < sonar.max_mm:
                value = min(sonar.max_mm, max(sonar.min_mm, value + sonar.noise_mm * self.noise.normal()))
            self._distance = (self.t_ms, float(round(value)))
        return self._distance[1]

    def read_heading(self) -> float:
        """Gyro heading in deg since the start, counter-clockwise positive, not wrapped."""
        gyro = self.spec.gyro
        if self.t_ms + self.pending_ms - self._heading[0] >= gyro.period_ms:
            self.sync()
            body = self.body
            true_deg = math.degrees(body.heading - body.start_heading)
            value = true_deg + self.gyro_bias_deg_s * self.t_ms / 1000.0 + gyro.noise_deg * self.noise.normal()
            self._heading = (self.t_ms, round(value, 2))
        return self._heading[1]

    def read_encoders(self) -> tuple[int, int]:
        self.sync()
        return self.body.encoders()

    def read_colour(self) -> str:
        self.sync()
        x, y = self.body.to_world(self.spec.colour_forward_mm, 0.0)
        return nearest_colour(self.world.patch_rgb(x, y, 4.0, self.floor))

    def read_bumper(self) -> bool:
        self.sync()
        return self.bumper_pressed

    def camera_frame(self):
        self.sync()
        if self.t_ms - self._frame[0] >= self.spec.camera.period_ms:
            body = self.body
            self._frame = (self.t_ms, self.camera.frame(body.x, body.y, body.heading))
        return self._frame[1].copy()

    # --- actuators ----------------------------------------------------------------------------------
    def command(self, a: float, b: float):
        """Kit: left and right wheel speeds in mm/s. Car: speed in mm/s and steering in deg."""
        self.sync()
        self.body.command(a, b)

    def set_led(self, rgb: tuple[int, int, int]):
        if rgb != self.led:
            self.led = rgb
            self.event("led", rgb=list(rgb))

    def beep(self, frequency_hz: float, duration_ms: float):
        self.event("beep", frequency_hz=frequency_hz, duration_ms=duration_ms)

    # --- what tests, the window and the trace read -----------------------------------------------
    # Reading any of these brings the run up to the present first: motion is integrated
    # lazily, and an observer must not see the robot where it was before a long wait().
    @property
    def events(self) -> list[tuple[float, str, dict]]:
        """(t_ms, name, fields) for every event so far."""
        self.sync()
        return self._events

    @property
    def samples(self) -> list[tuple]:
        """(t_ms, x, y, heading_deg, a, b, cmd_a, cmd_b, line, distance) every sample period;
        a, b are the wheel speeds (kit) or speed and steering deg (car)."""
        self.sync()
        return self._samples

    @property
    def laps(self) -> int:
        self.sync()
        return self._laps

    @property
    def checkpoints(self) -> int:
        self.sync()
        return self._checkpoints

    @property
    def collisions(self) -> int:
        self.sync()
        return self._collisions

    # --- summary ---------------------------------------------------------------------------------------
    def distance_driven_mm(self) -> float:
        return (self.body.travel_left + self.body.travel_right) / 2


def _padded_wall_index(world: World, margin_mm: float) -> dict[tuple[int, int], tuple[int, ...]]:
    """For each grid cell, the walls within ``margin_mm`` of it: one dict lookup then
    finds every wall a body centred in that cell could touch."""
    cells: dict[tuple[int, int], tuple[int, ...]] = {}
    g = WALL_GRID_MM
    for index, (ax, ay, bx, by) in enumerate(world.walls):
        for gx in range(int((min(ax, bx) - margin_mm) // g), int((max(ax, bx) + margin_mm) // g) + 1):
            for gy in range(int((min(ay, by) - margin_mm) // g), int((max(ay, by) + margin_mm) // g) + 1):
                cells[(gx, gy)] = cells.get((gx, gy), ()) + (index,)
    return cells
