# The firmware's main loop, the same on every board: read the sensors, feed the core the
# received bytes and the time, apply its outputs, send its bytes. A board object supplies
# the hardware (ra_board_machine.py on a real ESP32/Pico, the bridge in the virtual board):
#   ticks_ms(), read(readings), apply(outputs), serial_read() -> bytes or None,
#   serial_write(buffer), idle(ms), feed_watchdog(), stop(), and the facts board_id,
#   capabilities, max_speed, counts_per_mm, axle_track_mm.
# ticks_ms() must count up without wrapping (the core compares times by subtraction).
# Any unhandled error stops the motors before it is raised.

import ra_core

LOOP_MS = 3                      # control loop period: fast enough for telemetry to fill a 115200 baud line


def run(board, loops=None):
    """Run the control loop (``loops`` times, or for ever)."""
    core = ra_core.Core(board.board_id, board.capabilities, board.max_speed, board.counts_per_mm,
                        board.axle_track_mm, board.ticks_ms())
    readings = ra_core.Readings()
    try:
        while loops is None or loops > 0:
            now = board.ticks_ms()
            board.read(readings)
            data = board.serial_read()
            if data:
                core.receive(data, now, readings)
            core.tick(now, readings)
            board.apply(core.out)
            core.out.beep_hz = 0             # a beep is started once
            if core.tx_len:
                board.serial_write(core.tx_view())
                core.tx_sent()
            board.feed_watchdog()
            board.idle(LOOP_MS)
            if loops is not None:
                loops -= 1
    except BaseException:
        # Motors off, whatever went wrong; a failure while stopping must not hide the
        # original error (MicroPython keeps no exception chain).
        try:
            board.stop()
        except Exception:  # noqa: BLE001
            pass
        raise
    return core
