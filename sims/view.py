"""The simulator's window and pictures: one renderer that draws a run (floor, walls,
zones, gates, trajectory, robot and its sensors) onto any pygame surface, shown live in
a window by :class:`Viewer` or saved as a PNG by :func:`save_png`.

Units: world mm and deg with world y up; the renderer flips y for the screen. Only this
module and :mod:`roboarena.sims.teleop` import pygame when imported, and a picture is
drawn offscreen, so headless runs never open SDL's video.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from roboarena.errors import RoboarenaError  # noqa: E402
from roboarena.messages import CATALOG, current_language, render  # noqa: E402

MAX_SCENE_W, MAX_SCENE_H = 1200, 800   # px: the world is scaled to fit this box
PANEL_W = 300                          # px: read-outs beside the world in the window
MIN_WINDOW_H = 560                     # px: a flat world still leaves room for the read-outs
CAPTION_H = 28                         # px: the strip under a saved picture saying what run it is
PACED_FPS = 60.0                       # draw rate cap at 1x / 4x
MAX_SPEED_FPS = 30.0                   # draw rate cap at max speed: drawing must not slow the run
PAUSE_POLL_S = 1 / 30                  # while paused, how often events are read and the frame redrawn
MAX_LAG_S = 0.25                       # further behind than this, pacing restarts from now (no catch-up burst)
CJK_FONTS = ["notosanscjksc", "notosanscjk", "notosanssc", "sourcehansanssc", "wenquanyimicrohei",
             "wenquanyizenhei", "microsoftyahei", "simhei", "pingfangsc", "heitisc", "arialunicodems"]

FLOOR_EDGE = (40, 42, 46)
WALL = (85, 60, 45)
ZONE = (0, 150, 210)
GATE = (120, 90, 220)
GATE_LABEL = (205, 190, 255)   # lighter: it sits on a dark tab
NEXT_GATE = (240, 120, 0)
TRAIL = (230, 0, 160)
BODY_FILL = (60, 120, 230, 110)      # translucent, so the floor under the robot stays visible
BODY_EDGE = (20, 50, 120)
WHEEL = (25, 25, 25)
NOSE = (255, 255, 255)
SONAR_ECHO = (255, 150, 0, 55)
SONAR_NONE = (160, 160, 160, 40)
SONAR_RAY = (230, 110, 0)
SENSOR_EDGE = (220, 30, 30)
PANEL_BG = (32, 34, 38)
PANEL_TEXT = (225, 225, 225)
PANEL_DIM = (150, 150, 155)
PANEL_ALERT = (255, 190, 60)


class NoDisplay(Exception):
    """No screen to open a window on (e.g. over SSH, in CI): run without one."""


# --- pure helpers --------------------------------------------------------------------------------

def fit_scale(width_mm: float, height_mm: float, max_w: int = MAX_SCENE_W, max_h: int = MAX_SCENE_H) -> float:
    """Pixels per mm that fit a ``width_mm`` x ``height_mm`` world into ``max_w`` x ``max_h`` px."""
    return min(max_w / width_mm, max_h / height_mm)


def pace_delay(sim_elapsed_ms: float, wall_elapsed_s: float, speed: float | None) -> float:
    """Seconds to sleep so that ``sim_elapsed_ms`` of robot time take ``1/speed`` as long
    in wall time, given ``wall_elapsed_s`` already passed. 0 when behind or at max speed (None)."""
    if speed is None or speed <= 0:
        return 0.0
    return max(0.0, sim_elapsed_ms / 1000.0 / speed - wall_elapsed_s)


def speed_label(speed: float | None) -> str:
    return render("window.speed_max") if speed is None else f"{speed:g}x"


def outcome_label(over: str) -> str:
    """The run's outcome in words; the raw reason when the catalog has no words for it."""
    return render(f"result.{over}") if f"result.{over}" in CATALOG else over


