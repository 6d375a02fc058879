"""The HTML report's charts drawn by ``report.svg``: well-formed SVG with one mark per row of
data, in the right place, labelled, escaped, and drawn without the Vega engine."""

from __future__ import annotations

import itertools
import math
import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_render import NASTY, crisis_report, empty_report, full_report

from patternlens.report import charts, svg

NS = "{http://www.w3.org/2000/svg}"


def parse(text: str | None) -> ET.Element:
    assert text is not None
    root = ET.fromstring(text)  # raises on anything not well-formed, unescaped text included
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None and (root.findtext(f"{NS}desc") or "").strip()
    assert int(root.get("width", "0")) > 150 and int(root.get("height", "0")) > 80
    return root


def group(root: ET.Element, cls: str) -> list[ET.Element]:
    found = [g for g in root.iter(f"{NS}g") if g.get("class") == cls]
    assert len(found) >= 1, cls
    return [child for g in found for child in g]


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def marks(elements: list[ET.Element]) -> list[ET.Element]:
    return [e for e in elements if e.tag in (f"{NS}circle", f"{NS}rect", f"{NS}path")]


def test_intensity_has_a_point_per_entry_placed_by_date_and_intensity() -> None:
    report = full_report()
    timeline = report["timeline"]
    root = parse(svg.intensity(report))
    points = marks(group(root, "points"))
    assert len(points) == len(timeline)
    xs = [float(p.get("cx", "nan")) for p in points]
    ys = [float(p.get("cy", "nan")) for p in points]
    assert xs == sorted(xs) and xs[0] == 0 and math.isclose(xs[-1], charts.WIDTH)
    # y runs down the page: 0 at the bottom (200 px), 10 at the top
    for t, y in zip(timeline, ys, strict=True):
        assert math.isclose(y, 200 - t["intensity"] * 20, abs_tol=0.01)
    events = marks(group(root, "events"))
    flagged = sum(t[f] for t in timeline for f in ("strong", "rupture", "repair"))
    assert len(events) == flagged > 0
    titles = [e.findtext(f"{NS}title") or "" for e in events]
    assert sum(t.startswith("strong reaction") for t in titles) == sum(t["strong"] for t in timeline)
    labels = texts(root)
    assert {"strong reaction", "rupture", "repair", "intensity (0-10)"} <= set(labels)
    assert [s for s in labels if s in {"0", "2", "4", "6", "8", "10"}] == ["0", "2", "4", "6", "8", "10"]


def test_time_axis_ticks_are_calendar_days() -> None:
    jan2, jun5 = date(2025, 1, 2).toordinal(), date(2025, 6, 5).toordinal()
    months = [date.fromordinal(int(t)) for t in svg.time_ticks(jan2, jun5, 9)]
    assert months == [date(2025, m, 1) for m in range(2, 7)]
    weeks = [date.fromordinal(int(t)) for t in svg.time_ticks(jan2, jan2 + 44, 5)]
    assert weeks and all(d.isoweekday() == 7 for d in weeks)
    assert [(b - a).days for a, b in itertools.pairwise(weeks)] == [7] * (len(weeks) - 1)
    years = svg.time_ticks(jan2, jan2 + 3650, 9)
    assert all(date.fromordinal(int(t)).timetuple()[1:3] == (1, 1) for t in years) and len(years) >= 3
    # and the chart shows month labels for the five-month timeline
    assert {"Feb 01", "Mar 01", "Apr 01"} <= set(texts(parse(svg.intensity(full_report()))))


def test_pervasiveness_has_a_cell_per_share_darker_for_more() -> None:
    report = full_report()
    cells = report["pervasiveness"]["cells"]
    root = parse(svg.pervasiveness(report))
    rects = marks(group(root, "cells"))
    assert len(rects) == len(cells)
    by_share = sorted(zip((c["share"] for c in cells), rects, strict=True), key=lambda p: p[0])
    lightness = [sum(int(r.get("fill", "")[i:i + 2], 16) for i in (1, 3, 5)) for _, r in by_share]
    assert lightness == sorted(lightness, reverse=True) and lightness[0] > lightness[-1]
    labels = texts(root)
    for c in cells:
        assert f"{round(c['share'] * 100)}%" in labels
    assert set(report["pervasiveness"]["themes"]) | set(report["pervasiveness"]["roles"]) <= set(labels)


def test_trail_has_an_echo_per_step_and_rings_the_therapy_moment() -> None:
    report = full_report()
    crumb = report["breadcrumbs"][0]
    root = parse(svg.breadcrumb_trail(report, crumb["id"]))
    echoes = marks(group(root, "echoes"))
    assert len(echoes) == len(crumb["trail"])
    past = [e for e in echoes if e.get("fill") == charts.ORANGE]
    assert len(past) == sum(t["past"] for t in crumb["trail"])
    # bigger points felt stronger
    radius = sorted((t["intensity"], float(e.get("r", "0")))
                    for t, e in zip(sorted(crumb["trail"], key=lambda t: t["date"]), echoes, strict=True))
    assert [r for _, r in radius] == sorted(r for _, r in radius)
    rings = [c for c in root.iter(f"{NS}circle") if c.get("fill") == "none"]
    assert len(rings) == 1
    assert {"therapy moment", "past", "recent", *crumb["roles"]} <= set(texts(root))
    assert svg.breadcrumb_trail(report, "no such crumb") is None


