"""Keep the car in its lane using the camera, and stop at the stop line.

The car drives on the right-hand side of a two-lane road: the dashed yellow centre line
is on its left and the solid white edge line is on its right. Each time round the loop
the program looks at a few rows of the camera picture, finds the two lines in each row
and steers towards the point half-way between them. When a row near the bottom of the
picture is white almost all the way across, that is the stop line: the car stops, stands
still for two seconds, and drives on once the traffic light beside the road (a coloured
pad on the right, just after the line) is not red.

Run it:   roboarena sim road examples/lane_keeper.py
or, without a window and with the result as JSON:
          roboarena sim road examples/lane_keeper.py --headless --json --seed 3

The camera picture is a numpy array of 60 rows x 80 columns x 3 colours (red, green,
blue, each 0-255). Row 0 is the top of the picture (far away), row 59 the bottom (just in
front of the car). Column 0 is on the left, column 79 on the right.
"""

import math

import numpy as np

from roboarena import Car

SPEED = 400                  # mm/s
STEER_GAIN = 0.6             # degrees of steering for each pixel the lane middle is off centre
LOOK_ROWS = [12, 16, 20, 24, 28, 32]   # rows to look for the lines in: about 0.3 to 0.6 m ahead
STOP_ROWS = range(40, 60)    # the bottom third: the stop line is less than 25 cm ahead
STOP_TIME_MS = 2000          # how long to stand at the stop line
CENTRE_COLUMN = 39.5         # the middle of the picture: 80 columns, numbered 0 to 79


def half_lane_pixels(row):
    """How many pixels wide half of the lane looks in this row of the picture.

    Far away (small row numbers) the lane looks narrow; close up it looks wide. For a
    camera looking down at a flat road the width grows in a straight line with the row
    number. We measured it in a picture: about 9 pixels in row 0, 35 pixels in row 30."""
    return 0.86 * (row + 10.5)


def find_colours(picture):
    """Two True/False arrays the size of the picture: where it is white, where it is yellow."""
    red = picture[:, :, 0]
    green = picture[:, :, 1]
    blue = picture[:, :, 2]
    white = (red > 200) & (green > 200) & (blue > 200)    # bright in all three colours
    yellow = (red > 180) & (green > 140) & (blue < 100)   # red + green, no blue
    return white, yellow


def lane_middle(white_row, yellow_row, row):
    """The column where the middle of our lane is in one row of the picture, or None.

    The white edge line is the right-most white in the row (right of it there is only
    grass). The yellow centre line is the right-most yellow left of that edge. The centre
    line is dashed, and in the bends it is out of sight, so often we only see one of
    the two lines: then the middle is half a lane away from the line we do see."""
    edge = None
    whites = np.flatnonzero(white_row)         # the column numbers of the white pixels
    if len(whites) > 0:
        edge = whites[-1]
        while edge > 0 and white_row[edge - 1]:   # walk left to the inner side of the white line
            edge -= 1
        if whites[-1] - edge > 15:             # far too wide for the edge line: it is the stop line
            edge = None

    yellows = np.flatnonzero(yellow_row)
    if edge is not None:
        yellows = yellows[yellows < edge]
    centre = yellows[-1] if len(yellows) > 0 else None

    if edge is not None and centre is not None:
        return (edge + centre) / 2             # half-way between the two lines
    if edge is not None:
        return edge - half_lane_pixels(row)    # half a lane left of the edge line
    if centre is not None:
        return centre + half_lane_pixels(row)  # half a lane right of the centre line
    return None                                # neither line in this row


def red_light(picture):
    """True if the traffic light is red: enough strongly red pixels in the picture."""
    red = picture[:, :, 0].astype(int)
    green = picture[:, :, 1].astype(int)
    blue = picture[:, :, 2].astype(int)
    strongly_red = (red > 170) & (green < 90) & (blue < 90)
    return strongly_red.sum() > 20


def stop_line_ahead(white):
    """True if one of the bottom rows is white almost all the way across."""
    for row in STOP_ROWS:
        if white[row].mean() > 0.6:            # True counts as 1, False as 0: over 60 % white
            return True
    return False


car = Car()
counts_per_mm = car.spec.encoder_counts_per_rev / (math.pi * car.spec.wheel_diameter_mm)
steering = 0
ignore_stop_line_until = 0    # an encoder count: after stopping, drive on over the line

while car.running:
    picture = car.camera.frame()
    white, yellow = find_colours(picture)

    # --- the stop line -----------------------------------------------------------------
    if car.encoders[0] >= ignore_stop_line_until and stop_line_ahead(white):
        car.stop()
        car.wait(STOP_TIME_MS)                 # the car rolls to a stop, then stands still
        while car.running and red_light(car.camera.frame()):
            car.wait(100)                      # red: keep waiting
        # The stop line is still in the picture: don't stop for it again in the next metre.
        ignore_stop_line_until = car.encoders[0] + 1000 * counts_per_mm

    # --- steering ------------------------------------------------------------------------
    middles = []
    for row in LOOK_ROWS:
        middle = lane_middle(white[row], yellow[row], row)
        if middle is not None:
            middles.append(middle)
    if middles:                                # saw nothing at all? keep the last steering
        offset = sum(middles) / len(middles) - CENTRE_COLUMN   # + means the lane is to our right
        steering = -STEER_GAIN * offset                         # + steering turns left
        steering = max(-car.max_steering, min(car.max_steering, steering))

    car.drive(SPEED, steering)
    car.wait(20)
