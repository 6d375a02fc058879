"""The HTML report in a real headless Chromium: the charts draw, with size and colour, at phone
and desktop widths, and the page asks for nothing from the network."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from test_render import crisis_report, empty_report

from patternlens.report.html import render_html

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome"), "/usr/bin/chromium") if p and os.path.exists(p)),
                None)
# In CI (.ci/run installs Chromium) a missing browser is a failure, never a quiet skip.
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI must have chromium: .ci/run installs Debian's chromium package")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary (apt-get install chromium)")]

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def _chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / "profile"
    profile.mkdir(exist_ok=True)
    assert CHROMIUM is not None
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and raw RGB(A) rows of an 8-bit non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line if channels == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3)))
        prev = line
    return width, height, rows


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    path = tmp / "report.html"
    path.write_text(render_html(crisis_report()), "utf-8")
    return path


# probe: after load, write each chart's rendered size into the DOM so --dump-dom carries it
PROBE = """<script>addEventListener('load',()=>{for(const f of document.querySelectorAll('figure.chart')){
const r=f.querySelector('svg').getBoundingClientRect();const n=f.querySelectorAll('svg *').length;
f.setAttribute('data-box',Math.round(r.width)+'x'+Math.round(r.height)+'x'+n);}
document.body.setAttribute('data-width',innerWidth+'x'+document.documentElement.scrollWidth);});</script>"""


@pytest.mark.parametrize("width", [412, 1280])
def test_charts_have_size_in_the_dom(page: Path, tmp_path: Path, width: int) -> None:
    # the probe goes into a copy: the report itself carries no script
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text("utf-8").replace(
        "default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
        .replace("</body>", PROBE + "</body>"), "utf-8")
    run = _chromium(tmp_path, f"--window-size={width},2400", "--dump-dom", probed.as_uri())
    assert run.returncode == 0, run.stderr[-2000:]
    # headless Chromium lays out --dump-dom no narrower than 500 px; compare with what it used
    found = re.search(r'data-width="(\d+)x(\d+)"', run.stdout)
    assert found, "the probe did not run"
    viewport, scroll = int(found.group(1)), int(found.group(2))
    assert width <= viewport <= max(width, 500)
    assert scroll <= viewport, "the page scrolls sideways"
    boxes = re.findall(r'<figure class="chart" id="chart-([\w-]+)" data-box="(\d+)x(\d+)x(\d+)"', run.stdout)
    assert {name for name, *_ in boxes} >= {"intensity", "pervasiveness", "graph", "alliance"}
    for name, w, h, n in boxes:
        assert int(w) > 150 and int(h) > 80, (name, w, h)
        assert int(w) <= viewport - 40, (name, w)  # scaled down to fit, not cut off
        assert int(n) > 10, name


# a copy that keeps only the charts, stacked where the page puts them: the pixels left are
# the charts' own
CHARTS_ONLY = ("header,footer,nav,p,h2,h3,ol,blockquote,.note,.table-wrap,details,ul,figcaption{display:none}"
               "section,article,figure{margin:0!important;padding:0!important;border:0!important}")


def _shoot(tmp: Path, html: str, width: int, name: str) -> tuple[int, int, list[bytes]]:
    src = tmp / f"{name}.html"
    src.write_text(html, "utf-8")
    shot = tmp / f"{name}-{width}.png"
    run = _chromium(tmp, f"--window-size={width},2400", f"--screenshot={shot}", src.as_uri())
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    if os.environ.get("PATTERNLENS_KEEP_SCREENSHOTS"):  # to look at them
        shutil.copy(shot, Path(os.environ["PATTERNLENS_KEEP_SCREENSHOTS"]) / shot.name)
    return read_png(shot)


def _colours(rows: list[bytes]) -> set[bytes]:
    found = set()
    for row in rows[::2]:
        found.update(row[i:i + 3] for i in range(0, len(row), 6))
    return found


@pytest.mark.parametrize("width", [412, 1280])
def test_screenshot_shows_colourful_charts(page: Path, tmp_path: Path, width: int) -> None:
    html = page.read_text("utf-8")
    w, h, rows = _shoot(tmp_path, html, width, "report")
    assert (w, h) == (width, 2400)
    assert len(_colours(rows)) > 50, "the page did not render"
    _, _, rows = _shoot(tmp_path, html.replace("</style>", CHARTS_ONLY + "</style>"), width, "charts")
    colours = _colours(rows)
    # five charts with lines, points and a colour scale: many shades, a good part of them hues
    assert len(colours) > 300, len(colours)
    saturated = {c for c in colours if max(c) - min(c) > 60}
    assert len(saturated) > 40, len(saturated)
    # and band after band of the screen carries chart pixels, not just the first chart
    inked = [any(max(row[i:i + 3]) - min(row[i:i + 3]) > 60 for i in range(0, len(row), 6)) for row in rows]
    assert sum(inked) > 300, sum(inked)


def test_an_empty_report_draws_no_chart(tmp_path: Path) -> None:
    html = render_html(empty_report()).replace("</style>", CHARTS_ONLY + "</style>")
    _, _, rows = _shoot(tmp_path, html, 412, "empty")
    assert len(_colours(rows)) <= 2
