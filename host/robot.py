"""``Robot`` and ``Car``: the student API, in Pybricks-style units.

Lengths mm, speeds mm/s, angles deg (counter-clockwise positive), turn rates deg/s,
times ms. Every call is one round trip to the robot; ``wait(ms)`` lets time pass. Once
the run is over, ``running`` is False and the next call raises ``RunOver``.

    from roboarena import Robot

    robot = Robot()
    while robot.running:
        left, centre, right = robot.line.read()[1:4]
        robot.drive(speed=150, turn_rate=(right - left) * 0.03)
        robot.wait(10)
"""

from __future__ import annotations

import math

from roboarena.errors import BadArgument
from roboarena.host import checks
from roboarena.host.connect import open_link
from roboarena.messages import Msg

MAX_WAIT_MS = 3_600_000
LED_COLOURS = {
    "off": (0, 0, 0), "red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255),
    "yellow": (255, 200, 0), "white": (255, 255, 255), "orange": (255, 120, 0), "purple": (160, 0, 255),
}


class _Base:
    """What every robot has: a link, time, a distance sensor and encoders."""

    _kind = ""

    def __init__(self, url: str | None = None):
        self._link = open_link(url, self._kind)
        self.spec = self._link.spec
        self._counts_per_mm = self.spec.encoder_counts_per_rev / (math.pi * self.spec.wheel_diameter_mm)

    @property
    def running(self) -> bool:
        """True until the run is over (time limit, finish line reached, stopped)."""
        return self._link.running

    @property
    def time_ms(self) -> float:
        """Time since the start of the run, in ms."""
        return self._link.time_ms

    def wait(self, ms: float):
        """Do nothing for ``ms`` milliseconds while the robot keeps doing what it was told."""
        self._link.wait(checks.number("ms", ms, 0, MAX_WAIT_MS, "ms", "10"))

    def distance(self) -> float:
        """Distance in mm to the nearest wall ahead, from the ultrasonic sensor
        (its maximum range, e.g. 4000, when nothing is in range). Updates every 60 ms."""
        return self._link.read_distance()

    @property
    def encoders(self) -> tuple[int, int]:
        """(left, right) encoder counts since the start; ``spec.encoder_counts_per_rev`` per wheel turn."""
        return self._link.read_encoders()

    def _not_here(self, part: str, hint: str = ""):
        raise BadArgument("arg.not_on_this_robot", kind=Msg(f"kind.{self._kind}"), part=part, hint=hint)

    def close(self):
        self._link.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class LineArray:
    """The reflectance sensors under the front of the kit, left to right."""

    def __init__(self, link):
        self._link = link

    def read(self) -> list[int]:
        """One value per sensor, left to right: 0-4095, low on black, high on white."""
        return self._link.read_line()


class Bumper:
    def __init__(self, link):
        self._link = link

    @property
    def pressed(self) -> bool:
        """True while the front bumper touches something."""
        return self._link.read_bumper()


class Led:
    """The RGB LED: ``robot.led.color = "red"`` or ``(255, 0, 0)``; ``"off"`` turns it off."""

    def __init__(self, link):
        self._link = link
        self._rgb = (0, 0, 0)

    @property
    def color(self) -> tuple[int, int, int]:
        return self._rgb

    @color.setter
    def color(self, value):
        if isinstance(value, str) and value.lower() in LED_COLOURS:
            rgb = LED_COLOURS[value.lower()]
        elif (isinstance(value, (tuple, list)) and len(value) == 3
              and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value)):
            rgb = (value[0], value[1], value[2])
        else:
            raise BadArgument("arg.bad_color", value=value, choices=", ".join(LED_COLOURS))
        self._link.set_led(rgb)
        self._rgb = rgb

    def off(self):
        self.color = "off"


class Motor:
    """One wheel motor of the kit: ``robot.left_motor.run(200)`` (mm/s at the wheel rim)."""

    def __init__(self, robot: "Robot", side: int):
        self._robot, self._side = robot, side

    def run(self, speed: float):
        name = ("left_motor", "right_motor")[self._side]
        wheels = list(self._robot._wheels)
        wheels[self._side] = checks.speed(f"{name}.run(speed)", speed, self._robot.max_speed)
        self._robot._set_wheels(*wheels)

    def stop(self):
        self.run(0)


