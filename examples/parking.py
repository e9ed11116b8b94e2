"""Parallel parking: drive past the bay, reverse into it, and stand still inside.

The street is straight. Our lane is bounded on the left by a solid white centre line;
on the right, along the white kerb line, two cars are parked, a blue one and then a red
one, with a free bay between them outlined in yellow. The challenge says the bay starts
about 1.2 m ahead of the car's centre at the start and is 47 cm long.

The manoeuvre, as a driving instructor teaches it:

  1. Drive along the lane, using the camera to keep a steady distance from the centre
     line (so the car is straight and at a known distance from the parked cars). When
     the red car in front of the bay comes into the picture, count encoder steps from
     there and stop a little past it.
  2. Reverse with the wheels turned right: the back of the car swings into the bay.
  3. When the car is at about 45 degrees, turn the wheels left and keep reversing: the
     front swings in behind the red car and the car nearly straightens up.
  4. Drive forwards with the wheels turned right to straighten up the rest, then move
     forwards or backwards until the car is in the middle of the bay, measured with the
     ultrasonic sensor on the red car ahead.
  5. Stand still for more than 2 seconds (the referee's check), then end the program.

The car has no gyro, so it works out how far it has turned from the encoders: with the
wheels turned, it turns by a fixed angle for every millimetre it drives (see turn_per_mm).

Run it:   roboarena sim parking examples/parking.py
or, without a window and with the result as JSON:
          roboarena sim parking examples/parking.py --headless --json --seed 3
and to see the path it drove as a picture:
          roboarena sim parking examples/parking.py --headless --png park.png

The camera picture is a numpy array of 60 rows x 80 columns x 3 colours (red, green,
blue, each 0-255). Row 0 is the top of the picture (far away), row 59 the bottom (just in
front of the car). Column 0 is on the left, column 79 on the right.
"""

import math

from roboarena import Car

# --- what the challenge tells us (mm) ---------------------------------------------------------
BAY_LENGTH = 470           # the bay between the two parked cars is this long

# --- our car (mm and deg) -----------------------------------------------------------------------
car = Car()
WHEELBASE = car.spec.wheelbase_mm          # 200: from the back axle to the front axle
MM_PER_COUNT = math.pi * car.spec.wheel_diameter_mm / car.spec.encoder_counts_per_rev
SONAR_AHEAD = car.spec.ultrasonic.forward_mm   # the sensor is 130 mm in front of the centre
SLOWING_TIME = car.spec.motor.time_constant_ms / 1000   # once stopped, the car rolls on ~0.15 s

# --- how we park --------------------------------------------------------------------------------
LANE_SPEED = 350           # mm/s along the lane
LOOKING_SPEED = 150        # mm/s while looking out for the red car (the camera is slow)
PARK_SPEED = 150           # mm/s while parking: slowly, like a real driver
CREEP_SPEED = 110          # mm/s at the very end of a move (below ~80 mm/s the car does not move)
LOCK = 26.5                # deg: how far we turn the wheels. The servo goes to 28, but it is
#                            never exactly centred, so we keep a little in hand: then the
#                            wheels can turn exactly as far to the left as to the right.
PAST_FRONT_CAR = 210       # stop with our centre this far past the back of the red car
SWING_IN = 46              # deg: reverse with the wheels right until the car is at this angle...
COUNTER = 34               # deg: ...then with the wheels left, turning back this much...
# ...and finally forwards with the wheels right to straighten up the last 46 - 34 = 12 deg.
# These numbers were found by drawing the car and the bay on squared paper (and trying
# them in the simulator): they keep the car about 2-3 cm away from both parked cars.
SONAR_TARGET = BAY_LENGTH / 2 - 6 - SONAR_AHEAD
# ^ in the middle of the bay our sensor is this far from the red car, whose bumper sticks
#   out about 6 mm over the yellow line: 235 - 6 - 130 = 99 mm.


# --- the camera ---------------------------------------------------------------------------------
# When the car is in the middle of the lane and pointing straight along it, the centre line
# (24 cm to our left) shows up in row r of the picture at column about 25.7 - 1.31 * r:
# we measured it in pictures. If it shows up further left, we are too far right, and the
# other way round; if it is at a slant, we are pointing a little off the street.
LOOK_ROWS = [2, 4, 6, 8, 10, 12]
STEER_GAIN = 1.2           # degrees of steering for each pixel the line is off
# Row 10 of the picture shows the road 618 mm ahead of the car's centre. The red car shows
# up there, in the right part of the row, when its back is 618 mm ahead of our centre.
RED_ROW = 10
RED_AHEAD = 618