def test_graph_has_every_node_and_link_and_escapes_labels() -> None:
    report = full_report()
    g = report["graph"]
    g["nodes"][0]["label"] = NASTY
    root = parse(svg.relationship_graph(report))
    nodes = marks(group(root, "nodes"))
    assert len(nodes) == len(g["nodes"])
    links = group(root, "links")
    assert len(links) == len(g["links"])
    assert sum(1 for lk in links if lk.get("stroke-dasharray")) == sum(lk["has_past"] for lk in g["links"])
    labels = texts(root)
    assert [n["label"] for n in g["nodes"]] == [s for s in labels if s in {n["label"] for n in g["nodes"]}]
    assert NASTY in labels  # parsed back whole: it went in escaped
    assert {"person", "role", "theme"} <= set(labels)


def test_alliance_draws_each_week_and_session_score() -> None:
    report = full_report()
    data = report["alliance"]
    root = parse(svg.alliance(report))
    points = marks(group(root, "points"))
    weekly = [w for w in data["weekly"] if w["alliance_index"] is not None]
    scores = [s[k] for s in data["sessions"] for k in ("srs_total", "ors_total") if s[k] is not None]
    assert weekly and scores
    assert len(points) == len(weekly) + len(scores)
    labels = texts(root)
    assert "36: below, a strained session" in labels
    assert {"SRS (session)", "ORS (outcome)", "Session ratings"} <= set(labels)
    data["sessions"] = []
    root = parse(svg.alliance(report))
    assert len(marks(group(root, "points"))) == len(weekly)
    assert "Session ratings" not in texts(root)


@pytest.mark.parametrize("make", [full_report, crisis_report])
def test_every_chart_is_well_formed(make: Any) -> None:
    report = make()
    for name, chart in svg.CHARTS.items():
        assert "<svg" in (chart(report) or ""), name
        parse(chart(report))
    parse(svg.breadcrumb_trail(report))


def test_no_data_no_chart() -> None:
    report = empty_report()
    assert all(chart(report) is None for chart in svg.CHARTS.values())
    assert svg.breadcrumb_trail(report) is None


def test_the_html_report_needs_no_chart_engine() -> None:
    """The point of ``report.svg``: writing the report loads neither vl-convert (~0.4 s to
    start) nor Altair nor NetworkX (~0.15 s; the graph's layout is ported, see below)."""
    code = ("import sys; from test_render import crisis_report; "
            "from patternlens.report.html import render_html; "
            "html = render_html(crisis_report()); assert html.count('<svg') >= 5; "
            "print(sorted(m for m in sys.modules if m.startswith(('vl_convert', 'altair', 'networkx'))))")
    # a fresh interpreter, on the patternlens under test and beside test_render
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(Path(svg.__file__).parents[2]), str(Path(__file__).parent)])}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=False, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"


def _networkx_layout(report: dict[str, Any]) -> dict[str, tuple[float, float]]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in report["graph"]["nodes"]))
    for link in sorted(report["graph"]["links"], key=lambda lk: (lk["source"], lk["target"])):
        if link["source"] in graph and link["target"] in graph:
            graph.add_edge(link["source"], link["target"], weight=max(float(link["weight"]), 0.01))
    pos = nx.spring_layout(graph, seed=charts.GRAPH_SEED, weight="weight")
    return {str(k): (float(v[0]), float(v[1])) for k, v in pos.items()}


def test_graph_layout_is_networkx_spring_layout() -> None:
    """``charts.graph_layout`` runs networkx's solver itself: the same positions, to the bit,
    for the report's graph and for random ones (repeated links, self-loops, zero weights)."""
    reports = [full_report()]
    rng = random.Random(5)
    for _ in range(40):
        ids = [f"n{i}" for i in range(rng.randint(1, 40))]
        links = [{"source": rng.choice(ids), "target": rng.choice(ids), "weight": rng.choice([0, 1, 2.5, 7]),
                  "has_past": False} for _ in range(rng.randint(0, 3 * len(ids)))]
        reports.append({"graph": {"nodes": [{"id": i, "kind": "person", "label": i} for i in ids],
                                  "links": links}})
    for report in reports:
        assert charts.graph_layout(report) == _networkx_layout(report)
    assert charts.graph_layout(empty_report()) == {}


def test_alliance_names_the_scales_as_the_vega_chart_does(monkeypatch: pytest.MonkeyPatch) -> None:
    # the scale names are charts.SCALES', not svg's own copy: renamed there, renamed here
    renamed = ("Session Rating Scale", "Outcome Rating Scale")
    monkeypatch.setattr(charts, "SCALES", renamed)
    monkeypatch.setattr(svg, "SCALE_STYLE", dict(zip(renamed, svg.SCALE_STYLE.values(), strict=True)))
    labels = texts(parse(svg.alliance(full_report())))
    assert set(renamed) <= set(labels) and "SRS (session)" not in labels
