"""The summary ``patternlens analyze`` prints: short, kind, and pointing at the full report."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from patternlens.report.wording import FELT


def print_summary(console: Console, report: dict[str, Any], report_path: Path | None,
                  *, today: date | None = None) -> None:
    s = report["summary"]
    period = report["period"]
    console.print(Text(f"{s['entries']} entries, {period['first_entry'] or '?'} to "
                       f"{period['last_entry'] or '?'}; {s['episodes']} relationship episodes, "
                       f"{s['therapy_entries']} entries about therapy.", style="bold"))
    console.print(Text(report["disclaimer"], style="dim"))

    if report["crisis"]:
        lines = [Text(f"{c['date']}: \u201c{c['quote']}\u201d") for c in report["crisis"][:3]]
        lines.append(Text(report["crisis"][0]["resources"], style="bold"))
        console.print(Panel(Group(*lines), title="Please read this first", border_style="red"))

    if report["breadcrumbs"]:
        table = Table(title="Breadcrumbs: strong reactions in therapy that echo other relationships",
                      title_justify="left", show_lines=False, expand=True)
        table.add_column("theme")
        table.add_column("with")
        table.add_column("one quote", ratio=3)
        table.add_column("id", style="dim")
        for b in report["breadcrumbs"][:3]:
            trail = b.get("trail") or []
            quote = trail[0]["quote"] if trail else ""
            table.add_row(FELT.get(b["theme"], b["theme"]), ", ".join(b["roles"]),
                          f"\u201c{quote}\u201d", b["id"])
        console.print(table)

    open_ruptures = [r for r in report["ruptures"] if r["status"] != "repaired"]
    if open_ruptures:
        table = Table(title="Open ruptures with your therapist", title_justify="left", expand=True)
        table.add_column("since")
        table.add_column("markers")
        table.add_column("status")
        table.add_column("first words", ratio=3)
        for r in open_ruptures:
            quote = next((e["quote"] for e in r.get("evidence") or [] if e.get("quote")), "")
            table.add_row(r["started"], ", ".join(r["markers"]), r["status"].replace("_", " "),
                          f"\u201c{quote}\u201d" if quote else "")
        console.print(table)
    elif report["ruptures"]:
        console.print(f"All {len(report['ruptures'])} ruptures with your therapist were repaired.")

    _theme_table(console, report["pervasiveness"])

    month = (today or date.today()).isoformat()[:7]
    recent = [x for x in report["strong"] if str(x["date"]).startswith(month)]
    if recent:
        table = Table(title="Strong reactions this month", title_justify="left", expand=True)
        table.add_column("date")
        table.add_column("with")
        table.add_column("why strong", ratio=2)
        for x in recent[:5]:
            table.add_row(str(x["date"]), x.get("person") or x.get("role") or "", x["reason"])
        console.print(table)

    if report["red_flags"]:
        console.print(Panel(
            Text(f"{len(report['red_flags'])} entries describe a line crossed in therapy. "
                 + report["red_flags"][0]["note"]),
            title="Red flags", border_style="yellow"))
    for item in report["before_next_session"][:2]:
        console.print(Text(f"Before your next session: {item['title']}", style="bold"))
        console.print(Text(f"  e.g. \u201c{item['suggestions'][0]}\u201d"))
    if report_path is not None:
        console.print(f"Full report: {report_path}")


def _theme_table(console: Console, perv: dict[str, Any]) -> None:
    cells = perv.get("cells") or []
    if not cells:
        return
    share = {(c["theme"], c["role"]): c["share"] for c in cells}
    # Only relationships where some theme came up, most themed first.
    weight = {r: sum(v for (t, role), v in share.items() if role == r) for r in perv["roles"]}
    roles = sorted((r for r in perv["roles"] if r != "all" and weight[r] > 0),
                   key=lambda r: -weight[r])[:6]
    themes = [t for t in sorted(perv["themes"], key=lambda t: -share.get((t, "all"), 0))
              if share.get((t, "all"), 0) > 0][:8]
    table = Table(title="How often each theme comes up, by relationship (share of episodes)",
                  title_justify="left")
    table.add_column("theme")
    for role in ["all", *roles]:
        table.add_column(role, justify="right")
    for theme in themes:
        row = [theme] + [_pct(share.get((theme, role))) for role in ["all", *roles]]
        table.add_row(*row)
    console.print(table)


def _pct(value: float | None) -> str:
    if not value:
        return ""
    return f"{value:.0%}" if value >= 0.01 else "<1%"
