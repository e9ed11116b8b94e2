"""Fake MicroPython hardware modules (machine, micropython, neopixel, and the ticks/sleep
functions of MicroPython's time) for testing the firmware drivers under CPython. Each fake
keeps the history of what the firmware did to it, so tests assert exact pin levels,
duties, pulse widths and I2C bytes. The ``hw`` fixture swaps them into ``sys.modules``
and the firmware folder onto ``sys.path``, and puts everything back afterwards."""

import sys
import time
import types
from pathlib import Path

import pytest

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
TICKS_PERIOD = 1 << 30           # MicroPython's ticks_ms() wraps here


class Pin:
    IN, OUT, OPEN_DRAIN = 0, 1, 2
    PULL_UP, PULL_DOWN = 1, 2
    IRQ_FALLING, IRQ_RISING = 4, 8

    def __init__(self, number, mode=-1, pull=-1, *, value=None):
        self.number = number
        self.mode = mode
        self.pull = pull
        self.level = 0 if value is None else value
        self.writes = []             # every level the firmware set, in order
        self.handler = None
        self.hard = None
        if value is not None:
            self.writes.append(value)

    def value(self, level=None):
        if level is None:
            return self.level
        self.level = 1 if level else 0
        self.writes.append(self.level)
        return None

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING, *, hard=False):
        self.handler = handler
        self.trigger = trigger
        self.hard = hard

    def drive(self, level):
        """The outside world moves the pin; an edge calls its IRQ handler."""
        changed = level != self.level
        self.level = level
        if changed and self.handler is not None:
            self.handler(self)


class PWM:
    def __init__(self, pin, *, freq=None, duty_u16=None, duty_ns=None):
        self.pin = pin
        self.frequency = freq
        self.duty = duty_u16
        self.pulse_ns = duty_ns
        self.duties = []             # duty_u16 writes after construction
        self.pulses_ns = []          # duty_ns writes
        self.freqs = []              # freq writes

    def freq(self, hz=None):
        if hz is None:
            return self.frequency
        self.frequency = hz
        self.freqs.append(hz)
        return None

    def duty_u16(self, value=None):
        if value is None:
            return self.duty
        assert 0 <= value <= 65535, value
        self.duty = value
        self.duties.append(value)
        return None

    def duty_ns(self, value=None):
        if value is None:
            return self.pulse_ns
        self.pulse_ns = value
        self.pulses_ns.append(value)
        return None


class ADC:
    ATTN_0DB, ATTN_11DB = 0, 3

    def __init__(self, pin, *, atten=None):
        self.pin = pin
        self.atten = atten
        self.u16 = 0                 # what read_u16() returns

    def read_u16(self):
        return self.u16


class I2C:
    """A register file per device address: writes are logged as (addr, reg, bytes),
    reads come from ``registers``."""

    def __init__(self, id=0, *, scl=None, sda=None, freq=400000):
        self.id = id
        self.scl = scl
        self.sda = sda
        self.frequency = freq
        self.writes = []
        self.registers = {}          # (addr, reg) -> int, one byte each

    def writeto_mem(self, addr, reg, buf):
        self.writes.append((addr, reg, bytes(buf)))
        for i, byte in enumerate(bytes(buf)):
            self.registers[(addr, reg + i)] = byte

    def readfrom_mem_into(self, addr, reg, buf):
        for i in range(len(buf)):
            buf[i] = self.registers.get((addr, reg + i), 0)

    def set_word(self, addr, reg, value):
        """A signed big-endian 16-bit register pair, as the MPU6050 keeps them."""
        value &= 0xFFFF
        self.registers[(addr, reg)] = value >> 8
        self.registers[(addr, reg + 1)] = value & 0xFF


class Encoder:
    """ESP32's machine.Encoder: a PCNT unit counting quadrature in hardware."""

    def __init__(self, id, phase_a=None, phase_b=None, *, phases=1, filter_ns=0):
        self.id = id
        self.phase_a = phase_a
        self.phase_b = phase_b
        self.phases = phases
        self.filter_ns = filter_ns
        self.counted = 0

    def value(self, value=None):
        current = self.counted
        if value is not None:
            self.counted = value
        return current


