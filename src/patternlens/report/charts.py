"""Charts for a report dict (``schemas/report.schema.json``), as Vega-Lite specs, for notebooks.

Each chart function takes the report dict and returns a Vega-Lite spec (a plain dict), or None
when the report has no data for it. Plain dicts, not Altair objects: building them needs no
chart library; ``report.notebook`` wraps them in Altair for Jupyter. The HTML report does not
use them: ``report.svg`` draws the same charts directly (no chart engine to start). ``svg``
renders a spec offline through vl-convert, for anyone who wants a spec as a static picture:
the data is inline in the spec and no external URL is allowed, so it never touches the network.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from patternlens.analyze.alliance import SRS_STRAINED

Spec = dict[str, Any]

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
# metric-compatible faces: SVG text is laid out by us (report.svg) or vl-convert and drawn by
# the browser, so both must measure alike (DejaVu, a common Linux default, is much wider and overflows labels)
FONT = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif"
WIDTH = 340

# each kind of mark's shape and colour, shared with report.svg so both draw alike
MARKS = ("strong reaction", "rupture", "repair")
MARK_SHAPES, MARK_COLOURS = ("triangle-up", "diamond", "circle"), (VERMILLION, PURPLE, GREEN)
KINDS = ("person", "role", "theme")
KIND_SHAPES, KIND_COLOURS = ("circle", "square", "diamond"), (BLUE, ORANGE, PURPLE)
SCALES = ("SRS (session)", "ORS (outcome)")
SCALE_SHAPES, SCALE_COLOURS = ("circle", "square"), (GREEN, SKY)
HEAT = ("#eef3f6", "#1d5a85")  # pervasiveness, share 0 to 1
WHEN_COLOURS = (ORANGE, BLUE)  # trail echoes: past, recent
GRAPH_SEED = 7
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"  # a name only: never fetched

CONFIG: Spec = {
    "view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
    "axis": {"domainColor": LINE, "gridColor": GRID, "labelColor": MUTED, "labelFontSize": 12,
             "tickColor": LINE, "titleColor": INK, "titleFontSize": 12, "titleFontWeight": "normal"},
    "background": "transparent",
    "font": FONT,
    "legend": {"columnPadding": 16, "direction": "horizontal", "labelColor": INK, "labelFontSize": 12,
               "labelLimit": 200, "orient": "bottom", "symbolSize": 90, "titleColor": INK,
               "titleFontSize": 12},
    "padding": 12,
    "title": {"anchor": "start", "color": INK, "fontSize": 14, "fontWeight": "normal"},
}


def _top(spec: Spec) -> Spec:
    # a copy: the layers share their encodings and every chart the config, and a caller may
    # restyle the spec it gets without touching the next one
    return copy.deepcopy({"config": CONFIG, **spec, "$schema": SCHEMA})


def _data(rows: Sequence[Mapping[str, Any]]) -> Spec:
    return {"values": list(rows)}  # ``_top`` copies the spec whole


def _field(name: str, kind: str, **props: Any) -> Spec:
    """An encoding channel on a field; ``kind`` is the Vega-Lite type (temporal, nominal...)."""
    return {"field": name, "type": kind, **props}


def _scale(domain: Sequence[Any], range_: Sequence[Any]) -> Spec:
    return {"domain": list(domain), "range": list(range_)}


def _layer(data: Spec | None, mark: Spec, encoding: Spec) -> Spec:
    return ({"data": data} if data is not None else {}) | {"mark": mark, "encoding": encoding}


def heatmap(report: Mapping[str, Any]) -> tuple[list[Spec], list[str], list[str]] | None:
    """The pervasiveness cells with their themes and roles in report order (None when empty);
    shared with ``report.svg`` so both draw the same grid."""
    perv = report.get("pervasiveness") or {}
    cells = perv.get("cells") or []
    if not cells:
        return None
    themes = list(perv.get("themes") or dict.fromkeys(c["theme"] for c in cells))
    roles = list(perv.get("roles") or dict.fromkeys(c["role"] for c in cells))
    return cells, themes, roles


def trail_of(report: Mapping[str, Any], breadcrumb_id: str | None
             ) -> tuple[Spec, list[Spec], list[str]] | None:
    """A breadcrumb (the first unless ``breadcrumb_id`` names one), its trail by date and the
    roles in the order they first come up; None when there is no such trail."""
    crumbs = report.get("breadcrumbs") or []
    crumb = next((b for b in crumbs if breadcrumb_id is None or b["id"] == breadcrumb_id), None)
    if crumb is None or not crumb["trail"]:
        return None
    trail = sorted(crumb["trail"], key=lambda t: t["date"])
    return crumb, trail, list(dict.fromkeys(t["role"] for t in trail))


def intensity(report: Mapping[str, Any]) -> Spec | None:
    """Intensity per entry over time; strong reactions, ruptures and repairs marked by shape."""
    timeline = report.get("timeline") or []
    if not timeline:
        return None
    points = _data([{"date": t["date"], "intensity": t["intensity"]} for t in timeline])
    marks = [{"date": t["date"], "intensity": t["intensity"], "mark": name}
             for t in timeline
             for name, flag in zip(MARKS, ("strong", "rupture", "repair"), strict=True) if t[flag]]
    xy = {"x": _field("date", "temporal", title=None,
                      axis={"format": "%b %d", "labelOverlap": True, "grid": False}),
          "y": _field("intensity", "quantitative", title="intensity (0-10)", scale={"domain": [0, 10]},
                      axis={"values": [0, 2, 4, 6, 8, 10]})}
    layers = [
        _layer(points, {"type": "line", "color": LINE, "strokeWidth": 1.5}, xy),
        _layer(points, {"type": "circle", "color": LINE, "size": 22, "opacity": 0.9}, xy),
    ]
    if marks:
        layers.append(_layer(_data(marks), {"type": "point", "filled": True, "size": 110, "opacity": 0.95}, {
            **xy,
            "shape": _field("mark", "nominal", title=None,
                            scale=_scale(MARKS, MARK_SHAPES)),
            "color": _field("mark", "nominal", title=None, scale=_scale(MARKS, MARK_COLOURS)),
        }))
    return _top({"layer": layers, "width": WIDTH, "height": 200,
                 "title": "Intensity of each entry over time"})


def pervasiveness(report: Mapping[str, Any]) -> Spec | None:
    """Theme x role heatmap of pervasiveness: the share of the role's episodes with the theme."""
    grid = heatmap(report)
    if grid is None:
        return None
    cells, themes, roles = grid
    rows = [{**c, "label": f"{round(c['share'] * 100)}%"} for c in cells]
    xy = {"x": _field("role", "nominal", sort=roles, title=None,
                      axis={"orient": "top", "labelAngle": -40, "labelColor": INK, "ticks": False,
                            "domain": False}),
          "y": _field("theme", "nominal", sort=themes, title=None,
                      axis={"labelColor": INK, "ticks": False, "domain": False})}
    rect = _layer(None, {"type": "rect", "cornerRadius": 3, "stroke": "white", "strokeWidth": 2}, {
        **xy, "color": _field("share", "quantitative", legend=None,
                              scale=_scale([0, 1], HEAT))})
    text = _layer(None, {"type": "text", "fontSize": 11}, {
        **xy, "text": _field("label", "nominal"),
        "color": {"condition": {"test": "datum.share >= 0.6", "value": "white"}, "value": INK}})
    return _top({"layer": [rect, text], "data": _data(rows), "width": {"step": 42},
                 "height": {"step": 28}, "title": "How often each theme comes up, per role"})


