# One WS2812 (NeoPixel) RGB status LED through MicroPython's neopixel module. Writing
# takes the pin for ~30 us with interrupts off on some ports, so the LED is written
# only when its colour changes, not on every pass of the control loop.

import neopixel


class Pixel:
    def __init__(self, pin, brightness=255):
        self._np = neopixel.NeoPixel(pin, 1)
        # a WS2812 at full white draws 60 mA and dazzles from close up: the board
        # profile can scale every colour down
        self.brightness = brightness
        self.colour = (0, 0, 0)
        self._np[0] = self.colour
        self._np.write()                     # dark after a reset, whatever it showed

    def set(self, colour):
        """colour: an (r, g, b) tuple, 0-255 each."""
        if colour == self.colour:
            return
        self.colour = colour
        b = self.brightness
        if b >= 255:
            self._np[0] = colour
        else:
            # a new tuple, but only when the colour changes
            self._np[0] = (colour[0] * b // 255, colour[1] * b // 255, colour[2] * b // 255)
        self._np.write()
