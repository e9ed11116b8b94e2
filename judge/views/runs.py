"""A run's page: who ran it, in which round, how it was scored rule by rule and why (in the
reader's language), its path drawn over the challenge's floor, its sensors over time, and
its trace to download.

The plots are PNGs drawn with matplotlib's Agg canvas (no display, no pyplot state shared
between threads) and kept on disk under the instance folder, named by the run's trace file,
so a reload serves a file instead of re-reading a trace of up to ~10 MB.
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from bisect import bisect_left
from datetime import timezone
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, g, render_template, send_file

from roboarena.challenges.scoring import tidy
from roboarena.errors import RoboarenaError
from roboarena.judge import db
from roboarena.judge.i18n import language, t
from roboarena.judge.ingest import Refusal
from roboarena.judge.models import Run
from roboarena.judge.packs import pinned_challenge
from roboarena.judge.permissions import may, my_teams
from roboarena.messages import CATALOG, render

bp = Blueprint("runs", __name__)

PLOT_FOLDER = "plots"          # under the instance folder, one folder per run
PLOT_VERSION = 1               # bump when the drawing changes: cached images are then redrawn
PLOT_DPI = 100
PLOT_WIDTH_IN = 9.0
# A plot is 900 px wide: longer series are thinned to about this many points before drawing
# (a 10-minute run has 60 000 samples).
MAX_PATH_POINTS = 10_000
MAX_SENSOR_POINTS = 6_000
MAX_FLOOR_PX = 1600            # the floor image is shrunk to about this many pixels across
PATH_COLOUR = "#d63384"        # magenta: no world paints its floor in it, so the path stands out
START_COLOUR, END_COLOUR, WALL_COLOUR = "#2f9e44", "#e03131", "#343a40"
LEFT_COLOUR, RIGHT_COLOUR = "#1c7ed6", "#e8590c"
EVENT_MARKERS = {"checkpoint": {"marker": "o", "color": "white", "markeredgecolor": "#212529", "markersize": 7},
                 "collision": {"marker": "x", "color": "#212529", "markersize": 10, "markeredgewidth": 2.5}}
# Fonts with Chinese glyphs, as Windows, macOS and Linux name them: without one, Chinese
# labels would be drawn as empty boxes, so the plots fall back to English.
CJK_FONTS = ("Microsoft YaHei", "SimHei", "DengXian", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti",
             "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei")

# One drawing at a time: matplotlib's font cache and text layout are not thread-safe, and a
# second request for the same run then finds the images the first one drew.
_drawing = threading.Lock()


def _run(run_id: int) -> Run:
    run = db.session().get(Run, run_id)
    if run is None:
        raise Refusal(404, "judge.error.no_run", run_id=run_id)
    if not may("run.view", run.round.competition_id):
        abort(403)
    return run


def _utc(moment):
    """SQLite hands datetimes back without their zone: they were stored in UTC."""
    return moment.replace(tzinfo=timezone.utc) if moment is not None and moment.tzinfo is None else moment


def hidden_by_freeze(run: Run) -> bool:
    """While a round is frozen, a run made after the freeze keeps its result from the public
    until the awards, as the leaderboard does. Those who may export the real standings
    (admins, referees, coaches) and the run's own team still see it."""
    frozen_at = run.round.frozen_at
    if frozen_at is None or _utc(run.created_at) <= _utc(frozen_at):
        return False
    competition_id = run.round.competition_id
    if may("results.export", competition_id):
        return False
    return not any(team.id == run.team_id for team in my_teams(g.user, competition_id))


def trace_file(run: Run) -> Path | None:
    """Where the run's trace is stored; None for a run without one."""
    return Path(current_app.instance_path) / run.trace_path if run.trace_path else None


def _stored_trace(run: Run) -> Path:
    """The trace of a run that may be shown, or the refusal that says why there is none."""
    if hidden_by_freeze(run):
        raise Refusal(403, "judge.runs.hidden_refused", run_id=run.id)
    path = trace_file(run)
    if path is None:
        raise Refusal(404, "judge.runs.no_trace_file", run_id=run.id)
    if not path.is_file():
        raise Refusal(404, "judge.runs.trace_missing", run_id=run.id, path=run.trace_path)
    return path


def _text_or(message_id: str, fallback: str | None) -> str:
    return t(message_id) if message_id in CATALOG else (fallback or "")


def _signed(value: float) -> str:
    value = tidy(value)
    return f"+{value}" if value > 0 else f"−{-value}" if value < 0 else "0"