def breadcrumb_trail(report: Mapping[str, Any], breadcrumb_id: str | None = None) -> Spec | None:
    """One breadcrumb's trail: a row per role, a point per dated echo (past ones in orange), and
    the therapy moment marked. The first breadcrumb unless ``breadcrumb_id`` names one."""
    picked = trail_of(report, breadcrumb_id)
    if picked is None:
        return None
    crumb, trail, roles = picked
    rows = [{"date": t["date"], "role": t["role"], "intensity": t["intensity"],
             "when": "past" if t["past"] else "recent",
             "moment": t["date"] == crumb["therapy_moment"] and t["role"] == "therapist"}
            for t in trail]
    x = _field("date", "temporal", title=None, scale={"padding": 14},
               axis={"labelOverlap": "greedy", "labelSeparation": 8, "grid": False, "tickCount": 5})
    y = _field("role", "nominal", sort=roles, title=None,
               axis={"labelColor": INK, "ticks": False, "domain": False})
    echoes = _data(rows)
    moment = _data([{"date": crumb["therapy_moment"], "label": "therapy moment"}])
    layers = [
        # a faint lane per role keeps each row readable on a small screen
        _layer(echoes, {"type": "line", "color": GRID, "strokeWidth": 6, "strokeCap": "round"},
               {"x": x, "y": y, "detail": _field("role", "nominal")}),
        _layer(moment, {"type": "rule", "color": PURPLE, "strokeDash": [4, 3], "strokeWidth": 1.5}, {"x": x}),
        _layer(moment, {"type": "text", "color": PURPLE, "align": "right", "dx": -5, "dy": -4,
                        "baseline": "bottom", "fontSize": 11},
               {"x": x, "y": {"value": 0}, "text": _field("label", "nominal")}),
        _layer(echoes, {"type": "circle", "opacity": 0.95}, {
            "x": x, "y": y,
            "color": _field("when", "nominal", title=None, scale=_scale(["past", "recent"], WHEN_COLOURS)),
            "size": _field("intensity", "quantitative", title="intensity", legend=None,
                           scale=_scale([0, 10], [30, 260]))}),
        _layer(_data([r for r in rows if r["moment"]]),
               {"type": "point", "color": PURPLE, "size": 420, "strokeWidth": 2.5}, {"x": x, "y": y}),
    ]
    return _top({"layer": layers, "width": WIDTH, "height": {"step": 34},
                 "title": f"Trail of \u201c{crumb['theme']}\u201d"})


