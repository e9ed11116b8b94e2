# An MPU6050 gyro on I2C, used as a heading sensor: the Z rate (counter-clockwise
# positive, chip flat and face up) is integrated into a heading in centi-degrees. Its
# zero-rate offset is several deg/s out of the box, so `calibrate()` measures it while
# the robot stands still; without that the heading drifts by degrees every second.

import time
from micropython import const

_ADDRESS = const(0x68)           # AD0 low; 0x69 with AD0 high
_SMPLRT_DIV = const(0x19)
_CONFIG = const(0x1A)
_GYRO_CONFIG = const(0x1B)
_GYRO_ZOUT_H = const(0x47)
_PWR_MGMT_1 = const(0x6B)

_WAKE = const(0x00)              # SLEEP bit clear; the chip powers up asleep
_DLPF_44HZ = const(0x03)         # cuts motor vibration, leaves turning rates alone
_FS_500DPS = const(0x08)         # FS_SEL = 1: +-500 deg/s, 65.5 LSB per deg/s
# A raw reading x16 (the offset keeps 1/16 LSB) times ms, divided by this, is
# centi-degrees: 65.5 LSB/(deg/s) * 1000 ms/s / 100 cdeg/deg * 16 = 10480.
_RAW16_MS_PER_CDEG = const(10480)
_MAX_STEP_MS = const(1000)       # keeps one step's product a small int (no allocation)


class MPU6050:
    def __init__(self, i2c, address=_ADDRESS, invert=False):
        self._i2c = i2c
        self._address = address
        self._sign = -1 if invert else 1     # chip mounted upside down
        self._byte = bytearray(1)
        self._rate = bytearray(2)            # read into, never reallocated
        self.offset16 = 0                    # zero-rate offset, raw LSB x16
        self.heading = 0                     # centi-degrees, counter-clockwise
        self._remainder = 0                  # raw16*ms not yet a whole centi-degree
        self._last_ms = 0
        self._started = False
        self._write(_PWR_MGMT_1, _WAKE)
        time.sleep_ms(100)                   # gyro start-up time (datasheet: 30 ms typ.)
        self._write(_SMPLRT_DIV, 0)
        self._write(_CONFIG, _DLPF_44HZ)
        self._write(_GYRO_CONFIG, _FS_500DPS)

    def _write(self, register, value):
        self._byte[0] = value
        self._i2c.writeto_mem(self._address, register, self._byte)

    def raw_rate(self):
        """Signed Z rate in LSB (65.5 per deg/s)."""
        buf = self._rate
        self._i2c.readfrom_mem_into(self._address, _GYRO_ZOUT_H, buf)
        value = (buf[0] << 8) | buf[1]
        return value - 0x10000 if value & 0x8000 else value

    def calibrate(self, samples=200, interval_ms=2):
        """Measure the zero-rate offset; the robot must not move meanwhile (~0.4 s)."""
        total = 0
        for _ in range(samples):
            total += self.raw_rate()
            time.sleep_ms(interval_ms)
        self.offset16 = (total * 16) // samples
        return self.offset16

    def update(self, now_ms):
        """Integrate the rate since the last call; returns the heading, centi-degrees."""
        rate16 = self.raw_rate() * 16 - self.offset16
        if not self._started:
            self._started = True
            self._last_ms = now_ms
            return self.heading
        dt = time.ticks_diff(now_ms, self._last_ms)
        self._last_ms = now_ms
        if dt <= 0:
            return self.heading
        if dt > _MAX_STEP_MS:
            dt = _MAX_STEP_MS
        # integer steps with the remainder carried over: no float allocation, and no
        # rounding drift however short the loop period
        total = self._remainder + rate16 * dt
        step = total // _RAW16_MS_PER_CDEG
        self._remainder = total - step * _RAW16_MS_PER_CDEG
        self.heading += step * self._sign
        return self.heading
