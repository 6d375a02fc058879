"""Breadcrumbs: a strong reaction in therapy whose theme the writer has felt elsewhere too.

"Big emotional reactions are like breadcrumbs. If you follow the trail, it will eventually lead
you to past pain." A breadcrumb is a (writer, theme) such that:

- a therapy episode (role in ``therapy_roles``, or the episode's ``in_therapy`` flag) is a
  strong reaction (``strong_for_writer`` or ``out_of_proportion``) and carries the theme, or
  the entry's other episodes with the same role do (one session told over several clauses), and
- the theme's episodes span at least two roles: a theme seen with one relationship only is
  never a breadcrumb. Positive themes ("understood") are not wounds and never qualify.

The therapy moment is that strong therapy episode (the most intense one when there are
several, the earliest on a tie). The pattern (``roles``, ``n_episodes``, ``has_past``) counts all
the theme's episodes and the moment; ``has_past`` is true when one of them is told as the
writer's past or is with a childhood role (``childhood_roles``: mother, father, parent).

Ranking, per writer, by ``score`` (weights in ``settings.toml``, section ``breadcrumb``)::

    score = 2.0 * (n_roles - 1)                      # how many relationships it spans
          + 1.5 * has_past                           # does it reach into the past
          + 1.0 * moment_intensity / 10              # how strong the therapy moment was
          + 0.5 * min(n_episodes, 10) / 10           # how often it recurs

then first_seen and theme on a tie; ``rank`` 1 is the first to bring up.

The trail of a breadcrumb is its theme's episodes from the earliest echo up to and including
the therapy moment, oldest first; when the echoes before the moment span only one role (the
other relationships come later), the later episodes are kept too, so that the trail shows the
recurrence. Times are the episodes' UTC ``occurred_at``.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from patternlens.analyze.baselines import best_quote, settings
from patternlens.analyze.ids import with_finding_ids
from patternlens.timezones import with_local_date

BREADCRUMB_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "theme": pl.String(),
    "roles": pl.List(pl.String()),
    "score": pl.Float64(),
    "has_past": pl.Boolean(),
    "n_episodes": pl.UInt32(),
    "first_seen": pl.Datetime("us", "UTC"),
    "therapy_moment": pl.Datetime("us", "UTC"),
    "therapy_entry_id": pl.String(),
    "therapy_episode": pl.Int64(),
    "therapy_intensity": pl.Float64(),
    "therapy_reason": pl.String(),
    "therapy_quote": pl.String(),
    "rank": pl.UInt32(),
}

TRAIL_SCHEMA: dict[str, pl.DataType] = {
    "breadcrumb": pl.String(),
    "subject": pl.String(),
    "entry_id": pl.String(),
    "episode": pl.Int64(),
    "date": pl.Datetime("us", "UTC"),
    "role": pl.String(),
    "person": pl.String(),
    "quote": pl.String(),
    "intensity": pl.Float64(),
    "past": pl.Boolean(),
    "moment": pl.Boolean(),
}

_KEY = ["subject", "theme"]


Evidence = Callable[[pl.DataFrame], pl.DataFrame]


def breadcrumbs(episodes: pl.DataFrame, strong: pl.DataFrame, *,
                evidence: Evidence | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(breadcrumbs, trail rows) from the episodes and their ``strong_reactions`` frame.

    ``evidence``, when the episodes come without their evidence lists, reads them for the
    trail rows (given subject, entry_id, episode; returns those and ``evidence``)."""
    s = settings()
    b = s["breadcrumb"]
    positive = s["minor"]["positive_themes"]
    empty = (pl.DataFrame(schema=BREADCRUMB_SCHEMA), pl.DataFrame(schema=TRAIL_SCHEMA))
    if episodes.height == 0 or strong.height == 0:
        return empty

    flat = episodes.select(
        "subject", "entry_id", "episode", "occurred_at", "role", "person",
        pl.col("intensity").cast(pl.Float64).fill_null(0.0), pl.col("past").fill_null(False),
        pl.col("in_therapy").fill_null(False),
        pl.col("themes").fill_null([]).list.unique(maintain_order=True).alias("theme"),
    )
    eps = flat.explode("theme").filter(pl.col("theme").is_not_null() & ~pl.col("theme").is_in(positive))

    therapy = pl.col("role").is_in(b["therapy_roles"]).fill_null(False) | pl.col("in_therapy")
    verdict = strong.filter(pl.col("strong_for_writer") | pl.col("out_of_proportion")).select(
        "subject", "entry_id", "episode", pl.col("reason").alias("therapy_reason"),
        pl.col("quote").alias("therapy_quote"))
    # The themes of a strong therapy episode: its own, and those of the entry's other episodes
    # with the same role (one session told over several clauses: "she moved on. It felt like
    # being brushed off. I know it's small but I cried the whole drive home").
    session_themes = eps.filter(therapy).select("subject", "entry_id", "role", "theme").unique()
    moments = (
        flat.drop("theme").filter(therapy)
        .join(verdict, on=["subject", "entry_id", "episode"], how="inner")
        .join(session_themes, on=["subject", "entry_id", "role"], how="inner")
        .sort(*_KEY, "intensity", "occurred_at", "entry_id", "episode",
              descending=[False, False, True, False, False, False])
        .group_by(_KEY, maintain_order=True)
        .first()
    )
    # Every episode of the theme, and the therapy moment itself when it words no theme.
    theme_eps = eps.join(moments.select(_KEY), on=_KEY, how="semi")
    echoes = pl.concat([
        theme_eps,
        moments.select(eps.columns).join(theme_eps, on=["subject", "theme", "entry_id", "episode"],
                                          how="anti"),
    ]).sort(*_KEY, "occurred_at", "entry_id", "episode")
    moments = moments.select(
        *_KEY, pl.col("occurred_at").alias("therapy_moment"),
        pl.col("entry_id").alias("therapy_entry_id"), pl.col("episode").alias("therapy_episode"),
        pl.col("intensity").alias("therapy_intensity"), "therapy_reason", "therapy_quote")
    reaches_back = pl.col("past") | pl.col("role").is_in(b["childhood_roles"]).fill_null(False)
    pattern = (
        echoes.group_by(_KEY, maintain_order=True)
        .agg(
            pl.col("role").drop_nulls().unique(maintain_order=True).alias("roles"),
            reaches_back.any().alias("has_past"),
            pl.len().cast(pl.UInt32).alias("n_episodes"),
            pl.col("occurred_at").min().alias("first_seen"),
        )
        .filter(pl.col("roles").list.len() >= 2)
        .join(moments, on=_KEY, how="inner")
    )
    if pattern.height == 0:
        return empty

    cap = b["frequency_cap"]
    score = (
        b["roles"] * (pl.col("roles").list.len() - 1)
        + b["past"] * pl.col("has_past").cast(pl.Float64)
        + b["strength"] * pl.col("therapy_intensity") / 10
        + b["frequency"] * pl.col("n_episodes").clip(upper_bound=cap) / cap
    )
    found = ranked(pattern.with_columns(score.round(3).alias("score")))
    found = with_finding_ids(found, "breadcrumb", "theme").select(list(BREADCRUMB_SCHEMA)).cast(
        BREADCRUMB_SCHEMA)  # type: ignore[arg-type]

    # The trail: echoes up to and including the therapy moment (all of them when the earlier
    # ones span a single role).
    at, entry, ep = pl.col("therapy_moment"), pl.col("therapy_entry_id"), pl.col("therapy_episode")
    t = pl.col("occurred_at")
    upto = (t < at) | ((t == at) & ((pl.col("entry_id") < entry)
                                    | ((pl.col("entry_id") == entry) & (pl.col("episode") <= ep))))
    trail = (
        echoes.join(found.select("id", *_KEY, "therapy_moment", "therapy_entry_id",
                                 "therapy_episode", "rank"), on=_KEY, how="inner")
        .with_row_index("_row")
        .with_columns(upto.alias("_upto"))
        .with_columns(pl.col("role").filter(pl.col("_upto")).n_unique().over("id").alias("_before"))
        .filter(pl.col("_upto") | (pl.col("_before") < 2))
        .with_columns(((t == at) & (pl.col("entry_id") == entry) & (pl.col("episode") == ep))
                      .alias("moment"))
    )
    # Evidence only for the trail rows: the episodes' lists are the heavy part of the frame.
    keys = ["subject", "entry_id", "episode"]
    lists = (episodes.select(*keys, "evidence") if evidence is None
             else evidence(trail.select(keys).unique()))
    cues = trail.select("_row", "theme", *keys).join(lists, on=keys, how="inner").select(
        "_row", "theme", "evidence").explode("evidence").unnest("evidence").filter(
        pl.col("kind").is_not_null())
    # The theme's own words first ("Sam brushed it off"), else whatever the episode rests on.
    cues = cues.with_columns(
        pl.when((pl.col("kind") == "theme") & (pl.col("label") == pl.col("theme")))
        .then(pl.lit("this_theme")).otherwise(pl.col("kind")).alias("kind"))
    quotes = best_quote(cues, ["this_theme", "disproportion", "rating", "role", "emotion",
                                   "response"])
    trail = (
        trail.join(quotes, on="_row", how="left", maintain_order="left")
        .sort("subject", "rank", "occurred_at", "entry_id", "episode")
        .select(pl.col("id").alias("breadcrumb"), "subject", "entry_id", "episode",
                pl.col("occurred_at").alias("date"), "role", "person", "quote", "intensity", "past",
                "moment")
        .cast(TRAIL_SCHEMA)  # type: ignore[arg-type]
    )
    return found, trail


