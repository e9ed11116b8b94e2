"""The MicroPython firmware for the robot kits, shipped with roboarena so the CLI can flash
it. On a board the modules import each other by their plain names (``import ra_proto``);
``load`` gives the host the same modules under CPython (the protocol, the core for tests
and the simulated board)."""

import importlib
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def load(name: str):
    """Import firmware module ``name`` as the board would (its siblings by plain name)."""
    if str(FOLDER) not in sys.path:
        sys.path.append(str(FOLDER))
    return importlib.import_module(name)
