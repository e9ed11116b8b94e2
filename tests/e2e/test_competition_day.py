"""A competition day in a real browser. The admin sets up a competition, a line-follow
round and the accounts of a coach and a referee through the pages; the coach signs in with
the one-time password, registers two teams and submits a program, which the server runs and
scores; the gym's projector shows the round's standings; the referee scores the other team's
run on the field from the tablet, and the projector shows it at once, without a reload.
And the pages in Chinese for a browser that asks for Chinese."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from roboarena.challenges.pack import load_challenge
from roboarena.challenges.scoring import tidy
from roboarena.judge import db
from roboarena.judge.models import Competition, Round, Run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PROGRAM_TIMEOUT_MS = 60_000     # the server runs the whole program before it answers
SCHOOL = "No. 1 Primary"
# The field run the referee taps on the line-follow sheet: four checkpoints (+10 each) pass
# the track's four gates, which closes a lap (+100); one collision (-10). Without the two
# laps and a finish the run does not succeed, so no time bonus: 130 points, whatever the
# timer shows, and second place behind the program's successful run.
FIELD_TAPS = ["checkpoints"] * 4 + ["collisions"]
FIELD_SCORE = 4 * 10 + 100 - 10


def sign_in(page: Page, username: str, password: str):
    page.goto("/login")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()


def sign_out(page: Page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def set_up_competition(page: Page, competition: str, round_title: str):
    """The admin's part, on the competitions page and then the competition's page."""
    form = page.get_by_role("group", name="New competition")
    form.get_by_label("Name").fill(competition)
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=competition, level=1)).to_be_visible()
    form = page.get_by_role("group", name="New round")
    form.get_by_label("Challenge").select_option("line-follow")
    form.get_by_label("Title").fill(round_title)
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("link", name=round_title)).to_be_visible()


def create_account(page: Page, username: str, role: str, school: str = "") -> str:
    """Through the admin's form on the competition page; returns the password shown once."""
    form = page.get_by_role("group", name="New account")
    form.get_by_label("User name").fill(username)
    form.get_by_label("Role").select_option(role)
    if school:
        form.get_by_label("School (for a coach)").fill(school)
    form.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=f"The {role} account {username} is ready")).to_be_visible()
    password = page.get_by_test_id("password").inner_text().strip()
    page.get_by_role("link", name="Back").click()
    return password


def register_team(page: Page, name: str):
    form = page.get_by_role("group", name="Register a team")
    expect(form.get_by_text(f"School: {SCHOOL}")).to_be_visible()     # the coach's own school, not typed
    form.get_by_label("Team name").fill(name)
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_text(f"The team {name} is registered.")).to_be_visible()
    expect(page.get_by_role("row", name=f"{name} {SCHOOL}")).to_be_visible()


def referee_field_run(page: Page, competition: str, team: str):
    """The referee's tablet: put the team on the field, time the run, tap what happens,
    have the captain confirm, submit the sheet."""
    page.goto("/")
    page.get_by_role("link", name=competition).click()
    page.get_by_role("link", name="Referee this round").click()
    page.get_by_label("Team").select_option(label=f"{team} ({SCHOOL})")
    page.get_by_role("button", name="Start run").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^Run \d+: {team}$"))).to_be_visible()
    page.get_by_role("button", name="Start timer").click()
    for button in FIELD_TAPS:
        page.get_by_role("button", name=button).click()
    expect(page.locator("#taps li")).to_have_count(len(FIELD_TAPS))
    page.get_by_role("button", name="Stop timer").click()
    page.get_by_role("textbox", name="Team captain").fill(team)
    page.get_by_role("checkbox", name="The team captain has checked this sheet and agrees with it.").check()
    page.get_by_role("button", name="Submit sheet").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Scored: {FIELD_SCORE} points.")


def standings_row(page: Page, team: str):
    return page.locator("#standings tbody tr").filter(has=page.locator(".name", has_text=re.compile(rf"^{team}$")))


