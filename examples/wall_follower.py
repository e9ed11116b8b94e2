"""Find the way out of the maze by keeping one hand on the wall.

Walk through a maze with one hand always touching the wall and you will get out (as long
as the walls are all joined together, as they are here). This robot does the same with
its left "hand", one square of the maze (a "cell", 350 mm across) at a time. It has only
one distance sensor, looking straight ahead, so in every cell it turns to look around:

  1. Turn left and look. No wall there? Drive into the next cell that way.
  2. Wall? Turn back to face the way it was going and look. No wall? Go that way.
  3. Wall? Turn right and look. No wall? Go that way.
  4. Walls on three sides: a dead end. Turn round and drive back out.

Small errors would add up over a long trip, so three tricks keep the robot on track:

  * The gyro creeps a little even when the robot stands still ("drift"). The robot
    measures how fast at the start, while it waits, and takes it off every reading.
  * It always turns to face exactly east, north, west or south (a whole number of
    quarter turns from where it started), not "90 degrees more than now". A turn that
    ends a little off is then put right by the next one instead of being carried on.
  * Whenever it sees a wall close in front, it drives forwards or backwards until the
    wall is as far away as it would be from the middle of the cell.

Run it:  roboarena sim maze examples/wall_follower.py
Try another seed (other sensor noise, motors and gyro):
         roboarena sim maze examples/wall_follower.py --seed 3
Then change HAND to "right": it still gets out, but in this maze it takes the long way
round, into every dead end (about two minutes instead of under one).
"""

from roboarena import Robot

CELL_MM = 350        # from the middle of one cell to the middle of the next
WALL_AHEAD_MM = 84   # what the sonar reads from the middle of a cell to the wall in front:
                     # half a cell (175) - half a wall (6) - sonar to robot centre (85)
OPEN_MM = 250        # a reading further than this means "no wall on this side of the cell"
SPEED = 400          # mm/s, driving from cell to cell
TURN_RATE = 270      # deg/s, turning on the spot
HAND = "left"        # the wall to follow: "left" or "right"

# Directions are counted in quarter turns to the left of where the robot started:
# 0 = the way it started (east in this maze), 1 = north, 2 = west, 3 or -1 = south, ...
TOWARDS_WALL = -1 if HAND == "right" else 1    # a right turn is -1 quarter turn

robot = Robot()
drift_per_s = 0      # how many deg the gyro creeps each second by itself (measured below)


def average_heading():
    """The gyro heading, averaged over 10 readings to smooth out its noise."""
    total = 0
    for _ in range(10):
        total += robot.heading()
        robot.wait(10)
    return total / 10


def facing():
    """Which way the robot points, in deg since the start, with the drift taken off."""
    return robot.heading() - drift_per_s * robot.time_ms / 1000


def face(direction):
    """Turn on the spot to point exactly in `direction` (quarter turns from the start)."""
    robot.turn(direction * 90 - facing(), TURN_RATE)


def look():
    """Distance to the wall straight ahead, in mm (4000 when no wall is in range)."""
    robot.wait(60)                  # the sonar takes a new reading every 60 ms
    return robot.distance()


def choose_way(direction):
    """Look towards the wall, then straight on, then the other way, and return the
    first direction that is open. If all three have walls, turn round."""
    for way in (direction + TOWARDS_WALL, direction, direction - TOWARDS_WALL):
        face(way)
        gap = look()
        if gap > OPEN_MM:
            return way              # no wall: this is the way to go
        # A wall: move to where it would be from the middle of the cell.
        error = gap - WALL_AHEAD_MM
        if abs(error) > 3:
            robot.straight(error, 200)
    face(direction + 2)             # a dead end: go back the way we came
    return direction + 2


# 1. Measure the gyro drift: stand still for 2 seconds and see how far the heading creeps.
#    (Note the time just before each set of readings, so the two match up.)
time_before = robot.time_ms
heading_before = average_heading()
robot.wait(2000)
time_after = robot.time_ms
heading_after = average_heading()
drift_per_s = (heading_after - heading_before) / ((time_after - time_before) / 1000)

# 2. Go from cell to cell until we reach the green exit (the run then ends by itself).
direction = 0
while robot.running:
    direction = choose_way(direction)
    robot.straight(CELL_MM, SPEED)
