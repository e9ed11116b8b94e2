"""Re-scoring a round after a rules fix: the coach fixes the line-follow pack (leaving the line
was meant to cost 50, not 5), uploads it as a .zip, previews the change (the leaderboard
before and after, the run whose score moves; nothing saved), applies it (the leaderboard
changes, the round is pinned to the new hash, the audit log says who did what), and can go
back to the installed version. Bad uploads and other roles are refused; the audit log page
and its JSON show what happened.

The traces are real simulator runs, made once per module: a fast but sloppy robot that leaves
the line once, a careful one, and a slow one."""

import io
import re
import shutil
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from roboarena.challenges.pack import PACKS_DIR, load_challenge
from roboarena.challenges.scoring import tidy
from roboarena.judge import db
from roboarena.judge.models import AuditEntry, Competition, Round, Run, Team
from roboarena.judge.packs import PinnedPackMissing, pinned_challenge

from judge_helpers import SLOWER, login_as, make_account, post_form

SLOPPY = 460.76           # the sloppy run under the original rules: one time off the line, -5
SLOPPY_FIXED = 415.76     # ... and with leaving the line at -50


@pytest.fixture(scope="module")
def traces(sim_trace):
    # Fast, and it looks away from the line for 0.4 s after 3 s: one off-path event.
    sloppy = (("SPEED = 250", "SPEED = 400"), ("last_position = 0\n", "last_position = 0\nloops = 0\n"),
              ("    robot.drive(speed=SPEED, turn_rate=STEER * position)",
               "    loops += 1\n    if 300 < loops < 340:\n        position = 0\n"
               "    robot.drive(speed=SPEED, turn_rate=STEER * position)"))
    return {"sloppy": sim_trace(edits=sloppy), "careful": sim_trace(), "slow": sim_trace(edits=SLOWER)}


@pytest.fixture
def fixed_pack(tmp_path):
    """The line-follow pack with leaving the line costing 50 instead of 5."""
    folder = tmp_path / "line-follow-fixed"
    shutil.copytree(PACKS_DIR / "line-follow", folder)
    toml = folder / "challenge.toml"
    text = toml.read_text(encoding="utf-8")
    fixed = text.replace('event = "off-path"\npoints = -5\n', 'event = "off-path"\npoints = -50\n')
    assert fixed != text
    toml.write_text(fixed, encoding="utf-8")
    return folder


