# The board object of ra_main's contract on a real kit (ESP32 or Raspberry Pi Pico),
# built from a board profile (boards/*.json: which part sits on which pin) with the
# drivers in drivers/ and MicroPython's machine module. Wiring and pin choices:
# docs/wiring.md.
#
# The host talks to the firmware over the USB REPL stream itself (sys.stdin/stdout),
# so no extra UART is needed. Binary frames contain 0x03 bytes (every HELLO does: the
# COBS code before its CRC), which the REPL would take for Ctrl-C, so main.py switches
# the interrupt character off while the loop runs. The way back to the REPL is then
# in-band: a 0x03 where a frame would begin and not followed by the protocol version
# byte (every frame's second byte) is an interrupt. That is what mpremote sends
# ("\r\x03"), what a person pressing Ctrl-C sends, and never a valid frame.
#
# The hardware watchdog starts the first time the motors are driven: before that it has
# nothing to protect, and once started neither port can stop it, which would make the
# REPL (and flashing) reset under the user's hands.

import binascii
import select
import sys
import time

import machine
from micropython import const

import ra_proto as proto
from drivers.buzzer import Buzzer
from drivers.encoder import CounterEncoder, Encoder
from drivers.esc import ESC
from drivers.hcsr04 import HCSR04
from drivers.motor import Motor, MotorWithEnable
from drivers.mpu6050 import MPU6050
from drivers.mux4051 import Mux4051
from drivers.reflectance import Reflectance
from drivers.servo import Servo
from drivers.ws2812 import Pixel

_RX_SIZE = const(64)             # bytes per loop at most; the rest waits for the next loop
_SILENCE_MS = const(50)          # a gap this long ends whatever frame was under way
_LINE_CHANNELS = const(5)        # ra_core.Readings.line
_PI = 3.14159265


def _out(number):
    return machine.Pin(number, machine.Pin.OUT, value=0)


def _in(number, pull_up=False):
    if pull_up:
        return machine.Pin(number, machine.Pin.IN, machine.Pin.PULL_UP)
    return machine.Pin(number, machine.Pin.IN)


def _pwm(number, freq):
    return machine.PWM(machine.Pin(number), freq=freq, duty_u16=0)


def _require(section, key, profile_name):
    if key not in section:
        raise ValueError("board profile %s: %r is missing" % (profile_name, key))
    return section[key]


