"""CCRT pervasiveness: how much of a writer's relationship life a theme runs through.

For each writer and each theme they ever felt, the share of their episodes that carry it,
overall (role "all") and within each role they wrote about. Every (theme, role) pair of a
writer gets a row, zeros included: "controlled is 100% of the boss episodes and 0% elsewhere"
is the finding. An episode counts once per theme however often the theme is worded in it.
Episodes without a role count in "all" only.
"""

from __future__ import annotations

import polars as pl

from patternlens.analyze.baselines import role_rank

ALL = "all"

PERVASIVENESS_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "theme": pl.String(),
    "role": pl.String(),
    "episodes_with_theme": pl.UInt32(),
    "episodes_total": pl.UInt32(),
    "share": pl.Float64(),
}


def sort_keys() -> list[str | pl.Expr]:
    """Table order: subject, theme, then "all" and the roles in taxonomy order."""
    return ["subject", "theme",
            pl.when(pl.col("role") == ALL).then(-1).otherwise(role_rank(pl.col("role"))), "role"]


def pervasiveness(episodes: pl.DataFrame) -> pl.DataFrame:
    """Long form: subject, theme, role ("all" for overall), episodes_with_theme,
    episodes_total, share; sorted by subject, theme, then "all" and roles in taxonomy order."""
    return from_counts(*counts(episodes))


def counts(episodes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(episodes per subject and role, role "all" included; episodes per subject, role and
    theme). Counts add up: those of new episodes can be added to stored ones."""
    eps = episodes.select("subject", "role", pl.col("themes").fill_null([]).list.unique())
    overall = eps.with_columns(pl.lit(ALL).alias("role"))
    by_role = eps.filter(pl.col("role").is_not_null())
    stacked = pl.concat([overall, by_role])

    totals = stacked.group_by("subject", "role").agg(pl.len().cast(pl.UInt32).alias("episodes_total"))
    hits = (
        stacked.explode("themes").filter(pl.col("themes").is_not_null())
        .group_by("subject", "role", "themes")
        .agg(pl.len().cast(pl.UInt32).alias("episodes_with_theme"))
        .rename({"themes": "theme"})
    )
    return totals, hits


def from_counts(totals: pl.DataFrame, hits: pl.DataFrame) -> pl.DataFrame:
    """The long table from episode counts per (subject, role) (``episodes_total``, role "all"
    included) and per (subject, role, theme) (``episodes_with_theme``): what the store can
    count in SQL without reading the episodes out."""
    totals = totals.cast({"episodes_total": pl.UInt32})
    hits = hits.cast({"episodes_with_theme": pl.UInt32})
    themes = hits.select("subject", "theme").unique()
    grid = themes.join(totals, on="subject", how="inner")
    out = grid.join(hits, on=["subject", "role", "theme"], how="left").with_columns(
        pl.col("episodes_with_theme").fill_null(0),
    ).with_columns(
        (pl.col("episodes_with_theme") / pl.col("episodes_total")).alias("share"),
    )
    return out.sort(sort_keys()).select(list(PERVASIVENESS_SCHEMA)).cast(
        PERVASIVENESS_SCHEMA)  # type: ignore[arg-type]


def theme_role_table(perv: pl.DataFrame, subject: str) -> pl.DataFrame:
    """One writer's pervasiveness as a theme x role table of shares: a ``theme`` column, then
    "all" and the roles in taxonomy order; themes by overall share (highest first), then name."""
    mine = perv.filter(pl.col("subject") == subject)
    if mine.height == 0:
        return pl.DataFrame(schema={"theme": pl.String(), ALL: pl.Float64()})
    roles = (
        mine.select("role").unique()
        .sort(pl.when(pl.col("role") == ALL).then(-1).otherwise(role_rank(pl.col("role"))), "role")
        ["role"].to_list()
    )
    wide = mine.pivot(on="role", on_columns=roles, index="theme", values="share")
    return wide.select("theme", *roles).sort(ALL, "theme", descending=[True, False])
