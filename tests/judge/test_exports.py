"""The exports: results as CSV for Excel (a byte-order mark, headers in the reader's language,
Chinese names intact, ranks in leaderboard order, formula-looking names defused) and as JSON
(the same rows); the final standings even while a leaderboard is frozen; ``?round=``; who
may export; the certificates, one per ranked team per round with the award its place earns.

The traces are real simulator runs (four different scores), made once per module."""

import csv
import io
import re
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from judge_helpers import SLOWER, login_as, make_account

from roboarena.challenges.pack import load_challenge
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Team

BOM = b"\xef\xbb\xbf"
TEAMS = {"闪电队": "第一小学", "Bees": "No. 2 Primary", "=Owls": "No. 3 Primary", "Dogs": "第一小学"}
EN_HEADER = ["Round", "Rank", "Team", "School", "Score", "Time (s)", "Runs", "Best run", "Tie-break"]
ZH_HEADER = ["轮次", "名次", "队伍", "学校", "得分", "用时（秒）", "次数", "最佳运行编号", "同分判定"]


@pytest.fixture(scope="module")
def traces(sim_trace):
    """Four runs, best first: the fast program on seeds 1 and 0, the slow one on seeds 1 and 0."""
    return [sim_trace(seed=1), sim_trace(seed=0), sim_trace(seed=1, edits=SLOWER), sim_trace(seed=0, edits=SLOWER)]


