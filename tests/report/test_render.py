"""Rendering a report dict to HTML and Markdown: sections in order, anchors from every finding to
its quotes, user text escaped, nothing that reaches the network, an SVG for each chart."""

from __future__ import annotations

import copy
import functools
import json
import random
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from patternlens.report import charts
from patternlens.report.html import render_html
from patternlens.report.markdown import render_markdown

SCHEMA = json.loads((Path(__file__).parents[2] / "schemas" / "report.schema.json").read_text("utf-8"))
DISCLAIMER = ("patternlens does not diagnose. It points at passages in your own journal that may be "
              "worth talking about with your therapist.")
RESOURCES = ("If you are in danger, call your local emergency number. In the US, call or text 988; "
             "in the UK and Ireland, Samaritans 116 123; elsewhere, findahelpline.com")
RED_FLAG_NOTE = ("A therapist crossing this line is not a pattern of yours to work on. It is a reason to "
                 "seek another therapist, and it can be reported to their licensing board.")
# user text that must come out escaped: markup, an ampersand, both quote characters
NASTY = 'she said "it\'s <b>nothing</b> & I\'m <script>alert(1)</script> overreacting"'


def empty_report() -> dict[str, Any]:
    return {
        "schema_version": 1, "generated_at": "2025-06-06T09:30:00+00:00", "patternlens_version": "0.1.0",
        "subject": "Jordan", "redacted": False,
        "period": {"since": None, "as_of": None, "first_entry": None, "last_entry": None},
        "disclaimer": DISCLAIMER,
        "summary": {"entries": 0, "episodes": 0, "therapy_entries": 0, "strong_reactions": 0,
                    "open_ruptures": 0, "breadcrumbs": 0},
        "crisis": [], "before_next_session": [], "breadcrumbs": [], "ruptures": [],
        "pervasiveness": {"themes": [], "roles": [], "cells": []},
        "strong": [], "timeline": [], "alliance": {"weekly": [], "sessions": []},
        "red_flags": [], "graph": {"nodes": [], "links": []},
    }


def _d(start: date, days: int) -> str:
    return (start + timedelta(days=days)).isoformat()


