"""A report dict as Markdown for notes apps: the content of the HTML report without charts,
tables in GitHub style and evidence quotes as blockquotes.

User text is escaped with CommonMark backslash escapes, so a quote can neither open HTML nor
start a heading, a link or a new table cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from patternlens.report.html import STATUS_LABEL, STATUS_ORDER, fmt_num, label, nice_date
from patternlens.report.wording import journal_owner, shown_strong

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~]|&(?=#?\w+;))")
_LINE_START = re.compile(r"^(?:([-+])|(\d+)([.)]))")


def md(value: Any) -> str:
    """Escape text for inline Markdown, on one line: markup characters, an HTML entity, and what
    would start a list at the beginning of a line."""
    text = "" if value is None else str(value)
    text = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", text)


def _quote(text: str | None, source: str) -> list[str]:
    if not text:
        return ["> *(no quotable line)*", f"> — {source}", ""]
    lines = [f"> {md(line)}" if line.strip() else ">" for line in str(text).splitlines()] or [">"]
    return [*lines, ">", f"> — {source}", ""]


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> list[str]:
    """``head`` and ``rows`` are already escaped."""
    sep = ["---:" if i in numeric else "---" for i in range(len(head))]
    out = ["| " + " | ".join(head) + " |", "| " + " | ".join(sep) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def _crisis(report: Mapping[str, Any]) -> list[str]:
    out = ["## Crisis", "",
           "Some entries speak of not wanting to be here, or of hurting yourself. patternlens does not "
           "read these as patterns. If any of this is true for you now, please reach out to someone today, "
           "and tell your therapist.", ""]
    for c in report["crisis"]:
        out += [f"### {md(nice_date(c['date']))}", "", *_quote(c.get("quote"), md(nice_date(c["date"])))]
        res = c["resources"]
        out += ([f"**{md(res)}**", ""] if isinstance(res, str) else [*(f"- **{md(r)}**" for r in res), ""])
    return out


def _before(report: Mapping[str, Any]) -> list[str]:
    out = ["## Before your next session", ""]
    if not report["before_next_session"]:
        return [*out, "*Nothing stands out to bring up right now. You can always bring anything that "
                "stayed with you.*", ""]
    out += ["Talking about a hurt with your therapist takes courage, and it is often where therapy moves "
            "most. A first sentence can be enough.", ""]
    for item in report["before_next_session"]:
        out += [f"### {md(item['title'])}", "", md(item["why"]), ""]
        if item["suggestions"]:
            out += ["Ways to raise it:", "", *(f"- {md(s)}" for s in item["suggestions"]), ""]
        out += [f"*See the {'rupture' if item['kind'] == 'rupture' else 'breadcrumb'} "
                f"{md(item['finding_id'])} below.*", ""]
    return out


def _breadcrumbs(report: Mapping[str, Any]) -> list[str]:
    out = ["## Breadcrumbs", ""]
    if not report["breadcrumbs"]:
        return [*out, "*No breadcrumbs found: no strong reaction in therapy echoes a theme from another "
                "relationship in this period.*", ""]
    out += ["A breadcrumb is a strong reaction in therapy whose theme also runs through other "
            "relationships, often older ones. The trail runs from the earliest echo to the therapy "
            "moment.", ""]
    for b in report["breadcrumbs"]:
        past = " (reaches the past)" if b["has_past"] else ""
        out += [f"### Feeling {md(label(b['theme']))}{past}", "",
                f"with {md(', '.join(label(r) for r in b['roles']))} · {md(b['n_episodes'])} episodes · "
                f"first seen {md(nice_date(b['first_seen']))} · in therapy on "
                f"{md(nice_date(b['therapy_moment']))} · id {md(b['id'])}", ""]
        for t in sorted(b["trail"], key=lambda t: t["date"]):
            who = label(t["role"]) + (f" ({t['person']})" if t.get("person") else "")
            tags = (" · past" if t["past"] else "") + (
                " · therapy moment" if t["date"] == b["therapy_moment"] and t["role"] == "therapist" else "")
            out += [f"**{md(nice_date(t['date']))}** · {md(who)} · intensity {md(fmt_num(t['intensity']))}/10"
                    f"{tags}", "", *_quote(t["quote"], md(t["source_ref"]))]
    return out


def _ruptures(report: Mapping[str, Any]) -> list[str]:
    out = ["## Ruptures", ""]
    ruptures = sorted(report["ruptures"], key=lambda r: STATUS_ORDER.get(r["status"], 9))
    if not ruptures:
        return [*out, "*No ruptures with your therapist found in this period.*", ""]
    out += ["Even good therapists misunderstand sometimes. A strain that gets named and worked through can "
            "deepen the work; one left unsaid tends to grow. Open ones come first.", ""]
    out += _table(["started", "status", "markers", "repaired", "days"], [
        [md(nice_date(r["started"])), md(STATUS_LABEL.get(r["status"], r["status"])),
         md(", ".join(label(m) for m in r["markers"])), md(nice_date(r["repaired"])),
         "" if r["days_to_repair"] is None else md(r["days_to_repair"])] for r in ruptures], numeric=(4,))
    for r in ruptures:
        out += [f"### Rupture started {md(nice_date(r['started']))}: "
                f"{md(STATUS_LABEL.get(r['status'], r['status']))}", ""]
        for ev in r["evidence"]:
            out += _quote(ev["quote"], f"{md(nice_date(ev['date']))} · {md(label(ev['kind']))}")
    return out


def _pervasiveness(report: Mapping[str, Any]) -> list[str]:
    perv = report["pervasiveness"]
    out = ["## Pervasiveness", ""]
    if not perv["cells"]:
        return [*out, "*Not enough episodes yet.*", ""]
    out += ["The share of each role's episodes that carry a theme; \"all\" is everything you wrote "
            "about.", ""]
    share = {(c["theme"], c["role"]): c["share"] for c in perv["cells"]}
    out += _table(["theme", *(md(label(r)) for r in perv["roles"])], [
        [md(label(t)), *(f"{round(share[(t, r)] * 100)}%" if (t, r) in share else "" for r in perv["roles"])]
        for t in perv["themes"]], numeric=tuple(range(1, len(perv["roles"]) + 1)))
    return out


def _intensity(report: Mapping[str, Any]) -> list[str]:
    out = ["## Intensity over time", ""]
    tl = report["timeline"]
    if tl:
        peak = max(tl, key=lambda t: t["intensity"])
        mean = sum(t["intensity"] for t in tl) / len(tl)
        counts = {flag: sum(t[flag] for t in tl) for flag in ("strong", "rupture", "repair")}
        out += [f"{len(tl)} entries; average intensity {mean:.1f}/10; highest {peak['intensity']:g}/10 on "
                f"{md(nice_date(peak['date']))}. Strong reactions: {counts['strong']}, rupture entries: "
                f"{counts['rupture']}, repair entries: {counts['repair']}.", ""]
    if not report["strong"]:
        return [*out, "*No strong reactions in this period.*", ""]
    out += ["### Strong reactions", ""]
    strong = shown_strong(report["strong"])
    if len(strong) < len(report["strong"]):
        out += [f"The {len(strong)} most recent of {len(report['strong'])} strong reactions; "
                "`patternlens strong` lists them all.", ""]
    out += _table(["date", "with", "intensity", "your usual", "themes", "why"], [
        [md(nice_date(s["date"])), md(label(s["role"]) + (f" ({s['person']})" if s.get("person") else "")),
         md(f"{s['intensity']:g}"), "" if s["baseline"] is None else md(f"{s['baseline']:.1f}"),
         md(", ".join(label(t) for t in s["themes"])),
         md(s["reason"] + (" (out of proportion)" if s["out_of_proportion"] else ""))]
        for s in strong], numeric=(2, 3))
    for s in strong:
        out += _quote(s["quote"], f"{md(nice_date(s['date']))} · {md(label(s['role']))}")
    return out


def _relationships(report: Mapping[str, Any]) -> list[str]:
    g = report["graph"]
    out = ["## Relationships", ""]
    if not g["links"]:
        return [*out, "*Not enough episodes yet.*", ""]
    names = {n["id"]: n["label"] for n in g["nodes"]}
    links = sorted(g["links"], key=lambda lk: -lk["weight"])
    out += _table(["from", "to", "weight", "reaches the past"], [
        [md(names.get(lk["source"], lk["source"])), md(names.get(lk["target"], lk["target"])),
         md(f"{lk['weight']:g}"), "yes" if lk["has_past"] else ""] for lk in links], numeric=(2,))
    return out


def _alliance(report: Mapping[str, Any]) -> list[str]:
    a = report["alliance"]
    out = ["## Alliance", ""]
    weekly = [w for w in a["weekly"] if w["alliance_index"] is not None]
    if not weekly and not a["sessions"]:
        return [*out, "*No therapy weeks or session ratings yet.*", ""]
    if weekly:
        out += ["The weekly index reads your journal, not the relationship: 1 means no strain was written "
                "about that week.", ""]
        out += _table(["week", "therapy episodes", "alliance index", "ruptures", "repairs"], [
            [md(nice_date(w["week"])), md(w["therapy_episodes"]), md(f"{w['alliance_index']:.2f}"),
             md(w["ruptures"]), md(w["repairs"])] for w in weekly], numeric=(1, 2, 3, 4))
    if a["sessions"]:
        out += ["Session ratings: an SRS total below 36 signals a strained session.", ""]
        out += _table(["session", "SRS", "ORS", "strained", "reliable change"], [
            [md(nice_date(s["date"])), "" if s["srs_total"] is None else md(f"{s['srs_total']:g}"),
             "" if s["ors_total"] is None else md(f"{s['ors_total']:g}"),
             "" if s["strained"] is None else ("yes" if s["strained"] else "no"),
             md(s["reliable_change"] or "")] for s in a["sessions"]], numeric=(1, 2))
    return out


def _red_flags(report: Mapping[str, Any]) -> list[str]:
    out = ["## Red flags", "",
           "Challenges, misunderstandings and style differences are a normal part of therapy. These entries "
           "describe something else: a line that should not be crossed.", ""]
    for r in report["red_flags"]:
        out += [f"### {md(nice_date(r['date']))}", "", *_quote(r.get("quote"), md(nice_date(r["date"]))),
                md(r["note"]), ""]
    return out


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown."""
    period = report["period"]
    first, last = nice_date(period.get("first_entry")), nice_date(period.get("last_entry"))
    s = report["summary"]
    out = [f"# Patterns in {md(journal_owner(report['subject']))} journal", "",
           f"*{md(f'{first} to {last}' if first and last else 'no entries yet')}* · {s['entries']} entries · "
           f"{s['therapy_entries']} about therapy · {s['strong_reactions']} strong reactions · "
           f"{s['open_ruptures']} open ruptures · {s['breadcrumbs']} breadcrumbs", ""]
    if report.get("redacted"):
        out += ["*Quotes in this copy are redacted.*", ""]
    out += ["## Not a diagnosis", "", md(report["disclaimer"]), "",
            "What follows are passages from your own words, grouped so that repeats are easier to see. "
            "Strong reactions are like breadcrumbs: followed gently, they can lead back to older hurts. "
            "They are yours to bring to your therapist, in your own time, not verdicts.", ""]
    if report["crisis"]:
        out += _crisis(report)
    out += _before(report) + _breadcrumbs(report) + _ruptures(report) + _pervasiveness(report)
    out += _intensity(report) + _relationships(report) + _alliance(report)
    if report["red_flags"]:
        out += _red_flags(report)
    out += ["---", "",
            f"*Made by patternlens {md(report['patternlens_version'])} on "
            f"{md(nice_date(report['generated_at']))}. Everything here was computed on this machine, and "
            "nothing left this machine.*", ""]
    return "\n".join(out)
