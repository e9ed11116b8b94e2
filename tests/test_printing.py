"""`roboarena challenges print`: the floor at true scale on A4 tiles that cover it with
overlap, checked in the PDF bytes themselves and on a rendered page."""

import dataclasses
import math
import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from roboarena.challenges import printing
from roboarena.challenges.pack import load_challenge
from roboarena.challenges.printing import A4_MM, MARGIN_MM, OVERLAP_MM, plan_tiles, print_floor
from roboarena.cli import main
from roboarena.errors import ChallengeError
from roboarena.sims.world import parse_world

PT_PER_MM = 72 / 25.4


def expected_pages(width_mm, height_mm):
    """Fewest A4 pages, either orientation, of printable tiles overlapping by OVERLAP_MM."""

    def count(length, room):
        return 1 if length <= room else math.ceil((length - OVERLAP_MM) / (room - OVERLAP_MM))

    short, long = A4_MM[0] - 2 * MARGIN_MM, A4_MM[1] - 2 * MARGIN_MM
    return min(count(width_mm, short) * count(height_mm, long), count(width_mm, long) * count(height_mm, short))


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


def media_boxes(data: bytes) -> list[tuple[float, float]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", data)
    return [(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes]


def content_streams(data: bytes) -> list[bytes]:
    """The decompressed streams that draw an image (page contents), in file order."""
    found = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            text = zlib.decompress(raw)
        except zlib.error:
            continue
        if b" Do" in text:
            found.append(text)
    return found


def image_sizes(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Width and height in pixels of each image, by its name in the page resources (b"I1")."""
    objects = {number: (int(w), int(h)) for number, w, h in re.findall(
        rb"(\d+) 0 obj\s*<<[^>]*?/Subtype\s*/Image\s*/Width\s+(\d+)\s*/Height\s+(\d+)", data)}
    return {name: objects[number] for name, number in re.findall(rb"/(I\d+) (\d+) 0 R", data) if number in objects}


@pytest.fixture(scope="module")
def line_follow_pdf(tmp_path_factory):
    challenge = load_challenge("line-follow")
    out, pages = print_floor(challenge, tmp_path_factory.mktemp("print") / "line-follow.pdf")
    return challenge, out, pages


def test_line_follow_prints_as_a4_pages_of_the_expected_count(line_follow_pdf):
    challenge, out, pages = line_follow_pdf
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    expected = expected_pages(challenge.world.width_mm, challenge.world.height_mm)
    assert pages == expected == pdf_pages(data) == 81
    boxes = media_boxes(data)
    assert len(boxes) == pages
    a4 = (A4_MM[0] * PT_PER_MM, A4_MM[1] * PT_PER_MM)    # 595.28 x 841.89 pt
    for width, height in boxes:
        assert min(abs(width - a4[0]) + abs(height - a4[1]), abs(width - a4[1]) + abs(height - a4[0])) < 0.5
    assert len(set(boxes)) == 1                            # one orientation for the whole document


def test_each_page_places_its_floor_at_true_scale_inside_the_printable_area(line_follow_pdf):
    challenge, out, pages = line_follow_pdf
    world = challenge.world
    tiles = plan_tiles(world.width_mm, world.height_mm)
    page_w, page_h = media_boxes(out.read_bytes())[0]
    streams = content_streams(out.read_bytes())
    sizes = image_sizes(out.read_bytes())
    assert len(streams) == pages
    for tile, stream in zip(tiles, streams):
        x0, y0, x1, y1, _ = tile
        # The floor axes clip to its box: that box is the tile, 1 world mm = 1 paper mm.
        clip = re.search(rb"([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) re W n", stream)
        left, bottom, width, height = (float(v) / PT_PER_MM for v in clip.groups())
        assert width == pytest.approx(x1 - x0, abs=0.01) and height == pytest.approx(y1 - y0, abs=0.01)
        assert left >= MARGIN_MM - 0.01 and bottom >= MARGIN_MM - 0.01
        assert left + width <= page_w / PT_PER_MM - MARGIN_MM + 0.01
        assert bottom + height <= page_h / PT_PER_MM - MARGIN_MM + 0.01
        # The image is drawn with square pixels, each a whole fraction of a floor pixel
        # (the floor's own pixels at their own size), covering the tile.
        drawn = re.search(rb"cm ([-\d.]+) 0 0 ([-\d.]+)\s.*?/(I\d+) Do", stream, re.S)
        drawn_w, drawn_h = (float(v) / PT_PER_MM for v in drawn.groups()[:2])
        pixels_w, pixels_h = sizes[drawn.group(3)]
        pixel_mm = drawn_w / pixels_w
        assert drawn_h / pixels_h == pytest.approx(pixel_mm, rel=1e-6)
        assert world.mm_per_px / pixel_mm == pytest.approx(round(world.mm_per_px / pixel_mm), abs=1e-6)
        assert x1 - x0 - 1e-6 <= drawn_w <= x1 - x0 + 2 * world.mm_per_px
        assert y1 - y0 - 1e-6 <= drawn_h <= y1 - y0 + 2 * world.mm_per_px


@pytest.mark.parametrize("size", [(2400, 1600), (2100, 1400), (4000, 2800), (200, 200), (190, 277), (1000, 5000),
                                  (277 * 3 - 20, 190 * 2 - 10), (999.9, 333.3)])
def test_tiles_cover_the_floor_with_overlap_within_the_printable_area(size):
    width, height = size
    tiles = plan_tiles(width, height)
    assert len(tiles) == expected_pages(width, height)
    (orientation,) = {tile[4] for tile in tiles}
    page = A4_MM if orientation == "portrait" else A4_MM[::-1]
    room_w, room_h = page[0] - 2 * MARGIN_MM, page[1] - 2 * MARGIN_MM
    for x0, y0, x1, y1, _ in tiles:
        assert 0 < x1 - x0 <= room_w + 1e-9 and 0 < y1 - y0 <= room_h + 1e-9
    columns = sorted({(t[0], t[2]) for t in tiles})
    rows = sorted({(t[1], t[3]) for t in tiles})
    assert len(columns) * len(rows) == len(tiles)
    assert {(x, y) for x in columns for y in rows} == {((t[0], t[2]), (t[1], t[3])) for t in tiles}
    for spans, length in ((columns, width), (rows, height)):
        assert spans[0][0] == 0 and spans[-1][1] == pytest.approx(length, abs=1e-9)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end - start == pytest.approx(OVERLAP_MM)
    # Reading order: the top row (far edge, largest y) first, left to right.
    assert tiles[0][0] == 0 and tiles[0][3] == pytest.approx(height)
    assert tiles[-1][1] == 0 and tiles[-1][2] == pytest.approx(width)


def small_challenge():
    """line-follow's rules on a 400 x 300 mm floor with one black square near its far-left corner."""
    world = parse_world({"width_mm": 400, "height_mm": 300, "starts": [{"pose": [300, 100, 90]}],
                         "paint": [{"shape": "rect", "rect": [20, 220, 60, 60], "color": "black"}]},
                        Path("small/world.toml"), "0" * 64)
    return dataclasses.replace(load_challenge("line-follow"), world=world)


def test_a_rendered_page_shows_the_floor_upright_at_true_scale():
    challenge = small_challenge()
    x0, y0, x1, y1, orientation = plan_tiles(400, 300)[0]        # top-left tile holds the square
    figure = printing.page_figure(challenge, 0)
    figure.set_dpi(254)                                          # 10 pixels per mm
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., :3].astype(int)
    page_w, page_h = A4_MM if orientation == "portrait" else A4_MM[::-1]
    assert pixels.shape[:2] == (round(page_h * 10), round(page_w * 10))
    # Where a world point lands: the tile is centred in the printable area, y up.
    left = MARGIN_MM + (page_w - 2 * MARGIN_MM - (x1 - x0)) / 2
    bottom = MARGIN_MM + (page_h - 2 * MARGIN_MM - (y1 - y0)) / 2

    def at(x, y):
        return round((left + x - x0) * 10), round((page_h - bottom - (y - y0)) * 10)

    dark = pixels.sum(axis=2) < 150
    column, row = at(50, 250)
    assert dark[row, column]
    assert not dark[at(50, 170)[::-1]]                   # where the square would be if drawn upside down
    # The 60 mm square measures 60 mm on paper, across and down.
    across = dark[row, at(10, 0)[0]:at(150, 0)[0]]
    down = dark[at(0, 290)[1]:at(0, 150)[1], column]
    assert abs(across.sum() - 600) <= 3 and abs(down.sum() - 600) <= 3
    assert abs(np.argmax(down) + at(0, 290)[1] - at(0, 280)[1]) <= 2   # its top edge is at y = 280


def test_chinese_labels_never_stop_the_print_even_without_the_glyphs(tmp_path, monkeypatch):
    monkeypatch.setenv("ROBOARENA_LANG", "zh")
    # Pretend a second font is there so the Chinese text is used with fonts lacking its glyphs.
    monkeypatch.setattr(printing, "_font_family", lambda: ("DejaVu Sans", "DejaVu Serif"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out, pages = print_floor(small_challenge(), tmp_path / "small")
    assert not [w for w in caught if "missing from" in str(w.message)]
    assert out == tmp_path / "small.pdf" and out.read_bytes().startswith(b"%PDF")
    assert pages == pdf_pages(out.read_bytes()) == expected_pages(400, 300)
    assert not list(tmp_path.glob("*.part"))
    assert print_floor(small_challenge(), tmp_path)[0] == tmp_path / "line-follow.pdf"    # a folder: named by id


def test_the_cli_prints_a_challenge(tmp_path, capsys):
    out = tmp_path / "deep" / "folder" / "f.pdf"
    assert main(["challenges", "print", "line-follow", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "81" in capsys.readouterr().out


def test_an_unwritable_path_is_a_clear_error_with_exit_code_2(tmp_path, capsys):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    out = blocker / "f.pdf"
    with pytest.raises(ChallengeError) as error:
        print_floor(small_challenge(), out)
    assert error.value.message_id == "file.bad_key" and error.value.fields["key"] == "--out"
    assert main(["challenges", "print", "line-follow", "--out", str(out)]) == 2
    message = capsys.readouterr().err
    assert "--out" in message and str(out) in message and "Traceback" not in message
    assert f"{blocker} is a file, not a folder" in message
