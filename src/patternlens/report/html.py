"""A report dict as one self-contained HTML file: inline CSS, charts inlined as SVG, no scripts
and nothing fetched from anywhere (a Content-Security-Policy says so to the browser too).

Every string that comes from the report is escaped; every finding has an anchor and links to
the anchors of the quotes it rests on.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from patternlens.report import svg
from patternlens.report.wording import journal_owner, shown_strong

STATUS_ORDER = {"open": 0, "repair_attempted": 1, "repaired": 2}
STATUS_LABEL = {"open": "open", "repair_attempted": "repair attempted", "repaired": "repaired"}

CSS = """
:root{--ink:#2b3a42;--muted:#5f6f77;--line:#e3e7e9;--bg:#fbfaf7;--card:#fff;--accent:#1d5a85;
--soft:#f2f5f4;--warm:#fff5ee;--warn:#b4531a;--flag:#8e3f6d;--ok:#00795a;}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);
font:17px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.5rem 0 .25rem;font-weight:600}
h2{font-size:1.25rem;line-height:1.3;margin:0 0 .5rem;font-weight:600}
h3{font-size:1.05rem;line-height:1.35;margin:0 0 .35rem;font-weight:600}
p{margin:.4rem 0 .8rem}
a{color:var(--accent);text-underline-offset:2px}
section{margin:2rem 0;scroll-margin-top:1rem}
.lede{color:var(--muted);margin-top:0}
.meta{color:var(--muted);font-size:.9rem;margin:.1rem 0 .6rem}
.summary{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:1rem 0}
.summary li{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.35rem .7rem;
font-size:.9rem;color:var(--muted)}
.summary b{color:var(--ink);font-size:1.05rem;margin-right:.25rem}
nav.toc{font-size:.9rem;margin:1rem 0;color:var(--muted)}
nav.toc ul{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem .9rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:1rem 1.1rem;
margin:.9rem 0;scroll-margin-top:1rem}
.note{background:var(--soft);border-radius:14px;padding:.9rem 1.1rem}
.crisis .card{background:var(--warm);border-color:#f2d3bd;border-left:5px solid var(--warn)}
.redflags .card{border-left:5px solid var(--flag)}
.resources{font-weight:600}
blockquote{margin:.6rem 0;padding:.55rem .9rem;background:var(--soft);border-left:3px solid #b9c7cf;
border-radius:0 10px 10px 0;scroll-margin-top:1rem}
blockquote p{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
blockquote:target{background:#fff6d9;border-left-color:#d9a400}
.src{display:block;font-size:.82rem;color:var(--muted);margin-top:.3rem}
.pill{display:inline-block;font-size:.78rem;line-height:1.4;padding:.05rem .5rem;border-radius:999px;
background:var(--soft);color:var(--muted);border:1px solid var(--line);white-space:nowrap}
.pill.open{background:#fdece6;color:#9a3f12;border-color:#f4c9b5}
.pill.repaired{background:#e4f4ee;color:var(--ok);border-color:#bfe3d5}
.pill.repair_attempted{background:#fdf6e0;color:#7a5a00;border-color:#efdca4}
.pill.past{background:#fdf1dc;color:#7a5000;border-color:#f0d59f}
.evidence-links{font-size:.88rem;color:var(--muted)}
.evidence-links a{margin-right:.35rem}
ul.suggestions{padding-left:1.2rem;margin:.4rem 0 .6rem}
ul.suggestions li{margin:.25rem 0}
ol.timeline{list-style:none;padding:0;margin:.8rem 0 0;border-left:2px solid var(--line)}
ol.timeline li{position:relative;padding:0 0 .6rem 1rem}
ol.timeline li::before{content:"";position:absolute;left:-7px;top:.45rem;width:12px;height:12px;
border-radius:50%;background:#0072b2;border:2px solid var(--bg)}
ol.timeline li.past::before{background:#e69f00}
ol.timeline li.moment::before{background:#cc79a7}
figure.chart{margin:1rem 0;background:var(--card);border:1px solid var(--line);border-radius:14px;
padding:.75rem .5rem .5rem;overflow-x:auto}
figure.chart svg{display:block;width:100%;max-width:34rem;height:auto;margin:0 auto}
figcaption{font-size:.85rem;color:var(--muted);padding:.4rem .5rem 0}
.table-wrap{overflow-x:auto;margin:.6rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem;background:var(--card)}
th,td{text-align:left;padding:.4rem .55rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}
td:first-child{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
details{margin:.6rem 0}summary{cursor:pointer;color:var(--accent)}
.empty{color:var(--muted);font-style:italic}
footer.page{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--line);font-size:.85rem;
color:var(--muted)}
@media (max-width:480px){body{font-size:16px}main{padding:1rem .8rem 2.5rem}.card{padding:.85rem .9rem}
h1{font-size:1.4rem}figure.chart{padding:.5rem .25rem .25rem}}
@media print{body{background:#fff}figure.chart,.card{break-inside:avoid}nav.toc{display:none}}
"""


def _e(value: Any) -> str:
    """Escape anything from the report for text and attribute positions alike."""
    return escape("" if value is None else str(value), quote=True)


def anchor(finding_id: str) -> str:
    """An id attribute for a finding: its id when that is a clean token, else a clean token with a
    short hash so two ids never meet."""
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", finding_id).strip("-") or "finding"
    if clean != finding_id or not clean[0].isalpha():
        clean = f"f-{clean}-{hashlib.sha1(finding_id.encode()).hexdigest()[:6]}"
    return clean


def nice_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        d = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value
    return f"{d:%b} {d.day}, {d.year}"


def fmt_num(value: float) -> str:
    return f"{value:g}"


def label(token: str | None) -> str:
    return (token or "").replace("_", " ")


def _quote(qid: str, text: str | None, source: str) -> str:
    body = _e(text) if text else '<span class="empty">no quotable line</span>'
    return f'<blockquote id="{qid}"><p>{body}</p><span class="src">{source}</span></blockquote>'


def _links(aid: str, n: int) -> str:
    if n == 0:
        return ""
    refs = " ".join(f'<a href="#{aid}-q{i}">{i}</a>' for i in range(1, n + 1))
    word = "quote" if n == 1 else "quotes"
    return f'<p class="evidence-links">Evidence ({n} {word}): {refs}</p>'


class _Charts:
    """Wraps each chart's SVG (from ``report.svg``, which uses no ids) in a figure."""

    def figure(self, name: str, body: str | None, caption: str) -> str:
        if body is None:
            return '<p class="empty">Not enough entries to draw this yet.</p>'
        # fill a phone's width, but grow no more than a little past drawn size on a desktop
        width = re.search(r'<svg[^>]*?\swidth="(\d+)', body)
        if width:
            body = body.replace("<svg", f'<svg style="max-width:{round(int(width[1]) * 1.25)}px"', 1)
        return (f'<figure class="chart" id="chart-{_e(name)}">{body}'
                f"<figcaption>{caption}</figcaption></figure>")


def _section(sid: str, title: str, body: Iterable[str], cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (f'<section id="{sid}"{klass} aria-labelledby="{sid}-h"><h2 id="{sid}-h">{title}</h2>'
            f'{"".join(body)}</section>')


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """``rows`` cells are already HTML."""
    th = "".join(f'<th{" class=num" if i in numeric else ""} scope="col">{h}</th>'
                 for i, h in enumerate(head))
    trs = "".join("<tr>" + "".join(f'<td{" class=num" if i in numeric else ""}>{c}</td>'
                                   for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f'<div class="table-wrap"><table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table></div>'


# -- sections -------------------------------------------------------------------------------


def _header(report: Mapping[str, Any], toc: Sequence[tuple[str, str]]) -> str:
    period = report["period"]
    first, last = nice_date(period.get("first_entry")), nice_date(period.get("last_entry"))
    span = f"{first} to {last}" if first and last else "no entries yet"
    if period.get("as_of"):
        span += f" · as of {nice_date(period['as_of'])}"
    s = report["summary"]
    chips = [("entries", s["entries"]), ("about therapy", s["therapy_entries"]),
             ("strong reactions", s["strong_reactions"]), ("open ruptures", s["open_ruptures"]),
             ("breadcrumbs", s["breadcrumbs"])]
    redacted = ('<p class="meta">Quotes in this copy are redacted.</p>' if report.get("redacted") else "")
    nav = "".join(f'<li><a href="#{sid}">{title}</a></li>' for sid, title in toc)
    return (f"<header><p class=\"meta\">patternlens · a reading of your journal</p>"
            f"<h1>Patterns in {_e(journal_owner(report['subject']))} journal</h1>"
            f'<p class="meta">{_e(span)}</p>{redacted}'
            f'<ul class="summary">{"".join(f"<li><b>{_e(v)}</b>{k}</li>" for k, v in chips)}</ul>'
            f'<nav class="toc" aria-label="Sections"><ul>{nav}</ul></nav></header>')


def _not_a_diagnosis(report: Mapping[str, Any]) -> str:
    return _section("not-a-diagnosis", "Not a diagnosis", [
        f'<div class="note"><p>{_e(report["disclaimer"])}</p>'
        "<p>What follows are passages from your own words, grouped so that repeats are easier to see. "
        "Strong reactions are like breadcrumbs: followed gently, they can lead back to older hurts. "
        "They are yours to bring to your therapist, in your own time, not verdicts.</p></div>"])


def _crisis(report: Mapping[str, Any]) -> str:
    cards = []
    for c in report["crisis"]:
        aid = anchor(c["id"])
        res = c["resources"]
        resources = (f'<p class="resources">{_e(res)}</p>' if isinstance(res, str) else
                     '<ul class="resources">' + "".join(f"<li>{_e(r)}</li>" for r in res) + "</ul>")
        cards.append(
            f'<article class="card" id="{aid}"><h3>{_e(nice_date(c["date"]))}</h3>'
            f'{_links(aid, 1 if c.get("quote") else 0)}'
            f'{_quote(f"{aid}-q1", c.get("quote"), _e(nice_date(c["date"])))}{resources}</article>')
    return _section("crisis", "If you are struggling now", [
        "<p>Some entries speak of not wanting to be here, or of hurting yourself. patternlens does not "
        "read these as patterns. If any of this is true for you now, please reach out to someone today, "
        "and tell your therapist.</p>", *cards], cls="crisis")


def _before_next_session(report: Mapping[str, Any], present: set[str]) -> str:
    items = report["before_next_session"]
    if not items:
        return _section("before-next-session", "Before your next session", [
            '<p class="empty">Nothing stands out to bring up right now. You can always bring anything '
            "that stayed with you.</p>"])
    cards = []
    for item in items:
        fid = anchor(item["finding_id"])
        kind = "rupture with your therapist" if item["kind"] == "rupture" else "breadcrumb"
        see = (f'<p class="evidence-links"><a href="#{fid}">See the {kind} and its quotes</a></p>'
               if fid in present else "")
        tips = "".join(f"<li>{_e(t)}</li>" for t in item["suggestions"])
        cards.append(f'<article class="card"><h3>{_e(item["title"])}</h3><p>{_e(item["why"])}</p>'
                     + (f'<p class="meta">Ways to raise it:</p><ul class="suggestions">{tips}</ul>'
                        if tips else "")
                     + f"{see}</article>")
    return _section("before-next-session", "Before your next session", [
        "<p>Talking about a hurt with your therapist takes courage, and it is often where therapy moves "
        "most. A first sentence can be enough.</p>", *cards])


def _breadcrumbs(report: Mapping[str, Any], figs: _Charts) -> str:
    crumbs = report["breadcrumbs"]
    if not crumbs:
        return _section("breadcrumbs", "Breadcrumbs", [
            '<p class="empty">No breadcrumbs found: no strong reaction in therapy echoes a theme from '
            "another relationship in this period.</p>"])
    parts = ["<p>A breadcrumb is a strong reaction in therapy whose theme also runs through other "
             "relationships, often older ones. The trail runs from the earliest echo to the therapy "
             "moment.</p>"]
    for b in crumbs:
        aid = anchor(b["id"])
        trail = sorted(b["trail"], key=lambda t: t["date"])
        steps = []
        for i, t in enumerate(trail, 1):
            moment = t["date"] == b["therapy_moment"] and t["role"] == "therapist"
            cls = "moment" if moment else "past" if t["past"] else ""
            who = label(t["role"]) + (f" ({t['person']})" if t.get("person") else "")
            tags = (' <span class="pill past">past</span>' if t["past"] else "") + (
                ' <span class="pill">therapy moment</span>' if moment else "")
            source = f'{_e(nice_date(t["date"]))} · {_e(who)} · intensity {_e(fmt_num(t["intensity"]))}/10'
            steps.append(f'<li class="{cls}"><b>{_e(nice_date(t["date"]))}</b> · {_e(who)}{tags}'
                         f'{_quote(f"{aid}-q{i}", t["quote"], source)}</li>')
        roles = ", ".join(label(r) for r in b["roles"])
        past = ' <span class="pill past">reaches the past</span>' if b["has_past"] else ""
        fig = figs.figure(f"trail-{aid}", svg.breadcrumb_trail(report, b["id"]),
                          "One row per role; orange points lie in the past, the ring marks the therapy "
                          "moment; "
                          "bigger points felt stronger.")
        parts.append(
            f'<article class="card" id="{aid}"><h3>Feeling {_e(label(b["theme"]))}{past}</h3>'
            f'<p class="meta">with {_e(roles)} · {_e(b["n_episodes"])} episodes · first seen '
            f'{_e(nice_date(b["first_seen"]))} · in therapy on {_e(nice_date(b["therapy_moment"]))}</p>'
            f'{_links(aid, len(trail))}{fig}<ol class="timeline">{"".join(steps)}</ol></article>')
    return _section("breadcrumbs", "Breadcrumbs", parts)


def _ruptures(report: Mapping[str, Any]) -> str:
    ruptures = sorted(report["ruptures"], key=lambda r: STATUS_ORDER.get(r["status"], 9))
    if not ruptures:
        return _section("ruptures", "Ruptures and repairs", [
            '<p class="empty">No ruptures with your therapist found in this period.</p>'])
    rows = []
    cards = []
    for r in ruptures:
        aid = anchor(r["id"])
        shown = STATUS_LABEL.get(r["status"], r["status"])
        status = f'<span class="pill {_e(r["status"])}">{_e(shown)}</span>'
        days = "" if r["days_to_repair"] is None else _e(r["days_to_repair"])
        markers = ", ".join(label(m) for m in r["markers"])
        rows.append([f'<a href="#{aid}">{_e(nice_date(r["started"]))}</a>', status, _e(markers),
                     _e(nice_date(r["repaired"])), days])
        quotes = "".join(_quote(f"{aid}-q{i}", ev["quote"],
                                f'{_e(nice_date(ev["date"]))} · {_e(label(ev["kind"]))}')
                         for i, ev in enumerate(r["evidence"], 1))
        if r["status"] == "open":
            state = "Still open: nothing in the journal says it has been talked through yet."
        elif r["status"] == "repair_attempted":
            state = "A repair was tried, and the strain came back."
        else:
            state = f"Repaired on {nice_date(r['repaired'])}" + (
                f", {r['days_to_repair']} days later." if r["days_to_repair"] is not None else ".")
        cards.append(f'<article class="card" id="{aid}">'
                     f'<h3>Started {_e(nice_date(r["started"]))} {status}</h3>'
                     f'<p class="meta">{_e(markers)}</p><p>{_e(state)}</p>'
                     f'{_links(aid, len(r["evidence"]))}{quotes}</article>')
    return _section("ruptures", "Ruptures and repairs", [
        "<p>Even good therapists misunderstand sometimes. A strain that gets named and worked through "
        "can deepen the work; one left unsaid tends to grow. Open ones come first.</p>",
        _table(["started", "status", "markers", "repaired", "days"], rows, numeric=(4,)), *cards])


def _pervasiveness(report: Mapping[str, Any], figs: _Charts) -> str:
    perv = report["pervasiveness"]
    fig = figs.figure("pervasiveness", svg.pervasiveness(report),
                      "Darker means a larger share of that role's episodes carry the theme. "
                      "\u201call\u201d is everything you wrote about.")
    parts = ["<p>For each way others' responses felt to you, how often it comes up with each role. "
             "A theme that is dark across many columns runs through many relationships.</p>", fig]
    if perv["cells"]:
        share = {(c["theme"], c["role"]): c for c in perv["cells"]}
        rows = [[_e(label(t))] + [
            (f'{round(share[(t, r)]["share"] * 100)}% <span class="meta">'
             f'({_e(share[(t, r)]["episodes_with_theme"])}/{_e(share[(t, r)]["episodes_total"])})</span>'
             if (t, r) in share else "") for r in perv["roles"]] for t in perv["themes"]]
        parts.append("<details><summary>As a table</summary>"
                     + _table(["theme", *(_e(label(r)) for r in perv["roles"])], rows) + "</details>")
    return _section("pervasiveness", "Themes across relationships", parts)


def _intensity(report: Mapping[str, Any], figs: _Charts) -> str:
    fig = figs.figure("intensity", svg.intensity(report),
                      "One point per entry. Triangles: strong reactions; diamonds: ruptures; "
                      "circles: repairs.")
    parts = [fig]
    strong = shown_strong(report["strong"])
    if strong:
        parts.append("<h3>Strong reactions</h3><p>Reactions well above your own usual, or big for what set "
                     "them off. They are worth a closer look, not a judgement.</p>")
    if len(strong) < len(report["strong"]):
        parts.append(f'<p class="meta">The {len(strong)} most recent of {len(report["strong"])} strong '
                     "reactions; <code>patternlens strong</code> lists them all.</p>")
    for s in strong:
        aid = anchor(s["id"])
        who = label(s["role"]) + (f" ({s['person']})" if s.get("person") else "")
        base = "" if s["baseline"] is None else f" · your usual {s['baseline']:.1f}"
        oop = ' <span class="pill">out of proportion</span>' if s["out_of_proportion"] else ""
        themes = ", ".join(label(t) for t in s["themes"])
        parts.append(
            f'<article class="card" id="{aid}"><h3>{_e(nice_date(s["date"]))} · {_e(who)}{oop}</h3>'
            f'<p class="meta">intensity {_e(fmt_num(s["intensity"]))}/10{_e(base)}'
            f'{" · " + _e(themes) if themes else ""} · {_e(s["reason"])}</p>'
            f'{_links(aid, 1)}{_quote(f"{aid}-q1", s["quote"], _e(nice_date(s["date"])))}</article>')
    return _section("intensity", "Intensity over time", parts)


def _graph(report: Mapping[str, Any], figs: _Charts) -> str:
    fig = figs.figure("graph", svg.relationship_graph(report),
                      "Circles are people, squares roles, diamonds themes. Thicker lines come up more often; "
                      "dashed lines reach into the past.")
    return _section("graph", "Relationships and themes", [fig])


def _alliance(report: Mapping[str, Any], figs: _Charts) -> str:
    fig = figs.figure("alliance", svg.alliance(report),
                      "The index reads your journal, not the relationship: 1 means no strain was written "
                      "about that week. SRS totals below 36 signal a strained session.")
    parts = ["<p>How therapy reads in your journal week by week, and the session ratings you "
             "logged.</p>", fig]
    sessions = report["alliance"]["sessions"]
    if sessions:
        def num(v: float | None) -> str:
            return "" if v is None else _e(f"{v:g}")
        rows = [[_e(nice_date(s["date"])), num(s["srs_total"]), num(s["ors_total"]),
                 "" if s["strained"] is None else ("yes" if s["strained"] else "no"),
                 _e(s["reliable_change"] or "")] for s in sessions]
        parts.append(_table(["session", "SRS", "ORS", "strained", "reliable change"], rows, numeric=(1, 2)))
    return _section("alliance", "The alliance", parts)


def _red_flags(report: Mapping[str, Any]) -> str:
    cards = []
    for r in report["red_flags"]:
        aid = anchor(r["id"])
        cards.append(f'<article class="card" id="{aid}"><h3>{_e(nice_date(r["date"]))}</h3>'
                     f'{_links(aid, 1 if r.get("quote") else 0)}'
                     f'{_quote(f"{aid}-q1", r.get("quote"), _e(nice_date(r["date"])))}'
                     f'<p>{_e(r["note"])}</p></article>')
    return _section("red-flags", "Red flags", [
        "<p>Challenges, misunderstandings and style differences are a normal part of therapy. "
        "These entries describe something else: a line that should not be crossed.</p>", *cards],
        cls="redflags")


def _footer(report: Mapping[str, Any]) -> str:
    return (f'<footer class="page"><p>Made by patternlens {_e(report["patternlens_version"])} on '
            f'{_e(nice_date(report["generated_at"]))}. Everything here was computed on this machine, and '
            "nothing left this machine: this file loads nothing from the internet.</p>"
            f'<p>{_e(report["disclaimer"])}</p></footer>')


def render_html(report: Mapping[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    figs = _Charts()
    present = {anchor(f["id"]) for key in ("breadcrumbs", "ruptures", "red_flags", "crisis")
               for f in report[key]} | {anchor(s["id"]) for s in shown_strong(report["strong"])}
    builders: list[tuple[str, str, Callable[[], str]]] = [
        ("not-a-diagnosis", "Not a diagnosis", lambda: _not_a_diagnosis(report)),
    ]
    if report["crisis"]:
        builders.append(("crisis", "If you are struggling", lambda: _crisis(report)))
    builders += [
        ("before-next-session", "Before your next session", lambda: _before_next_session(report, present)),
        ("breadcrumbs", "Breadcrumbs", lambda: _breadcrumbs(report, figs)),
        ("ruptures", "Ruptures", lambda: _ruptures(report)),
        ("pervasiveness", "Themes", lambda: _pervasiveness(report, figs)),
        ("intensity", "Intensity", lambda: _intensity(report, figs)),
        ("graph", "Relationships", lambda: _graph(report, figs)),
        ("alliance", "Alliance", lambda: _alliance(report, figs)),
    ]
    if report["red_flags"]:
        builders.append(("red-flags", "Red flags", lambda: _red_flags(report)))
    sections = "".join(build() for _, _, build in builders)
    toc = [(sid, title) for sid, title, _ in builders]
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light">'
        '<meta name="referrer" content="no-referrer">'
        # the browser itself refuses any fetch: no scripts, fonts, images or frames from anywhere
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>patternlens · {_e(report['subject'])}</title><style>{CSS}</style></head>"
        f"<body><main>{_header(report, toc)}{sections}{_footer(report)}</main></body></html>\n"
    )
