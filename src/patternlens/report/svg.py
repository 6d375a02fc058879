"""The report's five charts drawn straight to SVG, for the HTML report.

The same pictures as the Vega-Lite specs in ``report.charts`` (same data, scales, axes, colours,
shapes and legends), built as plain strings: no chart engine to import or start, which keeps
``patternlens analyze`` quick. Notebooks keep the specs (``report.notebook``). Every string from
the report is escaped; each SVG carries a ``<title>`` and a ``<desc>`` for screen readers, and
the marks a reader may ask about (events, cells, people, echoes) carry their own ``<title>``.
No ids inside, so several SVGs can be inlined in one page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from patternlens.analyze.alliance import SRS_STRAINED
from patternlens.report import charts
from patternlens.report.charts import BLUE, FONT, GRID, INK, LINE, MUTED, PURPLE, VERMILLION, WIDTH

PAD = 12  # around the whole chart, as the specs' "padding"
TITLE = 14  # title font size
LABEL = 12  # axis and legend label size
TICK = 5
MARK_STYLE = dict(zip(charts.MARKS, zip(charts.MARK_SHAPES, charts.MARK_COLOURS, strict=True), strict=True))
KIND_STYLE = dict(zip(charts.KINDS, zip(charts.KIND_SHAPES, charts.KIND_COLOURS, strict=True), strict=True))
SCALE_STYLE = dict(zip(charts.SCALES, zip(charts.SCALE_SHAPES, charts.SCALE_COLOURS, strict=True),
                       strict=True))

# Helvetica advance widths (per 1000 em), to lay labels out as the browser will draw them
_WIDTHS: dict[str, int] = {}
for _chars, _w in (("ijl|", 222), ("'", 191), (" !,./:;I[]\\ft", 278), ('"', 355), ("()-`r{}", 333),
                   ("cksvxyzJ", 500), ("<>+=~", 584), ("FTZ", 611), ("ABEKPSVXY&", 667),
                   ("CDHNRUw", 722), ("GOQ", 778), ("mM", 833), ("%", 889), ("W", 944)):
    _WIDTHS.update(dict.fromkeys(_chars, _w))  # anything else: 556, the digits' width


def text_width(text: str, size: float) -> float:
    """Approximate drawn width of ``text`` in a Helvetica-metric face at ``size`` px."""
    return sum(_WIDTHS.get(c, 556) for c in text) * size / 1000


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _n(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _day(value: str) -> float:
    """An ISO date or datetime as a day number (fractional for datetimes)."""
    if len(value) <= 10:
        return float(date.fromisoformat(value).toordinal())
    dt = datetime.fromisoformat(value)
    return dt.toordinal() + (dt.hour * 3600 + dt.minute * 60 + dt.second) / 86400


def _linear(d0: float, d1: float, r0: float, r1: float) -> Callable[[float], float]:
    span = (d1 - d0) or 1.0
    return lambda v: r0 + (v - d0) / span * (r1 - r0)


# -- marks ------------------------------------------------------------------------------------


def _text(x: float, y: float, text: str, *, size: float = LABEL, fill: str = MUTED, anchor: str = "start",
          extra: str = "") -> str:
    a = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return (f'<text x="{_n(x)}" y="{_n(y)}"{a} font-size="{_n(size)}" fill="{fill}"{extra}>'
            f"{_e(text)}</text>")


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}"{extra}/>'


def symbol(shape: str, x: float, y: float, size: float, attrs: str, title: str | None = None) -> str:
    """A Vega point symbol of area ``size`` (px^2) centred on x, y."""
    r = math.sqrt(size) / 2
    if shape == "circle":
        tag, geometry = "circle", f'cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}"'
    elif shape == "square":
        tag, geometry = "rect", f'x="{_n(x - r)}" y="{_n(y - r)}" width="{_n(2 * r)}" height="{_n(2 * r)}"'
    else:  # Vega's diamond and triangle-up, scaled to the same half-width
        pts = ((-r, 0), (0, -r), (r, 0), (0, r)) if shape == "diamond" else (
            (0, -r * 0.866), (-r, r * 0.866), (r, r * 0.866))
        tag, geometry = "path", 'd="M' + "L".join(f"{_n(x + dx)},{_n(y + dy)}" for dx, dy in pts) + 'Z"'
    if title is None:
        return f"<{tag} {geometry} {attrs}/>"
    return f"<{tag} {geometry} {attrs}><title>{_e(title)}</title></{tag}>"


def _polyline(points: Sequence[tuple[float, float]], attrs: str) -> str:
    return (f'<polyline points="{" ".join(f"{_n(x)},{_n(y)}" for x, y in points)}" fill="none" '
            f"{attrs}/>")


def _monotone(points: Sequence[tuple[float, float]], attrs: str) -> str:
    """A monotone cubic through ``points`` (sorted by x), as Vega's "monotone" interpolation."""
    n = len(points)
    if n < 3:
        return _polyline(points, attrs)

    def sign(v: float) -> float:
        return -1.0 if v < 0 else 1.0

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    slopes = [0.0] * n
    for i in range(1, n - 1):
        h0, h1 = xs[i] - xs[i - 1], xs[i + 1] - xs[i]
        s0 = (ys[i] - ys[i - 1]) / h0 if h0 else 0.0
        s1 = (ys[i + 1] - ys[i]) / h1 if h1 else 0.0
        p = (s0 * h1 + s1 * h0) / (h0 + h1) if h0 + h1 else 0.0
        slopes[i] = (sign(s0) + sign(s1)) * min(abs(s0), abs(s1), 0.5 * abs(p)) or 0.0
    for i, j in ((0, 1), (n - 1, n - 2)):
        h = xs[j] - xs[i]
        slopes[i] = ((3 * (ys[j] - ys[i]) / h - slopes[j]) / 2) if h else slopes[j]
    d = [f"M{_n(xs[0])},{_n(ys[0])}"]
    for i in range(n - 1):
        dx = (xs[i + 1] - xs[i]) / 3
        d.append(f"C{_n(xs[i] + dx)},{_n(ys[i] + dx * slopes[i])},{_n(xs[i + 1] - dx)},"
                 f"{_n(ys[i + 1] - dx * slopes[i + 1])},{_n(xs[i + 1])},{_n(ys[i + 1])}")
    return f'<path d="{"".join(d)}" fill="none" {attrs}/>'


