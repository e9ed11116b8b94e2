"""The window, the saved picture and keyboard driving, under SDL's offscreen "dummy"
video driver: no screen is needed, and none is ever opened for a picture."""

import os

os.environ["SDL_VIDEODRIVER"] = "dummy"     # before pygame is imported: it reads these at init
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from roboarena.messages import render  # noqa: E402
from roboarena.sims import teleop, view  # noqa: E402
from roboarena.sims.runner import prepare, run_program  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LINE_FOLLOWER = ROOT / "examples" / "line_follower.py"


@pytest.fixture(autouse=True)
def dummy_video(monkeypatch):
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    yield
    pygame.display.quit()    # whatever a test opened, the next starts with no window


def key(code):
    return pygame.event.Event(pygame.KEYDOWN, key=code, mod=0, unicode="", scancode=0)


@pytest.fixture(scope="module")
def finished_run():
    simulation = prepare("line-follow", seed=0)
    result = run_program(LINE_FOLLOWER, simulation)
    assert result.outcome == "finished"
    return simulation


# --- pure helpers ---------------------------------------------------------------------------

def test_pacing_sleeps_until_wall_time_catches_up_with_robot_time():
    assert view.pace_delay(1000.0, 0.25, 1.0) == pytest.approx(0.75)
    assert view.pace_delay(1000.0, 0.10, 4.0) == pytest.approx(0.15)
    assert view.pace_delay(20.0, 0.5, 1.0) == 0.0           # behind: no sleep, never negative
    assert view.pace_delay(5000.0, 0.0, None) == 0.0        # max speed never sleeps


def test_scale_fits_the_world_in_the_window_box():
    assert view.fit_scale(2400, 1600) == pytest.approx(0.5)   # line-follow: 1200 x 800 px
    assert view.fit_scale(4000, 2800) == pytest.approx(800 / 2800)
    assert view.fit_scale(200, 200) == pytest.approx(4.0)     # a small world is enlarged


def test_panel_reads_out_time_speed_and_sensors(finished_run):
    texts = [text for text, _ in view.panel_lines(finished_run, None, paused=False)]
    joined = "\n".join(texts)
    assert f"{finished_run.t_ms / 1000:.2f} s" in joined
    assert "max" in joined and "finished" in joined
    assert "Laps: 2" in joined and "Collisions: 0" in joined
    assert "Line: " + " ".join(str(v) for v in finished_run._line[1]) in texts
    left, right = finished_run.body.encoders()
    assert f"Encoders: {left} / {right}" in texts


# --- the saved picture -------------------------------------------------------------------------

def test_png_shows_the_trajectory_over_the_floor(finished_run, tmp_path):
    path = view.save_png(finished_run, tmp_path / "nested" / "run.png")
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert pygame.display.get_surface() is None              # drawn offscreen, no window opened
    picture = pygame.image.load(str(path))
    assert picture.get_size() == (1200, 800 + view.CAPTION_H) == view.picture_size(finished_run.world)

    world, scale = finished_run.world, 0.5
    on_trail = 0
    samples = finished_run.samples[::25]
    for sample in samples:
        x, y = sample[1], sample[2]
        px, py = int(x * scale), int((world.height_mm - y) * scale)
        floor = tuple(int(c) for c in world.floor[int(y / world.mm_per_px), int(x / world.mm_per_px)])
        pixel = tuple(picture.get_at((px, py)))[:3]
        assert pixel != floor or pixel == view.TRAIL          # something is drawn over the floor
        on_trail += pixel == view.TRAIL
    assert on_trail >= 0.8 * len(samples)

    # away from the path the floor is shown as it is: the painted white background
    corner = tuple(picture.get_at((60, 60)))[:3]
    assert max(abs(a - b) for a, b in zip(corner, world.floor[-120, 120])) <= 3


