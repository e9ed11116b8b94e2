"""roboarena: robot competitions and maker labs for schools.

The student's entry point is ``from roboarena import Robot, Car``; the rest of the
distribution lives in its subpackages (``roboarena.host``, ``roboarena.sims``,
``roboarena.challenges``, ``roboarena.judge``).
"""

from roboarena.errors import RoboarenaError, RunOver
from roboarena.host import Car, Robot

__version__ = "0.1.0"
__all__ = ["Robot", "Car", "RoboarenaError", "RunOver", "__version__"]
