"""Print a challenge's floor at true scale: a PDF of A4 tiles that a school prints at 100 %,
trims and tapes together to get the same track the simulator uses.

1 mm of world is 1 mm of paper. The floor is cut into equal tiles that fit the printable
area of an A4 page (inside a 10 mm margin) and overlap their neighbours by 10 mm. Each
page carries crop marks at the corners of its image, a dashed line where the neighbour's
edge goes, a label saying which tile it is, and a 100 mm bar to check the printer's scale.
Walls are drawn at their real thickness and start poses as arrow outlines.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import warnings
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon
from matplotlib.patheffects import withStroke
from matplotlib.transforms import Affine2D

from roboarena.errors import ChallengeError
from roboarena.messages import Msg, current_language, render

A4_MM = (210.0, 297.0)       # portrait width, height
MARGIN_MM = 10.0             # kept free on every side: printers cannot print to the edge
OVERLAP_MM = 10.0            # each tile repeats this much of its neighbour, for trimming and taping
SCALE_BAR_MM = 100.0
MM_PER_INCH = 25.4
PT_PER_MM = 72.0 / MM_PER_INCH
PIXEL_MM = 0.5               # the floor's pixels are repeated until this small (see _floor_image)
INK = "#202020"
MARK = "#606060"
# Fonts tried after DejaVu Sans for Chinese text; only installed ones are listed, so
# matplotlib does not log a "font not found" line for each missing one.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "AR PL UMing CN", "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")

Tile = tuple[float, float, float, float, str]   # x0, y0, x1, y1 in world mm, "portrait" or "landscape"


def printable_mm(orientation: str) -> tuple[float, float]:
    """Width and height of the area inside the margin of an A4 page."""
    width, height = page_mm(orientation)
    return width - 2 * MARGIN_MM, height - 2 * MARGIN_MM


def page_mm(orientation: str) -> tuple[float, float]:
    return A4_MM if orientation == "portrait" else (A4_MM[1], A4_MM[0])


def _spans(length: float, room: float) -> list[tuple[float, float]]:
    """Cut 0..length into as few equal spans of at most ``room`` as overlap by OVERLAP_MM.
    Equal spans (rather than full tiles and a sliver) leave room for marks on every page."""
    if length <= room:
        return [(0.0, length)]
    count = math.ceil((length - OVERLAP_MM) / (room - OVERLAP_MM))
    size = (length + (count - 1) * OVERLAP_MM) / count
    step = size - OVERLAP_MM
    return [(i * step, length if i == count - 1 else i * step + size) for i in range(count)]


def plan_tiles(width_mm: float, height_mm: float) -> list[Tile]:
    """The tiles of a floor, in reading order: row by row from the far edge (largest y,
    the top of the page), each row from left to right. One orientation for the whole
    document, whichever needs fewer pages (portrait on a tie)."""
    best: list[Tile] = []
    for orientation in ("portrait", "landscape"):
        room_x, room_y = printable_mm(orientation)
        columns = _spans(width_mm, room_x)
        rows = _spans(height_mm, room_y)[::-1]
        tiles = [(x0, y0, x1, y1, orientation) for y0, y1 in rows for x0, x1 in columns]
        if not best or len(tiles) < len(best):
            best = tiles
    return best


def grid_shape(tiles: list[Tile]) -> tuple[int, int]:
    """Rows and columns of a plan."""
    columns = len({(t[0], t[2]) for t in tiles})
    return len(tiles) // columns, columns


def print_floor(challenge, out) -> tuple[Path, int]:
    """Write ``challenge``'s floor as a true-scale A4 PDF to ``out`` (".pdf" added if it has
    no such suffix; ``<id>.pdf`` inside it if it is a folder); return the path written and
    the number of pages."""
    out = Path(out)
    if out.is_dir():                       # a folder given: the file goes in it, named after the challenge
        out = out / f"{challenge.id}.pdf"
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    world = challenge.world
    tiles = plan_tiles(world.width_mm, world.height_mm)
    rows, columns = grid_shape(tiles)
    # Written beside the target and renamed at the end, so a failure leaves no half file.
    partial = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # A glyph no installed font has is drawn as a box with a warning per glyph; a
            # label with boxes is still a correct field, so that must not stop the print.
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
            with PdfPages(partial, metadata={"Title": f"{challenge.id} {challenge.version}", "Creator": "roboarena",
                                             "CreationDate": None}) as pdf:
                # One figure and one floor axes serve every page (making them is most of
                # the cost); each page adds its own artists and removes them once saved.
                figure, floor = _document(world, tiles[0][4])
                for index, tile in enumerate(tiles):
                    added = _draw_page(figure, floor, challenge, tile, index, rows, columns)
                    pdf.savefig(figure)
                    for artist in added:
                        artist.remove()
        os.replace(partial, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        # "File exists" from mkdir says little: name the file standing where a folder must be.
        blocker = next((folder for folder in out.parents if folder.exists() and not folder.is_dir()), None)
        reason = render("print.not_a_folder", path=str(blocker)) if blocker else exc.strerror or str(exc)
        raise ChallengeError("file.bad_key", path=str(out), key="--out",
                             problem=Msg("print.cannot_write", reason=reason),
                             hint=Msg("print.cannot_write_hint")) from exc
    return out, len(tiles)


def page_figure(challenge, index: int) -> Figure:
    """Page ``index`` (0-based, reading order) on its own, e.g. for a preview as PNG."""
    tiles = plan_tiles(challenge.world.width_mm, challenge.world.height_mm)
    figure, floor = _document(challenge.world, tiles[index][4])
    _draw_page(figure, floor, challenge, tiles[index], index, *grid_shape(tiles))
    return figure


def _document(world, orientation: str):
    """An A4 figure and the axes the floor is drawn in, with what every page shares:
    walls at their real thickness and the start poses."""
    page_w, page_h = page_mm(orientation)
    figure = Figure(figsize=(page_w / MM_PER_INCH, page_h / MM_PER_INCH))
    floor = figure.add_axes((0, 0, 1, 1))
    floor.set_axis_off()
    thickness_pt = world.wall_thickness_mm * PT_PER_MM
    for ax, ay, bx, by in world.walls:
        # Projecting caps run each wall half its thickness past its ends, so corners close (as in the viewer).
        floor.plot([ax, bx], [ay, by], color=INK, lw=thickness_pt, solid_capstyle="projecting", zorder=3)
    for x, y, heading in world.starts:
        # A white edge round the dark outline keeps the arrow visible on a black line too.
        floor.add_patch(Polygon(_arrow(x, y, heading), closed=True, fill=False, edgecolor=INK, lw=0.8, zorder=4,
                                path_effects=[withStroke(linewidth=2.4, foreground="white")]))
    return figure, floor


def _draw_page(figure, floor, challenge, tile: Tile, index: int, rows: int, columns: int) -> list:
    """Put one tile on the page: its part of the floor at true scale, centred in the
    printable area, with its marks and labels in the margin. Returns the artists added."""
    x0, y0, x1, y1, orientation = tile
    page_w, page_h = page_mm(orientation)
    room_w, room_h = printable_mm(orientation)
    width, height = x1 - x0, y1 - y0
    left = MARGIN_MM + (room_w - width) / 2          # image corners on the page, in mm
    bottom = MARGIN_MM + (room_h - height) / 2
    right, top = left + width, bottom + height
    # The axes box, in figure fractions, spans exactly width x height mm of paper, and its
    # limits span the same mm of world: 1 world mm = 1 paper mm.
    floor.set_position((left / page_w, bottom / page_h, width / page_w, height / page_h))
    added = [_floor_image(floor, challenge.world, tile)]
    floor.set_xlim(x0, x1)
    floor.set_ylim(y0, y1)
    added += _overlaps(floor, tile, index, rows, columns)

    mm = Affine2D().scale(1 / MM_PER_INCH) + figure.dpi_scale_trans    # page mm from the bottom-left corner
    family = list(_font_family())
    # Chinese without a font for it would print as empty boxes: English is more use then.
    lang = "en" if current_language() == "zh" and len(family) == 1 else None

    def line(xs, ys, lw, **style):
        added.append(figure.add_artist(Line2D(xs, ys, transform=mm, color=INK, lw=lw, **style)))

    def text(x, y, words, **style):
        added.append(figure.text(x, y, words, transform=mm, color=INK, family=family,
                                 **({"fontsize": 6.5} | style)))

    for x, sx in ((left, -1), (right, 1)):          # crop marks: each image edge continued past its corners
        for y, sy in ((bottom, -1), (top, 1)):
            line([x + sx * 1, x + sx * 6], [y, y], 0.3)
            line([x, x], [y + sy * 1, y + sy * 6], 0.3)
    row, column = index // columns + 1, index % columns + 1
    text(left + 2, top + 3.5, render("print.page", lang, id=challenge.id, version=challenge.version, row=row, rows=rows,
                                     column=column, columns=columns, page=index + 1, pages=rows * columns),
         va="bottom")
    bar_y = bottom - 4.5
    line([left + 2, left + 2 + SCALE_BAR_MM], [bar_y, bar_y], 1.2, solid_capstyle="butt")
    for x in (left + 2, left + 2 + SCALE_BAR_MM):   # end ticks make the bar's ends easy to measure from
        line([x, x], [bar_y - 1.2, bar_y + 1.2], 0.4)
    text(left + 5 + SCALE_BAR_MM, bar_y, render("print.scale", lang, mm=f"{SCALE_BAR_MM:g}"), va="center")
    text(right + 4, bottom + height / 2, render("print.join", lang), rotation=90, ha="center", va="center",
         rotation_mode="anchor", fontsize=5.5)
    return added


def _floor_image(axes, world, tile: Tile):
    x0, y0, x1, y1, _ = tile
    s = world.mm_per_px
    rows, cols = world.floor.shape[:2]
    # Only the pixels under this tile go into the page, so each page stays small.
    c0, c1 = max(0, int(x0 / s)), min(cols, math.ceil(x1 / s))
    r0, r1 = max(0, int(y0 / s)), min(rows, math.ceil(y1 / s))
    # interpolation="none" embeds the pixels as they are and the PDF places them exactly at
    # the extent (matplotlib's "nearest" would resample every page at the output dpi: twice
    # as slow, and edges snapped to that dpi). Repeating each pixel keeps edges sharp in a
    # viewer or printer driver that smooths enlarged images anyway.
    repeat = max(1, round(s / PIXEL_MM))
    pixels = world.floor[r0:r1, c0:c1].repeat(repeat, axis=0).repeat(repeat, axis=1)
    # origin="lower" keeps world y up: row r0 at the bottom of the image, as on the floor.
    return axes.imshow(pixels, extent=(c0 * s, c1 * s, r0 * s, r1 * s), origin="lower",
                       interpolation="none", aspect="auto", zorder=1)


def _arrow(x: float, y: float, heading_deg: float, length: float = 80.0) -> np.ndarray:
    """An arrow outline centred on (x, y), pointing along ``heading_deg`` (0 = +x, counter-clockwise)."""
    half, shaft, head = length / 2, length * 0.12, length * 0.3
    shape = np.array([(-half, -shaft), (half - head, -shaft), (half - head, -head), (half, 0),
                      (half - head, head), (half - head, shaft), (-half, shaft)])
    angle = math.radians(heading_deg)
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    return shape @ rotation.T + (x, y)


def _overlaps(axes, tile: Tile, index: int, rows: int, columns: int) -> list:
    """Dashed lines where the next page's trimmed edge goes (right and below); the strip
    beyond is covered by that page, so it is lightly shaded."""
    x0, y0, x1, y1, _ = tile
    style = dict(color=MARK, lw=0.6, ls=(0, (4, 3)), zorder=5)
    shade = dict(color=MARK, alpha=0.15, lw=0, zorder=2)
    added = []
    if index % columns < columns - 1:
        added += [axes.axvline(x1 - OVERLAP_MM, **style), axes.axvspan(x1 - OVERLAP_MM, x1, **shade)]
    if index // columns < rows - 1:
        added += [axes.axhline(y0 + OVERLAP_MM, **style), axes.axhspan(y0, y0 + OVERLAP_MM, **shade)]
    return added


@functools.cache
def _font_family() -> tuple[str, ...]:
    """DejaVu Sans (matplotlib's own) for Latin text, then any installed CJK font for Chinese."""
    installed = {font.name for font in fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in CJK_FONTS if name in installed))
