# The board object of the virtual board (see ra_main's BOARD OBJECT CONTRACT): the same
# firmware loop as on a kit, with the hardware replaced by the bridge module ``ra_hw``,
# which the virtual board's Node runner (firmware/virtual/vboard.mjs) registers in the
# MicroPython WebAssembly VM. Behind the bridge, roboarena's simulator supplies the
# sensors, takes the motor power and keeps the board's clock.
#
# The bridge and this board share two buffers, allocated once and handed over by address
# (uctypes.addressof; MicroPython never moves an object): one holds the outputs apply()
# packs and the readings the bridge writes after each step, the other the bytes received
# from the serial line. ``ra_hw.step(ms)`` hands the outputs over, lets the simulation run
# ``ms`` of board time, fills in the readings and received bytes and returns their count.
#
# Ctrl-C as on a kit (ra_board_machine.py, main.py): binary frames contain 0x03 (every
# HELLO does: the COBS code before its CRC), so main() switches the interrupt character
# off while the loop runs and serial_read() spots Ctrl-C in-band: a 0x03 where a frame
# would begin and not followed by the protocol version byte (every frame's second byte),
# or a lone 0x03 followed by silence. The bytes after it stay unread, for the REPL.

import struct

import micropython
import uctypes

import ra_hw
import ra_proto as proto

try:
    from micropython import const
except ImportError:
    def const(value):
        return value

# Layouts of the shared buffer (little-endian). sims/virtual_board.py checks that its
# copies are the same: the bridge sends these strings along when the board attaches.
OUTPUTS_FORMAT = "<ffhfBBBHH"    # duty left, duty right, steering centi-deg, throttle, led r g b, beep Hz, beep ms
READINGS_FORMAT = "<Iii5HHiBBB"  # board ms, encoders l r, line x5, distance mm, heading centi-deg, bumper, colour, gate
_RX_SIZE = const(64)             # bytes per loop at most; the rest waits for the next loop (as on a kit)
_SILENCE_MS = const(50)          # a gap this long ends whatever frame was under way
_CTRL_C = const(0x03)

_OUT_SIZE = struct.calcsize(OUTPUTS_FORMAT)
_IN_SIZE = struct.calcsize(READINGS_FORMAT)


class Board:
    def __init__(self):
        self.board_id = ra_hw.board_id
        self.capabilities = ra_hw.capabilities
        self.max_speed = ra_hw.max_speed
        self.counts_per_mm = ra_hw.counts_per_mm
        self.axle_track_mm = ra_hw.axle_track_mm
        self._io = bytearray(_OUT_SIZE + _IN_SIZE)
        self._rx = bytearray(_RX_SIZE)
        self._rx_view = memoryview(self._rx)
        self._rx_count = 0
        self._now = 0
        self._last_rx_ms = 0
        self._ctrl_c = proto.CtrlCSpotter()
        ra_hw.attach(uctypes.addressof(self._io), _OUT_SIZE, _IN_SIZE, uctypes.addressof(self._rx), _RX_SIZE,
                     OUTPUTS_FORMAT, READINGS_FORMAT)
        self._rx_count = ra_hw.step(0, False)    # the first readings and the clock; no time passes
        self._now = struct.unpack_from("<I", self._io, _OUT_SIZE)[0]

    def ticks_ms(self):
        return self._now

    def read(self, readings):
        values = struct.unpack_from(READINGS_FORMAT, self._io, _OUT_SIZE)
        readings.encoder_left = values[1]
        readings.encoder_right = values[2]
        line = readings.line
        for i in range(5):
            line[i] = values[3 + i]
        readings.distance = values[8]
        readings.heading = values[9]
        readings.bumper = bool(values[10])
        readings.colour = values[11]
        readings.gate = bool(values[12])

    def apply(self, outputs):
        led = outputs.led
        struct.pack_into(OUTPUTS_FORMAT, self._io, 0, outputs.duty_left, outputs.duty_right, int(outputs.steering),
                         outputs.throttle, led[0], led[1], led[2], outputs.beep_hz, outputs.beep_ms)

    def serial_read(self):
        """The bytes the host sent since the last call (a view valid until the next call),
        or None. Raises KeyboardInterrupt on an in-band Ctrl-C (see the header), leaving
        the bytes after it unread for the REPL."""
        now = self._now
        if now - self._last_rx_ms > _SILENCE_MS and self._ctrl_c.silence():
            raise KeyboardInterrupt         # a lone Ctrl-C
        count = self._rx_count
        if not count:
            return None
        self._rx_count = 0
        rx = self._rx
        for n in range(count):
            if self._ctrl_c.byte(rx[n]):
                ra_hw.unread(n + 1)         # the rest goes back to the line, for the REPL
                raise KeyboardInterrupt
        self._last_rx_ms = now
        return self._rx_view[:count]

    def serial_write(self, buffer):
        ra_hw.write(uctypes.addressof(buffer), len(buffer))

    def feed_watchdog(self):
        pass                         # no hardware watchdog; the bridge sees a VM that stops stepping

    def idle(self, ms):
        self._rx_count = ra_hw.step(ms, True)
        self._now = struct.unpack_from("<I", self._io, _OUT_SIZE)[0]

    def stop(self):
        """Motors off now, whatever ended the loop: the outputs go to the simulation at once."""
        values = struct.unpack_from(OUTPUTS_FORMAT, self._io, 0)
        struct.pack_into(OUTPUTS_FORMAT, self._io, 0, 0.0, 0.0, values[2], 0.0, values[4], values[5], values[6], 0, 0)
        ra_hw.step(0, False)


def main():
    """What the virtual board's main.py runs: the firmware's loop, as main.py on a kit."""
    import ra_main

    board = Board()
    micropython.kbd_intr(-1)         # frames carry 0x03; the board spots Ctrl-C in-band
    try:
        ra_main.run(board)
    finally:
        micropython.kbd_intr(_CTRL_C)
        board.stop()
