"""Driving a simulated robot with the keyboard: ``roboarena drive WORLD``.

The arrow keys become the same ``Robot.drive`` / ``Car.drive`` calls a student's program
makes, every 20 ms of robot time, so what a student feels by hand is what their program
will get. Kit: speed mm/s and turn rate deg/s; car: speed mm/s and steering deg.
"""

from __future__ import annotations

import sys

from roboarena.messages import render

KIT_SPEED_FRACTION = 0.6    # of max_speed: fast enough to be fun, slow enough to stay on a line
KIT_TURN_RATE_DEG_S = 120
CAR_SPEED_MM_S = 600
STEP_MS = 20                # one key read and one command per 20 ms of robot time


def command_for_keys(kind: str, pressed: set[str], max_speed: float, max_steering: float = 0.0) -> tuple[float, float]:
    """The drive command for the keys held down, ``pressed`` a set of "up", "down",
    "left", "right", "stop". Kit: (speed mm/s, turn_rate deg/s); car: (speed mm/s,
    steering deg). Opposite keys cancel; "stop" wins over everything."""
    if "stop" in pressed:
        return 0.0, 0.0
    forward = ("up" in pressed) - ("down" in pressed)
    left = ("left" in pressed) - ("right" in pressed)
    if kind == "car":
        return float(forward * CAR_SPEED_MM_S), float(left * max_steering)
    return float(forward * KIT_SPEED_FRACTION * max_speed), float(left * KIT_TURN_RATE_DEG_S)


def read_keys(simulation=None) -> set[str]:
    """The driving keys held down now (the viewer has just pumped the window's events)."""
    import pygame  # the viewer imported it already, with its greeting hidden

    held = pygame.key.get_pressed()
    names = {"up": pygame.K_UP, "down": pygame.K_DOWN, "left": pygame.K_LEFT, "right": pygame.K_RIGHT,
             "stop": pygame.K_SPACE}
    return {name for name, key in names.items() if held[key]}


def drive(world: str, robot: str | None = None, seed: int = 0, *, speed: float | None = 1.0,
          keys=read_keys) -> int:
    """Open ``world`` in a window and drive its robot with the arrow keys; the exit code.

    ``keys(simulation)`` returns the keys held down (tests script it); ``speed`` paces
    the window as in ``roboarena sim`` (1.0 = real time)."""
    from roboarena import Car, Robot, RunOver
    from roboarena.sims import link
    from roboarena.sims.runner import prepare
    from roboarena.sims.view import NoDisplay, Viewer, outcome_label   # first: it hides pygame's greeting

    import pygame

    simulation = prepare(world, seed=seed, robot=robot)
    try:
        # The window first: with no screen there is nothing to drive, and nothing to undo.
        viewer = Viewer(simulation, speed)
    except NoDisplay:
        print(render("drive.no_display"), file=sys.stderr)
        return 2
    # Space stops the robot here, so pausing moves to P.
    viewer.pause_key, viewer.help_id = pygame.K_p, "drive.window_help"
    print(render("drive.help"))
    link.offer(simulation)
    try:
        machine = (Car if simulation.spec.kind == "car" else Robot)(f"sim://{simulation.world.name}")
        max_steering = getattr(machine, "max_steering", 0.0)
        try:
            while machine.running:
                speed_mm_s, turn = command_for_keys(simulation.spec.kind, keys(simulation), machine.max_speed,
                                                    max_steering)
                machine.drive(speed_mm_s, turn)
                machine.wait(STEP_MS)
        except RunOver:
            pass
        if simulation.over != "stopped":
            viewer.hold()   # time limit or finish: let the driver see where they ended
    finally:
        link.offer(None)
        viewer.close()
    print(render("drive.ended", outcome=outcome_label(simulation.over or "stopped"), time_s=simulation.t_ms / 1000.0,
                 laps=simulation.laps, checkpoints=simulation.checkpoints, collisions=simulation.collisions))
    return 0
