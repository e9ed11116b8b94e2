"""The judging server's foundation: `judge init`, trace upload and scoring against the
round's pinned pack, idempotent uploads, the leaderboard (JSON and page), tokens.

Each test gets a fresh app and database (SQLite and PostgreSQL: see conftest.py), made by
the same migration path as `roboarena judge init`. The traces are real simulator runs, made once per module."""

import gzip
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from judge_helpers import SLOWER

from roboarena.challenges.pack import load_challenge
from roboarena.cli import main
from roboarena.judge import create_app, db
from roboarena.judge.models import ApiToken, Competition, Membership, Round, Run, Team, User



@pytest.fixture(scope="module")
def traces(sim_trace):
    """Real simulator runs (shared, see conftest): fast1 scores a little more than fast0, slow clearly less."""
    return {"fast0": sim_trace(seed=0), "fast1": sim_trace(seed=1), "slow": sim_trace(seed=0, edits=SLOWER)}


@pytest.fixture
def arena(app):
    """A competition with one line-follow round, four teams, a referee and a viewer with tokens."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow final",
                       pack_hash=load_challenge("line-follow").content_hash)
        teams = [Team(competition=competition, name=name, school="No. 1 Primary") for name in ("Ants", "Bees", "Cats", "Dogs")]
        tokens = {}
        for role in ("referee", "viewer"):
            user = User(username=role, role="member")
            user.set_password("not-used")
            if role == "referee":                # a viewer is anyone: no membership needed
                session.add(Membership(user=user, competition=competition, role="referee"))
            row, tokens[role] = ApiToken.issue(user)
            session.add(row)
        session.add_all([round_, *teams])
        session.commit()
        return SimpleNamespace(round_id=round_.id, tokens=tokens)


def upload(client, arena, path, team, token=None, key=None, name=None):
    headers = {"Authorization": f"Bearer {token or arena.tokens['referee']}"}
    if key:
        headers["Idempotency-Key"] = key
    with open(path, "rb") as stream:
        return client.post(f"/api/rounds/{arena.round_id}/runs", headers=headers,
                           data={"team": team, "trace": (stream, name or path.name)})


def run_count(app):
    with app.app_context():
        return db.session().query(Run).count()


def test_init_prints_a_password_once_and_a_second_init_only_upgrades(tmp_path, capsys):
    instance = tmp_path / "judge"
    assert main(["judge", "--instance", str(instance), "init"]) == 0
    first = capsys.readouterr().out
    password = re.search(r"this once \(write it down now\): (\S+)", first).group(1)
    assert main(["judge", "--instance", str(instance), "init"]) == 0      # an upgrade is a normal second run
    second = capsys.readouterr().out
    assert "already exists" in second and password not in second
    app = create_app({"INSTANCE_PATH": instance})
    with app.app_context():
        admins = db.session().query(User).filter_by(role="admin").all()
        assert len(admins) == 1 and admins[0].check_password(password)
        assert admins[0].password_hash != password
    db.dispose(app)
    assert (instance / "secret_key").read_text().strip() == app.config["SECRET_KEY"]


def test_token_command_prints_a_token_that_the_api_accepts(app, arena, client, capsys, traces):
    assert main(["judge", "--instance", app.instance_path, "token", "--user", "referee"]) == 0
    token = capsys.readouterr().out.split()[-1]
    assert upload(client, arena, traces["fast0"], "Ants", token=token).status_code == 201


def test_uploaded_traces_are_scored_stored_and_ranked(app, arena, client, traces):
    expected = {}
    for team, name in (("Ants", "slow"), ("Bees", "fast0"), ("Cats", "fast1")):
        response = upload(client, arena, traces[name], team)
        assert response.status_code == 201, response.json
        body = response.json
        assert body["team"] == team and body["success"] and body["breakdown"][0]["id"] == "laps"
        assert "points" in body["explanation"]["en"] and "分" in body["explanation"]["zh"]
        expected[team] = body["score"]
    with app.app_context():
        runs = db.session().query(Run).all()
        assert len(runs) == 3
        assert all((Path(app.instance_path) / run.trace_path).is_file() for run in runs)
    board = client.get(f"/api/rounds/{arena.round_id}/leaderboard").json
    assert board["tie_break"] == ["score", "time", "fewer:off-path"]
    order = [row["team"] for row in board["rows"]]
    assert order == sorted(expected, key=lambda team: -expected[team])
    assert order[-1] == "Ants"                     # the slow program scores least
    assert [row["rank"] for row in board["rows"]] == [1, 2, 3]
    assert all(row["tie_break"] is None for row in board["rows"])


def test_a_tie_is_explained_by_the_tie_break(arena, client, traces):
    for team in ("Dogs", "Bees"):
        assert upload(client, arena, traces["fast0"], team).status_code == 201
    assert upload(client, arena, traces["slow"], "Ants").status_code == 201
    rows = client.get(f"/api/rounds/{arena.round_id}/leaderboard").json["rows"]
    assert [row["team"] for row in rows] == ["Bees", "Dogs", "Ants"]
    assert rows[1]["rank"] == rows[0]["rank"] == 1 and rows[2]["rank"] == 3
    assert rows[1]["tie_break"]["tied"] and rows[1]["tie_break"]["separated_by"] is None
    assert "Tied with Bees on every tie-break (score, time, fewer off-path)" in rows[1]["tie_break"]["explanation"]["en"]
    assert "名次并列" in rows[1]["tie_break"]["explanation"]["zh"]


def test_a_tie_on_score_is_separated_by_the_next_key(app, arena, client, traces):
    for team in ("Bees", "Dogs"):
        assert upload(client, arena, traces["fast0"], team).status_code == 201
    with app.app_context():          # same score, Dogs a tenth of a second slower: time decides
        run = db.session().query(Run).join(Team).filter(Team.name == "Dogs").one()
        run.time_s += 0.1
        db.session().commit()
    rows = client.get(f"/api/rounds/{arena.round_id}/leaderboard").json["rows"]
    assert [row["team"] for row in rows] == ["Bees", "Dogs"] and rows[1]["rank"] == 2
    assert rows[1]["tie_break"]["separated_by"] == "time"
    assert rows[1]["tie_break"]["explanation"]["en"] == "Same score as Bees; placed by time"


def test_a_repeated_idempotency_key_returns_the_first_run(app, arena, client, traces):
    first = upload(client, arena, traces["fast0"], "Ants", key="tablet-7-run-1")
    again = upload(client, arena, traces["fast1"], "Ants", key="tablet-7-run-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["run"] == first.json["run"] and again.json["score"] == first.json["score"]
    assert run_count(app) == 1
    assert upload(client, arena, traces["fast0"], "Bees", key="tablet-7-run-1").status_code == 201   # per team


def test_a_raw_body_upload_works_too(arena, client, traces):
    response = client.post(f"/api/rounds/{arena.round_id}/runs?team=Ants", data=traces["fast1"].read_bytes(),
                           headers={"Authorization": f"Bearer {arena.tokens['referee']}",
                                    "Content-Type": "application/octet-stream", "X-Trace-Filename": "run.jsonl.gz"})
    assert response.status_code == 201 and response.json["team"] == "Ants"


def test_a_truncated_trace_is_refused_with_the_reason(app, arena, client, traces, tmp_path):
    lines = gzip.decompress(traces["fast0"].read_bytes()).splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(b"".join(lines[: len(lines) // 2]))
    response = upload(client, arena, cut, "Ants")
    assert response.status_code == 400
    assert response.json["error"] == "trace.truncated"
    assert "cut short" in response.json["message"]["en"] and "不完整" in response.json["message"]["zh"]
    assert "cut.jsonl" in response.json["message"]["en"] and app.instance_path not in response.json["message"]["en"]
    assert run_count(app) == 0


def test_a_trace_of_another_pack_version_is_refused(app, arena, client, traces, tmp_path):
    lines = gzip.decompress(traces["fast0"].read_bytes()).split(b"\n", 1)
    header = json.loads(lines[0])
    header["challenge"]["hash"] = "sha256:" + "ab" * 32
    other = tmp_path / "other.jsonl"
    other.write_bytes(json.dumps(header).encode() + b"\n" + lines[1])
    response = upload(client, arena, other, "Ants")
    assert response.status_code == 409 and response.json["error"] == "judge.error.pack_mismatch"
    assert "ab" * 32 in response.json["message"]["en"]
    assert load_challenge("line-follow").content_hash in response.json["message"]["en"]
    assert "哈希" in response.json["message"]["zh"]
    assert run_count(app) == 0


@pytest.mark.parametrize("authorization, message", [
    (None, "judge.error.no_token"),
    ("Bearer not-a-token", "judge.error.bad_token"),
    ("Basic dXNlcjpwYXNz", "judge.error.no_token"),
])
def test_no_or_a_wrong_token_is_refused(app, arena, client, traces, authorization, message):
    headers = {"Authorization": authorization} if authorization else {}
    with open(traces["fast0"], "rb") as stream:
        response = client.post(f"/api/rounds/{arena.round_id}/runs", headers=headers,
                               data={"team": "Ants", "trace": (stream, "run.jsonl.gz")})
    assert response.status_code == 401 and response.json["error"] == message
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert run_count(app) == 0


def test_a_viewer_may_not_upload_and_an_unknown_team_is_named(arena, client, traces):
    assert upload(client, arena, traces["fast0"], "Ants", token=arena.tokens["viewer"]).status_code == 403
    response = upload(client, arena, traces["fast0"], "Eels")
    assert response.status_code == 404 and "'Eels'" in response.json["message"]["en"]


def test_the_page_renders_in_the_language_asked_for(arena, client, traces):
    for team in ("Bees", "Dogs"):
        upload(client, arena, traces["fast0"], team)
    page = client.get(f"/rounds/{arena.round_id}?lang=zh").get_data(as_text=True)
    assert "排行榜" in page and "名次" in page and "巡线竞速" in page and "名次并列" in page
    assert 'lang="zh-CN"' in page and "http" not in page.split("<body>")[0]     # nothing from the internet
    page = client.get(f"/rounds/{arena.round_id}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "排行榜" in page
    page = client.get(f"/rounds/{arena.round_id}").get_data(as_text=True)
    assert "leaderboard" in page and "Bees" in page
    assert client.get("/rounds/999").status_code == 404


def test_the_leaderboard_is_served_from_its_cache_until_a_new_run_arrives(app, arena, client, traces):
    from roboarena.judge import standings as standings_module

    assert upload(client, arena, traces["slow"], "Ants").status_code == 201
    computed = []
    original = standings_module.standings

    def counting(challenge, round_, until=None):
        computed.append(round_.id)
        return original(challenge, round_, until)

    standings_module.standings = counting
    try:
        first = client.get(f"/api/rounds/{arena.round_id}/leaderboard").get_json()["rows"]
        again = client.get(f"/api/rounds/{arena.round_id}/leaderboard").get_json()["rows"]
        assert first == again and len(computed) == 1           # the second read came from the cache
        assert upload(client, arena, traces["fast0"], "Bees").status_code == 201
        after = client.get(f"/api/rounds/{arena.round_id}/leaderboard").get_json()["rows"]
    finally:
        standings_module.standings = original
    assert len(computed) == 2 and [row["team"] for row in after] == ["Bees", "Ants"]


def test_tokens_never_look_like_command_line_options():
    tokens = [ApiToken.issue(User(username=f"u{i}", role="team"))[1] for i in range(300)]
    assert all(token.startswith("ra_") for token in tokens) and len(set(tokens)) == 300
