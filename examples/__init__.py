"""Example student programs: each runs in the simulator and is a documentation page's source."""
