"""The report's content as one JSON-ready dict (``schemas/report.schema.json``).

Every renderer (terminal, HTML, Markdown, JSON) works from this one dict, so the formats
cannot drift apart. Suggestions for the next session follow the seed articles' advice:
name the moment, say how it felt, link it to older patterns, and invite talk about it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from patternlens import __version__
from patternlens.analyze.safety import CRISIS_RESOURCES
from patternlens.lens import Lens
from patternlens.report.redact import redact_names
from patternlens.report.wording import FELT, ROLE_WORDS

DISCLAIMER = (
    "patternlens does not diagnose. It points at passages in your own writing that may be "
    "worth bringing to a session; what they mean is for you and your therapist to explore. "
    "If a finding does not fit, dismiss it (patternlens dismiss ID)."
)
def build_report(lens: Lens, *, subject: str, as_of: date | None = None,
                 since: date | None = None, redact: bool = False, top: int = 5) -> dict[str, Any]:
    """Gather every finding for one writer into the report dict."""
    if as_of is None:
        records = lens.extraction(subject=subject)
    else:
        from patternlens.project.episodes import as_of as records_as_of

        records, _ = records_as_of(lens.log, as_of, subject=subject)
    records = _local_dates(records)
    crumbs = lens.breadcrumbs(subject=subject, as_of=as_of).head(top)
    ruptures = lens.ruptures(subject=subject, as_of=as_of)
    strong = _local_dates(lens.strong(subject=subject, as_of=as_of))
    if since is not None:
        records = records.filter(pl.col("date") >= since)
        strong = strong.filter(pl.col("date") >= since)
        ruptures = ruptures.filter(pl.col("last_seen") >= since)
    perv = lens.pervasiveness(subject=subject, as_of=as_of)
    sessions = lens.sessions(subject=subject, as_of=as_of)
    report: dict[str, Any] = {
        "schema_version": 1,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "patternlens_version": __version__,
        "subject": subject,
        "redacted": redact,
        "period": {
            "since": since.isoformat() if since else None,
            "as_of": _day(as_of).isoformat() if as_of else None,
            "first_entry": _iso(records["date"].min()) if records.height else None,
            "last_entry": _iso(records["date"].max()) if records.height else None,
        },
        "disclaimer": DISCLAIMER,
        "summary": {
            "entries": records.height,
            "episodes": int(records["episodes"].list.len().sum()) if records.height else 0,
            "therapy_entries": int(records["in_therapy"].sum()) if records.height else 0,
            "strong_reactions": strong.height,
            "open_ruptures": ruptures.filter(pl.col("status") != "repaired").height,
            "breadcrumbs": crumbs.height,
        },
        "crisis": _rows(lens.crisis(subject=subject, as_of=as_of),
                        ["id", "entry_id", "date", "quote", "resources"]),
        "before_next_session": _before_next_session(ruptures, crumbs),
        "breadcrumbs": _breadcrumbs(crumbs, records),
        "ruptures": _rows(ruptures, ["id", "started", "markers", "status", "repaired",
                                     "days_to_repair", "evidence"]),
        "pervasiveness": _pervasiveness(perv),
        "strong": _rows(strong, ["id", "entry_id", "date", "role", "person", "themes",
                                 "intensity", "baseline", "out_of_proportion", "reason", "quote"]),
        "timeline": _rows(records, ["date", "intensity", "strong", "rupture", "repair"]),
        "alliance": {
            "weekly": _rows(lens.alliance(subject=subject, as_of=as_of),
                            ["week", "therapy_episodes", "alliance_index", "ruptures", "repairs"]),
            "sessions": _rows(sessions, ["date", "srs_total", "ors_total", "strained",
                                         "reliable_change"]),
        },
        "red_flags": _rows(lens.red_flags(subject=subject, as_of=as_of),
                           ["id", "entry_id", "date", "quote", "note"]),
        "graph": _graph(lens, subject, as_of),
    }
    if not report["crisis"]:
        report["crisis"] = []
    elif not all(c.get("resources") for c in report["crisis"]):
        for c in report["crisis"]:
            c["resources"] = c.get("resources") or CRISIS_RESOURCES
    if redact:
        entries = lens.entries(subject=subject)
        report = redact_names(report, lens.people(subject=subject), records,
                              [*entries["text"].to_list(), *entries["title"].to_list()])
    return report


def _local_dates(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``date`` column in the writer's own time zone, where the frame does not have one."""
    if "date" in frame.columns or "occurred_at" not in frame.columns:
        return frame
    if "timezone" not in frame.columns:
        return frame.with_columns(pl.col("occurred_at").dt.date().alias("date"))
    zones = frame["timezone"].drop_nulls().unique().to_list()
    local = pl.col("occurred_at").dt.date()
    for zone in zones:
        try:
            converted = pl.col("occurred_at").dt.convert_time_zone(zone).dt.date()
        except Exception:
            continue
        local = pl.when(pl.col("timezone") == zone).then(converted).otherwise(local)
    return frame.with_columns(local.alias("date"))