def centre_line_error(picture):
    """How many pixels the centre line is right of where it should be (average over a
    few rows), or None if it cannot be seen."""
    errors = []
    for row in LOOK_ROWS:
        pixels = picture[row, :40]                       # the left half of the picture
        white = (pixels[:, 0] > 200) & (pixels[:, 1] > 200) & (pixels[:, 2] > 200)
        columns = [column for column in range(40) if white[column]]
        if columns:
            seen = sum(columns) / len(columns)           # the middle of the line
            errors.append(seen - (25.7 - 1.31 * row))
    if not errors:
        return None
    return sum(errors) / len(errors)


def red_car_in_sight(picture):
    """True when there is red (and not blue) in the right part of row RED_ROW."""
    pixels = picture[RED_ROW, 45:]
    red = (pixels[:, 0] > 150) & (pixels[:, 1] < 100) & (pixels[:, 2] < 100)
    return red.sum() >= 3


# --- moving by the encoders -----------------------------------------------------------------------
def travelled():
    """How far the car has driven since the start, in mm (backwards counts down)."""
    left, right = car.encoders
    return (left + right) / 2 * MM_PER_COUNT


rolling_speed = 0.0        # our guess of how fast the car really goes: it lags the command


def go(speed, steering, ms=10):
    """Drive for `ms` milliseconds, and update our guess of the car's real speed: each
    moment it closes part of the gap to the speed we asked for (the motor is slow)."""
    global rolling_speed
    before = car.time_ms
    car.drive(speed, steering)
    car.wait(ms)
    rolling_speed += (speed - rolling_speed) * (1 - math.exp((before - car.time_ms) / 1000 / SLOWING_TIME))


def still_to_go(goal, direction=1):
    """mm left to the goal, counting the distance the car will roll on once stopped."""
    return (goal - travelled()) * direction - abs(rolling_speed) * SLOWING_TIME


def halt():
    """Stop, and wait until the car stands still."""
    global rolling_speed
    car.stop()
    car.wait(600)
    rolling_speed = 0.0


def move(distance, steering, speed=PARK_SPEED):
    """Drive `distance` mm (negative: backwards) with the wheels at `steering` degrees,
    then stop. Slows down near the end so it stops within a few mm."""
    direction = 1 if distance > 0 else -1
    goal = travelled() + distance
    while car.running:
        left = still_to_go(goal, direction)
        if left <= 0:
            break
        go(direction * max(CREEP_SPEED, min(speed, 3 * left)), steering)
    halt()


def turn_per_mm(steering):
    """How many degrees the car turns for each mm it drives with the wheels at `steering`.

    The middle of the car goes round a circle. With the front wheels at angle s, the back
    axle goes round a circle of radius WHEELBASE / tan(s); the middle of the car, half a
    wheelbase further forward, goes round a slightly bigger one."""
    back_axle_radius = WHEELBASE / math.tan(math.radians(abs(steering)))
    middle_radius = math.hypot(back_axle_radius, WHEELBASE / 2)
    return math.degrees(1 / middle_radius)


# === 1. along the lane to just past the red car ======================================================
steering = 0.0
steering_sum, steering_count = 0.0, 0    # to learn how far off-centre the steering servo is
stop_at = None                           # where to stop (encoder mm): known once we see the red car
while car.running:
    picture = car.camera.frame()
    error = centre_line_error(picture)
    if error is not None:
        steering = max(-15.0, min(15.0, -STEER_GAIN * error))
    if travelled() > 500:                # settled in the lane: add up the steering
        steering_sum += steering
        steering_count += 1

    if stop_at is None:
        if red_car_in_sight(picture):
            # Its back is RED_AHEAD in front of us now: stop PAST_FRONT_CAR past it.
            stop_at = travelled() + RED_AHEAD + PAST_FRONT_CAR
            speed = LANE_SPEED
        elif travelled() > 900:          # the red car is near: slow down to spot it exactly
            speed = LOOKING_SPEED
        else:
            speed = LANE_SPEED
    else:
        left = still_to_go(stop_at)
        if left <= 0:
            break
        speed = max(CREEP_SPEED, min(LANE_SPEED, 3 * left))
    go(speed, steering)
halt()
# The average steering that kept us going straight is the servo's error (its "trim"):
# from now on we add it to every steering command.
trim = steering_sum / steering_count if steering_count else 0.0

# === 2. and 3. reverse in: wheels right, then wheels left ============================================
move(-SWING_IN / turn_per_mm(LOCK), -LOCK + trim)     # the back swings right, into the bay
move(-COUNTER / turn_per_mm(LOCK), LOCK + trim)       # the front swings in behind the red car

# === 4. straighten up going forwards, then centre in the bay with the ultrasonic =================
move((SWING_IN - COUNTER) / turn_per_mm(LOCK), -LOCK + trim)
for attempt in range(3):
    gap = car.distance()                 # mm from our sensor to the red car
    if abs(gap - SONAR_TARGET) < 10:
        break
    move(gap - SONAR_TARGET, trim, speed=CREEP_SPEED)

# === 5. stand still for the referee, then end ==================================================
car.stop()
car.wait(2500)
