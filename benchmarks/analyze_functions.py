"""Runtime of the per-episode analyses on a synthetic corpus of many writers.

    python benchmarks/analyze_functions.py [--writers 1000] [--episodes 1000] [--graphs 1000]

Builds ``writers x episodes`` episodes (EPISODE_SCHEMA) with Polars expressions only: about one
episode a day per writer, roles and themes drawn from the taxonomy, intensity 0-10 with a third
of the episodes carrying no reading, past episodes with parents, therapy episodes with the
therapist, an evidence list with a theme quote and now and then a "disproportion" cue. Then
times strong_reactions, pervasiveness, theme_role_table, breadcrumbs (all writers at once),
relationship_graph for ``--graphs`` writers (one call per writer, as the report does) and
write_graph in each format for one writer. Prints wall and CPU seconds and peak RSS so far.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import resource
import sys
import time
from collections.abc import Callable
from typing import TypeVar

import polars as pl

from patternlens.analyze.baselines import strong_reactions
from patternlens.analyze.breadcrumbs import breadcrumbs
from patternlens.analyze.graph import relationship_graph, write_graph
from patternlens.analyze.pervasiveness import pervasiveness, theme_role_table
from patternlens.extract import EPISODE_SCHEMA

ROLES = ["therapist", "mother", "father", "partner", "sibling", "friend", "boss", "coworker"]
THEMES = ["misunderstood", "judged", "dismissed", "rejected", "abandoned", "controlled", "betrayed",
          "uncared", "mistreated", "understood"]
T = TypeVar("T")


def _pick(values: list[str], h: pl.Expr) -> pl.Expr:
    return (h % len(values)).replace_strict(list(range(len(values))), values, return_dtype=pl.String)


def make_episodes(writers: int, per_writer: int, seed: int = 7) -> pl.DataFrame:
    i = pl.col("i")

    def h(salt: int) -> pl.Expr:
        return i.hash(seed * 1000 + salt)

    base = pl.DataFrame({"i": pl.int_range(0, writers * per_writer, eager=True)})
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    evidence_t = pl.Struct({"label": pl.String, "kind": pl.String, "start": pl.Int64, "end": pl.Int64,
                            "quote": pl.String})
    frame = base.with_columns(
        pl.format("w{}", i // per_writer).alias("subject"),
        pl.format("e{}", i // 2).alias("entry_id"),
        (i % 2).alias("episode"),
        (pl.lit(start) + pl.duration(hours=(i % per_writer) * 26 + (h(1) % 12).cast(pl.Int64)))
        .alias("occurred_at"),
        _pick(ROLES, h(2)).alias("role"),
        (h(3) % 3 == 0).alias("_quiet"),
        (h(4) % 100 < 3).alias("_small"),
        _pick(THEMES, h(5)).alias("_t1"),
        _pick(THEMES, h(6)).alias("_t2"),
        (h(7) % 4).alias("_nthemes"),
        # triangular on 1..8.8: most episodes are middling, few reach 7
        (((h(8) % 40) + (h(10) % 40)).cast(pl.Float64) / 10 + 1).alias("_level"),
    ).with_columns(
        pl.when(pl.col("_nthemes") == 0).then(pl.lit([], pl.List(pl.String)))
        .when(pl.col("_nthemes") == 1).then(pl.concat_list("_t1"))
        .otherwise(pl.concat_list("_t1", "_t2")).alias("themes"),
        pl.when(pl.col("_quiet")).then(0.0).otherwise(pl.col("_level")).alias("intensity"),
        (pl.col("role").is_in(["mother", "father"]) & (h(9) % 3 == 0)).alias("past"),
        (pl.col("role") == "therapist").alias("in_therapy"),
    ).with_columns(
        pl.concat_list(
            pl.struct(pl.col("_t1").alias("label"), pl.lit("theme").alias("kind"), pl.lit(0).alias("start"),
                      pl.lit(20).alias("end"), pl.format("felt {} by my {}", "_t1", "role").alias("quote")),
            pl.struct(pl.lit("disproportion").alias("label"), pl.lit("disproportion").alias("kind"),
                      pl.lit(21).alias("start"), pl.lit(40).alias("end"),
                      pl.lit("I know it's small but").alias("quote")),
        # the disproportion cue only where drawn (a when/then per row is far slower)
        ).list.head(pl.col("_small").cast(pl.Int64) + 1).cast(pl.List(evidence_t)).alias("evidence"),
    )
    return frame.select(
        "entry_id", "subject", "occurred_at", "episode", pl.lit(0).alias("start"), pl.lit(40).alias("end"),
        "role", pl.lit(None, pl.String).alias("person"), "themes",
        pl.lit(["withdrawal"]).alias("responses"), pl.lit(["sadness"]).alias("emotions"), "intensity",
        "past", "in_therapy", pl.lit(False).alias("rupture"), pl.lit(False).alias("repair"),
        pl.lit(False).alias("red_flag"), pl.lit([], pl.List(pl.String)).alias("negated"), "evidence",
        pl.lit("bench").alias("extractor_version"),
    ).cast(EPISODE_SCHEMA)  # type: ignore[arg-type]


def timed(label: str, fn: Callable[[], T]) -> T:
    """Run ``fn``; print wall and CPU seconds (CPU tells more on a busy machine) and peak RSS."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<46} {wall:8.2f} s wall {cpu:8.2f} s cpu   peak RSS {rss:6.0f} MiB", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--writers", type=int, default=1000)
    ap.add_argument("--episodes", type=int, default=1000, help="episodes per writer")
    ap.add_argument("--graphs", type=int, default=1000, help="writers to build a graph for")
    args = ap.parse_args(argv)

    eps = timed(f"build {args.writers} x {args.episodes} episodes",
                lambda: make_episodes(args.writers, args.episodes))
    strong = timed("strong_reactions", lambda: strong_reactions(eps))
    print(f"  findings: {strong['finding'].sum()} of {strong.height}")
    perv = timed("pervasiveness", lambda: pervasiveness(eps))
    timed("theme_role_table (one writer)", lambda: theme_role_table(perv, "w0"))
    found, trail = timed("breadcrumbs", lambda: breadcrumbs(eps, strong))
    print(f"  breadcrumbs: {found.height}, trail rows: {trail.height}")
    subjects = eps["subject"].unique(maintain_order=True).head(args.graphs).to_list()
    # one graph at a time, as a report would: keep only the sizes
    sizes = timed(f"relationship_graph x {len(subjects)} writers",
                  lambda: [relationship_graph(eps, s).number_of_edges() for s in subjects])
    print(f"  edges per graph: mean {sum(sizes) / max(len(sizes), 1):.0f}")
    g = relationship_graph(eps, subjects[0])
    print(f"  one graph: {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    for fmt in ("graphml", "gexf", "json"):
        timed(f"write_graph {fmt} (one writer)", lambda fmt=fmt: write_graph(g, io.BytesIO(), fmt))  # type: ignore[misc]
    return 0


if __name__ == "__main__":
    sys.exit(main())
