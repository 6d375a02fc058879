"""Charts for a report dict (``schemas/report.schema.json``), as Altair charts and static SVG.

Each chart function takes the report dict and returns a chart, or None when the report has no
data for it. ``svg`` renders a chart offline through vl-convert: the data is inline in the spec
and no external URL is allowed, so rendering never touches the network.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import networkx as nx  # type: ignore[import-untyped, unused-ignore]
import polars as pl
import vl_convert

AnyChart = alt.Chart | alt.LayerChart | alt.VConcatChart

# Okabe-Ito hues (safe for the common colour-vision deficiencies), on soft neutrals.
INK = "#2b3a42"
MUTED = "#6b7b83"
GRID = "#e7eaec"
LINE = "#8fa3ad"
BLUE = "#0072b2"
VERMILLION = "#d55e00"
PURPLE = "#cc79a7"
GREEN = "#009e73"
ORANGE = "#e69f00"
SKY = "#56b4e9"
# metric-compatible faces: SVG text is laid out by vl-convert and drawn by the browser, so both
# must measure alike (DejaVu, a common Linux default, is much wider and overflows labels)
FONT = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
WIDTH = 340

MARKS = ("strong reaction", "rupture", "repair")
SRS_STRAINED = 36  # Duncan & Miller: an SRS total below 36 signals a strained session
GRAPH_SEED = 7


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT, background="transparent", padding=12)
        .configure_view(stroke=None)
        .configure_axis(labelColor=MUTED, titleColor=INK, gridColor=GRID, domainColor=LINE,
                        tickColor=LINE, labelFontSize=12, titleFontSize=12, titleFontWeight="normal")
        .configure_legend(labelColor=INK, titleColor=INK, labelFontSize=12, titleFontSize=12,
                          orient="bottom", direction="horizontal", columnPadding=16,
                          symbolSize=90, labelLimit=200)
        .configure_title(color=INK, fontSize=14, anchor="start", fontWeight="normal")
    )


def _data(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    # a frame, not inline values: Altair validates and deep-copies inline values at every layer,
    # while a frame goes once into the spec's top-level datasets
    return pl.DataFrame([dict(r) for r in rows], infer_schema_length=None)


def intensity(report: Mapping[str, Any]) -> AnyChart | None:
    """Intensity per entry over time; strong reactions, ruptures and repairs marked by shape."""
    timeline = report.get("timeline") or []
    if not timeline:
        return None
    points = [{"date": t["date"], "intensity": t["intensity"]} for t in timeline]
    marks = [{"date": t["date"], "intensity": t["intensity"], "mark": name}
             for t in timeline
             for name, flag in zip(MARKS, ("strong", "rupture", "repair"), strict=True) if t[flag]]
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %d", labelOverlap=True, grid=False))
    y = alt.Y("intensity:Q", title="intensity (0-10)", scale=alt.Scale(domain=[0, 10]),
              axis=alt.Axis(values=[0, 2, 4, 6, 8, 10]))
    base = alt.Chart(_data(points)).encode(x=x, y=y)
    layers: list[Any] = [
        base.mark_line(color=LINE, strokeWidth=1.5),
        base.mark_circle(color=LINE, size=22, opacity=0.9),
    ]
    if marks:
        layers.append(alt.Chart(_data(marks)).mark_point(filled=True, size=110, opacity=0.95).encode(
            x=x, y=y,
            shape=alt.Shape("mark:N", title=None, scale=alt.Scale(
                domain=list(MARKS), range=["triangle-up", "diamond", "circle"])),
            color=alt.Color("mark:N", title=None, scale=alt.Scale(
                domain=list(MARKS), range=[VERMILLION, PURPLE, GREEN])),
        ))
    chart = alt.layer(*layers).properties(width=WIDTH, height=200,
                                          title="Intensity of each entry over time")
    return _config(chart)  # type: ignore[no-any-return]


def pervasiveness(report: Mapping[str, Any]) -> AnyChart | None:
    """Theme x role heatmap of pervasiveness: the share of the role's episodes with the theme."""
    perv = report.get("pervasiveness") or {}
    cells = perv.get("cells") or []
    if not cells:
        return None
    themes = list(perv.get("themes") or dict.fromkeys(c["theme"] for c in cells))
    roles = list(perv.get("roles") or dict.fromkeys(c["role"] for c in cells))
    rows = [{**c, "label": f"{round(c['share'] * 100)}%"} for c in cells]
    base = alt.Chart(_data(rows)).encode(
        x=alt.X("role:N", sort=roles, title=None,
                axis=alt.Axis(orient="top", labelAngle=-40, labelColor=INK, ticks=False, domain=False)),
        y=alt.Y("theme:N", sort=themes, title=None,
                axis=alt.Axis(labelColor=INK, ticks=False, domain=False)),
    )
    rect = base.mark_rect(cornerRadius=3, stroke="white", strokeWidth=2).encode(
        color=alt.Color("share:Q", legend=None,
                        scale=alt.Scale(domain=[0, 1], range=["#eef3f6", "#1d5a85"])))
    text = base.mark_text(fontSize=11).encode(
        text="label:N",
        color=alt.condition("datum.share >= 0.6", alt.value("white"), alt.value(INK)))
    chart = alt.layer(rect, text).properties(
        width=alt.Step(42), height=alt.Step(28), title="How often each theme comes up, per role")
    return _config(chart)  # type: ignore[no-any-return]


