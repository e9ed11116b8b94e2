"""The virtual board's link and memory, printed as a table: telemetry frames per second of
board time through the pseudo-terminal at a modelled baud rate, against the most that line
can carry for that frame size; and the firmware's heap after import, measured in the
MicroPython VM with gc.mem_alloc().

Needs Node.js and ``npm ci --prefix firmware/virtual``. Run: ``python benchmarks/virtual_board.py``.
"""

from __future__ import annotations

import struct
import subprocess
import sys
import time

from roboarena.firmware import load
from roboarena.sims.runner import prepare
from roboarena.sims.virtual_board import VirtualBoard

proto = load("ra_proto")
FRAME_BYTES = len(proto.build(proto.TELEMETRY, 0, bytes(struct.calcsize(proto.TELEMETRY_FORMAT))))


def telemetry_rate(baud: int, board_seconds: float = 4.0) -> float:
    """Telemetry frames per second of board time, asked for every 1 ms, through the host's
    own serial link (handshake, heartbeats) as a program would use it."""
    from roboarena.host.serial_link import SerialLink

    with VirtualBoard(prepare("line-follow", seed=0), speed=2.0, baud=baud) as board:
        board.wait_for(lambda b: b.steps > 0)
        stamps: list[int] = []
        link = SerialLink.open(board.port, telemetry_ms=1)
        link.listeners.append(lambda _, telemetry: stamps.append(telemetry.t_ms))
        deadline = time.monotonic() + board_seconds * 3 + 10
        while time.monotonic() < deadline and not (len(stamps) > 10 and stamps[-1] - stamps[10] >= board_seconds * 1000):
            time.sleep(0.05)
        link.close()
    steady = stamps[10:]                 # past the start-up
    return (len(steady) - 1) / ((steady[-1] - steady[0]) / 1000)


def memory_after_import() -> int:
    with VirtualBoard(prepare("line-follow", seed=0), speed=1.0) as board:
        board.wait_for(lambda b: b.steps > 0)
        run = [sys.executable, "-m", "mpremote", "connect", board.port, "resume"]
        subprocess.run(run + ["exec", "import ra_core"], check=True, capture_output=True, timeout=60)
        out = subprocess.run(run + ["exec", "import gc; gc.collect(); print(gc.mem_alloc())"], check=True,
                             capture_output=True, text=True, timeout=60).stdout
    return int(out.strip().splitlines()[-1])


def main():
    print("roboarena virtual board benchmark")
    print("| figure | measured | note |")
    print("|---|---|---|")
    for baud in (115200, 57600):
        most = baud / 10 / FRAME_BYTES
        achieved = telemetry_rate(baud)
        print(f"| telemetry at {baud} baud ({FRAME_BYTES}-byte frames) | {achieved:.0f} frames/s | "
              f"{achieved / most:.2f} of the line's {most:.0f} frames/s (target >= 0.9) |")
    print(f"| firmware heap after `import ra_core` | {memory_after_import() / 1024:.1f} KB | target < 40 KB |")


if __name__ == "__main__":
    main()
