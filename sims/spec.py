"""Robot specs: the measurable facts of a kit or car, read from a small TOML file.

A lab that measures its own kit copies ``robots/kit.toml``, changes the figures and
passes the file to the simulator (``sim://line-follow?robot=my-kit.toml``). All lengths
in mm, speeds in mm/s, angles in deg, times in ms.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from roboarena.errors import SpecError
from roboarena.sims.tomlfile import Table, load_toml

ROBOTS_DIR = Path(__file__).parent / "robots"


@dataclass(frozen=True)
class MotorSpec:
    max_speed: float             # mm/s at the wheel rim, full power
    time_constant_ms: float      # first-order lag of wheel speed
    deadband: float              # fraction of max_speed below which the wheel does not turn
    mismatch: float              # standard deviation of the per-wheel gain error (0.03 = 3 %)


@dataclass(frozen=True)
class LineArraySpec:
    offsets: tuple[tuple[float, float], ...]  # sensor centres (forward, left) in mm from the robot centre
    patch_mm: float                          # side of the floor square each sensor averages
    noise: float                             # ADC counts, standard deviation
    period_ms: float


@dataclass(frozen=True)
class UltrasonicSpec:
    forward_mm: float
    min_mm: float
    max_mm: float
    cone_deg: float
    rays: int
    max_incidence_deg: float     # beyond this angle from the wall's normal no echo returns
    noise_mm: float
    period_ms: float


@dataclass(frozen=True)
class GyroSpec:
    bias_deg_s: float            # standard deviation of the zero-rate offset drawn per run
    noise_deg: float
    period_ms: float


@dataclass(frozen=True)
class CameraSpec:
    width: int
    height: int
    fov_deg: float               # horizontal field of view
    height_mm: float             # lens height above the floor
    pitch_deg: float             # downward tilt
    forward_mm: float
    period_ms: float


@dataclass(frozen=True)
class RobotSpec:
    name: str
    kind: str                    # "kit" (differential drive) or "car" (servo steering)
    length_mm: float
    width_mm: float
    wheel_diameter_mm: float
    encoder_counts_per_rev: int
    link_latency_ms: float       # simulated time each round trip to the robot costs
    motor: MotorSpec
    ultrasonic: UltrasonicSpec
    axle_track_mm: float = 0.0           # kit
    line_array: LineArraySpec | None = None
    gyro: GyroSpec | None = None
    colour_forward_mm: float = 0.0
    wheelbase_mm: float = 0.0            # car
    max_steer_deg: float = 0.0
    steer_rate_deg_s: float = 0.0
    camera: CameraSpec | None = None
    source: str = field(default="", compare=False)

    def as_dict(self) -> dict:
        """The spec as plain data, for the run trace header."""
        data = asdict(self)
        data.pop("source")
        return data


def builtin_names() -> list[str]:
    return sorted(path.stem for path in ROBOTS_DIR.glob("*.toml"))


def load_spec(name_or_path: str | Path) -> RobotSpec:
    """A built-in spec by name ("kit", "car") or a spec file by path."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = ROBOTS_DIR / f"{name_or_path}.toml"
        if not path.exists():
            raise SpecError("file.missing", path=str(name_or_path),
                            hint=f"Built-in robots: {', '.join(builtin_names())}; or give the path of a .toml spec.")
    return parse_spec(load_toml(path, SpecError, hint="Give the path of a robot spec .toml file."), path)


