"""The simulator: worlds, robot bodies and sensors in numpy and plain float math, in
lockstep virtual time; an optional pygame window; run traces.

``Simulation`` is one run; ``roboarena.sims.runner`` runs a student's program in it.
"""

from roboarena.sims.simulation import Simulation
from roboarena.sims.spec import RobotSpec, load_spec
from roboarena.sims.world import World, builtin_worlds, load_world

__all__ = ["Simulation", "World", "RobotSpec", "load_world", "load_spec", "builtin_worlds"]
