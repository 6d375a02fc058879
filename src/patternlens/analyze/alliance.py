"""The alliance trend: how therapy reads in the journal week by week, and the scores the writer
logs after sessions (Session Rating Scale, Outcome Rating Scale; Duncan & Miller).

The weekly alliance index is ``1 - (rupture episodes / therapy episodes)`` for each week with a
therapy episode, smoothed by an exponentially weighted mean over those weeks (``SMOOTHING``: the
latest week weighs half) and carried through weeks without one. 1 means no strain was written
about, 0 that every therapy episode that week was a rupture. It reads the journal, not the
relationship: a week the writer did not write about therapy says nothing.
"""

from __future__ import annotations

import polars as pl

from patternlens.analyze.ruptures import NEGATIVE_THEMES, without_crisis
from patternlens.timezones import with_local_date

SMOOTHING = 0.5  # weight of the latest week in the smoothed index
SRS_STRAINED = 36.0  # SRS total below this: the session felt strained
ORS_CLINICAL = 25.0  # ORS total below this: clinical range (adult cutoff)
RELIABLE_CHANGE = 5.0  # ORS points of change that are more than noise
ITEMS = 4
ITEM_MAX = 10.0

WEEKLY_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "week": pl.Date(),
    "therapy_episodes": pl.UInt32(),
    "mean_intensity": pl.Float64(),
    "negative_share": pl.Float64(),
    "rupture_episodes": pl.UInt32(),
    "ruptures": pl.UInt32(),
    "repairs": pl.UInt32(),
    "alliance_raw": pl.Float64(),
    "alliance_index": pl.Float64(),
}
SESSION_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "date": pl.Date(),
    "srs_total": pl.Float64(),
    "ors_total": pl.Float64(),
    "strained": pl.Boolean(),
    "ors_clinical": pl.Boolean(),
    "ors_change": pl.Float64(),
    "reliable_change": pl.String(),
}