class WDT:
    def __init__(self, *, id=0, timeout=5000):
        self.timeout = timeout
        self.feeds = 0

    def feed(self):
        self.feeds += 1


class NeoPixel:
    def __init__(self, pin, n, bpp=3, timing=1):
        self.pin = pin
        self.pixels = [(0, 0, 0)] * n
        self.written = []            # the pixel list at every write()

    def __setitem__(self, i, colour):
        self.pixels[i] = tuple(colour)

    def __getitem__(self, i):
        return self.pixels[i]

    def write(self):
        self.written.append(list(self.pixels))


class Clock:
    """MicroPython's ms ticks, wrapping at 2**30; sleeping advances them."""

    def __init__(self, start_ms=0):
        self.ms = start_ms
        self.slept_us = []

    def ticks_ms(self):
        return self.ms % TICKS_PERIOD

    @staticmethod
    def ticks_diff(a, b):
        half = TICKS_PERIOD // 2
        return ((a - b + half) % TICKS_PERIOD) - half

    @staticmethod
    def ticks_add(a, delta):
        return (a + delta) % TICKS_PERIOD

    def sleep_ms(self, ms):
        self.ms += ms

    def sleep_us(self, us):
        self.slept_us.append(us)


class Hardware:
    """What the ``hw`` fixture hands a test: the fake modules and the clock."""

    def __init__(self, mocker):
        self.clock = Clock()
        self.machine = types.ModuleType("machine")
        # every object the firmware makes, by pin number (I2C by bus id), so a test can
        # reach the pins a board built from its profile
        self.pins, self.pwms, self.adcs, self.i2cs, self.wdts, self.counters = {}, {}, {}, {}, [], {}
        for cls, registry in ((Pin, self.pins), (PWM, self.pwms), (ADC, self.adcs), (I2C, self.i2cs),
                              (WDT, self.wdts), (Encoder, self.counters)):
            setattr(self.machine, cls.__name__, _registering(cls, registry))
        self.machine.time_pulse_us = mocker.Mock(name="time_pulse_us", return_value=-1)
        self.machine.unique_id = mocker.Mock(name="unique_id", return_value=b"\xe6\x61\x38\x1d\xa2\x5b")
        self.machine.reset = mocker.Mock(name="reset")
        self.micropython = types.ModuleType("micropython")
        self.micropython.const = lambda value: value
        self.micropython.kbd_intr = mocker.Mock(name="kbd_intr")
        self.micropython.alloc_emergency_exception_buf = mocker.Mock(name="alloc_emergency_exception_buf")
        self.neopixel = types.ModuleType("neopixel")
        self.neopixel.NeoPixel = NeoPixel


def _registering(cls, registry):
    """A subclass of a fake that files each new object in ``registry``."""

    def __init__(self, *args, **kwargs):
        cls.__init__(self, *args, **kwargs)
        if isinstance(registry, list):
            registry.append(self)
        elif cls is Pin:
            registry[self.number] = self
        elif cls in (I2C, Encoder):
            registry[self.id] = self
        else:
            registry[self.pin.number] = self

    return type(cls.__name__, (cls,), {"__init__": __init__})


FIRMWARE_MODULES = ("drivers", "ra_board_machine", "ra_main", "ra_core", "ra_proto")


@pytest.fixture
def hw(monkeypatch, mocker):
    """Fake MicroPython hardware, and a fresh import of the firmware modules that use it."""
    fake = Hardware(mocker)
    monkeypatch.setitem(sys.modules, "machine", fake.machine)
    monkeypatch.setitem(sys.modules, "micropython", fake.micropython)
    monkeypatch.setitem(sys.modules, "neopixel", fake.neopixel)
    for name in ("ticks_ms", "ticks_diff", "ticks_add", "sleep_ms", "sleep_us"):
        monkeypatch.setattr(time, name, getattr(fake.clock, name), raising=False)
    monkeypatch.syspath_prepend(str(FIRMWARE))
    before = set()
    for name in list(sys.modules):
        if name.split(".")[0] in FIRMWARE_MODULES:
            before.add(name)
            monkeypatch.delitem(sys.modules, name)      # put back afterwards
    yield fake
    for name in list(sys.modules):                      # imported on the fakes: forget them
        if name.split(".")[0] in FIRMWARE_MODULES and name not in before:
            del sys.modules[name]
