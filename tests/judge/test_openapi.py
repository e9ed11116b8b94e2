"""The JSON API's OpenAPI document (``judge/openapi.py``): it is valid OpenAPI 3.1 in both
languages, it names every ``/api/`` route the app has and none it has not, and it is true.

True in two ways. Every status an operation documents is one the server really answers
with, each made on purpose here and its body checked against the document. And
schemathesis sends the reads and the upload generated requests (some aimed at the real
round, runs and teams of a small competition, some from a viewer, nobody or a made-up
token) and checks every answer: no server error, only documented status codes, bodies and
headers of the documented shape.

Each test gets a fresh app and database, on SQLite and on PostgreSQL (conftest.py)."""

from __future__ import annotations

import atexit
import gzip
import io
import json
import re
import shutil
import tempfile
from datetime import datetime
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from judge_helpers import login_as, make_account
from markupsafe import escape
from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Run, Team
from roboarena.judge.openapi import BEARER, document, operations, source, texts_in
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from roboarena.messages import LANGUAGES

# A stream does not end, so a generated request to one would never get its whole answer:
# streams are documented (and checked like every operation above) but not fuzzed.
STREAMING = ("text/event-stream",)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
TEAMS = ("Ants", "Bees")
UPLOAD = "POST /api/rounds/{round_id}/runs"
# Hypothesis keeps caches (and would keep examples) in ./.hypothesis from collection on: in a
# temporary folder instead, so a test run leaves nothing in the project.
HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="roboarena-hypothesis-")
set_hypothesis_home_dir(HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, HYPOTHESIS_HOME, ignore_errors=True)


