"""The rupture ledger: each rupture with the therapist, whether and when a repair followed.

A rupture *event* gathers a writer's rupture entries (an entry with a rupture episode, or an
entry the extractor flagged ``rupture``) in time order, from the first one until a repair
closes it. Two rules decide where one event ends and the next begins:

- a repair closes the event unless rupture markers come back within ``RENEWAL_DAYS`` of it:
  then the repair did not hold, the rupture goes on, and the event's status is
  ``repair_attempted`` until a later repair holds (``repaired``);
- more than ``GAP_DAYS`` without any therapy mention (rupture, repair or any in-therapy entry)
  ends an unrepaired event (it stays ``open``); a later rupture starts a new one.

Days are the writer's local calendar days (see ``with_local_date``). Each rupture cue is
classified as a 3RS withdrawal or confrontation marker: the extractor's own label when it gives
one, else the word list ``lexicons/rupture_markers.toml`` on the cue's quote, then on its clause.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

import polars as pl

from patternlens import taxonomy
from patternlens.analyze.ids import with_finding_ids
from patternlens.extract.sentences import document
from patternlens.timezones import with_local_date

# One weekly session can be skipped or cancelled without the rupture being over; four cannot.
GAP_DAYS = 28
# Rupture markers by the second weekly session after a repair mean the repair did not hold.
RENEWAL_DAYS = 14
MARKER_KINDS = ("withdrawal", "confrontation")
# taxonomy v1 themes felt as a negative response of the other (every theme but "understood")
NEGATIVE_THEMES = taxonomy.NEGATIVE_THEMES
QUOTE_CHARS = 200

LEDGER_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "started": pl.Date(),
    "first_entry": pl.String(),
    "markers": pl.List(pl.String()),
    "status": pl.String(),
    "repaired": pl.Date(),
    "repair_entry": pl.String(),
    "days_to_repair": pl.Int64(),
    "n_entries": pl.UInt32(),
    "last_seen": pl.Date(),
}
EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "subject": pl.String(),
    "entry_id": pl.String(),
    "date": pl.Date(),
    "kind": pl.String(),
    "quote": pl.String(),
}
_STATUS_ORDER = {"open": 0, "repair_attempted": 0, "repaired": 1}


# -- the marker word list -------------------------------------------------------------------
def _phrase_regex(phrase: str, slots: dict[str, list[str]]) -> str:
    out = re.escape(phrase.lower().replace("’", "'"))
    out = out.replace(r"\*", r"\w*").replace("'", "['’]").replace(r"\ ", r"\s+")
    for slot, words in slots.items():
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]") for w in words)
        out = out.replace(r"\{" + slot + r"\}", f"(?:{alt})")
    return out


@lru_cache(maxsize=1)
def marker_lexicon() -> dict[str, Any]:
    """The rupture marker word list: version, one regex per marker kind, evidence labels."""
    raw = (resources.files("patternlens") / "lexicons" / "rupture_markers.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    slots: dict[str, list[str]] = data.get("slots", {})
    regex = {}
    for kind in MARKER_KINDS:
        phrases = sorted(data["markers"][kind]["phrases"], key=len, reverse=True)
        body = "|".join(_phrase_regex(p, slots) for p in phrases)
        regex[kind] = rf"(?i)\b(?:{body})\b"
    labels = {f"{lab}": kind for kind in MARKER_KINDS for lab in data.get("labels", {}).get(kind, [])}
    return {"version": str(data["version"]), "regex": regex, "labels": labels}


def classify(text: pl.Expr) -> pl.Expr:
    """withdrawal / confrontation for a text, by the phrase that comes first; null if none."""
    rx = marker_lexicon()["regex"]
    w = text.str.find(rx["withdrawal"])
    c = text.str.find(rx["confrontation"])
    return (
        pl.when(w.is_not_null() & (c.is_null() | (w <= c))).then(pl.lit("withdrawal"))
        .when(c.is_not_null()).then(pl.lit("confrontation"))
        .otherwise(pl.lit(None, pl.String))
    )


def short_quote(text: pl.Expr) -> pl.Expr:
    text = text.str.strip_chars()
    return pl.when(text.str.len_chars() > QUOTE_CHARS).then(
        text.str.slice(0, QUOTE_CHARS - 1).str.strip_chars_end() + "…").otherwise(text)


# -- the ledger ----------------------------------------------------------------------------
def without_crisis(episodes: pl.DataFrame,
                   records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Episodes and records without the entries that hold crisis language."""
    if "crisis" not in records.columns:
        return episodes, records
    crisis = records.filter(pl.col("crisis").fill_null(False)).select("entry_id")
    return (episodes.join(crisis, on="entry_id", how="anti", maintain_order="left"),
            records.join(crisis, on="entry_id", how="anti", maintain_order="left"))


