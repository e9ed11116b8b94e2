"""Follow the black line around the loop.

The five reflectance sensors read low on black and high on white. The program works out
where the line is under the sensor bar (left of centre is positive, in mm) and turns
towards it: the further off, the harder it turns.

Run it:  roboarena sim line-follow examples/line_follower.py
"""

from roboarena import Robot

SENSOR_POSITIONS_MM = [30, 15, 0, -15, -30]   # left to right, as the line array reads
SPEED = 250                                   # mm/s
STEER = 7                                     # deg/s of turn for each mm the line is off centre

robot = Robot()
last_position = 0

while robot.running:
    readings = robot.line.read()
    darkness = [max(0, 3000 - value) for value in readings]   # 0 on white, large on black
    total = sum(darkness)
    if total > 500:                           # the line is under the bar
        position = sum(d * p for d, p in zip(darkness, SENSOR_POSITIONS_MM)) / total
        last_position = position
    else:                                     # lost it: turn hard towards where it was last seen
        position = 40 if last_position > 0 else -40
    robot.drive(speed=SPEED, turn_rate=STEER * position)
    if robot.distance() < 150:                # something in the way: wait for it to go
        robot.stop()
    robot.wait(10)