def breadcrumb_trail(report: Mapping[str, Any], breadcrumb_id: str | None = None) -> AnyChart | None:
    """One breadcrumb's trail: a row per role, a point per dated echo (past ones in orange), and
    the therapy moment marked. The first breadcrumb unless ``breadcrumb_id`` names one."""
    crumbs = report.get("breadcrumbs") or []
    crumb = next((b for b in crumbs if breadcrumb_id is None or b["id"] == breadcrumb_id), None)
    if crumb is None or not crumb["trail"]:
        return None
    trail = sorted(crumb["trail"], key=lambda t: t["date"])
    roles = list(dict.fromkeys(t["role"] for t in trail))
    rows = [{"date": t["date"], "role": t["role"], "intensity": t["intensity"],
             "when": "past" if t["past"] else "recent",
             "moment": t["date"] == crumb["therapy_moment"] and t["role"] == "therapist"}
            for t in trail]
    x = alt.X("date:T", title=None, scale=alt.Scale(padding=14),
              axis=alt.Axis(labelOverlap="greedy", labelSeparation=8, grid=False, tickCount=5))
    y = alt.Y("role:N", sort=roles, title=None, axis=alt.Axis(labelColor=INK, ticks=False, domain=False))
    moment = alt.Chart(_data([{"date": crumb["therapy_moment"], "label": "therapy moment"}]))
    layers: list[Any] = [
        # a faint lane per role keeps each row readable on a small screen
        alt.Chart(_data(rows)).mark_line(color=GRID, strokeWidth=6, strokeCap="round").encode(
            x=x, y=y, detail="role:N"),
        moment.mark_rule(color=PURPLE, strokeDash=[4, 3], strokeWidth=1.5).encode(x=x),
        moment.mark_text(color=PURPLE, align="right", dx=-5, dy=-4, baseline="bottom", fontSize=11).encode(
            x=x, y=alt.value(0), text="label:N"),
        alt.Chart(_data(rows)).mark_circle(opacity=0.95).encode(
            x=x, y=y,
            color=alt.Color("when:N", title=None,
                            scale=alt.Scale(domain=["past", "recent"], range=[ORANGE, BLUE])),
            size=alt.Size("intensity:Q", title="intensity", scale=alt.Scale(domain=[0, 10], range=[30, 260]),
                          legend=None)),
        alt.Chart(_data([r for r in rows if r["moment"]])).mark_point(
            color=PURPLE, size=420, strokeWidth=2.5).encode(x=x, y=y),
    ]
    chart = alt.layer(*layers).properties(
        width=WIDTH, height=alt.Step(34), title=f"Trail of \u201c{crumb['theme']}\u201d")
    return _config(chart)  # type: ignore[no-any-return]