def timeline(episodes: pl.DataFrame, records: pl.DataFrame,
             entries: pl.DataFrame | None) -> pl.DataFrame:
    """One row per therapy-related entry: subject, entry_id, occurred_at, date, r, p."""
    flags = ["rupture", "repair", "in_therapy"]
    zone = ["timezone"] if "timezone" in records.columns else []
    if episodes.is_empty():  # records alone: one per entry, its flags include its episodes'
        tl = records.select("entry_id", "subject", "occurred_at",
                            *(pl.col(f).fill_null(False) for f in flags), *zone).filter(
            pl.any_horizontal(*flags))
    else:
        rows = pl.concat([
            frame.lazy().select("entry_id", "subject", "occurred_at", *flags, *zone)
            .filter(pl.any_horizontal(*flags).fill_null(False))
            for frame in (records, episodes.with_columns(pl.lit(None, pl.String).alias("timezone")))
        ], how="vertical_relaxed")
        tl = rows.group_by("entry_id").agg(
            pl.col("subject").first(), pl.col("occurred_at").first(),
            *(pl.col(f).fill_null(False).any() for f in flags),
            *(pl.col(z).drop_nulls().first() for z in zone),
        ).collect()
    tl = with_local_date(tl, entries)
    return tl.sort("subject", "occurred_at", "entry_id").rename({"rupture": "r", "repair": "p"})


def _events(tl: pl.DataFrame) -> pl.DataFrame:
    """Timeline rows that belong to a rupture event, with ``seg`` (event number per subject)
    and ``closing`` (the repair that holds)."""
    by = "subject"
    day = pl.col("date")
    gap = ((day - day.shift(1)).dt.total_days() > GAP_DAYS).fill_null(False).over(by)
    next_rupture = pl.when(pl.col("r")).then(day).shift(-1).backward_fill().over(by)
    closing = pl.col("p") & (
        next_rupture.is_null() | ((next_rupture - day).dt.total_days() > RENEWAL_DAYS))
    tl = tl.with_columns(gap.alias("gap"), closing.alias("closing"))
    tl = tl.with_columns(
        (pl.col("gap").cast(pl.Int32).cum_sum()
         + pl.col("closing").shift(1, fill_value=False).cast(pl.Int32).cum_sum()).over(by)
        .alias("seg"))
    # an event starts at the first rupture entry of a segment; repairs before it close nothing
    tl = tl.filter(pl.col("r").cast(pl.Int32).cum_sum().over(by, "seg") > 0)
    return tl.filter(pl.col("r") | pl.col("p")).with_columns(
        pl.col("entry_id").first().over(by, "seg").alias("first_entry"))


def _drop_covered(rows: pl.DataFrame) -> pl.DataFrame:
    """Drop a cue whose span lies inside a longer cue of the same kind ("didn't tell" inside
    "didn't tell her")."""
    rows = rows.with_row_index("_i")
    keys = ["id", "entry_id", "kind"]
    other = rows.select(*keys, pl.col("_pos").alias("_p2"), pl.col("_end").alias("_e2"))
    covered = rows.join(other, on=keys, how="inner").filter(
        (pl.col("_p2") <= pl.col("_pos")) & (pl.col("_e2") >= pl.col("_end"))
        & ((pl.col("_p2") != pl.col("_pos")) | (pl.col("_e2") != pl.col("_end")))
    ).select("_i").unique()
    return rows.join(covered, on="_i", how="anti", maintain_order="left").drop("_i")


