# Runs at power-up: loads the board profile named in board.json (written by
# `roboarena firmware flash`), builds the kit's board object and runs the control loop.
# ra_main stops the motors on any error before raising it; here the interrupt
# character is switched off for the binary protocol and the watchdog is dealt with.
#
# board.json: {"profile": "esp32_kit"} names boards/esp32_kit.json; any other key
# replaces the profile's key of the same name, so a lab can store its own measured
# figures (e.g. "wheel_diameter_mm": 66) without editing the shipped profile.

import json

import machine
import micropython

import ra_board_machine
import ra_main

_CTRL_C = 3


def load_profile():
    try:
        with open("board.json") as f:
            chosen = json.load(f)
    except OSError:
        raise OSError("board.json is missing: flash with `roboarena firmware flash --board esp32_kit` "
                      "(or pico_kit)")
    name = chosen["profile"]
    try:
        with open("boards/" + name + ".json") as f:
            profile = json.load(f)
    except OSError:
        raise OSError("board profile boards/%s.json is missing: reflash with `roboarena firmware flash`" % name)
    for key in chosen:
        if key != "profile":
            profile[key] = chosen[key]
    return profile


def main():
    micropython.alloc_emergency_exception_buf(100)   # tracebacks from the encoder IRQs
    board = ra_board_machine.Board(load_profile())
    micropython.kbd_intr(-1)         # frames carry 0x03; the board spots Ctrl-C in-band
    try:
        ra_main.run(board)
    except KeyboardInterrupt:
        board.stop()
        if board.watchdog_running:
            # the hardware watchdog cannot be stopped: it would reset the board under the
            # REPL a second from now, perhaps half-way through a file copy. Reset now; the
            # next boot leaves it off until the motors run, and the REPL stays.
            machine.reset()
        raise
    finally:
        micropython.kbd_intr(_CTRL_C)
        board.stop()


main()