def _before_next_session(ruptures: pl.DataFrame, crumbs: pl.DataFrame) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for r in ruptures.filter(pl.col("status") != "repaired").iter_rows(named=True):
        started = _iso(r["started"])
        quote = _first_quote(r.get("evidence"))
        markers = set(r.get("markers") or [])
        suggestions = [
            f"I've been thinking about our session around {started}. Something felt off for "
            "me, and I'd like to talk about it.",
        ]
        if "withdrawal" in markers:
            suggestions.append("I noticed I went quiet and held back. I think it's because "
                               "something hurt, and I didn't know how to say it.")
        if "confrontation" in markers:
            suggestions.append("I've been frustrated with how therapy is going. Can we look at "
                               "what's working and what isn't, together?")
        if quote:
            suggestions.append(f"I wrote this afterwards: {_quoted(quote)} Can we start there?")
        items.append({
            "kind": "rupture", "finding_id": r["id"],
            "title": f"An open strain with your therapist since {started}",
            "why": ("Ruptures that are talked through can deepen the relationship; left "
                    "unsaid, they tend to erode it."),
            "suggestions": suggestions,
        })
    if crumbs.height:
        c = crumbs.row(0, named=True)
        felt = FELT.get(c["theme"], c["theme"])
        others = [ROLE_WORDS.get(r, r) for r in c["roles"] if r != "therapist"]
        trail = c.get("trail") or []
        moment = next((t for t in reversed(trail) if t.get("role") == "therapist"), None)
        quote = moment["quote"] if moment else None
        like = " and ".join(others[:2]) if others else "someone else"
        suggestions = [
            f"When this happened in our session, I felt {felt}, a bit like with {like}.",
            f"I had a stronger reaction than the moment seemed to call for. I think it "
            f"touched something older: feeling {felt}.",
        ]
        if quote:
            suggestions.insert(0, f"I wrote: {_quoted(quote)} I'd like to understand that reaction.")
        yours = " and ".join(w.replace("my ", "your ", 1) for w in others[:2]) or "someone else"
        items.append({
            "kind": "breadcrumb", "finding_id": c["id"],
            "title": f"Feeling {felt}: with your therapist, and with {yours}",
            "why": ("A big reaction is a breadcrumb: following it can lead to older pain, and "
                    "therapy is a safe place to look at it."),
            "suggestions": suggestions,
        })
    return items


def _breadcrumbs(crumbs: pl.DataFrame, records: pl.DataFrame) -> list[dict[str, Any]]:
    refs = dict(records.select("entry_id", "source_ref").iter_rows())
    out = _rows(crumbs, ["id", "theme", "roles", "score", "has_past", "n_episodes", "first_seen",
                         "therapy_moment", "trail"])
    for crumb in out:
        for step in crumb.get("trail") or []:
            step["source_ref"] = step.get("source_ref") or refs.get(step["entry_id"], "")
    return out


def _pervasiveness(perv: pl.DataFrame) -> dict[str, Any]:
    if perv.is_empty():
        return {"themes": [], "roles": [], "cells": []}
    themes = sorted(perv["theme"].unique().to_list())
    roles = sorted(r for r in perv["role"].unique().to_list() if r != "all")
    return {
        "themes": themes,
        "roles": ["all", *roles],
        "cells": _rows(perv, ["theme", "role", "share", "episodes_with_theme", "episodes_total"]),
    }


def _graph(lens: Lens, subject: str, as_of: date | None) -> dict[str, Any]:
    g = lens.graph_parts(subject=subject, as_of=as_of, with_episodes=False)  # people, roles, themes
    nodes = [{"id": str(n), "kind": str(g.nodes[n].get("kind")),
              "label": str(g.nodes[n].get("label", n))} for n in sorted(g.nodes)]
    links = [{"source": str(u), "target": str(v),
              "weight": float(d.get("weight", d.get("count", 1)) or 1),
              "has_past": bool(d.get("has_past", False))} for u, v, d in g.edges()]
    return {"nodes": nodes, "links": links}


def _quoted(quote: str) -> str:
    """A quote inside a sentence: its own closing punctuation, or a full stop."""
    quote = quote.strip()
    return f"\u201c{quote}\u201d" if quote[-1:] in ".!?…" else f"\u201c{quote}.\u201d"


def _first_quote(evidence: Any) -> str | None:
    for item in evidence or []:
        if item.get("quote"):
            return str(item["quote"])
    return None


def _rows(frame: pl.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return [_jsonable(r) for r in frame.select(present).iter_rows(named=True)]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 3)
    return value


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
