"""Shared test set-up: pygame must never need a screen or a sound card here, messages
are tested in English unless a test asks otherwise, and traces get a pinned start time."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from project_paths import EXAMPLES, ROOT  # noqa: E402,F401 - fixtures below use them


@pytest.fixture(autouse=True)
def english_messages(monkeypatch):
    monkeypatch.setenv("ROBOARENA_LANG", "en")
    monkeypatch.delenv("ROBOARENA_URL", raising=False)


@pytest.fixture
def write_program(tmp_path):
    """Write a student program into a temporary folder and return its path."""

    def write(source: str, name: str = "program.py") -> Path:
        path = tmp_path / name
        path.write_text(source, encoding="utf-8")
        return path

    return write