def graph_layout(report: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Node positions from ``networkx.spring_layout`` with a fixed seed: the same report always
    draws the same picture."""
    g = report.get("graph") or {}
    graph: Any = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in g.get("nodes") or []))
    for link in sorted(g.get("links") or [], key=lambda lk: (lk["source"], lk["target"])):
        if link["source"] in graph and link["target"] in graph:
            graph.add_edge(link["source"], link["target"], weight=max(float(link["weight"]), 0.01))
    if graph.number_of_nodes() == 0:
        return {}
    try:
        pos = nx.spring_layout(graph, seed=GRAPH_SEED, weight="weight")
    except ImportError:  # networkx's layouts need numpy, which patternlens does not require
        return _spring_fallback(graph)
    return {str(k): (float(v[0]), float(v[1])) for k, v in pos.items()}


def _spring_fallback(graph: Any, iterations: int = 80) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold in plain Python from a seeded start: small graphs only, same result
    every run."""
    rng = random.Random(GRAPH_SEED)
    nodes = list(graph.nodes)
    pos = {n: [rng.random(), rng.random()] for n in nodes}
    k = 1 / math.sqrt(len(nodes))
    temp = 0.1
    for _ in range(iterations):
        disp = {n: [0.0, 0.0] for n in nodes}
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                dist = max(math.hypot(dx, dy), 0.01)
                f = k * k / dist
                disp[a][0] += dx / dist * f
                disp[a][1] += dy / dist * f
                disp[b][0] -= dx / dist * f
                disp[b][1] -= dy / dist * f
        for a, b, w in graph.edges(data="weight", default=1.0):
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            dist = max(math.hypot(dx, dy), 0.01)
            f = dist * dist / k * float(w)
            for n, sign in ((a, -1), (b, 1)):
                disp[n][0] += sign * dx / dist * f
                disp[n][1] += sign * dy / dist * f
        for n in nodes:
            length = max(math.hypot(*disp[n]), 0.01)
            step = min(length, temp)
            pos[n][0] += disp[n][0] / length * step
            pos[n][1] += disp[n][1] / length * step
        temp -= 0.1 / (iterations + 1)
    # centre and scale into [-1, 1] like networkx does
    cx = sum(p[0] for p in pos.values()) / len(nodes)
    cy = sum(p[1] for p in pos.values()) / len(nodes)
    span = max((max(abs(p[0] - cx), abs(p[1] - cy)) for p in pos.values()), default=0.0) or 1.0
    return {str(n): ((p[0] - cx) / span, (p[1] - cy) / span) for n, p in pos.items()}


def relationship_graph(report: Mapping[str, Any]) -> AnyChart | None:
    """People, roles and themes as a graph: links as rules (dashed when they reach into the past),
    nodes as points whose shape and colour say their kind."""
    g = report.get("graph") or {}
    pos = graph_layout(report)
    if not pos:
        return None
    nodes = [{"id": n["id"], "kind": n["kind"], "label": n["label"],
              "x": pos[n["id"]][0], "y": pos[n["id"]][1]} for n in g["nodes"]]
    links = [{"x": pos[lk["source"]][0], "y": pos[lk["source"]][1],
              "x2": pos[lk["target"]][0], "y2": pos[lk["target"]][1],
              "weight": lk["weight"], "link": "reaches the past" if lk["has_past"] else "recent"}
             for lk in g.get("links") or [] if lk["source"] in pos and lk["target"] in pos]
    pad = 0.25
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    sx = alt.Scale(domain=[min(xs) - pad, max(xs) + pad], nice=False, zero=False)
    sy = alt.Scale(domain=[min(ys) - pad, max(ys) + pad], nice=False, zero=False)
    kinds = ["person", "role", "theme"]
    layers: list[Any] = []
    if links:
        weights = [lk["weight"] for lk in links]
        layers.append(alt.Chart(_data(links)).mark_rule(color=LINE, opacity=0.8).encode(
            x=alt.X("x:Q", scale=sx, axis=None), y=alt.Y("y:Q", scale=sy, axis=None),
            x2="x2:Q", y2="y2:Q",
            strokeWidth=alt.StrokeWidth("weight:Q", legend=None, scale=alt.Scale(
                domain=[min(weights), max(max(weights), min(weights) + 1e-9)], range=[1, 4.5])),
            strokeDash=alt.StrokeDash("link:N", legend=None, scale=alt.Scale(
                domain=["recent", "reaches the past"], range=[[1, 0], [5, 3]])),
        ))
    layers.append(alt.Chart(_data(nodes)).mark_point(filled=True, size=230, opacity=1,
                                                     stroke="white", strokeWidth=1.5).encode(
        x=alt.X("x:Q", scale=sx, axis=None), y=alt.Y("y:Q", scale=sy, axis=None),
        shape=alt.Shape("kind:N", title=None, scale=alt.Scale(
            domain=kinds, range=["circle", "square", "diamond"])),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=kinds, range=[BLUE, ORANGE, PURPLE])),
    ))
    layers.append(alt.Chart(_data(nodes)).mark_text(dy=-13, fontSize=11, color=INK).encode(
        x=alt.X("x:Q", scale=sx, axis=None), y=alt.Y("y:Q", scale=sy, axis=None), text="label:N"))
    chart = alt.layer(*layers).resolve_legend(color="shared", shape="shared").properties(
        width=WIDTH, height=340, title="Who, in which role, with which themes")
    return _config(chart)  # type: ignore[no-any-return]


