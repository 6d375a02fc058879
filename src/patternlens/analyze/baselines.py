"""Strong reactions: episodes strong for this writer, or out of proportion to their trigger.

Each writer is measured against their own rolling baseline: the median and MAD of the
intensity of their episodes in the ``window`` (8 weeks) before the episode's day, that day
excluded, so several episodes told the same day never raise their own bar. Episodes with
intensity 0 (no feeling worded) carry no reading and stay out of the baseline; ``history`` is
the number of readings in the window. An episode is
``strong_for_writer`` when its intensity is at least ``absolute`` (7/10), or when its robust
z-score ``(intensity - median) / spread`` is at least ``z`` with ``min_history`` episodes in
the window (and the intensity at least ``z_min_intensity``). ``spread`` is MAD * 1.4826 (the
normal-consistent scale), floored at ``min_spread``.

``out_of_proportion`` is true when the writer says so (the extractor found "disproportion"
evidence: "I know it's small but...") or when the episode is strong while its trigger is minor.
Minor means: the episode carries no theme other than the mild ones (``mild_themes``), and it
is not a positive episode (no positive theme, and at least one response or emotion that is not
a positive feeling). Numbers and label groups live in ``settings.toml``.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

from patternlens.analyze.ids import with_finding_ids

QUOTE_MAX = 200
# Which evidence best shows why an episode is strong, best first.
_QUOTE_KINDS = ["disproportion", "rating", "theme", "emotion", "response", "booster"]

STRONG_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "entry_id": pl.String(),
    "episode": pl.Int64(),
    "occurred_at": pl.Datetime("us", "UTC"),
    "role": pl.String(),
    "person": pl.String(),
    "themes": pl.List(pl.String()),
    "intensity": pl.Float64(),
    "baseline": pl.Float64(),
    "spread": pl.Float64(),
    "history": pl.UInt32(),
    "z": pl.Float64(),
    "strong_for_writer": pl.Boolean(),
    "out_of_proportion": pl.Boolean(),
    "finding": pl.Boolean(),
    "reason": pl.String(),
    "quote": pl.String(),
}


@cache
def settings() -> dict[str, Any]:
    """The analysis settings (``patternlens/analyze/settings.toml``)."""
    text = (resources.files("patternlens.analyze") / "settings.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def role_rank(role: pl.Expr) -> pl.Expr:
    """Position of a role in the taxonomy order (unknown roles after, then by name)."""
    order: list[str] = settings()["role_order"]
    return role.replace_strict(order, list(range(len(order))), default=len(order),
                               return_dtype=pl.Int64)


def best_quote(evidence: pl.DataFrame, kinds: list[str]) -> pl.DataFrame:
    """Per ``_row`` of ``evidence`` (columns _row, kind, label, quote, start): the quote of the
    first kind in ``kinds`` found, else the earliest evidence; cut to QUOTE_MAX characters."""
    rank = pl.col("kind").replace_strict(kinds, list(range(len(kinds))), default=len(kinds),
                                         return_dtype=pl.Int64)
    return (
        evidence.filter(pl.col("quote").is_not_null() & (pl.col("quote") != ""))
        .sort("_row", rank, "start", maintain_order=True)
        .group_by("_row", maintain_order=True)
        .agg(pl.col("quote").first())
        .with_columns(pl.col("quote").str.slice(0, QUOTE_MAX))
    )


def _number(expr: pl.Expr) -> pl.Expr:
    """5.0 -> "5", 6.25 -> "6.3": how a person writes a score."""
    return expr.round(1).cast(pl.String).str.strip_suffix(".0")


def zone_day(frame: pl.DataFrame, zones: pl.DataFrame | None, time_zone: str = "UTC") -> pl.Expr:
    """The day of ``occurred_at`` in each writer's zone (``zones``: subject, zone), else in
    ``time_zone``: one conversion per distinct zone, a corpus has a few."""
    at = pl.col("occurred_at")
    expr = at.dt.convert_time_zone(time_zone).dt.date()
    if zones is None or zones.is_empty():
        return expr
    zone = frame.select("subject").join(zones, on="subject", how="left",
                                        maintain_order="left")["zone"]
    for z in zone.drop_nulls().unique().sort().to_list():
        expr = pl.when(pl.lit(zone) == z).then(at.dt.convert_time_zone(z).dt.date()).otherwise(expr)
    return expr


def strong_reactions(episodes: pl.DataFrame, *, time_zone: str = "UTC",
                     zones: pl.DataFrame | None = None,
                     days: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per episode with its baseline, z-score, the two verdicts and a reason.

    Rows where ``finding`` (strong_for_writer or out_of_proportion) is true are the findings;
    every row has an ``id`` (kind "strong", key ``entry_id#episode``). The writer's zone
    (``zones``: subject, zone; else ``time_zone``) decides where a day ends for the "exclusive
    of the current day" rule (the episodes carry UTC). A row depends only on the episodes of
    its own day and of the ``window`` before it, so a part of a journal can be recomputed:
    ``days`` (subject, lo, hi) returns only the rows of those days (inclusive), the other
    episodes serving as baseline alone (their evidence is not read).
    """
    s = settings()
    k = s["strong"]
    minor = s["minor"]
    if episodes.height == 0:
        return pl.DataFrame(schema=STRONG_SCHEMA)

    eps = (
        episodes.select(
            "subject", "entry_id", "episode", "occurred_at", "role", "person", "themes",
            "responses", "emotions", pl.col("intensity").cast(pl.Float64).fill_null(0.0), "evidence",
        )
        .with_row_index("_row")
    )
    eps = eps.with_columns(zone_day(eps, zones, time_zone).alias("_day"))

    # Baseline per (subject, day): one rolling pass; episodes without a reading are null, and
    # median / count skip nulls, so every day still gets the window before it.
    x = pl.col("intensity")
    # One window per writer and day (the day itself is left out, so all its episodes share
    # it): a day's readings are gathered into a list first, then flattened in the window.
    v = pl.col("intensity").explode()
    windows = (
        eps.select("subject", "_day", pl.when(x > k["baseline_min_intensity"]).then(x).alias("intensity"))
        .group_by("subject", "_day").agg(x)
        .sort("subject", "_day")
        .rolling("_day", period=k["window"], closed="left", group_by="subject")
        .agg(
            v.median().alias("baseline"),
            (v - v.median()).abs().median().alias("_mad"),
            v.count().alias("history"),
        )
    )

    if days is not None:
        eps = (eps.join(days, on="subject", how="inner", maintain_order="left")
               .filter(pl.col("_day").is_between(pl.col("lo"), pl.col("hi"))).drop("lo", "hi"))
    spread = pl.max_horizontal(pl.col("_mad") * k["mad_scale"], pl.lit(k["min_spread"]))
    out = eps.join(windows, on=["subject", "_day"], how="left", maintain_order="left").with_columns(
        pl.col("history").fill_null(0).cast(pl.UInt32),
        pl.when(pl.col("baseline").is_not_null()).then(spread).alias("spread"),
    ).with_columns(((x - pl.col("baseline")) / pl.col("spread")).alias("z"))

    # Verdicts.
    by_z = (
        (pl.col("history") >= k["min_history"])
        & (pl.col("z") >= k["z"])
        & (x >= k["z_min_intensity"])
    ).fill_null(False)
    by_level = x >= k["absolute"]
    evidence = (
        eps.select("_row", "evidence").explode("evidence").unnest("evidence")
        .filter(pl.col("kind").is_not_null())
    )
    told_small = evidence.filter(pl.col("kind") == "disproportion").select("_row").unique()
    weighty = pl.col("themes").list.set_difference(
        pl.lit(minor["mild_themes"] + minor["positive_themes"], pl.List(pl.String)))
    feelings = pl.concat_list(pl.col("responses").fill_null([]), pl.col("emotions").fill_null([]))
    positive = (
        pl.col("themes").list.set_intersection(pl.lit(minor["positive_themes"], pl.List(pl.String)))
        .list.len() > 0
    ) | (feelings.list.set_difference(pl.lit(minor["positive_feelings"], pl.List(pl.String)))
         .list.len() == 0)
    minor_trigger = (weighty.list.len() == 0) & ~positive
    out = out.with_columns(
        (by_level | by_z).alias("strong_for_writer"),
        by_z.alias("_by_z"),
        pl.col("_row").is_in(told_small["_row"].implode()).alias("_told_small"),
        minor_trigger.fill_null(False).alias("_minor"),
    ).with_columns(
        (pl.col("_told_small") | (pl.col("strong_for_writer") & pl.col("_minor")))
        .alias("out_of_proportion"),
    ).with_columns(
        (pl.col("strong_for_writer") | pl.col("out_of_proportion")).alias("finding"),
    )

    # Reason, in the writer's terms.
    score = _number(x) + pl.lit("/10")
    usual = _number(pl.col("baseline"))
    head = (
        pl.when(pl.col("_by_z")).then(score + pl.lit(", far above your usual ") + usual)
        .when(by_level & (pl.col("history") >= k["min_history"]))
        .then(score + pl.lit(", high on the 0-10 scale (your usual is ") + usual + pl.lit(")"))
        .when(by_level).then(score + pl.lit(", high on the 0-10 scale"))
        .when(pl.col("history") >= k["min_history"]).then(score + pl.lit(" (your usual is ") + usual
                                                          + pl.lit(")"))
        .otherwise(score)
    )
    tail = (
        pl.when(pl.col("_told_small")).then(pl.lit("; you said yourself the trigger was small"))
        .when(pl.col("out_of_proportion")).then(pl.lit("; strong for a minor trigger"))
        .otherwise(pl.lit(""))
    )
    quotes = best_quote(evidence, _QUOTE_KINDS)
    out = out.with_columns((head + tail).alias("reason")).join(
        quotes, on="_row", how="left", maintain_order="left")
    out = with_finding_ids(
        out.with_columns(pl.format("{}#{}", "entry_id", "episode").alias("_key")), "strong", "_key")
    return out.select(list(STRONG_SCHEMA)).cast(STRONG_SCHEMA)  # type: ignore[arg-type]
