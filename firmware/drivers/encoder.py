# A quadrature wheel encoder: every edge of A and B moves `count` by one (x4 decoding),
# so an N20 motor with a 7-pulse hall disc and a 1:30 gearbox gives 840 counts per
# wheel turn. The board passes in the two input Pins (or a hardware counter).
#   Encoder         counts in pin interrupts: hard IRQs on the RP2040 lose no edge
#   CounterEncoder  reads a hardware quadrature counter (ESP32: machine.Encoder on the
#                   PCNT unit), for ports whose pin IRQs are only soft

from micropython import const

# (previous AB << 2 | new AB) -> step. With A leading B the states go 00, 10, 11, 01
# (forward, +1); the reverse order counts -1. A change of both bits at once means an
# edge was missed: it counts 0 and is tallied in `errors`, because guessing the
# direction would be wrong half the time.
_STEP = (0, -1, 1, 0, 1, 0, 0, -1, -1, 0, 0, 1, 0, 1, -1, 0)
_MISSED = const(0x1248)          # bits 3, 6, 9, 12: 00<->11 and 01<->10


class Encoder:
    def __init__(self, pin_a, pin_b, invert=False, hard=True):
        self._a = pin_a
        self._b = pin_b
        self._sign = -1 if invert else 1   # the mirrored wheel counts the other way
        self.count = 0
        self.errors = 0
        self._state = (pin_a.value() << 1) | pin_b.value()
        # A hard IRQ runs at once, so fast edges are not lost while the main loop is
        # busy; the handler therefore allocates nothing (small ints and attribute
        # stores only). The bound method is made once here, not per edge.
        handler = self._edge
        trigger = pin_a.IRQ_RISING | pin_a.IRQ_FALLING
        try:
            pin_a.irq(handler=handler, trigger=trigger, hard=hard)
            pin_b.irq(handler=handler, trigger=trigger, hard=hard)
            self.hard = hard
        except TypeError:
            # no hard pin IRQs on this port (ESP32): edges queue in the scheduler, which
            # drops them while the loop blocks (an HC-SR04 ping, ~23 ms); count in
            # hardware there (CounterEncoder)
            pin_a.irq(handler=handler, trigger=trigger)
            pin_b.irq(handler=handler, trigger=trigger)
            self.hard = False

    def _edge(self, pin):
        state = (self._a.value() << 1) | self._b.value()
        index = (self._state << 2) | state
        self._state = state
        if (_MISSED >> index) & 1:
            self.errors += 1
        else:
            self.count += _STEP[index] * self._sign

    def reset(self):
        self.count = 0
        self.errors = 0


class CounterEncoder:
    """A hardware quadrature counter behind the same `count`: nothing is lost while
    Python is busy, and no CPU time goes to edges."""

    def __init__(self, counter, invert=False):
        self._counter = counter          # has value(), like machine.Encoder
        self._sign = -1 if invert else 1
        counter.value(0)

    @property
    def count(self):
        return self._counter.value() * self._sign

    def reset(self):
        self._counter.value(0)
