"""Window operations over sorted, contiguous segments, without hashing into groups.

Rows sorted so that each segment (a clause, a sentence, an entry) is one contiguous run can be
scanned once: a segment id comes from comparing each row with the previous one, and a fill or
running maximum is cut at segment starts. This is much faster than ``.over()`` when there are
hundreds of thousands of small segments.

The same spirit replaces joins: values keyed by a dense index (``cid``, ``row``) are placed with
``dense``, values keyed by a sorted integer are found with ``lookup`` (binary search), and
several integer sort keys are packed into one (``packed``) when they fit in 63 bits.
"""

from __future__ import annotations

import polars as pl


def segment_id(*cols: str) -> pl.Expr:
    """0, 0, 1, 1, 1, 2, ...: a new id wherever any of ``cols`` changes (rows must be sorted)."""
    changed = pl.lit(False)
    for c in cols:
        changed = changed | (pl.col(c) != pl.col(c).shift(1)).fill_null(True)
    return changed.cast(pl.Int64).cum_sum()


def ffill_within(value: pl.Expr, seg: pl.Expr) -> pl.Expr:
    """Forward fill ``value`` without carrying it over from an earlier segment."""
    tag = pl.when(value.is_not_null()).then(seg)
    return pl.when(tag.forward_fill() == seg).then(value.forward_fill())


def bfill_within(value: pl.Expr, seg: pl.Expr) -> pl.Expr:
    """Backward fill ``value`` without carrying it over from a later segment."""
    tag = pl.when(value.is_not_null()).then(seg)
    return pl.when(tag.backward_fill() == seg).then(value.backward_fill())


def index_within(seg: pl.Expr) -> pl.Expr:
    """0, 1, 2, ... restarting at each segment."""
    idx = pl.int_range(pl.len(), dtype=pl.Int64)
    first = pl.when(seg != seg.shift(1).fill_null(-1)).then(idx).forward_fill()
    return idx - first


def prev_max_within(value: pl.Expr, seg: pl.Expr, bound: int) -> pl.Expr:
    """Maximum of ``value`` over the earlier rows of the segment (null for the first row).

    ``value`` must lie in ``[0, bound)``.
    """
    lifted = seg * bound + value
    prev = lifted.cum_max().shift(1)
    return pl.when(prev // bound == seg).then(prev - seg * bound)


def as_runs(frame: pl.DataFrame, key: str) -> pl.DataFrame:
    """``frame`` with ``key`` flagged sorted when it is: ``group_by(key)`` then takes the runs
    as groups instead of hashing them (about 3x faster on 200k rows)."""
    return frame.with_columns(pl.col(key).set_sorted()) if frame[key].is_sorted() else frame


def dense(n: int, at: pl.Series, values: pl.Series, fill: float | None = None) -> pl.Series:
    """``values`` placed at the (distinct) indexes ``at`` of a length-``n`` series, ``fill``
    elsewhere: per-clause results indexed by ``cid`` without a join."""
    out = pl.select(pl.repeat(pl.lit(fill, dtype=values.dtype), n).alias(values.name))
    return out.to_series().scatter(at, values)


def lookup(keys: pl.Series, queries: pl.Series) -> pl.Series:
    """Index of each query in ``keys`` (sorted ascending, distinct), null where it is absent:
    a left join by binary search, for gathering values in the queries' order."""
    if keys.len() == 0:
        return pl.repeat(None, queries.len(), dtype=pl.UInt32, eager=True)
    at = keys.search_sorted(queries, side="left").cast(pl.UInt32)
    inside = at.clip(upper_bound=keys.len() - 1)
    found = keys.gather(inside) == queries
    return pl.select(pl.when(found).then(inside)).to_series()


def packed(frame: pl.DataFrame, columns: list[pl.Expr]) -> tuple[pl.Expr, list[int]] | None:
    """The non-negative integer ``columns`` (most significant first) as one integer that sorts
    like them, and the bits each takes; None when they do not fit in 63 bits. One-column sorts
    are much faster than several."""
    if frame.height == 0:
        return None
    tops = frame.select(pl.struct(c.min().alias("lo"), c.max().alias("hi")).alias(str(i))
                        for i, c in enumerate(columns)).row(0)
    if any(t["lo"] is None or t["lo"] < 0 for t in tops):
        return None
    bits = [max(int(t["hi"]).bit_length(), 1) for t in tops]
    if sum(bits) > 63:
        return None
    key: pl.Expr = pl.lit(0, pl.UInt64)
    for c, width in zip(columns, bits, strict=True):
        key = key * (1 << width) + c.cast(pl.UInt64)
    return key, bits


def sort_packed(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """``frame`` sorted by integer ``columns``, through one packed key when they fit."""
    key = packed(frame, [pl.col(c) for c in columns])
    if key is None:
        return frame.sort(columns)
    return frame.with_columns(key[0].alias("_packed")).sort("_packed").drop("_packed")
