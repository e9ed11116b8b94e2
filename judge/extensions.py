"""Flask extensions made once and bound to each app in ``create_app``: CSRF protection
for every form (Flask-WTF) and the login rate limit (Flask-Limiter, kept in memory: one
judge process per laptop needs no shared store)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", default_limits=[])
