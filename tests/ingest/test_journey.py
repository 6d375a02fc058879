"""Journey per-entry JSON files: fields, HTML to text, zip vs files, bad files, encodings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patternlens.ingest import journey
from patternlens.ingest.detect import read_path, read_source
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source

SAMPLES = Path(__file__).parents[2] / "data" / "samples" / "journey"
REFS = [
    "1712013000000-3fa7c9b2e1d04f68",
    "1712241900000-8c21e0d94b7a4f15",
    "1712687400000-d4e6b1a07c3f4e29",
]
FILES = [SAMPLES / f"{ref}.json" for ref in REFS]


def _read(data: str | bytes, name: str = "1709280000000-abc.json") -> Parsed:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_source(Source(file=f"/in/{name}", name=name, data=raw), "alex")


def _entry(**fields: object) -> str:
    entry: dict[str, object] = {
        "id": "1709280000000-abc", "date_journal": 1709280900000, "timezone": "Europe/London",
        "text": "<p>x</p>", "type": "html", "tags": [],
    }
    entry.update(fields)
    return json.dumps(entry)


def test_entry_files() -> None:
    parsed = Parsed.empty()
    for file in FILES:
        parsed.extend(read_path(file, "alex"))
    assert parsed.formats == {"journey"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["source_ref"].to_list() == REFS
    assert df["source"].unique().to_list() == ["journey"]
    first = df.row(0, named=True)
    assert first["occurred_at"] == datetime(2024, 4, 1, 23, 10, tzinfo=UTC)
    assert first["timezone"] == "Asia/Singapore"
    # Paragraphs become blank-line breaks, <br> a newline, entities and tags are resolved.
    assert first["text"] == (
        "Work trip, day two. Jet-lagged and short with everyone.\n\n"
        'Sam texted "miss you" and I took an hour to answer — I didn\'t know what to say.\n'
        "Dr. Okafor would ask what I was protecting."
    )
    assert first["tags"] == ["work", "sam"]
    assert first["mood"] == "2"
    assert json.loads(first["meta"]) == {
        "address": "Marina Bay, Singapore", "favourite": False, "photos": 1,
        "modified_at": "2024-04-01T23:26:41Z", "weather": "broken clouds", "temperature_c": 31.0,
    }
    assert "lat" not in first["meta"]
    # A list; no temperature when Journey had no reading.
    assert df["text"][1] == (
        "My boss praised the workshop in front of the client.\n\n"
        "- felt proud for a minute\n- then waited for the catch\n\n"
        "Same as with Mum: good news feels like a set-up."
    )
    assert "temperature_c" not in json.loads(df["meta"][1])
    assert df["occurred_at"][2] == datetime(2024, 4, 9, 18, 30, tzinfo=UTC)


def test_zip_gives_the_same_entries_as_files() -> None:
    from_zip = read_path(SAMPLES / "journey-export.zip", "alex")
    assert from_zip.problems == []
    assert from_zip.formats == {"journey"}
    assert sorted(from_zip.entries["source_ref"].to_list()) == REFS
    from_files = Parsed.empty()
    for file in FILES:
        from_files.extend(read_path(file, "alex"))
    same = ["source_ref", "occurred_at", "timezone", "text", "tags", "mood", "meta"]
    assert from_zip.entries.sort("source_ref").select(same).equals(from_files.entries.select(same))


def test_bad_json_file() -> None:
    parsed = _read('{"id": "1", "date_journal": 1709280900000, "text": "<p>cut')
    assert parsed.entries.is_empty()
    [problem] = parsed.problems
    assert problem.position == "whole file"
    assert problem.reason == (
        "not valid JSON: Unterminated string starting at line 1, column 52"
    )


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("last tuesday", "date_journal 'last tuesday' is not milliseconds since 1970"),
        (10**22, "date_journal 10000000000000000000000 is not a possible date"),
    ],
)
def test_dates_that_do_not_parse(value: object, reason: str) -> None:
    parsed = _read(_entry(date_journal=value))
    assert parsed.entries["problem"].to_list() == [reason]


def test_missing_id_uses_the_file_name_and_plain_text_is_kept() -> None:
    parsed = _read(_entry(id=None, text="Plain *markdown* from an old Journey", type="markdown"))
    assert parsed.entries["source_ref"].to_list() == ["1709280000000-abc"]
    assert parsed.entries["text"].to_list() == ["Plain *markdown* from an old Journey"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_encodings_read_the_same_text(encoding: str) -> None:
    data = _entry(text="<p>Mum’s café – fine</p>").replace("\\u2019", "’")
    data = data.replace("\\u00e9", "é").replace("\\u2013", "–")
    parsed = _read(data.encode(encoding))
    assert parsed.entries["text"].to_list() == ["Mum’s café – fine"]


def test_html_to_text() -> None:
    html = ("<h1>Session</h1><p>She said &lt;wait&gt;.<br/>I waited.</p>"
            "<ol><li>one</li><li>two</li></ol><style>p{}</style><div>end</div>")
    assert journey.html_to_text(html) == "Session\n\nShe said <wait>.\nI waited.\n\n- one\n- two\n\nend"


def test_sniff() -> None:
    assert journey.sniff(Source("a.json", "a.json", FILES[0].read_bytes()))
    assert not journey.sniff(Source("a.json", "a.json", b'{"date": 1, "text": "x"}'))
