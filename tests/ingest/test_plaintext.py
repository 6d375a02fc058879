"""Plain-text journals with date headings: the sample, heading shapes, bad headings, encodings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patternlens.ingest import plaintext
from patternlens.ingest.detect import read_path
from patternlens.ingest.model import RAW_SCHEMA, Parsed, Problem
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

SAMPLE = Path(__file__).parents[2] / "data" / "samples" / "text" / "journal.txt"


def _read(text: str | bytes, name: str = "notes.txt") -> Parsed:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return plaintext.read(Source(file=f"/in/{name}", name=name, data=data), "alex")


def test_sample_journal() -> None:
    parsed = read_path(SAMPLE, "alex")
    assert parsed.formats == {"text"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["source_ref"].to_list() == [
        "journal.txt#2024-03-01", "journal.txt#2024-03-01#2", "journal.txt#2024-03-03",
        "journal.txt#2024-03-05", "journal.txt#2024-03-08",
    ]
    assert df["occurred_at"].to_list() == [
        datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 1, 21, 15, tzinfo=UTC),
        datetime(2024, 3, 3, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC),
        datetime(2024, 3, 8, tzinfo=UTC),
    ]
    assert df["position"].to_list() == ["line 1", "line 4", "line 7", "line 10", "line 14"]
    assert set(df["source"]) == {"text"} and set(df["subject"]) == {"alex"}
    assert df["timezone"].null_count() == len(df)
    assert df["text"][1] == ("Talked it through with Sam. He thinks I take my boss's moods "
                             "personally. Maybe.")
    # A two-line entry keeps its line break and stops before the next heading.
    assert df["text"][3].endswith("instead.\nI didn't have an answer yet.")
    assert [json.loads(m) for m in df["meta"]][:2] == [{"date_only": True}, {}]
    accepted, problems = validate(parsed)
    assert len(accepted) == 5 and problems == []


@pytest.mark.parametrize(("heading", "expected"), [
    ("2024-03-01", datetime(2024, 3, 1)),
    ("2024-03-01 21:15", datetime(2024, 3, 1, 21, 15)),
    ("2024/03/01", datetime(2024, 3, 1)),
    ("March 1, 2024", datetime(2024, 3, 1)),
    ("1 March 2024", datetime(2024, 3, 1)),
    ("1st March 2024", datetime(2024, 3, 1)),
    ("Friday, March 1, 2024", datetime(2024, 3, 1)),
    ("Fri 1 Mar 2024", datetime(2024, 3, 1)),
    ("Fri 1 Mar 2024 at 9:15 pm", datetime(2024, 3, 1, 21, 15)),
    ("Sept. 3, 2024 - 12:05 AM", datetime(2024, 9, 3, 0, 5)),
    ("  ## 2024-03-01T08:30:  ", datetime(2024, 3, 1, 8, 30)),
])
def test_heading_shapes(heading: str, expected: datetime) -> None:
    df = _read(f"{heading}\nSaw Sam.\n").entries
    assert df["occurred_at"].to_list() == [expected.replace(tzinfo=UTC)]
    assert df["text"].to_list() == ["Saw Sam."]


@pytest.mark.parametrize("line", [
    "2024-03-01 I met Sam for coffee",  # prose that starts with a date
    "We met on March 1, 2024.",
    "2024-03",
    "Friday",
])
def test_prose_is_not_a_heading(line: str) -> None:
    assert plaintext.parse_heading(line) is None


def test_bad_headings_are_positioned_problems_and_good_entries_stay() -> None:
    parsed = _read(
        "Some notes I wrote before dating anything.\n"
        "\n"
        "2024-03-01\n"
        "Good day.\n"
        "2024-02-30\n"
        "This text belongs to the bad heading, not to March 1.\n"
        "March 3, 2024 25:10\n"
        "Late.\n"
        "4 March 2024\n"
        "Fine again.\n"
    )
    assert parsed.problems == [Problem("/in/notes.txt", "line 1",
                                       "text before the first date heading belongs to no entry")]
    df = parsed.entries
    assert df["problem"].to_list() == [
        None, "impossible date '2024-02-30'", "impossible time '25:10'", None]
    assert df["position"].to_list() == ["line 3", "line 5", "line 7", "line 9"]
    assert df["text"][0] == "Good day."
    accepted, problems = validate(parsed)
    assert accepted["source_ref"].to_list() == ["notes.txt#2024-03-01", "notes.txt#2024-03-04"]
    assert [(p.position, p.reason) for p in problems] == [
        ("line 1", "text before the first date heading belongs to no entry"),
        ("line 5", "impossible date '2024-02-30'"), ("line 7", "impossible time '25:10'")]


def test_sniff() -> None:
    def src(name: str, text: str) -> Source:
        return Source(file=name, name=name, data=text.encode())

    assert plaintext.sniff(src("j.txt", "Some preamble\n\nMarch 1, 2024\nhello\n"))
    assert not plaintext.sniff(src("j.txt", "shopping list\nmilk, eggs\n"))
    assert not plaintext.sniff(src("j.md", "2024-03-01\nhello\n"))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_give_the_same_text(encoding: str) -> None:
    text = "1 March 2024\nCafé with mum – she said “it’s fine”. Naïve of me to believe her.\n"
    df = _read(text.encode(encoding)).entries
    assert df["text"].to_list() == [
        "Café with mum – she said “it’s fine”. Naïve of me to believe her."]
    assert df["occurred_at"].to_list() == [datetime(2024, 3, 1, tzinfo=UTC)]


def test_crlf_and_old_mac_line_endings_count_lines_alike() -> None:
    for newline in ("\r\n", "\r"):
        df = _read(newline.join(["intro", "2024-03-01", "a", "", "2024-03-02", "b"])).entries
        assert df["position"].to_list() == ["line 2", "line 5"]
        assert df["text"].to_list() == ["a", "b"]
