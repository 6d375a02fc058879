"""The findings projection: every finding table, per writer, refreshed from a checkpoint.

Findings are computed per subject from the episode projection. A refresh recomputes only
the writers with events after the checkpoint (new entries, people, session scores); a new
extractor or analysis version rebuilds everything. Dismissed findings are kept in the
tables and filtered out when read, so a dismissal can be reviewed and the ids stay stable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import duckdb
import polars as pl

from patternlens.analyze.alliance import session_scores, weekly_alliance
from patternlens.analyze.baselines import strong_reactions
from patternlens.analyze.breadcrumbs import breadcrumbs
from patternlens.analyze.pervasiveness import pervasiveness
from patternlens.analyze.ruptures import rupture_ledger
from patternlens.analyze.safety import crisis_entries, exclude_crisis, red_flags
from patternlens.extract import EXTRACTOR_VERSION
from patternlens.project import episodes as episode_projection
from patternlens.store.entries import current_entries
from patternlens.store.log import EventLog
from patternlens.store.projection import Checkpoint, read_checkpoint, write_checkpoint
from patternlens.timezones import valid_zone, with_local_date

NAME = "findings"
ANALYSIS_VERSION = "1"
SESSION_SCHEMA = {"subject": pl.String, "date": pl.Date, "srs": pl.List(pl.Float64),
                  "ors": pl.List(pl.Float64)}


def version() -> str:
    return f"{EXTRACTOR_VERSION}/analysis-{ANALYSIS_VERSION}"


@dataclass(frozen=True)
class Findings:
    """All findings for some writers, one Polars frame each (every frame has ``subject``)."""

    strong: pl.DataFrame
    breadcrumbs: pl.DataFrame
    trails: pl.DataFrame
    ruptures: pl.DataFrame
    rupture_evidence: pl.DataFrame
    pervasiveness: pl.DataFrame
    alliance: pl.DataFrame
    sessions: pl.DataFrame
    red_flags: pl.DataFrame
    crisis: pl.DataFrame

    def tables(self) -> list[tuple[str, pl.DataFrame]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]


# Quotes of entry text live in these tables: ``forget`` deletes the entry's rows.
TEXT_TABLES = (
    ("finding_strong", "entry_id"), ("finding_trails", "entry_id"),
    ("finding_rupture_evidence", "entry_id"), ("finding_red_flags", "entry_id"),
    ("finding_crisis", "entry_id"),
)


Texts = Callable[[Sequence[str]], pl.DataFrame]


def compute(episodes: pl.DataFrame, records: pl.DataFrame, sessions: pl.DataFrame,
            entries: pl.DataFrame | Texts) -> Findings:
    """Every finding from episodes, entry records (with their time zones), logged session
    scores and the entries themselves (for quotes): a frame, or a function reading the
    entries with the given ids, so only the few entries a finding quotes are read. Dates
    come out in the writer's zone."""
    texts = _texts(entries)
    flagged = records.filter(pl.col("crisis") | pl.col("rupture") | pl.col("repair")
                             | pl.col("red_flag"))["entry_id"]
    entries = texts(flagged.to_list())
    crisis = crisis_entries(records, episodes, entries=entries)
    flags = red_flags(episodes, records, entries=entries)
    # Crisis entries are shown first and never turned into patterns.
    safe_eps = exclude_crisis(episodes, records)
    safe_records = records.filter(~pl.col("crisis"))
    zone = _main_zone(records)
    strong = with_local_date(strong_reactions(safe_eps, time_zone=zone), records)
    crumbs, trails = breadcrumbs(safe_eps, strong.drop("date"))
    trails = with_local_date(trails.rename({"breadcrumb": "finding_id", "date": "occurred_at"}),
                             records)
    moments = with_local_date(
        crumbs.select("id", pl.col("therapy_entry_id").alias("entry_id"),
                      pl.col("therapy_moment").alias("occurred_at")), records, "moment_date")
    first = trails.group_by("finding_id").agg(pl.col("date").min().alias("first_date"))
    crumbs = (
        crumbs.join(moments.select("id", "moment_date"), on="id", how="left", maintain_order="left")
        .join(first.rename({"finding_id": "id"}), on="id", how="left", maintain_order="left")
        .with_columns(pl.col("moment_date").alias("therapy_moment"),
                      pl.col("first_date").alias("first_seen"))
        .drop("moment_date", "first_date")
    )
    ledger, evidence = rupture_ledger(safe_eps, safe_records, entries=entries)
    evidence = evidence.rename({"id": "finding_id"})
    # Quotes are widened for findings only: the strong table has a row for every episode.
    found_strong = strong.filter(pl.col("finding"))
    quoted = pl.concat([f.select("entry_id") for f in (found_strong, trails, evidence, flags, crisis)])
    entries = texts(quoted["entry_id"].unique().to_list())
    return Findings(
        strong=_update(strong, sentence_quotes(found_strong, entries)), breadcrumbs=crumbs,
        trails=sentence_quotes(trails, entries), ruptures=ledger,
        rupture_evidence=sentence_quotes(evidence, entries),
        pervasiveness=pervasiveness(safe_eps),
        alliance=weekly_alliance(safe_eps, safe_records, entries=entries),
        sessions=session_scores(sessions), red_flags=sentence_quotes(flags, entries),
        crisis=sentence_quotes(crisis, entries),
    )


