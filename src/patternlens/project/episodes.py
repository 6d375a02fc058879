"""The episode projection: extraction results kept in the store, refreshed from the log.

Three tables in the store file: ``entry_records`` (one row per live entry), ``episodes``,
each row stamped with the extractor version, and ``name_evidence`` (what each entry tells
about who is who). A checkpoint (last sequence number and extractor version) says how far
they reflect the log. A refresh extracts only the entries changed by later events, reading
them with their journal's stored name evidence, as long as the names a writer's journal
teaches stay the same; a writer whose names changed (a new "my partner Sam", a declared
person) is re-extracted whole, because a name shapes the reading of every entry. A changed
extractor (code or lexicon) rebuilds everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from patternlens.extract import ENTRY_SCHEMA as RECORD_SCHEMA
from patternlens.extract import (
    EPISODE_SCHEMA,
    EXTRACTOR_VERSION,
    NAME_EVIDENCE_SCHEMA,
    extract,
    learned_names,
)
from patternlens.store.entries import current_entries
from patternlens.store.log import EventLog, registered
from patternlens.store.projection import Checkpoint, read_checkpoint, write_checkpoint

NAME = "episodes"
# The tables' own layout: a store written before name_evidence existed is rebuilt once.
LAYOUT = "2"
VERSION = f"{EXTRACTOR_VERSION}/layout-{LAYOUT}"
# Tables holding quotes of entry text: ``forget`` deletes an entry's rows from them.
TEXT_TABLES = (("entry_records", "entry_id"), ("episodes", "entry_id"), ("name_evidence", "entry_id"))

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
CREATE TABLE IF NOT EXISTS episode_rewrites (seq BIGINT, subject VARCHAR);
CREATE TABLE IF NOT EXISTS name_evidence (
    entry_id VARCHAR, subject VARCHAR, person VARCHAR, role VARCHAR, rank INTEGER,
    therapy_context BOOLEAN
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
    """Bring entry_records, episodes and name_evidence up to the end of the log."""
    ensure_tables(log)
    head = log.max_seq()
    checkpoint = read_checkpoint(log, NAME)
    full = checkpoint is None or checkpoint.version != VERSION
    if not full and checkpoint is not None and checkpoint.last_seq >= head:
        return Refresh(0, 0, False, head)

    declared = people(log)
    extracted = removed = 0
    with log.transaction() as con:
        if full:
            for table, _ in TEXT_TABLES:
                con.execute(f"DELETE FROM {table}")
            extracted = _extract_whole(log, con, None, declared)
            con.execute("INSERT INTO episode_rewrites VALUES (?, NULL)", [head])
        else:
            assert checkpoint is not None
            events = log.events_frame(after_seq=checkpoint.last_seq,
                                      types=(*_ENTRY_EVENTS, "PersonDeclared"))
            # a declared person changes the names of the writer's whole journal
            whole = set(events.filter(pl.col("event_type") == "PersonDeclared")["subject"].to_list())
            changed = (
                events.filter(pl.col("event_type") != "PersonDeclared", ~pl.col("subject").is_in(list(whole)))
                .group_by("stream_id", maintain_order=True)
                .agg(pl.col("subject").first(), (pl.col("version").min() == 1).alias("new"))
                .select("subject", pl.col("stream_id").str.strip_prefix("entry-").alias("entry_id"),
                        "new")
            )
            if not changed.is_empty():
                moved, extracted, removed = _extract_changed(log, con, changed, declared, events)
                whole |= moved
            if whole:
                subjects = sorted(whole)
                removed += _delete(con, "subject", subjects)
                extracted += _extract_whole(log, con, subjects, declared)
                con.executemany("INSERT INTO episode_rewrites VALUES (?, ?)",
                                [[head, s] for s in subjects])
        write_checkpoint(con, Checkpoint(NAME, head, VERSION))
    return Refresh(extracted, removed, full, head)


def rewritten_since(log: EventLog, seq: int) -> set[str] | None:
    """The writers whose journals were re-extracted whole by refreshes after ``seq`` (None:
    everyone, a full rebuild): every episode of theirs may have changed, not only new ones."""
    ensure_tables(log)
    rows = log.query("SELECT DISTINCT subject FROM episode_rewrites WHERE seq > ?", [seq])
    subjects = rows["subject"].to_list()
    return None if None in subjects else set(subjects)


def _extract_whole(log: EventLog, con: duckdb.DuckDBPyConnection, subjects: Sequence[str] | None,
                   declared: pl.DataFrame) -> int:
    """Extract whole journals a chunk at a time: memory stays bounded on a corpus of thousands
    of writers, and names learned in one entry still reach the writer's others."""
    extracted = 0
    for chunk in subject_chunks(log, subjects):
        records, episodes, evidence = build(current_entries(log, subjects=chunk), declared)
        _write(log, con, records, episodes, evidence)
        extracted += records.height
    return extracted


