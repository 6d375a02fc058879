"""The normalized entry every importer produces, and the problems it reports.

An importer turns one export file into a *raw* entry frame (``RAW_SCHEMA``): one row per
record it could split out, with ``position`` saying where in the file the record sits and
``problem`` set when the importer already knows the record is unusable (a date it cannot
parse, say). Records too broken to split out at all (a JSON line that does not parse) go
straight into the problem list. ``validate`` then applies the checks that are the same for
every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

# Columns of a normalized entry, as stored in EntryRecorded / EntryAmended payloads.
ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),  # whose journal; one store can hold many writers
    "source": pl.String(),  # the format: dayone, daylio, markdown, journey, jsonl, csv, text
    "source_ref": pl.String(),  # the record's id in its export (uuid, id, relative path#n)
    "occurred_at": pl.Datetime("us", "UTC"),
    "timezone": pl.String(),  # IANA name or a UTC offset like "+02:00"; null if unknown
    "title": pl.String(),
    "text": pl.String(),
    "tags": pl.List(pl.String()),
    "mood": pl.String(),  # mood as the app names it
    "mood_level": pl.Int8(),  # 1 (worst) .. 5 (best) when the app's scale is known
    "meta": pl.String(),  # JSON object: format-specific extras (starred, weather, activities)
}

# What an importer returns: entry columns plus where each record came from.
RAW_SCHEMA: dict[str, pl.DataType] = {
    **ENTRY_SCHEMA,
    "file": pl.String(),  # the file (or "archive.zip!member") the record came from
    "position": pl.String(),  # "line 12", "entry 3", "row 5", "heading at line 40"
    "problem": pl.String(),  # set by the importer when the record is already known bad
}

SOURCES = ("dayone", "daylio", "markdown", "journey", "jsonl", "csv", "text")

# Meta keys an importer takes from the export's file name, not from the record (Day One
# names its JSON after the journal; a second download is "Journal 2.json"). Renaming an
# export edits none of its entries, so re-imports compare entries without these keys.
FILE_META: dict[str, frozenset[str]] = {"dayone": frozenset({"journal"})}


@dataclass(frozen=True)
class Problem:
    """One record left out of an import, and why."""

    file: str
    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, {self.position}: {self.reason}"


@dataclass
class Parsed:
    """What reading one export (file, zip or folder) gave."""

    entries: pl.DataFrame  # RAW_SCHEMA
    problems: list[Problem] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)

    @classmethod
    def empty(cls) -> Parsed:
        return cls(entries=pl.DataFrame(schema=RAW_SCHEMA))

    def extend(self, other: Parsed) -> None:
        self.entries = pl.concat([self.entries, other.entries], how="vertical")
        self.problems.extend(other.problems)
        self.formats |= other.formats


def raw_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    """Build a RAW_SCHEMA frame from per-record dicts (small formats parse record by record).

    Missing keys become nulls; ``occurred_at`` may be an aware ``datetime``.
    """
    if not rows:
        return pl.DataFrame(schema=RAW_SCHEMA)
    rows = [{k: valid_text(v) for k, v in row.items()} for row in rows]
    df = pl.DataFrame(rows, schema_overrides=RAW_SCHEMA, infer_schema_length=None, strict=False)
    for name, dtype in RAW_SCHEMA.items():
        if name not in df.columns:
            df = df.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return df.select([pl.col(n).cast(t) for n, t in RAW_SCHEMA.items()])


def valid_text(value: object) -> object:
    """Strings Polars can hold: JSON escapes like "\\ud825" decode to lone surrogates, which
    are not text; they become U+FFFD instead of failing the whole file."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        return value
    if isinstance(value, list):
        return [valid_text(v) for v in value]
    return value


def display_path(path: Path) -> str:
    """How a file is named in messages: as the user gave it."""
    return str(path)