def event_evidence(episodes: pl.DataFrame, members: pl.DataFrame,
              entries: pl.DataFrame | None) -> pl.DataFrame:
    """Evidence rows (id, subject, entry_id, date, kind, quote) for the event entries."""
    labels: dict[str, str] = marker_lexicon()["labels"]
    ep = episodes.filter(pl.col("rupture") | pl.col("repair")).select(
        "entry_id", pl.col("rupture").alias("ep_r"), pl.col("repair").alias("ep_p"),
        pl.col("start").alias("c_start"), pl.col("end").alias("c_end"), "evidence",
    ).join(members.select("entry_id", "id", "subject", "date"), on="entry_id", how="inner")
    ev = ep.explode("evidence").filter(pl.col("evidence").is_not_null()).unnest("evidence")
    docs = None
    if entries is not None and "text" in entries.columns:
        if "title" not in entries.columns:
            entries = entries.with_columns(pl.lit(None, pl.String).alias("title"))
        docs = entries.select("entry_id", document(entries).alias("doc")).unique(
            "entry_id", keep="last")
        ev = ev.join(docs, on="entry_id", how="left")
        clause = pl.col("doc").str.slice(pl.col("c_start"), pl.col("c_end") - pl.col("c_start"))
    else:
        clause = pl.lit(None, pl.String)
    kind, label = pl.col("kind"), pl.col("label")
    tagged = (kind + ":" + label).replace_strict(labels, default=None, return_dtype=pl.String)
    marker = (
        pl.when(kind.is_in(MARKER_KINDS)).then(kind)
        .when((kind == "rupture") & label.is_in(MARKER_KINDS)).then(label)
        .when(kind == "rupture").then(pl.coalesce(classify(pl.col("quote")), classify(clause),
                                                  pl.lit("rupture")))
        .when(pl.col("ep_r") & tagged.is_not_null()).then(tagged)
        .when(pl.col("ep_r") & (kind == "theme") & label.is_in(NEGATIVE_THEMES))
        .then(pl.lit("theme:") + label)
        .when(pl.col("ep_p") & (kind == "repair")).then(pl.lit("repair"))
    )
    rows = ev.select("id", "subject", "entry_id", "date", marker.alias("kind"),
                     short_quote(pl.col("quote")).alias("quote"), pl.col("start").alias("_pos"),
                     pl.col("end").alias("_end"))
    rows = _drop_covered(rows.filter(pl.col("kind").is_not_null()))

    # entries flagged rupture with no marker evidence (a cue told of no person): the sentences
    # of the entry that hold a marker phrase, when the text is at hand
    marked = rows.filter(pl.col("kind").is_in([*MARKER_KINDS, "rupture"]))
    bare = members.filter(pl.col("r")).join(marked, on="entry_id", how="anti")
    if docs is not None and bare.height:
        rx = marker_lexicon()["regex"]
        body = "|".join(f"(?:{rx[k].removeprefix('(?i)')})" for k in MARKER_KINDS)
        sentence = rf"(?i)[^.!?\n]*(?:{body})[^.!?\n]*"
        found = (
            bare.join(docs, on="entry_id", how="inner")
            .select("id", "subject", "entry_id", "date",
                    pl.col("doc").str.extract_all(sentence).alias("quote"))
            .explode("quote").filter(pl.col("quote").is_not_null())
            .with_columns(classify(pl.col("quote")).alias("kind"),
                          short_quote(pl.col("quote")).alias("quote"),
                          pl.lit(None, pl.Int64).alias("_pos"),
                          pl.lit(None, pl.Int64).alias("_end"))
            .filter(pl.col("kind").is_not_null())
        )
        rows = pl.concat([rows, found.select(rows.columns)])

    # an event entry with nothing to quote still shows, so every entry is traceable
    silent = members.join(rows, on="entry_id", how="anti").select(
        "id", "subject", "entry_id", "date",
        pl.when(pl.col("r")).then(pl.lit("rupture")).otherwise(pl.lit("repair")).alias("kind"),
        pl.lit(None, pl.String).alias("quote"), pl.lit(None, pl.Int64).alias("_pos"),
        pl.lit(None, pl.Int64).alias("_end"),
    )
    rows = pl.concat([rows, silent])
    return (
        rows.unique(["id", "entry_id", "kind", "quote"], keep="first", maintain_order=True)
        .sort("subject", "date", "entry_id", "_pos", nulls_last=True, maintain_order=True)
        .select(list(EVIDENCE_SCHEMA))
    )