def panel_lines(sim, speed: float | None, paused: bool, trail: bool = True) -> list[tuple[str, tuple]]:
    """The read-outs beside the world, top to bottom, as (text, colour)."""
    body = sim.body
    lines = [(render("window.time", time_s=sim.t_ms / 1000.0), PANEL_TEXT),
             (render("window.speed", speed=speed_label(speed)), PANEL_TEXT)]
    if sim.over is not None:
        lines.append((render("window.over", outcome=outcome_label(sim.over)), PANEL_ALERT))
    elif paused:
        lines.append((render("window.paused"), PANEL_ALERT))
    else:
        lines.append((render("window.running"), PANEL_DIM))
    if not trail:
        lines.append((render("window.trail_hidden"), PANEL_DIM))
    lines += [("", PANEL_TEXT),
              (render("window.laps", laps=sim.laps), PANEL_TEXT),
              (render("window.checkpoints", checkpoints=sim.checkpoints), PANEL_TEXT),
              (render("window.collisions", collisions=sim.collisions), PANEL_TEXT),
              ("", PANEL_TEXT),
              (render("window.pose", x=body.x, y=body.y, heading=math.degrees(body.heading) % 360.0), PANEL_DIM)]
    if sim.spec.kind == "car":
        lines += [(render("window.car_speed", speed=body.v), PANEL_TEXT),
                  (render("window.steering", steering=math.degrees(body.steer)), PANEL_TEXT)]
    else:
        values = sim._line[1]
        text = " ".join(str(v) for v in values) if values is not None else render("window.not_read")
        lines.append((render("window.line", values=text), PANEL_TEXT))
    distance = sim._distance[1]
    lines.append((render("window.distance", distance=f"{distance:.0f} mm" if distance is not None
                         else render("window.not_read")), PANEL_TEXT))
    left, right = body.encoders()
    lines.append((render("window.encoders", left=left, right=right), PANEL_TEXT))
    return lines


def _title(world) -> str:
    return world.title.get(current_language(), world.name)


# --- fonts ----------------------------------------------------------------------------------------

_font_path: list = []                  # [path or None] once looked up: the system font search is slow
_fonts: dict[int, object] = {}


def font(size: int):
    """A font that can draw Chinese if the system has one (else pygame's default); None if
    pygame was built without font support."""
    if size in _fonts:
        return _fonts[size]
    try:
        if not pygame.font.get_init():
            pygame.font.init()
        if not _font_path:
            try:
                _font_path.append(pygame.font.match_font(CJK_FONTS))
            except Exception:  # noqa: BLE001 - a broken font list only costs the Chinese glyphs
                _font_path.append(None)
        try:
            made = pygame.font.Font(_font_path[0], size)
        except (OSError, pygame.error):
            made = pygame.font.Font(None, size)
    except (ImportError, NotImplementedError, pygame.error, OSError):
        made = None
    _fonts[size] = made
    return made


def draw_text(target, text: str, pos: tuple[float, float], colour=PANEL_TEXT, size: int = 16) -> int:
    """Draw ``text`` at ``pos`` (top-left); returns its width in px (0 if it could not be drawn)."""
    face = font(size)
    if face is None or not text:
        return 0
    try:
        image = face.render(text, True, colour)
    except (pygame.error, ValueError, UnicodeError):
        return 0
    target.blit(image, pos)
    return image.get_width()


def draw_label(target, text: str, pos: tuple[float, float], colour=PANEL_TEXT, size: int = 14):
    """A small label on a dark tab, readable on any floor colour."""
    face = font(size)
    if face is None or not text:
        return
    try:
        image = face.render(text, True, colour)
    except (pygame.error, ValueError, UnicodeError):
        return
    tab = pygame.Surface((image.get_width() + 6, image.get_height() + 2), pygame.SRCALPHA)
    tab.fill((20, 20, 24, 170))
    target.blit(tab, pos)
    target.blit(image, (pos[0] + 3, pos[1] + 1))


