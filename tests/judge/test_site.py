"""The coach's pages: signing in (with the password `judge init` printed), the login rate
limit, CSRF on forms, secure cookies, the language switch, accounts whose password is shown
once, coaches registering their own school's teams, and a team submitting a program that
the server runs and scores."""

import re
from pathlib import Path

from judge_helpers import csrf_token, login_as, make_account, post_form

from roboarena.cli import main
from roboarena.judge import db
from roboarena.judge.models import AuditEntry, Competition, Membership, Round, Run, Team, User

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def setup_competition(app, client):
    admin = make_account(app, "boss", "admin")
    login_as(client, admin)
    assert post_form(client, "/competitions", {"name": "区青少年机器人赛"}).status_code == 302
    with app.app_context():
        competition_id = db.session().query(Competition).one().id
    assert post_form(client, f"/competitions/{competition_id}/rounds", {"challenge": "line-follow"}).status_code == 302
    with app.app_context():
        round_id = db.session().query(Round).one().id
    return admin, competition_id, round_id


def test_the_admin_signs_in_with_the_password_init_printed(app, client, capsys):
    assert main(["judge", "--instance", app.instance_path, "init", "--admin", "coach-li"]) == 0
    password = re.search(r"this once \(write it down now\): (\S+)", capsys.readouterr().out).group(1)
    token = csrf_token(client, "/login")
    wrong = client.post("/login", data={"csrf_token": token, "username": "coach-li", "password": "admin"})
    assert wrong.status_code == 401 and "do not match" in wrong.get_data(as_text=True)
    right = client.post("/login?next=/competitions/1", data={"csrf_token": token, "username": "coach-li",
                                                             "password": password})
    assert right.status_code == 302 and right.headers["Location"] == "/competitions/1"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "coach-li" in client.get("/").get_data(as_text=True)


def test_a_login_redirect_never_leaves_the_server(app, client):
    make_account(app, "boss", "admin")
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": csrf_token(client, "/login"),
                                                                 "username": "boss", "password": "pass-word-1"})
    assert response.headers["Location"] == "/"


def test_guessing_passwords_is_slowed_down(app, client):
    make_account(app, "boss", "admin")
    token = csrf_token(client, "/login")
    codes = [client.post("/login", data={"csrf_token": token, "username": "boss", "password": f"guess{i}"}).status_code
             for i in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    right = client.post("/login", data={"csrf_token": token, "username": "boss", "password": "pass-word-1"})
    assert right.status_code == 429 and "Wait a minute" in right.get_data(as_text=True)


def test_a_form_without_its_csrf_token_changes_nothing(app, client):
    login_as(client, make_account(app, "boss", "admin"))
    response = client.post("/competitions", data={"name": "Forged cup"})
    assert response.status_code == 400 and "Reload the page" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().query(Competition).count() == 0


def test_pages_follow_the_browser_language_and_the_switch(app, client):
    assert "比赛" in client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "Competitions" in client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    switched = client.get("/?lang=zh", headers={"Accept-Language": "en-US"})
    assert "比赛" in switched.get_data(as_text=True) and "lang=zh" in switched.headers["Set-Cookie"]
    assert "比赛" in client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)   # remembered


def test_an_account_password_is_shown_once_and_a_coach_registers_their_schools_teams(app, client):
    admin, competition_id, _ = setup_competition(app, client)
    page = post_form(client, f"/competitions/{competition_id}/accounts",
                     {"username": "teacher-wang", "role": "coach", "school": "实验小学"})
    password = re.search(r'data-testid="password">([^<]+)<', page.get_data(as_text=True)).group(1)
    assert "实验小学" not in client.get(f"/competitions/{competition_id}").get_data(as_text=True).split("Accounts")[0]
    login_as(client, None)
    token = csrf_token(client, "/login")
    assert client.post("/login", data={"csrf_token": token, "username": "teacher-wang",
                                       "password": password}).status_code == 302
    # The school posted is ignored: a coach's teams are of the coach's own school.
    post_form(client, f"/competitions/{competition_id}/teams", {"name": "闪电队", "school": "Another school"})
    with app.app_context():
        team = db.session().query(Team).one()
        assert (team.name, team.school) == ("闪电队", "实验小学")
        user = db.session().query(User).filter_by(username="teacher-wang").one()
        assert user.password_hash != password and user.role == "member"
        actions = [entry.action for entry in db.session().query(AuditEntry).order_by(AuditEntry.id)]
        assert actions == ["competition.create", "round.create", "account.create", "team.create"]


def test_a_team_account_needs_its_team(app, client):
    _, competition_id, _ = setup_competition(app, client)
    response = post_form(client, f"/competitions/{competition_id}/accounts", {"username": "ants", "role": "team"},
                         follow_redirects=True)
    assert "pick it in the list" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().query(Membership).count() == 0


