"""Where the project's folders are, for tests that read examples and packs. (Not in a
conftest: several conftest.py files share the module name "conftest", so importing from
one by name can find another.)"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
