"""Writing reports to disk: dated files plus a stable ``latest`` name, per writer, and a
corpus summary for stores that hold many writers. Safe to run from cron: every file is
written whole (temporary name, then rename), so a reader never sees half a report.

Beside each writer's ``latest.*`` a small stamp file records what they were built from (the
log's last event, the analysis version, the options), so a later run can tell whether they
are still current whatever else refreshed the projections in between."""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from patternlens import __version__
from patternlens.lens import Lens
from patternlens.project import findings as finding_projection
from patternlens.report.html import render_html
from patternlens.report.markdown import render_markdown
from patternlens.report.model import build_report

EXTENSIONS = {"html": "html", "md": "md", "json": "json"}
CORPUS_FOLDER = "corpus"
STAMP_FILE = ".patternlens-latest.json"
# Folder names a writer may not take as they are: the corpus summary's, and device names
# Windows will not create.
_RESERVED = {CORPUS_FOLDER, "con", "prn", "aux", "nul"}
_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_HASHED = re.compile(r".*-[0-9a-f]{10}")


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
    """Write ``<out_dir>/<folder>/report-<date>.<ext>`` and ``latest.<ext>`` for each writer
    (``folder_name(subject)``), and, for more than one writer,
    ``<out_dir>/corpus/summary-<date>.{parquet,json}``."""
    stamp = (today or date.today()).isoformat()
    if subjects is None:
        subjects = sorted(lens.entries()["subject"].unique().to_list())
    # Taken before building: events appended meanwhile make the stamp older, never newer.
    head = log_head(lens)
    result = BatchResult()
    for subject in subjects:
        report = build_report(lens, subject=subject, as_of=as_of, since=since, redact=redact)
        result.reports[subject] = report
        folder = out_dir / folder_name(subject)
        for fmt in formats:
            text = render(report, fmt)
            dated = folder / f"report-{stamp}.{EXTENSIONS[fmt]}"
            write_atomic(dated, text)
            write_atomic(folder / f"latest.{EXTENSIONS[fmt]}", text)
            result.files.append(dated)
        built = _built_from(head, subject, redact=redact, as_of=as_of, since=since)
        stamps = {**_read_stamps(folder), **{fmt: built for fmt in formats}}
        write_atomic(folder / STAMP_FILE, json.dumps(stamps, indent=2, sort_keys=True) + "\n")
    if len(subjects) > 1:
        result.corpus = write_corpus_summary(lens, out_dir / CORPUS_FOLDER, result.reports, stamp)
    return result


def reports_current(lens: Lens, out_dir: Path, *, subjects: Sequence[str],
                    formats: Sequence[str] = ("html",), redact: bool = False) -> bool:
    """Whether every writer's ``latest.<fmt>`` exists and was built, with these options, from
    the log as it stands now: any event since (entries, dismissals, session ratings, people,
    erasures) or a new analysis version makes it stale."""
    head = log_head(lens)
    for subject in subjects:
        folder = out_dir / folder_name(subject)
        stamps = _read_stamps(folder)
        expected = _built_from(head, subject, redact=redact, as_of=None, since=None)
        for fmt in formats:
            if stamps.get(fmt) != expected or not (folder / f"latest.{EXTENSIONS[fmt]}").exists():
                return False
    return True


def log_head(lens: Lens) -> dict[str, Any]:
    """The log's last event: its sequence number, and its hash, which tells two stores apart."""
    last = lens.log.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
    if last.is_empty():
        return {"seq": 0, "hash": None}
    return {"seq": int(last["seq"][0]), "hash": str(last["hash"][0])}


def _built_from(head: dict[str, Any], subject: str, *, redact: bool, as_of: date | None,
                since: date | None) -> dict[str, Any]:
    return {
        "subject": subject, "log_seq": head["seq"], "log_hash": head["hash"],
        "analysis": finding_projection.version(), "patternlens": __version__,
        "redacted": redact, "as_of": as_of.isoformat() if as_of else None,
        "since": since.isoformat() if since else None,
    }


def _read_stamps(folder: Path) -> dict[str, Any]:
    """The stamps beside ``latest.*``; a missing or unreadable file means nothing is current."""
    try:
        stamps = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamps if isinstance(stamps, dict) else {}


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


def folder_name(subject: str) -> str:
    """The writer's folder: the subject itself when it is a plain lowercase name ("me",
    "jordan"); otherwise a readable form plus a hash of the exact subject ("a b" ->
    "a_b-<hash>"). Plain names never end like a hashed one, so no two writers share a folder,
    not even on a case-insensitive file system, and none takes the corpus summary's."""
    if _PLAIN.fullmatch(subject) and subject not in _RESERVED and not _HASHED.fullmatch(subject):
        return subject
    readable = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_"
                       for ch in subject).strip("._-")[:40] or "writer"
    return f"{readable}-{hashlib.sha256(subject.encode('utf-8')).hexdigest()[:10]}"


_WORD = re.compile(r"[^\W_]+")
_SENTENCE = re.compile(r"[^.!?\n]+")
_TAG = re.compile(r"<[^>]*>")
SHINGLE = 6  # words in a row that count as quoting; shorter sentences count whole (4 words or more)


def _shingles(words: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


def files_quoting(folder: Path, text: str) -> list[Path]:
    """Report files under ``folder`` that quote ``text``: one of its sentences of 4 words or
    more, or 6 of its words in a row (quotes can be cut to a window), compared word by word
    so markup and HTML or JSON escaping do not hide them."""
    wanted: set[tuple[str, ...]] = set()
    for sentence in _SENTENCE.findall(text):
        words = _WORD.findall(sentence.lower())
        if len(words) >= 4:
            wanted |= _shingles(words, min(SHINGLE, len(words)))
    if not wanted or not folder.is_dir():
        return []
    sizes = {len(w) for w in wanted}
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in (".html", ".md", ".json") or not path.is_file():
            continue
        content = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":
            with contextlib.suppress(ValueError):  # \u escapes would split words
                content = json.dumps(json.loads(content), ensure_ascii=False)
        words = _WORD.findall(html.unescape(_TAG.sub(" ", content)).lower())
        if any(wanted & _shingles(words, n) for n in sizes):
            found.append(path)
    return found
