"""Every error roboarena raises, in one flat module.

Each class also inherits the built-in exception it resembles, so ``except ValueError``
keeps working. Messages live in :mod:`roboarena.messages` (zh-CN and en) and say what
was wrong, with what value, and what to do.
"""

from roboarena.messages import render


class RoboarenaError(Exception):
    """Base of every roboarena error: a message id plus the fields the message quotes."""

    def __init__(self, message_id: str, **fields):
        self.message_id = message_id
        self.fields = fields
        super().__init__(render(message_id, **fields))

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` ("en" or "zh"); the user's language when None."""
        return render(self.message_id, lang, **self.fields)


class BadArgument(RoboarenaError, ValueError):
    """A robot call got a value it cannot use (wrong type, out of range)."""


class WorldError(RoboarenaError, ValueError):
    """A world is missing or its files are malformed."""


class ChallengeError(RoboarenaError, ValueError):
    """A challenge pack is missing or malformed."""


class TraceError(RoboarenaError, ValueError):
    """A run trace is malformed, cut short, or recorded against an unknown pack version."""


class SpecError(RoboarenaError, ValueError):
    """A robot spec file is missing or malformed."""


class ConnectError(RoboarenaError, ConnectionError):
    """No robot could be reached at the URL given (or none was given)."""


class ProgramError(RoboarenaError, RuntimeError):
    """The student's program could not be run to its end (syntax error, exception, hang)."""

    simulation = None        # the run so far, when the program got as far as running
    program_sha256 = ""


class RunOver(BaseException):
    """Raised inside a robot call once the run is over (time limit, finish, stop).

    It derives from BaseException, like SystemExit, so that a student's
    ``except Exception:`` cannot swallow the end of the run.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(render("run.over", reason=reason))
