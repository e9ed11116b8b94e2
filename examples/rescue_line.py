"""Rescue line: follow the black line all the way to the finish tile, like a
RoboCupJunior Rescue Line robot.

On the way the course has three kinds of trouble, and this program has a plan for each:

* Gaps: the line stops for up to 20 cm. If the line disappears on a straight, keep
  driving straight (the gyro keeps us pointing the same way) until it comes back.
* Green markers: a green square just before a crossing says which way to turn. The two
  outer line sensors see green (it reads darker than white but lighter than black). We
  remember the side, and at the crossing we turn that way.
* A box on the line: the ultrasonic sensor sees it coming. We stop, drive round it with
  turns and straight drives, and look for the line behind it.

Run it:  roboarena sim rescue-line examples/rescue_line.py
"""

import math

from roboarena import Robot

# --- Numbers you can tune -------------------------------------------------------------------
SPEED = 200              # mm/s while following the line
STEER = 6                # deg/s of turn for each mm the line is off centre
SENSOR_POSITIONS_MM = [30, 15, 0, -15, -30]   # left to right, as the line array reads

# The line sensors read about 420 on black, about 1400 on green and about 3700 on white.
BLACK = 1000             # darker than this: black line
GREEN = (1100, 1900)     # between these: a green marker
WHITE = 2500             # all sensors lighter than this: no line under the robot

GREEN_READINGS = 3       # green this many times in a row (not just the edge of the line)
MARKER_MEMORY_MM = 120   # a marker counts for the next crossing within this distance
GAP_MM = 260             # a gap is at most 200 mm: drive this far straight before searching
BOX_MM = 110             # the ultrasonic sees something nearer than this: a box!

robot = Robot()
MM_PER_COUNT = math.pi * robot.spec.wheel_diameter_mm / robot.spec.encoder_counts_per_rev


def travelled_mm():
    """How far the robot has driven since the start (the average of both wheels)."""
    left, right = robot.encoders
    return (left + right) / 2 * MM_PER_COUNT


def line_position(readings):
    """Where the line is under the sensor bar, in mm (left of centre is positive)."""
    darkness = [max(0, 3000 - value) for value in readings]   # 0 on white, large on black
    total = sum(darkness)
    return sum(d * p for d, p in zip(darkness, SENSOR_POSITIONS_MM)) / total


def is_black(value):
    return value < BLACK


def is_green(value):
    return GREEN[0] <= value <= GREEN[1]


def at_crossing(readings):
    """Three sensors side by side on black: another line crosses ours here."""
    black = [is_black(value) for value in readings]
    return (black[0] and black[1] and black[2]) or (black[2] and black[3] and black[4])


def spin_to_line(direction, most_deg=150):
    """Turn on the spot (1 = left, -1 = right) until the middle sensor is on the line."""
    start = robot.heading()
    while robot.running and abs(robot.heading() - start) < most_deg:
        if is_black(robot.line.read()[2]):
            break
        robot.drive(speed=0, turn_rate=60 * direction)
        robot.wait(5)
    robot.stop()


def turn_at_crossing(side):
    """Drive onto the crossing, then turn towards the marker's side until on the new line."""
    robot.beep(1200, 100)
    robot.straight(80, speed=150)            # the sensors are 75 mm ahead: put the wheels there
    direction = 1 if side == "left" else -1
    robot.turn(60 * direction)               # most of the way round...
    spin_to_line(direction)                  # ...and the rest until the line is under us


def go_round_the_box():
    """Drive round the box on its left: out, past it, back in, and find the line again."""
    robot.stop()
    robot.led.color = "red"
    robot.turn(90)                           # face left
    robot.straight(220)                      # step sideways, clear of the box
    robot.turn(-90)                          # face the way the line goes
    robot.straight(440)                      # drive past the box
    robot.turn(-90)                          # face back towards the line
    while robot.running and not any(is_black(v) for v in robot.line.read()):
        robot.drive(speed=120)               # creep until the line is under the sensors
        robot.wait(5)
    robot.straight(75, speed=120)            # put the middle of the robot on the line
    spin_to_line(1)                          # turn left onto it, the way it was going
    robot.led.color = "off"


def cross_the_gap(line_heading):
    """The line vanished: drive straight on, the way the line went, until it comes back.
    Returns True if the line was found."""
    robot.led.color = "blue"
    start = travelled_mm()
    while robot.running and travelled_mm() - start < GAP_MM:
        if min(robot.line.read()) < WHITE:
            robot.led.color = "off"
            return True
        error = line_heading - robot.heading()          # gyro: keep pointing the same way
        robot.drive(speed=150, turn_rate=3 * error)
        robot.wait(10)
    # Not a gap after all: go back to where the line was lost and look left and right.
    robot.straight(-(travelled_mm() - start), speed=150)
    robot.led.color = "off"
    spin_to_line(1, most_deg=90)
    if not is_black(robot.line.read()[2]):
        spin_to_line(-1, most_deg=180)
    return is_black(robot.line.read()[2])


# --- The main loop ---------------------------------------------------------------------------
line_heading = robot.heading()   # the way the line has been going lately (for gaps)
green_left = green_right = 0     # how many readings in a row the outer sensors saw green
marker_side = None               # "left" or "right": the last green marker seen
marker_mm = 0.0                  # where it was seen

while robot.running:
    readings = robot.line.read()

    # 1. A box in front of us?
    if robot.distance() < BOX_MM:
        go_round_the_box()
        line_heading = robot.heading()
        continue

    # 2. A green marker beside the line? (Only while the middle sensor is on the line.)
    on_line = is_black(readings[2])
    green_left = green_left + 1 if on_line and is_green(readings[0]) else 0
    green_right = green_right + 1 if on_line and is_green(readings[4]) else 0
    if green_left >= GREEN_READINGS or green_right >= GREEN_READINGS:
        marker_side = "left" if green_left >= GREEN_READINGS else "right"
        marker_mm = travelled_mm()
        robot.led.color = "green"
    if marker_side and travelled_mm() - marker_mm > MARKER_MEMORY_MM:
        marker_side = None                    # too long ago: it was not for a crossing
        robot.led.color = "off"

    # 3. At a crossing with a marker: turn. (No marker: just carry on straight.)
    if marker_side and at_crossing(readings):
        turn_at_crossing(marker_side)
        marker_side = None
        robot.led.color = "off"
        line_heading = robot.heading()
        continue

    # 4. No line at all: a gap.
    if min(readings) > WHITE:
        cross_the_gap(line_heading)
        continue

    # 5. Ordinary line following: turn towards the line, and remember which way it goes.
    robot.drive(speed=SPEED, turn_rate=STEER * line_position(readings))
    line_heading += (robot.heading() - line_heading) * 0.05
    robot.wait(10)
