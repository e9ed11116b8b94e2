# A hobby servo (SG90-class, the car kit's steering): 50 Hz PWM whose pulse width sets
# the angle, 1.0-2.0 ms for about -45..+45 deg. Angles are centi-degrees, positive
# turning the car left, as everywhere in roboarena; `limit_cdeg` keeps the steering
# off its mechanical end stops, where a servo stalls, heats up and draws amps.

from micropython import const

_FREQ = const(50)


class Servo:
    def __init__(self, pwm, min_us=1000, max_us=2000, span_cdeg=9000, limit_cdeg=4500,
                 trim_cdeg=0, invert=False):
        self._pwm = pwm
        self._min_us = min_us
        self._max_us = max_us
        self._centre_us = (min_us + max_us) // 2
        self._span_us = max_us - min_us
        self._span_cdeg = span_cdeg      # angle between min_us and max_us
        self.limit_cdeg = limit_cdeg
        self.trim_cdeg = trim_cdeg       # this linkage's straight-ahead
        self._sign = -1 if invert else 1
        self.angle = None                # centi-degrees last set (None: not yet)
        self.pulse_us = 0
        pwm.freq(_FREQ)
        self.set(0)

    def set(self, angle_cdeg):
        """Steer to angle_cdeg (clamped to +-limit_cdeg); writes only on a change."""
        limit = self.limit_cdeg
        if angle_cdeg > limit:
            angle_cdeg = limit
        elif angle_cdeg < -limit:
            angle_cdeg = -limit
        if angle_cdeg == self.angle:
            return
        self.angle = angle_cdeg
        target = (angle_cdeg + self.trim_cdeg) * self._sign
        pulse_us = self._centre_us + target * self._span_us // self._span_cdeg
        # a trim can push past the range; beyond it a servo strains against its stop
        if pulse_us < self._min_us:
            pulse_us = self._min_us
        elif pulse_us > self._max_us:
            pulse_us = self._max_us
        self.pulse_us = pulse_us
        self._pwm.duty_ns(self.pulse_us * 1000)

    def release(self):
        """No pulses: the servo stops holding (and stops drawing current)."""
        self._pwm.duty_ns(0)
        self.angle = None