def test_a_competition_day_from_sign_up_to_the_projector(open_page, judge, admin, tmp_path):
    page = open_page()
    sign_in(page, admin["username"], admin["password"])
    set_up_competition(page, "City cup", "Line-follow final")
    coach_password = create_account(page, "coach-li", "coach", school=SCHOOL)
    referee_password = create_account(page, "referee-wang", "referee")
    sign_out(page)

    coach = open_page()
    sign_in(coach, "coach-li", coach_password)
    coach.get_by_role("link", name="City cup").click()
    register_team(coach, "Ants")
    register_team(coach, "Bees")

    coach.get_by_role("link", name="Line-follow final").click()
    expect(coach.get_by_text("No runs yet.")).to_be_visible()
    form = coach.get_by_role("group", name="Submit a run")
    form.get_by_label("Team").select_option(label="Ants")
    form.get_by_label("Trace or program").set_input_files(EXAMPLES / "line_follower.py")
    form.get_by_role("button", name="Send").click()
    expect(coach.get_by_text(re.compile(r"Run \d+ of Ants: scored\."))).to_be_visible(timeout=PROGRAM_TIMEOUT_MS)
    with judge.app.app_context():
        run = db.session().scalars(select(Run)).one()
    assert run.status == "scored" and run.success and run.score > FIELD_SCORE
    recent = coach.locator("#runs tbody tr")
    expect(recent).to_have_count(1)
    expect(recent.first.get_by_role("cell")).to_have_text([str(run.id), "Ants", "scored", str(run.score),
                                                           re.compile(".")])
    leaderboard = coach.locator("#leaderboard tbody tr")
    expect(leaderboard).to_have_count(1)
    expect(leaderboard.first.get_by_role("cell").nth(0)).to_have_text("1")
    expect(leaderboard.first.get_by_role("cell").nth(1)).to_have_text("Ants")
    expect(leaderboard.first.get_by_role("cell").nth(3)).to_have_text(str(tidy(run.score)))

    projector = open_page()                  # the gym's big screen: nobody signed in
    projector.goto("/")
    projector.get_by_role("link", name="City cup").click()
    projector.get_by_role("link", name="Projector").click()
    expect(projector.get_by_role("heading", level=1)).to_contain_text("Line-follow final")
    expect(projector.locator("#standings tbody tr")).to_have_count(1)
    expect(standings_row(projector, "Ants").locator(".rank")).to_have_text("1")
    expect(projector.locator("#connection")).to_have_text("Live")      # following the round's events
    projector.evaluate("() => { window.stillTheFirstLoad = true; }")   # a reload would forget it

    referee = open_page()
    sign_in(referee, "referee-wang", referee_password)
    referee_field_run(referee, "City cup", "Bees")

    expect(projector.locator("#standings tbody tr")).to_have_count(2)
    expect(standings_row(projector, "Bees").locator(".rank")).to_have_text("2")
    expect(standings_row(projector, "Bees").locator(".score")).to_have_text(str(FIELD_SCORE))
    expect(standings_row(projector, "Ants").locator(".rank")).to_have_text("1")
    assert projector.evaluate("() => window.stillTheFirstLoad === true"), "the projector reloaded the page"
    projector.screenshot(path=tmp_path / "projector.png")


def test_the_pages_are_in_chinese_for_a_browser_that_asks_for_chinese(open_page, judge):
    with judge.app.app_context():
        session = db.session()
        competition = Competition(name="区青少年机器人赛")
        session.add(Round(competition=competition, challenge_id="line-follow", title="巡线决赛",
                          pack_hash=load_challenge("line-follow").content_hash))
        session.commit()

    page = open_page(locale="zh-CN")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="比赛", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    page.get_by_role("link", name="区青少年机器人赛").click()
    expect(page.get_by_role("heading", name="轮次")).to_be_visible()
    page.get_by_role("link", name="巡线决赛").click()
    expect(page.get_by_role("heading", name="巡线决赛 — 排行榜", level=1)).to_be_visible()
    expect(page.get_by_text("还没有运行记录。")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="大屏幕").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(load_challenge("line-follow").title["zh"])
    expect(page.locator("#empty")).to_have_text("还没有运行记录。")
    expect(page.locator("#connection")).to_have_text("实时")
