"""The loop through a real server: `roboarena judge init`, a token, waitress serving the
app on loopback, the competition set up through the API, and `roboarena submit` sending a
program (run by the server's evaluator in a child process) and a trace; a repeated
submission makes no second run."""

import json
import re
import threading
import urllib.request
from pathlib import Path

import pytest
from waitress import create_server

from roboarena.cli import main
from roboarena.judge import create_app, db
from roboarena.judge.models import Run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def post(server, path, token, body):
    request = urllib.request.Request(server + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def served(tmp_path, capsys):
    instance = tmp_path / "judge"
    assert main(["judge", "--instance", str(instance), "init"]) == 0
    admin = re.search(r"user (\S+)", capsys.readouterr().out)
    username = admin.group(1).strip("'\"") if admin else "admin"
    assert main(["judge", "--instance", str(instance), "token", "--user", username]) == 0
    token = capsys.readouterr().out.split()[-1]
    app = create_app({"INSTANCE_PATH": instance})
    server = create_server(app, host="127.0.0.1", port=0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", token, app
    server.close()
    db.dispose(app)


def test_set_up_submit_a_program_and_a_trace_and_see_the_leaderboard(served, tmp_path, capsys):
    server, token, app = served
    status, competition = post(server, "/api/competitions", token, {"name": "District cup"})
    assert status == 201
    status, round_ = post(server, f"/api/competitions/{competition['competition']}/rounds", token,
                          {"challenge": "line-follow", "title": "Heat 1"})
    assert status == 201 and round_["pack_hash"].startswith("sha256:")
    for name in ("Ants", "Bees"):
        assert post(server, f"/api/competitions/{competition['competition']}/teams", token,
                    {"name": name, "school": "No. 1 Primary"})[0] == 201
    assert post(server, f"/api/competitions/{competition['competition']}/teams", token, {"name": "Ants"})[0] == 409
    assert post(server, f"/api/competitions/{competition['competition']}/rounds", token,
                {"challenge": "no-such-challenge"})[0] == 400

    base = ["submit", "--server", server, "--round", str(round_["round"]), "--token", token, "--json"]
    assert main(base + ["--team", "Ants", str(EXAMPLES / "line_follower.py")]) == 0
    ants = json.loads(capsys.readouterr().out)
    assert ants["http_status"] == 202 and ants["status"] == "scored" and ants["success"] and ants["score"] > 300     # accepted, then run and scored
    with app.app_context():
        assert db.session().get(Run, ants["run"]).program_path.endswith(".py")

    trace = tmp_path / "bees.jsonl.gz"
    slow = tmp_path / "slow.py"
    slow.write_text((EXAMPLES / "line_follower.py").read_text().replace("SPEED = 250", "SPEED = 150"))
    assert main(["sim", "line-follow", str(slow), "--headless", "--trace", str(trace), "--json"]) == 0
    capsys.readouterr()
    assert main(base + ["--team", "Bees", str(trace)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(base + ["--team", "Bees", str(trace)]) == 0          # sent again (a retry)
    again = json.loads(capsys.readouterr().out)
    assert again["http_status"] == 200 and again["run"] == first["run"]

    with urllib.request.urlopen(f"{server}/api/rounds/{round_['round']}/leaderboard", timeout=10) as response:
        rows = json.loads(response.read())["rows"]
    assert [row["team"] for row in rows] == ["Ants", "Bees"] and [row["runs"] for row in rows] == [1, 1]


def test_submit_without_a_token_or_to_no_server_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ROBOARENA_TOKEN", raising=False)
    trace = tmp_path / "t.jsonl"
    trace.write_text("{}\n")
    assert main(["submit", "--server", "http://127.0.0.1:9", "--round", "1", "--team", "A", str(trace)]) == 2
    assert "ROBOARENA_TOKEN" in capsys.readouterr().err
    assert main(["submit", "--server", "http://127.0.0.1:9", "--round", "1", "--team", "A", "--token", "x",
                 str(trace)]) == 2
    assert "Cannot reach the judge" in capsys.readouterr().err
