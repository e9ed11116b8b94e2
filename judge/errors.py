"""How the judge says no: the JSON API answers ``{"error": id, "message": {"en", "zh"}}``
(the shape of ``roboarena ... --json`` errors); pages answer with a page in the reader's
language that says what was wrong and what to do."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from roboarena.judge.i18n import both, t


def api_error(status: int, message_id: str, **fields):
    body = {"error": message_id, "message": both(message_id, **fields)}
    return jsonify(body | ({"details": fields} if fields else {})), status


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def refuse(status: int, message_id: str, **fields):
    """An API error or an error page, whichever the request is asking for."""
    if wants_json():
        return api_error(status, message_id, **fields)
    return render_template("error.html", message=t(message_id, **fields), status=status), status


def has_nul() -> bool:
    """Whether a text of the request (query, form fields, a JSON body) holds a NUL character:
    no name or filter has one, and PostgreSQL cannot store it. Uploaded files may."""
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in value for value in request.form.values())
    if request.is_json:
        body = request.get_data(cache=True)
        return b"\\u0000" in body or b"\x00" in body
    return False


def init_app(app: Flask):
    from roboarena.judge.ingest import Refusal

    @app.before_request
    def _refuse_nul():
        if has_nul():
            return refuse(400, "judge.error.nul")
        return None

    @app.errorhandler(Refusal)
    def _refusal(exc: Refusal):
        return refuse(exc.status, exc.message_id, **exc.fields)

    @app.errorhandler(CSRFError)
    def _csrf(_exc):
        return refuse(400, "judge.error.csrf")

    @app.errorhandler(429)
    def _too_many(_exc):
        return refuse(429, "judge.error.too_many")

    @app.errorhandler(413)
    def _too_large(_exc):
        return refuse(413, "judge.error.too_large", limit_mb=app.config["MAX_CONTENT_LENGTH"] / 2**20)

    @app.errorhandler(404)
    def _not_found(_exc):
        return refuse(404, "judge.error.not_found", path=request.path)

    @app.errorhandler(403)
    def _forbidden(_exc):
        return refuse(403, "judge.error.not_allowed")

    @app.errorhandler(HTTPException)
    def _other(exc: HTTPException):
        return refuse(exc.code or 500, "judge.error.http", code=exc.code, name=exc.name)
