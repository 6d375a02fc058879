"""Red flags and crisis entries: what is shown apart from patterns, and before them.

A red flag is a line crossed in therapy (sexual or romantic contact, money or business, a
friendship outside sessions, a breach of confidentiality, threats, blocking care): a reason to
seek another therapist or to report it, never a pattern to work on, and never mixed with the
ordinary strains of the rupture ledger. An entry with crisis language (self-harm, suicide) is
shown first with a pointer to crisis resources and is left out of every other analysis
(``exclude_crisis``).
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources

import polars as pl

from patternlens.analyze.ids import with_finding_ids
from patternlens.analyze.ruptures import short_quote, without_crisis
from patternlens.extract.sentences import document
from patternlens.timezones import with_local_date

RED_FLAG_NOTE = (
    "A therapist crossing this line is not a pattern of yours to work on. It is a reason to "
    "seek another therapist, and it can be reported to their licensing board."
)
CRISIS_RESOURCES = (
    "If you are in danger, call your local emergency number. In the US, call or text 988; "
    "in the UK and Ireland, Samaritans 116 123; elsewhere, findahelpline.com"
)

RED_FLAG_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "entry_id": pl.String(),
    "date": pl.Date(),
    "quote": pl.String(),
    "note": pl.String(),
}
CRISIS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "entry_id": pl.String(),
    "date": pl.Date(),
    "quote": pl.String(),
    "resources": pl.String(),
}


def _zones(records: pl.DataFrame, entries: pl.DataFrame | None) -> pl.DataFrame | None:
    if entries is None and "timezone" in records.columns:
        return records.select("entry_id", "timezone")
    return entries


def red_flags(episodes: pl.DataFrame, records: pl.DataFrame, *,
              entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per entry with a red flag: id (kind "red_flag", key the entry), subject,
    entry_id, date, quote (the red-flag cues of the entry, joined) and the plain ``note``."""
    cues = (
        episodes.filter(pl.col("red_flag"))
        .select("entry_id", "subject", "occurred_at", "episode", "evidence")
        .explode("evidence").unnest("evidence")
        .filter(pl.col("kind") == "red_flag")
        .sort("entry_id", "episode", "start")
        .group_by("entry_id", maintain_order=True)
        .agg(pl.col("subject").first(), pl.col("occurred_at").first(),
             pl.col("quote").unique(maintain_order=True).str.join(" … ").alias("quote"))
    )
    # an entry flagged without a quotable cue still shows
    flagged = records.filter(pl.col("red_flag")).select("entry_id", "subject", "occurred_at")
    rest = flagged.join(cues, on="entry_id", how="anti").with_columns(
        pl.lit(None, pl.String).alias("quote"))
    rows = pl.concat([cues.select(rest.columns), rest])
    if rows.is_empty():
        return pl.DataFrame(schema=RED_FLAG_SCHEMA)
    rows = with_local_date(rows, _zones(records, entries))
    rows = with_finding_ids(rows, "red_flag", "entry_id").with_columns(
        short_quote(pl.col("quote")).alias("quote"), pl.lit(RED_FLAG_NOTE).alias("note"))
    return rows.sort("subject", "date", "entry_id").select(
        pl.col(k).cast(v) for k, v in RED_FLAG_SCHEMA.items())


@lru_cache(maxsize=1)
def _crisis_sentence_regex() -> str:
    """A sentence holding one of the extractor's crisis cues (lexicons/crisis.toml)."""
    raw = (resources.files("patternlens") / "lexicons" / "crisis.toml").read_text("utf-8")
    cues: list[str] = tomllib.loads(raw)["cues"]
    alt = "|".join(
        re.escape(c).replace(r"\*", r"\w*").replace(r"\ ", r"\s+").replace("'", "['’]")
        for c in sorted(cues, key=len, reverse=True))
    return rf"(?i)[^.!?\n]*\b(?:{alt})\b[^.!?\n]*"


def crisis_entries(records: pl.DataFrame, episodes: pl.DataFrame, *,
                   entries: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per entry with crisis language: id (kind "crisis", key the entry), subject,
    entry_id, date, quote (the first sentence with a crisis cue, when ``entries`` brings the
    text; the extractor keeps no crisis evidence) and ``resources``. ``episodes`` is accepted
    so every safety function takes the same frames; the crisis flag lives on the record."""
    del episodes
    rows = records.filter(pl.col("crisis")).select("entry_id", "subject", "occurred_at")
    if rows.is_empty():
        return pl.DataFrame(schema=CRISIS_SCHEMA)
    quote = pl.lit(None, pl.String)
    if entries is not None and "text" in entries.columns:
        if "title" not in entries.columns:
            entries = entries.with_columns(pl.lit(None, pl.String).alias("title"))
        docs = entries.select("entry_id", document(entries).alias("_doc")).unique(
            "entry_id", keep="last")
        rows = rows.join(docs, on="entry_id", how="left", maintain_order="left")
        quote = pl.col("_doc").str.extract(_crisis_sentence_regex(), 0)
    rows = with_local_date(rows.with_columns(short_quote(quote).alias("quote")), _zones(records, entries))
    rows = with_finding_ids(rows, "crisis", "entry_id").with_columns(
        pl.lit(CRISIS_RESOURCES).alias("resources"))
    return rows.sort("subject", "date", "entry_id").select(
        pl.col(k).cast(v) for k, v in CRISIS_SCHEMA.items())


def exclude_crisis(episodes: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """``episodes`` without those of crisis entries: they are never scored as patterns."""
    return without_crisis(episodes, records)[0]
