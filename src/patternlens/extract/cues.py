"""Finding lexicon cues, and deciding which ones the writer asserts.

All patterns go through one Aho-Corasick pass (``str.extract_many`` / ``str.find_many``) over
every entry's padded text at once; each match is then placed in its clause by offset. A cue is
dropped from the told content when

- a longer cue of the same group covers it ("not that she ever cared" covers "cared"),
- a negator stands up to three words before it in its clause (VADER's window):
  "Priya didn't judge me",
- a hypothetical, fear or hedge marker stands earlier in its clause: "if she left",
  "I'm afraid he'll think I'm dramatic" (not one inside a longer phrase of its group, "going
  to therapy", nor one after the other's reported question or condition, "she asked if I'd
  invest"),
- (themes) the writer is its subject: "I ignored him" is not the other's response.

Negated and hypothetical cues are kept with ``asserted = False`` so episodes can list them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from patternlens.extract.lexicon import Lexicon
from patternlens.extract.segments import dense, packed, prev_max_within, segment_id

NON_WORD_RE = r"[^a-z0-9'_]"  # ends a word in the normalized text
SPAN_BOUND = 1 << 32  # clause offsets stay below this
WINDOW = 48  # characters looked back: three words and some
MATCH_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.UInt32(), "cid": pl.UInt32(), "pos": pl.Int64(), "wlen": pl.Int64(),
    "pattern": pl.String(), "group": pl.String(),
}


def pattern_ids(patterns: pl.DataFrame) -> tuple[pl.Enum, pl.DataFrame]:
    """The patterns as an Enum in lexical order, and each (pattern, group) with integer ids.

    ``_pid`` and ``_gid`` rank patterns and groups lexically, so sorting by them sorts by the
    strings; ``_pg`` is both in one integer, to join on.
    """
    pats = sorted(set(patterns["pattern"].to_list()))
    groups = sorted(set(patterns["group"].to_list()))
    enum = pl.Enum(pats)
    pg = patterns.select("pattern", "group").unique().select(
        "pattern", "group",
        pl.col("pattern").cast(enum).to_physical().cast(pl.UInt32).alias("_pid"),
        pl.col("group").cast(pl.Enum(groups)).to_physical().cast(pl.UInt32).alias("_gid"),
        # a prefix pattern (" criticiz") spans to the end of its word
        ~pl.col("pattern").str.ends_with(" ").alias("_prefix"),
        pl.col("pattern").str.strip_chars().str.len_chars().cast(pl.Int64).alias("wlen"),
    )
    return enum, pg.with_columns(pair_id(len(pats)))


def pair_id(n_patterns: int) -> pl.Expr:
    """One integer for (group, pattern) ids."""
    return (pl.col("_gid").cast(pl.UInt64) * n_patterns + pl.col("_pid")).alias("_pg")


@dataclass(frozen=True)
class PatternSet:
    """The patterns of one extraction with their ids (``pattern_ids``), the lexicon's cues
    keyed by ``_pg``: built once per ``extract``, not once per chunk (22k patterns)."""

    patterns: list[str]  # lexical order: the Aho-Corasick patterns, ``_pid`` is the index
    enum: pl.Enum
    pg: pl.DataFrame  # (pattern, group) with _pid, _gid, _prefix, wlen, _pg
    groups: pl.Series  # group names by _gid
    cues: pl.DataFrame  # lexicon cues with _pg, without pattern and group


def pattern_set(lex: Lexicon, patterns: pl.DataFrame | None = None) -> PatternSet:
    """``patterns`` (pattern, group; the lexicon's cues by default) ready for ``matches`` and
    ``assess``."""
    enum, pg, pats, groups = _ids(lex.cues.select("pattern", "group") if patterns is None
                                  else patterns)
    cues = lex.cues.join(pg.select("pattern", "group", "_pg"), on=["pattern", "group"])
    return PatternSet(patterns=pats, enum=enum, pg=pg, groups=groups,
                      cues=cues.drop("pattern", "group"))


def _ids(patterns: pl.DataFrame) -> tuple[pl.Enum, pl.DataFrame, list[str], pl.Series]:
    """What ``matches`` needs of (pattern, group) rows: the enum and ids (``pattern_ids``),
    the patterns in id order, the group names by ``_gid``."""
    enum, pg = pattern_ids(patterns)
    return (enum, pg, list(enum.categories),
            pl.Series(sorted(set(pg["group"].to_list())), dtype=pl.String))


def matches(docs: pl.DataFrame, clauses: pl.DataFrame,
            patterns: pl.DataFrame | PatternSet) -> pl.DataFrame:
    """Every occurrence of every pattern, placed in its clause, longer matches winning.

    ``patterns`` has ``pattern`` and ``group`` (or is their ``pattern_set``). Returns
    MATCH_SCHEMA rows plus ``_pg`` (see ``pattern_ids``): ``pos`` is the offset of the match in
    its clause (``n[pos]`` is its first character), ``wlen`` its length up to the end of its
    last word.
    """
    if isinstance(patterns, pl.DataFrame):
        enum, pg, pats, groups = _ids(patterns)
    else:
        enum, pg, pats, groups = patterns.enum, patterns.pg, patterns.patterns, patterns.groups
    if not pats or docs.height == 0 or clauses.height == 0:
        return pl.DataFrame(schema=MATCH_SCHEMA | {"_pg": pl.UInt64()})
    found = (
        docs.select(
            "row",
            "base",
            pl.col("w").str.extract_many(pats, overlapping=True).cast(pl.List(enum))
            .alias("pattern"),
            pl.col("w").str.find_many(pats, overlapping=True).alias("_p"),
        )
        .explode(["pattern", "_p"])
        .drop_nulls("pattern")
        # w[p] is the pattern's leading space, so the word starts at norm[p]
        # the pattern travels as its id, its text comes back at the end: fewer columns to sort
        .select("row", pl.col("pattern").to_physical().cast(pl.UInt32).alias("_pid"),
                (pl.col("base") + pl.col("_p").cast(pl.Int64)).alias("key"))
        .sort("key")
    )
    found = found.join_asof(clauses.select("key", "cid", pl.col("key").alias("_k")), on="key",
                            strategy="backward")
    found = found.with_columns((pl.col("key") - pl.col("_k")).alias("pos")).drop("_k", "key")
    found = found.join(pg.drop("pattern", "group"), on="_pid")
    # a prefix pattern spans to the end of its word, for the quote; a pattern ending in a
    # space already ends at a word's end
    prefix = found.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), "cid", "pos",
                          "wlen", "_prefix").filter(pl.col("_prefix"))
    after = clauses["n"].gather(prefix["cid"]).str.slice(prefix["pos"] + prefix["wlen"])
    # the normalized text is ASCII: the byte offset of the first character that is not a word
    # character is the length of the word's tail, without extracting it
    tail = after.str.find(NON_WORD_RE).fill_null(after.str.len_bytes())
    extra = pl.zeros(found.height, dtype=pl.Int64, eager=True)
    extra = extra.scatter(prefix["_i"], tail.cast(pl.Int64))
    found = found.with_columns((pl.col("wlen") + extra).alias("wlen")).drop("_prefix")
    found = drop_covered(found)
    return found.select(
        "row", "cid", "pos", "wlen", enum.categories.gather(found["_pid"]).alias("pattern"),
        groups.gather(found["_gid"]).alias("group"), "_pg",
    )


def drop_covered(m: pl.DataFrame) -> pl.DataFrame:
    """Drop matches lying inside a longer match of the same group in the same clause.

    ``m`` carries ``_gid`` and ``_pid``, which order like ``group`` and ``pattern``.
    """
    end = pl.col("pos") + pl.col("wlen")
    # the pattern breaks ties, so that the same text always keeps the same match
    longest = pl.lit(int(m["wlen"].max() or 0)) - pl.col("wlen")  # type: ignore[arg-type]
    key = packed(m, [pl.col("cid"), pl.col("_gid"), pl.col("pos"), longest, pl.col("_pid")])
    if key is None:
        m = m.sort(["cid", "_gid", "pos", "wlen", "_pid"],
                   descending=[False, False, False, True, False])
        seg = segment_id("cid", "_gid")
    else:
        order, bits = key
        # the bits above (pos, length, pattern) are the (clause, group) segment; it serves as
        # the segment id itself when it leaves room for the span bound in 63 bits
        m = m.with_columns(order.alias("_order")).sort("_order")
        m = m.with_columns((pl.col("_order") // (1 << sum(bits[2:]))).cast(pl.Int64)
                           .alias("_seg"))
        seg = pl.col("_seg") if sum(bits[:2]) + SPAN_BOUND.bit_length() <= 63 else segment_id("_seg")
    # identical spans of different patterns ("yell" and "yelled") keep the first
    before = prev_max_within(end, seg, SPAN_BOUND)
    keep = m.select(before.is_null() | (before < end)).to_series()
    return m.drop("_order", "_seg", strict=False).filter(keep)


def window_before(clauses: pl.DataFrame, m: pl.DataFrame, width: int = WINDOW) -> pl.Series:
    """The clause text before each match (normalized), at most ``width`` characters."""
    n = clauses["n"].gather(m["cid"])
    start = (m["pos"] - width).clip(lower_bound=0)
    return n.str.slice(start, m["pos"] - start)


def window_after(clauses: pl.DataFrame, m: pl.DataFrame, width: int = 40) -> pl.Series:
    """The clause text after each match (normalized), at most ``width`` characters."""
    n = clauses["n"].gather(m["cid"])
    return n.str.slice(m["pos"] + m["wlen"], width).fill_null("")


def assess(clauses: pl.DataFrame, m: pl.DataFrame, lex: Lexicon,
           patterns: pl.DataFrame | PatternSet | None = None) -> pl.DataFrame:
    """Label matches and add ``negated``, ``hypothetical``, ``own`` and ``asserted``.

    ``m`` are matches of the lexicon's patterns (markers included), found with ``patterns``
    (by default the lexicon's cues; their ids key the cues), or their ``pattern_set``;
    returns one row per match and label, markers left out.
    """
    ps = patterns if isinstance(patterns, PatternSet) else pattern_set(lex, patterns)
    m = m.join(ps.cues, on="_pg").drop("_pg")
    # "she asked if I'd", "he told me if I": the other's question or condition is told; the
    # markers after such a frame in its clause do not count, unless the writer speaks it
    frames = m.filter(pl.col("kind") == "reported")
    frames = frames.filter(~window_before(clauses, frames).str.contains(lex.self_re))
    frames = frames.group_by("cid").agg(pl.col("pos").min().alias("_frame"))
    hyp = m.filter(pl.col("kind") == "hyp")
    frame_at = dense(clauses.height, frames["cid"], frames["_frame"]).gather(hyp["cid"])
    hyp = hyp.filter(frame_at.is_null() | (hyp["pos"] < frame_at))
    markers = hyp.group_by("cid").agg((pl.col("pos") + pl.col("wlen")).min().alias("_hyp_end"))
    hyp_end = dense(clauses.height, markers["cid"], markers["_hyp_end"])
    rest = m.filter(~pl.col("kind").is_in(["hyp", "nohyp", "reported", "plan"]))
    # "I should tell her it hurt, and clear the air": the planned telling covers its marker, so
    # what it would tell is told; a repair after it in its sentence is only planned
    plans = m.filter(pl.col("kind") == "plan")
    at = clauses["key"].gather(plans["cid"]) + plans["pos"] + plans["wlen"]
    plan_rows = (pl.DataFrame({"sid": clauses["sid"].gather(plans["cid"]), "_p": at})
                 .group_by("sid").agg(pl.col("_p").min()))
    # sentence ids run from 1 and never outnumber the clauses
    plan_end = dense(clauses.height + 1, plan_rows["sid"], plan_rows["_p"])
    planned = (plan_end.gather(clauses["sid"].gather(rest["cid"]))
               <= clauses["key"].gather(rest["cid"]) + rest["pos"]).fill_null(False)
    before = window_before(clauses, rest)
    # "stupid" counts as a judgement only as what the other says the writer is ("he told me
    # I'm stupid", "she calls me lazy")
    framed = rest["pattern"].is_in(list(lex.framed_patterns))
    if framed.any():
        at = framed.arg_true()
        label = rest["label"].gather(at)
        framed = (rest["pattern"].gather(at) + "\x1f" + label).is_in(list(lex.framed))
        text, judged = before.gather(at), label == "judged"
        framed_ok = (((judged & text.str.contains(lex.frame_re))
                      | (~judged & text.str.contains(lex.fuss_frame_re)))
                     & ~text.str.contains(lex.self_frame_re))
        keep = ~dense(rest.height, at, framed & ~framed_ok, False)
        # "he told me I am stupid": the "i am" the frame ends in is not the writer's own act
        said = dense(rest.height, at, framed & framed_ok, False).filter(keep)
        if not keep.all():
            rest, before, planned = rest.filter(keep), before.filter(keep), planned.filter(keep)
    else:
        said = pl.Series([False] * rest.height, dtype=pl.Boolean)
    negated = before.str.contains(lex.negator_re) & ~before.str.contains(lex.not_negating_re)
    # later stages read the same window: kept as ``_before``
    rest = rest.with_columns(negated.alias("negated"), before.alias("_before"),
                             hyp_end.gather(rest["cid"]))
    # the writer as subject only matters for themes and red flags
    is_mine = rest["kind"].is_in(["theme", "red_flag"])
    mine = rest.filter(is_mine)
    own = mine["_before"].str.contains(lex.self_re) & ~said.filter(is_mine)
    # a line crossed together ("my therapist and I hang out", "we slept together") is crossed
    # all the same: only the writer alone as subject makes a red-flag cue the writer's own act
    red = mine["kind"] == "red_flag"
    joint = dense(mine.height, red.arg_true(),
                  mine["_before"].filter(red).str.contains(lex.joint_re), False)
    own = own & ~joint
    # "he choked her", "she was abused as a child": someone else's experience, not the writer's
    themes = rest.filter(pl.col("kind") == "theme")
    after = window_after(clauses, themes, 16)
    word = clauses["n"].gather(themes["cid"]).str.slice(themes["pos"], themes["wlen"])
    # "talks badly about me to his friends": the writer is the object already
    to_me = themes["pattern"].str.contains(r" (?:me|my|us|our|i|i'm|myself) ")
    others = after.str.contains(lex.third_object_re) & ~to_me
    # a participle ("abused", "bullied") after a third person and a form of "be"
    at = (word.str.contains(r"(?:ed|en)\s*$") & (themes["label"] != "uncared")).arg_true()
    patient = themes["_before"].gather(at).str.contains(lex.third_patient_re)
    others = others | dense(themes.height, at, patient, False)
    is_theme = mine["kind"] == "theme"
    own = own | dense(is_theme.len(), is_theme.arg_true(), others, False)
    # "I was abused as a child", "I feel so unheard": the writer is the one it was done to or
    # who feels it (a theme that names no one is kept for this: episodes.unattributed)
    done = ((themes["_before"].str.contains(lex.writer_patient_re)
             & word.str.contains(lex.participle_re))
            | themes["_before"].str.contains(lex.writer_feeler_re))
    theme_at = (rest["kind"] == "theme").arg_true()
    rest = rest.with_columns(
        dense(rest.height, is_mine.arg_true(), own, False).alias("_own"),
        dense(rest.height, theme_at, done, False).alias("_writer"),
    )
    rest = rest.with_columns(
        ((pl.col("_hyp_end").is_not_null() & (pl.col("_hyp_end") <= pl.col("pos")))
         | ((pl.col("kind") == "repair") & pl.Series(planned)))
        .alias("hypothetical"),
        # "I ignored him": a theme is the other's response, never the writer's own act
        (pl.col("kind").is_in(["theme", "red_flag"]) & pl.col("_own")).alias("own"),
    )
    # "no one really believed me": a negated positive response is a negative one
    flips = (
        (pl.col("kind") == "theme") & pl.col("label").is_in(list(lex.flip)) & pl.col("negated")
        & ~pl.col("hypothetical") & ~pl.col("own")
    )
    rest = rest.with_columns(
        pl.when(flips).then(pl.col("label").replace(lex.flip)).otherwise(pl.col("label"))
        .alias("label"),
        (pl.col("negated") & ~flips).alias("negated"),
    )
    return rest.drop("_hyp_end", "_own").with_columns(
        (~pl.col("negated") & ~pl.col("hypothetical") & ~pl.col("own")).alias("asserted")
    )
