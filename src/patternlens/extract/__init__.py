"""Episode extraction: journal entries in, relationship episodes and entry summaries out.

``extract(entries, people, prior)`` learns names over all of a writer's entries (with the
stored name evidence of the writer's other entries, ``prior``), then runs one
vectorized Polars pipeline over chunks of at most ``CHUNK`` entries (every other step is per
entry, so chunks change nothing but memory; one per worker is in flight, ``chunk_size``):

1. ``sentences``: analysed text (title + newline + text), split into clauses with offsets;
2. ``cues``: one Aho-Corasick pass for every lexicon phrase and name, then negation and
   hypotheticals;
3. ``roles``: role words, declared and learned names, pronouns, mere mentions left out;
4. ``intensity``: 0-10 per clause from cue valences, boosters, capitals, "!", ratings;
5. ``episodes``: cues assigned to people, one episode per person and clause;
6. ``summary``: one summary per entry.

Patterns, groups, labels and person keys travel as integer ranks that sort like their strings,
and per-clause or per-entry values are placed by index (``cid``, ``row``), not joined back.
The word lists are ``patternlens/lexicons/*.toml``; ``EXTRACTOR_VERSION`` changes with them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from patternlens.extract import episodes as _episodes
from patternlens.extract.cues import PatternSet, assess, matches, pattern_set
from patternlens.extract.episodes import ENTRY_SCHEMA, EPISODE_SCHEMA
from patternlens.extract.intensity import clause_intensity
from patternlens.extract.lexicon import Lexicon, lexicon_version, load_lexicon
from patternlens.extract.roles import (
    EVIDENCE_SCHEMA,
    NAME_GROUP,
    evidence_parts,
    joined_evidence,
    mentions,
    name_patterns,
    names_from_evidence,
    therapy_entries,
    therapy_told,
    with_therapist,
)
from patternlens.extract.sentences import clauses as split_clauses
from patternlens.extract.sentences import document, prepare
from patternlens.extract.summary import summarize

__all__ = [
    "ENTRY_SCHEMA",
    "EPISODE_SCHEMA",
    "EXTRACTOR_VERSION",
    "NAME_EVIDENCE_SCHEMA",
    "Extraction",
    "extract",
    "extractor_version",
    "learned_names",
]

# Per-entry evidence of who is who, kept by the store so names can be learned again without
# re-reading a whole journal (see ``extract``'s ``prior``).
NAME_EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "entry_id": pl.String(), **{k: v for k, v in EVIDENCE_SCHEMA.items() if k != "row"}}


def extractor_version() -> str:
    """Code version + hash of the lexicon files: a changed word list changes it. Known
    without compiling the lexicon, so a run with nothing to extract never compiles it."""
    return lexicon_version()


EXTRACTOR_VERSION = extractor_version()
CHUNK = 10_000  # at most, entries per pass


@dataclass(frozen=True)
class Extraction:
    """What ``extract`` returns: episodes, one summary per entry (input order), the version."""

    episodes: pl.DataFrame  # EPISODE_SCHEMA
    entries: pl.DataFrame  # ENTRY_SCHEMA
    version: str
    name_evidence: pl.DataFrame  # NAME_EVIDENCE_SCHEMA, for these entries only


def extract(entries: pl.DataFrame, people: pl.DataFrame | None = None,
            prior: pl.DataFrame | None = None) -> Extraction:
    """Extract relationship episodes from ``entries``.

    ``entries`` needs entry_id, subject, occurred_at, title, text (mood_level and tags are
    accepted and not used yet); ``people`` (subject, name, role) are the people the user
    declared. Offsets in episodes and evidence index the analysed text: ``title + "\\n" +
    text``, or ``text`` alone when the entry has no title.

    Names are learned from all the entries given plus ``prior`` (NAME_EVIDENCE_SCHEMA): the
    stored evidence of the same writers' other entries. Extracting new entries with their
    journal's prior evidence gives what extracting the whole journal would give them.
    """
    lex = load_lexicon()
    # names are learned over all of a writer's entries; everything else is per entry, so the
    # entries go through in chunks (bounded memory, cache-sized frames), results in order
    # Polars releases the GIL for most of a chunk's work: one chunk per core in flight, and one
    # more for the moments a chunk holds the GIL, keep the cores busy where one chunk's
    # single-column string operations would run on one
    workers = pl.thread_pool_size() + 1
    size = chunk_size(entries.height, workers)
    starts = range(0, max(entries.height, 1), size)
    chunks = [entries.slice(start, size) for start in starts]
    workers = min(workers, len(chunks))

    def told(start: int, chunk: pl.DataFrame) -> list[pl.DataFrame]:
        texts = chunk.select(pl.col("subject").cast(pl.String), document(chunk).alias("doc"))
        return evidence_parts(texts.with_row_index("row", offset=start), lex)

    with ThreadPoolExecutor(workers) as pool:
        evidence = joined_evidence(list(pool.map(told, starts, chunks)))
        known = evidence.drop("row")
        if prior is not None:
            known = pl.concat([known, prior.select(known.columns).cast(known.schema)])
        names = names_from_evidence(known, people, lex)
        # one Aho-Corasick pass for the lexicon's phrases and the writers' names together;
        # their ids are the same for every chunk
        patterns = pattern_set(lex, pl.concat([lex.cues.select("pattern", "group"),
                                               name_patterns(names)]))
        parts = list(pool.map(lambda c: _extract_chunk(c, names, lex, patterns), chunks))
    return Extraction(
        episodes=pl.concat([p[0] for p in parts]),
        entries=pl.concat([p[1] for p in parts]),
        version=lex.version,
        name_evidence=evidence.with_columns(
            entries["entry_id"].cast(pl.String).gather(evidence["row"]).alias("entry_id")
        ).select(list(NAME_EVIDENCE_SCHEMA)),
    )


def chunk_size(n: int, workers: int) -> int:
    """Entries per chunk: at most ``CHUNK``, and when there are several chunks, as many of the
    same size as fill every worker in each round; a last chunk running alone would leave a
    core idle."""
    if n <= CHUNK:
        return max(n, 1)
    rounds = -(-n // (CHUNK * workers))
    return -(-n // (rounds * workers))


def learned_names(evidence: pl.DataFrame, people: pl.DataFrame | None = None) -> pl.DataFrame:
    """(subject, pattern, person, role): the names a journal's evidence teaches."""
    return names_from_evidence(evidence, people, load_lexicon())


