"""The firmware as the boards will take it: every module compiles with mpy-cross to the
.mpy version of the MicroPython the kits and the virtual board run (1.27), and the
modules a kit runs type-check against that port's MicroPython stubs (ESP32 and RP2040),
so a call a port does not have, or one with the wrong arguments, fails here and not on
a robot in a school gym."""

import os
import re
import subprocess
import sys
import warnings

import pytest

from fakehw import FIRMWARE

VM_MPY = 774                     # sys.implementation._mpy in the virtual board's VM
MPY_VERSION, MPY_SUB_VERSION = VM_MPY & 0xFF, (VM_MPY >> 8) & 3
STUBS_VERSION = "1.27.0.post1"   # the VM's MicroPython release
BOARDS = ("esp32", "rp2")

FIRMWARE_FILES = sorted(path for path in FIRMWARE.rglob("*.py")
                        if path != FIRMWARE / "__init__.py" and "node_modules" not in path.parts)
# What a kit runs: the top-level modules and the drivers. ra_board_virtual.py runs only
# in the virtual board's WebAssembly VM on its ra_hw bridge, and tests_vm/ are tests:
# both are compiled above but not checked against the ESP32/RP2040 stubs.
KIT_FILES = [path for path in FIRMWARE_FILES
             if (path.parent == FIRMWARE and path.name != "ra_board_virtual.py") or path.parent == FIRMWARE / "drivers"]

# mypy findings in modules that are not a kit's drivers/board, left to their owners and
# reported as warnings meanwhile; any other finding fails the test.
KNOWN: list[tuple[str, str, str]] = []   # (file, mypy message, why it is accepted): none now


@pytest.mark.parametrize("path", FIRMWARE_FILES, ids=lambda p: str(p.relative_to(FIRMWARE)))
def test_compiles_with_mpy_cross_for_the_vm(path, tmp_path):
    out = tmp_path / "module.mpy"
    result = subprocess.run([sys.executable, "-m", "mpy_cross", str(path), "-o", str(out)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    header = out.read_bytes()[:3]
    assert header[:2] == bytes([ord("M"), MPY_VERSION])
    assert header[2] >> 2 == 0                          # bytecode only: loads on any port


def test_mpy_cross_emits_the_vms_mpy_version():
    result = subprocess.run([sys.executable, "-m", "mpy_cross", "--version"], capture_output=True, text=True,
                            timeout=60)
    assert "mpy v%d.%d" % (MPY_VERSION, MPY_SUB_VERSION) in result.stdout


NETWORK_TROUBLE = re.compile(r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
                             r"resolution|Name or service not known|ConnectTimeout|ReadTimeout|timed out|"
                             r"Network is unreachable|connection broken|ProxyError", re.I)


def stubs_for(board, cache_root):
    """micropython-<board>-stubs, installed once into the pytest cache. The two ports'
    stubs both provide machine.pyi, so each gets a folder of its own. --no-deps leaves
    out micropython-stdlib-stubs: sys, json and struct are checked against mypy's own
    typeshed, and the stdlib stubs' buffer aliases (_mpy_shed) become Any."""
    folder = cache_root / ("%s-%s" % (board, STUBS_VERSION))
    if (folder / "machine.pyi").is_file():
        return folder
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--timeout", "30", "--retries", "2", "--target", str(folder),
         "micropython-%s-stubs==%s" % (board, STUBS_VERSION)],
        capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        said = (result.stdout + result.stderr).strip()
        if NETWORK_TROUBLE.search(said):
            pytest.skip("PyPI is unreachable, so the MicroPython stubs cannot be installed: %s" % said[-300:])
        pytest.fail("pip could not install micropython-%s-stubs==%s:\n%s" % (board, STUBS_VERSION, said))
    return folder


def mypy_config(stubs, path, cache_dir):
    stub_modules = sorted({item.stem for item in stubs.glob("*.pyi")}
                          | {item.name for item in stubs.iterdir()
                             if item.is_dir() and "." not in item.name and item.name != "__pycache__"})
    patterns = ",".join("%s,%s.*" % (name, name) for name in stub_modules)
    path.write_text(
        "[mypy]\n"
        "explicit_package_bases = True\n"      # firmware/ is the board's root: ra_core, drivers.motor
        "check_untyped_defs = True\n"          # the firmware has no annotations: check it anyway
        "cache_dir = %s\n"
        "[mypy-%s]\n"
        "ignore_errors = True\n"               # the stubs' own slips are not the firmware's
        "[mypy-_mpy_shed,_mpy_shed.*]\n"
        "ignore_missing_imports = True\n"      # from the stdlib stubs left out: buffer aliases become Any
        % (cache_dir, patterns), encoding="utf-8")
    return path


@pytest.mark.parametrize("board", BOARDS)
def test_kit_firmware_type_checks_against_the_ports_stubs(board, pytestconfig, tmp_path, tmp_path_factory):
    cache = getattr(pytestconfig, "cache", None)        # None under -p no:cacheprovider
    cache_root = cache.mkdir("micropython-stubs") if cache else tmp_path_factory.mktemp("micropython-stubs")
    stubs = stubs_for(board, cache_root)
    config = mypy_config(stubs, tmp_path / "mypy.ini", cache_root / ("mypy-cache-" + board))
    env = dict(os.environ, MYPYPATH=os.pathsep.join([str(stubs), str(FIRMWARE)]))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(config), "--no-error-summary", "--show-error-codes"]
        + [str(path.relative_to(FIRMWARE)) for path in KIT_FILES],
        cwd=FIRMWARE, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stdout + result.stderr      # 2: mypy itself failed
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    unexpected = []
    for line in errors:
        known = [why for name, message, why in KNOWN
                 if line.replace("\\", "/").split(":")[0].endswith(name) and message in line]
        if known:
            warnings.warn("%s stubs: %s (%s)" % (board, line, known[0]))
        else:
            unexpected.append(line)
    assert not unexpected, "\n".join(unexpected)
