"""Helpers for the extractor tests: entry frames from plain strings, results as dicts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from patternlens.extract import Extraction, extract

START = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)


def entries_frame(
    texts: Sequence[str | None],
    titles: Sequence[str | None] | None = None,
    subject: str = "me",
) -> pl.DataFrame:
    n = len(texts)
    return pl.DataFrame(
        {
            "entry_id": [f"e{i}" for i in range(n)],
            "subject": [subject] * n,
            "occurred_at": [START + dt.timedelta(days=i) for i in range(n)],
            "title": list(titles) if titles is not None else [None] * n,
            "text": list(texts),
            "mood_level": [None] * n,
            "tags": [[] for _ in range(n)],
        },
        schema={
            "entry_id": pl.String, "subject": pl.String, "occurred_at": pl.Datetime("us", "UTC"),
            "title": pl.String, "text": pl.String, "mood_level": pl.Int8,
            "tags": pl.List(pl.String),
        },
    )


def people_frame(*rows: tuple[str, str, str]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["subject", "name", "role"], orient="row")


def entry(x: Extraction, i: int = 0) -> dict[str, Any]:
    """One entry summary as a dict."""
    return x.entries.row(i, named=True)


def episodes_of(x: Extraction, i: int = 0) -> list[dict[str, Any]]:
    return x.episodes.filter(pl.col("entry_id") == f"e{i}").to_dicts()


def run(*texts: str | None, people: pl.DataFrame | None = None,
        titles: Sequence[str | None] | None = None) -> Extraction:
    """Extract from entries with these texts (subject "me"), in order e0, e1, ..."""
    return extract(entries_frame(texts, titles), people)


def themes(x: Extraction, i: int = 0) -> list[str]:
    return list(entry(x, i)["themes"])


def analysed(text: str | None, title: str | None = None) -> str:
    """The text offsets point into: title + newline + text, or the text alone."""
    body = text or ""
    return f"{title}\n{body}" if title and title.strip() else body