def _texts(entries: pl.DataFrame | Texts) -> Texts:
    if callable(entries):
        return entries
    frame = entries
    return lambda ids: frame.filter(pl.col("entry_id").is_in(list(ids)))


def _update(frame: pl.DataFrame, changed: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the quotes of the rows in ``changed`` (same ids), row order kept."""
    quotes = changed.select("id", pl.col("quote").alias("_quote"))
    return (frame.join(quotes, on="id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("_quote", "quote").alias("quote")).drop("_quote"))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
QUOTE_CHARS = 220


def sentence_quotes(frame: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Widen each ``quote`` (often just the words that matched) to the sentence holding it,
    so a reader recognises the moment. Still a Python call per distinct (entry, quote) pair;
    only the quoted entries' texts are read."""
    if frame.is_empty() or "quote" not in frame.columns or "entry_id" not in frame.columns:
        return frame
    pairs = frame.select("entry_id", "quote").unique()
    quoted = entries.join(pairs, on="entry_id", how="semi")
    texts = dict(quoted.select("entry_id", pl.concat_str(
        pl.col("title").fill_null(""), pl.col("text").fill_null(""), separator="\n")).iter_rows())
    wide = [_sentence(texts.get(e) or "", q) for e, q in pairs.iter_rows()]
    widened = pairs.with_columns(pl.Series("_wide", wide, pl.String))
    return (frame.join(widened, on=["entry_id", "quote"], how="left", nulls_equal=True,
                       maintain_order="left")
            .with_columns(pl.col("_wide").alias("quote")).drop("_wide"))


def _sentence(text: str, quote: str | None) -> str | None:
    if not quote:
        return quote
    at = text.find(quote)
    if at < 0:
        at = text.lower().find(quote.lower())
    if at < 0:
        return quote
    # Only the last boundary before the quote matters, and a sentence starting further back
    # than the window is cut to the window below anyway: no need to scan the whole entry.
    low = max(0, at - 4 * QUOTE_CHARS)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, low, at)]
    start = starts[-1] if starts else low
    end_match = _SENTENCE_END.search(text, at + len(quote))
    end = end_match.start() if end_match else len(text)
    sentence = text[start:end].strip()
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    # A long sentence: keep a window around the words that matched.
    left = max(start, at - QUOTE_CHARS // 2)
    return "…" + text[left:left + QUOTE_CHARS].strip() + "…"


def _main_zone(records: pl.DataFrame) -> str:
    """The zone most entries were written in: where a writer's day ends for baselines."""
    zones = records["timezone"].drop_nulls() if "timezone" in records.columns else pl.Series([])
    if zones.is_empty():
        return "UTC"
    zone = str(zones.mode().sort()[0])
    return zone if valid_zone(zone) else "UTC"


@dataclass(frozen=True)
class Refresh:
    subjects: int  # writers recomputed
    full: bool
    last_seq: int


def refresh(log: EventLog) -> Refresh:
    """Bring every finding table up to the end of the log."""
    episode_projection.refresh(log)
    head = log.max_seq()
    checkpoint = read_checkpoint(log, NAME)
    full = checkpoint is None or checkpoint.version != version()
    if not full and checkpoint is not None and checkpoint.last_seq >= head:
        return Refresh(0, False, head)
    subjects = None if full or checkpoint is None else _touched_subjects(log, checkpoint.last_seq)
    if subjects == []:
        with log.transaction() as con:
            write_checkpoint(con, Checkpoint(NAME, head, version()))
        return Refresh(0, False, head)
    # Whole writers a chunk at a time, as the episode projection does: bounded memory.
    chunks = episode_projection.subject_chunks(log, subjects) or [[]]
    written = 0
    with log.transaction() as con:
        for i, chunk in enumerate(chunks):
            episodes = episode_projection.episodes(log, subjects=chunk, refreshed=True)
            records = episode_projection.flat_records(log, subjects=chunk)
            found = compute(episodes, records, sessions(log, subjects=chunk),
                            lambda ids: current_entries(log, entry_ids=ids))
            written += len(chunk)
            for name, frame in found.tables():
                _write(con, f"finding_{name}", frame, replace=subjects is None and i == 0,
                       clear=subjects if i == 0 else None)
        write_checkpoint(con, Checkpoint(NAME, head, version()))
    return Refresh(written, subjects is None, head)


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, replace: bool,
           clear: Sequence[str] | None) -> None:
    """Write one chunk's rows: the first chunk of a rebuild replaces the table; an update
    first clears the rows of the writers it recomputes."""
    con.register("finding_rows", frame.to_arrow())
    try:
        if replace:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM finding_rows")
            return
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM finding_rows LIMIT 0")
        if clear:
            con.execute(f"DELETE FROM {table} WHERE subject IN ({', '.join('?' for _ in clear)})",
                        list(clear))
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM finding_rows")
    finally:
        con.unregister("finding_rows")


