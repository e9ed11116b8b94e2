# A 74HC4051 (or CD4051B) 8-to-1 analog multiplexer in front of one ADC pin: three
# select pins choose which input reaches the ADC. The Pico kit reads its five line
# sensors through one, since the RP2040 has only three ADC pins (GP26-28). Each
# channel object has read_u16() like a machine.ADC, so the reflectance driver does
# not know the difference.

import time
from micropython import const

# After switching, the mux's common node (a few tens of pF) is charged through the
# sensor's ~10 kohm output: 10 time constants is about 5 us. 10 us leaves margin and
# costs 50 us for five channels.
_SETTLE_US = const(10)


class Mux4051:
    def __init__(self, adc, s0, s1, s2, settle_us=_SETTLE_US):
        self._adc = adc
        self._s0 = s0
        self._s1 = s1
        self._s2 = s2
        self._settle_us = settle_us
        self._selected = -1

    def select(self, channel):
        if channel == self._selected:
            return
        self._s0.value(channel & 1)
        self._s1.value((channel >> 1) & 1)
        self._s2.value((channel >> 2) & 1)
        self._selected = channel
        time.sleep_us(self._settle_us)

    def channel(self, number):
        """An ADC-like object reading input Y<number> (0-7)."""
        if not 0 <= number <= 7:
            raise ValueError("74HC4051 input must be 0-7, got %r" % (number,))
        return _Channel(self, number)


class _Channel:
    def __init__(self, mux, number):
        self._mux = mux
        self._number = number

    def read_u16(self):
        self._mux.select(self._number)
        return self._mux._adc.read_u16()
