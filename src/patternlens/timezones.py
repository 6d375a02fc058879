"""Calendar dates in the writer's own time zone: a journal's day is local, not UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

import polars as pl


@lru_cache(maxsize=1024)
def valid_zone(zone: str) -> bool:
    probe = pl.Series([datetime(2025, 1, 1, tzinfo=UTC)])
    try:
        probe.dt.convert_time_zone(zone)
    except Exception:  # polars raises ComputeError or others for unknown zones
        return False
    return True


def with_local_date(frame: pl.DataFrame, entries: pl.DataFrame | None = None,
                    name: str = "date") -> pl.DataFrame:
    """Add ``name``: the calendar date of ``occurred_at`` in the entry's own time zone.

    The zone comes from a ``timezone`` column of ``frame``, else from ``entries`` (joined on
    entry_id); an unknown or missing zone counts as UTC. A Date column ``name`` already there
    is kept as it is.
    """
    if name in frame.columns and frame.schema[name] == pl.Date:
        return frame
    at = pl.col("occurred_at")
    dtype = frame.schema["occurred_at"]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is None:
        at = at.dt.replace_time_zone("UTC")
    at = at.dt.convert_time_zone("UTC")
    zone: pl.Series | None = None
    if "timezone" in frame.columns:
        zone = frame["timezone"]
    elif entries is not None and "timezone" in entries.columns and "entry_id" in frame.columns:
        keys = frame.select("entry_id")
        zones = (entries.select("entry_id", "timezone").join(keys, on="entry_id", how="semi")
                 .unique("entry_id", keep="last"))
        zone = keys.join(zones, on="entry_id", how="left", maintain_order="left")["timezone"]
    expr = at.dt.date()
    if zone is not None:
        tz = pl.lit(zone.cast(pl.String))
        # one conversion per distinct zone: a writer has one or a few
        for z in zone.drop_nulls().unique().sort().to_list():
            if z != "UTC" and valid_zone(z):
                expr = pl.when(tz == z).then(at.dt.convert_time_zone(z).dt.date()).otherwise(expr)
    return frame.with_columns(expr.alias(name))


def main_zones(records: pl.DataFrame) -> pl.DataFrame:
    """Per writer (subject, zone): the zone most of their entries were written in, the first
    by name on a tie; where the writer's day ends for baselines. Null (UTC) when no entry
    carries a zone, or the most used one is not a zone this machine knows."""
    zoned = records.select("subject", pl.col("timezone") if "timezone" in records.columns
                           else pl.lit(None, pl.String).alias("timezone"))
    counts = (zoned.filter(pl.col("timezone").is_not_null())
              .group_by("subject", pl.col("timezone").alias("zone")).agg(pl.len().alias("n")))
    return best_zones(counts, zoned["subject"].unique())


def best_zones(counts: pl.DataFrame, subjects: pl.Series) -> pl.DataFrame:
    """``main_zones`` from counts of entries per (subject, zone, n)."""
    best = (counts.sort("subject", "n", "zone", descending=[False, True, False])
            .group_by("subject", maintain_order=True).first().select("subject", "zone"))
    valid = [z for z in best["zone"].unique().to_list() if valid_zone(z)]
    best = best.with_columns(pl.when(pl.col("zone").is_in(valid)).then("zone").alias("zone"))
    everyone = pl.DataFrame({"subject": subjects.unique().sort()}, schema={"subject": pl.String})
    return everyone.join(best, on="subject", how="left", maintain_order="left").cast(
        {"zone": pl.String})