def _document(width: float, height: float, title: str, desc: str, body: Iterable[str]) -> str:
    w, h = math.ceil(width), math.ceil(height)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
            f'role="img" aria-label="{_e(title)}" font-family="{_e(FONT)}">'
            f"<title>{_e(title)}</title><desc>{_e(desc)}</desc>{''.join(body)}</svg>")


def _title(text: str) -> str:
    return _text(PAD, PAD + 11, text, size=TITLE, fill=INK, extra=' class="chart-title"')


def _legend(x: float, y: float, items: Sequence[tuple[str, str, str]], size: float = 90,
            attrs: str = 'opacity="0.95"') -> str:
    """A horizontal legend row of (shape, colour, label) from x, y (its top)."""
    parts, cx = ['<g class="legend">'], x
    for shape, colour, name in items:
        parts.append(symbol(shape, cx + 6, y + 6, size, f'fill="{colour}" {attrs}'))
        parts.append(_text(cx + 16, y + 10, name, fill=INK))
        cx += 16 + text_width(name, LABEL) + 16
    parts.append("</g>")
    return "".join(parts)


# -- axes -------------------------------------------------------------------------------------


# d3's calendar intervals from a day up: (length in days, unit, every how many units)
_INTERVALS = ((1, "day", 1), (2, "day", 2), (7, "week", 1), (30.44, "month", 1), (91.31, "month", 3),
              (365.25, "year", 1))