def parse_spec(data: dict, path: Path) -> RobotSpec:
    top = Table(data, path, SpecError)
    kind = top.text("kind", choices=("kit", "car"))
    known = {"name", "kind", "length_mm", "width_mm", "link_latency_ms", "drive", "ultrasonic"}
    known |= {"line_array", "gyro", "colour_sensor"} if kind == "kit" else {"camera"}
    top.unknown_keys(known)

    drive = top.table("drive", required=True)
    drive_keys = {"wheel_diameter_mm", "encoder_counts_per_rev", "max_speed", "time_constant_ms", "deadband",
                  "mismatch"}
    drive_keys |= {"axle_track_mm"} if kind == "kit" else {"wheelbase_mm", "max_steer_deg", "steer_rate_deg_s"}
    drive.unknown_keys(drive_keys)
    motor = MotorSpec(
        max_speed=drive.number("max_speed", low=50, high=5000),
        time_constant_ms=drive.number("time_constant_ms", 60, low=1, high=2000),
        deadband=drive.number("deadband", 0.0, low=0, high=0.5),
        mismatch=drive.number("mismatch", 0.0, low=0, high=0.2),
    )
    sonar = top.table("ultrasonic", required=True)
    sonar.unknown_keys({"forward_mm", "min_mm", "max_mm", "cone_deg", "rays", "max_incidence_deg", "noise_mm",
                        "period_ms"})
    ultrasonic = UltrasonicSpec(
        forward_mm=sonar.number("forward_mm", low=0, high=1000),
        min_mm=sonar.number("min_mm", 20, low=0, high=500),
        max_mm=sonar.number("max_mm", 4000, low=100, high=10000),
        cone_deg=sonar.number("cone_deg", 15, low=0, high=90),
        rays=sonar.integer("rays", 5, low=1, high=64),
        max_incidence_deg=sonar.number("max_incidence_deg", 60, low=0, high=90),
        noise_mm=sonar.number("noise_mm", 3, low=0, high=100),
        period_ms=sonar.number("period_ms", 60, low=1, high=1000),
    )
    common = dict(
        name=top.text("name", path.stem),
        kind=kind,
        length_mm=top.number("length_mm", low=30, high=2000),
        width_mm=top.number("width_mm", low=30, high=2000),
        wheel_diameter_mm=drive.number("wheel_diameter_mm", low=10, high=500),
        encoder_counts_per_rev=drive.integer("encoder_counts_per_rev", 840, low=1, high=100000),
        link_latency_ms=top.number("link_latency_ms", 1, low=0, high=100),
        motor=motor,
        ultrasonic=ultrasonic,
        source=str(path),
    )
    if kind == "kit":
        line = top.table("line_array", required=True)
        line.unknown_keys({"count", "spacing_mm", "forward_mm", "patch_mm", "noise", "period_ms"})
        count = line.integer("count", 5, low=1, high=16)
        spacing = line.number("spacing_mm", 15, low=1, high=100)
        forward = line.number("forward_mm", low=-1000, high=1000)
        offsets = tuple((forward, (count - 1) / 2 * spacing - i * spacing) for i in range(count))  # left to right
        gyro = top.table("gyro")
        gyro.unknown_keys({"bias_deg_s", "noise_deg", "period_ms"})
        colour = top.table("colour_sensor")
        colour.unknown_keys({"forward_mm"})
        spec = RobotSpec(
            **common,
            axle_track_mm=drive.number("axle_track_mm", low=20, high=1000),
            line_array=LineArraySpec(offsets, line.number("patch_mm", 6, low=1, high=50),
                                     line.number("noise", 20, low=0, high=1000), line.number("period_ms", 1, low=0.1, high=100)),
            gyro=GyroSpec(gyro.number("bias_deg_s", 1.0, low=0, high=20), gyro.number("noise_deg", 0.05, low=0, high=5),
                          gyro.number("period_ms", 10, low=1, high=100)),
            colour_forward_mm=colour.number("forward_mm", 40, low=-1000, high=1000),
        )
    else:
        cam = top.table("camera", required=True)
        cam.unknown_keys({"width", "height", "fov_deg", "height_mm", "pitch_deg", "forward_mm", "period_ms"})
        spec = RobotSpec(
            **common,
            wheelbase_mm=drive.number("wheelbase_mm", low=30, high=2000),
            max_steer_deg=drive.number("max_steer_deg", 28, low=1, high=60),
            steer_rate_deg_s=drive.number("steer_rate_deg_s", 600, low=10, high=10000),
            camera=CameraSpec(cam.integer("width", 80, low=8, high=640), cam.integer("height", 60, low=6, high=480),
                              cam.number("fov_deg", 70, low=10, high=170), cam.number("height_mm", 120, low=10, high=2000),
                              cam.number("pitch_deg", 30, low=0, high=89), cam.number("forward_mm", 80, low=-1000, high=1000),
                              cam.number("period_ms", 33, low=1, high=1000)),
        )
    if spec.length_mm < spec.wheel_diameter_mm:
        top.fail("length_mm", spec.length_mm, "the robot must be longer than its wheels are wide")
    return spec