def zipped(folder: Path, inside: str = "line-follow/", extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, inside + file.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def arena(app, client, traces):
    """A round with three teams, each with one uploaded run scored under the installed pack."""
    with app.app_context():
        session = db.session()
        competition = Competition(name="City cup")
        round_ = Round(competition=competition, challenge_id="line-follow", title="Line-follow final",
                       pack_hash=load_challenge("line-follow").content_hash)
        teams = [Team(competition=competition, name=name, school="No. 1 Primary") for name in ("Ants", "Bees", "Cats")]
        session.add_all([round_, *teams])
        session.commit()
        ids = SimpleNamespace(competition=competition.id, round=round_.id)
    admin = make_account(app, "admin", "admin")
    coach = make_account(app, "coach", "coach", ids.competition, school="No. 1 Primary")
    referee = make_account(app, "referee", "referee", ids.competition)
    runs = {}
    for team, trace in (("Ants", "sloppy"), ("Bees", "careful"), ("Cats", "slow")):
        with open(traces[trace], "rb") as stream:
            response = client.post(f"/api/rounds/{ids.round}/runs", headers={"Authorization": f"Bearer {admin['token']}"},
                                   data={"team": team, "trace": (stream, traces[trace].name)})
        assert response.status_code == 201, response.json
        runs[team] = response.json["run"]
    return SimpleNamespace(competition=ids.competition, round=ids.round, runs=runs, admin=admin, coach=coach,
                           referee=referee)


def board(client, arena) -> dict:
    rows = client.get(f"/api/rounds/{arena.round}/leaderboard").json["rows"]
    return {row["team"]: (row["rank"], row["score"]) for row in rows}


def snapshot(app, arena) -> dict:
    with app.app_context():
        session = db.session()
        round_ = session.get(Round, arena.round)
        runs = {run.id: (run.score, run.pack_hash, run.version) for run in round_.runs}
        return {"round": round_.pack_hash, "runs": runs, "audit": session.query(AuditEntry).count()}


def upload_pack(client, arena, data: bytes, name: str = "line-follow-fixed.zip"):
    return post_form(client, f"/rounds/{arena.round}/rescore", {"pack": (io.BytesIO(data), name)},
                     content_type="multipart/form-data")


def row(page: str, team: str) -> dict:
    found = re.search(rf'<tr data-team="{team}" data-before-rank="(\S*)" data-after-rank="(\S*)"\s+'
                      rf'data-before-score="(\S*)" data-after-score="(\S*)"', page)
    return {"before_rank": found.group(1), "after_rank": found.group(2), "before": found.group(3), "after": found.group(4)}


def test_preview_of_a_fixed_pack_shows_the_change_and_saves_nothing(app, client, arena, fixed_pack):
    before = snapshot(app, arena)
    assert board(client, arena) == {"Ants": (1, SLOPPY), "Bees": (2, 434.35), "Cats": (3, 401.49)}
    login_as(client, arena.admin)
    response = upload_pack(client, arena, zipped(fixed_pack))
    fixed_hash = load_challenge(fixed_pack).content_hash
    assert response.status_code == 303 and response.headers["Location"].endswith(f"version={fixed_hash}")
    # The uploaded version is kept where later scoring finds it.
    assert (Path(app.instance_path) / "packs" / fixed_hash / "challenge.toml").is_file()

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert row(page, "Ants") == {"before_rank": "1", "after_rank": "2", "before": str(SLOPPY), "after": str(SLOPPY_FIXED)}
    assert row(page, "Bees") == {"before_rank": "2", "after_rank": "1", "before": "434.35", "after": "434.35"}
    assert row(page, "Cats")["after_rank"] == "3"
    assert "up 1" in page and "down 1" in page and "-45" in page
    changed = re.findall(r'<tr data-run="(\d+)" data-old="([\d.]+)" data-new="([\d.]+)"', page)
    assert changed == [(str(arena.runs["Ants"]), str(SLOPPY), str(SLOPPY_FIXED))]
    assert "1 × off the line −50 → 415.76 points" in page           # the new explanation
    assert "nothing has been changed yet" in page
    # A preview saves nothing, however often it is looked at.
    client.get(response.headers["Location"])
    assert snapshot(app, arena) == before
    assert board(client, arena)["Ants"] == (1, SLOPPY)


def test_applying_rescores_pins_the_new_hash_and_writes_the_audit_log(app, client, arena, fixed_pack):
    login_as(client, arena.admin)
    fixed_hash = load_challenge(fixed_pack).content_hash
    original_hash = load_challenge("line-follow").content_hash
    assert upload_pack(client, arena, zipped(fixed_pack)).status_code == 303
    preview = client.get(f"/rounds/{arena.round}/rescore?version={fixed_hash}").get_data(as_text=True)
    basis = re.search(r'name="basis" value="([0-9a-f]+)"', preview).group(1)

    # Without the confirm box ticked nothing happens.
    unconfirmed = post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "basis": basis})
    assert unconfirmed.status_code == 303 and snapshot(app, arena)["round"] == original_hash

    response = post_form(client, f"/rounds/{arena.round}/rescore/apply",
                         {"version": fixed_hash, "basis": basis, "confirm": "yes"})
    assert response.status_code == 303
    assert board(client, arena) == {"Bees": (1, 434.35), "Ants": (2, SLOPPY_FIXED), "Cats": (3, 401.49)}
    with app.app_context():
        session = db.session()
        round_ = session.get(Round, arena.round)
        assert round_.pack_hash == fixed_hash
        assert pinned_challenge(round_).content_hash == fixed_hash       # the kept upload, not the installed pack
        assert {run.pack_hash for run in round_.runs} == {fixed_hash}
        sloppy = session.get(Run, arena.runs["Ants"])
        assert tidy(sloppy.score) == SLOPPY_FIXED and "off the line −50" in sloppy.explanation["en"]
        entries = session.query(AuditEntry).filter(AuditEntry.action.in_(["round.rescore", "run.rescore"])).all()
        assert sorted((e.action, e.target) for e in entries) == [("round.rescore", f"round {arena.round}"),
                                                                ("run.rescore", f"run {arena.runs['Ants']}")]
        round_entry = next(e for e in entries if e.action == "round.rescore")
        assert round_entry.user.username == "admin"
        assert round_entry.before["pack_hash"] == original_hash and round_entry.after["pack_hash"] == fixed_hash
        assert [r["team"] for r in round_entry.before["standings"]] == ["Ants", "Bees", "Cats"]
        assert [r["team"] for r in round_entry.after["standings"]] == ["Bees", "Ants", "Cats"]
        run_entry = next(e for e in entries if e.action == "run.rescore")
        assert (run_entry.before["score"], run_entry.after["score"]) == (SLOPPY, SLOPPY_FIXED)
        assert (run_entry.before["points"]["off-track"], run_entry.after["points"]["off-track"]) == (-5, -50)

    # The same version again changes nothing: no new entries, no run touched.
    after_first = snapshot(app, arena)
    again = post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "confirm": "yes"})
    assert again.status_code == 303 and snapshot(app, arena) == after_first
    assert "Nothing to change" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_the_installed_pack_can_be_chosen_to_go_back(app, client, arena, fixed_pack):
    login_as(client, arena.admin)
    fixed_hash = load_challenge(fixed_pack).content_hash
    original_hash = load_challenge("line-follow").content_hash
    upload_pack(client, arena, zipped(fixed_pack, inside=""))          # zipped without its folder works too
    post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "confirm": "yes"})
    assert board(client, arena)["Ants"] == (2, SLOPPY_FIXED)
    page = client.get(f"/rounds/{arena.round}/rescore").get_data(as_text=True)
    assert f'value="{original_hash}"' in page and f'value="{fixed_hash}"' in page
    assert "installed pack" in page and "uploaded pack" in page
    post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": original_hash, "confirm": "yes"})
    assert board(client, arena)["Ants"] == (1, SLOPPY)
    with app.app_context():
        round_ = db.session().get(Round, arena.round)
        assert pinned_challenge(round_).content_hash == original_hash
        assert db.session().query(AuditEntry).filter_by(action="round.rescore").count() == 2
        round_.pack_hash = "0" * 64        # a version neither installed nor kept
        with pytest.raises(PinnedPackMissing) as refused:
            pinned_challenge(round_)
        assert refused.value.status == 409 and refused.value.fields["hash"] == "000000000000"