class Board:
    """A kit's hardware, from a profile dict (see boards/*.json)."""

    def __init__(self, profile):
        name = profile.get("name", "?")
        self.profile_name = name
        self._last_ticks = time.ticks_ms()
        self._ms = 0                 # ms since start; does not wrap like ticks_ms()
        self._now = 0                # the time of this loop (the last ticks_ms() call)
        caps = 0

        self.max_speed = _require(profile, "max_speed", name)
        wheel_mm = _require(profile, "wheel_diameter_mm", name)
        per_turn = _require(profile, "encoder_counts_per_turn", name)
        self.counts_per_mm = per_turn / (_PI * wheel_mm)
        self.axle_track_mm = _require(profile, "axle_track_mm", name)
        uid = binascii.hexlify(machine.unique_id()[-3:]).decode()
        self.board_id = profile.get("id_prefix", name) + "-" + uid

        self._left = self._right = None
        motors = profile.get("motors")
        if motors:
            self._left = self._motor(motors, "left", name)
            self._right = self._motor(motors, "right", name)
            caps |= proto.CAP_DIFF_DRIVE

        self._enc_left = self._enc_right = None
        encoders = profile.get("encoders")
        if encoders:
            self._enc_left = self._encoder(encoders, "left", 0, name)
            self._enc_right = self._encoder(encoders, "right", 1, name)
            caps |= proto.CAP_ENCODERS

        self._line = None
        line = profile.get("line")
        if line:
            self._line = Reflectance(self._line_channels(line, name))
            caps |= proto.CAP_LINE

        self._sonar = None
        sonar = profile.get("ultrasonic")
        if sonar:
            self._sonar = HCSR04(_out(sonar["trigger"]), _in(sonar["echo"]), sonar.get("max_mm", 4000),
                                 sonar.get("period_ms", 60))
            caps |= proto.CAP_ULTRASONIC

        self._gyro = None
        gyro = profile.get("gyro")
        if gyro:
            i2c = machine.I2C(gyro.get("i2c", 0), scl=machine.Pin(gyro["scl"]), sda=machine.Pin(gyro["sda"]),
                              freq=gyro.get("freq", 400000))
            address = gyro.get("address", 0x68)
            try:
                self._gyro = MPU6050(i2c, address, gyro.get("invert", False))
            except OSError as error:
                # the commonest kit fault: say which part and where, not just "ENODEV"
                raise OSError("the MPU6050 gyro (I2C %d, SDA %d, SCL %d, address 0x%02x) does not answer "
                              "(%s): check its wiring and power" % (gyro.get("i2c", 0), gyro["sda"], gyro["scl"],
                                                                    address, error))
            self._gyro.calibrate(gyro.get("calibrate_samples", 200))   # the robot stands still at boot
            caps |= proto.CAP_GYRO

        self._led = None
        led = profile.get("led")
        if led:
            self._led = Pixel(_out(led["pin"]), led.get("brightness", 255))
            caps |= proto.CAP_LED

        self._buzzer = None
        buzzer = profile.get("buzzer")
        if buzzer:
            self._buzzer = Buzzer(_pwm(buzzer["pin"], 1000))
            caps |= proto.CAP_BUZZER

        self._bumper = None
        self._bumper_pressed = 0
        bumper = profile.get("bumper")
        if bumper:
            self._bumper = _in(bumper["pin"], bumper.get("pull") == "up")
            self._bumper_pressed = bumper.get("pressed", 0)
            caps |= proto.CAP_BUMPER

        # The timing-gate role: a bare board with an IR break-beam (or reflectance) sensor;
        # the core reports each time the beam is broken, stamped with the board's clock.
        self._gate = None
        self._gate_broken = 0
        gate = profile.get("gate")
        if gate:
            self._gate = _in(gate["pin"], gate.get("pull") == "up")
            self._gate_broken = gate.get("broken", 0)
            caps |= proto.CAP_GATE

        self._servo = None
        servo = profile.get("servo")
        if servo:
            self._servo = Servo(_pwm(servo["pin"], 50), servo.get("min_us", 1000), servo.get("max_us", 2000),
                                servo.get("span_cdeg", 9000), servo.get("limit_cdeg", 4500),
                                servo.get("trim_cdeg", 0), servo.get("invert", False))
            caps |= proto.CAP_STEERING

        self._esc = None
        esc = profile.get("esc")
        if esc:
            self._esc = ESC(_pwm(esc["pin"], 50), self.ticks_ms(), esc.get("arm_ms", 2000))

        self.capabilities = caps
        self._watchdog_ms = profile.get("watchdog_ms", 1000)
        self._wdt = None

        # the serial link: the REPL's own stream, polled so a read never blocks
        # typeshed's BinaryIO lacks readinto; MicroPython's stdin buffer has it (so has CPython's)
        self._readinto = sys.stdin.buffer.readinto  # type: ignore[union-attr]
        self._stdout = sys.stdout.buffer
        self._poll = select.poll()
        self._poll.register(sys.stdin, select.POLLIN)
        self._rx = bytearray(_RX_SIZE)
        self._rx_view = memoryview(self._rx)
        self._one = bytearray(1)
        self._last_rx_ms = 0
        self._ctrl_c = proto.CtrlCSpotter()

    # --- building --------------------------------------------------------------------------
    def _motor(self, motors, side, name):
        pins = motors[side]
        hz = motors.get("pwm_hz", 20000)
        invert = pins.get("invert", False)
        mode = motors.get("mode")
        if mode == "two_pwm":
            return Motor(_pwm(pins["in1"], hz), _pwm(pins["in2"], hz), hz, invert)
        if mode == "dir_enable":
            return MotorWithEnable(_out(pins["in1"]), _out(pins["in2"]), _pwm(pins["en"], hz), hz, invert)
        raise ValueError("board profile %s: motors.mode must be 'two_pwm' or 'dir_enable', got %r"
                         % (name, mode))

    def _encoder(self, encoders, side, unit, name):
        pins = encoders[side]
        # hall encoders are open-collector on most N20 boards: pull-ups keep edges sharp
        a, b = _in(pins["a"], True), _in(pins["b"], True)
        invert = pins.get("invert", False)
        counter = encoders.get("counter", "irq")
        if counter == "irq":
            return Encoder(a, b, invert)
        if counter == "pcnt":
            hardware = getattr(machine, "Encoder", None)     # ESP32 ports only
            if hardware is None:
                raise ValueError("board profile %s: encoders.counter 'pcnt' needs machine.Encoder "
                                 "(MicroPython 1.27 on an ESP32); use 'irq' on this board" % name)
            # 4 phases: every edge of A and B, as the IRQ counter does; the 1 us filter
            # drops motor noise spikes, far shorter than the ~100 us between edges
            return CounterEncoder(hardware(unit, a, b, phases=4, filter_ns=1000), invert)
        raise ValueError("board profile %s: encoders.counter must be 'irq' or 'pcnt', got %r" % (name, counter))

    def _line_channels(self, line, name):
        if "mux" in line:
            mux = line["mux"]
            select_pins = mux["select"]
            chip = Mux4051(machine.ADC(machine.Pin(mux["adc"])), _out(select_pins[0]), _out(select_pins[1]),
                           _out(select_pins[2]))
            channels = [chip.channel(n) for n in mux["inputs"]]
        else:
            atten = line.get("atten")
            channels = []
            for number in line["adc"]:
                if atten:
                    # ESP32: 0 dB reads only up to ~1 V; 11 dB spans the sensors' 0-3.3 V
                    channels.append(machine.ADC(machine.Pin(number), atten=getattr(machine.ADC, atten)))
                else:
                    channels.append(machine.ADC(machine.Pin(number)))
        if len(channels) > _LINE_CHANNELS:
            raise ValueError("board profile %s: at most %d line channels, got %d"
                             % (name, _LINE_CHANNELS, len(channels)))
        return channels

    # --- the contract ----------------------------------------------------------------------
    def ticks_ms(self):
        """ms since start; unlike machine ticks it does not wrap after 2**30 ms, because
        ra_core compares times with plain arithmetic."""
        ticks = time.ticks_ms()
        self._ms += time.ticks_diff(ticks, self._last_ticks)
        self._last_ticks = ticks
        self._now = self._ms
        return self._ms

    def read(self, readings):
        now = self._now
        if self._enc_left is not None and self._enc_right is not None:
            readings.encoder_left = self._enc_left.count
            readings.encoder_right = self._enc_right.count
        if self._line is not None:
            self._line.read_into(readings.line)
        if self._sonar is not None:
            readings.distance = self._sonar.read(now)
        if self._gyro is not None:
            readings.heading = self._gyro.update(now)
        if self._bumper is not None:
            readings.bumper = self._bumper.value() == self._bumper_pressed
        if self._gate is not None:
            readings.gate = self._gate.value() == self._gate_broken

    def apply(self, outputs):
        now = self._now
        # the motors first: if a later part fails, they have their (stopping) duty
        if self._left is not None and self._right is not None:
            self._left.set(outputs.duty_left)
            self._right.set(outputs.duty_right)
        if self._esc is not None:
            self._esc.set(outputs.throttle, now)
        if self._servo is not None:
            self._servo.set(outputs.steering)
        if self._led is not None:
            self._led.set(outputs.led)
        if self._buzzer is not None:
            if outputs.beep_hz:
                self._buzzer.start(outputs.beep_hz, outputs.beep_ms, now)
            self._buzzer.update(now)
        if self._wdt is None and self._watchdog_ms and (outputs.duty_left or outputs.duty_right or outputs.throttle):
            self._wdt = machine.WDT(timeout=self._watchdog_ms)

    @property
    def watchdog_running(self):
        return self._wdt is not None

    def serial_read(self):
        """The bytes the host sent since the last call (a view valid until the next
        call), or None. Raises KeyboardInterrupt on an in-band Ctrl-C (see the header),
        leaving the bytes after it unread for the REPL."""
        now = self._now
        if time.ticks_diff(now, self._last_rx_ms) > _SILENCE_MS and self._ctrl_c.silence():
            raise KeyboardInterrupt         # a lone Ctrl-C
        rx = self._rx
        one = self._one
        n = 0
        while n < _RX_SIZE and self._readable():
            self._readinto(one)
            byte = one[0]
            rx[n] = byte
            n += 1
            if self._ctrl_c.byte(byte):
                raise KeyboardInterrupt
        if not n:
            return None
        self._last_rx_ms = now
        return self._rx_view[:n]         # one small object per read that brought bytes

    def _readable(self):
        for _ in self._poll.ipoll(0):    # ipoll reuses its result: no allocation
            return True
        return False

    def serial_write(self, buffer):
        self._stdout.write(buffer)

    def idle(self, ms):
        """Sleep out the rest of an ms-long loop counted from its start (the last
        ticks_ms() call), so the loop keeps its period whatever the work took."""
        spent = time.ticks_diff(time.ticks_ms(), self._last_ticks)
        if spent < ms:
            time.sleep_ms(ms - spent)

    def feed_watchdog(self):
        if self._wdt is not None:
            self._wdt.feed()

    def stop(self):
        """Every actuator to rest: after the loop has ended, whatever ended it."""
        if self._left is not None and self._right is not None:
            self._left.coast()
            self._right.coast()
        if self._esc is not None:
            self._esc.set(0.0, self._now)
        if self._buzzer is not None:
            self._buzzer.stop()