def time_ticks(lo: float, hi: float, count: int) -> list[float]:
    """Calendar ticks between two day numbers, at the interval d3 (and so Vega) picks for about
    ``count`` ticks: days, weeks from Sunday, months, quarters or years."""
    target = (hi - lo) / max(count, 1)
    if target <= 0:
        return [lo]
    i = next((k for k, (length, _, _) in enumerate(_INTERVALS) if length > target), len(_INTERVALS))
    if i == len(_INTERVALS):
        unit, every = "year", max(1, round(_nice_step(target / 365.25)))
    elif i == 0:
        unit, every = "day", 1
    else:
        lower, upper = _INTERVALS[i - 1], _INTERVALS[i]
        _, unit, every = lower if target / lower[0] < upper[0] / target else upper
    start, end = date.fromordinal(math.ceil(lo)), date.fromordinal(math.floor(hi))
    out: list[float] = []
    if unit in ("day", "week"):
        for n in range(start.toordinal(), end.toordinal() + 1):
            d = date.fromordinal(n)
            if (d.isoweekday() == 7) if unit == "week" else (d.day - 1) % every == 0:
                out.append(float(n))
        return out
    d = date(start.year, start.month, 1)
    while d <= end:
        if d >= start and ((unit == "month" and (d.month - 1) % every == 0)
                           or (d.month == 1 and d.year % every == 0)):
            out.append(float(d.toordinal()))
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def _nice_step(v: float) -> float:
    exp = 10.0 ** math.floor(math.log10(v))
    return next(m * exp for m in (1, 2, 5, 10) if m * exp >= v)


def _date_label(day: float, fmt: str | None) -> str:
    d = date.fromordinal(int(day))
    if fmt is not None:
        return d.strftime(fmt)
    # Vega's multi-format: a year start shows the year, a month start the month
    if d.month == 1 and d.day == 1:
        return str(d.year)
    return d.strftime("%B" if d.day == 1 else "%b %d")


def _x_time_axis(scale: Callable[[float], float], lo: float, hi: float, y: float, width: float,
                 *, count: int, fmt: str | None, greedy_gap: float | None) -> str:
    """A bottom time axis: domain line, ticks and labels, overlapping labels dropped (every other
    one until none overlap, or with ``greedy_gap`` each that would come too close to the last)."""
    ticks = time_ticks(lo, hi, count)
    labels = [(scale(t), _date_label(t, fmt)) for t in ticks]

    def clear(kept: Sequence[tuple[float, str]], gap: float) -> bool:
        return all(b[0] - text_width(b[1], LABEL) / 2 - (a[0] + text_width(a[1], LABEL) / 2) >= gap
                   for a, b in itertools.pairwise(kept))

    if greedy_gap is None:
        shown = labels
        while len(shown) > 1 and not clear(shown, 0):
            shown = shown[::2]
    else:
        shown = []
        for lab in labels:
            if not shown or clear([shown[-1], lab], greedy_gap):
                shown.append(lab)
    parts = ['<g class="axis">', _line(0, y, width, y, LINE)]
    parts += [_line(scale(t), y, scale(t), y + TICK, LINE) for t in ticks]
    parts += [_text(x, y + 16, s, anchor="middle") for x, s in shown]
    parts.append("</g>")
    return "".join(parts)


def _y_axis(values: Sequence[float], scale: Callable[[float], float], width: float, title: str,
            fmt: Callable[[float], str]) -> tuple[str, float]:
    """A left value axis with grid lines across ``width``; returns it and how far it reaches left."""
    labels = [fmt(v) for v in values]
    reach = TICK + 2 + max(text_width(s, LABEL) for s in labels)
    parts = ['<g class="axis">']
    parts += [_line(0, scale(v), width, scale(v), GRID) for v in values]
    parts.append(_line(0, scale(values[0]), 0, scale(values[-1]), LINE))
    for v, s in zip(values, labels, strict=True):
        parts.append(_line(-TICK, scale(v), 0, scale(v), LINE))
        parts.append(_text(-TICK - 2, scale(v) + 4, s, anchor="end"))
    mid = (scale(values[0]) + scale(values[-1])) / 2
    parts.append(_text(0, 0, title, fill=INK, anchor="middle",
                       extra=f' transform="translate({_n(-reach - 6)},{_n(mid)}) rotate(-90)"'))
    parts.append("</g>")
    return "".join(parts), reach + 6 + LABEL


