# A DC motor on one channel of an H-bridge, driven by a duty from -1 (full reverse) to 1
# (full forward). Two wirings are common in school kits:
#   Motor            both bridge inputs PWM-driven (DRV8833; TB6612 with PWMx tied high)
#   MotorWithEnable  IN1/IN2 set the direction, EN/PWMx carries the PWM (L298N, TB6612)
# The board passes in ready machine.PWM / machine.Pin objects, so the driver never
# chooses pins and the tests can hand it fakes.

from micropython import const

_FULL = const(65535)             # duty_u16 of a pin held on


def _level(duty, invert):
    """Duty -1..1 (clamped) as a signed duty_u16 level; one float multiply, no list."""
    if duty > 1.0:
        duty = 1.0
    elif duty < -1.0:
        duty = -1.0
    level = int(duty * _FULL)
    return -level if invert else level


class Motor:
    """Two PWM inputs. Between pulses both inputs are low, so the motor coasts (fast
    decay): the wheel-speed loop in ra_core corrects the non-linear low end."""

    def __init__(self, in1, in2, freq=20000, invert=False):
        # 20 kHz is above hearing, and DRV8833/TB6612 switch cleanly that fast
        self._in1 = in1
        self._in2 = in2
        self._invert = invert
        self.duty = 0.0
        self._applied = False        # False after brake()/coast(): the next set() writes
        in1.freq(freq)
        in2.freq(freq)
        self.coast()

    def set(self, duty):
        """Power from -1 to 1; 0 lets the motor coast. Writes only when the duty changes,
        because the main loop calls this every 5 ms."""
        if self._applied and duty == self.duty:
            return
        self.duty = duty
        self._applied = True
        level = _level(duty, self._invert)
        if level >= 0:
            self._in2.duty_u16(0)
            self._in1.duty_u16(level)
        else:
            self._in1.duty_u16(0)
            self._in2.duty_u16(-level)

    def brake(self):
        """Both inputs high: the bridge shorts the motor and it stops quickly."""
        self._in1.duty_u16(_FULL)
        self._in2.duty_u16(_FULL)
        self.duty = 0.0
        self._applied = False

    def coast(self):
        """Both inputs low: the outputs float and the motor spins down freely."""
        self._in1.duty_u16(0)
        self._in2.duty_u16(0)
        self.duty = 0.0
        self._applied = False


class MotorWithEnable:
    """Direction on IN1/IN2, PWM on EN. L298N's bipolar switches are slow, so its
    boards want about 1 kHz; a TB6612 is happy at 20 kHz."""

    def __init__(self, in1, in2, en, freq=20000, invert=False):
        self._in1 = in1
        self._in2 = in2
        self._en = en
        self._invert = invert
        self.duty = 0.0
        self._applied = False
        en.freq(freq)
        self.coast()

    def set(self, duty):
        """Power from -1 to 1; 0 lets the motor coast. Writes only on a change."""
        if self._applied and duty == self.duty:
            return
        self.duty = duty
        self._applied = True
        level = _level(duty, self._invert)
        if level == 0:
            self._en.duty_u16(0)
            self._in1.value(0)
            self._in2.value(0)
            return
        # the enable goes low while the direction pins change, so the bridge never
        # sees a half-switched state at full power
        self._en.duty_u16(0)
        self._in1.value(1 if level > 0 else 0)
        self._in2.value(0 if level > 0 else 1)
        self._en.duty_u16(level if level > 0 else -level)

    def brake(self):
        """IN1 = IN2 high with EN on: short brake on both TB6612 and L298N."""
        self._in1.value(1)
        self._in2.value(1)
        self._en.duty_u16(_FULL)
        self.duty = 0.0
        self._applied = False

    def coast(self):
        """All low: TB6612 outputs go high-impedance, L298N's enable turns off."""
        self._en.duty_u16(0)
        self._in1.value(0)
        self._in2.value(0)
        self.duty = 0.0
        self._applied = False
