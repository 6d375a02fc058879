"""What a notebook shows: ``lens.chart.*`` as Altair charts, and a summary card for ``lens``."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from patternlens.report import charts
from patternlens.report.model import build_report

if TYPE_CHECKING:
    from patternlens.lens import Lens


def altair_chart(spec: charts.Spec | None) -> Any:
    """A Vega-Lite spec (every chart here is layered, or stacked panels) as an Altair chart."""
    if spec is None:
        return None
    import altair as alt  # loaded here: only notebooks need it

    return (alt.VConcatChart if "vconcat" in spec else alt.LayerChart).from_dict(spec)


class Charts:
    """``lens.chart.timeline()`` and friends: the report's charts, as Altair objects that
    Jupyter renders inline (and that can be saved, layered or restyled)."""

    def __init__(self, lens: Lens) -> None:
        self._lens = lens

    def _report(self, subject: str) -> dict[str, Any]:
        return build_report(self._lens, subject=subject)

    def timeline(self, subject: str = "me") -> Any:
        """Intensity over time, strong reactions and ruptures marked."""
        return altair_chart(charts.intensity(self._report(subject)))

    def themes(self, subject: str = "me") -> Any:
        """The theme x role pervasiveness heatmap."""
        return altair_chart(charts.pervasiveness(self._report(subject)))

    def breadcrumbs(self, subject: str = "me", breadcrumb_id: str | None = None) -> Any:
        """A breadcrumb's trail as a timeline (the top one unless an id is given)."""
        return altair_chart(charts.breadcrumb_trail(self._report(subject), breadcrumb_id))

    def graph(self, subject: str = "me") -> Any:
        """People, roles and themes as a drawn graph."""
        return altair_chart(charts.relationship_graph(self._report(subject)))

    def alliance(self, subject: str = "me") -> Any:
        """The weekly alliance trend, with SRS totals when logged."""
        return altair_chart(charts.alliance(self._report(subject)))


def summary_html(lens: Lens) -> str:
    """A small card for Jupyter: how much is stored, and where to look next."""
    entries = lens.entries()
    writers = entries["subject"].n_unique() if entries.height else 0
    rows = [
        ("entries", f"{entries.height:,}"),
        ("writers", f"{writers:,}"),
        ("events in the log", f"{lens.log.max_seq():,}"),
    ]
    if entries.height:
        first, last = entries["occurred_at"].min(), entries["occurred_at"].max()
        rows.append(("period", f"{str(first)[:10]} to {str(last)[:10]}"))
    body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                   f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
    store = html.escape(str(lens.log.path or "in memory"))
    return (f"<div><strong>patternlens store</strong> <code>{store}</code>"
            f"<table>{body}</table><small>Try <code>lens.breadcrumbs()</code>, "
            "<code>lens.ruptures()</code>, <code>lens.theme_table()</code>, "
            "<code>lens.chart.timeline()</code>. patternlens does not diagnose.</small></div>")