def _group(x: float, y: float, body: Iterable[str], cls: str) -> str:
    return f'<g class="{cls}" transform="translate({_n(x)},{_n(y)})">{"".join(body)}</g>'


# -- charts -----------------------------------------------------------------------------------


def intensity(report: Mapping[str, Any]) -> str | None:
    """Intensity per entry over time, strong reactions, ruptures and repairs marked by shape."""
    timeline = sorted(report.get("timeline") or [], key=lambda t: t["date"])
    if not timeline:
        return None
    w, h = WIDTH, 200
    days = [_day(t["date"]) for t in timeline]
    lo, hi = min(days), max(days)
    x = _linear(lo, hi, 0, w) if hi > lo else (lambda _v: w / 2)
    y = _linear(0, 10, h, 0)
    axis, reach = _y_axis([0, 2, 4, 6, 8, 10], y, w, "intensity (0-10)", _n)
    pts = [(x(d), y(t["intensity"])) for d, t in zip(days, timeline, strict=True)]
    body = [axis, _x_time_axis(x, lo, hi, h, w, count=9, fmt="%b %d", greedy_gap=None),
            _polyline(pts, f'stroke="{LINE}" stroke-width="1.5"'),
            '<g class="points">', *(symbol("circle", px, py, 22, f'fill="{LINE}" opacity="0.9"')
                                    for px, py in pts), "</g>"]
    events = [(name, p, t) for p, t in zip(pts, timeline, strict=True)
              for name, flag in zip(charts.MARKS, ("strong", "rupture", "repair"), strict=True) if t[flag]]
    height = h + 22
    if events:
        body.append('<g class="events">')
        for name, (px, py), t in events:
            shape, colour = MARK_STYLE[name]
            body.append(symbol(shape, px, py, 110, f'fill="{colour}" opacity="0.95"',
                               f"{name}: {t['date']}, intensity {_n(t['intensity'])}"))
        body.append("</g>")
        legend = _legend(0, h + 32, [(*MARK_STYLE[m], m) for m in charts.MARKS])
        body.append(legend)
        height = h + 32 + 12
    top = PAD + 24
    n_events = {m: sum(1 for e in events if e[0] == m) for m in charts.MARKS}
    desc = (f"{len(timeline)} entries from {timeline[0]['date']} to {timeline[-1]['date']}, "
            "intensity 0 to 10; "
            + ", ".join(f"{n} {m}{'s' if n != 1 else ''}" for m, n in n_events.items()) + ".")
    return _document(PAD + reach + w + 24 + PAD, top + height + PAD, "Intensity of each entry over time",
                     desc, [_title("Intensity of each entry over time"),
                            _group(PAD + reach, top, body, "plot")])


def _heat(share: float) -> str:
    s = min(max(float(share), 0.0), 1.0)
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in charts.HEAT)
    return "#" + "".join(f"{round(p + (q - p) * s):02x}" for p, q in zip(a, b, strict=True))