def graph_layout(report: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    """Node positions by ``networkx.spring_layout`` with a fixed seed, so the same report always
    draws the same picture. Below 500 nodes (every report so far) its force-directed solver is
    run here, step for step, on NumPy: importing NetworkX would cost the report ~0.15 s."""
    g = report.get("graph") or {}
    nodes = sorted(n["id"] for n in g.get("nodes") or [])
    index = {node: i for i, node in enumerate(nodes)}
    links = [(index[lk["source"]], index[lk["target"]], max(float(lk["weight"]), 0.01))
             for lk in sorted(g.get("links") or [], key=lambda lk: (lk["source"], lk["target"]))
             if lk["source"] in index and lk["target"] in index]
    if len(nodes) <= 1:
        return {node: (0.0, 0.0) for node in nodes}
    if len(nodes) >= 500:  # networkx's sparse solver
        import networkx as nx

        graph: Any = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_weighted_edges_from((nodes[i], nodes[j], w) for i, j, w in links)
        pos = nx.spring_layout(graph, seed=GRAPH_SEED, weight="weight")
        return {str(k): (float(v[0]), float(v[1])) for k, v in pos.items()}
    return dict(zip(nodes, _spring(len(nodes), links), strict=True))


def _spring(n: int, links: Sequence[tuple[int, int, float]]) -> list[tuple[float, float]]:
    """``networkx.spring_layout(seed=GRAPH_SEED)`` for a small undirected graph (networkx 3.6:
    ``_fruchterman_reingold``, then ``rescale_layout``), the same operations in the same order."""
    import numpy as np

    adj = np.zeros((n, n))
    for i, j, w in links:  # a later link between the same two nodes replaces the earlier one
        adj[i, j] = adj[j, i] = w
    pos = np.asarray(np.random.RandomState(GRAPH_SEED).rand(n, 2), dtype=adj.dtype)
    k = np.sqrt(1.0 / n)
    iterations, threshold = 50, 1e-4
    t = max(max(pos.T[0]) - min(pos.T[0]), max(pos.T[1]) - min(pos.T[1])) * 0.1
    dt = t / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, np.newaxis, :] - pos[np.newaxis, :, :]
        distance = np.linalg.norm(delta, axis=-1)
        np.clip(distance, 0.01, None, out=distance)
        displacement = np.einsum("ijk,ij->ik", delta, (k * k / distance**2 - adj * distance / k))
        length = np.clip(np.linalg.norm(displacement, axis=-1), a_min=0.01, a_max=None)
        delta_pos = np.einsum("ij,i->ij", displacement, t / length)
        pos += delta_pos
        t -= dt
        if (np.linalg.norm(delta_pos) / n) < threshold:
            break
    pos -= pos.mean(axis=0)
    lim = np.abs(pos).max()
    if lim > 0:
        pos *= 1 / lim
    return [(float(x), float(y)) for x, y in pos]


def relationship_graph(report: Mapping[str, Any]) -> Spec | None:
    """People, roles and themes as a graph: links as rules (dashed when they reach into the past),
    nodes as points whose shape and colour say their kind."""
    g = report.get("graph") or {}
    pos = graph_layout(report)
    if not pos:
        return None
    nodes = _data([{"id": n["id"], "kind": n["kind"], "label": n["label"],
                    "x": pos[n["id"]][0], "y": pos[n["id"]][1]} for n in g["nodes"]])
    links = [{"x": pos[lk["source"]][0], "y": pos[lk["source"]][1],
              "x2": pos[lk["target"]][0], "y2": pos[lk["target"]][1],
              "weight": lk["weight"], "link": "reaches the past" if lk["has_past"] else "recent"}
             for lk in g.get("links") or [] if lk["source"] in pos and lk["target"] in pos]
    pad = 0.25
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    xy = {"x": _field("x", "quantitative", axis=None,
                      scale={"domain": [min(xs) - pad, max(xs) + pad], "nice": False, "zero": False}),
          "y": _field("y", "quantitative", axis=None,
                      scale={"domain": [min(ys) - pad, max(ys) + pad], "nice": False, "zero": False})}
    layers = []
    if links:
        weights = [lk["weight"] for lk in links]
        layers.append(_layer(_data(links), {"type": "rule", "color": LINE, "opacity": 0.8}, {
            **xy, "x2": {"field": "x2"}, "y2": {"field": "y2"},
            "strokeWidth": _field("weight", "quantitative", legend=None, scale=_scale(
                [min(weights), max(max(weights), min(weights) + 1e-9)], [1, 4.5])),
            "strokeDash": _field("link", "nominal", legend=None, scale=_scale(
                ["recent", "reaches the past"], [[1, 0], [5, 3]])),
        }))
    layers.append(_layer(nodes, {"type": "point", "filled": True, "size": 230, "opacity": 1,
                                 "stroke": "white", "strokeWidth": 1.5}, {
        **xy,
        "shape": _field("kind", "nominal", title=None, scale=_scale(KINDS, KIND_SHAPES)),
        "color": _field("kind", "nominal", title=None, scale=_scale(KINDS, KIND_COLOURS)),
    }))
    layers.append(_layer(nodes, {"type": "text", "dy": -13, "fontSize": 11, "color": INK},
                         {**xy, "text": _field("label", "nominal")}))
    return _top({"layer": layers, "resolve": {"legend": {"color": "shared", "shape": "shared"}},
                 "width": WIDTH, "height": 340, "title": "Who, in which role, with which themes"})