class Robot(_Base):
    """The differential-drive robot kit: two motors with encoders, a 5-sensor line array,
    an ultrasonic ranger, a gyro, a bumper, a colour sensor, an RGB LED and a buzzer.

    ``Robot()`` connects to what ``ROBOARENA_URL`` names; ``Robot("sim://maze?seed=2")``
    to a simulated one."""

    _kind = "kit"

    def __init__(self, url: str | None = None):
        super().__init__(url)
        self.max_speed = self.spec.motor.max_speed
        self.axle_track_mm = self.spec.axle_track_mm
        # The fastest spin: one wheel forward and one back, both at full speed.
        self.max_turn_rate = math.degrees(2 * self.max_speed / self.axle_track_mm)
        self._wheels = (0.0, 0.0)
        self.line = LineArray(self._link)
        self.bumper = Bumper(self._link)
        self.led = Led(self._link)
        self.left_motor = Motor(self, 0)
        self.right_motor = Motor(self, 1)

    def _set_wheels(self, left: float, right: float):
        self._wheels = (left, right)
        self._link.command(left, right)

    def drive(self, speed: float, turn_rate: float = 0):
        """Drive at ``speed`` mm/s while turning at ``turn_rate`` deg/s (positive = left).

        When the two together ask a wheel for more than the motors can give, both wheels
        are scaled down together so the robot still follows the same curve."""
        speed = checks.speed("speed", speed, self.max_speed)
        turn_rate = checks.number("turn_rate", turn_rate, -self.max_turn_rate, self.max_turn_rate, "deg/s", "30",
                                  hint=f"The fastest this robot can spin is {self.max_turn_rate:.0f} deg/s.")
        difference = math.radians(turn_rate) * self.axle_track_mm / 2
        left, right = speed - difference, speed + difference
        fastest = max(abs(left), abs(right))
        if fastest > self.max_speed:
            left, right = left * self.max_speed / fastest, right * self.max_speed / fastest
        self._set_wheels(left, right)

    def motors(self, left: float, right: float):
        """Set both wheel speeds at once, in mm/s."""
        self._set_wheels(checks.speed("left", left, self.max_speed), checks.speed("right", right, self.max_speed))

    def stop(self):
        """Stop both motors."""
        self._set_wheels(0.0, 0.0)

    def straight(self, distance_mm: float, speed: float = 200):
        """Drive ``distance_mm`` straight ahead (negative: backwards) and stop.
        Returns when done; uses the encoders to keep both wheels level. On a kit the
        firmware runs the move itself; in the simulator this loop does."""
        distance_mm = checks.number("distance_mm", distance_mm, -100_000, 100_000, "mm", "300")
        speed = abs(checks.speed("speed", speed, self.max_speed))
        on_board = getattr(self._link, "move", None)
        if on_board is not None:            # a kit: the firmware runs the move on its own loop
            self._wheels = (0.0, 0.0)
            on_board(True, distance_mm, speed, self._counts_per_mm)
            self.wait(self.spec.motor.time_constant_ms * 3)
            return
        direction = 1.0 if distance_mm >= 0 else -1.0
        start_left, start_right = self.encoders
        target = abs(distance_mm)
        slowest = self.spec.motor.deadband * self.max_speed * 1.5
        tau_ms = self.spec.motor.time_constant_ms
        wheel_speed, then = 0.0, self.time_ms   # how fast the wheels really go: they lag the command
        while True:
            left, right = self.encoders
            travelled_left = (left - start_left) / self._counts_per_mm * direction
            travelled_right = (right - start_right) / self._counts_per_mm * direction
            remaining = target - (travelled_left + travelled_right) / 2
            # Stop a little early: once stopped, the wheels coast on for about one motor
            # time constant at the speed they were going.
            if remaining <= wheel_speed * tau_ms / 1000:
                break
            now_speed = max(slowest, min(speed, 4 * remaining))
            correction = (travelled_left - travelled_right) * 5.0   # deg/s per mm of drift
            self.drive(direction * now_speed, max(-90.0, min(90.0, correction * direction)))
            self.wait(5)
            wheel_speed += (now_speed - wheel_speed) * (1 - math.exp((then - self.time_ms) / tau_ms))
            then = self.time_ms
        self.stop()
        self.wait(self.spec.motor.time_constant_ms * 3)

    def turn(self, angle_deg: float, turn_rate: float = 90):
        """Turn on the spot by ``angle_deg`` (positive = left, counter-clockwise) and stop.
        Returns when done; uses the gyro."""
        angle_deg = checks.number("angle_deg", angle_deg, -36_000, 36_000, "deg", "90")
        turn_rate = abs(checks.number("turn_rate", turn_rate, -self.max_turn_rate, self.max_turn_rate, "deg/s", "90"))
        on_board = getattr(self._link, "move", None)
        if on_board is not None:            # a kit: the firmware runs the move on its own loop
            self._wheels = (0.0, 0.0)
            on_board(False, angle_deg, turn_rate, self._counts_per_mm)
            self.wait(self.spec.motor.time_constant_ms * 3)
            return
        start = self.heading()
        direction = 1.0 if angle_deg >= 0 else -1.0
        slowest = math.degrees(self.spec.motor.deadband * self.max_speed * 1.5 / (self.axle_track_mm / 2))
        tau_ms = self.spec.motor.time_constant_ms
        spin_rate, then = 0.0, self.time_ms     # how fast it really turns: the wheels lag the command
        while True:
            remaining = (angle_deg - (self.heading() - start)) * direction
            # Stop a little early: once stopped, the wheels coast on for about one motor
            # time constant at the rate they were turning.
            if remaining <= spin_rate * tau_ms / 1000:
                break
            now_rate = max(slowest, min(turn_rate, 3 * remaining))
            self.drive(0, direction * now_rate)
            self.wait(5)
            spin_rate += (now_rate - spin_rate) * (1 - math.exp((then - self.time_ms) / tau_ms))
            then = self.time_ms
        self.stop()
        self.wait(self.spec.motor.time_constant_ms * 3)

    def heading(self) -> float:
        """Gyro heading in deg turned since the start (counter-clockwise positive; 720
        after two turns left). Drifts slowly, like a real gyro."""
        return self._link.read_heading()

    def color(self) -> str:
        """Colour of the floor under the colour sensor: black, white, red, green, blue or yellow."""
        return self._link.read_colour()

    def beep(self, frequency_hz: float = 880, duration_ms: float = 100):
        """Sound the buzzer (it keeps sounding while the program goes on)."""
        self._link.beep(checks.number("frequency_hz", frequency_hz, 20, 20000, "Hz", "880"),
                        checks.number("duration_ms", duration_ms, 0, 60000, "ms", "100"))