def pervasiveness(report: Mapping[str, Any]) -> str | None:
    """Theme x role heatmap of pervasiveness: the share of the role's episodes with the theme."""
    grid = charts.heatmap(report)
    if grid is None:
        return None
    cells, themes, roles = grid
    col, row = 42, 28
    left = max(text_width(t, LABEL) for t in themes) + 8
    sin, cos = math.sin(math.radians(40)), math.cos(math.radians(40))
    head = max(text_width(r, LABEL) for r in roles) * sin + 14
    over = max(0.0, max(col * (i + 0.5) + text_width(r, LABEL) * cos for i, r in enumerate(roles))
               - col * len(roles))
    body = ['<g class="axis">']
    for i, r in enumerate(roles):
        cx = col * (i + 0.5)
        body.append(_text(0, 0, r, fill=INK, extra=f' transform="translate({_n(cx)},-8) rotate(-40)"'))
    for j, t in enumerate(themes):
        body.append(_text(-8, row * (j + 0.5) + 4, t, fill=INK, anchor="end"))
    body.append('</g><g class="cells">')
    where = {(t, r): (i, j) for j, t in enumerate(themes) for i, r in enumerate(roles)}
    for c in cells:
        if (c["theme"], c["role"]) not in where:
            continue
        i, j = where[(c["theme"], c["role"])]
        pct = f"{round(c['share'] * 100)}%"
        body.append(f'<rect x="{i * col}" y="{j * row}" width="{col}" height="{row}" rx="3" '
                    f'fill="{_heat(c["share"])}" stroke="white" stroke-width="2">'
                    f"<title>{_e(c['theme'])} with {_e(c['role'])}: {pct}</title></rect>")
        body.append(_text(col * (i + 0.5), row * (j + 0.5) + 4, pct, size=11, anchor="middle",
                          fill="white" if c["share"] >= 0.6 else INK))
    body.append("</g>")
    top = PAD + 24 + head
    desc = (f"A grid of {len(themes)} themes by {len(roles)} roles; each cell is the share of that role's "
            "episodes that carry the theme, darker for more.")
    return _document(PAD + left + col * len(roles) + over + PAD, top + row * len(themes) + PAD,
                     "How often each theme comes up, per role", desc,
                     [_title("How often each theme comes up, per role"),
                      _group(PAD + left, top, body, "plot")])


def breadcrumb_trail(report: Mapping[str, Any], breadcrumb_id: str | None = None) -> str | None:
    """One breadcrumb's trail: a row per role, a point per dated echo (past ones in orange), the
    therapy moment marked. The first breadcrumb unless ``breadcrumb_id`` names one."""
    picked = charts.trail_of(report, breadcrumb_id)
    if picked is None:
        return None
    crumb, trail, roles = picked
    w, step = WIDTH, 34
    h = step * len(roles)
    moment_day = _day(crumb["therapy_moment"])
    days = [_day(t["date"]) for t in trail]
    lo, hi = min([*days, moment_day]), max([*days, moment_day])
    x = _linear(lo, hi, 14, w - 14) if hi > lo else (lambda _v: w / 2)
    row = {r: step * (i + 0.5) for i, r in enumerate(roles)}
    left = max(text_width(r, LABEL) for r in roles) + 8
    body = ['<g class="axis">', *(_text(-8, row[r] + 4, r, fill=INK, anchor="end") for r in roles), "</g>",
            _x_time_axis(x, lo, hi, h, w, count=5, fmt=None, greedy_gap=8), '<g class="lanes">']
    for r in roles:
        lane = [(x(d), row[r]) for d, t in zip(days, trail, strict=True) if t["role"] == r]
        if len(lane) > 1:
            body.append(_polyline(lane, f'stroke="{GRID}" stroke-width="6" stroke-linecap="round"'))
    mx = x(moment_day)
    body += ["</g>", _line(mx, 0, mx, h, PURPLE, ' stroke-dasharray="4,3" stroke-width="1.5"'),
             _text(mx - 5, -4, "therapy moment", size=11, fill=PURPLE, anchor="end"), '<g class="echoes">']
    size = _linear(0, 10, 30, 260)
    past, recent = charts.WHEN_COLOURS
    rings = []
    for d, t in zip(days, trail, strict=True):
        when = "past" if t["past"] else "recent"
        body.append(symbol("circle", x(d), row[t["role"]], max(size(t["intensity"]), 0),
                           f'fill="{past if t["past"] else recent}" opacity="0.95"',
                           f"{t['role']}, {t['date']} ({when}), intensity {_n(t['intensity'])}"))
        if t["date"] == crumb["therapy_moment"] and t["role"] == "therapist":
            rings.append(symbol("circle", x(d), row[t["role"]], 420,
                                f'fill="none" stroke="{PURPLE}" stroke-width="2.5"'))
    body += ["</g>", *rings]
    legend = _legend(0, h + 32, [("circle", past, "past"), ("circle", recent, "recent")])
    body.append(legend)
    top = PAD + 24 + 14
    title = f"Trail of \u201c{crumb['theme']}\u201d"
    desc = (f"{len(trail)} echoes of the theme {crumb['theme']} across {', '.join(roles)}, from "
            f"{trail[0]['date']} to the therapy moment on {crumb['therapy_moment']}.")
    return _document(PAD + left + w + 12 + PAD, top + h + 44 + PAD, title, desc,
                     [_title(title), _group(PAD + left, top, body, "plot")])


