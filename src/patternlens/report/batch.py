"""Writing reports to disk: dated files plus a stable ``latest`` name, per writer, and a
corpus summary for stores that hold many writers. Safe to run from cron: every file is
written whole (temporary name, then rename), so a reader never sees half a report."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from patternlens.lens import Lens
from patternlens.report.html import render_html
from patternlens.report.markdown import render_markdown
from patternlens.report.model import build_report

EXTENSIONS = {"html": "html", "md": "md", "json": "json"}


@dataclass
class BatchResult:
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # subject -> report
    files: list[Path] = field(default_factory=list)
    corpus: Path | None = None


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "json":
        return json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"unknown report format {fmt!r}")


def write_reports(lens: Lens, out_dir: Path, *, formats: Sequence[str] = ("html",),
                  subjects: Sequence[str] | None = None, as_of: date | None = None,
                  since: date | None = None, redact: bool = False,
                  today: date | None = None) -> BatchResult:
    """Write ``<out_dir>/<subject>/report-<date>.<ext>`` and ``latest.<ext>`` for each writer,
    and, for more than one writer, ``<out_dir>/corpus/summary-<date>.{parquet,json}``."""
    stamp = (today or date.today()).isoformat()
    if subjects is None:
        subjects = sorted(lens.entries()["subject"].unique().to_list())
    result = BatchResult()
    for subject in subjects:
        report = build_report(lens, subject=subject, as_of=as_of, since=since, redact=redact)
        result.reports[subject] = report
        folder = out_dir / _safe(subject)
        for fmt in formats:
            text = render(report, fmt)
            dated = folder / f"report-{stamp}.{EXTENSIONS[fmt]}"
            write_atomic(dated, text)
            write_atomic(folder / f"latest.{EXTENSIONS[fmt]}", text)
            result.files.append(dated)
    if len(subjects) > 1:
        result.corpus = write_corpus_summary(lens, out_dir / "corpus", result.reports, stamp)
    return result


def corpus_summary(lens: Lens, reports: dict[str, dict[str, Any]]) -> pl.DataFrame:
    """One row per writer: counts, top breadcrumb theme, open ruptures, crisis entries."""
    rows = []
    for subject, report in reports.items():
        summary = report["summary"]
        top = report["breadcrumbs"][0]["theme"] if report["breadcrumbs"] else None
        rows.append({
            "subject": subject, **summary, "top_breadcrumb": top,
            "crisis_entries": len(report["crisis"]), "red_flags": len(report["red_flags"]),
            "first_entry": report["period"]["first_entry"], "last_entry": report["period"]["last_entry"],
        })
    return pl.DataFrame(rows, infer_schema_length=None)


def write_corpus_summary(lens: Lens, folder: Path, reports: dict[str, dict[str, Any]],
                         stamp: str) -> Path:
    """Per-writer summary and pooled pervasiveness, as Parquet and JSON."""
    per_writer = corpus_summary(lens, reports)
    pooled = pooled_pervasiveness(lens.episodes())
    folder.mkdir(parents=True, exist_ok=True)
    parquet = folder / f"summary-{stamp}.parquet"
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".parquet", delete=False) as tmp:
        per_writer.write_parquet(tmp.name)
    os.replace(tmp.name, parquet)
    pooled_path = folder / f"pervasiveness-{stamp}.parquet"
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".parquet", delete=False) as tmp:
        pooled.write_parquet(tmp.name)
    os.replace(tmp.name, pooled_path)
    payload = {"writers": per_writer.to_dicts(), "pooled_pervasiveness": pooled.to_dicts()}
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    write_atomic(folder / f"summary-{stamp}.json", text)
    write_atomic(folder / "latest.json", text)
    return parquet


def pooled_pervasiveness(episodes: pl.DataFrame) -> pl.DataFrame:
    """Pervasiveness over all writers' episodes pooled: per theme and role, the share of
    episodes carrying the theme, and how many writers show it at all."""
    if episodes.is_empty():
        return pl.DataFrame(schema={"theme": pl.String, "role": pl.String, "share": pl.Float64,
                                    "episodes_with_theme": pl.UInt32, "episodes_total": pl.UInt32,
                                    "writers": pl.UInt32})
    totals = episodes.group_by("role").agg(pl.len().alias("episodes_total"))
    totals = pl.concat([totals, pl.DataFrame({"role": ["all"], "episodes_total": [episodes.height]},
                                             schema=totals.schema)])
    themed = episodes.select("subject", "role", "themes").explode("themes").drop_nulls("themes")
    both = pl.concat([themed, themed.with_columns(pl.lit("all").alias("role"))])
    counts = both.group_by("themes", "role").agg(
        pl.len().alias("episodes_with_theme"), pl.col("subject").n_unique().alias("writers"))
    return (
        counts.rename({"themes": "theme"}).join(totals, on="role", how="left")
        .with_columns((pl.col("episodes_with_theme") / pl.col("episodes_total")).alias("share"))
        .select("theme", "role", "share", "episodes_with_theme", "episodes_total", "writers")
        .sort("theme", "role")
    )


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=".tmp-", suffix=path.suffix,
                                     delete=False, encoding="utf-8") as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def _safe(subject: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in subject).strip(".")
    return cleaned or "subject"