def alliance(report: Mapping[str, Any]) -> Spec | None:
    """The weekly alliance index (0-1) and, when the writer logged them, SRS and ORS totals
    with the SRS line at 36 (below it a session felt strained)."""
    data = report.get("alliance") or {}
    weekly = [{"date": w["week"], "alliance_index": w["alliance_index"]}
              for w in data.get("weekly") or [] if w["alliance_index"] is not None]
    scores = [{"date": s["date"], "scale": scale, "total": s[key]}
              for s in data.get("sessions") or []
              for scale, key in zip(SCALES, ("srs_total", "ors_total"), strict=True)
              if s[key] is not None]
    x = _field("date", "temporal", title=None, axis={"format": "%b %d", "labelOverlap": True, "grid": False})
    panels: list[Spec] = []
    if weekly:
        xy = {"x": x, "y": _field("alliance_index", "quantitative", title="alliance index",
                                  scale={"domain": [0, 1]}, axis={"values": [0, 0.5, 1]})}
        panels.append({"layer": [
            _layer(None, {"type": "line", "color": BLUE, "strokeWidth": 2, "interpolate": "monotone"}, xy),
            _layer(None, {"type": "circle", "color": BLUE, "size": 40}, xy),
        ], "data": _data(weekly), "width": WIDTH, "height": 150,
            "title": "Weekly alliance index (1 = no strain written)"})
    if scores:
        xy = {"x": x, "y": _field("total", "quantitative", title="total (0-40)", scale={"domain": [0, 40]},
                                  axis={"values": [0, 10, 20, 30, 40]})}
        colour = _field("scale", "nominal", title=None, scale=_scale(SCALES, SCALE_COLOURS))
        totals = _data(scores)
        rule = _data([{"y": int(SRS_STRAINED), "label": f"{SRS_STRAINED:.0f}: below, a strained session"}])
        panels.append({"layer": [
            _layer(rule, {"type": "rule", "color": VERMILLION, "strokeDash": [4, 3]},
                   {"y": _field("y", "quantitative")}),
            _layer(rule, {"type": "text", "color": VERMILLION, "align": "right", "baseline": "top", "dy": 3,
                          "fontSize": 11},
                   {"y": _field("y", "quantitative"), "x": {"value": WIDTH - 2},
                    "text": _field("label", "nominal")}),
            _layer(totals, {"type": "line", "strokeWidth": 2}, {**xy, "color": {**colour, "legend": None}}),
            # shapes tell the two scales apart without colour too
            _layer(totals, {"type": "point", "filled": True, "size": 50, "opacity": 1}, {
                **xy, "color": colour,
                "shape": _field("scale", "nominal", legend=None, scale=_scale(SCALES, SCALE_SHAPES))}),
        ], "width": WIDTH, "height": 170, "title": "Session ratings"})
    if not panels:
        return None
    if len(panels) == 1:
        return _top(panels[0])
    return _top({"vconcat": panels, "resolve": {"scale": {"color": "independent", "x": "shared"}},
                 "spacing": 24})


_ID = re.compile(r'\bid="([^"]+)"')


def svg(chart: Spec, *, prefix: str = "") -> str:
    """Render ``chart`` to an SVG string, offline. ``prefix`` is put before every id inside the
    SVG, so that several charts inlined in one page do not share clip paths or gradients."""
    import vl_convert  # loaded here: its engine takes ~0.4 s to start, and only this needs it

    out: str = vl_convert.vegalite_to_svg(json.dumps(chart), allowed_base_urls=[])
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
