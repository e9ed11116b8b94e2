"""Every message exists in Simplified Chinese and English, quoting the same fields."""

import string

import pytest

import roboarena.judge.texts  # noqa: F401 - the judge's page texts join the catalog on import
from roboarena.messages import CATALOG, LANGUAGES, current_language, render


def fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("message_id", sorted(CATALOG))
def test_message_has_both_languages_with_the_same_fields(message_id):
    entry = CATALOG[message_id]
    assert set(entry) == set(LANGUAGES)
    assert fields(entry["en"]) == fields(entry["zh"])
    assert entry["zh"] != entry["en"] or not any(c.isalpha() for c in entry["en"])


@pytest.mark.parametrize("variables, expected", [
    ({"ROBOARENA_LANG": "zh"}, "zh"),
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LANG": "en_GB.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_comes_from_the_setting_or_the_locale(monkeypatch, variables, expected):
    for name in ("ROBOARENA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert current_language() == expected


def test_a_message_with_a_missing_field_still_shows_its_text():
    assert "program" in render("program.missing", "en")


def test_a_message_inside_an_error_follows_the_language_it_is_shown_in():
    from roboarena import Robot
    from roboarena.errors import ConnectError

    try:
        Robot("sim://line-follow?speed=9")
    except ConnectError as exc:
        english, chinese = exc.text("en"), exc.text("zh")
    assert "is not understood" in english and "无法识别" in chinese
    assert "is not understood" not in chinese