def test_png_is_written_with_no_display_at_all(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    out = tmp_path / "lf.png"
    done = subprocess.run([sys.executable, "-m", "roboarena", "sim", "line-follow", str(LINE_FOLLOWER),
                           "--headless", "--png", str(out)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert pygame.image.load(str(out)).get_size() == (1200, 800 + view.CAPTION_H)


def test_headless_modules_do_not_import_pygame():
    code = ("import sys, roboarena.sims.runner, roboarena.sims.link, roboarena.sims.trace, roboarena.cli; "
            "print('pygame' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


# --- the window --------------------------------------------------------------------------------

def test_no_screen_means_no_window(monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux tells the absence of a screen from the environment")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    simulation = prepare("line-follow", seed=0)
    with pytest.raises(view.NoDisplay):
        view.Viewer(simulation)
    assert not pygame.display.get_init()      # SDL was not even asked
    assert simulation.observer is None


def test_window_fits_the_world_and_a_side_panel():
    simulation = prepare("road", seed=0)
    viewer = view.Viewer(simulation, speed=1.0)
    try:
        assert simulation.observer is viewer
        width, height = pygame.display.get_surface().get_size()
        assert width == round(4000 * 800 / 2800) + view.PANEL_W and height == 800
    finally:
        viewer.close()
    assert simulation.observer is None and not pygame.display.get_init()


def test_escape_stops_the_run():
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=None)
    try:
        pygame.event.post(key(pygame.K_ESCAPE))
        result = run_program(LINE_FOLLOWER, simulation)
    finally:
        viewer.close()
    assert simulation.over == "stopped" and result.outcome == "stopped"
    assert simulation.t_ms <= 40.0            # ended at the first frame


def test_closing_the_window_stops_the_run():
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=None)
    try:
        viewer.process_events([pygame.event.Event(pygame.QUIT)])
        assert simulation.over == "stopped" and viewer.stopped
    finally:
        viewer.close()


def test_space_pauses_and_time_stands_still_until_space_again():
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=None)
    seen = []

    def fake_sleep(seconds):
        # While paused the robot's call is held inside the viewer: record what the hang
        # guard and the clock see, and after a few polls press Space again.
        if viewer.paused:
            seen.append((simulation.paused, simulation.t_ms))
            if len(seen) == 5:
                pygame.event.post(key(pygame.K_SPACE))

    viewer._sleep = fake_sleep
    try:
        viewer.process_events([key(pygame.K_SPACE)])
        assert viewer.paused and simulation.paused
        viewer.process_events([key(pygame.K_SPACE)])
        assert not viewer.paused and not simulation.paused

        pygame.event.post(key(pygame.K_SPACE))
        result = run_program(LINE_FOLLOWER, simulation)   # pauses at its first frame, goes on after 5 polls
    finally:
        viewer.close()
    assert len(seen) == 5
    assert all(paused for paused, _ in seen)
    assert len({t for _, t in seen}) == 1 and seen[0][1] <= 40.0
    assert result.outcome == "finished" and not simulation.paused


def test_n_steps_one_frame_then_pauses_again():
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=None)
    times = []

    def fake_sleep(seconds):
        if viewer.paused:
            times.append(simulation.t_ms)
            if len(times) == 1:
                pygame.event.post(key(pygame.K_n))         # one step
            elif len(times) == 3:
                pygame.event.post(key(pygame.K_ESCAPE))

    viewer._sleep = fake_sleep
    try:
        pygame.event.post(key(pygame.K_SPACE))
        run_program(LINE_FOLLOWER, simulation)
    finally:
        viewer.close()
    assert simulation.over == "stopped"
    assert times[1] == times[2] and 0 < times[1] - times[0] <= 20.0 + 1e-9


def test_speed_and_trail_keys():
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=1.0)
    try:
        viewer.process_events([key(pygame.K_4)])
        assert viewer.speed == 4.0
        viewer.process_events([key(pygame.K_0)])
        assert viewer.speed is None
        viewer.process_events([key(pygame.K_1)])
        assert viewer.speed == 1.0
        viewer.process_events([key(pygame.K_t)])
        assert not viewer.show_trail
        viewer.process_events([key(pygame.K_t)])
        assert viewer.show_trail
    finally:
        viewer.close()