def full_report() -> dict[str, Any]:
    """A report like the demo journal's: a 'dismissed' breadcrumb from mother through partner to
    the therapist, one open and one repaired rupture, SRS/ORS logged, no crisis entries."""
    rng = random.Random(3)
    start = date(2025, 1, 2)
    report = empty_report()
    report["period"] = {"since": None, "as_of": "2025-06-05", "first_entry": "2025-01-02",
                        "last_entry": "2025-06-05"}
    timeline = []
    for day in range(0, 155, 2):
        value = round(min(10.0, max(0.0, rng.gauss(4.0, 1.6))), 1)
        timeline.append({"date": _d(start, day), "intensity": value, "strong": False,
                         "rupture": False, "repair": False})
    marks = {46: ("strong", "rupture"), 50: ("repair",), 98: ("strong",), 120: ("rupture",),
             3 * 2: ("strong",)}
    for day, flags in marks.items():
        row = timeline[day // 2]
        for flag in flags:
            row[flag] = True
        if "strong" in flags:
            row["intensity"] = 8.5
    report["timeline"] = timeline
    report["summary"] = {"entries": len(timeline), "episodes": 164, "therapy_entries": 21,
                         "strong_reactions": 3, "open_ruptures": 1, "breadcrumbs": 1}
    trail = [
        {"entry_id": "E01", "source_ref": "dayone:uuid-01", "date": "2025-01-05", "role": "mother",
         "person": "mom", "quote": "Growing up, mom told me I was too sensitive whenever I cried.",
         "intensity": 6.0, "past": True},
        {"entry_id": "E14", "source_ref": "dayone:uuid-14", "date": "2025-01-29", "role": "partner",
         "person": "Sam", "quote": NASTY, "intensity": 7.0, "past": False},
        {"entry_id": "E22", "source_ref": "dayone:uuid-22", "date": "2025-02-18", "role": "therapist",
         "person": "Dr. Okafor", "quote": "She changed the subject and I know it's small but I cried "
         "the whole drive home.", "intensity": 9.0, "past": False},
    ]
    report["breadcrumbs"] = [{
        "id": "br-1a2b3c4d5e", "theme": "dismissed", "roles": ["mother", "partner", "therapist"],
        "score": 2.4, "has_past": True, "n_episodes": 7, "first_seen": "2025-01-05",
        "therapy_moment": "2025-02-18", "trail": trail}]
    report["ruptures"] = [
        {"id": "ru-aaaa000001", "started": "2025-05-02", "markers": ["withdrawal"], "status": "open",
         "repaired": None, "days_to_repair": None,
         "evidence": [{"entry_id": "E61", "date": "2025-05-02", "kind": "withdrawal",
                       "quote": "I didn't tell her how much the cancellation stung."}]},
        {"id": "ru-bbbb000002", "started": "2025-02-18", "markers": ["withdrawal", "confrontation"],
         "status": "repaired", "repaired": "2025-02-21", "days_to_repair": 3,
         "evidence": [{"entry_id": "E22", "date": "2025-02-18", "kind": "confrontation",
                       "quote": "Maybe therapy isn't helping & I should quit."},
                      {"entry_id": "E24", "date": "2025-02-21", "kind": "repair",
                       "quote": "I told her it hurt and she explained why she moved on."}]},
    ]
    report["before_next_session"] = [
        {"kind": "rupture", "finding_id": "ru-aaaa000001", "title": "Something unsaid since May 2",
         "why": "You wrote that you didn't tell her how the cancellation felt.",
         "suggestions": ["\u201cI noticed I held something back last time.\u201d",
                         "Start with the moment: the cancellation message & how it landed."]},
        {"kind": "breadcrumb", "finding_id": "br-1a2b3c4d5e", "title": "Feeling dismissed, again",
         "why": "The same feeling shows up with your mother, Sam and your therapist.",
         "suggestions": ["Ask whether this reminds her of anything you've told her about your mom."]},
    ]
    themes = ["dismissed", "judged", "misunderstood", "understood"]
    roles = ["all", "mother", "partner", "therapist", "boss"]
    cells = []
    for theme in themes:
        for role in roles:
            total = {"all": 164, "mother": 20, "partner": 45, "therapist": 40, "boss": 18}[role]
            hit = round(total * rng.uniform(0.02, 0.7))
            cells.append({"theme": theme, "role": role, "share": round(hit / total, 3),
                          "episodes_with_theme": hit, "episodes_total": total})
    report["pervasiveness"] = {"themes": themes, "roles": roles, "cells": cells}
    report["strong"] = [
        {"id": "st-0000000001", "entry_id": "E22", "date": "2025-02-18", "role": "therapist",
         "person": "Dr. Okafor", "themes": ["dismissed"], "intensity": 9.0, "baseline": 4.1,
         "out_of_proportion": True, "reason": "small trigger, big reaction",
         "quote": "I know it's small but I cried the whole drive home"},
        {"id": "st-0000000002", "entry_id": "E50", "date": "2025-04-10", "role": "boss", "person": "Karen",
         "themes": ["judged"], "intensity": 8.5, "baseline": 3.9, "out_of_proportion": False,
         "reason": "well above your usual", "quote": "Karen's <email> made me FURIOUS!!"},
    ]
    weekly = []
    for week in range(22):
        idx = None if week in (3, 9) else round(min(1.0, max(0.0, 0.85 - (0.4 if week in (6, 17) else 0)
                                                              + rng.uniform(-0.08, 0.08))), 2)
        weekly.append({"week": _d(date(2024, 12, 30), 7 * week), "therapy_episodes": 0 if idx is None else 3,
                       "alliance_index": idx, "ruptures": 1 if week in (6, 17) else 0,
                       "repairs": 1 if week == 7 else 0})
    sessions = [{"date": _d(date(2025, 1, 7), 14 * i), "srs_total": s, "ors_total": o,
                 "strained": None if s is None else s < 36,
                 "reliable_change": "improved" if o is not None and o - 21 >= 5 else None}
                for i, (s, o) in enumerate([(37.5, 21.0), (38.0, 22.5), (33.0, 22.0), (36.5, 24.0),
                                            (None, 26.5), (39.0, 27.0)])]
    report["alliance"] = {"weekly": weekly, "sessions": sessions}
    nodes = [{"id": "person:mom", "kind": "person", "label": "mom"},
             {"id": "person:Sam", "kind": "person", "label": "Sam <3 & co"},
             {"id": "person:Dr. Okafor", "kind": "person", "label": "Dr. Okafor"},
             {"id": "person:Karen", "kind": "person", "label": "Karen"},
             {"id": "role:mother", "kind": "role", "label": "mother"},
             {"id": "role:partner", "kind": "role", "label": "partner"},
             {"id": "role:therapist", "kind": "role", "label": "therapist"},
             {"id": "role:boss", "kind": "role", "label": "boss"},
             {"id": "theme:dismissed", "kind": "theme", "label": "dismissed"},
             {"id": "theme:judged", "kind": "theme", "label": "judged"}]
    links = [{"source": "person:mom", "target": "role:mother", "weight": 1.0, "has_past": True},
             {"source": "person:Sam", "target": "role:partner", "weight": 1.0, "has_past": False},
             {"source": "person:Dr. Okafor", "target": "role:therapist", "weight": 1.0, "has_past": False},
             {"source": "person:Karen", "target": "role:boss", "weight": 1.0, "has_past": False},
             {"source": "role:mother", "target": "theme:dismissed", "weight": 4.0, "has_past": True},
             {"source": "role:partner", "target": "theme:dismissed", "weight": 6.0, "has_past": False},
             {"source": "role:therapist", "target": "theme:dismissed", "weight": 3.0, "has_past": False},
             {"source": "role:boss", "target": "theme:judged", "weight": 5.0, "has_past": False},
             {"source": "role:mother", "target": "theme:judged", "weight": 2.0, "has_past": True}]
    report["graph"] = {"nodes": nodes, "links": links}
    return report


def crisis_report() -> dict[str, Any]:
    """The full report plus a crisis entry and a red flag (both with hostile text)."""
    report = full_report()
    report["crisis"] = [{"id": "cr-9999999999", "entry_id": "E70", "date": "2025-05-20",
                         "quote": "some nights I think <everyone> would be better off without me",
                         "resources": RESOURCES}]
    report["red_flags"] = [{"id": "re-8888888888", "entry_id": "E66", "date": "2025-05-12",
                            "quote": "he asked me to meet for drinks & said 'don't tell anyone'",
                            "note": RED_FLAG_NOTE}]
    return report


REPORTS = {"empty": empty_report, "full": full_report, "crisis": crisis_report}


@functools.cache
def rendered(name: str) -> str:
    """HTML of a test report, rendered once per run: charts take a moment each."""
    return render_html(REPORTS[name]())


class _Doc(HTMLParser):
    """Collects ids, in-page links, tags with their attributes, and section ids in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag == "section" and a.get("id"):
            self.sections.append(str(a["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Doc:
    doc = _Doc()
    doc.feed(html)
    doc.close()
    return doc


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_test_reports_follow_the_schema(name: str) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        REPORTS[name]())


def test_schema_is_strict() -> None:
    validator = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    bad: list[dict[str, Any]] = []
    extra = full_report()
    extra["telemetry"] = True
    bad.append(extra)
    wrong_type = full_report()
    wrong_type["summary"]["entries"] = "78"
    bad.append(wrong_type)
    bad_date = full_report()
    bad_date["ruptures"][0]["started"] = "05/02/2025"
    bad.append(bad_date)
    naive = full_report()
    naive["generated_at"] = "2025-06-06T09:30:00"
    bad.append(naive)
    share = full_report()
    share["pervasiveness"]["cells"][0]["share"] = 1.5
    bad.append(share)
    status = full_report()
    status["ruptures"][0]["status"] = "closed"
    bad.append(status)
    for report in bad:
        assert not validator.is_valid(report)


SECTION_ORDER = ["not-a-diagnosis", "crisis", "before-next-session", "breadcrumbs", "ruptures",
                 "pervasiveness", "intensity", "graph", "alliance", "red-flags"]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_html_sections_in_order(name: str) -> None:
    report = REPORTS[name]()
    doc = parse(rendered(name))
    expected = [s for s in SECTION_ORDER
                if (s != "crisis" or report["crisis"]) and (s != "red-flags" or report["red_flags"])]
    assert doc.sections == expected
    assert doc.tags[-1][0] == "footer" or any(t == "footer" for t, _ in doc.tags)
    text = " ".join(doc.text)
    assert "nothing left this machine" in text.lower()
    assert report["disclaimer"] in text


def test_html_is_one_self_contained_phone_friendly_file() -> None:
    html = rendered("crisis")
    doc = parse(html)
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert any(t == "meta" and a.get("name") == "viewport"
               and "width=device-width" in (a.get("content") or "") for t, a in doc.tags)
    assert "max-width" in html and "@media" in html
    for tag, attrs in doc.tags:
        assert tag not in ("script", "link", "iframe", "img", "object", "embed"), tag
        for key in ("src", "href", "xlink:href", "action", "srcset"):
            value = attrs.get(key) or ""
            assert not re.match(r"\s*(https?:)?//", value), (tag, key, value)
            assert not value.startswith("javascript:")
    assert "@import" not in html and "url(http" not in html


@pytest.mark.parametrize("name", ["full", "crisis"])
def test_every_finding_links_to_its_quotes(name: str) -> None:
    report = REPORTS[name]()
    doc = parse(rendered(name))
    ids = set(doc.ids)
    assert len(ids) == len(doc.ids), "duplicate ids"
    internal = [h for h in doc.hrefs if h.startswith("#")]
    assert internal
    for href in internal:
        assert href[1:] in ids, href
    findings = ([b["id"] for b in report["breadcrumbs"]] + [r["id"] for r in report["ruptures"]]
                + [s["id"] for s in report["strong"]] + [r["id"] for r in report["red_flags"]]
                + [c["id"] for c in report["crisis"]])
    for fid in findings:
        assert fid in ids, fid
        # each finding links to at least one evidence quote anchor
        quote_links = [h for h in internal if h.startswith(f"#{fid}-q")]
        assert quote_links, fid
    # the "before your next session" items point at their findings
    for item in report["before_next_session"]:
        assert f"#{item['finding_id']}" in internal


def test_quotes_are_evidence_blocks_with_the_text() -> None:
    report = full_report()
    html = rendered("full")
    doc = parse(html)
    text = "".join(doc.text)
    for step in report["breadcrumbs"][0]["trail"]:
        assert step["quote"] in text
    for ev in report["ruptures"][1]["evidence"]:
        assert ev["quote"] in text
    assert all(s in text for s in report["before_next_session"][0]["suggestions"])
    # the open rupture comes before the repaired one in the ledger
    assert html.index("ru-aaaa000001") < html.index("ru-bbbb000002")


def test_user_text_is_escaped_everywhere() -> None:
    report = crisis_report()
    report["subject"] = "Jo <img src=x onerror=alert(1)>"
    report["breadcrumbs"][0]["theme"] = 'dis"missed<'
    report["strong"][0]["reason"] = "</style><script>x</script>"
    report["before_next_session"][0]["title"] = "<i>title</i> & more"
    html = render_html(report)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "<b>nothing</b>" not in html
    assert "<i>title</i>" not in html
    assert html.count("</style>") == 1 and "&lt;/style&gt;&lt;script&gt;x" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; more" in html
    doc = parse(html)
    assert NASTY in "".join(doc.text)


@pytest.mark.parametrize("name", ["full", "crisis"])
def test_an_svg_for_each_chart(name: str) -> None:
    report = REPORTS[name]()
    html = rendered(name)
    figures = re.findall(r'<figure class="chart" id="chart-([\w-]+)">(.*?)</figure>', html, re.S)
    names = {n for n, _ in figures}
    assert {"intensity", "pervasiveness", "graph", "alliance"} <= names
    assert f"trail-{report['breadcrumbs'][0]['id']}" in names
    for _, body in figures:
        assert "<svg" in body and "</svg>" in body
        assert len(re.findall(r"<(path|rect|line|text|circle)\b", body)) > 5
    # ids inside the inlined SVGs do not collide across charts
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_empty_report_renders_calmly() -> None:
    report = empty_report()
    html = render_html(report)
    assert "<svg" not in html
    doc = parse(html)
    text = " ".join(doc.text).lower()
    assert "no breadcrumbs" in text and "no ruptures" in text
    for name, chart in charts.CHARTS.items():
        assert chart(report) is None, name
    assert charts.breadcrumb_trail(report) is None
    md = render_markdown(report)
    assert report["disclaimer"] in md
    assert "## Crisis" not in md and "## Red flags" not in md


def test_crisis_comes_first_with_resources() -> None:
    report = crisis_report()
    html = rendered("crisis")
    doc = parse(html)
    assert doc.sections.index("crisis") == 1
    assert html.index(RESOURCES) < html.index('id="before-next-session"')
    assert RED_FLAG_NOTE in "".join(doc.text)
    # red flags stand apart: the note sits in their own section, not in the ledger
    assert html.index(RED_FLAG_NOTE) > html.index('id="red-flags"')
    md = render_markdown(report)
    assert md.index("## Crisis") < md.index("## Before your next session")
    assert "findahelpline.com" in md
    assert "## Red flags" in md


def test_charts_are_deterministic_and_mark_events() -> None:
    report = full_report()
    assert charts.graph_layout(report) == charts.graph_layout(copy.deepcopy(report))
    spec = charts.intensity(report)
    flat = json.dumps(spec)
    for mark in charts.MARKS:
        assert mark in flat
    assert "triangle-up" in flat and "diamond" in flat
    alliance = json.dumps(charts.alliance(report))
    assert '"y": 36' in alliance
    no_scores = full_report()
    no_scores["alliance"]["sessions"] = []
    assert "SRS" not in json.dumps(charts.alliance(no_scores))


def test_markdown_has_the_same_content() -> None:
    report = crisis_report()
    report["strong"][1]["reason"] = "a | b\n# not a heading"
    md = render_markdown(report)
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == ["## Not a diagnosis", "## Crisis", "## Before your next session", "## Breadcrumbs",
                     "## Ruptures", "## Pervasiveness", "## Intensity over time", "## Relationships",
                     "## Alliance", "## Red flags"]
    assert "<svg" not in md
    quotes = [line for line in md.splitlines() if line.startswith("> ")]
    assert len(quotes) >= 3 + 3 + 2  # trail, rupture evidence, strong reactions
    # GitHub tables: a header row, then a separator row of dashes
    assert re.search(r"^\| *started *\|.*\n\|( *:?-{3,}:? *\|)+$", md, re.M)
    # user text cannot open HTML or break a table
    assert "<script>" not in md and "<b>" not in md
    # every row of a table has as many cells as its header (a "|" in user text is escaped)
    for table in re.findall(r"(?:^\|.*\|\n)+", md, re.M):
        widths = {len(re.findall(r"(?<!\\)\|", line)) for line in table.splitlines()}
        assert len(widths) == 1, table
    for item in report["before_next_session"]:
        assert item["title"] in md


def test_sparse_report_still_draws_every_chart() -> None:
    """One entry, a lone person, ratings without SRS, a trail whose therapy moment has no quote."""
    report = full_report()
    crumb = report["breadcrumbs"][0]
    crumb["trail"] = [t for t in crumb["trail"] if t["role"] != "therapist"]
    report["graph"] = {"nodes": [{"id": "person:A", "kind": "person", "label": "A"}], "links": []}
    report["timeline"] = report["timeline"][:1]
    report["alliance"]["weekly"] = []
    for session in report["alliance"]["sessions"]:
        session["srs_total"] = None
        session["strained"] = None
    report["pervasiveness"]["cells"][0]["share"] = 1  # an integer share is still a number
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(report)
    drawn = {name: chart(report) for name, chart in charts.CHARTS.items()}
    drawn["trail"] = charts.breadcrumb_trail(report)
    for name, chart in drawn.items():
        assert chart is not None, name
        assert "<svg" in charts.svg(chart), name
    alliance = json.dumps(charts.alliance(report))
    assert "ORS" in alliance and '"y": 36' in alliance


def test_notebook_charts_are_altair_and_draw_the_same_picture() -> None:
    """``lens.chart.*`` wraps each spec in Altair for Jupyter; the wrapper changes nothing drawn."""
    import altair as alt

    from patternlens.report.notebook import altair_chart

    report = full_report()
    specs = {name: chart(report) for name, chart in charts.CHARTS.items()}
    specs["trail"] = charts.breadcrumb_trail(report)
    kinds = set()
    for name, spec in specs.items():
        assert spec is not None, name
        wrapped = altair_chart(spec)
        kinds.add(type(wrapped))
        assert isinstance(wrapped, alt.TopLevelMixin), name
        assert charts.svg(wrapped.to_dict()) == charts.svg(spec), name
    assert kinds == {alt.LayerChart, alt.VConcatChart}
    assert altair_chart(None) is None


def test_each_spec_is_its_own_copy() -> None:
    """Restyling one chart's spec (its config, a layer's encoding) leaves the next untouched."""
    report = full_report()
    first = charts.intensity(report)
    assert first is not None
    first["config"]["padding"] = 0
    first["layer"][0]["encoding"]["x"]["title"] = "changed"
    again, other = charts.intensity(report), charts.pervasiveness(report)
    assert again is not None and other is not None
    assert again["config"]["padding"] == other["config"]["padding"] == 12
    assert again["layer"][1]["encoding"]["x"]["title"] is None


def test_a_long_list_of_strong_reactions_shows_the_most_recent_and_says_so() -> None:
    from patternlens.report.wording import STRONG_SHOWN

    report = full_report()
    first = report["strong"][0]
    n = STRONG_SHOWN + 12
    report["strong"] = [{**first, "id": f"st-{i:010d}", "date": _d(date(2024, 1, 1), i)}
                        for i in reversed(range(n))]  # out of date order on purpose
    doc = parse(render_html(report))
    ids = set(doc.ids)
    shown = [f"st-{i:010d}" for i in range(n - STRONG_SHOWN, n)]
    assert all(s in ids for s in shown)
    assert not any(f"st-{i:010d}" in ids for i in range(n - STRONG_SHOWN))
    text = " ".join(" ".join(doc.text).split())
    assert f"The {STRONG_SHOWN} most recent of {n} strong reactions" in text
    assert all(h[1:] in ids for h in doc.hrefs if h.startswith("#"))  # no link to a card left out
    md = render_markdown(report)
    assert f"The {STRONG_SHOWN} most recent of {n} strong reactions" in md
    assert md.count(f"| {first['reason']}") == STRONG_SHOWN
