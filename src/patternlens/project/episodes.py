"""The episode projection: extraction results kept in the store, refreshed from the log.

Two tables in the store file, ``entry_records`` (one row per live entry) and ``episodes``,
each row stamped with the extractor version. A checkpoint (last sequence number and
extractor version) says how far they reflect the log: a refresh re-extracts the
journals of the writers touched by later events (a whole journal, because names learned in
one entry shape the reading of the others), and everything when the extractor (code or
lexicon) changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from patternlens.extract import ENTRY_SCHEMA as RECORD_SCHEMA
from patternlens.extract import EPISODE_SCHEMA, EXTRACTOR_VERSION, extract
from patternlens.store.entries import current_entries
from patternlens.store.log import EventLog
from patternlens.store.projection import Checkpoint, read_checkpoint, write_checkpoint

NAME = "episodes"
# Tables holding quotes of entry text: ``forget`` deletes an entry's rows from them.
TEXT_TABLES = (("entry_records", "entry_id"), ("episodes", "entry_id"))

_ENTRY_EVENTS = ("EntryRecorded", "EntryAmended", "EntryRetracted", "EntryForgotten")
RECORD_COLUMNS = [c for c in RECORD_SCHEMA if c != "episodes"]

_DDL = """
CREATE TABLE IF NOT EXISTS entry_records (
    entry_id VARCHAR PRIMARY KEY, subject VARCHAR, source_ref VARCHAR, occurred_at TIMESTAMPTZ,
    timezone VARCHAR, roles VARCHAR[], themes VARCHAR[],
    responses VARCHAR[], emotions VARCHAR[], intensity DOUBLE, in_therapy BOOLEAN,
    rupture BOOLEAN, repair BOOLEAN, red_flag BOOLEAN, past BOOLEAN, strong BOOLEAN,
    crisis BOOLEAN, extractor_version VARCHAR
);
CREATE TABLE IF NOT EXISTS episodes (
    entry_id VARCHAR, subject VARCHAR, occurred_at TIMESTAMPTZ, episode BIGINT, "start" BIGINT,
    "end" BIGINT, role VARCHAR, person VARCHAR, themes VARCHAR[], responses VARCHAR[],
    emotions VARCHAR[], intensity DOUBLE, past BOOLEAN, in_therapy BOOLEAN, rupture BOOLEAN,
    repair BOOLEAN, red_flag BOOLEAN, negated VARCHAR[],
    evidence STRUCT(label VARCHAR, kind VARCHAR, "start" BIGINT, "end" BIGINT, quote VARCHAR)[],
    extractor_version VARCHAR
);
"""


@dataclass(frozen=True)
class Refresh:
    """What a refresh did: how many entries it (re-)extracted, and whether from scratch."""

    extracted: int
    removed: int
    full: bool
    last_seq: int


def ensure_tables(log: EventLog) -> None:
    with log.transaction() as con:
        con.execute(_DDL)


def refresh(log: EventLog) -> Refresh:
    """Bring entry_records and episodes up to the end of the log."""
    ensure_tables(log)
    head = log.max_seq()
    checkpoint = read_checkpoint(log, NAME)
    full = checkpoint is None or checkpoint.version != EXTRACTOR_VERSION
    if not full and checkpoint is not None and checkpoint.last_seq >= head:
        return Refresh(0, 0, False, head)

    declared = people(log)
    if full:
        touched: list[str] | None = None
    else:
        assert checkpoint is not None
        touched = _touched_subjects(log, checkpoint.last_seq)
        if not touched:  # only other kinds of events (dismissals, session scores) came in
            with log.transaction() as con:
                write_checkpoint(con, Checkpoint(NAME, head, EXTRACTOR_VERSION))
            return Refresh(0, 0, False, head)

    extracted = removed = 0
    with log.transaction() as con:
        if touched is None:
            con.execute("DELETE FROM entry_records")
            con.execute("DELETE FROM episodes")
        else:
            marks = ", ".join("?" for _ in touched)
            row = con.execute(f"SELECT count(*) FROM entry_records WHERE subject IN ({marks})",
                              touched).fetchone()
            removed = int(row[0]) if row else 0
            for table, _ in TEXT_TABLES:
                con.execute(f"DELETE FROM {table} WHERE subject IN ({marks})", touched)
        # Whole journals a chunk at a time: memory stays bounded on a corpus of thousands
        # of writers, and names learned in one entry still reach the writer's others.
        for chunk in subject_chunks(log, touched):
            records, episodes = build(current_entries(log, subjects=chunk), declared)
            log.write_table(con, "entry_records", records)
            log.write_table(con, "episodes", episodes)
            extracted += records.height
        write_checkpoint(con, Checkpoint(NAME, head, EXTRACTOR_VERSION))
    return Refresh(extracted, removed, full, head)


CHUNK_ENTRIES = 50_000


def subject_chunks(log: EventLog, subjects: Sequence[str] | None,
                   max_entries: int = CHUNK_ENTRIES) -> list[list[str]]:
    """Writers grouped so each group holds about ``max_entries`` entries (a writer with more
    is a group of its own)."""
    counts = log.query(
        "SELECT subject, count(DISTINCT stream_id) AS n FROM events "
        "WHERE event_type IN ('EntryRecorded', 'EntryAmended') GROUP BY subject ORDER BY subject")
    if subjects is not None:
        counts = counts.filter(pl.col("subject").is_in(list(subjects)))
    chunks: list[list[str]] = []
    size = 0
    for subject, n in counts.iter_rows():
        if not chunks or size + n > max_entries:
            chunks.append([])
            size = 0
        chunks[-1].append(subject)
        size += n
    return chunks


def build(entries: pl.DataFrame, people: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Extract entries into (flat entry records, episodes), both stamped with the version."""
    result = extract(entries.select("entry_id", "subject", "occurred_at", "title",
                                    pl.col("text").fill_null(""), "mood_level", "tags"), people)
    records = result.entries.join(
        entries.select("entry_id", "subject", "source_ref", "occurred_at", "timezone"),
        on="entry_id", how="left", maintain_order="left")
    records = records.select(
        "entry_id", "subject", "source_ref", "occurred_at", "timezone", *RECORD_COLUMNS[1:]
    ).with_columns(pl.lit(result.version).alias("extractor_version"))
    episodes = result.episodes.with_columns(pl.lit(result.version).alias("extractor_version"))
    return records, episodes