def test_runs_that_cannot_be_rescored_are_listed_and_keep_their_score(app, client, arena, fixed_pack):
    with app.app_context():
        session = db.session()
        careful = session.get(Run, arena.runs["Bees"])
        (Path(app.instance_path) / careful.trace_path).unlink()
        field_run = Run(round_id=arena.round, team_id=careful.team_id, source="referee", status="scored", score=12.0,
                        success=False, time_s=60.0, outcome="stopped", explanation={"en": "", "zh": ""}, counts={},
                        pack_hash=careful.pack_hash)
        session.add(field_run)
        session.commit()
        field_run_id = field_run.id
    login_as(client, arena.admin)
    upload = upload_pack(client, arena, zipped(fixed_pack))
    page = client.get(upload.headers["Location"]).get_data(as_text=True)
    listed = page.split('id="unscorable-runs"')[1]
    assert f'data-run="{arena.runs["Bees"]}"' in listed and "is missing" in listed
    assert f'data-run="{field_run_id}"' in listed and "no trace file" in listed
    fixed_hash = load_challenge(fixed_pack).content_hash
    post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "confirm": "yes"})
    with app.app_context():
        careful = db.session().get(Run, arena.runs["Bees"])
        assert tidy(careful.score) == 434.35 and careful.pack_hash != fixed_hash
        entry = db.session().query(AuditEntry).filter_by(action="round.rescore").one()
        assert {item["run"] for item in entry.after["not_rescored"]} == {arena.runs["Bees"], field_run_id}


def test_a_round_whose_version_is_lost_can_be_moved_to_the_installed_pack(app, client, arena):
    # As after an upgrade that changed the built-in pack: the round's version is nowhere.
    lost = "ab" * 32
    with app.app_context():
        round_ = db.session().get(Round, arena.round)
        round_.pack_hash = lost
        for run in round_.runs:
            run.pack_hash = lost
        db.session().commit()
    installed = load_challenge("line-follow").content_hash
    login_as(client, arena.admin)
    page = client.get(f"/rounds/{arena.round}/rescore?version={installed}").get_data(as_text=True)
    assert "which this server no longer has" in page and "score changes with this version" in page
    assert post_form(client, f"/rounds/{arena.round}/rescore/apply",
                     {"version": installed, "confirm": "yes"}).status_code == 303
    with app.app_context():
        round_ = db.session().get(Round, arena.round)
        assert round_.pack_hash == installed and {run.pack_hash for run in round_.runs} == {installed}
        assert db.session().query(AuditEntry).filter_by(action="run.rescore").count() == 0
        entry = db.session().query(AuditEntry).filter_by(action="round.rescore").one()
        assert (entry.before["pack_hash"], entry.after["pack_hash"]) == (lost, installed)
    assert board(client, arena)["Ants"] == (1, SLOPPY)
    unknown = client.get(f"/rounds/{arena.round}/rescore?version={lost}")
    assert unknown.status_code == 404 and "has no version abababababab" in unknown.get_data(as_text=True)


