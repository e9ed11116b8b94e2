"""Argument checks for robot calls: a wrong value gets a message that names the
argument, the value, the allowed range and its unit, in the student's language."""

from __future__ import annotations

import math

from roboarena.errors import BadArgument


def number(name: str, value, low: float, high: float, unit: str, example: str = "100", hint: str = "") -> float:
    """``value`` as a float, or BadArgument if it is not a number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        # numpy scalars are numbers too
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise BadArgument("arg.not_number", name=name, value=value, example=example) from None
    value = float(value)
    if math.isnan(value) or not low <= value <= high:
        raise BadArgument("arg.out_of_range", name=name, value=value, low=low, high=high, unit=unit, hint=hint)
    return value


def speed(name: str, value, maximum: float) -> float:
    """A speed in mm/s within the motors' ``maximum``; a faster one says what the maximum is."""
    if not isinstance(value, bool) and isinstance(value, (int, float)) and abs(value) > maximum:
        raise BadArgument("arg.speed_over_max", name=name, value=float(value), high=maximum)
    return number(name, value, -maximum, maximum, "mm/s", "200")
