"""`roboarena firmware flash` and `version` against the virtual board: mpremote copies the
firmware (compiled to .mpy for the VM's bytecode version), skips what is unchanged, and
reads the version back."""

import os
import shutil

import pytest

from roboarena.host import firmware_tools
from roboarena.sims import virtual_board
from roboarena.sims.runner import prepare

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "openpty"), reason="the virtual board needs a pseudo-terminal (POSIX)"),
    pytest.mark.skipif(shutil.which("node") is None or not virtual_board.npm_package_ready(),
                       reason="the virtual board needs Node.js and `npm ci --prefix firmware/virtual`"),
]


@pytest.fixture
def board():
    running = virtual_board.VirtualBoard(prepare("line-follow", seed=0), speed=None).start()
    assert running.wait_for(lambda b: b.steps > 0), list(running.vm_errors)
    yield running
    running.stop()


def test_flash_compiles_copies_then_skips_what_is_unchanged(board):
    assert firmware_tools.board_mpy_version(board.port) == firmware_tools.cross_mpy_version() == (6, 3)
    first = firmware_tools.flash(board.port, "pico", report=lambda message_id: None)
    assert first["compiled"] and "ra_core.mpy" in first["copied"] and "main.py" in first["copied"]
    assert "drivers/motor.mpy" in first["copied"]
    second = firmware_tools.flash(board.port, "pico", report=lambda message_id: None)
    assert second["copied"] == [] and set(second["skipped"]) == set(first["copied"])
    assert firmware_tools.version(board.port) == "1.0.0"
    listing = firmware_tools._mpremote(board.port, "fs", "ls")
    assert "ra_core.mpy" in listing and "ra_manifest.json" in listing and "board.json" in listing


def test_the_firmware_commands_flash_and_read_back(board, capsys):
    from roboarena.cli import main

    assert main(["firmware", "flash", "--port", board.port, "--board", "pico"]) == 0
    assert "Firmware 1.0.0 on" in capsys.readouterr().out
    assert main(["firmware", "version", "--port", board.port]) == 0
    assert capsys.readouterr().out.strip() == "1.0.0"


def test_flashing_a_port_that_does_not_exist_says_so(capsys):
    from roboarena.cli import main

    assert main(["firmware", "version", "--port", "/dev/roboarena-no-such-port"]) == 2
    err = capsys.readouterr().err
    assert "/dev/roboarena-no-such-port" in err and "Traceback" not in err
