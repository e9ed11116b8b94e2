"""An arena: several robots in one world (a sumo bout), each driven by its own program.

Each program runs in its own thread and its robot calls ask the arena for time. The world
moves only when every robot still running has asked, and only as far as the earliest of
their requests: so no robot acts on a world that has moved past it, and the run does not
depend on how the threads happen to be scheduled. The world is integrated in 10 ms chunks,
one robot after the other in a fixed order, so their contacts and pushes are seen by both.
"""

from __future__ import annotations

import threading

from roboarena.sims.simulation import Simulation

CHUNK_MS = 10.0


class Arena:
    def __init__(self, simulations: list[Simulation]):
        self.simulations = simulations
        for index, simulation in enumerate(simulations):
            simulation.arena = self
            simulation.robot_index = index
            simulation.others = [other for other in simulations if other is not simulation]
        self.t_ms = 0.0
        self.condition = threading.Condition()
        self.waiting: dict[int, float] = {}           # robot index -> the time its call waits for
        self.running = set(range(len(simulations)))   # robots whose program has not ended
        self.progress = 0                             # counts world moves; the hang guard watches it
        self.decided = False                          # the draw has been called

    def advance(self, simulation: Simulation, ms: float):
        """A robot call costing ``ms``: returns once the world has reached that time."""
        with self.condition:
            target = self.t_ms + ms
            self.waiting[simulation.robot_index] = target
            self._move_world()
            while self.t_ms < target and simulation.over is None:
                self.condition.wait(0.5)
            del self.waiting[simulation.robot_index]

    def leave(self, simulation: Simulation):
        """The robot's program has ended: its motors stop and the world no longer waits for it."""
        with self.condition:
            self.running.discard(simulation.robot_index)
            if simulation.over is None:
                simulation.body.command(0.0, 0.0)
            self._move_world()
            self.condition.notify_all()

    def robot_out(self, simulation: Simulation):
        """A robot left the ring: the bout is over for everyone."""
        for other in simulation.others:
            other.event("opponent-out", robot=simulation.robot_index)
        for each in self.simulations:
            each.finish("finished")

    def _move_world(self):
        if not self.running or any(index not in self.waiting for index in self.running):
            return   # a program is still thinking: it may yet act at the present time
        goal = min(self.waiting[index] for index in self.running)
        while self.t_ms < goal and any(each.over is None for each in self.simulations):
            chunk_end = min(goal, self.t_ms + CHUNK_MS)
            for each in self.simulations:
                if each.over is None:
                    each.pending_ms = chunk_end - each.t_ms
                    each.sync()
            self.t_ms = chunk_end
        if all(each.over is not None for each in self.simulations):
            if not self.decided and all(each.over == "time-limit" for each in self.simulations):
                self.decided = True
                for each in self.simulations:      # nobody pushed out in time: a draw
                    each.event("draw")
            self.t_ms = max(self.t_ms, goal)   # nobody will move again: release every waiting call
        self.progress += 1
        self.condition.notify_all()
