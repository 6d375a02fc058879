"""The findings projection: every finding table, per writer, refreshed from a checkpoint.

Findings are computed per subject from the episode projection. A refresh recomputes only
the writers with events after the checkpoint (new entries, people, session scores); a new
extractor or analysis version rebuilds everything. Dismissed findings are kept in the
tables and filtered out when read, so a dismissal can be reviewed and the ids stay stable.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime

import duckdb
import polars as pl

from patternlens.analyze.alliance import session_scores, weekly_alliance
from patternlens.analyze.baselines import strong_reactions
from patternlens.analyze.breadcrumbs import breadcrumbs, finish_breadcrumbs
from patternlens.analyze.pervasiveness import pervasiveness, sort_keys
from patternlens.analyze.ruptures import rupture_ledger
from patternlens.analyze.safety import crisis_entries, exclude_crisis, red_flags
from patternlens.extract import EXTRACTOR_VERSION
from patternlens.project import appended
from patternlens.project import episodes as episode_projection
from patternlens.project.quotes import sentence_quotes, update_quotes
from patternlens.store.entries import current_entries
from patternlens.store.log import EventLog, registered
from patternlens.store.projection import Checkpoint, read_checkpoint, write_checkpoint
from patternlens.timezones import main_zones, with_local_date

NAME = "findings"
ANALYSIS_VERSION = "2"
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
    strong = with_local_date(strong_reactions(safe_eps, zones=main_zones(records)), records)
    # Quotes are widened for findings only: the strong table has a row for every episode.
    found_strong = strong.filter(pl.col("finding"))
    widened = sentence_quotes(found_strong, texts(found_strong["entry_id"].unique().to_list()))
    strong = update_quotes(strong, widened)
    crumbs, trails = finish_breadcrumbs(*breadcrumbs(safe_eps, strong.drop("date")), records)
    ledger, evidence = rupture_ledger(safe_eps, safe_records, entries=entries)
    evidence = evidence.rename({"id": "finding_id"})
    quoted = pl.concat([f.select("entry_id") for f in (trails, evidence, flags, crisis)])
    entries = texts(quoted["entry_id"].unique().to_list())
    return Findings(
        strong=strong, breadcrumbs=crumbs,
        trails=sentence_quotes(trails, entries), ruptures=ledger,
        rupture_evidence=sentence_quotes(evidence, entries),
        pervasiveness=pervasiveness(safe_eps),
        alliance=weekly_alliance(safe_eps, safe_records),
        sessions=session_scores(sessions), red_flags=sentence_quotes(flags, entries),
        crisis=sentence_quotes(crisis, entries),
    )


def _texts(entries: pl.DataFrame | Texts) -> Texts:
    if callable(entries):
        return entries
    frame = entries
    return lambda ids: frame.filter(pl.col("entry_id").is_in(list(ids)))


@dataclass(frozen=True)
class Refresh:
    subjects: int  # writers recomputed (whole or in part)
    full: bool
    last_seq: int
    partial: int = 0  # of them, writers updated in part (only new entries)


# Events that change no finding: a dismissal is applied when findings are read.
_NEUTRAL = ("FindingDismissed", "ImportCompleted")


@dataclass(frozen=True)
class Plan:
    """What a refresh has to do for each writer with news since the checkpoint."""

    whole: list[str]  # recompute from the whole journal
    appended: pl.DataFrame  # (subject, entry_id, occurred_at): writers whose only news is new entries
    texts: pl.DataFrame  # those entries (``current_entries``), from the events already read
    sessions: list[str]  # writers whose logged session scores are read again


def refresh(log: EventLog) -> Refresh:
    """Bring every finding table up to the end of the log."""
    episode_projection.refresh(log)
    head = log.max_seq()
    checkpoint = read_checkpoint(log, NAME)
    full = checkpoint is None or checkpoint.version != version()
    if not full and checkpoint is not None and checkpoint.last_seq >= head:
        return Refresh(0, False, head)
    plan = None if full or checkpoint is None else _plan(log, checkpoint.last_seq)
    written = partial = 0
    with log.transaction() as con:
        if plan is None or plan.whole:
            written += _recompute(log, con, None if plan is None else plan.whole)
        if plan is not None and not plan.appended.is_empty():
            appended.update(log, con, plan.appended, plan.texts)
            partial = plan.appended["subject"].n_unique()
            written += partial
        if plan is not None and plan.sessions:
            _write(con, "finding_sessions", session_scores(sessions(log, subjects=plan.sessions)),
                   replace=False, clear=plan.sessions)
        write_checkpoint(con, Checkpoint(NAME, head, version()))
    return Refresh(written, plan is None, head, partial)


def _recompute(log: EventLog, con: duckdb.DuckDBPyConnection, subjects: list[str] | None) -> int:
    """Every finding of these writers (all: None) from their whole journals, whole writers a
    chunk at a time as the episode projection does: bounded memory."""
    chunks = episode_projection.subject_chunks(log, subjects) or [[]]
    written = 0
    for i, chunk in enumerate(chunks):
        episodes = episode_projection.episodes(log, subjects=chunk, refreshed=True)
        records = episode_projection.flat_records(log, subjects=chunk)
        found = compute(episodes, records, sessions(log, subjects=chunk),
                        lambda ids: current_entries(log, entry_ids=ids))
        written += len(chunk)
        for name, frame in [*found.tables(), ("zones", main_zones(records))]:
            _write(con, f"finding_{name}", frame, replace=subjects is None and i == 0,
                   clear=subjects if i == 0 else None)
    return written


def _plan(log: EventLog, after_seq: int) -> Plan | None:
    """Sort the writers with events after ``after_seq``: those with only new entries (and
    session scores) are updated in part, as long as their journal was not re-extracted whole
    and their main time zone stayed; any other change recomputes the writer whole. None:
    rebuild everything."""
    events = log.events_frame(after_seq=after_seq).filter(~pl.col("event_type").is_in(_NEUTRAL))
    new_entry = (pl.col("event_type") == "EntryRecorded") & (pl.col("version") == 1)
    other = ~new_entry & (pl.col("event_type") != "SessionRated")
    rewritten = episode_projection.rewritten_since(log, after_seq)
    if rewritten is None:  # the episodes were rebuilt: so is every finding
        return None
    whole = set(events.filter(other)["subject"].to_list()) | rewritten
    news = (events.filter(new_entry, ~pl.col("subject").is_in(list(whole)))
            .select("subject", pl.col("stream_id").str.strip_prefix("entry-").alias("entry_id"),
                    "occurred_at"))
    moved = appended.zone_moved(log, news["subject"].unique().to_list())
    whole |= moved
    news = news.filter(~pl.col("subject").is_in(list(moved)))
    rated = events.filter(pl.col("event_type") == "SessionRated")["subject"].unique().to_list()
    subjects = set(events["subject"].to_list())
    texts = current_entries(log, entry_ids=news["entry_id"].to_list(), events=events)
    return Plan(whole=sorted(whole & subjects), appended=news, texts=texts,
                sessions=sorted(set(rated) - whole))


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, *, replace: bool,
           clear: Sequence[str] | None) -> None:
    """Write one chunk's rows: the first chunk of a rebuild replaces the table; an update
    first clears the rows of the writers it recomputes."""
    with registered(con, "finding_rows", frame):
        if replace:
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM finding_rows")
            return
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} AS SELECT * FROM finding_rows LIMIT 0")
        if clear:
            with registered(con, "cleared", pl.DataFrame({"subject": list(clear)},
                                                         schema={"subject": pl.String})):
                con.execute(f"DELETE FROM {table} WHERE subject IN (SELECT subject FROM cleared)")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM finding_rows")


# How each table is read back: rows written in parts by an update come out in the order a
# full rebuild gives (rowid keeps the order of rows written together, such as one entry's
# evidence).
ORDER = {
    "strong": "subject, occurred_at, entry_id, episode",
    "breadcrumbs": "subject, rank",
    "trails": "subject, (SELECT b.rank FROM finding_breadcrumbs b WHERE b.id = t.finding_id), "
              "occurred_at, entry_id, episode",
    "ruptures": "subject, CASE WHEN status = 'repaired' THEN 1 ELSE 0 END, started, first_entry",
    "rupture_evidence": "subject, date, entry_id, rowid",
    "pervasiveness": "subject, theme",
    "alliance": "subject, week",
    "sessions": "subject, date",
    "red_flags": "subject, date, entry_id",
    "crisis": "subject, date, entry_id",
}


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
        frame = log.query(f"SELECT * FROM finding_{name} t {where} ORDER BY {ORDER[name]}", params)
        if name == "pervasiveness":
            frame = frame.sort(sort_keys(), maintain_order=True)
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
