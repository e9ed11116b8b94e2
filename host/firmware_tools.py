"""Putting the firmware on a board, and reading its version back: ``roboarena firmware
flash --port URL [--board esp32|pico]`` and ``roboarena firmware version --port URL``.

mpremote does the talking (raw REPL over the serial port, as for any MicroPython board).
The firmware is precompiled to .mpy with the mpy-cross whose bytecode version matches the
board's ``sys.implementation._mpy`` (so it loads faster and takes less RAM); a board of
another MicroPython version gets the .py sources instead, and is told so. Unchanged files
are skipped: the board keeps a manifest of what it holds, with each file's hash.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from roboarena.errors import ConnectError
from roboarena.firmware import FOLDER

MANIFEST = "ra_manifest.json"
BOARD_FILE = "board.json"
KEEP_AS_SOURCE = {"main.py"}          # a board boots main.py; it must stay a .py
NOT_FIRMWARE = {"__init__.py", "ra_board_virtual.py"}   # the host-side loader; the VM-only board
PROFILES = {"esp32": "esp32_kit", "pico": "pico_kit", "esp32_gate": "esp32_gate"}   # --board -> boards/*.json


def firmware_files() -> list[Path]:
    """The files that go on a board, relative to the firmware folder."""
    files = [p for p in sorted(FOLDER.glob("*.py")) if p.name not in NOT_FIRMWARE]
    files += sorted((FOLDER / "drivers").glob("*.py"))
    files += sorted((FOLDER / "boards").glob("*.json"))
    return files


def _mpremote(port: str, *commands: str, timeout: float = 30.0) -> str:
    """Run mpremote on ``port`` (``resume``: no soft reset, the firmware state is kept);
    its output, or ConnectError saying what went wrong."""
    args = [sys.executable, "-m", "mpremote", "connect", port, "resume", *commands]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ConnectError("flash.timeout", port=port, seconds=timeout) from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        raise ConnectError("flash.failed", port=port, detail=detail[0])
    return done.stdout


def board_mpy_version(port: str) -> tuple[int, int]:
    """(bytecode version, sub-version) the board's MicroPython loads."""
    out = _mpremote(port, "exec", "import sys; print(getattr(sys.implementation, '_mpy', 0))")
    value = int(out.strip().splitlines()[-1] or 0)
    return value & 0xFF, (value >> 8) & 3


def cross_mpy_version() -> tuple[int, int]:
    """(bytecode version, sub-version) the installed mpy-cross emits."""
    out = subprocess.run([sys.executable, "-m", "mpy_cross", "--version"], capture_output=True, text=True).stdout
    version = out.rsplit("mpy v", 1)[-1].strip()
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def build(compile_mpy: bool, out_dir: Path) -> dict[str, Path]:
    """Board path → local file to copy, compiling .py to .mpy when asked."""
    built = {}
    for source in firmware_files():
        relative = source.relative_to(FOLDER).as_posix()
        if compile_mpy and source.suffix == ".py" and source.name not in KEEP_AS_SOURCE:
            target = out_dir / relative.replace(".py", ".mpy")
            target.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([sys.executable, "-m", "mpy_cross", str(source), "-o", str(target)], check=True)
            built[relative.replace(".py", ".mpy")] = target
        else:
            built[relative] = source
    return built


def flash(port: str, board: str | None = None, report=print) -> dict:
    """Copy the firmware onto the board at ``port``; what was copied and skipped."""
    compile_mpy = board_mpy_version(port) == cross_mpy_version()
    if not compile_mpy:
        report("flash.as_source")
    try:
        on_board = json.loads(_mpremote(port, "exec", f"print(open('{MANIFEST}').read())").strip() or "{}")
    except (ConnectError, json.JSONDecodeError):
        on_board = {}                     # a fresh board: no manifest yet
    with tempfile.TemporaryDirectory() as folder:
        built = build(compile_mpy, Path(folder))
        manifest = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in built.items()}
        changed = [name for name in built if on_board.get(name) != manifest[name]]
        folders = sorted({name.rsplit("/", 1)[0] for name in changed if "/" in name})
        commands = []
        for folder_name in folders:
            commands += ["exec", f"import os\ntry:\n os.mkdir('{folder_name}')\nexcept OSError:\n pass", "+"]
        for name in changed:
            commands += ["fs", "cp", str(built[name]), f":{name}", "+"]
        settings = Path(folder) / BOARD_FILE
        settings.write_text(json.dumps({"profile": PROFILES.get(board or "esp32", board)}))
        manifest_file = Path(folder) / MANIFEST
        manifest_file.write_text(json.dumps(manifest))
        commands += ["fs", "cp", str(settings), f":{BOARD_FILE}", "+", "fs", "cp", str(manifest_file), f":{MANIFEST}"]
        _mpremote(port, *commands, timeout=120)
    return {"copied": changed, "skipped": sorted(set(built) - set(changed)), "compiled": compile_mpy}


def version(port: str) -> str:
    """The firmware version on the board, e.g. "1.0.0"."""
    out = _mpremote(port, "exec", "import ra_core; print('.'.join(str(v) for v in ra_core.FIRMWARE_VERSION))")
    return out.strip().splitlines()[-1]


def cmd_firmware(args) -> int:
    from roboarena.cli import EXIT_OK, _console
    from roboarena.messages import render

    console = _console()
    if args.action == "version":
        console.print(version(args.port), markup=False)
        return EXIT_OK
    done = flash(args.port, args.board, report=lambda message_id: console.print(render(message_id), markup=False))
    console.print(render("flash.done", version=".".join(str(v) for v in _firmware_version()), port=args.port,
                         copied=len(done["copied"]), skipped=len(done["skipped"])), markup=False)
    return EXIT_OK


def _firmware_version() -> tuple[int, int, int]:
    from roboarena.firmware import load

    return load("ra_core").FIRMWARE_VERSION
