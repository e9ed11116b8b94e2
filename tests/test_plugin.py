"""The pytest plugin works for a class's own test file, found through its entry point."""

from project_paths import EXAMPLES

pytest_plugins = ["pytester"]


def test_a_class_tests_its_own_programs_with_the_fixtures(pytester):
    pytester.makepyfile(test_class=f'''
        import pytest

        @pytest.mark.sim_world("line-follow", seed=3)
        def test_my_follower_finishes_a_lap(run_sim):
            result = run_sim({str(EXAMPLES / "line_follower.py")!r})
            assert result.laps >= 1 and result.collisions == 0

        @pytest.mark.sim_world("maze")
        def test_stops_before_the_wall(sim_robot):
            sim_robot.drive(200)
            while sim_robot.distance() > 150:
                sim_robot.wait(10)
            sim_robot.stop()
            assert sim_robot.simulation.collisions == 0

        @pytest.mark.sim_world("maze")
        def test_a_robot_that_crashes_fails(sim_robot):
            sim_robot.drive(300)
            sim_robot.wait(4000)
            assert sim_robot.simulation.collisions == 0

        @pytest.mark.parametrize("sim_robot", [{{"world": "road", "seed": 2}}], indirect=True)
        def test_indirect_world(sim_robot):
            assert sim_robot.simulation.world.name == "road" and sim_robot.simulation.seed == 2
    ''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*test_a_robot_that_crashes_fails*"])
