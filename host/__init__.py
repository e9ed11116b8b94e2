"""The library students program against: ``Robot`` (the differential-drive kit) and
``Car`` (the autonomous car kit). Both reach their robot through a link opened by URL,
so one program drives the simulator or a real kit unchanged."""

from roboarena.host.robot import Car, Robot

__all__ = ["Robot", "Car"]
