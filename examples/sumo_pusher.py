"""Sumo: find the other robot with the ultrasonic, charge, push it out of the ring.

The ring is black with a white edge. The program spins on the spot until the ultrasonic
sees something close (that can only be the other robot: nothing else stands in the ring),
then drives at it at full speed. If the line sensors ever see the white edge, it backs
off and turns away, so that it never drives itself out.

Run a bout:  roboarena sim sumo examples/sumo_pusher.py
(against the sparring partner), or against another program:
             roboarena sim sumo examples/sumo_pusher.py --opponent my_sumo.py
"""

from roboarena import Robot

EDGE = 2500          # line sensor reading above this: the white edge of the ring
SEE_MM = 600         # the ring is 770 mm across: anything nearer than this is the opponent

robot = Robot()
while robot.running:
    if max(robot.line.read()) > EDGE:    # the edge: back off and turn away from it
        robot.drive(-400, 0)
        robot.wait(250)
        robot.drive(0, 300)
        robot.wait(350)
    elif robot.distance() < SEE_MM:      # the opponent is ahead: charge
        robot.drive(robot.max_speed, 0)
    else:                                # look for it: spin
        robot.drive(0, 200)
    robot.wait(10)