def as_of(log: EventLog, at: date, *, subject: str | None = None
          ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, episodes) of the entries written up to ``at``: extracted afresh, with
    everything known now about who is who; nothing stored."""
    entries = current_entries(log, subject=subject, as_of=at)
    flat, episodes = build(entries, people(log))
    return nest(flat, episodes), episodes


def nest(flat: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    """Entry records with their episodes nested, oldest first."""
    nested = episodes.group_by("entry_id", maintain_order=True).agg(
        pl.struct([c for c in EPISODE_SCHEMA if c not in ("entry_id", "subject", "occurred_at")])
        .alias("episodes"))
    out = flat.sort("occurred_at", "entry_id").join(nested, on="entry_id", how="left",
                                                    maintain_order="left")
    return out.with_columns(
        pl.col("occurred_at").dt.convert_time_zone("UTC"),
        pl.col("episodes").fill_null(pl.lit([], dtype=RECORD_SCHEMA["episodes"])))


def _touched_subjects(log: EventLog, after_seq: int) -> list[str]:
    """Writers with entry or people events after the checkpoint."""
    events = log.events_frame(after_seq=after_seq, types=(*_ENTRY_EVENTS, "PersonDeclared"))
    return sorted(events["subject"].unique().to_list())


def people(log: EventLog, *, until: datetime | None = None, subject: str | None = None
           ) -> pl.DataFrame:
    """Declared people (subject, name, role), the latest declaration of each winning."""
    events = log.events_frame(types=("PersonDeclared",), until=until, subject=subject)
    schema = pl.Struct({"name": pl.String, "role": pl.String})
    return (
        # Per writer and stream: older stores' stream ids could be shared by two writers.
        events.sort("seq").group_by("subject", "stream_id", maintain_order=True).last()
        .select("seq", "subject", pl.col("payload").str.json_decode(schema).struct.unnest())
        # A person declared under an older store's stream id and again under the current one.
        .with_columns(
            pl.col("name").str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
            .alias("_key"))
        .sort("seq").group_by("subject", "_key", maintain_order=True).last()
        .select("subject", "name", "role")
        .sort("subject", "name")
    )


def records(log: EventLog, *, subject: str | None = None,
            subjects: Sequence[str] | None = None, refreshed: bool = False) -> pl.DataFrame:
    """Entry records (refreshed first): one row per live entry with its episodes nested,
    plus source_ref and occurred_at from the entry itself, oldest first."""
    if not refreshed:
        refresh(log)
    wanted = _subjects(subject, subjects)
    flat = log.query("SELECT * FROM entry_records WHERE " + _subject_filter(wanted), wanted or [])
    return nest(flat, episodes(log, subjects=wanted, refreshed=True))


def episodes(log: EventLog, *, subject: str | None = None, subjects: Sequence[str] | None = None,
             refreshed: bool = False) -> pl.DataFrame:
    """All episodes (refreshed first), in entry order then episode order."""
    if not refreshed:
        refresh(log)
    wanted = _subjects(subject, subjects)
    frame = log.query(f"SELECT * FROM episodes WHERE {_subject_filter(wanted)} "
                      "ORDER BY occurred_at, entry_id, episode", wanted or [])
    return frame.with_columns(pl.col("occurred_at").dt.convert_time_zone("UTC"))


def _subjects(subject: str | None, subjects: Sequence[str] | None) -> list[str] | None:
    if subject is not None:
        return [subject]
    return list(subjects) if subjects is not None else None


def _subject_filter(wanted: list[str] | None) -> str:
    if wanted is None:
        return "true"
    return "subject IN (" + ", ".join("?" for _ in wanted) + ")" if wanted else "false"