def _size_text(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB" if size_bytes >= 1e6 else f"{max(1, round(size_bytes / 1e3))} KB"


def _rules_scored_by(run: Run) -> dict:
    """The pack's rules by id, if the installed pack is the version that scored the run:
    only then are their values (points per event, per second) the ones that applied."""
    try:
        challenge = pinned_challenge(run.round)
    except (RoboarenaError, Refusal):
        return {}
    if challenge.content_hash != (run.pack_hash or run.round.pack_hash):
        return {}
    return {rule.id: rule for rule in challenge.rules}


def rate_text(rule) -> str:
    """What one unit of a rule is worth, in the page language."""
    if rule.kind == "event":
        text = (t("judge.runs.rate.each_capped", points=_signed(rule.points), cap=rule.cap) if rule.cap is not None
                else t("judge.runs.rate.each", points=_signed(rule.points)))
    elif rule.kind in ("time-bonus", "time-penalty"):
        text = t("judge.runs.rate.per_s", points=_signed(rule.points_per_s))
    elif rule.kind == "success":
        text = t("judge.runs.rate.once", points=_signed(rule.points))
    else:
        text = t("judge.runs.rate.factor", factor=tidy(rule.factor))
    return f"{text} {t('judge.runs.rate.if_success')}" if rule.requires_success else text


def breakdown_rows(run: Run, lang: str) -> list[dict]:
    """The run's stored breakdown as table rows: rule, count, worth, points."""
    rules = _rules_scored_by(run)
    rows = []
    for item in run.breakdown or []:
        rule, kind = rules.get(item.get("id")), item.get("kind")
        points = item.get("points")
        if kind == "multiplier":
            # It scales the total rather than adding to it: show the factor it came to.
            points = f"× {tidy(rule.factor ** item.get('count', 0))}" if rule is not None else ""
        rows.append({"rule": (item.get("label") or {}).get(lang) or item.get("id", ""),
                     "count": None if kind in ("time-bonus", "time-penalty") else item.get("count"),
                     "rate": rate_text(rule) if rule is not None else "", "points": points})
    return rows


def _challenge_title(run: Run, lang: str) -> str:
    try:
        return pinned_challenge(run.round).title.get(lang, run.round.challenge_id)
    except (RoboarenaError, Refusal):
        return run.round.challenge_id


@bp.get("/runs/<int:run_id>")
def run_page(run_id: int):
    run = _run(run_id)
    lang = language()
    hidden = hidden_by_freeze(run)
    path = trace_file(run)
    trace_state = "none" if path is None else "ok" if path.is_file() else "missing"
    return render_template(
        "run.html", run=run, lang=lang, hidden=hidden, rows=[] if hidden else breakdown_rows(run, lang),
        explanation="" if hidden else (run.explanation or {}).get(lang, ""), challenge=_challenge_title(run, lang),
        source=_text_or(f"judge.runs.source.{run.source}", run.source),
        status=_text_or(f"judge.status.{run.status}", run.status),
        score=tidy(run.score) if run.score is not None else None,
        outcome=_text_or(f"judge.runs.outcome.{run.outcome}", run.outcome), trace_state=trace_state,
        trace_size=_size_text(path.stat().st_size) if trace_state == "ok" else "",
        can_appeal=run.status != "pending" and may("appeal.file", run.round.competition_id, team=run.team))


@bp.get("/runs/<int:run_id>/trace")
def trace_download(run_id: int):
    run = _run(run_id)
    path = _stored_trace(run)
    # Sent as stored: a gzipped trace stays gzipped (no Content-Encoding, which a browser
    # would undo), so `roboarena score` reads the very bytes the judge scored.
    gzipped = path.name.endswith(".gz")
    return send_file(path, mimetype="application/gzip" if gzipped else "application/x-ndjson", as_attachment=True,
                     download_name=f"{run.round.challenge_id}-run-{run.id}.jsonl{'.gz' if gzipped else ''}",
                     conditional=True)


@bp.get("/runs/<int:run_id>/trajectory.png")
def trajectory_png(run_id: int):
    return _plot_response(run_id, "trajectory")


@bp.get("/runs/<int:run_id>/sensors.png")
def sensors_png(run_id: int):
    return _plot_response(run_id, "sensors")


# --- the plots -------------------------------------------------------------------------

def _plot_response(run_id: int, kind: str):
    run = _run(run_id)
    trace = _stored_trace(run)
    lang = plot_language()
    world = _world_of(run)
    files = plot_files(run, trace, lang, world)
    if not files[kind].is_file():
        with _drawing:
            if not files[kind].is_file():        # unless the request we waited for drew it
                draw_plots(trace, world, lang, files)
    return send_file(files[kind], mimetype="image/png", conditional=True, max_age=0)


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def plot_language() -> str:
    """The page language, unless it is Chinese and this computer has no font for it."""
    lang = language()
    return "en" if lang == "zh" and cjk_font() is None else lang


def _world_of(run: Run):
    try:
        return pinned_challenge(run.round).world
    except (RoboarenaError, Refusal):
        return None        # the pack is not installed here: the path is drawn on a blank field


def plot_files(run: Run, trace: Path, lang: str, world) -> dict[str, Path]:
    """The cached images of a run: named by its trace file (a new trace, new images), the
    drawing's version and language, and for the path the floor it is drawn on."""
    folder = Path(current_app.instance_path) / PLOT_FOLDER / str(run.id)
    stem = f"{trace.name}.v{PLOT_VERSION}.{lang}"
    floor = world.content_hash[:12] if world is not None else "no-floor"
    return {"trajectory": folder / f"{stem}.{floor}.trajectory.png", "sensors": folder / f"{stem}.sensors.png"}


def draw_plots(trace: Path, world, lang: str, files: dict[str, Path]):
    """Read the trace once and draw both images (the page asks for both at once)."""
    from roboarena.sims.trace import read_trace

    try:
        records = read_trace(trace)
    except RoboarenaError as exc:
        fields = exc.fields | ({"path": trace.name} if "path" in exc.fields else {})
        raise Refusal(500, exc.message_id, **fields) from None
    samples = [record for record in records if record.get("type") == "sample" and _pose(record) is not None]
    events = [record for record in records if record.get("type") == "event"]
    with _fonts(lang):
        _save(trajectory_figure(samples, events, world, lang), files["trajectory"])
        _save(sensors_figure(samples, lang), files["sensors"])
    current = f"{trace.name}.v{PLOT_VERSION}."
    for kind in files:
        for old in files[kind].parent.glob(f"*.{kind}.png"):
            if not old.name.startswith(current):       # a replaced trace's or an older drawing's
                old.unlink(missing_ok=True)


def _fonts(lang: str):
    import matplotlib

    chinese = [cjk_font()] if lang == "zh" else []
    return matplotlib.rc_context({"font.sans-serif": chinese + list(matplotlib.rcParams["font.sans-serif"]),
                                  "axes.unicode_minus": False})


def _new_figure(width_in: float, height_in: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), dpi=PLOT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure, path: Path):
    """Written under another name and then renamed: a reader never gets half an image."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            figure.savefig(stream, format="png", dpi=PLOT_DPI)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


def _pose(record: dict) -> tuple[float, float, float] | None:
    pose = record.get("pose")
    if not isinstance(pose, list) or len(pose) < 2:
        return None
    x, y = _number(pose[0]), _number(pose[1])
    if math.isnan(x) or math.isnan(y):
        return None
    return x, y, _number(pose[2]) if len(pose) > 2 else math.nan


def _dig(record, *keys):
    """record[k1][k2]... or None where the trace does not have it."""
    for key in keys:
        if isinstance(record, dict):
            record = record.get(key)
        elif isinstance(record, list) and isinstance(key, int) and 0 <= key < len(record):
            record = record[key]
        else:
            return None
    return record


def _thin(count: int, most: int) -> slice:
    return slice(None, None, max(1, math.ceil(count / most)))


def trajectory_figure(samples: list[dict], events: list[dict], world, lang: str):
    """The path over the world's floor image (true scale, world y up), its walls, the
    start, the end, the checkpoints passed and the collisions."""
    import numpy as np

    poses = np.array([_pose(sample)[:2] for sample in samples], dtype=float).reshape(-1, 2)
    if world is not None:
        width_mm, height_mm, left, bottom = world.width_mm, world.height_mm, 0.0, 0.0
    elif len(poses):
        margin = 200.0
        left, bottom = poses.min(axis=0) - margin
        width_mm, height_mm = poses.max(axis=0) - poses.min(axis=0) + 2 * margin
    else:
        width_mm, height_mm, left, bottom = 2000.0, 1000.0, 0.0, 0.0
    # The axes get the width less the y labels; their height follows at true scale.
    figure = _new_figure(PLOT_WIDTH_IN, min(12.0, max(2.0, (PLOT_WIDTH_IN - 0.9) * height_mm / width_mm)) + 0.7)
    axes = figure.add_subplot()
    if world is not None:
        rows, cols = world.floor.shape[:2]
        step = max(1, math.ceil(max(rows, cols) / MAX_FLOOR_PX))
        axes.imshow(world.floor[::step, ::step], origin="lower", interpolation="nearest",
                    extent=(0, cols * world.mm_per_px, 0, rows * world.mm_per_px))
        for x0, y0, x1, y1 in world.walls:
            axes.plot([x0, x1], [y0, y1], color=WALL_COLOUR, linewidth=2.5)
    if len(poses):
        shown = poses[_thin(len(poses), MAX_PATH_POINTS)]
        axes.plot(np.append(shown[:, 0], poses[-1, 0]), np.append(shown[:, 1], poses[-1, 1]),
                  color=PATH_COLOUR, linewidth=2, solid_joinstyle="round", zorder=3)
        times = [_number(sample.get("t")) for sample in samples]

        def where(event: dict) -> tuple[float, float]:
            x, y = _number(event.get("x")), _number(event.get("y"))
            if not (math.isnan(x) or math.isnan(y)):
                return x, y
            index = min(bisect_left(times, _number(event.get("t"))), len(poses) - 1)
            return tuple(poses[index])

        for name, style in EVENT_MARKERS.items():
            points = [where(event) for event in events if event.get("event") == name]
            if points:
                axes.plot(*zip(*points), linestyle="none", zorder=5, **style)
        axes.plot(poses[0, 0], poses[0, 1], marker="o", color=START_COLOUR, markersize=11,
                  markeredgecolor="white", zorder=6)
        axes.plot(poses[-1, 0], poses[-1, 1], marker="s", color=END_COLOUR, markersize=10,
                  markeredgecolor="white", zorder=6)
    else:
        axes.text(0.5, 0.5, render("judge.runs.plot.no_samples", lang), transform=axes.transAxes,
                  ha="center", va="center", bbox={"facecolor": "white", "edgecolor": "#868e96"})
    axes.set_xlim(left, left + width_mm)
    axes.set_ylim(bottom, bottom + height_mm)
    axes.set_aspect("equal")
    axes.set_xlabel(render("judge.runs.plot.x", lang))
    axes.set_ylabel(render("judge.runs.plot.y", lang))
    return figure


def sensor_panels(samples: list[dict], lang: str) -> list[tuple[str, list[tuple[str, object, dict]]]]:
    """What the samples hold, one panel each: (axis label, [(legend, values, line style)]).
    Panels with no reading at all are left out."""
    import numpy as np

    def column(*keys):
        return np.array([_number(_dig(sample, *keys)) for sample in samples], dtype=float)

    def label(name: str) -> str:
        return render(f"judge.runs.plot.{name}", lang)

    solid, dashed = {"linewidth": 1.2}, {"linewidth": 1.0, "linestyle": "--", "alpha": 0.8}
    panels = []
    channels = max((len(line) for line in (_dig(sample, "sensors", "line") for sample in samples)
                    if isinstance(line, list)), default=0)
    if channels:
        panels.append((label("line"), [(str(index + 1), column("sensors", "line", index), solid)
                                       for index in range(channels)]))
    panels.append((label("distance"), [("", column("sensors", "distance"), solid | {"color": LEFT_COLOUR})]))
    panels.append((label("wheels"), [
        (label("left"), column("wheels", 0), solid | {"color": LEFT_COLOUR}),
        (label("right"), column("wheels", 1), solid | {"color": RIGHT_COLOUR}),
        (label("command_left"), column("cmd", "left"), dashed | {"color": LEFT_COLOUR}),
        (label("command_right"), column("cmd", "right"), dashed | {"color": RIGHT_COLOUR})]))
    panels.append((label("speed"), [(label("measured"), column("speed"), solid | {"color": LEFT_COLOUR}),
                                    (label("command"), column("cmd", "speed"), dashed | {"color": LEFT_COLOUR})]))
    panels.append((label("steer"), [(label("measured"), column("steer"), solid | {"color": RIGHT_COLOUR}),
                                    (label("command"), column("cmd", "steer"), dashed | {"color": RIGHT_COLOUR})]))
    panels = [(name, [series for series in lines if np.isfinite(series[1]).any()]) for name, lines in panels]
    panels = [(name, lines) for name, lines in panels if lines]
    if not panels and samples:       # only poses: the heading is still worth seeing
        panels = [(label("heading"), [("", column("pose", 2), solid | {"color": LEFT_COLOUR})])]
    return panels


def sensors_figure(samples: list[dict], lang: str):
    """The sensor readings and speeds against time, one panel per kind, sharing the time axis."""
    import numpy as np

    samples = samples[_thin(len(samples), MAX_SENSOR_POINTS)]
    panels = sensor_panels(samples, lang)
    if not panels:
        figure = _new_figure(PLOT_WIDTH_IN, 1.5)
        figure.text(0.5, 0.5, render("judge.runs.plot.no_samples", lang), ha="center", va="center")
        return figure
    figure = _new_figure(PLOT_WIDTH_IN, 1.9 * len(panels) + 0.6)
    grid = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    times = np.array([_number(sample.get("t")) for sample in samples], dtype=float)
    for axes, (name, lines) in zip(grid, panels):
        for legend, values, style in lines:
            axes.plot(times, values, label=legend or None, **style)
        axes.set_ylabel(name)
        axes.grid(True, alpha=0.3)
        if len(lines) > 1:
            # Beside the panel, not over the readings.
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    grid[-1].set_xlabel(render("judge.runs.plot.time", lang))
    return figure