def test_a_coach_may_not_add_a_team_of_another_school_through_the_api(app, client):
    _, competition_id, _ = setup_competition(app, client)
    coach = make_account(app, "coach", "coach", competition_id, school="No. 1 Primary")
    headers = {"Authorization": f"Bearer {coach['token']}"}
    refused = client.post(f"/api/competitions/{competition_id}/teams", headers=headers,
                          json={"name": "Spies", "school": "No. 2 Primary"})
    assert refused.status_code == 403
    allowed = client.post(f"/api/competitions/{competition_id}/teams", headers=headers,
                          json={"name": "Ants", "school": "No. 1 Primary"})
    assert allowed.status_code == 201


def test_a_team_submits_its_program_and_the_server_runs_and_scores_it(app, client):
    app.config["EVALUATE_INLINE"] = True
    _, competition_id, round_id = setup_competition(app, client)
    with app.app_context():
        session = db.session()
        session.add_all([Team(competition_id=competition_id, name="Ants", school="A"),
                         Team(competition_id=competition_id, name="Bees", school="B")])
        session.commit()
        ants, bees = (session.query(Team).filter_by(name=name).one().id for name in ("Ants", "Bees"))
    team_account = make_account(app, "ants", "team", competition_id, team_id=ants)
    login_as(client, team_account)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert 'value="%d"' % ants in page and 'value="%d"' % bees not in page       # only its own team offered
    program = (EXAMPLES / "line_follower.py").read_bytes()
    response = post_form(client, f"/rounds/{round_id}/submit",
                         {"team_id": str(ants), "file": (__import__("io").BytesIO(program), "follower.py")},
                         content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "scored" in response.get_data(as_text=True)
    with app.app_context():
        run = db.session().query(Run).one()
        assert run.status == "scored" and run.success and run.score > 0 and run.program_path.endswith(".py")
        assert Path(app.instance_path, run.trace_path).exists()
    rows = client.get(f"/api/rounds/{round_id}/leaderboard").get_json()["rows"]
    assert [row["team"] for row in rows] == ["Ants"]
    other = post_form(client, f"/rounds/{round_id}/submit",
                      {"team_id": str(bees), "file": (__import__("io").BytesIO(program), "follower.py")},
                      content_type="multipart/form-data")
    assert other.status_code == 403                      # not for another team


def test_a_file_that_is_not_a_program_or_trace_gets_a_clear_message(app, client):
    import io

    _, competition_id, round_id = setup_competition(app, client)
    with app.app_context():
        db.session().add(Team(competition_id=competition_id, name="Ants", school="A"))
        db.session().commit()
        team_id = db.session().query(Team).one().id
    for name, content, expected in (("notes.txt", b"hello", "neither a run trace nor a program"),
                                    ("empty.py", b"  \n", "is empty"),
                                    ("latin.py", "print('é')".encode("latin-1"), "UTF-8")):
        response = post_form(client, f"/rounds/{round_id}/submit",
                             {"team_id": str(team_id), "file": (io.BytesIO(content), name)},
                             content_type="multipart/form-data")
        assert response.status_code == 400, name
        assert expected in response.get_data(as_text=True), name
    with app.app_context():
        assert db.session().query(Run).count() == 0


def test_a_program_that_fails_to_load_is_marked_failed_with_the_reason(app, client):
    import io

    app.config["EVALUATE_INLINE"] = True
    _, competition_id, round_id = setup_competition(app, client)
    with app.app_context():
        db.session().add(Team(competition_id=competition_id, name="Ants", school="A"))
        db.session().commit()
        team_id = db.session().query(Team).one().id
    post_form(client, f"/rounds/{round_id}/submit",
              {"team_id": str(team_id), "file": (io.BytesIO(b"from roboarena import Robot\nrobot = Robot(\n"),
                                                 "broken.py")}, content_type="multipart/form-data")
    with app.app_context():
        run = db.session().query(Run).one()
        assert run.status == "failed" and run.score is None
        assert "line 2" in run.explanation["en"] and run.explanation["zh"] != run.explanation["en"]
    assert client.get(f"/api/rounds/{round_id}/leaderboard").get_json()["rows"] == []


def test_programs_left_waiting_by_a_stopped_server_are_run_when_it_starts(app, client):
    from roboarena.judge import evaluate

    _, competition_id, round_id = setup_competition(app, client)
    folder = Path(app.instance_path) / "programs" / str(round_id)
    folder.mkdir(parents=True)
    (folder / "left.py").write_bytes((EXAMPLES / "line_follower.py").read_bytes())
    with app.app_context():
        session = db.session()
        team = Team(competition_id=competition_id, name="Ants", school="A")
        session.add(Run(round_id=round_id, team=team, source="sim", status="pending",
                        program_path=f"programs/{round_id}/left.py"))
        session.commit()
    evaluate.requeue_pending(app)
    app.extensions[evaluate.EXTENSION].shutdown(wait=True)     # the worker finishes what it was given
    with app.app_context():
        run = db.session().query(Run).one()
        assert run.status == "scored" and run.success