def relationship_graph(report: Mapping[str, Any]) -> str | None:
    """People, roles and themes as a graph: links as lines (dashed when they reach into the past),
    nodes as points whose shape and colour say their kind."""
    g = report.get("graph") or {}
    pos = charts.graph_layout(report)
    if not pos:
        return None
    w = h = 340
    pad = 0.25
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    x = _linear(min(xs) - pad, max(xs) + pad, 0, w)
    y = _linear(min(ys) - pad, max(ys) + pad, h, 0)
    links = [lk for lk in g.get("links") or [] if lk["source"] in pos and lk["target"] in pos]
    body = ['<g class="links">']
    if links:
        weights = [float(lk["weight"]) for lk in links]
        stroke = _linear(min(weights), max(max(weights), min(weights) + 1e-9), 1, 4.5)
        for lk in links:
            (x1, y1), (x2, y2) = pos[lk["source"]], pos[lk["target"]]
            dash = ' stroke-dasharray="5,3"' if lk["has_past"] else ""
            body.append(_line(x(x1), y(y1), x(x2), y(y2), LINE,
                              f' stroke-width="{_n(stroke(float(lk["weight"])))}" opacity="0.8"{dash}'))
    body.append('</g><g class="nodes">')
    for n in g["nodes"]:
        shape, colour = KIND_STYLE.get(n["kind"], ("circle", BLUE))
        px, py = pos[n["id"]]
        body.append(symbol(shape, x(px), y(py), 230, f'fill="{colour}" stroke="white" stroke-width="1.5"',
                           f"{n['kind']}: {n['label']}"))
    body.append('</g><g class="labels">')
    body += [_text(x(pos[n["id"]][0]), y(pos[n["id"]][1]) - 13 + 4, n["label"], size=11, fill=INK,
                   anchor="middle") for n in g["nodes"]]
    body.append("</g>")
    legend = _legend(0, h + 14, [(*KIND_STYLE[k], k) for k in KIND_STYLE], size=90, attrs="")
    body.append(legend)
    top = PAD + 24
    kinds = {k: sum(1 for n in g["nodes"] if n["kind"] == k) for k in KIND_STYLE}
    desc = (f"A graph of {', '.join(f'{v} {k}s' for k, v in kinds.items())} and {len(links)} links; "
            "thicker links come up more often, dashed ones reach into the past.")
    title = "Who, in which role, with which themes"
    return _document(PAD + 12 + w + 12 + PAD, top + h + 26 + PAD, title, desc,
                     [_title(title), _group(PAD + 12, top, body, "plot")])