@pytest.mark.parametrize("role", ["coach", "referee"])
def test_only_admins_may_rescore(app, client, arena, fixed_pack, role):
    fixed_hash = load_challenge(fixed_pack).content_hash
    login_as(client, arena.admin)
    upload_pack(client, arena, zipped(fixed_pack))
    before = snapshot(app, arena)
    login_as(client, getattr(arena, role))
    assert client.get(f"/rounds/{arena.round}/rescore").status_code == 403
    assert upload_pack(client, arena, zipped(fixed_pack)).status_code == 403
    refused = post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "confirm": "yes"})
    assert refused.status_code == 403 and "may not do this" in refused.get_data(as_text=True)
    assert snapshot(app, arena) == before
    login_as(client, None)
    assert client.get(f"/rounds/{arena.round}/rescore").status_code == 302       # to the sign-in page


@pytest.mark.parametrize("name, make, status, says", [
    ("escape.zip", lambda pack: zipped(pack, extra={"line-follow/../../evil.txt": "x"}), 400, "outside the pack folder"),
    ("absolute.zip", lambda pack: zipped(pack, extra={"/tmp/evil.txt": "x"}), 400, "outside the pack folder"),
    ("empty.zip", lambda pack: zipped(pack / "nothing-here"), 400, "has no challenge.toml"),
    ("notes.zip", lambda pack: zipped(pack / "nothing-here", extra={"notes/readme.txt": "x", "notes/pack.toml": "x"}),
     400, "has no challenge.toml"),
    ("pack.tar.gz", lambda pack: b"\x1f\x8b not a zip", 400, "is not a .zip file"),
    ("broken.zip", lambda pack: b"PK\x03\x04 but cut short", 400, "could not be read"),
])
def test_a_bad_pack_zip_is_refused_with_a_clear_message(app, client, arena, fixed_pack, name, make, status, says):
    login_as(client, arena.admin)
    before = snapshot(app, arena)
    response = upload_pack(client, arena, make(fixed_pack), name)
    page = response.get_data(as_text=True)
    assert response.status_code == status and says in page and name in page
    assert not list(Path(app.instance_path).rglob("evil.txt")) and not (Path("/tmp") / "evil.txt").exists()
    packs = Path(app.instance_path) / "packs"
    assert not packs.exists() or not [p for p in packs.iterdir() if p.name.startswith(".upload")]
    assert snapshot(app, arena) == before


def test_an_invalid_or_foreign_pack_is_refused_naming_the_upload(app, client, arena, fixed_pack):
    login_as(client, arena.admin)
    toml = fixed_pack / "challenge.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("points = -50", 'points = "lots"'), encoding="utf-8")
    response = upload_pack(client, arena, zipped(fixed_pack), "fix.zip")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "fix.zip/challenge.toml" in page and "must be a number" in page
    assert app.instance_path not in page                       # the server's folders stay private
    maze = upload_pack(client, arena, zipped(PACKS_DIR / "maze"), "maze.zip")
    assert maze.status_code == 400 and "is the challenge maze" in maze.get_data(as_text=True)


def test_the_audit_log_shows_the_rescore_with_a_diff_to_admins_only(app, client, arena, fixed_pack):
    login_as(client, arena.admin)
    fixed_hash = load_challenge(fixed_pack).content_hash
    upload_pack(client, arena, zipped(fixed_pack))
    post_form(client, f"/rounds/{arena.round}/rescore/apply", {"version": fixed_hash, "confirm": "yes"})

    body = client.get(f"/api/competitions/{arena.competition}/audit?action=run.rescore",
                      headers={"Authorization": f"Bearer {arena.admin['token']}"}).json
    assert [entry["target"] for entry in body["entries"]] == [f"run {arena.runs['Ants']}"]
    diff = {change["path"]: (change["before"], change["after"]) for change in body["entries"][0]["diff"]}
    assert diff["score"] == (SLOPPY, SLOPPY_FIXED) and diff["points.off-track"] == (-5, -50)
    assert "points.laps" not in diff                            # only what changed

    page = client.get(f"/competitions/{arena.competition}/audit?action=round.rescore").get_data(as_text=True)
    assert 'data-action="round.rescore"' in page and 'data-action="run.rescore"' not in page
    assert "standings[0].team: &#34;Ants&#34; → &#34;Bees&#34;" in page
    assert "pack_hash" in page and "admin" in page
    assert client.get(f"/competitions/{arena.competition}/audit?since=yesterday").status_code == 400

    login_as(client, arena.referee)
    assert client.get(f"/competitions/{arena.competition}/audit").status_code == 403
    refused = client.get(f"/api/competitions/{arena.competition}/audit",
                         headers={"Authorization": f"Bearer {arena.coach['token']}"})
    assert refused.status_code == 403 and refused.json["error"] == "judge.error.not_allowed"

