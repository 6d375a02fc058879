"""Checks that are the same for every format, applied to a raw entry frame in one pass."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import polars as pl

from patternlens.ingest.model import ENTRY_SCHEMA, Parsed, Problem

MAX_TEXT_BYTES = 2 * 1024 * 1024  # a 2 MB entry is ~300,000 words: no longer a journal entry
_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# Clock skew and time zones can put a just-written entry slightly in the "future".
_FUTURE_SLACK = timedelta(days=2)

ACCEPTED_COLUMNS = [*ENTRY_SCHEMA, "file", "position"]


def validate(parsed: Parsed, now: datetime | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """Split a parse into entries that may land and problems, keeping file order.

    Returns a frame with ENTRY_SCHEMA columns plus ``file`` and ``position``.
    """
    latest = (now or datetime.now(UTC)) + _FUTURE_SLACK
    raw = parsed.entries.with_row_index("_row")
    text_bytes = pl.col("text").fill_null("").str.len_bytes()
    blank = pl.col("text").fill_null("").str.strip_chars() == ""
    reason = (
        pl.when(pl.col("problem").is_not_null()).then(pl.col("problem"))
        .when(pl.col("occurred_at").is_null()).then(pl.lit("missing date"))
        .when(pl.col("occurred_at") < _EARLIEST).then(
            pl.format("impossible date {}", pl.col("occurred_at").dt.date()))
        .when(pl.col("occurred_at") > latest).then(
            pl.format("date {} is in the future", pl.col("occurred_at").dt.date()))
        .when(blank & pl.col("mood").is_null()).then(pl.lit("empty entry (no text and no mood)"))
        .when(text_bytes > MAX_TEXT_BYTES).then(pl.format(
            "entry text is {} MB; entries over {} MB are left out",
            (text_bytes / 2**20).round(1), pl.lit(MAX_TEXT_BYTES // 2**20)))
        .otherwise(None)
    )
    checked = _fill_missing_refs(raw).with_columns(reason.alias("_reason"))
    bad = checked.filter(pl.col("_reason").is_not_null())
    good = checked.filter(pl.col("_reason").is_null())

    key = ["subject", "source", "source_ref"]
    # The same record seen twice (an export and its zip, say) is one record; the same id
    # with other content is a real conflict and is reported.
    repeated = good.select(pl.struct(key).is_duplicated()).to_series()
    if repeated.any():  # rare: compare whole records only among rows whose key repeats
        same = good.filter(repeated).select("_row", *key, "occurred_at", "title", "text")
        keep = same.unique([*key, "occurred_at", "title", "text"], keep="first",
                           maintain_order=True)["_row"]
        good = good.filter(~repeated | pl.col("_row").is_in(keep.implode()))
    first = pl.col("_row").min().over(key)
    dupes = good.filter(pl.col("_row") != first).join(
        good.group_by(key).agg(pl.col("position").first().alias("_first_position"),
                               pl.col("file").first().alias("_first_file")),
        on=key, how="left", maintain_order="left",
    )
    good = good.filter(pl.col("_row") == first)

    problems = list(parsed.problems) + [
        Problem(file=f or "?", position=p or "?", reason=r)
        for f, p, r in bad.select("file", "position", "_reason").iter_rows()
    ]
    problems += [
        Problem(file=f or "?", position=p or "?",
                reason=f"duplicate id {ref!r} with different content (first seen at {ff}, {fp})")
        for f, p, ref, ff, fp in dupes.select(
            "file", "position", "source_ref", "_first_file", "_first_position").iter_rows()
    ]
    problems.sort(key=lambda pr: (pr.file, _position_order(pr.position)))
    return good.sort("_row").select(ACCEPTED_COLUMNS), problems


def _fill_missing_refs(raw: pl.DataFrame) -> pl.DataFrame:
    """Give records without an id one from their content, so a re-import still matches."""
    missing = raw.filter(pl.col("source_ref").is_null())
    if missing.is_empty():
        return raw
    # Dates as Polars formats them: Python's datetime cannot hold every date a file may carry.
    keys = missing.select(pl.col("occurred_at").cast(pl.String), "text").iter_rows()
    refs = ["sha256:" + hashlib.sha256(f"{at}\x1f{text}".encode()).hexdigest()[:24] for at, text in keys]
    filled = missing.with_columns(pl.Series("source_ref", refs, dtype=pl.String))
    return raw.update(filled, on="_row")


def _position_order(position: str) -> tuple[str, int]:
    word, _, number = position.partition(" ")
    digits = "".join(ch for ch in number if ch.isdigit())
    return word, int(digits) if digits else 0
