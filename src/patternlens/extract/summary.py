"""One summary per entry: who and what it tells, how strongly, and its episodes.

Every per-entry value is computed over all entries at once and placed by row index (entries
are rows ``0 .. n-1``), so no join back to the entries is needed:

- roles, themes, responses and emotions are sorted label lists; an entry that tells an
  episode counts the writer's emotions as responses;
- therapy: a therapy cue not about a third person, an episode with the therapist, or an entry
  opening "Therapy."; a rupture or repair cue naming nobody counts in a sentence about therapy
  or in such an entry, and a rupture cue so also in an entry where the therapist takes part or
  a session is told ("Kept it vague again. Dr. Okafor asked how I feel.");
- crisis: an asserted crisis cue about the writer (not "my brother is suicidal").
"""

from __future__ import annotations

import polars as pl

from patternlens.extract.episodes import (
    ENTRY_SCHEMA,
    EPISODE_FIELDS,
    STRAIN_EMOTIONS,
)
from patternlens.extract.lexicon import Lexicon
from patternlens.extract.segments import dense

EMPTY = pl.lit([], dtype=pl.List(pl.String()))



def _place(n: int, rows: pl.Series, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (one row per distinct entry ``rows``) spread over entries 0..n-1, null elsewhere."""
    at = dense(n, rows, pl.int_range(frame.height, dtype=pl.UInt32, eager=True).alias("_i"))
    return frame.select(pl.all().gather(at))


def _flag(n: int, rows: pl.Series) -> pl.Series:
    """True for the entries in ``rows``."""
    rows = rows.unique()
    return dense(n, rows, pl.repeat(True, rows.len(), eager=True), False)


def _labels(n: int, pairs: pl.DataFrame, name: str) -> pl.Series:
    """Sorted distinct labels per entry from (row, label) pairs; empty where there are none."""
    labels = pl.Enum(pairs["label"].unique().sort())
    k = max(len(labels.categories), 1)
    # (row, label rank) as one integer: distinct and sorted in one pass each
    items = pairs.select(
        (pl.col("row").cast(pl.UInt64) * k + pl.col("label").cast(labels).to_physical())
        .unique().sort()
    ).to_series()
    per = (
        # items are sorted, so are their rows: grouped as runs, not hashed
        pl.DataFrame({"row": (items // k).cast(pl.UInt32).set_sorted(),
                      name: labels.categories.gather(items % k)})
        .group_by("row", maintain_order=True).agg(pl.col(name))
    )
    return _place(n, per["row"], per.select(name)).to_series().fill_null(EMPTY)


def summarize(
    clauses: pl.DataFrame,
    content: pl.DataFrame,
    eps: pl.DataFrame,
    intensity: pl.DataFrame,
    lex: Lexicon,
    n: int,
    opening: pl.DataFrame,
    session: pl.DataFrame,
    settled: pl.Series,
    undone: pl.Series,
) -> pl.DataFrame:
    """``row`` (0..n-1) plus the ENTRY_SCHEMA columns other than ``entry_id``, in row order.

    ``clauses`` carry ``sid`` (global sentence id); ``intensity`` has one row per clause in
    cid order; ``opening`` lists the rows of entries that open "Therapy."; ``session`` those
    that tell a session; ``settled`` and ``undone`` the rows of ``settled_ruptures`` and
    ``undone_repairs``, the ones the episodes were given: an episode's rupture or repair is
    its entry's too.
    """
    f = pl.col
    told = content.filter(f("asserted"))
    sid = clauses["sid"]
    # therapy and crisis words right after a third person are about that person
    therapy = content.filter((f("kind") == "therapy") & f("asserted"))
    therapy = therapy.filter(~therapy["_before"].str.contains(lex.third_person_re))
    therapy_sid = sid.gather(therapy["cid"]).unique().implode()
    loose = told.filter(f("key").is_null() & f("kind").is_in(["rupture", "repair"]))
    # in a sentence about therapy, or anywhere in an entry opening "Therapy."; a rupture cue
    # also anywhere in an entry telling a session or an episode with the therapist
    session_rows = pl.concat([session.select("row"),
                              eps.filter(f("role") == "therapist").select("row")])["row"]
    loose = loose.filter(sid.gather(loose["cid"]).is_in(therapy_sid)
                         | f("row").is_in(opening["row"].implode())
                         | ((f("kind") == "rupture") & f("row").is_in(session_rows.implode())))
    # a repair whose last word is a strain brushed off, denied or dropped is no repair, nor a
    # rupture settled as fair (``undone``, ``settled``: the episodes' flags already say so)
    crisis = content.filter((f("kind") == "crisis") & ~f("negated"))
    crisis = crisis.filter(
        ~crisis["_before"].str.contains(lex.third_person_re)
        & (crisis["_before"].str.contains(lex.first_person_re) | crisis["key"].is_null()
           | ~crisis["via_prev"])
    )
    # clauses, and so their entries, in order: grouped as runs, not hashed
    intens = intensity.select(clauses["row"].gather(intensity["cid"]).set_sorted().alias("row"),
                              "intensity")
    max_int = intens.group_by("row").agg(f("intensity").max())

    def pairs(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
        return frame.filter(f("kind") == kind).select("row", "label")

    def exploded(column: str) -> pl.DataFrame:
        return eps.select("row", f(column).alias("label")).explode("label").drop_nulls("label")

    emotions = pairs(told, "emotion")
    # in an entry that tells an episode, the writer's feelings are their response (RS)
    felt = emotions.filter(f("row").is_in(eps["row"].unique().implode()))
    per_ep = eps.with_columns(f("row").set_sorted()).group_by("row", maintain_order=True).agg(
        pl.struct(EPISODE_FIELDS).alias("episodes"))
    out = pl.DataFrame({"row": pl.int_range(n, dtype=pl.UInt32, eager=True)}).with_columns(
        _labels(n, eps.select("row", f("role").alias("label")), "roles"),
        _labels(n, pl.concat([pairs(told, "theme"), exploded("themes")]), "themes"),
        _labels(n, pl.concat([pairs(told, "response"), exploded("responses"), felt]),
                "responses"),
        _labels(n, emotions, "emotions"),
        _place(n, max_int["row"], max_int.select("intensity")).to_series().fill_null(0.0),
        (_flag(n, eps.filter(f("in_therapy"))["row"])
         | _flag(n, pl.concat([clauses["row"].gather(therapy["cid"]), opening["row"]])))
        .alias("in_therapy"),
        ((_flag(n, eps.filter(f("rupture"))["row"])
          | _flag(n, loose.filter(f("kind") == "rupture")["row"]))
         & ~_flag(n, settled)).alias("rupture"),
        ((_flag(n, eps.filter(f("repair"))["row"])
          | _flag(n, loose.filter(f("kind") == "repair")["row"])) & ~_flag(n, undone))
        .alias("repair"),
        _flag(n, eps.filter(f("red_flag"))["row"]).alias("red_flag"),
        _flag(n, told.filter(f("kind") == "past")["row"]).alias("past"),
        _flag(n, crisis["row"]).alias("crisis"),
        _place(n, per_ep["row"], per_ep.select("episodes")).to_series()
        .fill_null(pl.lit([], dtype=ENTRY_SCHEMA["episodes"])),
    )
    # a line crossed that the writer feels as a strain is a rupture too (TAXONOMY)
    strained = f("red_flag") & (f("emotions").list.set_intersection(list(STRAIN_EMOTIONS))
                                 .list.len().gt(0))
    return out.with_columns((f("intensity") >= 7).alias("strong"),
                            (f("rupture") | strained).alias("rupture")).select(
        "row", *(c for c in ENTRY_SCHEMA if c != "entry_id")
    )