class Camera:
    def __init__(self, link):
        self._link = link

    def frame(self):
        """The latest picture: a numpy array, height x width x 3 (RGB, 0-255), row 0 at the top."""
        return self._link.camera_frame()


class Car(_Base):
    """The autonomous car kit: servo steering, throttle, encoders, a front ultrasonic and
    a forward camera. ``Car()`` connects like ``Robot()``."""

    _kind = "car"

    def __init__(self, url: str | None = None):
        super().__init__(url)
        self.max_speed = self.spec.motor.max_speed
        self.max_steering = self.spec.max_steer_deg
        self.camera = Camera(self._link)
        self._speed = 0.0
        self._steering = 0.0

    def drive(self, speed: float, steering: float = 0):
        """Drive at ``speed`` mm/s with the front wheels turned ``steering`` deg (positive = left)."""
        self._speed = checks.speed("speed", speed, self.max_speed)
        self._steering = checks.number("steering", steering, -self.max_steering, self.max_steering, "deg", "10")
        self._link.command(self._speed, self._steering)

    def steer(self, angle_deg: float):
        """Turn the front wheels to ``angle_deg`` (positive = left), keeping the speed."""
        self.drive(self._speed, angle_deg)

    def throttle(self, speed: float):
        """Set the speed in mm/s (negative = reverse), keeping the steering."""
        self.drive(speed, self._steering)

    def stop(self):
        self.drive(0, self._steering)

    def heading(self):
        self._not_here("gyro", "Steer by what the camera sees instead.")
