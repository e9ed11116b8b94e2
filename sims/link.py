"""The simulator seen through a link: what ``Robot("sim://...")`` talks to.

A link is the host library's view of one robot: commands and reads, each a round trip
that costs simulated time (the spec's ``link_latency_ms``), as on the serial cable. The
serial link of the firmware speaks the same methods, so the student's program runs
unchanged on either.

URL form: ``sim://WORLD?seed=N&robot=SPEC&start=K`` (WORLD a built-in name or a folder).

``board=core`` puts the real firmware between the program and the simulator: a simulated
board (:mod:`roboarena.sims.core_board`) runs the firmware core with this simulation as its
hardware, and the program reaches it over the serial link, as a real kit. Its options:
``speed=F`` the board clock against real time (default 1; tests use 10 or more),
``transport=pty|socket`` (default: a pseudo-terminal, a local TCP socket on Windows).
``board=virtual`` runs the real firmware in the MicroPython VM instead
(:mod:`roboarena.sims.virtual_board`; Node.js and ``npm ci --prefix firmware/virtual``).
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl, unquote, urlsplit

from roboarena.errors import BadArgument, ConnectError
from roboarena.messages import Msg
from roboarena.sims.simulation import Simulation

# The simulation the runner prepared for the next Robot() / Car() of each thread: a match
# runs one program per thread, each attaching to its own robot.
_offered: dict[int, Simulation] = {}


def offer(simulation: Simulation | None, thread_id: int | None = None):
    """Make ``simulation`` the one the next ``Robot()`` or ``Car()`` in that thread (this
    one by default) attaches to: the runner builds it first, so it can watch and record
    it. None withdraws it."""
    thread_id = threading.get_ident() if thread_id is None else thread_id
    if simulation is None:
        _offered.pop(thread_id, None)
    else:
        _offered[thread_id] = simulation


def parse_sim_url(url: str) -> tuple[str, dict[str, str]]:
    """("line-follow", {"seed": "3"}) for "sim://line-follow?seed=3"."""
    parts = urlsplit(url)
    world = unquote(parts.netloc + parts.path).strip("/") or "line-follow"
    options = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key in options:
        if key not in ("seed", "robot", "start", "board", "speed", "transport"):
            raise ConnectError("connect.unsupported", url=url,
                               reason=Msg("connect.bad_query", key=key, value=options[key],
                                             reason="known options: seed, robot, start, board, speed, transport"))
    for key, allowed in (("board", ("core", "virtual")), ("transport", ("auto", "pty", "socket"))):
        if key in options and options[key] not in allowed:
            raise ConnectError("connect.unsupported", url=url,
                               reason=Msg("connect.bad_query", key=key, value=options[key],
                                             reason="it must be one of " + ", ".join(allowed)))
    for key in ("speed", "transport"):
        if key in options and "board" not in options:
            raise ConnectError("connect.unsupported", url=url,
                               reason=Msg("connect.bad_query", key=key, value=options[key],
                                             reason="it applies to a simulated board only: add board=core"))
    if "speed" in options:
        try:
            speed = float(options["speed"])
        except ValueError:
            speed = 0.0
        if not 0.01 <= speed <= 100:
            raise ConnectError("connect.unsupported", url=url,
                               reason=Msg("connect.bad_query", key="speed", value=options["speed"],
                                             reason="it must be a number from 0.01 to 100 (times real time)"))
    for key in ("seed", "start"):
        if key in options and not options[key].isdigit():
            raise ConnectError("connect.unsupported", url=url,
                               reason=Msg("connect.bad_query", key=key, value=options[key],
                                             reason="it must be a whole number 0 or more"))
    return world, options


def simulation_from_url(url: str) -> Simulation:
    """``sim://NAME`` names a challenge (its world with its rules) or a plain world."""
    from roboarena.sims.runner import prepare   # the runner imports this module

    name, options = parse_sim_url(url)
    return prepare(name, seed=int(options.get("seed", 0)), robot=options.get("robot"),
                   start_index=int(options.get("start", 0)))


class SimLink:
    """Commands and reads on one simulated robot, each costing one link round trip."""

    def __init__(self, simulation: Simulation):
        self.sim = simulation
        self.spec = simulation.spec
        self.latency_ms = simulation.spec.link_latency_ms
        allowed = simulation.settings.sensors
        if allowed is not None:
            # A challenge may forbid sensors: reading one then says so, instead of working.
            for sensor, method in (("line", "read_line"), ("ultrasonic", "read_distance"), ("gyro", "read_heading"),
                                   ("encoders", "read_encoders"), ("colour", "read_colour"),
                                   ("bumper", "read_bumper"), ("camera", "camera_frame")):
                if sensor not in allowed:
                    setattr(self, method, self._forbidden(sensor))

    def _forbidden(self, sensor: str):
        def refuse(*args):
            raise BadArgument("arg.sensor_not_allowed", sensor=sensor, challenge=self.sim.settings.label,
                              allowed=", ".join(sorted(self.sim.settings.sensors)))
        return refuse

    @classmethod
    def open(cls, url: str):
        """The link for a ``sim://`` URL: this class, or with ``board=core`` (the firmware
        core under CPython) or ``board=virtual`` (the firmware in the MicroPython VM) a
        serial link to a simulated board (see the module's docstring)."""
        board = parse_sim_url(url)[1].get("board")
        simulation = _offered.pop(threading.get_ident(), None)
        if board == "core":
            from roboarena.sims.core_board import open_core_link

            return open_core_link(url, simulation)
        if board == "virtual":
            from roboarena.sims.virtual_board import open_virtual_link

            return open_virtual_link(url, simulation)
        return cls(simulation or simulation_from_url(url))

    @property
    def running(self) -> bool:
        return self.sim.over is None

    @property
    def time_ms(self) -> float:
        return self.sim.t_ms + self.sim.pending_ms

    def wait(self, ms: float):
        self.sim.tick(ms)

    def command(self, a: float, b: float):
        self.sim.tick(self.latency_ms)
        self.sim.command(a, b)

    def read_line(self) -> list[int]:
        self.sim.tick(self.latency_ms)
        return self.sim.read_line()

    def read_distance(self) -> float:
        self.sim.tick(self.latency_ms)
        return self.sim.read_distance()

    def read_heading(self) -> float:
        self.sim.tick(self.latency_ms)
        return self.sim.read_heading()

    def read_encoders(self) -> tuple[int, int]:
        self.sim.tick(self.latency_ms)
        return self.sim.read_encoders()

    def read_colour(self) -> str:
        self.sim.tick(self.latency_ms)
        return self.sim.read_colour()

    def read_bumper(self) -> bool:
        self.sim.tick(self.latency_ms)
        return self.sim.read_bumper()

    def camera_frame(self):
        self.sim.tick(self.latency_ms)
        return self.sim.camera_frame()

    def set_led(self, rgb: tuple[int, int, int]):
        self.sim.tick(self.latency_ms)
        self.sim.set_led(rgb)

    def beep(self, frequency_hz: float, duration_ms: float):
        self.sim.tick(self.latency_ms)
        self.sim.beep(frequency_hz, duration_ms)

    def close(self):
        """Nothing to release: the runner owns the simulation and writes its trace."""
