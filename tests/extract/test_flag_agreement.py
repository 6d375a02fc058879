"""An entry's rupture and repair flags and its episodes' agree: one verdict on settled
ruptures and undone repairs serves both.

The exact relation (summary.py): an entry's rupture is its episodes' ruptures, or a rupture
cue naming nobody in a therapy sentence or entry, or a red flag felt as a strain, unless the
entry is settled; its repair likewise, unless undone; its red flag is its episodes'. So an
episode's rupture or repair is always its entry's, and the red flags are equal; an entry may
have a rupture or repair no episode carries.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from extract_helpers import entries_frame, entry, episodes_of, run

from patternlens.extract import Extraction, extract
from patternlens.extract.episodes import settled_ruptures, undone_repairs
from patternlens.ingest.detect import read_path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "data" / "samples"
PASSAGES = ROOT / "tests" / "data" / "therapy_flags" / "passages.jsonl"

# the reviewer's entry: a theme of no one after "he was right" reopened the episodes' rupture
# but not the entry's, which had that theme removed
SETTLED_THEN_LOOSE_THEME = ('My therapist challenged me on the "I\'m fine" thing and said he '
                            "doesn't believe me. It stung a bit, but he was right. Then the "
                            "abuse stuff came up.")


def _disagreements(x: Extraction) -> list[str]:
    eps = x.episodes.group_by("entry_id").agg(
        pl.col("rupture").any().alias("_rupture"), pl.col("repair").any().alias("_repair"),
        pl.col("red_flag").any().alias("_red"))
    both = x.entries.join(eps, on="entry_id", how="left").with_columns(
        pl.col("_rupture", "_repair", "_red").fill_null(False))
    bad = both.filter((pl.col("_rupture") & ~pl.col("rupture"))
                      | (pl.col("_repair") & ~pl.col("repair"))
                      | (pl.col("_red") != pl.col("red_flag")))
    return bad["entry_id"].to_list()


def test_a_settled_challenge_is_no_rupture_for_the_entry_nor_its_episodes() -> None:
    x = run(SETTLED_THEN_LOOSE_THEME)
    assert not entry(x)["rupture"]
    assert not any(ep["rupture"] for ep in episodes_of(x))


@pytest.mark.parametrize("after", ["Then my sister called me stupid.",
                                   "Then my boss yelled at me and I shut down."])
def test_a_strain_with_someone_else_does_not_reopen_a_settled_challenge(after: str) -> None:
    x = run(f"My therapist said I was overreacting. Honestly she was right. {after}")
    assert not entry(x)["rupture"]
    assert not any(ep["rupture"] for ep in episodes_of(x))
    # the strain is still told, as the other person's episode
    assert any(ep["role"] != "therapist" and ep["themes"] for ep in episodes_of(x))


def test_a_strain_with_the_therapist_after_settling_is_still_a_rupture() -> None:
    x = run("My therapist said I was overreacting. Fair enough. But then she laughed at me "
            "and I shut down.")
    assert entry(x)["rupture"]
    assert any(ep["rupture"] for ep in episodes_of(x))


def _sample_texts() -> list[str]:
    texts = [SETTLED_THEN_LOOSE_THEME]
    for path in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        texts += [t for t in read_path(path, "me").entries["text"].to_list() if t]
    # the written passages of the dev split only (the test split is held out)
    dev = pl.read_ndjson(PASSAGES).filter(pl.col("split") == "dev")
    return texts + dev["text"].to_list()


def test_entries_and_episodes_agree_on_every_sample() -> None:
    texts = _sample_texts()
    assert len(texts) > 300
    x = extract(entries_frame(texts))
    # the relation is not empty on these texts: some entries and episodes do carry the flags
    assert x.episodes["rupture"].sum() > 10 and x.episodes["repair"].sum() > 5
    assert _disagreements(x) == []


def _tied(kinds: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One clause whose cues all sit at one offset, in the order given."""
    clauses = pl.DataFrame({"key": [100]}, schema={"key": pl.Int64})
    content = pl.DataFrame({
        "row": [0] * len(kinds), "cid": [0] * len(kinds), "pos": [5] * len(kinds),
        "kind": kinds, "label": ["x"] * len(kinds), "asserted": [True] * len(kinds),
        "key": ["therapist\x1f"] * len(kinds)},
        schema={"row": pl.UInt32, "cid": pl.UInt32, "pos": pl.Int64, "kind": pl.String,
                "label": pl.String, "asserted": pl.Boolean, "key": pl.String})
    return clauses, content


@pytest.mark.parametrize(("verdict", "kinds"), [
    (undone_repairs, ["repair", "repair_failed"]),
    (settled_ruptures, ["rupture", "rupture_settled"]),
    (settled_ruptures, ["theme", "rupture_settled"]),
])
def test_cues_at_one_offset_give_one_verdict_whatever_their_order(
        verdict: Callable[[pl.DataFrame, pl.DataFrame], pl.Series], kinds: list[str]) -> None:
    # the failed repair or the settling word has the last word, in either input order
    got = [verdict(*_tied(list(order))).to_list() for order in itertools.permutations(kinds)]
    assert got == [[0]] * len(got)