def alliance(report: Mapping[str, Any]) -> AnyChart | None:
    """The weekly alliance index (0-1) and, when the writer logged them, SRS and ORS totals
    with the SRS line at 36 (below it a session felt strained)."""
    data = report.get("alliance") or {}
    weekly = [{"date": w["week"], "alliance_index": w["alliance_index"]}
              for w in data.get("weekly") or [] if w["alliance_index"] is not None]
    scores = [{"date": s["date"], "scale": scale, "total": s[key]}
              for s in data.get("sessions") or []
              for scale, key in (("SRS (session)", "srs_total"), ("ORS (outcome)", "ors_total"))
              if s[key] is not None]
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %d", labelOverlap=True, grid=False))
    panels: list[Any] = []
    if weekly:
        base = alt.Chart(_data(weekly)).encode(
            x=x, y=alt.Y("alliance_index:Q", title="alliance index", scale=alt.Scale(domain=[0, 1]),
                         axis=alt.Axis(values=[0, 0.5, 1])))
        panels.append(alt.layer(base.mark_line(color=BLUE, strokeWidth=2, interpolate="monotone"),
                                base.mark_circle(color=BLUE, size=40))
                      .properties(width=WIDTH, height=150,
                                  title="Weekly alliance index (1 = no strain written)"))
    if scores:
        scale = ["SRS (session)", "ORS (outcome)"]
        base = alt.Chart(_data(scores)).encode(
            x=x, y=alt.Y("total:Q", title="total (0-40)", scale=alt.Scale(domain=[0, 40]),
                         axis=alt.Axis(values=[0, 10, 20, 30, 40])),
        )
        colour = alt.Color("scale:N", title=None, scale=alt.Scale(domain=scale, range=[GREEN, SKY]))
        rule = alt.Chart(_data([{"y": SRS_STRAINED, "label": "36: below, a strained session"}]))
        panels.append(alt.layer(
            rule.mark_rule(color=VERMILLION, strokeDash=[4, 3]).encode(y="y:Q"),
            rule.mark_text(color=VERMILLION, align="right", baseline="top", dy=3, fontSize=11).encode(
                y="y:Q", x=alt.value(WIDTH - 2), text="label:N"),
            base.mark_line(strokeWidth=2).encode(color=colour.legend(None)),
            # shapes tell the two scales apart without colour too
            base.mark_point(filled=True, size=50, opacity=1).encode(color=colour, shape=alt.Shape(
                "scale:N", legend=None, scale=alt.Scale(domain=scale, range=["circle", "square"]))),
        ).properties(width=WIDTH, height=170, title="Session ratings"))
    if not panels:
        return None
    chart = panels[0] if len(panels) == 1 else alt.vconcat(*panels, spacing=24).resolve_scale(
        x="shared", color="independent")
    return _config(chart)  # type: ignore[no-any-return]


_ID = re.compile(r'\bid="([^"]+)"')


def svg(chart: AnyChart, *, prefix: str = "") -> str:
    """Render ``chart`` to an SVG string, offline. ``prefix`` is put before every id inside the
    SVG, so that several charts inlined in one page do not share clip paths or gradients."""
    out: str = vl_convert.vegalite_to_svg(chart.to_json(), allowed_base_urls=[])
    if prefix:
        for name in sorted(set(_ID.findall(out)), key=len, reverse=True):
            new = prefix + name
            out = (out.replace(f'id="{name}"', f'id="{new}"')
                   .replace(f"url(#{name})", f"url(#{new})")
                   .replace(f'href="#{name}"', f'href="#{new}"'))
    return out


CHARTS = {
    "intensity": intensity,
    "pervasiveness": pervasiveness,
    "graph": relationship_graph,
    "alliance": alliance,
}
