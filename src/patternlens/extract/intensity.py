"""How strong each clause reads, 0-10.

The strongest asserted cue of a clause sets the base (VADER valences, 0-4); boosters and
absolutes, ALL-CAPS words and exclamation marks add VADER's increments; a sentence in which the
writer calls the trigger small ("I know it's tiny but I cried for hours") is lifted to at least
``disproportion_floor``. The sum is scaled to 0-10. An explicit rating in the sentence ("8/10",
"like a 9") replaces the wording.
"""

from __future__ import annotations

import re

import polars as pl

from patternlens.extract.lexicon import Lexicon
from patternlens.extract.segments import as_runs, dense

STRENGTH_KINDS = ("theme", "response", "emotion", "crisis", "strong")


def clause_intensity(
    clauses: pl.DataFrame, content: pl.DataFrame, markers: pl.DataFrame, lex: Lexicon
) -> pl.DataFrame:
    """Per clause: ``cid``, ``intensity`` (0-10), ``rated`` (an explicit rating decided it).

    ``content`` are assessed cue matches; ``markers`` the booster and disproportion matches;
    ``clauses`` must carry ``mixed_case`` (the entry is not written all in capitals).
    """
    k = lex.intensity
    n = clauses.height
    # narrow frames are filtered: a filter copies every column
    base = (
        as_runs(content.select("cid", "weight", "asserted", "kind")
                .filter(pl.col("asserted") & pl.col("kind").is_in(STRENGTH_KINDS)), "cid")
        .group_by("cid")
        .agg(pl.col("weight").max().alias("_base"))
    )
    kinds = markers.select("cid", "kind")
    boosts = kinds.filter(pl.col("kind") == "booster").group_by("cid").len("_boost")
    small = kinds.filter(pl.col("kind") == "disproportion").group_by("cid").len("_small")
    ignore = "|".join(re.escape(w) for w in sorted(lex.caps_ignore, key=lambda w: (-len(w), w)))
    raw = pl.col("raw")
    rating = pl.col("n").str.extract_groups(lex.rating_re)
    value = (
        pl.when(rating.struct.field("1").is_not_null())
        .then(
            rating.struct.field("1").cast(pl.Float64, strict=False)
            / rating.struct.field("2").cast(pl.Float64, strict=False)
            * 10
        )
        .otherwise(rating.struct.field("3").cast(pl.Float64, strict=False))
    )
    caps = raw.str.count_matches(r"\b[A-Z]{2,}\b").cast(pl.Int64) - raw.str.count_matches(
        r"\b(?:" + ignore + r")\b"
    ).cast(pl.Int64)
    # the costly regexes run only on the few clauses that can match them
    ratings = clauses.select("cid", "n").filter(pl.col("n").str.contains(r"[0-9]")).select(
        "cid", value.alias("_rating")
    )
    shouted = clauses.select("cid", "raw", "mixed_case").filter(
        pl.col("mixed_case") & raw.str.contains(r"[A-Z]{2}")).select(
        "cid", caps.clip(lower_bound=0).alias("_caps")
    )
    # clauses are in cid order (cid is the row index): per-clause values go in by index
    c = clauses.select(
        "cid", "mixed_case",
        raw.str.count_matches("!", literal=True).alias("_excl"),
        pl.col("sid").alias("_s"),
    ).with_columns(
        dense(n, ratings["cid"], ratings["_rating"]),
        dense(n, shouted["cid"], shouted["_caps"], 0),
        dense(n, base["cid"], base["_base"], 0.0),
        dense(n, boosts["cid"], boosts["_boost"], 0),
        dense(n, small["cid"], small["_small"], 0),
    )
    wording = (
        pl.col("_base")
        + k["booster"] * k["booster_weight"] * pl.col("_boost").clip(upper_bound=3)
        + pl.when(pl.col("mixed_case")).then(k["caps"] * pl.col("_caps").clip(upper_bound=3))
        .otherwise(0.0)
        + k["exclamation"] * pl.col("_excl").clip(upper_bound=k["max_exclamations"])
    )
    # sentences are contiguous runs of clauses, numbered 1, 2, ... in order: grouping on a
    # column flagged sorted takes the runs as groups instead of hashing (3x faster)
    per_sentence = c.with_columns(pl.col("_s").set_sorted()).group_by("_s").agg(
        (pl.col("_small").sum() > 0).alias("_small_s"),
        pl.when(pl.col("_rating") <= 10).then(pl.col("_rating")).max().alias("_rated"),
    ).sort("_s")
    at = c["_s"] - 1
    c = c.with_columns(per_sentence["_small_s"].gather(at), per_sentence["_rated"].gather(at))
    # the wording's score once, as a column: the lift below reads it twice
    c = c.with_columns(
        pl.when(pl.col("_base") > 0).then(k["scale"] * wording).otherwise(0.0).alias("_told"))
    told = pl.col("_told")
    disproportionate = pl.col("_small_s") & (pl.col("_base") > 0)
    told = pl.when(disproportionate).then(
        pl.max_horizontal(told + k["scale"] * k["disproportion"], pl.lit(k["disproportion_floor"]))
    ).otherwise(told)
    rated = pl.col("_rated")
    return c.select(
        "cid",
        pl.coalesce(rated, told).clip(0.0, 10.0).round(2).alias("intensity"),
        rated.is_not_null().alias("rated"),
    )
