"""The run page: the score rule by rule and its explanation in Chinese and English, the path
and sensor plots (real PNG images, drawn once and then served from disk), the trace download
byte for byte, runs with no trace or a lost one, a run that does not exist, the appeal form
for the run's own team only, and a run kept from the public while its round is frozen.

The trace is a real simulator run, made once per module."""

import gzip
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from judge_helpers import login_as, make_account
from PIL import Image

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Run, Team
from roboarena.judge.views import runs as runs_view

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def trace(sim_trace):
    return sim_trace(seed=0)


@pytest.fixture
def field(app):
    """A line-follow round with two teams (one Chinese-named), their team accounts, a referee
    who uploads the runs, an admin and a viewer."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="区青少年机器人赛")
        round_ = Round(competition=competition, challenge_id="line-follow", title="巡线决赛",
                       pack_hash=load_challenge("line-follow").content_hash)
        lightning = Team(competition=competition, name="闪电队", school="第一小学")
        bees = Team(competition=competition, name="Bees", school="No. 2 Primary")
        session.add_all([round_, lightning, bees])
        session.commit()
        ids = SimpleNamespace(competition=competition.id, round=round_.id, lightning=lightning.id, bees=bees.id)
    accounts = SimpleNamespace(
        admin=make_account(app, "admin", "admin"),
        referee=make_account(app, "referee", "referee", ids.competition),
        lightning=make_account(app, "lightning", "team", ids.competition, team_id=ids.lightning),
        bees=make_account(app, "bees", "team", ids.competition, team_id=ids.bees),
        viewer=make_account(app, "viewer", "viewer"))
    return SimpleNamespace(ids=ids, accounts=accounts)


def upload(client, field, data: bytes, name: str, team: str = "闪电队") -> int:
    response = client.post(f"/api/rounds/{field.ids.round}/runs",
                           headers={"Authorization": f"Bearer {field.accounts.referee['token']}"},
                           data={"team": team, "trace": (io.BytesIO(data), name)})
    assert response.status_code == 201, response.json
    return response.json["run"]


def add_run(app, field, **columns) -> int:
    """A run put straight into the database, as the referee and evaluator features make them."""
    with app.app_context():
        session = db.session()
        run = Run(round_id=field.ids.round, team_id=field.ids.lightning, **columns)
        session.add(run)
        session.commit()
        return run.id


def page(client, path):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def test_the_page_shows_the_breakdown_and_explanation_in_chinese_and_english(app, client, field, trace):
    run_id = upload(client, field, trace.read_bytes(), trace.name)
    with app.app_context():
        run = db.session().get(Run, run_id)
        breakdown, explanation = run.breakdown, run.explanation
    for lang in ("en", "zh"):
        response, html = page(client, f"/runs/{run_id}?lang={lang}")
        assert response.status_code == 200
        table = html[html.index('id="breakdown"'):html.index("</table>", html.index('id="breakdown"'))]
        for rule in breakdown:
            assert f"<td>{rule['label'][lang]}</td>" in table
        laps = next(rule for rule in breakdown if rule["id"] == "laps")
        assert re.search(rf"<td>{laps['label'][lang]}</td><td class=\"number\">{laps['count']}</td>", table)
        assert explanation[lang] in html
        assert f'href="/rounds/{field.ids.round}"' in html and "闪电队" in html
        assert f'src="/runs/{run_id}/trajectory.png"' in html and f'src="/runs/{run_id}/sensors.png"' in html
        assert f'href="/runs/{run_id}/trace"' in html
    _, english = page(client, f"/runs/{run_id}?lang=en")
    _, chinese = page(client, f"/runs/{run_id}?lang=zh")
    assert "Score, rule by rule" in english and "+100 each" in english and explanation["zh"] not in english
    assert "得分明细" in chinese and "每次 +100" in chinese and explanation["en"] not in chinese


def png(response) -> Image.Image:
    assert response.status_code == 200 and response.content_type == "image/png"
    assert response.data[:8] == PNG_SIGNATURE
    return Image.open(io.BytesIO(response.data)).convert("RGB")


def test_the_plots_are_pngs_of_the_run_drawn_once(app, client, field, trace, monkeypatch):
    run_id = upload(client, field, trace.read_bytes(), trace.name)
    trajectory = png(client.get(f"/runs/{run_id}/trajectory.png"))
    assert trajectory.width >= 600 and trajectory.height >= 300
    path_colour = tuple(int(runs_view.PATH_COLOUR[i:i + 2], 16) for i in (1, 3, 5))
    on_path = int((np.abs(np.asarray(trajectory, dtype=int) - path_colour).sum(axis=2) < 30).sum())
    assert on_path > 1000              # two laps of a 2.4 m track, 2 px wide
    sensors = png(client.get(f"/runs/{run_id}/sensors.png"))
    assert sensors.width >= 600 and sensors.height >= 400
    assert len(np.unique(np.asarray(sensors).reshape(-1, 3), axis=0)) > 50      # drawn lines, not a blank canvas
    # A reload is served from the files under the instance folder, not drawn again.
    assert sorted(path.name.rsplit(".", 2)[1] for path in (Path(app.instance_path) / "plots" / str(run_id)).iterdir()) \
        == ["sensors", "trajectory"]

    def refuse_to_draw(*_args, **_kwargs):
        raise AssertionError("drew again")

    monkeypatch.setattr(runs_view, "draw_plots", refuse_to_draw)
    again = client.get(f"/runs/{run_id}/trajectory.png")
    assert again.status_code == 200 and again.data == client.get(f"/runs/{run_id}/trajectory.png").data
    assert png(client.get(f"/runs/{run_id}/sensors.png")).size == sensors.size


@pytest.mark.parametrize("gzipped", [True, False])
def test_the_trace_download_is_the_uploaded_file(client, field, trace, gzipped):
    data = trace.read_bytes() if gzipped else gzip.decompress(trace.read_bytes())
    run_id = upload(client, field, data, "mine.jsonl.gz" if gzipped else "mine.jsonl")
    response = client.get(f"/runs/{run_id}/trace")
    assert response.status_code == 200
    assert response.data == data
    assert "Content-Encoding" not in response.headers         # a browser must keep it as it is
    disposition = response.headers["Content-Disposition"]
    if gzipped:
        assert response.content_type == "application/gzip"
        assert disposition.endswith(f'line-follow-run-{run_id}.jsonl.gz')
    else:
        assert response.content_type == "application/x-ndjson"
        assert disposition.endswith(f'line-follow-run-{run_id}.jsonl')


@pytest.mark.parametrize("suffix", ["", "/trajectory.png", "/sensors.png", "/trace"])
def test_a_missing_run_is_404_with_a_message(client, field, suffix):
    response, html = page(client, f"/runs/424242{suffix}?lang=en")
    assert response.status_code == 404
    assert "There is no run 424242." in html
    _, chinese = page(client, f"/runs/424242{suffix}?lang=zh")
    assert "没有编号为 424242 的运行记录" in chinese


@pytest.mark.parametrize("status, note", [("on-field", "This run has no trace (no telemetry was recorded)"),
                                          ("pending", "The path and sensor plots appear once the run has been run")])
def test_a_run_without_a_trace_shows_what_it_has_and_no_broken_images(app, client, field, status, note):
    run_id = add_run(app, field, source="referee" if status == "on-field" else "sim", status=status)
    response, html = page(client, f"/runs/{run_id}?lang=en")
    assert response.status_code == 200
    assert "<img" not in html and note in html and "闪电队" in html
    plot, message = page(client, f"/runs/{run_id}/trajectory.png?lang=en")
    assert plot.status_code == 404 and f"Run {run_id} has no trace to show" in message
    assert client.get(f"/runs/{run_id}/trace").status_code == 404


def test_a_referee_run_shows_its_scoresheet_and_score(app, client, field):
    run_id = add_run(app, field, source="referee", status="scored", score=120.0, success=True, time_s=61.5,
                     outcome="finished", scoresheet={"lap": 1, "restart": 2},
                     breakdown=[{"id": "laps", "kind": "event", "label": {"en": "laps", "zh": "圈"}, "count": 1,
                                 "points": 100}],
                     explanation={"en": "Finished at 61.5 s; 1 × laps +100 → 120 points",
                                  "zh": "61.5 秒完成; 1 × 圈 +100 → 共 120 分"})
    _, html = page(client, f"/runs/{run_id}?lang=en")
    assert "Referee&#39;s scoresheet" in html and "<th>restart</th><td>2</td>" in html
    assert "Finished at 61.5 s; 1 × laps +100 → 120 points" in html and "referee on the field" in html
    assert "<img" not in html


def test_a_lost_trace_file_is_said_plainly(app, client, field, trace):
    run_id = upload(client, field, trace.read_bytes(), trace.name)
    with app.app_context():
        stored = Path(app.instance_path) / db.session().get(Run, run_id).trace_path
    stored.unlink()
    response, html = page(client, f"/runs/{run_id}?lang=en")
    assert response.status_code == 200 and "<img" not in html
    assert f"The trace file of run {run_id} is missing from this server" in html
    assert client.get(f"/runs/{run_id}/sensors.png").status_code == 404


@pytest.mark.parametrize("who, sees_form", [("lightning", True), ("admin", True), ("bees", False),
                                            ("viewer", False), (None, False)])
def test_only_those_who_may_appeal_for_the_team_get_the_appeal_form(client, field, trace, who, sees_form):
    run_id = upload(client, field, trace.read_bytes(), trace.name)
    login_as(client, getattr(field.accounts, who) if who else None)
    _, html = page(client, f"/runs/{run_id}")
    form = re.search(rf'<form method="post" action="/runs/{run_id}/appeal">(.*?)</form>', html, re.S)
    assert (form is not None) == sees_form
    if form:
        assert '<textarea name="reason"' in form.group(1) and 'name="csrf_token"' in form.group(1)


def test_a_run_after_the_freeze_is_kept_from_the_public_until_the_awards(app, client, field, trace):
    with app.app_context():
        db.session().get(Round, field.ids.round).frozen_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        db.session().commit()
    run_id = upload(client, field, trace.read_bytes(), trace.name)
    with app.app_context():
        explanation = db.session().get(Run, run_id).explanation["en"]
    for who in (None, field.accounts.viewer, field.accounts.bees):
        login_as(client, who)
        _, html = page(client, f"/runs/{run_id}?lang=en")
        assert "the result of this run will be shown at the awards" in html
        assert explanation not in html and "<img" not in html
        assert client.get(f"/runs/{run_id}/trajectory.png").status_code == 403
        assert client.get(f"/runs/{run_id}/trace").status_code == 403
    for who in (field.accounts.lightning, field.accounts.admin, field.accounts.referee):
        login_as(client, who)
        _, html = page(client, f"/runs/{run_id}?lang=en")
        assert explanation in html
        assert client.get(f"/runs/{run_id}/trace").status_code == 200
