# A piezo buzzer on a PWM pin: a square wave at the tone's frequency, stopped by
# update() once the duration is over, so a beep never blocks the control loop.
# On an RP2040 a PWM slice drives two pins at one frequency: give the buzzer a slice
# of its own (docs/wiring.md), or every tone would retune its neighbour.

import time
from micropython import const

_HALF = const(32768)             # 50 % duty: the loudest square wave
_MIN_HZ = const(20)              # the RP2040's PWM cannot go much below 8 Hz anyway
_MAX_HZ = const(20000)


class Buzzer:
    def __init__(self, pwm):
        self._pwm = pwm
        self.playing = False
        self._start_ms = 0
        self._duration_ms = 0
        pwm.duty_u16(0)

    def start(self, hz, ms, now_ms):
        """Play hz for ms from now_ms; a new tone replaces the current one."""
        if hz <= 0 or ms <= 0:
            self.stop()
            return
        if hz < _MIN_HZ:
            hz = _MIN_HZ
        elif hz > _MAX_HZ:
            hz = _MAX_HZ
        self._pwm.freq(hz)
        self._pwm.duty_u16(_HALF)
        self._start_ms = now_ms
        self._duration_ms = ms
        self.playing = True

    def update(self, now_ms):
        """Call every loop: ends the tone when its time is up."""
        if self.playing and time.ticks_diff(now_ms, self._start_ms) >= self._duration_ms:
            self.stop()

    def stop(self):
        self._pwm.duty_u16(0)
        self.playing = False
