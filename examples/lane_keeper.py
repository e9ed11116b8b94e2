"""Keep the car in its lane with the camera, and stop at the stop line.

The car drives on the right-hand side of a two-lane road: the dashed yellow centre line
is on its left and the solid white edge line on its right. Every time round the loop the
program looks at a few rows of the camera picture, finds the two lines in each row and
steers towards the point half-way between them. When the picture shows white right
across the road just ahead, that is the stop line: the car stops, waits three seconds,
and then drives on.

Run it:  roboarena sim road examples/lane_keeper.py

The camera picture is a numpy array of 60 rows x 80 columns x 3 colours (red, green,
blue, each 0-255). Row 0 is the top of the picture (far away), row 59 the bottom (just in
front of the car). Column 0 is the left side, column 79 the right side.
"""

import numpy as np

from roboarena import Car

SPEED = 400                  # mm/s
STEER_GAIN = 0.6             # degrees of steering for each pixel the lane middle is off centre
LOOK_ROWS = [12, 16, 20, 24, 28, 32]   # the rows we look for the lines in (the middle of the picture)
STOP_ROWS = range(40, 60)    # the stop line is close when it shows up in these rows (the bottom third)
STOP_TIME_MS = 3000          # how long to stand still at the stop line
CENTRE_COLUMN = 39.5         # the middle of the picture: 80 columns, numbered 0 to 79


def half_lane_pixels(row):
    """How many pixels half the lane looks wide in this row.

    Far away (small row numbers) the lane looks narrow, close up it looks wide. For a
    camera looking down at a flat road the width grows in a straight line with the row
    number: we measured about 9 pixels in row 0 and 35 pixels in row 30."""
    return 0.86 * (row + 10.5)


def find_lines(picture):
    """Two True/False masks, the size of the picture: where it is white, where it is yellow."""
    red = picture[:, :, 0].astype(int)   # int, so that sums and differences cannot overflow
    green = picture[:, :, 1].astype(int)
    blue = picture[:, :, 2].astype(int)
    white = (red > 200) & (green > 200) & (blue > 200)
    yellow = (red > 180) & (green > 140) & (blue < 100)
    return white, yellow


def lane_middle(white_row, yellow_row, row):
    """The column of the middle of our lane in one row of the picture, or None.

    The white edge line is the right-most white in the row (further right there is only
    grass). The yellow centre line is the right-most yellow left of that edge."""
    whites = np.flatnonzero(white_row)          # column numbers of the white pixels
    edge = None
    if len(whites) > 0:
        edge = whites[-1]
        while edge > 0 and white_row[edge - 1]:  # walk left to the inner side of the white line
            edge -= 1
        if whites[-1] - edge > 15:             # far too wide for an edge line: the stop line
            edge = None
    yellows = np.flatnonzero(yellow_row)
    if edge is not None:
        yellows = yellows[yellows < edge]
    centre = yellows[-1] if len(yellows) > 0 else None

    if edge is not None and centre is not None:
        return (edge + centre) / 2
    if edge is not None:                       # only the edge: the middle is half a lane to its left
        return edge - half_lane_pixels(row)
    if centre is not None:                     # only the centre line: half a lane to its right
        return centre + half_lane_pixels(row)
    return None


def stop_line_ahead(white):
    """True if one of the bottom rows is white almost all the way across."""
    for row in STOP_ROWS:
        if white[row].mean() > 0.6:            # more than 60 % of this row is white
            return True
    return False


car = Car()
COUNTS_PER_MM = car.spec.encoder_counts_per_rev / (3.14159 * car.spec.wheel_diameter_mm)
steering = 0
ignore_stop_line_until = 0    # encoder count: after stopping, drive on past the line we just stopped at

while car.running:
    picture = car.camera.frame()
    white, yellow = find_lines(picture)

    # --- stop line -----------------------------------------------------------------------
    if car.encoders[0] >= ignore_stop_line_until and stop_line_ahead(white):
        stop_over_at = car.time_ms + STOP_TIME_MS
        while car.running and car.time_ms < stop_over_at:   # stand still for STOP_TIME_MS
            car.stop()                         # keep telling the car to stand still
            car.wait(50)
        # The stop line is still in the picture: don't stop at it again for the next metre.
        ignore_stop_line_until = car.encoders[0] + 1000 * COUNTS_PER_MM

    # --- steering --------------------------------------------------------------------------
    middles = []
    for row in LOOK_ROWS:
        middle = lane_middle(white[row], yellow[row], row)
        if middle is not None:
            middles.append(middle)
    if middles:                                # if we saw nothing, keep the last steering
        offset = sum(middles) / len(middles) - CENTRE_COLUMN   # + means the lane is to our right
        steering = -STEER_GAIN * offset                         # + steering turns left
        steering = max(-car.max_steering, min(car.max_steering, steering))

    car.drive(SPEED, steering)
    car.wait(20)