def read(log: EventLog, name: str, *, subject: str | None = None,
         as_of: date | None = None, include_dismissed: bool = False) -> pl.DataFrame:
    """One finding table for one writer (or all), without dismissed findings.

    ``as_of`` recomputes from the entries written up to then (and sessions up to then),
    instead of reading the stored tables.
    """
    if as_of is not None:
        records, episodes = episode_projection.as_of(log, as_of, subject=subject)
        entries = current_entries(log, subject=subject, as_of=as_of)
        day = as_of.date() if isinstance(as_of, datetime) else as_of
        logged = sessions(log, subject=subject).filter(pl.col("date") <= day)
        found = compute(episodes, records, logged, entries)
        frame: pl.DataFrame = getattr(found, name)
    else:
        refresh(log)
        where, params = ("WHERE subject = ?", [subject]) if subject is not None else ("", [])
        frame = log.query(f"SELECT * FROM finding_{name} {where}", params)
    if include_dismissed or "id" not in frame.columns:
        return frame
    gone = dismissed(log, subject=subject)
    return frame.filter(~pl.col("id").is_in(gone))


def dismissed(log: EventLog, *, subject: str | None = None) -> list[str]:
    events = log.events_frame(types=("FindingDismissed",), subject=subject)
    ids = events.select(pl.col("payload").str.json_decode(pl.Struct({"finding_id": pl.String}))
                        .struct.field("finding_id"))
    return ids.to_series().to_list()


def sessions(log: EventLog, *, subject: str | None = None, subjects: Sequence[str] | None = None
             ) -> pl.DataFrame:
    """Logged SRS/ORS scores: subject, date, srs, ors (latest logging of a date wins)."""
    events = log.events_frame(types=("SessionRated",), subject=subject)
    if subjects is not None:
        events = events.filter(pl.col("subject").is_in(list(subjects)))
    schema = pl.Struct({"date": pl.String, "srs": pl.List(pl.Float64), "ors": pl.List(pl.Float64)})
    frame = events.select("seq", "subject", pl.col("payload").str.json_decode(schema).struct.unnest())
    return (
        frame.with_columns(pl.col("date").str.to_date())
        .sort("seq").group_by("subject", "date", maintain_order=True).last()
        .sort("subject", "date").select(list(SESSION_SCHEMA))
        .cast(SESSION_SCHEMA)  # type: ignore[arg-type]
    )


def _touched_subjects(log: EventLog, after_seq: int) -> list[str]:
    events = log.events_frame(after_seq=after_seq)
    return sorted(events["subject"].unique().to_list())
