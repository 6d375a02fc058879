"""Episode extraction: journal entries in, relationship episodes and entry summaries out.

``extract(entries, people)`` runs one vectorized Polars pipeline over all entries at once:

1. ``sentences``: analysed text (title + newline + text), split into clauses with offsets;
2. ``cues``: one Aho-Corasick pass for every lexicon phrase, then negation and hypotheticals;
3. ``roles``: role words, declared and learned names, pronouns, mere mentions left out;
4. ``intensity``: 0-10 per clause from cue valences, boosters, capitals, "!", ratings;
5. ``episodes``: cues assigned to people, one episode per person and clause, entry summaries.

The word lists are ``patternlens/lexicons/*.toml``; ``EXTRACTOR_VERSION`` changes with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from patternlens.extract import episodes as _episodes
from patternlens.extract.cues import assess, matches
from patternlens.extract.episodes import ENTRY_SCHEMA, EPISODE_FIELDS, EPISODE_SCHEMA
from patternlens.extract.intensity import clause_intensity
from patternlens.extract.lexicon import Lexicon, load_lexicon
from patternlens.extract.roles import learn_names, mentions, therapy_entries
from patternlens.extract.sentences import clauses as split_clauses
from patternlens.extract.sentences import prepare

__all__ = [
    "ENTRY_SCHEMA",
    "EPISODE_SCHEMA",
    "EXTRACTOR_VERSION",
    "Extraction",
    "extract",
    "extractor_version",
]


def extractor_version() -> str:
    """Code version + hash of the lexicon files: a changed word list changes it."""
    return load_lexicon().version


EXTRACTOR_VERSION = extractor_version()


@dataclass(frozen=True)
class Extraction:
    """What ``extract`` returns: episodes, one summary per entry (input order), the version."""

    episodes: pl.DataFrame  # EPISODE_SCHEMA
    entries: pl.DataFrame  # ENTRY_SCHEMA
    version: str


def extract(entries: pl.DataFrame, people: pl.DataFrame | None = None) -> Extraction:
    """Extract relationship episodes from ``entries``.

    ``entries`` needs entry_id, subject, occurred_at, title, text (mood_level and tags are
    accepted and not used yet); ``people`` (subject, name, role) are the people the user
    declared. Offsets in episodes and evidence index the analysed text: ``title + "\\n" +
    text``, or ``text`` alone when the entry has no title.
    """
    lex = load_lexicon()
    meta = entries.select(
        pl.col("entry_id").cast(pl.String),
        pl.col("subject").cast(pl.String),
        pl.col("occurred_at"),
    ).with_row_index("row")
    docs = prepare(entries)
    cl = split_clauses(docs)
    cl = cl.with_columns(docs["mixed_case"].gather(cl["row"]).alias("mixed_case"))

    found = assess(cl, matches(docs, cl, lex.cues), lex)
    persons = found.filter(pl.col("group") == "person")
    markers = found.filter(pl.col("kind").is_in(["booster", "disproportion"]))
    content = found.filter(
        (pl.col("group") != "person") & ~pl.col("kind").is_in(["booster", "disproportion"])
    )

    names = learn_names(docs.select("subject", "doc"), people, lex)
    therapy = therapy_entries(docs, names, lex)
    men = mentions(docs, cl, persons, names, therapy, lex)
    content = _episodes.assign(cl, men, content, lex.anaphor_re)
    intens = clause_intensity(cl, content, markers, lex)
    eps = _episodes.episodes(cl, men, content, intens)

    opening = therapy.filter(pl.col("opens")).select("row")
    summary = _entry_summary(cl, content, eps, intens, lex, meta.height, opening)
    episodes_out = eps.join(meta, on="row", how="left").sort(["row", "episode"]).select(
        list(EPISODE_SCHEMA)
    )
    return Extraction(
        episodes=episodes_out,
        entries=meta.select("row", "entry_id").join(summary, on="row", how="left",
                                                   maintain_order="left")
        .select(list(ENTRY_SCHEMA)),
        version=lex.version,
    )


def _entry_summary(
    cl: pl.DataFrame,
    content: pl.DataFrame,
    eps: pl.DataFrame,
    intens: pl.DataFrame,
    lex: Lexicon,
    n: int,
    opening: pl.DataFrame,
) -> pl.DataFrame:
    told = content.filter(pl.col("asserted"))
    # therapy and crisis words right after a third person are about that person
    about_other = content["_before"].str.contains(lex.third_person_re)
    content = content.with_columns(pl.Series("_other", about_other))
    therapy_sent = (
        content.filter((pl.col("kind") == "therapy") & pl.col("asserted") & ~pl.col("_other"))
        .select("row", cl["sentence"].gather(content.filter(
            (pl.col("kind") == "therapy") & pl.col("asserted") & ~pl.col("_other"))["cid"])
            .alias("sentence"))
        .unique()
    )
    loose = told.filter(pl.col("key").is_null() & pl.col("kind").is_in(["rupture", "repair"]))
    loose = loose.with_columns(cl["sentence"].gather(loose["cid"]).alias("sentence"))
    # in a sentence about therapy, or anywhere in an entry opening "Therapy."
    loose = pl.concat([
        loose.join(therapy_sent, on=["row", "sentence"], how="semi"),
        loose.join(opening, on="row", how="semi"),
    ])
    empty = pl.lit([], dtype=pl.List(pl.String()))
    by_row = told.group_by("row").agg(
        pl.col("label").filter(pl.col("kind") == "emotion").unique().sort().alias("emotions"),
        pl.col("label").filter(pl.col("kind") == "response").unique().alias("_resp"),
        # a felt response counts even when the entry names nobody: "they all judge me"
        pl.col("label").filter(pl.col("kind") == "theme").unique().alias("_themes"),
        (pl.col("kind") == "past").any().alias("past"),
    )
    # an entry opening "Therapy." is about the writer's therapy, whoever it names
    therapy = pl.concat([therapy_sent.select("row"), opening.select("row")]).unique().with_columns(
        pl.lit(True).alias("_therapy"))
    mine = content["_before"].str.contains(lex.first_person_re)
    content = content.with_columns(pl.Series("_mine", mine))
    crisis = (
        content.filter(
            (pl.col("kind") == "crisis") & ~pl.col("negated") & ~pl.col("_other")
            & (pl.col("_mine") | pl.col("key").is_null() | ~pl.col("via_prev"))
        )
        .select("row").unique().with_columns(pl.lit(True).alias("crisis"))
    )
    loose_flags = loose.group_by("row").agg(
        (pl.col("kind") == "rupture").any().alias("_loose_rupture"),
        (pl.col("kind") == "repair").any().alias("_loose_repair"),
    )
    max_int = intens.with_columns(cl["row"].gather(intens["cid"]).alias("row")).group_by(
        "row").agg(pl.col("intensity").max())
    per_ep = eps.group_by("row").agg(
        pl.col("role").unique().sort().alias("roles"),
        pl.col("themes").list.explode(keep_nulls=False, empty_as_null=False).unique()
        .alias("_ep_themes"),
        pl.col("responses").list.explode(keep_nulls=False, empty_as_null=False).unique().alias("_ep_resp"),
        pl.col("in_therapy").any().alias("_ep_therapy"),
        pl.col("rupture").any().alias("_rupture"),
        pl.col("repair").any().alias("_repair"),
        pl.col("red_flag").any().alias("red_flag"),
        pl.struct(EPISODE_FIELDS).alias("episodes"),
    )
    rows = pl.DataFrame({"row": pl.arange(0, n, eager=True, dtype=pl.UInt32)})
    out = (
        rows.join(per_ep, on="row", how="left")
        .join(by_row, on="row", how="left")
        .join(therapy, on="row", how="left")
        .join(crisis, on="row", how="left")
        .join(loose_flags, on="row", how="left")
        .join(max_int, on="row", how="left")
    )
    f = pl.col
    return out.with_columns(
        *(f(c).fill_null(empty) for c in ("roles", "emotions")),
        pl.concat_list(f("_themes").fill_null(empty), f("_ep_themes").fill_null(empty))
        .list.unique().list.sort().alias("themes"),
        # in an entry that tells an episode, the writer's feelings are their response (RS)
        pl.concat_list(
            f("_resp").fill_null(empty),
            f("_ep_resp").fill_null(empty),
            pl.when(f("roles").list.len().fill_null(0) > 0)
            .then(f("emotions").fill_null(empty)).otherwise(empty),
        ).list.unique().list.sort().alias("responses"),
        f("intensity").fill_null(0.0),
        (f("_ep_therapy").fill_null(False) | f("_therapy").fill_null(False)).alias("in_therapy"),
        (f("_rupture").fill_null(False) | f("_loose_rupture").fill_null(False)).alias("rupture"),
        (f("_repair").fill_null(False) | f("_loose_repair").fill_null(False)).alias("repair"),
        f("red_flag").fill_null(False),
        f("past").fill_null(False),
        f("crisis").fill_null(False),
        f("episodes").fill_null(pl.lit([], dtype=ENTRY_SCHEMA["episodes"])),
    ).with_columns((f("intensity") >= 7).alias("strong")).sort("row").select(
        "row", *(c for c in ENTRY_SCHEMA if c != "entry_id")
    )