def test_paced_run_sleeps_what_robot_time_asks():
    """At 1x the viewer sleeps about as long as robot time passes (the clock is faked, so
    the test takes no real time)."""
    simulation = prepare("line-follow", seed=0)
    viewer = view.Viewer(simulation, speed=1.0)
    clock = [0.0]
    viewer._clock = lambda: clock[0]

    def fake_sleep(seconds):
        clock[0] += seconds

    viewer._sleep = fake_sleep
    viewer._anchor()
    from roboarena import Robot
    from roboarena.sims import link

    link.offer(simulation)
    try:
        robot = Robot("sim://line-follow")
        robot.drive(200)
        robot.wait(2000)
    finally:
        link.offer(None)
        viewer.close()
    assert clock[0] == pytest.approx(simulation.t_ms / 1000.0, abs=0.021)


def test_window_draws_in_chinese_without_crashing(monkeypatch):
    monkeypatch.setenv("ROBOARENA_LANG", "zh")
    simulation = prepare("road", seed=0)     # the car: speed and steering read-outs
    viewer = view.Viewer(simulation, speed=None)
    try:
        viewer.draw()
        texts = [text for text, _ in view.panel_lines(simulation, None, paused=True)]
        assert any("车速" in text for text in texts) and any("已暂停" in text for text in texts)
    finally:
        viewer.close()


# --- keyboard driving --------------------------------------------------------------------------------

def test_arrow_keys_map_to_drive_commands():
    kit = lambda *names: teleop.command_for_keys("kit", set(names), max_speed=600)  # noqa: E731
    assert kit() == (0.0, 0.0)
    assert kit("up") == (360.0, 0.0)                 # 60 % of max_speed
    assert kit("down") == (-360.0, 0.0)
    assert kit("left") == (0.0, 120.0)               # deg/s, counter-clockwise positive
    assert kit("up", "right") == (360.0, -120.0)
    assert kit("up", "down") == (0.0, 0.0)           # opposite keys cancel
    assert kit("up", "left", "stop") == (0.0, 0.0)   # Space stops
    car = lambda *names: teleop.command_for_keys("car", set(names), max_speed=1500, max_steering=28)  # noqa: E731
    assert car("up", "left") == (600.0, 28.0)
    assert car("down", "right") == (-600.0, -28.0)


def test_drive_needs_a_screen(monkeypatch, capsys):
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux tells the absence of a screen from the environment")
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"):
        monkeypatch.delenv(name, raising=False)
    assert teleop.drive("line-follow", None, 0) == 2
    err = capsys.readouterr().err
    assert render("drive.no_display") in err and "--png" in err


def test_scripted_drive_moves_the_kit_until_escape(capsys):
    captured = {}

    def script(simulation):
        captured["sim"] = simulation
        if simulation.t_ms < 1000:
            return {"up"}
        if simulation.t_ms < 1600:
            return {"left"}
        pygame.event.post(key(pygame.K_ESCAPE))
        return set()

    # 1000x: paced, so keys are read at every 20 ms of robot time (at max speed only 30 times a wall second)
    assert teleop.drive("line-follow", None, 0, speed=1000.0, keys=script) == 0
    simulation = captured["sim"]
    start_x, start_y, start_heading = simulation.world.starts[0]
    assert simulation.over == "stopped"
    assert simulation.body.x - start_x > 250         # drove ahead about 360 mm/s for 1 s
    assert 30 < simulation.read_heading() < 90        # then turned left on the spot
    assert render("drive.help") in capsys.readouterr().out


def test_scripted_drive_steers_the_car():
    captured = {}

    def script(simulation):
        captured["sim"] = simulation
        if simulation.t_ms < 1500:
            return {"up", "left"}
        pygame.event.post(key(pygame.K_ESCAPE))
        return set()

    assert teleop.drive("road", None, 0, speed=1000.0, keys=script) == 0
    body = captured["sim"].body
    assert body.heading > 0.3 and body.y > captured["sim"].world.starts[0][1] + 50   # curved left


def test_png_that_cannot_be_written_says_so(finished_run, tmp_path):
    from roboarena.errors import RoboarenaError

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(RoboarenaError) as caught:
        view.save_png(finished_run, blocker / "run.png")
    assert caught.value.message_id == "window.png_failed" and str(blocker) in str(caught.value)


def test_png_name_without_extension_gets_one(finished_run, tmp_path):
    path = view.save_png(finished_run, tmp_path / "picture")
    assert path.name == "picture.png" and path.is_file()
