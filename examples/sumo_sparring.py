"""A sumo sparring partner: it wanders round the ring and turns back at the edge.

It does not look for the other robot, so a program that does should beat it. Used as the
default opponent in the sumo challenge.

Run a bout:  roboarena sim sumo examples/sumo_pusher.py --opponent examples/sumo_sparring.py
"""

from roboarena import Robot

EDGE = 2500          # line sensor reading above this: the white edge of the ring

robot = Robot()
while robot.running:
    if max(robot.line.read()) > EDGE:    # at the edge: back off and turn round
        robot.drive(-200, 0)
        robot.wait(300)
        robot.drive(0, 150)
        robot.wait(800)
    robot.drive(150, 0)
    robot.wait(20)
