"""Extraction is a function of its input: same entries, same result, in any order and on
any run. Researchers rerun analyses, and a full rebuild must equal an incremental one."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

import patternlens
from patternlens.extract import extract

DEMO = Path(__file__).resolve().parents[1] / "data" / "samples" / "demo" / "Journal.json"


def _entries() -> pl.DataFrame:
    with patternlens.open(None) as lens:
        lens.import_paths([DEMO])
        return lens.entries().select("entry_id", "subject", "occurred_at", "title",
                                     pl.col("text").fill_null(""), "mood_level", "tags")


def test_same_input_same_output_every_run() -> None:
    entries = _entries()
    first = extract(entries)
    for _ in range(5):
        again = extract(entries)
        assert_frame_equal(again.entries, first.entries)
        assert_frame_equal(again.episodes, first.episodes)


def test_input_order_does_not_matter() -> None:
    entries = _entries()
    straight = extract(entries).entries.sort("entry_id")
    shuffled = extract(entries.sample(fraction=1.0, shuffle=True, seed=3)).entries.sort("entry_id")
    assert_frame_equal(shuffled, straight)