def _extract_chunk(
    entries: pl.DataFrame, names: pl.DataFrame, lex: Lexicon, patterns: PatternSet
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Episodes and entry summaries of some entries, given the names learned over all."""
    meta = entries.select(
        pl.col("entry_id").cast(pl.String),
        pl.col("subject").cast(pl.String),
        pl.col("occurred_at"),
    )
    docs = prepare(entries)
    cl = split_clauses(docs)
    cl = cl.with_columns(docs["mixed_case"].gather(cl["row"]).alias("mixed_case"))

    hits = matches(docs, cl, patterns)
    is_name = pl.col("group") == NAME_GROUP
    found = assess(cl, hits.filter(~is_name), lex, patterns)
    persons = found.filter(pl.col("group") == "person")
    markers = found.filter(pl.col("kind").is_in(["booster", "disproportion"]))
    content = found.filter(
        (pl.col("group") != "person") & ~pl.col("kind").is_in(["booster", "disproportion"])
    )

    therapy = therapy_entries(docs, hits.filter(is_name), names, lex)
    content = _episodes.strained(content)
    # an entry whose first person is an unnamed she/he, with a rupture or repair marker in her
    # sentence and therapy told in the entry, is about the therapist too: its pronouns without
    # antecedent are the therapist
    name_hits = hits.filter(is_name)
    candidates = _episodes.pronoun_candidates(cl, persons, name_hits, content)
    telling = therapy_told(docs, name_hits, names, lex, candidates)
    pron_rows = _episodes.pronoun_first_rows(cl, candidates, lex, telling)
    pron_rows = pron_rows.filter(~pron_rows.is_in(therapy["row"].implode()))
    pronoun_therapy = pl.concat([therapy, with_therapist(
        docs.filter(pl.col("row").is_in(pron_rows.implode()))
        .select("row", "subject", pl.lit(False).alias("opens")), names)])
    men = mentions(docs, cl, persons, name_hits, names, pronoun_therapy, lex)
    content = _episodes.assign(cl, men, content, lex.anaphor_re)
    intens = clause_intensity(cl, content, markers, lex)
    settled = _episodes.settled_ruptures(cl, content)
    undone = _episodes.undone_repairs(cl, content)
    eps = _episodes.episodes(cl, men, content, intens, settled, undone)

    opening = therapy.filter(pl.col("opens")).select("row")
    # a theme that is nobody's response does not label the entry either
    told = content.filter(~_episodes.unattributed(cl, content, lex.other_re))
    summary = summarize(cl, told, eps, intens, lex, meta.height, opening,
                        therapy.select("row"), settled, undone)
    # episodes come sorted by row and episode, summaries in row order: entry fields by index
    at = eps["row"]
    episodes_out = eps.with_columns(
        meta["entry_id"].gather(at), meta["subject"].gather(at), meta["occurred_at"].gather(at)
    ).select(list(EPISODE_SCHEMA))
    return episodes_out, summary.with_columns(meta["entry_id"]).select(list(ENTRY_SCHEMA))