def documented_route(rule: str) -> str:
    """Flask's ``/api/runs/<int:run_id>`` as OpenAPI writes it: ``/api/runs/{run_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def app_operations(app) -> set[tuple[str, str]]:
    return {(method.lower(), documented_route(rule.rule)) for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/") for method in rule.methods - {"HEAD", "OPTIONS"}}


def streams(spec: dict) -> bool:
    return any(set(response.get("content", {})) & set(STREAMING) for response in spec["responses"].values())


def fuzzed_operations(doc: dict) -> list[str]:
    """What schemathesis sends requests to: every read but the streams, and the upload."""
    return [f"{method.upper()} {template}" for method, template, spec in operations(doc)
            if (method == "get" and not streams(spec)) or f"{method.upper()} {template}" == UPLOAD]


# --- the document itself ---------------------------------------------------------------------------

def test_every_api_route_is_documented_and_every_documented_operation_exists(app):
    documented = {(method, template) for method, template, _ in operations(document())}
    routes = app_operations(app)
    undocumented = sorted(f"{method.upper()} {template}" for method, template in routes - documented)
    assert not undocumented, f"add these to judge/openapi.py (one @path function each): {undocumented}"
    missing = sorted(f"{method.upper()} {template}" for method, template in documented - routes)
    assert not missing, f"judge/openapi.py documents operations the app does not have: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_document_is_valid_openapi_in_both_languages(app, lang):
    response = app.test_client().get(f"/api/openapi.json?lang={lang}")
    assert response.status_code == 200 and response.json["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(response.json).validate()        # against the OpenAPI 3.1 meta-schema
    ids = [spec["operationId"] for _, _, spec in operations(response.json)]
    assert len(ids) == len(set(ids))


def test_every_text_of_the_document_is_written_in_both_languages():
    for text in texts_in(source()):
        assert text.en != text.zh, text
        assert re.search(r"[\u4e00-\u9fff]", text.zh), f"not Chinese: {text.zh!r}"
    english, chinese = document("en"), document("zh")
    assert english["paths"].keys() == chinese["paths"].keys()
    assert english["info"]["description"] != chinese["info"]["description"]


def test_every_operation_says_how_to_sign_in_and_what_each_refusal_looks_like():
    doc = document()
    for method, template, spec in operations(doc):
        where = f"{method.upper()} {template}"
        assert spec["summary"] and spec["description"], where
        if spec["security"] == [{BEARER: []}]:
            assert "401" in spec["responses"], f"{where} needs a token, so it answers 401 without one"
        if method == "post":
            assert "judge.error.csrf" in spec["responses"]["400"]["x-message-ids"], where
        for status, response in spec["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{where} {status}"
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "message"]
    message = doc["components"]["schemas"]["Message"]
    assert set(message["required"]) == set(LANGUAGES)
    bearer = doc["components"]["securitySchemes"][BEARER]
    assert bearer["scheme"] == "bearer" and "roboarena judge token --user" in bearer["description"]


def test_the_docs_page_lists_every_operation_in_the_readers_language(app):
    client = app.test_client()
    english = client.get("/api/docs?lang=en").get_data(as_text=True)
    for method, template, spec in operations(document("en")):
        assert f"{method.upper()} {template}" in english and escape(spec["summary"]) in english
    assert "Submit a run" in english and "judge.error.no_round" in english
    chinese = client.get("/api/docs?lang=zh").get_data(as_text=True)
    assert "提交运行" in chinese and 'lang="zh-CN"' in chinese
    assert "http://" not in chinese and "https://" not in chinese        # nothing fetched from the internet


# --- a small competition to send requests to -------------------------------------------------------------

@pytest.fixture(scope="module")
def trace_bytes(sim_trace):
    """A real run of the example line follower: the one upload body that scores."""
    return sim_trace(seed=0).read_bytes()


@pytest.fixture
def arena(app, monkeypatch):
    """A competition with a line-follow round and two teams; an admin and a viewer with tokens."""
    # A program that reaches the evaluator would be run in a child process; what is checked
    # here ends at the 202 that says it was stored.
    monkeypatch.setattr("roboarena.judge.evaluate.enqueue", lambda run_id: None)
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow final",
                       pack_hash=load_challenge("line-follow").content_hash)
        session.add_all([round_, *(Team(competition=competition, name=name, school="No. 1 Primary")
                                   for name in TEAMS)])
        session.commit()
        ids = {"round_id": round_.id, "competition_id": competition.id}
    admin, viewer = make_account(app, "admin", "admin"), make_account(app, "viewer", "viewer")
    authorization = {"admin": f"Bearer {admin['token']}", "viewer": f"Bearer {viewer['token']}", "nobody": "",
                     "stranger": "Bearer ra_not-a-token-of-this-server"}
    return SimpleNamespace(ids=ids, authorization=authorization, admin=admin)


def loaded_schema(app, config=None):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)


def conforms(schema, label: str, response):
    """The response's status is one the operation documents, and its body has that status's shape."""
    operation = schema.find_operation_by_label(label)
    assert str(response.status_code) in operation.definition.raw["responses"], (label, response.status_code)
    operation.validate_response(response)
    return response


def upload(client, arena, *, sender="admin", round_id=None, team="Ants", files=None, raw=None,
           filename="run.jsonl.gz", key=None):
    """POST a run: a form with ``files`` ({field: (bytes, name)}), or ``raw`` as the body."""
    headers = {"Authorization": arena.authorization[sender]}
    if key:
        headers["Idempotency-Key"] = key
    path = f"/api/rounds/{round_id or arena.ids['round_id']}/runs"
    if raw is not None:
        return client.post(f"{path}?team={team}", data=raw, content_type="application/octet-stream",
                           headers=headers | {"X-Trace-Filename": filename})
    form = {"team": team} | {field: (io.BytesIO(data), name) for field, (data, name) in (files or {}).items()}
    return client.post(path, data=form, headers=headers, content_type="multipart/form-data")


def with_header(trace: bytes, change) -> bytes:
    """The trace with its header line changed by ``change(header)``."""
    first, rest = gzip.decompress(trace).split(b"\n", 1)
    header = json.loads(first)
    change(header)
    return json.dumps(header).encode() + b"\n" + rest


# --- every documented answer really happens ----------------------------------------------------------------

def test_every_answer_the_upload_documents_really_happens_in_its_documented_shape(app, arena, trace_bytes):
    client, schema = app.test_client(), loaded_schema(app)
    answers = {}

    def answer(response, status, error=None, any_error=False):
        conforms(schema, UPLOAD, response)
        said = (response.json or {}).get("error")
        assert response.status_code == status and (any_error or said == error), response.json
        answers.setdefault(status, set()).add(said)
        return response

    first = answer(upload(client, arena, files={"trace": (trace_bytes, "run.jsonl.gz")}, key="tablet-1"), 201)
    assert first.json["score"] > 0 and first.json["score_detail"]["breakdown"]
    again = answer(upload(client, arena, files={"trace": (trace_bytes, "run.jsonl.gz")}, key="tablet-1"), 200)
    assert again.json["run"] == first.json["run"]
    answer(upload(client, arena, raw=trace_bytes, team="Bees"), 201)
    assert answer(upload(client, arena, files={"program": (b"robot.drive(200)\n", "robot.py")}), 202) \
        .json["status"] == "pending"
    answer(upload(client, arena), 400, "judge.error.no_trace")
    answer(upload(client, arena, files={"trace": (trace_bytes, "run.txt")}), 400, "judge.error.bad_name")
    answer(upload(client, arena, files={"program": (b"x = 1\n", "robot.txt")}), 400, "judge.error.not_a_program")
    answer(upload(client, arena, files={"program": (b"  \n", "robot.py")}), 400, "judge.error.empty_program")
    answer(upload(client, arena, files={"program": (b"\xff\xfe", "robot.py")}), 400, "judge.error.program_not_text")
    unreadable = answer(upload(client, arena, raw=b'{"format": "roboarena-trace"}\n', filename="run.jsonl"), 400,
                        any_error=True)
    assert unreadable.json["error"].startswith("trace.") and "run.jsonl" in unreadable.json["message"]["en"]
    answer(upload(client, arena, sender="nobody"), 401, "judge.error.no_token")
    answer(upload(client, arena, sender="stranger"), 401, "judge.error.bad_token")
    answer(upload(client, arena, sender="viewer", files={"trace": (trace_bytes, "run.jsonl.gz")}), 403,
           "judge.error.forbidden")
    answer(upload(client, arena, round_id=999), 404, "judge.error.no_round")
    answer(upload(client, arena, team="Eels"), 404, "judge.error.no_team")
    other_challenge = with_header(trace_bytes, lambda header: header["challenge"].update(id="maze"))
    answer(upload(client, arena, raw=other_challenge, filename="run.jsonl"), 409, "judge.error.wrong_challenge")
    other_version = with_header(trace_bytes, lambda header: header["challenge"].update(hash="sha256:" + "ab" * 32))
    answer(upload(client, arena, raw=other_version, filename="run.jsonl"), 409, "judge.error.pack_mismatch")
    answer(upload(client, arena, files={"program": (b"#" * 300_000, "robot.py")}), 413,
           "judge.error.program_too_large")
    app.config["MAX_CONTENT_LENGTH"] = 1000
    answer(upload(client, arena, raw=trace_bytes), 413, "judge.error.too_large")
    # Signed in by the session cookie, as a page's script is, but without the CSRF header.
    login_as(client, arena.admin)
    answer(client.post(f"/api/rounds/{arena.ids['round_id']}/runs", data={"team": "Ants"}), 400, "judge.error.csrf")

    documented = schema.find_operation_by_label(UPLOAD).definition.raw["responses"]
    assert set(map(str, answers)) == set(documented), "a documented status the server never gives, or the reverse"
    for status, errors in answers.items():
        for error in errors - {None}:
            assert names(documented[str(status)].get("x-message-ids", []), error), (status, error)


def names(message_ids: list[str], error: str) -> bool:
    """Whether the documented ids name ``error`` (an id ending in ``.*`` names a family: ``trace.*``)."""
    return any(error == known or (known.endswith(".*") and error.startswith(known[:-1])) for known in message_ids)


def test_every_answer_the_reads_document_really_happens_in_its_documented_shape(app, arena, trace_bytes):
    app.config["LIVE_STREAM_SECONDS"] = 0        # the event stream sends the state once, then ends
    client, schema = app.test_client(), loaded_schema(app)
    run = upload(client, arena, files={"trace": (trace_bytes, "run.jsonl.gz")}).json["run"]
    round_id, competition_id = arena.ids["round_id"], arena.ids["competition_id"]

    def get(path, sender="admin"):
        return client.get(path, headers={"Authorization": arena.authorization[sender]})

    made = {
        "GET /api/runs/{run_id}": [get(f"/api/runs/{run}"), get("/api/runs/999")],
        "GET /api/rounds/{round_id}/leaderboard": [get(f"/api/rounds/{round_id}/leaderboard"),
                                                   get("/api/rounds/999/leaderboard")],
        "GET /api/rounds/{round_id}/projector": [get(f"/api/rounds/{round_id}/projector?view=live"),
                                                 get("/api/rounds/999/projector")],
        "GET /api/rounds/{round_id}/events": [get(f"/api/rounds/{round_id}/events"), get("/api/rounds/999/events")],
        "GET /api/runs/{run_id}/sheet": [get(f"/api/runs/{run}/sheet?started_at_ms=0"),
                                         get(f"/api/runs/{run}/sheet", "nobody"),
                                         get(f"/api/runs/{run}/sheet", "viewer"), get("/api/runs/999/sheet")],
        "GET /api/runs/{run_id}/appeals": [get(f"/api/runs/{run}/appeals"), get(f"/api/runs/{run}/appeals", "nobody"),
                                           get(f"/api/runs/{run}/appeals", "viewer"), get("/api/runs/999/appeals")],
        "GET /api/competitions/{competition_id}/appeals": [
            get(f"/api/competitions/{competition_id}/appeals?status=all"),
            get(f"/api/competitions/{competition_id}/appeals", "stranger"),
            get(f"/api/competitions/{competition_id}/appeals", "viewer"), get("/api/competitions/999/appeals")],
        "GET /api/competitions/{competition_id}/audit": [
            get(f"/api/competitions/{competition_id}/audit?since=2000-01-01"),
            get(f"/api/competitions/{competition_id}/audit?until=yesterday"),
            get(f"/api/competitions/{competition_id}/audit", "nobody"),
            get(f"/api/competitions/{competition_id}/audit", "viewer"), get("/api/competitions/999/audit")],
        "GET /api/openapi.json": [get("/api/openapi.json")],
        "GET /api/docs": [get("/api/docs")],
    }
    assert set(made) == {f"GET {template}" for method, template, _ in operations(document()) if method == "get"}
    for responses in made.values():          # a NUL in a query text: refused, on every operation
        responses.append(get(responses[0].request.path + "?note=%00"))
    for label, responses in made.items():
        for response in responses:
            conforms(schema, label, response)
        documented = schema.find_operation_by_label(label).definition.raw["responses"]
        assert {str(response.status_code) for response in responses} == set(documented), label
    board = made["GET /api/rounds/{round_id}/leaderboard"][0].json
    assert [row["team"] for row in board["rows"]] == ["Ants"] and board["rows"][0]["best_run"] == run
    # The stream's event carries the projector's state (its shape was checked with the rest above).
    stream = made["GET /api/rounds/{round_id}/events"][0].get_data(as_text=True)
    state = json.loads(next(line for line in stream.splitlines() if line.startswith("data: "))[len("data: "):])
    assert state["round"] == round_id and state["rows"][0]["team"] == "Ants"


def test_the_answers_of_the_sheet_the_gate_appeals_and_setup_have_their_documented_shape(app, arena, trace_bytes):
    """The other writes, through a short competition day: every answer is one the document
    lists, with the documented body."""
    client, schema = app.test_client(), loaded_schema(app)
    round_id, competition_id = arena.ids["round_id"], arena.ids["competition_id"]

    def post(label, path, body, status, sender="admin"):
        response = client.post(path, json=body, headers={"Authorization": arena.authorization[sender]})
        conforms(schema, label, response)
        assert response.status_code == status, (label, response.status_code, response.json)
        return response.json

    # A run on the field, as the referee's page starts one.
    with app.app_context():
        session = db.session()
        on_field = Run(round_id=round_id, team=session.scalars(select(Team).where(Team.name == "Bees")).one(),
                       source="referee", status="on-field", version=1)
        session.add(on_field)
        session.commit()
        field_run = on_field.id
    gate = "POST /api/rounds/{round_id}/gate"
    assert post(gate, f"/api/rounds/{round_id}/gate", {"board_ms": 1000, "device": "gate-1"}, 201)["run"] == field_run
    assert post(gate, f"/api/rounds/{round_id}/gate", [{"board_ms": 1000, "device": "gate-1"}], 200)["repeated"] == 1
    post(gate, f"/api/rounds/{round_id}/gate", {"board_ms": -1}, 400)
    post(gate, f"/api/rounds/{round_id}/gate", {"board_ms": 1}, 403, sender="viewer")
    post(gate, "/api/rounds/999/gate", {"board_ms": 1}, 404)

    sheet_label, sheet_path = "POST /api/runs/{run_id}/sheet", f"/api/runs/{field_run}/sheet"
    sheet = {"base_version": 1, "elapsed_ms": 30_000, "taps": [{"event": "finished", "t_ms": 30_000}],
             "captain_confirmed": True, "captain": "Bees"}
    post(sheet_label, sheet_path, {**sheet, "captain_confirmed": False}, 400)
    scored = post(sheet_label, sheet_path, sheet, 200)
    assert scored["status"] == "scored" and scored["source"] == "referee" and "score_detail" in scored
    assert post(sheet_label, sheet_path, sheet, 200)["repeated"] is True
    post(sheet_label, sheet_path, {**sheet, "captain": "Ants"}, 409)
    post(sheet_label, sheet_path, sheet, 403, sender="viewer")
    post(sheet_label, "/api/runs/999/sheet", sheet, 404)

    file_label, appeals_path = "POST /api/runs/{run_id}/appeals", f"/api/runs/{field_run}/appeals"
    post(file_label, appeals_path, {"reason": ""}, 400)
    appeal = post(file_label, appeals_path, {"reason": "The gate missed our second lap."}, 201)
    post(file_label, appeals_path, {"reason": "Again."}, 409)
    post(file_label, appeals_path, {"reason": "Ours?"}, 403, sender="viewer")
    post(file_label, "/api/runs/999/appeals", {"reason": "Lost run."}, 404)
    resolve_label, resolve_path = "POST /api/appeals/{appeal_id}/resolve", f"/api/appeals/{appeal['appeal']}/resolve"
    post(resolve_label, resolve_path, {"decision": "maybe", "resolution": "?"}, 400)
    post(resolve_label, resolve_path, {"decision": "reject", "resolution": "No."}, 403, sender="viewer")
    resolved = post(resolve_label, resolve_path, {"decision": "uphold", "resolution": "Voided.", "action": "void"}, 200)
    assert resolved["status"] == "upheld" and resolved["audit_id"] is not None
    post(resolve_label, resolve_path, {"decision": "reject", "resolution": "Late."}, 409)
    post(resolve_label, "/api/appeals/999/resolve", {"decision": "reject", "resolution": "?"}, 404)

    post("POST /api/competitions", "/api/competitions", {"name": "Spring cup"}, 201)
    post("POST /api/competitions", "/api/competitions", {"name": "Spring cup"}, 409)
    post("POST /api/competitions", "/api/competitions", {}, 400)
    post("POST /api/competitions", "/api/competitions", {"name": "Mine"}, 403, sender="viewer")
    rounds = "POST /api/competitions/{competition_id}/rounds"
    assert post(rounds, f"/api/competitions/{competition_id}/rounds", {"challenge": "line-follow"}, 201)["pack_hash"] \
        .startswith("sha256:")
    post(rounds, f"/api/competitions/{competition_id}/rounds", {"challenge": "no-such-challenge"}, 400)
    post(rounds, "/api/competitions/999/rounds", {"challenge": "line-follow"}, 404)
    teams = "POST /api/competitions/{competition_id}/teams"
    post(teams, f"/api/competitions/{competition_id}/teams", {"name": "Cats", "school": "No. 2 Middle"}, 201)
    post(teams, f"/api/competitions/{competition_id}/teams", {"name": "Cats"}, 409)
    post(teams, f"/api/competitions/{competition_id}/teams", {"school": "No. 2 Middle"}, 400)
    post(teams, "/api/competitions/999/teams", {"name": "Eels"}, 404)


# --- server errors the fuzzing once found, kept as regression tests ---------------------------------------
BOTH = ("sqlite", "postgresql")
PG = ("postgresql",)
# (what, where it failed, method, path, request arguments).
KNOWN_SERVER_ERRORS = [
    # judge/views/api.py (and every view that looks an id up): Flask's <int:...> takes any
    # size of number, the id columns do not (PostgreSQL: 32-bit, SQLite: 64-bit).
    ("run id 2**31", PG, "GET", f"/api/runs/{2**31}", {}),
    ("run id 2**63", BOTH, "GET", f"/api/runs/{2**63}", {}),
    ("round id 2**31", PG, "GET", f"/api/rounds/{2**31}/leaderboard", {}),
    # judge/views/audit_log.py filtered_entries: `0 < older_than <= 2**31` lets 2**31 through.
    ("audit before=2**31", PG, "GET", f"/api/competitions/1/audit?before={2**31}", {}),
    # PostgreSQL refuses NUL in text: every text from a request compared or stored as it came.
    ("NUL in an upload's team", PG, "POST", "/api/rounds/1/runs", {"data": {"team": "Ants\x00"}}),
    ("NUL in the audit's action filter", PG, "GET", "/api/competitions/1/audit?action=%00", {}),
    ("NUL in the appeals' status filter", PG, "GET", "/api/competitions/1/appeals?status=%00", {}),
    ("NUL in a gate's device", PG, "POST", "/api/rounds/1/gate", {"json": {"board_ms": 5, "device": "gate\x00"}}),
    ("NUL in a team's name", PG, "POST", "/api/competitions/1/teams", {"json": {"name": "Eels\x00"}}),
    # judge/views/api.py upload_run: Run.idempotency_key is String(200), the key is not checked.
    ("an Idempotency-Key of 201 characters", PG, "POST", "/api/rounds/1/runs",
     {"data": {"team": "Ants", "program": (b"robot.drive(200)\n", "robot.py")},
      "headers": {"Idempotency-Key": "k" * 201}}),
    # judge/views/setup.py _text: `.get` on a JSON body that is not an object.
    ("a JSON list as a new competition", BOTH, "POST", "/api/competitions", {"json": [1, 2]}),
    ("a JSON string as a new competition", BOTH, "POST", "/api/competitions", {"json": "City cup"}),
]


@pytest.mark.parametrize("what, where, method, path, arguments", KNOWN_SERVER_ERRORS,
                         ids=[case[0] for case in KNOWN_SERVER_ERRORS])
def test_bad_input_is_refused_never_a_server_error(app, arena, what, where, method, path, arguments):
    app.config["PROPAGATE_EXCEPTIONS"] = False          # a crash is answered as the server would: 500
    arguments = dict(arguments)
    if "data" in arguments:
        arguments["data"] = {key: (io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
                             for key, value in arguments["data"].items()}
    headers = {"Authorization": arena.authorization["admin"]} | arguments.pop("headers", {})
    response = app.test_client().open(path, method=method, headers=headers, **arguments)
    assert response.status_code < 500, (what, response.status_code)


def test_a_runs_time_carries_its_zone(app, arena, trace_bytes):
    """SQLite hands times back without their zone; the API gives them with it, on both."""
    client = app.test_client()
    run = upload(client, arena, files={"trace": (trace_bytes, "run.jsonl.gz")}).json["run"]
    created_at = client.get(f"/api/runs/{run}").json["created_at"]
    assert datetime.fromisoformat(created_at).utcoffset() is not None, created_at


# --- generated requests ------------------------------------------------------------------------------------

@pytest.fixture
def api_schema(app, arena, trace_bytes):
    """The app's document as schemathesis reads it, with a hook that aims generated requests
    at what exists (a round, a run, teams) and sends them as someone (see AIMS, SENDERS)."""
    # Who sends a request is chosen below, so schemathesis leaves Authorization alone.
    config = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False, "allow-x00": True}})
    schema = loaded_schema(app, config)
    # A scored run, for the reads of a run to find.
    arena.ids["run_id"] = upload(app.test_client(), arena, files={"trace": (trace_bytes, "run.jsonl.gz")}).json["run"]

    @schema.hook
    def flatmap_case(context, case):
        return st.tuples(st.sampled_from(AIMS), st.sampled_from(SENDERS)).map(
            lambda choice: sent_by(aimed(case, choice[0], arena, trace_bytes), choice[1], arena))

    return schema


# How a generated request is sent: as generated (mostly 404s: ids and names that do not
# exist), aimed at the competition's real round, run and teams, or (on the upload) carrying
# a real trace, which scores, as the request body or as a form's file, or a program.
AIMS = ("as generated", "at what exists", "a real trace", "a real trace in a form", "a program in a form")
# Who sends it: the admin, a viewer (who may read but not submit), nobody, or a made-up token.
SENDERS = ("admin", "viewer", "nobody", "stranger")


def aimed(case, aim: str, arena, trace_bytes: bytes):
    """``case`` changed as ``aim`` says."""
    if aim == "as generated":
        return case
    case.path_parameters = {name: arena.ids.get(name, 1) for name in case.path_parameters or {}}
    if isinstance(case.body, dict) and "team" in case.body:
        case.body = {**case.body, "team": TEAMS[0]}
    if "team" in (case.query or {}):
        case.query = {**case.query, "team": TEAMS[0]}
    if f"{case.method.upper()} {case.path}" != UPLOAD:
        return case
    if aim == "a real trace":
        case.media_type, case.body = "application/octet-stream", trace_bytes
        case.query = {**(case.query or {}), "team": TEAMS[1]}
        case.headers = {**(case.headers or {}), "X-Trace-Filename": "run.jsonl.gz"}
    elif aim == "a real trace in a form":
        case.media_type, case.body = "multipart/form-data", {"team": TEAMS[1], "trace": trace_bytes}
    elif aim == "a program in a form":
        generated = case.body.get("program") if isinstance(case.body, dict) else None
        case.media_type = "multipart/form-data"
        case.body = {"team": TEAMS[0], "program": generated or b"robot.drive(200)\n"}
    return case


def sent_by(case, sender: str, arena):
    case.headers = {**(case.headers or {}), "Authorization": arena.authorization[sender]}
    return case


# Driven by hypothesis directly (not schemathesis's pytest plugin, which follows pytest's
# internals and breaks with their changes): valid and invalid requests for each operation.
@pytest.mark.parametrize("label", fuzzed_operations(document()))
def test_the_api_answers_generated_requests_as_documented(api_schema, arena, label):
    operation = api_schema.find_operation_by_label(label)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(max_examples=25, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    def answers_as_documented(case):
        case.call_and_validate(checks=CHECKS)

    answers_as_documented()
