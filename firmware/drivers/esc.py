# A hobby car ESC (the car kit's drive motor): servo-style 50 Hz pulses, 1.0 ms full
# reverse, 1.5 ms neutral, 2.0 ms full forward. An ESC arms only after it has seen
# neutral for a while after power-up; until then it ignores throttle (and beeps), so
# this driver holds neutral for `arm_ms` whatever it is asked.

import time
from micropython import const

_FREQ = const(50)


class ESC:
    def __init__(self, pwm, now_ms, arm_ms=2000, min_us=1000, neutral_us=1500, max_us=2000):
        self._pwm = pwm
        self._neutral_us = neutral_us
        self._forward_us = max_us - neutral_us
        self._reverse_us = neutral_us - min_us
        self.arm_ms = arm_ms
        self._start_ms = now_ms
        self.armed = False
        self.throttle = 0.0
        self.pulse_us = neutral_us
        pwm.freq(_FREQ)
        pwm.duty_ns(neutral_us * 1000)

    def set(self, throttle, now_ms):
        """Throttle -1..1 (clamped); neutral until armed. Writes only on a change."""
        if not self.armed:
            if time.ticks_diff(now_ms, self._start_ms) < self.arm_ms:
                return
            self.armed = True
        if throttle > 1.0:
            throttle = 1.0
        elif throttle < -1.0:
            throttle = -1.0
        if throttle >= 0:
            pulse_us = self._neutral_us + int(throttle * self._forward_us)
        else:
            pulse_us = self._neutral_us + int(throttle * self._reverse_us)
        self.throttle = throttle
        if pulse_us != self.pulse_us:
            self.pulse_us = pulse_us
            self._pwm.duty_ns(pulse_us * 1000)