def _translucent_polygon(target, rgba, points):
    """A see-through filled polygon: drawn on a layer just big enough for it (clipped to
    the target, so a long sonar cone costs no more than the visible part)."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    rect = pygame.Rect(int(min(xs)), int(min(ys)), int(max(xs) - min(xs)) + 2, int(max(ys) - min(ys)) + 2)
    rect = rect.clip(target.get_rect())
    if rect.w <= 0 or rect.h <= 0:
        return
    layer = pygame.Surface(rect.size, pygame.SRCALPHA)
    pygame.draw.polygon(layer, rgba, [(x - rect.x, y - rect.y) for x, y in points])
    target.blit(layer, rect.topleft)


def _dashed_line(target, colour, a, b, width: int, dash: float = 10.0, gap: float = 6.0):
    length = math.hypot(b[0] - a[0], b[1] - a[1])
    if length < 1e-6:
        return
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    along = 0.0
    while along < length:
        end = min(length, along + dash)
        pygame.draw.line(target, colour, (a[0] + ux * along, a[1] + uy * along), (a[0] + ux * end, a[1] + uy * end), width)
        along = end + gap


# --- the renderer ---------------------------------------------------------------------------------

class Renderer:
    """Draws one world's runs at ``scale`` px per mm onto any surface of :attr:`size`.

    The floor, zones and walls never change, so they are drawn once; the trajectory only
    grows, so it is drawn incrementally onto a copy of them. A frame is then one blit plus
    the gates and the robot."""

    def __init__(self, world, scale: float, convert: bool = False):
        self.world = world
        self.scale = scale
        self.size = (max(1, round(world.width_mm * scale)), max(1, round(world.height_mm * scale)))
        self.background = self._static_layer()
        if convert:   # match the display's pixel format: faster blits every frame
            self.background = self.background.convert()
        self._trail_surface = None
        self._trail_sim = None
        self._trail_done = 0

    def point(self, x: float, y: float) -> tuple[float, float]:
        """Screen px of world (x, y) mm: y flipped, world y up."""
        return x * self.scale, (self.world.height_mm - y) * self.scale

    def _static_layer(self):
        world, s = self.world, self.scale
        layer = pygame.Surface(self.size)
        layer.fill(FLOOR_EDGE)
        # floor rows run from y = 0 up; a surface array is [x][y] with y down.
        pixels = np.ascontiguousarray(world.floor[::-1].transpose(1, 0, 2))
        floor = pygame.surfarray.make_surface(pixels)
        cols, rows = pixels.shape[0], pixels.shape[1]
        floor_w = max(1, round(cols * world.mm_per_px * s))
        floor_h = max(1, round(rows * world.mm_per_px * s))
        floor = pygame.transform.smoothscale(floor, (floor_w, floor_h))
        layer.blit(floor, (0, self.size[1] - floor_h))   # pinned at y = 0, the bottom edge
        for zone in world.zones:
            zx, zy, zw, zh = zone.rect
            left, top = self.point(zx, zy + zh)
            rect = pygame.Rect(round(left), round(top), max(1, round(zw * s)), max(1, round(zh * s)))
            _translucent_polygon(layer, ZONE + (45,), [rect.topleft, rect.topright, rect.bottomright, rect.bottomleft])
            pygame.draw.rect(layer, ZONE, rect, 2)
            draw_label(layer, zone.name, (rect.x + 4, rect.y + 4))
        half = max(1.0, world.wall_thickness_mm * s) / 2
        for ax, ay, bx, by in world.walls:
            a, b = self.point(ax, ay), self.point(bx, by)
            length = math.hypot(b[0] - a[0], b[1] - a[1])
            if length < 1e-9:
                continue
            ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
            # a rectangle the wall's thickness wide, running past each end by half of it so corners close
            a = (a[0] - ux * half, a[1] - uy * half)
            b = (b[0] + ux * half, b[1] + uy * half)
            nx, ny = -uy * half, ux * half
            pygame.draw.polygon(layer, WALL, [(a[0] + nx, a[1] + ny), (b[0] + nx, b[1] + ny),
                                              (b[0] - nx, b[1] - ny), (a[0] - nx, a[1] - ny)])
        return layer

    def _scene_base(self, sim, trail: bool):
        """The static layer with the trajectory so far drawn on it (drawn only where new)."""
        if not trail:
            return self.background
        samples = sim.samples
        if self._trail_sim is not sim or len(samples) < self._trail_done or self._trail_surface is None:
            self._trail_surface = self.background.copy()
            self._trail_sim, self._trail_done = sim, 0
        count = len(samples)
        if count > self._trail_done:
            start = max(0, self._trail_done - 1)   # join on to the last point already drawn
            points = [self.point(sample[1], sample[2]) for sample in samples[start:count]]
            if len(points) >= 2:
                pygame.draw.lines(self._trail_surface, TRAIL, False, points, 2)
            self._trail_done = count
        return self._trail_surface

    def draw_scene(self, target, sim, trail: bool = True, highlight_next_gate: bool = True, sonar: bool = True):
        """The whole world as it is now onto ``target`` (a surface of :attr:`size`)."""
        target.blit(self._scene_base(sim, trail), (0, 0))
        for index, gate in enumerate(self.world.gates):
            upcoming = highlight_next_gate and sim.over is None and index == sim.next_gate
            colour = NEXT_GATE if upcoming else GATE
            a, b = self.point(*gate.a), self.point(*gate.b)
            _dashed_line(target, colour, a, b, 3 if upcoming else 2)
            draw_label(target, f"{index + 1} {gate.name}", (a[0] + 4, a[1] + 4), colour if upcoming else GATE_LABEL)
        self.draw_robot(target, sim, sonar)

    def draw_robot(self, target, sim, sonar: bool = True):
        body, spec, s = sim.body, sim.spec, self.scale
        point = self.point
        heading = body.heading
        # the ultrasonic cone, out to the last reading
        reading = sim._distance[1]
        if sonar and reading is not None:
            mount = body.to_world(spec.ultrasonic.forward_mm, 0.0)
            half_cone = math.radians(spec.ultrasonic.cone_deg) / 2
            echo = reading < spec.ultrasonic.max_mm
            cone = [point(*mount)] + [point(mount[0] + reading * math.cos(heading + da),
                                            mount[1] + reading * math.sin(heading + da))
                                      for da in (-half_cone, -half_cone / 2, 0.0, half_cone / 2, half_cone)]
            _translucent_polygon(target, SONAR_ECHO if echo else SONAR_NONE, cone)
            if echo:
                pygame.draw.line(target, SONAR_RAY, cone[0], cone[3], 1)
                pygame.draw.circle(target, SONAR_RAY, cone[3], 3)
        # wheels, under the body
        wheel_px = max(2, round(6 * s))
        radius = spec.wheel_diameter_mm / 2
        if spec.kind == "car":
            half_base, side = spec.wheelbase_mm / 2, spec.width_mm / 2 - 12
            wheels = [(-half_base, side, 0.0), (-half_base, -side, 0.0),
                      (half_base, side, body.steer), (half_base, -side, body.steer)]
        else:
            wheels = [(0.0, spec.axle_track_mm / 2, 0.0), (0.0, -spec.axle_track_mm / 2, 0.0)]
        for forward, left, steer in wheels:
            cx, cy = body.to_world(forward, left)
            dx, dy = radius * math.cos(heading + steer), radius * math.sin(heading + steer)
            pygame.draw.line(target, WHEEL, point(cx - dx, cy - dy), point(cx + dx, cy + dy), wheel_px)
        corners = [point(*corner) for corner in body.corners()]
        _translucent_polygon(target, BODY_FILL, corners)
        pygame.draw.polygon(target, BODY_EDGE, corners, 2)
        # a white arrowhead at the front says which way it faces
        front = body.half_length
        nose = [point(*body.to_world(front - 4, 0.0)), point(*body.to_world(front - 34, 18.0)),
                point(*body.to_world(front - 34, -18.0))]
        pygame.draw.polygon(target, NOSE, nose)
        pygame.draw.polygon(target, BODY_EDGE, nose, 1)
        if spec.line_array is not None:
            values = sim._line[1]
            spot = max(2, round(spec.line_array.patch_mm * s / 2) + 2)
            for index, (forward, left) in enumerate(spec.line_array.offsets):
                centre = point(*body.to_world(forward, left))
                if values is not None and index < len(values):
                    grey = max(0, min(255, round(values[index] * 255 / 4095)))
                    pygame.draw.circle(target, (grey, grey, grey), centre, spot)
                pygame.draw.circle(target, SENSOR_EDGE, centre, spot, 1)
        led = tuple(int(c) for c in sim.led)
        centre = point(body.x, body.y)
        led_px = max(3, round(10 * s))
        pygame.draw.circle(target, led if any(led) else (60, 60, 60), centre, led_px)
        pygame.draw.circle(target, (0, 0, 0), centre, led_px, 1)


# --- the saved picture ---------------------------------------------------------------------------------

def picture_size(world) -> tuple[int, int]:
    """Size in px of the PNG :func:`save_png` writes for ``world``."""
    scale = fit_scale(world.width_mm, world.height_mm)
    w, h = max(1, round(world.width_mm * scale)), max(1, round(world.height_mm * scale))
    return w, h + CAPTION_H


def save_png(simulation, path) -> Path:
    """Save the run as it ends (world, full trajectory, robot) as a PNG at ``path``.

    Draws offscreen: needs no screen and never opens one."""
    world = simulation.world
    renderer = Renderer(world, fit_scale(world.width_mm, world.height_mm))
    width, height = renderer.size
    picture = pygame.Surface((width, height + CAPTION_H))
    picture.fill(PANEL_BG)
    renderer.draw_scene(picture.subsurface((0, 0, width, height)), simulation, trail=True,
                         highlight_next_gate=False, sonar=False)   # the picture is about the path taken
    caption = render("window.caption", world=_title(world), seed=simulation.seed,
                     outcome=outcome_label(simulation.over) if simulation.over else render("window.running"),
                     time_s=simulation.t_ms / 1000.0, laps=simulation.laps, checkpoints=simulation.checkpoints,
                     collisions=simulation.collisions)
    draw_text(picture, caption, (8, height + (CAPTION_H - 16) // 2), PANEL_TEXT, 16)
    path = Path(path)
    # pygame picks the format from the name; a name without .png would not be a PNG
    target = path if path.suffix.lower() == ".png" else path.with_name(path.name + ".png")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(picture, str(target))
    except (OSError, pygame.error) as exc:
        raise RoboarenaError("window.png_failed", path=str(target), reason=str(exc) or type(exc).__name__) from None
    return target


# --- the window ------------------------------------------------------------------------------------------

def display_available() -> bool:
    """Whether a window could open. On Linux and other X11/Wayland systems a screen is
    announced by DISPLAY or WAYLAND_DISPLAY (or SDL_VIDEODRIVER chooses a driver, e.g. the
    offscreen "dummy"); Windows and macOS always have one to try."""
    if sys.platform.startswith(("win", "cygwin", "darwin")):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"))


class Viewer:
    """A window showing a simulation as it runs, paced to ``speed`` x real time (None:
    as fast as possible). It is the simulation's observer: the simulation calls it after
    every few ms of robot time, and it reads keys, draws and waits there."""

    def __init__(self, simulation, speed: float | None = 1.0):
        if not display_available():
            raise NoDisplay()
        try:
            pygame.display.init()
            world = simulation.world
            scale = fit_scale(world.width_mm, world.height_mm)
            scene_w, scene_h = round(world.width_mm * scale), round(world.height_mm * scale)
            self.screen = pygame.display.set_mode((scene_w + PANEL_W, max(scene_h, MIN_WINDOW_H)))
            pygame.display.set_caption(render("window.title", world=_title(world)))
        except pygame.error as exc:
            pygame.display.quit()
            raise NoDisplay(str(exc)) from None
        self.simulation = simulation
        self.speed = speed
        self.paused = False
        self.show_trail = True
        self.stopped = False
        self._step = False
        self.pause_key = pygame.K_SPACE     # keyboard driving takes Space for "stop" and pauses on P
        self.help_id = "window.help"       # the message listing the keys, at the foot of the panel
        self.renderer = Renderer(world, scale, convert=True)
        self.scene = self.screen.subsurface((0, 0) + self.renderer.size)
        self._clock = time.perf_counter
        self._sleep = time.sleep
        self._last_frame = -math.inf
        self._anchor()
        simulation.paused = False
        simulation.observer = self
        self.draw()
        self._last_frame = -math.inf   # the run's first frame is drawn (and its keys read) at once

    # --- pacing -----------------------------------------------------------------------------
    def _anchor(self):
        """Pace from here: the speed changed, a pause ended, or we fell behind."""
        self._anchor_sim_ms = self.simulation.t_ms
        self._anchor_wall = self._clock()

    # --- keys -------------------------------------------------------------------------------
    def handle_key(self, key: int):
        if key == pygame.K_ESCAPE:
            self.stop()
        elif key == self.pause_key:
            self.set_paused(not self.paused)
        elif key == pygame.K_n:
            if self.paused:
                self._step = True          # run to the next frame, then pause again
                self.set_paused(False)
            else:
                self.set_paused(True)
        elif key in (pygame.K_1, pygame.K_KP1):
            self.set_speed(1.0)
        elif key in (pygame.K_4, pygame.K_KP4):
            self.set_speed(4.0)
        elif key in (pygame.K_0, pygame.K_KP0):
            self.set_speed(None)
        elif key == pygame.K_t:
            self.show_trail = not self.show_trail

    def set_paused(self, paused: bool):
        self.paused = paused
        # The hang guard reads this: a paused run is not a hung program.
        self.simulation.paused = paused
        if not paused:
            self._anchor()

    def set_speed(self, speed: float | None):
        self.speed = speed
        self._anchor()

    def stop(self):
        """The window was closed or Esc pressed: end the run ("stopped")."""
        self.stopped = True
        self.set_paused(False)
        self._step = False
        self.simulation.finish("stopped")

    def process_events(self, events=None):
        """Act on window events (pygame's queue when ``events`` is None)."""
        for event in pygame.event.get() if events is None else events:
            if event.type == pygame.QUIT:
                self.stop()
            elif event.type == pygame.KEYDOWN:
                self.handle_key(event.key)
            if self.stopped:
                return

    # --- the observer ------------------------------------------------------------------------------
    def __call__(self, simulation):
        if self.stopped:
            return
        now = self._clock()
        fps = MAX_SPEED_FPS if self.speed is None else PACED_FPS
        frame_due = now - self._last_frame >= 1.0 / fps
        if self.speed is None and not frame_due and not self._step:
            return   # at max speed, between frames, the window costs one clock read
        self.process_events()
        if self._step:
            self._step = False
            self.set_paused(True)
        if self.paused:
            self._pause_loop()
            frame_due = True
        if self.stopped:
            return
        if frame_due:
            self.draw()
        wall = self._clock() - self._anchor_wall
        delay = pace_delay(simulation.t_ms - self._anchor_sim_ms, wall, self.speed)
        if delay > 0:
            self._sleep(delay)
        elif self.speed is not None and wall - (simulation.t_ms - self._anchor_sim_ms) / 1000.0 / self.speed > MAX_LAG_S:
            self._anchor()

    def _pause_loop(self):
        """Hold the run (the robot's call waits here) until Space, N or Esc."""
        while self.paused and not self.stopped:
            self.draw()
            self._sleep(PAUSE_POLL_S)
            self.process_events()

    def draw(self):
        self.renderer.draw_scene(self.scene, self.simulation, trail=self.show_trail)
        self._draw_panel()
        pygame.display.flip()
        self._last_frame = self._clock()

    def _draw_panel(self, extra: list[tuple[str, tuple]] = ()):
        scene_w = self.renderer.size[0]
        width, height = self.screen.get_size()
        self.screen.fill(PANEL_BG, (scene_w, 0, width - scene_w, height))
        if self.renderer.size[1] < height:
            self.screen.fill(PANEL_BG, (0, self.renderer.size[1], scene_w, height - self.renderer.size[1]))
        x, y = scene_w + 14, 12
        draw_text(self.screen, _title(self.simulation.world), (x, y), PANEL_TEXT, 20)
        y += 34
        for text, colour in panel_lines(self.simulation, self.speed, self.paused, self.show_trail) + list(extra):
            draw_text(self.screen, text, (x, y), colour, 16)
            y += 22
        help_items = [item.strip() for item in render(self.help_id).split("   ") if item.strip()]
        y = height - 12 - 20 * len(help_items)
        for item in help_items:
            draw_text(self.screen, item, (x, y), PANEL_DIM, 15)
            y += 20

    # --- after the run --------------------------------------------------------------------------------
    def hold(self, timeout_s: float | None = None):
        """Keep showing the final frame until Esc, Enter or the window is closed (or
        ``timeout_s`` passes), so the end of the run can be seen. Returns at once if the
        user already stopped the run."""
        if self.stopped or os.environ.get("SDL_VIDEODRIVER") in ("dummy", "offscreen"):
            return   # stopped by the user, or a driver with no screen: nobody is watching
        started = self._clock()
        while timeout_s is None or self._clock() - started < timeout_s:
            for event in pygame.event.get():
                if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key in (
                        pygame.K_ESCAPE, pygame.K_RETURN, pygame.K_KP_ENTER)):
                    return
                if event.type == pygame.KEYDOWN and event.key == pygame.K_t:
                    self.show_trail = not self.show_trail
            self.renderer.draw_scene(self.scene, self.simulation, trail=self.show_trail)
            self._draw_panel([("", PANEL_TEXT), (render("window.hold"), PANEL_ALERT)])
            pygame.display.flip()
            self._sleep(PAUSE_POLL_S)

    def close(self):
        if self.simulation.observer is self:
            self.simulation.observer = None
        self.simulation.paused = False
        pygame.display.quit()