def rupture_ledger(episodes: pl.DataFrame, records: pl.DataFrame, *,
                   entries: pl.DataFrame | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rupture ledger and its evidence rows.

    ``episodes`` and ``records`` are the extractor's frames. ``entries`` (optional: entry_id,
    and ``timezone`` for local dates, ``title``/``text`` to classify a cue by its clause and to
    quote entries whose rupture cue names no person) is the live entry frame.

    Ledger: id (kind "rupture", key the first entry), subject, started, first_entry, markers
    (withdrawal / confrontation), status (open / repair_attempted / repaired), repaired,
    repair_entry, days_to_repair, n_entries (entries with a rupture or repair marker),
    last_seen; unresolved ruptures first, then by start. Crisis entries are left out.
    Evidence: id, subject, entry_id, date, kind (withdrawal, confrontation, rupture when
    unclassified, theme:<id>, repair), quote.
    """
    episodes, records = without_crisis(episodes, records)
    members = event_members(timeline(episodes, records, entries))
    if members.is_empty():
        return pl.DataFrame(schema=LEDGER_SCHEMA), pl.DataFrame(schema=EVIDENCE_SCHEMA)
    evidence = event_evidence(episodes, members, entries)
    ledger = ledger_rows(members, event_markers(evidence))
    return ledger, evidence.select(pl.col(k).cast(v) for k, v in EVIDENCE_SCHEMA.items())


def event_members(tl: pl.DataFrame) -> pl.DataFrame:
    """The timeline rows (``timeline``: one per therapy-related entry, local ``date``, ``r``,
    ``p``, oldest first per writer) that belong to a rupture event, each with its event ``id``."""
    members = _events(tl)
    if members.is_empty():
        return members.with_columns(pl.lit(None, pl.String).alias("id"))
    ids = with_finding_ids(members.select("subject", "first_entry").unique(), "rupture",
                           "first_entry")
    return members.join(ids, on=["subject", "first_entry"], how="left", maintain_order="left")


def event_markers(evidence: pl.DataFrame) -> pl.DataFrame:
    """Per event id, its 3RS marker kinds (sorted) from its evidence rows."""
    return evidence.filter(pl.col("kind").is_in(MARKER_KINDS)).group_by("id").agg(
        pl.col("kind").unique().sort().alias("markers"))


def ledger_rows(members: pl.DataFrame, markers: pl.DataFrame) -> pl.DataFrame:
    """One ledger row per event from its member entries and its markers (id, markers)."""
    closed = pl.col("closing").last()
    ledger = members.group_by("id", maintain_order=True).agg(
        pl.col("subject").first(),
        pl.col("date").first().alias("started"),
        pl.col("first_entry").first(),
        pl.when(closed).then(pl.lit("repaired"))
        .when(pl.col("p").any()).then(pl.lit("repair_attempted"))
        .otherwise(pl.lit("open")).alias("status"),
        pl.when(closed).then(pl.col("date").last()).alias("repaired"),
        pl.when(closed).then(pl.col("entry_id").last()).alias("repair_entry"),
        pl.len().alias("n_entries"),
        pl.col("date").last().alias("last_seen"),
    )
    ledger = ledger.join(markers, on="id", how="left").with_columns(
        pl.col("markers").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        (pl.col("repaired") - pl.col("started")).dt.total_days().alias("days_to_repair"),
    )
    ledger = ledger.sort(
        pl.col("subject"), pl.col("status").replace_strict(_STATUS_ORDER, return_dtype=pl.Int8),
        pl.col("started"), pl.col("first_entry"),
    )
    return ledger.select(pl.col(k).cast(v) for k, v in LEDGER_SCHEMA.items())