def ranked(found: pl.DataFrame) -> pl.DataFrame:
    """``rank`` per writer: by score, then the earliest first seen, then theme."""
    return (
        found.sort("subject", "score", "first_seen", "theme", descending=[False, True, False, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("subject").cast(pl.UInt32).alias("rank"))
    )


def finish_breadcrumbs(crumbs: pl.DataFrame, trails: pl.DataFrame, records: pl.DataFrame
                       ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Breadcrumbs and trails with the writer's local dates (``records`` brings the entries'
    zones): therapy_moment and first_seen become days, and the rank follows them."""
    trails = with_local_date(trails.rename({"breadcrumb": "finding_id", "date": "occurred_at"}),
                             records)
    moments = with_local_date(
        crumbs.select("id", pl.col("therapy_entry_id").alias("entry_id"),
                      pl.col("therapy_moment").alias("occurred_at")), records, "moment_date")
    first = trails.group_by("finding_id").agg(pl.col("date").min().alias("first_date"))
    crumbs = (
        crumbs.join(moments.select("id", "moment_date"), on="id", how="left", maintain_order="left")
        .join(first.rename({"finding_id": "id"}), on="id", how="left", maintain_order="left")
        .with_columns(pl.col("moment_date").alias("therapy_moment"),
                      pl.col("first_date").alias("first_seen"))
        .drop("moment_date", "first_date")
    )
    return ranked(crumbs), trails