@pytest.fixture
def cup(app, client, traces):
    """Two line-follow rounds with four teams and each team's run in each (in another order
    in the second round), and one account for every role."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="区青少年机器人赛")
        pack_hash = load_challenge("line-follow").content_hash
        rounds = [Round(competition=competition, challenge_id="line-follow", title=title, pack_hash=pack_hash)
                  for title in ("巡线初赛", "巡线决赛")]
        teams = {name: Team(competition=competition, name=name, school=school) for name, school in TEAMS.items()}
        session.add_all([*rounds, *teams.values()])
        session.commit()
        ids = SimpleNamespace(competition=competition.id, rounds=[round_.id for round_ in rounds],
                              lightning=teams["闪电队"].id)
    accounts = {"admin": make_account(app, "admin", "admin"),
                "coach": make_account(app, "coach", "coach", ids.competition, school="第一小学"),
                "referee": make_account(app, "referee", "referee", ids.competition),
                "team": make_account(app, "lightning", "team", ids.competition, team_id=ids.lightning),
                "viewer": make_account(app, "viewer", "viewer"), "anonymous": None}
    cup = SimpleNamespace(ids=ids, accounts=accounts)
    for round_id, order in zip(ids.rounds, (["闪电队", "Bees", "=Owls", "Dogs"], ["Dogs", "=Owls", "闪电队", "Bees"])):
        for team, trace in zip(order, traces):
            upload(client, cup, round_id, team, trace)
    return cup


def upload(client, cup, round_id, team, trace):
    response = client.post(f"/api/rounds/{round_id}/runs",
                           headers={"Authorization": f"Bearer {cup.accounts['referee']['token']}"},
                           data={"team": team, "trace": (io.BytesIO(trace.read_bytes()), trace.name)})
    assert response.status_code == 201, response.json


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(BOM)
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def export(client, cup, path, who="admin", **query):
    login_as(client, cup.accounts[who])
    return client.get(f"/competitions/{cup.ids.competition}/{path}", query_string=query)


def test_the_results_csv_opens_in_excel_with_chinese_names_and_headers_in_the_readers_language(client, cup):
    english = read_csv(export(client, cup, "results.csv", lang="en"))
    chinese = read_csv(export(client, cup, "results.csv", lang="zh"))
    assert english[0] == EN_HEADER and chinese[0] == ZH_HEADER
    assert english[1:] != [] and [row[:8] for row in english[1:]] == [row[:8] for row in chinese[1:]]
    for round_id, title in zip(cup.ids.rounds, ("巡线初赛", "巡线决赛")):
        board = client.get(f"/api/rounds/{round_id}/leaderboard").json["rows"]
        rows = [row for row in english[1:] if row[0] == title]
        assert [(row[1], row[2].removeprefix("'"), row[3]) for row in rows] == \
            [(str(entry["rank"]), entry["team"], entry["school"]) for entry in board]
        assert [row[1] for row in rows] == ["1", "2", "3", "4"]
    assert {row[2] for row in english[1:]} == {"闪电队", "Bees", "'=Owls", "Dogs"}   # a formula name stays text
    assert english[1][:3] == ["巡线初赛", "1", "闪电队"] and english[1][3] == "第一小学"


def test_the_json_holds_the_same_rows_as_the_csv(client, cup):
    table = read_csv(export(client, cup, "results.csv", lang="en"))[1:]
    body = export(client, cup, "results.json").json
    assert body["competition"]["name"] == "区青少年机器人赛"
    assert [round_["round"] for round_ in body["rounds"]] == cup.ids.rounds
    flat = [(round_["title"], row) for round_ in body["rounds"] for row in round_["rows"]]
    assert len(flat) == len(table) == 8
    for (title, row), line in zip(flat, table):
        assert [title, str(row["rank"]), row["team"], row["school"], str(row["score"]), str(row["time_s"]),
                str(row["runs"]), str(row["best_run"])] == [line[0], line[1], line[2].removeprefix("'"), *line[3:8]]


def test_a_round_filter_narrows_every_export_to_that_round(client, cup):
    final = cup.ids.rounds[1]
    rows = read_csv(export(client, cup, "results.csv", round=final))[1:]
    assert len(rows) == 4 and {row[0] for row in rows} == {"巡线决赛"} and rows[0][2] == "Dogs"
    assert [round_["round"] for round_ in export(client, cup, "results.json", round=final).json["rounds"]] == [final]
    html = export(client, cup, "certificates", round=final).get_data(as_text=True)
    assert set(re.findall(r'data-round="(\d+)"', html)) == {str(final)}
    missing = export(client, cup, "results.csv", round=999, lang="en")
    assert missing.status_code == 404
    assert f"round=999 is not a round of this competition. Its rounds are: {cup.ids.rounds[0]} (巡线初赛)" in \
        missing.get_data(as_text=True)


def test_the_exports_give_the_final_standings_while_the_leaderboard_is_frozen(app, client, cup, traces):
    heat = cup.ids.rounds[0]
    with app.app_context():
        db.session().get(Round, heat).frozen_at = datetime.now(timezone.utc)        # after the cup's runs
        db.session().commit()
    upload(client, cup, heat, "Dogs", traces[0])             # Dogs, last so far, now ties for first
    public = client.get(f"/api/rounds/{heat}/leaderboard").json
    assert public["frozen"] and public["rows"][-1]["team"] == "Dogs"
    rows = read_csv(export(client, cup, "results.csv", lang="en", round=heat))[1:]
    assert [(row[1], row[2]) for row in rows] == [("1", "Dogs"), ("1", "闪电队"), ("3", "Bees"), ("4", "'=Owls")]
    assert rows[1][8].startswith("Tied with Dogs on every tie-break")


ROUTES = ("exports", "results.csv", "results.json", "certificates", "certificates.csv")


@pytest.mark.parametrize("who, status", [("admin", 200), ("coach", 200), ("referee", 200), ("team", 403),
                                         ("viewer", 403), ("anonymous", 302)])
def test_who_may_export_follows_the_permission_table(client, cup, who, status):
    for route in ROUTES:
        response = export(client, cup, route, who=who, lang="en")
        assert response.status_code == status, route
        if status == 403:
            assert "Your account may not do this here" in response.get_data(as_text=True)
        if status == 302:
            assert "/login" in response.headers["Location"]


def test_a_client_exports_with_its_token(client, cup):
    login_as(client, None)
    headers = {"Authorization": f"Bearer {cup.accounts['coach']['token']}"}
    assert client.get(f"/competitions/{cup.ids.competition}/results.json", headers=headers).status_code == 200
    refused = client.get(f"/competitions/{cup.ids.competition}/results.json", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and refused.json["error"] == "judge.error.bad_token"


def certificates_on_page(html: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<section class="certificate" data-round="(\d+)" data-team="([^"]+)" data-award="(\w+)"', html)


def test_every_ranked_team_gets_one_certificate_per_round_with_the_award_of_its_place(client, cup):
    html = export(client, cup, "certificates", lang="zh").get_data(as_text=True)
    found = certificates_on_page(html)
    assert len(found) == 8 and len(set((round_id, team) for round_id, team, _ in found)) == 8
    for round_id, order in zip(cup.ids.rounds, (["闪电队", "Bees", "=Owls", "Dogs"], ["Dogs", "=Owls", "闪电队", "Bees"])):
        assert [(team, award) for found_round, team, award in found if found_round == str(round_id)] == \
            list(zip(order, ["first", "second", "third", "participation"]))
    assert "一等奖" in html and "参与奖" in html and "荣誉证书" in html and "第 1 名" in html
    assert "page-break-after" in html and "@page" in html and "https://" not in html

    english = export(client, cup, "certificates", lang="en").get_data(as_text=True)
    assert "First prize" in english and "1st place" in english and "4th place" in english

    listed = read_csv(export(client, cup, "certificates.csv", lang="en"))
    assert listed[0] == ["Competition", "Round", "Challenge", "Team", "School", "Place", "Score", "Award"]
    assert [(row[3].removeprefix("'"), row[5], row[7]) for row in listed[1:5]] == \
        [("闪电队", "1", "First prize"), ("Bees", "2", "Second prize"), ("=Owls", "3", "Third prize"),
         ("Dogs", "4", "Participation award")]


def test_the_prize_places_can_be_chosen(client, cup):
    found = certificates_on_page(export(client, cup, "certificates", first=1, second=3, third=3,
                                        round=cup.ids.rounds[0]).get_data(as_text=True))
    assert [award for _, _, award in found] == ["first", "second", "second", "participation"]
    refused = export(client, cup, "certificates", first=3, second=2, third=4, lang="en")
    assert refused.status_code == 400
    assert "first ≤ second ≤ third; got first=3, second=2, third=4" in refused.get_data(as_text=True)


def test_a_team_without_a_scored_run_is_named_not_certified(app, client, cup):
    with app.app_context():
        db.session().add(Team(competition_id=cup.ids.competition, name="Late Larks", school="No. 4 Primary"))
        db.session().commit()
    html = export(client, cup, "certificates", lang="en").get_data(as_text=True)
    assert "Late Larks" not in {team for _, team, _ in certificates_on_page(html)}
    assert "No certificate for teams without a scored run in 巡线初赛: Late Larks." in html


def test_the_exports_page_links_every_export(client, cup):
    html = export(client, cup, "exports", lang="en").get_data(as_text=True)
    base = f"/competitions/{cup.ids.competition}"
    for route in ROUTES[1:]:
        assert f'href="{base}/{route}"' in html
        for round_id in cup.ids.rounds:
            assert f'href="{base}/{route}?round={round_id}"' in html
