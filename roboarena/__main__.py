"""`python -m roboarena` is the same as the `roboarena` command."""

from roboarena.cli import main

raise SystemExit(main())
