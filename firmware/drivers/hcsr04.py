# An HC-SR04 ultrasonic range finder: a 10 us trigger pulse, then the echo pin stays
# high for the sound's round trip. Returns mm; no echo (nothing in range, soft or
# angled surfaces) reads as the maximum range, as the simulator models it.
#
# machine.time_pulse_us blocks while it waits, so one ping costs the control loop up
# to the round trip of max_mm (about 23 ms at 4 m): keep max_mm no larger than the
# challenge needs. Pings are at least `period_ms` apart (60 ms by the datasheet: an
# earlier ping can hear the last one's echo); in between, read() returns the last value.

import machine
import time
from micropython import const

_TRIGGER_US = const(10)
_US_PER_MM_ROUND_TRIP = 5.831   # 2 / 0.343 mm/us: sound at 20 degC, there and back


class HCSR04:
    def __init__(self, trigger, echo, max_mm=4000, period_ms=60):
        self._trigger = trigger
        self._echo = echo
        self.max_mm = max_mm
        self.period_ms = period_ms
        self._timeout_us = int(max_mm * _US_PER_MM_ROUND_TRIP) + 500   # + the burst
        self.distance = max_mm
        self._last_ping_ms = 0
        self._pinged = False
        trigger.value(0)

    def read(self, now_ms):
        """Distance in mm: a new ping if the last one is `period_ms` old, else the last."""
        if self._pinged and time.ticks_diff(now_ms, self._last_ping_ms) < self.period_ms:
            return self.distance
        if self._echo.value():
            # still high from the last ping (some clones hold it 150 ms after a miss):
            # timing it now would give a short, false distance; try on the next call
            return self.distance
        self._pinged = True
        self._last_ping_ms = now_ms
        self._trigger.value(1)
        time.sleep_us(_TRIGGER_US)
        self._trigger.value(0)
        pulse_us = machine.time_pulse_us(self._echo, 1, self._timeout_us)
        if pulse_us < 0:             # -2: echo never started, -1: never ended
            self.distance = self.max_mm
        else:
            mm = pulse_us * 343 // 2000
            self.distance = mm if mm < self.max_mm else self.max_mm
        return self.distance
