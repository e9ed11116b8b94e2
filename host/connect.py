"""Opening the link a ``Robot()`` or ``Car()`` talks through, chosen by URL.

``sim://`` opens the simulator (with ``board=core``, a simulated board running the
firmware, over a serial link). Anything else is a pyserial URL to a kit running the
roboarena firmware: ``/dev/ttyUSB0``, ``COM4``, ``socket://192.168.4.1:3333``,
``rfc2217://``. With no URL, ``ROBOARENA_URL`` decides (the runners set it); without
that, the one kit plugged in by USB (two or more: the student is asked to choose).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from roboarena.errors import ConnectError
from roboarena.messages import Msg

# A link ``roboarena run`` opened before the program started, for the program's Robot():
# the port is already open (a serial port opens only once), and the run records it.
_offered: dict[int, object] = {}


def offer(link, thread_id: int | None = None):
    """Make ``link`` the one the next ``Robot()`` or ``Car()`` in that thread (this one by
    default) gets, whatever URL it names. None withdraws it."""
    thread_id = threading.get_ident() if thread_id is None else thread_id
    if link is None:
        _offered.pop(thread_id, None)
    else:
        _offered[thread_id] = link


def open_link(url: str | None, kind: str):
    """The link for ``url`` (else ``$ROBOARENA_URL``, else the one kit found), checked to be a ``kind`` robot."""
    offered = _offered.pop(threading.get_ident(), None)
    if offered is not None:
        _check_kind(offered, kind, getattr(offered, "url", ""))
        return offered
    url = url or os.environ.get("ROBOARENA_URL", "")
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "my_program.py"
    if not url:
        from roboarena.host import ports

        url = ports.the_one_kit(program)     # or ConnectError: none (how to plug in), several (how to choose)
    if not isinstance(url, str):
        raise ConnectError("connect.unsupported", url=url, reason="the address must be text.")
    if url.startswith("sim://"):
        from roboarena.sims.link import SimLink  # the simulator loads numpy; only pay for it when used

        link = SimLink.open(url)
    else:
        from roboarena.host.serial_link import SerialLink

        link = SerialLink.open(url, kind)
    try:
        _check_kind(link, kind, url)
    except ConnectError:
        link.close()
        raise
    return link


def _check_kind(link, kind: str, url: str):
    if link.spec.kind == kind:
        return
    if url.startswith("sim://"):
        world = url.split("://", 1)[1].split("?", 1)[0]
        raise ConnectError("connect.wrong_class", world=world, world_kind=Msg(f"kind.{link.spec.kind}"),
                           asked_kind=Msg(f"kind.{kind}"), suggestion="Car" if link.spec.kind == "car" else "Robot")
    raise ConnectError("serial.wrong_kind", url=url, board_kind=Msg(f"kind.{link.spec.kind}"),
                       asked_kind=Msg(f"kind.{kind}"), suggestion="Car" if link.spec.kind == "car" else "Robot")
