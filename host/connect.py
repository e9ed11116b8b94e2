"""Opening the link a ``Robot()`` or ``Car()`` talks through, chosen by URL.

``sim://`` opens the simulator. With no URL, ``ROBOARENA_URL`` decides (the runner sets
it); serial and network URLs (``/dev/ttyUSB0``, ``COM4``, ``socket://``) need the
firmware link, which this version does not have yet and says so.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from roboarena.errors import ConnectError
from roboarena.messages import render


def open_link(url: str | None, kind: str):
    """The link for ``url`` (else ``$ROBOARENA_URL``), checked to be a ``kind`` robot."""
    url = url or os.environ.get("ROBOARENA_URL", "")
    if not url:
        program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "my_program.py"
        raise ConnectError("connect.nothing", program=program)
    if not isinstance(url, str):
        raise ConnectError("connect.unsupported", url=url, reason="the address must be text.")
    if url.startswith("sim://"):
        from roboarena.sims.link import SimLink  # the simulator loads numpy; only pay for it when used

        link = SimLink.open(url)
    else:
        raise ConnectError("connect.unsupported", url=url, reason=render("connect.hardware_later"))
    if link.spec.kind != kind:
        world = url.split("://", 1)[1].split("?", 1)[0]
        raise ConnectError("connect.wrong_class", world=world, world_kind=render(f"kind.{link.spec.kind}"),
                           asked_kind=render(f"kind.{kind}"), suggestion="Car" if link.spec.kind == "car" else "Robot")
    return link