def alliance(report: Mapping[str, Any]) -> str | None:
    """The weekly alliance index (0-1) and, when the writer logged them, SRS and ORS totals with
    the SRS line at 36 (below it a session felt strained)."""
    data = report.get("alliance") or {}
    weekly = sorted(((w["week"], w["alliance_index"]) for w in data.get("weekly") or []
                     if w["alliance_index"] is not None), key=lambda v: v[0])
    # the scales' names as the Vega-Lite chart gives them, in its order (charts.alliance)
    scores = {scale: sorted((s["date"], s[key]) for s in data.get("sessions") or [] if s[key] is not None)
              for scale, key in zip(charts.SCALES, ("srs_total", "ors_total"), strict=True)}
    scores = {k: v for k, v in scores.items() if v}
    if not weekly and not scores:
        return None
    days = [_day(d) for d, _ in weekly] + [_day(d) for pts in scores.values() for d, _ in pts]
    lo, hi = min(days), max(days)
    w = WIDTH
    x = _linear(lo, hi, 0, w) if hi > lo else (lambda _v: w / 2)
    panels: list[tuple[str, float, list[str], float]] = []  # title, height, body, left reach
    if weekly:
        h = 150
        y = _linear(0, 1, h, 0)
        axis, reach = _y_axis([0, 0.5, 1], y, w, "alliance index", lambda v: f"{v:.1f}")
        pts = [(x(_day(d)), y(v)) for d, v in weekly]
        body = [axis, _x_time_axis(x, lo, hi, h, w, count=9, fmt="%b %d", greedy_gap=None),
                _monotone(pts, f'stroke="{BLUE}" stroke-width="2"'), '<g class="points">',
                *(symbol("circle", px, py, 40, f'fill="{BLUE}"', f"week of {d}: {v:.2f}")
                  for (px, py), (d, v) in zip(pts, weekly, strict=True)), "</g>"]
        panels.append(("Weekly alliance index (1 = no strain written)", h + 22, body, reach))
    if scores:
        h = 170
        y = _linear(0, 40, h, 0)
        axis, reach = _y_axis([0, 10, 20, 30, 40], y, w, "total (0-40)", _n)
        body = [axis, _x_time_axis(x, lo, hi, h, w, count=9, fmt="%b %d", greedy_gap=None),
                _line(0, y(SRS_STRAINED), w, y(SRS_STRAINED), VERMILLION, ' stroke-dasharray="4,3"'),
                _text(w - 2, y(SRS_STRAINED) + 3 + 9, f"{SRS_STRAINED:.0f}: below, a strained session",
                      size=11, fill=VERMILLION, anchor="end")]
        for scale, pts_ in scores.items():
            shape, colour = SCALE_STYLE[scale]
            pts = [(x(_day(d)), y(v)) for d, v in pts_]
            body.append(_polyline(pts, f'stroke="{colour}" stroke-width="2"'))
            body.append('<g class="points">')
            body += [symbol(shape, px, py, 50, f'fill="{colour}"', f"{scale}, {d}: {_n(v)}")
                     for (px, py), (d, v) in zip(pts, pts_, strict=True)]
            body.append("</g>")
        legend = _legend(0, h + 32, [(*SCALE_STYLE[s], s) for s in SCALE_STYLE], attrs="")
        body.append(legend)
        panels.append(("Session ratings", h + 32 + 12, body, reach))
    left = max(p[3] for p in panels)
    parts: list[str] = []
    top = float(PAD)
    for title, height, body, _ in panels:
        parts.append(_text(PAD, top + 11, title, size=TITLE, fill=INK, extra=' class="chart-title"'))
        parts.append(_group(PAD + left, top + 24, body, "plot"))
        top += 24 + height + 24
    desc = (f"{len(weekly)} weeks of the alliance index from 0 to 1"
            + "".join(f"; {len(v)} {k} totals" for k, v in scores.items()) + ".")
    return _document(PAD + left + w + 24 + PAD, top - 24 + PAD, "The alliance over time", desc, parts)


CHARTS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "intensity": intensity,
    "pervasiveness": pervasiveness,
    "graph": relationship_graph,
    "alliance": alliance,
}
