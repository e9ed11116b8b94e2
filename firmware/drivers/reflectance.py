# An analog line-sensor array (TCRT5000-class, 5 channels): one reading per channel in
# 12-bit counts, 0-4095, low over black tape and high over white paper. Channels are
# anything with read_u16(): machine.ADC objects, or mux4051 channels on a Pico, which
# has only three ADC pins. read_u16() is 16-bit on every port whatever the converter's
# width (12 bits on ESP32 and RP2040), so >> 4 gives the same 0-4095 everywhere.

from micropython import const

_SHIFT = const(4)


class Reflectance:
    def __init__(self, channels):
        self._channels = channels
        self.count = len(channels)

    def read_into(self, values):
        """Fill values[0:count] left to right; allocates nothing."""
        channels = self._channels
        for i in range(self.count):
            values[i] = channels[i].read_u16() >> _SHIFT
        return values