def weekly_alliance(episodes: pl.DataFrame, records: pl.DataFrame, *,
                    entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per writer and week (Monday), from the first to the last week with anything
    about therapy: therapy_episodes, mean_intensity and negative_share (over those episodes),
    rupture_episodes, ruptures and repairs (entries flagged so), alliance_raw and
    alliance_index (see the module doc). ``entries`` gives local dates (``timezone``).
    Crisis entries are left out."""
    episodes, records = without_crisis(episodes, records)
    return alliance_series(weekly_counts(episodes, records, entries=entries))


COUNT_COLUMNS = ["therapy_episodes", "mean_intensity", "negative_share", "rupture_episodes",
                 "ruptures", "repairs"]


def weekly_counts(episodes: pl.DataFrame, records: pl.DataFrame, *,
                  entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per writer and week with anything about therapy: the COUNT_COLUMNS. A week's row
    depends on that week's entries alone (crisis entries must already be left out)."""
    if "timezone" in records.columns and entries is None:
        entries = records.select("entry_id", "timezone")
    negative = pl.col("themes").list.set_intersection(list(NEGATIVE_THEMES)).list.len() > 0
    therapy = with_local_date(episodes.filter(pl.col("in_therapy")), entries)
    weekly_eps = therapy.group_by("subject", pl.col("date").dt.truncate("1w").alias("week")).agg(
        pl.len().alias("therapy_episodes"),
        pl.col("intensity").mean().alias("mean_intensity"),
        negative.mean().alias("negative_share"),
        pl.col("rupture").sum().alias("rupture_episodes"),
    )
    flagged = with_local_date(records.filter(pl.col("rupture") | pl.col("repair")), entries)
    weekly_flags = flagged.group_by("subject", pl.col("date").dt.truncate("1w").alias("week")).agg(
        pl.col("rupture").sum().alias("ruptures"), pl.col("repair").sum().alias("repairs"))
    weeks = pl.concat([weekly_eps.select("subject", "week"), weekly_flags.select("subject", "week")])
    return (
        weeks.unique()
        .join(weekly_eps, on=["subject", "week"], how="left")
        .join(weekly_flags, on=["subject", "week"], how="left")
        .with_columns(pl.col("therapy_episodes", "rupture_episodes", "ruptures", "repairs")
                      .fill_null(0).cast(pl.UInt32))
        .select("subject", "week", *COUNT_COLUMNS)
    )


def alliance_series(counts: pl.DataFrame) -> pl.DataFrame:
    """The weekly rows from ``weekly_counts``: every week from a writer's first to last,
    the raw and smoothed index."""
    if counts.is_empty():
        return pl.DataFrame(schema=WEEKLY_SCHEMA)
    span = counts.group_by("subject").agg(
        pl.date_ranges(pl.col("week").min(), pl.col("week").max(), "1w").first().alias("week"))
    out = (
        span.explode("week")
        .join(counts, on=["subject", "week"], how="left")
        .with_columns(pl.col("therapy_episodes", "rupture_episodes", "ruptures", "repairs")
                      .fill_null(0).cast(pl.UInt32))
        .sort("subject", "week")
        .with_columns(
            pl.when(pl.col("therapy_episodes") > 0)
            .then(1.0 - pl.col("rupture_episodes") / pl.col("therapy_episodes"))
            .alias("alliance_raw"))
    )
    smooth = (pl.col("alliance_raw").ewm_mean(alpha=SMOOTHING, adjust=False, ignore_nulls=True)
              .forward_fill().over("subject"))
    out = out.with_columns(smooth.alias("alliance_index"))
    return out.select(pl.col(k).cast(v) for k, v in WEEKLY_SCHEMA.items())


def _items(col: str) -> tuple[pl.Expr, pl.Expr]:
    """(this row's items are invalid, their total)."""
    items = pl.col(col).cast(pl.List(pl.Float64))
    bad = items.is_not_null() & (
        (items.list.len() != ITEMS)
        | items.list.eval(pl.element().is_null() | pl.element().is_nan()
                          | (pl.element() < 0) | (pl.element() > ITEM_MAX)).list.any()
    )
    return bad, items.list.sum()


def session_scores(sessions: pl.DataFrame) -> pl.DataFrame:
    """Totals and readings of logged SRS / ORS scores.

    ``sessions``: subject, date, srs and ors (each a list of 4 items scored 0-10, or null).
    Returns subject, date, srs_total, ors_total, strained (SRS total below 36), ors_clinical
    (ORS total below 25), ors_change (against the writer's first ORS) and reliable_change
    ("improved" at +5 or more, "deteriorated" at -5 or less, else null), oldest first.
    Raises ValueError naming the first session whose items are not 4 scores from 0 to 10.
    """
    frame = sessions.with_columns(
        *(pl.col(c) if c in sessions.columns else pl.lit(None, pl.List(pl.Float64)).alias(c)
          for c in ("srs", "ors")),
    )
    if frame.schema["date"] == pl.String:  # dates as SessionRated payloads carry them
        parsed = pl.col("date").str.to_date("%Y-%m-%d", strict=False)
        wrong = frame.with_row_index("_row").filter(parsed.is_null())
        if wrong.height:
            row = wrong.row(0, named=True)
            raise ValueError(f"session {row['_row'] + 1} ({row['subject']}): date "
                             f"{row['date']!r} is not a date like 2025-01-31")
        frame = frame.with_columns(parsed)
    srs_bad, srs_total = _items("srs")
    ors_bad, ors_total = _items("ors")
    bad = frame.with_row_index("_row").filter(srs_bad | ors_bad)
    if bad.height:
        row = bad.row(0, named=True)
        scale = "srs" if row["srs"] is not None and _invalid(row["srs"]) else "ors"
        raise ValueError(
            f"session {row['_row'] + 1} ({row['subject']}, {row['date']}): {scale.upper()} needs "
            f"{ITEMS} item scores from 0 to {ITEM_MAX:g}, got {row[scale]}")
    out = frame.sort("subject", "date", maintain_order=True).with_columns(
        srs_total.alias("srs_total"), ors_total.alias("ors_total"))
    first = pl.col("ors_total").drop_nulls().first().over("subject")
    change = pl.col("ors_total") - first
    out = out.with_columns(
        (pl.col("srs_total") < SRS_STRAINED).alias("strained"),
        (pl.col("ors_total") < ORS_CLINICAL).alias("ors_clinical"),
        change.alias("ors_change"),
    ).with_columns(
        pl.when(pl.col("ors_change") >= RELIABLE_CHANGE).then(pl.lit("improved"))
        .when(pl.col("ors_change") <= -RELIABLE_CHANGE).then(pl.lit("deteriorated"))
        .otherwise(pl.lit(None, pl.String)).alias("reliable_change"),
    )
    return out.select(pl.col(k).cast(v) for k, v in SESSION_SCHEMA.items())


def _invalid(items: list[float | None]) -> bool:
    return len(items) != ITEMS or any(
        v is None or v != v or not 0 <= v <= ITEM_MAX for v in items)
