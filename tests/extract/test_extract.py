"""The extract() contract: shapes, order, offsets, schema, version."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import polars as pl
import pytest
from extract_helpers import analysed, entries_frame, run
from hypothesis import given, settings
from hypothesis import strategies as st

import patternlens.extract as pkg
from patternlens.extract import ENTRY_SCHEMA, EPISODE_SCHEMA, extract
from patternlens.extract.lexicon import digest, load_lexicon
from patternlens.extract.sentences import clauses, prepare

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "entry_record.schema.json"

TEXTS = [
    "My mom yelled at me again! She never listens… I know it’s tiny but I cried for hours.",
    "Séance with my therapist: she looked bored — and I didn't tell her. “Fine”, I said.",
    None,
    "",
    "My partner Sam\u00a0forgot. Sam said I was overreacting; I shut down.\r\nMy fiancé left me.",
]
TITLES = ["Rough day", None, "Only a title", None, "Zoë’s week"]


def check_offsets(texts: list[str | None], titles: list[str | None]) -> None:
    x = extract(entries_frame(texts, titles))
    for ep in x.episodes.to_dicts():
        i = int(ep["entry_id"][1:])
        doc = analysed(texts[i], titles[i])
        assert 0 <= ep["start"] <= ep["end"] <= len(doc)
        for ev in ep["evidence"]:
            assert doc[ev["start"]:ev["end"]] == ev["quote"], (doc, ev)


def test_one_summary_per_entry_in_input_order() -> None:
    x = extract(entries_frame(TEXTS, TITLES))
    assert x.entries["entry_id"].to_list() == [f"e{i}" for i in range(len(TEXTS))]
    assert dict(x.entries.schema) == ENTRY_SCHEMA
    assert dict(x.episodes.schema) == EPISODE_SCHEMA


def test_quotes_match_offsets_in_title_plus_text() -> None:
    check_offsets(TEXTS, TITLES)
    x = extract(entries_frame(TEXTS, TITLES))
    quotes = [ev["quote"] for ep in x.episodes.to_dicts() for ev in ep["evidence"]]
    assert "fiancé" in quotes and "yelled" in quotes


WORDS = st.sampled_from([
    "my", "mom", "My", "Mom", "therapist", "she", "He", "didn't", "judge", "me", "yelled",
    "at", "not", "if", "left", "I", "cried", "8/10", "fiancé", "Zoë", "so", "ANGRY", "but",
    "because", "Sam", "partner", "never", "cared", "’", "“", "é", "—", "\u00a0", "\n", "\r\n",
    ",", ".", "!", "?", ";", ":", "ǅ", "İ", "ß", "😀", "\t",
])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(WORDS, max_size=30).map(" ".join), min_size=1, max_size=4),
       st.lists(st.one_of(st.none(), st.sampled_from(["", "Day", "Ünïcode title"])),
                min_size=4, max_size=4))
def test_offsets_hold_for_any_text(texts: list[str], titles: list[str | None]) -> None:
    check_offsets(list(texts), titles[: len(texts)])


def test_records_match_the_json_schema() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    x = extract(entries_frame(TEXTS, TITLES))
    records = x.entries.with_columns(pl.lit(x.version).alias("extractor_version")).to_dicts()
    for record in records:
        jsonschema.validate(record, schema)
    assert any(r["episodes"] for r in records)


def test_empty_input() -> None:
    x = extract(entries_frame([]))
    assert x.entries.height == 0 and x.episodes.height == 0
    assert dict(x.entries.schema) == ENTRY_SCHEMA


def test_chunks_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # names are learned over all entries: "Sam" told as the partner in the first chunk is the
    # partner in the last one too
    texts = [*TEXTS, "Coffee in the rain.", "Sam ignored me again and I shut down.",
             "Dr. Okafor glanced at the clock."]
    titles = [*TITLES, None, None, "Therapy"]
    whole = extract(entries_frame(texts, titles))
    monkeypatch.setattr(pkg, "CHUNK", 2)
    chunked = extract(entries_frame(texts, titles))
    assert chunked.entries.equals(whole.entries)
    assert chunked.episodes.equals(whole.episodes)
    assert chunked.name_evidence.equals(whole.name_evidence)
    sam = chunked.episodes.filter(pl.col("entry_id") == "e6")
    assert sam["role"].to_list() == ["partner"] and sam["person"].to_list() == ["Sam"]


def test_no_people_and_empty_people_agree() -> None:
    empty = pl.DataFrame(schema={"subject": pl.String, "name": pl.String, "role": pl.String})
    a = run("My therapist said I was overreacting.")
    b = run("My therapist said I was overreacting.", people=empty)
    assert a.entries.equals(b.entries)


def test_version_names_code_and_lexicon_contents() -> None:
    lex = load_lexicon()
    assert pkg.EXTRACTOR_VERSION == lex.version == run("x").version
    code, _, lexicon_hash = lex.version.partition("+")
    assert code and len(lexicon_hash) == 12
    files = {"themes.toml": b'version = "1"\n', "roles.toml": b'version = "1"\n'}
    changed = dict(files, **{"themes.toml": b'version = "2"\n'})
    assert digest(files) != digest(changed)
    assert digest(files) == digest(dict(reversed(list(files.items()))))


def test_every_lexicon_file_has_a_version() -> None:
    import tomllib
    from importlib import resources

    root = resources.files("patternlens") / "lexicons"
    names = [e.name for e in root.iterdir() if e.name.endswith(".toml")]
    assert len(names) >= 8
    for name in names:
        assert "version" in tomllib.loads((root / name).read_text(encoding="utf-8")), name


def test_public_api() -> None:
    assert sorted(pkg.__all__) == [
        "ENTRY_SCHEMA", "EPISODE_SCHEMA", "EXTRACTOR_VERSION", "Extraction", "NAME_EVIDENCE_SCHEMA",
        "extract", "extractor_version", "learned_names",
    ]


def test_the_version_known_without_compiling_is_the_compiled_lexicons() -> None:
    """Stores compare EXTRACTOR_VERSION before anything is extracted; it must be the version
    every result is stamped with, or a changed word list would not trigger a rebuild."""
    from patternlens.extract import EXTRACTOR_VERSION
    from patternlens.extract.lexicon import load_lexicon

    assert load_lexicon().version == EXTRACTOR_VERSION


def test_plain_and_unicode_texts_split_into_the_same_clauses() -> None:
    # plain ASCII texts take a faster split than the others: both must cut at the same places
    texts = [
        "I said no. But, but she left; then: quiet!!\n\nOK , and so BUT because it was late.",
        "Though I tried although nobody, yet here we are,whereas x,  while y . . ?! done.",
        "ends with a link word but.", "a comma, .", "; leading.", "",
    ]

    def split(frame: pl.DataFrame) -> list[list[str]]:
        c = clauses(prepare(frame))
        return [c.filter(pl.col("row") == i)["raw"].to_list() for i in range(frame.height)]

    plain = split(entries_frame(texts))
    assert len(plain[0]) == 10
    # a last " é" sends a text down the Unicode path and adds one clause
    assert split(entries_frame([t + " \u00e9" for t in texts])) == [
        [*p, " \u00e9"] for p in plain]
