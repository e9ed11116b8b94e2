"""The page language: ``?lang=zh|en`` (remembered in a cookie), else the cookie, else the
browser's Accept-Language; Flask-Babel selects the matching locale for dates and numbers.
Texts come from the one catalog (``roboarena.messages``) through ``t(id, **fields)``."""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel, format_datetime

from roboarena.messages import LANGUAGES, render

LOCALES = {"zh": "zh_Hans_CN", "en": "en"}
COOKIE = "lang"


def language() -> str:
    """The language of the current request: "zh" or "en"."""
    cached = getattr(g, "lang", None)
    if cached is None:
        asked = request.args.get("lang", "")
        if asked in LANGUAGES:
            cached = asked
        elif request.cookies.get(COOKIE) in LANGUAGES:
            cached = request.cookies[COOKIE]
        else:
            best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="en")
            cached = "zh" if best.startswith("zh") else "en"
        g.lang = cached
    return cached


def t(message_id: str, **fields) -> str:
    """A message in the page's language."""
    return render(message_id, language(), **fields)


def both(message_id: str, **fields) -> dict[str, str]:
    """A message in every language (the JSON API gives both)."""
    return {lang: render(message_id, lang, **fields) for lang in LANGUAGES}


def init_app(app: Flask):
    Babel(app, locale_selector=lambda: LOCALES[language()])
    app.jinja_env.globals.update(t=t, language=language)
    app.jinja_env.filters["when"] = lambda value: format_datetime(value, "short") if value else ""

    @app.after_request
    def _remember_choice(response):
        asked = request.args.get("lang", "")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response