def _extract_changed(log: EventLog, con: duckdb.DuckDBPyConnection, changed: pl.DataFrame,
                     declared: pl.DataFrame, events: pl.DataFrame) -> tuple[set[str], int, int]:
    """Extract only the changed entries of each writer whose names stay the same; return the
    writers whose names changed (to be re-extracted whole), and the counts done here."""
    ids = changed["entry_id"].to_list()
    with registered(con, "changed", changed.select("subject").unique(), views=False):
        stored = log.query("SELECT * FROM name_evidence WHERE subject IN "
                           "(SELECT subject FROM changed)")
    stored = stored.select(list(NAME_EVIDENCE_SCHEMA)).cast(NAME_EVIDENCE_SCHEMA)  # type: ignore[arg-type]
    prior = stored.filter(~pl.col("entry_id").is_in(ids))
    # the events after the checkpoint hold each changed entry's latest version
    entries = current_entries(log, entry_ids=ids, events=events)
    records, episodes, evidence = build(entries, declared, prior)
    before = learned_names(stored, declared)
    after = learned_names(pl.concat([prior, evidence]), declared)
    moved = set(pl.concat([before.join(after, on=list(after.columns), how="anti", nulls_equal=True),
                           after.join(before, on=list(after.columns), how="anti", nulls_equal=True)])
                ["subject"].to_list())
    keep = changed.filter(~pl.col("subject").is_in(list(moved)))
    # an entry's first event: no rows of it yet
    removed = _delete(con, "entry_id", keep.filter(~pl.col("new"))["entry_id"].to_list())
    mine = pl.col("subject").is_in(keep["subject"].unique().to_list())
    _write(log, con, records.filter(mine), episodes.filter(mine), evidence.filter(mine))
    return moved, int(records.filter(mine).height), removed


def _delete(con: duckdb.DuckDBPyConnection, column: str, values: Sequence[str]) -> int:
    """Delete the rows of these writers or entries from every projection table; return how
    many entry records went."""
    if not values:
        return 0
    with registered(con, "gone", pl.DataFrame({"key": list(values)}, schema={"key": pl.String})):
        # a semi-join on a registered frame: a list parameter would be scanned once per row
        where = f"{column} IN (SELECT key FROM gone)"
        row = con.execute(f"SELECT count(*) FROM entry_records WHERE {where}").fetchone()
        for table, _ in TEXT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE {where}")
    return int(row[0]) if row else 0


def _write(log: EventLog, con: duckdb.DuckDBPyConnection, records: pl.DataFrame,
           episodes: pl.DataFrame, evidence: pl.DataFrame) -> None:
    log.write_table(con, "entry_records", records)
    log.write_table(con, "episodes", episodes)
    log.write_table(con, "name_evidence", evidence)


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


def build(entries: pl.DataFrame, people: pl.DataFrame, prior: pl.DataFrame | None = None
          ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Extract entries into (flat entry records, episodes, name evidence), the first two
    stamped with the version; ``prior`` is the name evidence of the writers' other entries."""
    result = extract(entries.select("entry_id", "subject", "occurred_at", "title",
                                    pl.col("text").fill_null(""), "mood_level", "tags"), people, prior)
    records = result.entries.join(
        entries.select("entry_id", "subject", "source_ref", "occurred_at", "timezone"),
        on="entry_id", how="left", maintain_order="left")
    records = records.select(
        "entry_id", "subject", "source_ref", "occurred_at", "timezone", *RECORD_COLUMNS[1:]
    ).with_columns(pl.lit(result.version).alias("extractor_version"))
    episodes = result.episodes.with_columns(pl.lit(result.version).alias("extractor_version"))
    return records, episodes, result.name_evidence


def as_of(log: EventLog, at: date, *, subject: str | None = None
          ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records, episodes) of the entries written up to ``at``: extracted afresh, with
    everything known now about who is who; nothing stored."""
    entries = current_entries(log, subject=subject, as_of=at)
    flat, episodes, _ = build(entries, people(log))
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
    return nest(flat_records(log, subjects=wanted), episodes(log, subjects=wanted, refreshed=True))


def flat_records(log: EventLog, *, subjects: Sequence[str] | None = None) -> pl.DataFrame:
    """The stored entry records without their episodes (no refresh)."""
    wanted = _subjects(None, subjects)
    flat = log.query("SELECT * FROM entry_records WHERE " + _subject_filter(wanted), wanted or [])
    return flat.with_columns(pl.col("occurred_at").dt.convert_time_zone("UTC"))


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
