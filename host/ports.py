"""Finding the robot kits plugged in by USB: which serial ports are kits, by the USB
chip behind them (VID:PID), never a Bluetooth serial port or a modem.

``Robot()`` with no URL and no ``ROBOARENA_URL`` connects to the one kit found here;
``roboarena ports`` lists them. The serial number of a kit's USB chip finds it again
after the cable was pulled out, even when the system gives it another port name.
"""

from __future__ import annotations

from dataclasses import dataclass

from roboarena.errors import ConnectError

# USB-serial chips on the kits' boards, by (VID, PID); None matches any PID of that vendor.
KIT_CHIPS: dict[tuple[int, int | None], str] = {
    (0x1A86, 0x7523): "CH340",
    (0x1A86, 0x7522): "CH340K",
    (0x1A86, 0x55D4): "CH9102",
    (0x1A86, 0x55D3): "CH343",
    (0x10C4, 0xEA60): "CP2102",
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT231X",
    (0x303A, None): "ESP32-S2/S3/C3 native USB",
    (0x2E8A, 0x0005): "Raspberry Pi Pico (MicroPython)",
}
# A port that matched by chip but says this is not a cable to a kit.
NOT_KITS = ("bluetooth", "bthenum", "modem")


@dataclass(frozen=True)
class Kit:
    """One serial port with a kit's USB chip behind it."""
    port: str                    # what to open: /dev/ttyUSB0, COM4, /dev/cu.usbserial-1410
    description: str
    vid: int
    pid: int
    serial_number: str
    chip: str

    @property
    def vid_pid(self) -> str:
        return f"{self.vid:04x}:{self.pid:04x}"

    def as_dict(self) -> dict:
        return {"port": self.port, "description": self.description, "vid_pid": self.vid_pid,
                "serial_number": self.serial_number, "chip": self.chip}


def chip_of(vid: int | None, pid: int | None) -> str:
    """The kit chip's name for a USB VID:PID, or "" when it is not one of ours."""
    if vid is None:
        return ""
    return KIT_CHIPS.get((vid, pid)) or KIT_CHIPS.get((vid, None)) or ""


def _comports():
    from serial.tools import list_ports

    return list_ports.comports()


def find_kits(ports=None) -> list[Kit]:
    """The kits plugged in now, sorted by port name. ``ports``: what
    ``serial.tools.list_ports.comports()`` returns (the default), for tests."""
    kits = []
    for info in _comports() if ports is None else ports:
        vid, pid = getattr(info, "vid", None), getattr(info, "pid", None)
        chip = chip_of(vid, pid)
        text = " ".join(str(getattr(info, name, "") or "") for name in ("device", "description", "hwid")).lower()
        if not chip or any(word in text for word in NOT_KITS):
            continue
        kits.append(Kit(info.device, getattr(info, "description", "") or "", vid, pid,
                        getattr(info, "serial_number", "") or "", chip))
    return sorted(kits, key=lambda kit: kit.port)


def kit_at(port: str, ports=None) -> Kit | None:
    """The kit behind ``port`` (to remember its serial number), or None."""
    return next((kit for kit in find_kits(ports) if kit.port == port), None)


def port_of_serial_number(serial_number: str, ports=None) -> str | None:
    """Where the kit with this USB serial number is now (its port may have a new name)."""
    if not serial_number:
        return None
    return next((kit.port for kit in find_kits(ports) if kit.serial_number == serial_number), None)


def describe(kits: list[Kit]) -> str:
    """One kit per line, for messages."""
    return "\n".join(f"  {kit.port}  {kit.description}  ({kit.vid_pid} {kit.chip})" for kit in kits)


def the_one_kit(program: str, ports=None) -> str:
    """The port of the one kit plugged in; a ConnectError saying what to do when there is
    none (plug it in, or use the simulator) or more than one (choose)."""
    kits = find_kits(ports)
    if not kits:
        raise ConnectError("connect.nothing", program=program)
    if len(kits) > 1:
        raise ConnectError("ports.several", count=len(kits), kits=describe(kits), port=kits[0].port, program=program)
    return kits[0].port
