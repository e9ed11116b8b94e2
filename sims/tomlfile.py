"""Reading the TOML files a lab or coach writes (robot specs, worlds) with messages
that name the file, the key and the fix instead of a Python traceback."""

from __future__ import annotations

import re
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from roboarena.errors import RoboarenaError

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(path: Path, error: type[RoboarenaError], hint: str = "") -> dict:
    """Parse ``path``; a missing file or a syntax error raises ``error`` saying where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error("file.missing", path=str(path), hint=hint) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error("file.bad_key", path=str(path), key="(file)", problem=f"cannot be read: {exc}", hint=hint) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _POSITION.search(str(exc))
        line, column = (found.group(1), found.group(2)) if found else ("?", "?")
        detail = _POSITION.sub("", str(exc)).strip()
        raise error("file.toml_syntax", path=str(path), line=line, column=column, detail=detail) from None


class Table:
    """One TOML table being read into typed values; every complaint names file and key."""

    def __init__(self, data: dict, path: Path, error: type[RoboarenaError], prefix: str = ""):
        if not isinstance(data, dict):
            raise error("file.bad_value", path=str(path), key=prefix.rstrip(".") or "(top)", value=data,
                        rule="it must be a table ([section])")
        self.data, self.path, self.error, self.prefix = data, path, error, prefix

    def _key(self, key: str) -> str:
        return self.prefix + key

    def fail(self, key: str, value, rule: str):
        raise self.error("file.bad_value", path=str(self.path), key=self._key(key), value=value, rule=rule)

    def number(self, key: str, default: float | None = None, low: float = float("-inf"),
               high: float = float("inf")) -> float:
        value = self.data.get(key, default)
        if value is None:
            raise self.error("file.bad_key", path=str(self.path), key=self._key(key), problem="is missing",
                             hint=f"Add a line such as: {key} = {low if low > float('-inf') else 0}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, value, "it must be a number")
        if not low <= value <= high:
            self.fail(key, value, f"it must be between {low:g} and {high:g}")
        return float(value)

    def integer(self, key: str, default: int | None = None, low: int = 0, high: int = 10**9) -> int:
        value = self.number(key, default, low, high)
        if value != int(value):
            self.fail(key, value, "it must be a whole number")
        return int(value)

    def text(self, key: str, default: str | None = None, choices: tuple[str, ...] | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.error("file.bad_key", path=str(self.path), key=self._key(key), problem="is missing",
                             hint=f"Add a line such as: {key} = \"...\"")
        if not isinstance(value, str):
            self.fail(key, value, "it must be text in quotes")
        if choices and value not in choices:
            self.fail(key, value, f"it must be one of {', '.join(choices)}")
        return value

    def point(self, key: str, default=None) -> tuple[float, ...]:
        value = self.data.get(key, default)
        if (not isinstance(value, (list, tuple)) or len(value) not in (2, 3)
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
            self.fail(key, value, "it must be [x, y] or [x, y, heading] in mm and deg")
        return tuple(float(v) for v in value)

    def points(self, key: str, minimum: int = 2) -> list[tuple[float, float]]:
        value = self.data.get(key)
        if not isinstance(value, list) or len(value) < minimum:
            self.fail(key, value, f"it must be a list of at least {minimum} points [[x, y], ...] in mm")
        result = []
        for item in value:
            if (not isinstance(item, (list, tuple)) or len(item) != 2
                    or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in item)):
                self.fail(key, item, "every point must be [x, y] in mm")
            result.append((float(item[0]), float(item[1])))
        return result

    def table(self, key: str, required: bool = False) -> "Table":
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error("file.bad_key", path=str(self.path), key=self._key(key), problem="is missing",
                                 hint=f"Add a [{self._key(key)}] section.")
            value = {}
        return Table(value, self.path, self.error, f"{self._key(key)}.")

    def tables(self, key: str) -> list["Table"]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            self.fail(key, value, f"it must be a list of [[{self._key(key)}]] tables")
        return [Table(item, self.path, self.error, f"{self._key(key)}[{index}].") for index, item in enumerate(value)]

    def unknown_keys(self, known: set[str]):
        """Refuse keys nobody reads: a typo in a spec should not be silently ignored."""
        for key in self.data:
            if key not in known:
                raise self.error("file.bad_key", path=str(self.path), key=self._key(key),
                                 problem="is not a known setting",
                                 hint=f"Known settings here: {', '.join(sorted(known))}.")
