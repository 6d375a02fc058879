"""Findings of writers whose only news is new entries, updated in part from the stored tables.

A new entry changes a bounded piece of each finding, so only that piece is recomputed, with
the same analysis functions a full rebuild uses, on just the rows they need:

- strong reactions: the rows of the new entries' days and of the ``window`` after them (a row
  depends on its own day and the window before it);
- breadcrumbs and trails: the themes of the entries whose strong rows were recomputed, from
  the episodes carrying those themes (read without their evidence); quotes already widened
  are kept. The rank is then redone over all of the writer's breadcrumbs;
- pervasiveness: counted again in SQL over the writer's episodes;
- rupture ledger: the timeline of therapy-related entries is read from ``entry_records``
  (an entry's flags include its episodes') and cut into events again; evidence is computed
  for the entries that join an event, relabelled for those whose event changed;
- alliance: the new entries' weeks counted again, the smoothed index redone over the
  stored weeks;
- red flags and crisis: the rows of the new entries.

A full rebuild gives the same tables (``tests/test_projection.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import duckdb
import polars as pl

from patternlens.analyze.alliance import COUNT_COLUMNS, alliance_series, weekly_counts
from patternlens.analyze.baselines import settings, strong_reactions, zone_day
from patternlens.analyze.breadcrumbs import breadcrumbs, finish_breadcrumbs, ranked
from patternlens.analyze.ids import finding_id
from patternlens.analyze.pervasiveness import ALL, counts, from_counts
from patternlens.analyze.ruptures import (
    GAP_DAYS,
    MARKER_KINDS,
    RENEWAL_DAYS,
    event_evidence,
    event_markers,
    event_members,
    ledger_rows,
    timeline,
)
from patternlens.analyze.safety import crisis_entries, red_flags
from patternlens.extract import EPISODE_SCHEMA
from patternlens.project.quotes import sentence_quotes, update_quotes
from patternlens.store.entries import current_entries
from patternlens.store.log import EventLog, registered
from patternlens.timezones import best_zones, with_local_date

EPISODE_COLUMNS = [c for c in EPISODE_SCHEMA if c != "extractor_version"]
# Crisis entries are never turned into patterns.
_SAFE = "e.entry_id NOT IN (SELECT entry_id FROM entry_records WHERE coalesce(crisis, false))"


def zone_moved(log: EventLog, subjects: Sequence[str]) -> set[str]:
    """The writers whose main zone differs from the one their findings were computed with
    (or who have no stored findings yet): their days moved, so they are recomputed whole."""
    if not subjects:
        return set()
    wanted = pl.DataFrame({"subject": list(subjects)}, schema={"subject": pl.String})
    with log.transaction() as con, _keys(con, "wanted", wanted):
        counts = log.query(
            "SELECT subject, timezone AS zone, count(*) AS n FROM entry_records "
            "WHERE subject IN (SELECT subject FROM wanted) AND timezone IS NOT NULL GROUP BY ALL")
        stored = _table(log, "finding_zones", "SELECT subject, zone FROM finding_zones "
                        "WHERE subject IN (SELECT subject FROM wanted)")
    now = best_zones(counts, wanted["subject"])
    if stored is None:
        return set(subjects)
    same = now.join(stored, on=["subject", "zone"], how="semi", nulls_equal=True)
    return set(subjects) - set(same["subject"].to_list())


def update(log: EventLog, con: duckdb.DuckDBPyConnection, news: pl.DataFrame,
           known: pl.DataFrame | None = None) -> None:
    """Update every finding table for the new entries in ``news`` (subject, entry_id,
    occurred_at); ``known``, the entries themselves when already at hand."""
    news = news.select("subject", "entry_id", "occurred_at").unique()
    # The span of the new entries' times lets DuckDB skip the row groups of other times.
    when = [news["occurred_at"].min(), news["occurred_at"].max()]
    span = "occurred_at BETWEEN ? AND ?" if None not in when else "? IS NULL OR ? IS NULL OR true"
    with _keys(con, "news", news), _keys(con, "subs", news.select("subject").unique()):
        records = _utc(log.query("SELECT * FROM entry_records WHERE entry_id IN "
                                 f"(SELECT entry_id FROM news) AND {span}", when))
        episodes = _utc(log.query("SELECT * FROM episodes WHERE entry_id IN (SELECT entry_id FROM "
                                  f"news) AND {span} ORDER BY occurred_at, entry_id, episode", when))
        zones = log.query("SELECT subject, zone FROM finding_zones WHERE subject IN "
                          "(SELECT subject FROM subs)")
        texts = _Texts(log, known)
        texts(news["entry_id"])  # most quotes are of the new entries
        _safety(con, texts, records, episodes)
        safe_records = records.filter(~pl.col("crisis").fill_null(False))
        safe = episodes.join(safe_records.select("entry_id"), on="entry_id", how="semi",
                             maintain_order="left")
        window = _Window.read(log, con, safe_records, zones)
        strong = _strong(con, texts, window, zones)
        _breadcrumbs(log, con, texts, strong)
        _pervasiveness(log, con, safe)
        _ruptures(log, con, texts, safe_records, episodes)
        _alliance(log, con, window, safe_records)


@dataclass(frozen=True)
class _Window:
    """Per writer, the safe entries and episodes from the ``window`` before the first new
    entry's day to the ``window`` after the last one: all a strong row of those days, and an
    alliance week of the new entries, depend on."""

    bounds: pl.DataFrame  # subject, lo, hi: the days whose strong rows are recomputed
    records: pl.DataFrame
    episodes: pl.DataFrame  # evidence only for the episodes from lo on

    @staticmethod
    def read(log: EventLog, con: duckdb.DuckDBPyConnection, new: pl.DataFrame,
             zones: pl.DataFrame) -> _Window:
        window = settings()["strong"]["window"]
        days = new.select("subject", zone_day(new, zones).alias("_day"))
        bounds = days.group_by("subject").agg(pl.col("_day").min().alias("lo"),
                                              pl.col("_day").max().dt.offset_by(window).alias("hi"))
        # UTC instants around the local days: a day starts at most 14 hours off UTC.
        utc = pl.Datetime("us", "UTC")
        read = bounds.with_columns(
            (pl.col("lo").dt.offset_by(f"-{window}").dt.offset_by("-2d")).cast(utc).alias("lo_at"),
            pl.col("lo").dt.offset_by("-2d").cast(utc).alias("rows_at"),
            pl.col("hi").dt.offset_by("2d").cast(utc).alias("hi_at"))
        columns = ", ".join(f'e."{c}"' for c in EPISODE_COLUMNS if c != "evidence")
        within = "JOIN bounds b ON {t}.subject = b.subject AND {t}.occurred_at >= b.lo_at " \
                 "AND {t}.occurred_at < b.hi_at"
        with _keys(con, "bounds", read):
            records = _utc(log.query(
                "SELECT r.entry_id, r.subject, r.occurred_at, r.timezone, r.rupture, r.repair, "
                f"r.in_therapy, r.crisis FROM entry_records r {within.format(t='r')}"))
            # Episodes before the rows' days serve as baseline alone: their evidence stays unread.
            eps = _utc(log.query(
                f"SELECT {columns}, CASE WHEN e.occurred_at >= b.rows_at THEN e.evidence END "
                f"AS evidence FROM episodes e {within.format(t='e')} "
                "ORDER BY e.occurred_at, e.entry_id, e.episode"))
        records = records.filter(~pl.col("crisis").fill_null(False))
        eps = eps.join(records.select("entry_id", "timezone"), on="entry_id", how="inner",
                       maintain_order="left")
        return _Window(bounds, records, eps)


class _Texts:
    """Entry texts for quotes, read once per refresh: each read of the log has a fixed cost."""

    def __init__(self, log: EventLog, known: pl.DataFrame | None = None) -> None:
        self.log = log
        self.frame: pl.DataFrame | None = known

    def __call__(self, ids: pl.Series) -> pl.DataFrame:
        have = self.frame["entry_id"] if self.frame is not None else pl.Series([], dtype=pl.String)
        wanted = ids.unique()
        missing = wanted.filter(~wanted.is_in(have.implode()))
        if not missing.is_empty():
            read = current_entries(self.log, entry_ids=missing.to_list())
            self.frame = read if self.frame is None else pl.concat([self.frame, read])
        assert self.frame is not None
        return self.frame.filter(pl.col("entry_id").is_in(ids.implode()))


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, key: str,
             keys: pl.Series | None = None) -> None:
    """Delete the rows whose ``key`` is among ``keys`` (default: the frame's own), then
    insert the frame."""
    gone = (frame[key] if keys is None else keys).unique()
    with _keys(con, "gone", pl.DataFrame({"key": gone}, schema={"key": pl.String})), \
            registered(con, "rows", frame):
        con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT key FROM gone)")
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")


def _safety(con: duckdb.DuckDBPyConnection, texts: _Texts, records: pl.DataFrame,
            episodes: pl.DataFrame) -> None:
    flagged = records.filter(pl.col("crisis") | pl.col("red_flag"))["entry_id"]
    if flagged.is_empty():
        return
    entries = texts(flagged)
    _replace(con, "finding_crisis",
             sentence_quotes(crisis_entries(records, episodes, entries=entries), entries), "entry_id")
    _replace(con, "finding_red_flags",
             sentence_quotes(red_flags(episodes, records, entries=entries), entries), "entry_id")


def _strong(con: duckdb.DuckDBPyConnection, texts: _Texts, window: _Window,
            zones: pl.DataFrame) -> pl.DataFrame:
    """Recompute the strong rows of the new entries' days and the window after them; return
    the recomputed rows."""
    rows = strong_reactions(window.episodes, zones=zones, days=window.bounds)
    rows = with_local_date(rows, window.records)
    found = rows.filter(pl.col("finding"))
    rows = update_quotes(rows, sentence_quotes(found, texts(found["entry_id"])))
    _replace(con, "finding_strong", rows, "id")
    return rows


def _breadcrumbs(log: EventLog, con: duckdb.DuckDBPyConnection, texts: _Texts,
                 strong: pl.DataFrame) -> None:
    """Recompute the breadcrumbs of the themes the recomputed strong rows' entries carry."""
    b = settings()["breadcrumb"]
    positive = settings()["minor"]["positive_themes"]
    touched = (strong.select("subject", "themes").explode("themes").drop_nulls()
               .filter(~pl.col("themes").is_in(positive)).unique()
               .group_by("subject").agg(pl.col("themes")))
    if touched.is_empty():
        return
    narrow = ("e.subject, e.entry_id, e.episode, e.occurred_at, e.role, e.person, e.intensity, "
              "e.past, e.in_therapy, e.themes")
    roles = ", ".join(f"'{r}'" for r in b["therapy_roles"])
    therapy = f"(e.role IN ({roles}) OR coalesce(e.in_therapy, false))"
    theirs = ("FROM episodes e JOIN touched t ON e.subject = t.subject "
              f"AND list_has_any(e.themes, t.themes) WHERE {_SAFE}")
    # Moments first: the therapy episodes of sessions that tell of a touched theme (one
    # session told over several clauses), and those of them that are strong.
    with _keys(con, "touched", touched):
        moments = _utc(log.query(
            f"SELECT {narrow} FROM episodes e WHERE {therapy} AND e.entry_id IN "
            f"(SELECT e.entry_id {theirs} AND {therapy})"))
    with _keys(con, "cand", moments.select("entry_id", "episode")):
        verdicts = log.query(
            "SELECT s.subject, s.entry_id, s.episode, s.strong_for_writer, s.out_of_proportion, "
            "s.reason, s.quote FROM finding_strong s JOIN cand c ON s.entry_id = c.entry_id "
            "AND s.episode = c.episode WHERE s.strong_for_writer OR s.out_of_proportion")
    cands = moments.clear()
    if not verdicts.is_empty():  # else no touched theme can be a breadcrumb
        with _keys(con, "touched", touched):
            cands = _utc(log.query(f"SELECT {narrow} {theirs}"))
        cands = pl.concat([cands, moments]).unique(["entry_id", "episode"], keep="first")
    pairs = touched.explode("themes").rename({"themes": "theme"})
    ids = pairs.with_columns(pl.Series(
        "finding_id", [finding_id("breadcrumb", s, t) for s, t in pairs.iter_rows()], pl.String))
    with _keys(con, "ids", ids):
        kept = log.query("SELECT finding_id, entry_id, episode, quote FROM finding_trails "
                         "WHERE finding_id IN (SELECT finding_id FROM ids)")
    found, trail = breadcrumbs(cands, verdicts, evidence=lambda k: _evidence(log, con, k))
    found = found.join(pairs, on=["subject", "theme"], how="semi")
    trail = trail.filter(pl.col("breadcrumb").is_in(found["id"].implode()))
    with _keys(con, "cand", cands.select("entry_id").unique()):
        zones = log.query("SELECT entry_id, timezone FROM entry_records WHERE entry_id IN "
                          "(SELECT entry_id FROM cand)")
    found, trail = finish_breadcrumbs(found, trail, zones)
    # Quotes already widened stay; only new trail rows are widened.
    key = ["finding_id", "entry_id", "episode"]
    trail = trail.join(kept.rename({"quote": "_kept"}), on=key, how="left", maintain_order="left")
    fresh = trail.filter(pl.col("_kept").is_null())
    widened = sentence_quotes(fresh.select(*key, "quote"), texts(fresh["entry_id"]))
    trail = (trail.join(widened.rename({"quote": "_wide"}), on=key, how="left", maintain_order="left")
             .with_columns(pl.coalesce("_kept", "_wide").alias("quote")).drop("_kept", "_wide"))
    _replace(con, "finding_trails", trail, "finding_id", ids["finding_id"])
    with _keys(con, "ids", ids), _keys(con, "touched", touched):
        others = log.query(
            "SELECT * FROM finding_breadcrumbs WHERE subject IN (SELECT subject FROM touched) "
            "AND id NOT IN (SELECT finding_id FROM ids)")
    merged = ranked(pl.concat([others, found.select(others.columns)], how="vertical_relaxed"))
    _replace(con, "finding_breadcrumbs", merged.cast(others.schema), "subject", touched["subject"])


def _evidence(log: EventLog, con: duckdb.DuckDBPyConnection, keys: pl.DataFrame) -> pl.DataFrame:
    with _keys(con, "wanted_eps", keys):
        return log.query("SELECT e.subject, e.entry_id, e.episode, e.evidence FROM episodes e "
                         "JOIN wanted_eps w ON e.entry_id = w.entry_id AND e.episode = w.episode")


def _pervasiveness(log: EventLog, con: duckdb.DuckDBPyConnection, safe: pl.DataFrame) -> None:
    """Add the new episodes' counts to the stored ones. A writer with no stored row has told
    no theme yet, so the table holds none of their totals: theirs are counted in SQL."""
    stored = log.query("SELECT * FROM finding_pervasiveness WHERE subject IN "
                       "(SELECT subject FROM subs)")
    subjects = log.query("SELECT subject FROM subs")["subject"]
    bare = subjects.filter(~subjects.is_in(stored["subject"].unique().implode()))
    totals, hits = counts(safe.filter(~pl.col("subject").is_in(bare.implode())))
    totals = pl.concat([stored.select("subject", "role", "episodes_total").unique(), totals])
    hits = pl.concat([stored.filter(pl.col("episodes_with_theme") > 0)
                      .select("subject", "role", "theme", "episodes_with_theme"), hits])
    totals = totals.group_by("subject", "role").agg(pl.col("episodes_total").sum())
    hits = hits.group_by("subject", "role", "theme").agg(pl.col("episodes_with_theme").sum())
    if not bare.is_empty():
        with _keys(con, "bare", bare.to_frame("subject")):
            more = _sql_counts(log, "bare")
        totals, hits = pl.concat([totals, more[0]]), pl.concat([hits, more[1]])
    _replace(con, "finding_pervasiveness", from_counts(totals, hits), "subject", subjects)


def _sql_counts(log: EventLog, subjects: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``pervasiveness.counts`` in SQL, for the writers in the registered frame ``subjects``."""
    stacked = (
        "WITH eps AS (SELECT e.subject, e.role, list_distinct(coalesce(e.themes, [])) AS themes "
        f"FROM episodes e WHERE e.subject IN (SELECT subject FROM {subjects}) AND {_SAFE}), "
        f"stacked AS (SELECT subject, '{ALL}' AS role, themes FROM eps UNION ALL "
        "SELECT subject, role, themes FROM eps WHERE role IS NOT NULL) ")
    totals = log.query(stacked + "SELECT subject, role, count(*)::UINTEGER AS episodes_total "
                       "FROM stacked GROUP BY ALL")
    hits = log.query(stacked + "SELECT subject, role, theme, count(*)::UINTEGER AS "
                     "episodes_with_theme FROM (SELECT subject, role, unnest(themes) AS theme "
                     "FROM stacked) WHERE theme IS NOT NULL GROUP BY ALL")
    return totals, hits


# what puts an entry_records row (alias r) on the therapy timeline
_IN_TIMELINE = "NOT coalesce(r.crisis, false) AND (r.rupture OR r.repair OR r.in_therapy)"


def _ruptures(log: EventLog, con: duckdb.DuckDBPyConnection, texts: _Texts,
              records: pl.DataFrame, new: pl.DataFrame) -> None:
    """Cut the tail of each touched writer's therapy timeline into events again; compute
    evidence only for entries new to an event, relabel the entries whose event changed.

    The tail starts at the first entry of the writer's last stored event that started more
    than RENEWAL_DAYS before the first new entry: a new entry changes whether a repair holds
    only within RENEWAL_DAYS before it, and a gap only right after it, so every event
    boundary before that point stays, and that event starts where it did. It ends where the
    timeline resumes after a long silence past the last new entry (``_ends``)."""
    cuts = _cuts(log, con, records)
    ends = _ends(log, con, records)
    flags = "coalesce(r.rupture, false) AS rupture, coalesce(r.repair, false) AS repair, " \
            "coalesce(r.in_therapy, false) AS in_therapy"
    with _keys(con, "cuts", cuts), _keys(con, "ends", ends):
        recs = _utc(log.query(
            f"SELECT r.entry_id, r.subject, r.occurred_at, {flags}, r.timezone FROM entry_records r "
            "LEFT JOIN cuts c ON c.subject = r.subject LEFT JOIN ends e ON e.subject = r.subject "
            f"WHERE r.subject IN (SELECT subject FROM subs) AND {_IN_TIMELINE} "
            "AND (c.cut_at IS NULL OR r.occurred_at >= c.cut_at) "
            "AND (e.end_at IS NULL OR r.occurred_at < e.end_at)"))
    # the same instant as the cut entry: only from it on, in timeline order
    tail = recs.join(cuts, on="subject", how="left").filter(
        pl.col("cut_at").is_null() | (pl.col("occurred_at") > pl.col("cut_at"))
        | (pl.col("entry_id") >= pl.col("first_entry"))).select(recs.columns)
    no_eps = tail.drop("timezone").clear()
    members = event_members(timeline(no_eps, tail, None))
    now = members.select("entry_id", "id")
    with _keys(con, "tail", tail.select("entry_id")):
        stored = log.query("SELECT DISTINCT entry_id, finding_id FROM finding_rupture_evidence "
                           "WHERE entry_id IN (SELECT entry_id FROM tail)")
    diff = (now.join(stored, on="entry_id", how="full", coalesce=True)
            .filter(pl.col("id").ne_missing(pl.col("finding_id"))))
    joined = members.join(diff.filter(pl.col("finding_id").is_null()), on="entry_id", how="semi")
    gone = diff.filter(pl.col("id").is_null())
    relabel = diff.filter(pl.col("id").is_not_null(), pl.col("finding_id").is_not_null())
    with _keys(con, "gone", gone), _keys(con, "relabel", relabel):
        con.execute("DELETE FROM finding_rupture_evidence WHERE entry_id IN "
                    "(SELECT entry_id FROM gone)")
        con.execute("UPDATE finding_rupture_evidence SET finding_id = m.id FROM relabel m "
                    "WHERE finding_rupture_evidence.entry_id = m.entry_id")
    if not joined.is_empty():
        # Mostly new entries, whose episodes are at hand; older ones that join an event are read.
        cols = ["entry_id", "rupture", "repair", "start", "end", "evidence"]
        eps = new.join(joined, on="entry_id", how="semi").select(cols)
        older = joined.join(records, on="entry_id", how="anti").select("entry_id", "occurred_at")
        if not older.is_empty():
            when = [older["occurred_at"].min(), older["occurred_at"].max()]
            with _keys(con, "joined", older):
                more = log.query("SELECT entry_id, rupture, repair, \"start\", \"end\", evidence "
                                 "FROM episodes WHERE entry_id IN (SELECT entry_id FROM joined) "
                                 "AND occurred_at BETWEEN ? AND ?", when)
            eps = pl.concat([eps, more])
        entries = texts(joined["entry_id"])
        evidence = sentence_quotes(event_evidence(eps, joined, entries), entries)
        with registered(con, "rows", evidence.rename({"id": "finding_id"})):
            con.execute("INSERT INTO finding_rupture_evidence BY NAME SELECT * FROM rows")
    kinds = ", ".join(f"'{k}'" for k in MARKER_KINDS)
    with _keys(con, "now", now):
        markers = log.query("SELECT DISTINCT finding_id AS id, kind FROM finding_rupture_evidence "
                            f"WHERE finding_id IN (SELECT id FROM now) AND kind IN ({kinds})")
    # the events that start in the tail are recomputed; those before it stay as stored
    _replace(con, "finding_ruptures", ledger_rows(members, event_markers(markers)), "first_entry",
             tail["entry_id"])


def _cuts(log: EventLog, con: duckdb.DuckDBPyConnection, new: pl.DataFrame) -> pl.DataFrame:
    """Per writer with a stored event old enough (see ``_ruptures``): subject, first_entry,
    cut_at (its time). ``new``: the new entries' records."""
    first = (with_local_date(new.select("subject", "entry_id", "occurred_at", "timezone"))
             .group_by("subject").agg(pl.col("date").min().alias("first_new")))
    # a day of slack either side: the dates are each entry's own local day
    before = pl.col("first_new").dt.offset_by(f"-{RENEWAL_DAYS + 2}d")
    with _keys(con, "firsts", first.with_columns(before.alias("before"))):
        events = log.query(
            "SELECT l.subject, l.first_entry, l.started FROM finding_ruptures l JOIN firsts f "
            "ON f.subject = l.subject WHERE l.started <= f.before")
    last = (events.sort("subject", "started", "first_entry")
            .group_by("subject", maintain_order=True).last())
    with _keys(con, "firsts", last.select("first_entry")):
        at = _utc(log.query("SELECT entry_id AS first_entry, occurred_at FROM entry_records "
                            "WHERE entry_id IN (SELECT first_entry FROM firsts)"))
    at = at.rename({"occurred_at": "cut_at"})
    return last.join(at, on="first_entry", how="inner").select("subject", "first_entry", "cut_at")


def _ends(log: EventLog, con: duckdb.DuckDBPyConnection, new: pl.DataFrame) -> pl.DataFrame:
    """Per writer whose timeline resumes more than GAP_DAYS (+3) after the last new entry: subject,
    end_at (when it resumes). That gap parts two events with or without the new entries, and
    a repair before it holds either way (RENEWAL_DAYS < GAP_DAYS), so every event from end_at
    on stays as stored: a backdated export re-cuts its own stretch, not the journal after it.
    ``new``: the new entries' records."""
    last = new.group_by("subject").agg(pl.col("occurred_at").max().alias("last_new"))
    with _keys(con, "lasts", last):
        resumed = log.query(
            "SELECT r.subject, min(r.occurred_at) AS end_at, any_value(l.last_new) AS last_new "
            "FROM entry_records r JOIN lasts l ON l.subject = r.subject "
            f"WHERE r.occurred_at > l.last_new AND {_IN_TIMELINE} GROUP BY r.subject")
    # Gaps are counted in local days, and two entries' zones can lie 28 hours apart (UTC-12
    # to UTC+14): an instant gap of GAP_DAYS days and 52 hours may be GAP_DAYS local days.
    gap = pl.duration(days=GAP_DAYS + 3)
    return resumed.filter(pl.col("end_at") - pl.col("last_new") > gap).select("subject", "end_at")


def _alliance(log: EventLog, con: duckdb.DuckDBPyConnection, window: _Window,
              new: pl.DataFrame) -> None:
    """Count the new entries' weeks again; redo the smoothed index over the stored weeks."""
    weeks = (with_local_date(new.select("subject", "entry_id", "occurred_at", "timezone"))
             .select("subject", pl.col("date").dt.truncate("1w").alias("week")).unique())
    if weeks.is_empty():
        return
    counts = weekly_counts(window.episodes, window.records).join(weeks, on=["subject", "week"],
                                                                 how="semi")
    nonempty = "therapy_episodes > 0 OR ruptures > 0 OR repairs > 0"
    with _keys(con, "weeks", weeks):
        stored = log.query(
            f"SELECT subject, week, {', '.join(COUNT_COLUMNS)} FROM finding_alliance a "
            f"WHERE subject IN (SELECT subject FROM subs) AND ({nonempty}) AND NOT EXISTS "
            "(SELECT 1 FROM weeks w WHERE w.subject = a.subject AND w.week = a.week)")
    series = alliance_series(pl.concat([stored, counts.select(stored.columns)],
                                       how="vertical_relaxed"))
    _replace(con, "finding_alliance", series, "subject", log.query("SELECT subject FROM subs")["subject"])


def _keys(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame
          ) -> AbstractContextManager[None]:
    return registered(con, name, frame, views=False)


def _utc(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col("occurred_at").dt.convert_time_zone("UTC"))


def _table(log: EventLog, name: str, sql: str) -> pl.DataFrame | None:
    exists = log.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = ?", [name])
    return log.query(sql) if exists["n"][0] else None
