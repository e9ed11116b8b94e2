"""The API's description: ``GET /api/openapi.json`` (the OpenAPI document, English unless
``?lang=zh``) and ``GET /api/docs``, a plain page listing every operation in the reader's
language, rendered here from the same document (no script, nothing from the internet)."""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, render_template, request
from markupsafe import Markup, escape
from roboarena.judge.i18n import language
from roboarena.judge.openapi import BEARER, document, operations

from roboarena.messages import LANGUAGES

bp = Blueprint("openapi", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi_json():
    # Only an explicit ?lang= changes it: tools get the same document whatever the browser's language.
    asked = request.args.get("lang", "en")
    return jsonify(document(asked if asked in LANGUAGES else "en"))


def prose(text: str) -> Markup:
    """A description as HTML: escaped, with its `code` spans set as code."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text))))


def schema_name(schema: dict | None) -> str | None:
    """The component a response or body refers to, if it names one."""
    reference = (schema or {}).get("$ref", "")
    return reference.rsplit("/", 1)[-1] if reference else None


def extended(schema: dict) -> list[str]:
    """The components a schema builds on (``allOf`` references): all their fields are in it too."""
    return [schema_name(part) for part in schema.get("allOf", []) if "$ref" in part]


def schema_rows(schema: dict) -> list[dict]:
    """A component's own fields as table rows: name, type, whether required, description."""
    rows = []
    for part in schema.get("allOf", [schema]):
        required = set(part.get("required", []))
        for name, spec in part.get("properties", {}).items():
            rows.append({"name": name, "type": type_text(spec), "required": name in required,
                         "description": spec.get("description", "")})
    return rows


def type_text(spec: dict) -> str:
    """A short, readable type: `integer`, `string | null`, `array of Run`, `Message`."""
    if "$ref" in spec:
        return schema_name(spec)
    if "oneOf" in spec:
        return " | ".join(type_text(choice) for choice in spec["oneOf"])
    kind = spec.get("type", "")
    kinds = kind if isinstance(kind, list) else [kind]
    text = " | ".join(kinds)
    if "array" in kinds and "items" in spec:
        text = text.replace("array", f"array of {type_text(spec['items'])}")
    if spec.get("format") == "binary":
        text = "file"
    if "enum" in spec:
        text += ": " + ", ".join(str(value) for value in spec["enum"])
    return text


@bp.get("/docs")
def docs():
    lang = language()
    doc = document(lang)
    listed = []
    for method, template, spec in operations(doc):
        body = spec.get("requestBody")
        listed.append({
            "method": method.upper(), "path": template, "spec": spec,
            "anchor": spec["operationId"],
            "sign_in": "token" if spec["security"] == [{BEARER: []}] else
                       "optional" if spec["security"] else "none",
            "parameters": [p | {"type": type_text(p["schema"])} for p in spec.get("parameters", [])],
            "bodies": [{"media_type": media_type, "rows": schema_rows(content["schema"]),
                        "type": type_text(content["schema"])}
                       for media_type, content in (body or {}).get("content", {}).items()],
            "responses": [{"status": status, "description": response["description"],
                           "media_type": next(iter(response.get("content", {})), ""),
                           "schema": next((schema_name(c["schema"]) for c in response.get("content", {}).values()),
                                          None),
                           "message_ids": response.get("x-message-ids", [])}
                          for status, response in spec["responses"].items()],
        })
    order = [tag["name"] for tag in doc["tags"]]
    listed.sort(key=lambda op: order.index(op["spec"]["tags"][0]))      # by tag, then by path (stable)
    groups = [{"name": tag["name"], "description": tag["description"],
               "operations": [op for op in listed if op["spec"]["tags"][0] == tag["name"]]} for tag in doc["tags"]]
    shapes = [{"name": name, "description": schema.get("description", ""), "rows": schema_rows(schema),
               "extends": extended(schema)}
              for name, schema in doc["components"]["schemas"].items()]
    return render_template("api_docs.html", doc=doc, groups=[group for group in groups if group["operations"]],
                           shapes=shapes, prose=prose,
                           security=doc["components"]["securitySchemes"][BEARER])
