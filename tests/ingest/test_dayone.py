"""Day One JSON exports: fields, Markdown clean-up, zip vs json, damaged files, encodings."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patternlens.ingest import dayone
from patternlens.ingest.detect import read_path, read_source
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

SAMPLES = Path(__file__).parents[2] / "data" / "samples" / "dayone"
JOURNAL = SAMPLES / "Journal.json"
REFS = [
    "3F2A9C6E1B7D4E8FA0C5D2B19E7A6F41", "9B7E2D14C3A84F0B8E61D5A7C2F03B96",
    "C41F8A03E7B2490D9A6C5E81F2D7B03A", "5D0B6E9A2C174F38B1E4A7D3C8F6092E",
    "E7A3C90B4D2F41C6A8B05E19D7F3C264",
]


def _read(data: str | bytes, name: str = "Journal.json") -> Parsed:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_source(Source(file=f"/in/{name}", name=name, data=raw), "alex")


def _export(*entries: dict[str, object]) -> str:
    return json.dumps({"metadata": {"version": "1.0"}, "entries": list(entries)}, indent=2)


def test_journal_json() -> None:
    parsed = read_path(JOURNAL, "alex")
    assert parsed.formats == {"dayone"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["source_ref"].to_list() == REFS
    assert df["position"].to_list() == [f"entry {n}" for n in range(1, 6)]
    assert df["problem"].null_count() == 5
    first = df.row(0, named=True)
    assert first["source"] == "dayone"
    assert first["occurred_at"] == datetime(2024, 3, 1, 8, 15, tzinfo=UTC)
    assert first["timezone"] == "Europe/London"
    assert first["title"] == "Before session"
    # Escapes undone, the photo reference gone, the heading not repeated.
    assert first["text"] == (
        'Nervous about seeing Dr. Okafor today. Last week she said my "I\'m fine!" sounded '
        "like a door closing - I keep thinking about that.\n\nThings to bring up:\n\n"
        "- the argument with Sam on Sunday (again about his sister)\n"
        "- why I apologise the second Mum raises her voice"
    )
    assert first["tags"] == ["therapy", "before session"]
    assert json.loads(first["meta"]) == {
        "journal": "Journal", "starred": True, "modified_at": "2024-03-01T08:31:12Z",
        "place": "Home", "locality": "London", "country": "United Kingdom",
        "weather": "Mostly Cloudy", "temperature_c": 7,
    }
    assert "latitude" not in first["meta"]
    # A level-2 heading is a title too; "\#" is a literal hash.
    assert df["title"][2] == "Feedback from Priya"
    assert df["text"][2].endswith("reads my messages out loud #oldpattern.")
    assert df["title"][1] is None
    assert df["text"][1].endswith("Score for the week so far: 2/5.")
    assert df["timezone"][3] == "Europe/Lisbon"
    assert "dayone-moment" not in "".join(df["text"].to_list())


def test_zip_gives_the_same_entries_as_json() -> None:
    from_zip = read_path(SAMPLES / "Journal.zip", "alex")
    from_json = read_path(JOURNAL, "alex")
    assert from_zip.problems == []  # the photo is skipped, not reported
    assert from_zip.formats == {"dayone"}
    assert from_zip.entries["source_ref"].to_list() == REFS
    same = ["source_ref", "occurred_at", "timezone", "title", "text", "tags", "meta"]
    assert from_zip.entries.select(same).equals(from_json.entries.select(same))
    assert from_zip.entries["file"][0].endswith("Journal.zip!Journal.json")
    with zipfile.ZipFile(SAMPLES / "Journal.zip") as archive:
        assert any(n.startswith("photos/") and n.endswith(".jpeg") for n in archive.namelist())


def test_several_journals_in_one_zip(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("Journal.json", JOURNAL.read_text())
        z.writestr("Therapy.json", _export({
            "uuid": "AA11", "creationDate": "2024-04-01T10:00:00Z", "timeZone": "Europe/London",
            "text": "Dr\\. Okafor: \\\"what did you need then?\\\"",
        }))
    parsed = read_path(archive, "alex")
    assert parsed.entries.height == 6
    journals = [json.loads(m)["journal"] for m in parsed.entries["meta"]]
    assert journals == ["Journal"] * 5 + ["Therapy"]
    assert parsed.entries["text"][5] == 'Dr. Okafor: "what did you need then?"'


def _line_and_byte(data: bytes, offset: int) -> str:
    line = data[:offset].count(b"\n") + 1
    return f"line {line}, byte {offset}"


def test_truncated_file_keeps_intact_entries() -> None:
    data = JOURNAL.read_bytes()
    cut = data.index(b"Lisbon\\\\. Sam held")  # inside entry 4's text
    parsed = _read(data[:cut])
    assert parsed.entries["source_ref"].to_list() == REFS[:3]
    [problem] = parsed.problems
    assert "truncated" in problem.reason
    # The parser stops inside entry 4's unterminated text string, which starts at its quote.
    text_start = data.rindex(b'"text"', 0, cut)
    quote = data.index(b'"', text_start + len(b'"text"'))
    assert problem.position == _line_and_byte(data, quote)
    entry_line = data[: data.rindex(b"{", 0, data.rindex(b'"uuid"', 0, cut))].count(b"\n") + 1
    assert f"the record starting at line {entry_line} was skipped" in problem.reason


@pytest.mark.parametrize("scribble", [b"\x13garbage{{{ ]]] ,,, ", b"\x00" * 20])
def test_corrupt_region_keeps_entries_on_both_sides(scribble: bytes) -> None:
    data = bytearray(JOURNAL.read_bytes())
    start = data.index(b'"creationDate"', data.index(REFS[1].encode()))
    data[start:start + 40] = scribble + b"#" * (40 - len(scribble))
    # Directly: detect turns away files with NUL bytes in their head as binary.
    parsed = dayone.read(Source("/in/Journal.json", "Journal.json", bytes(data)), "alex")
    assert parsed.entries["source_ref"].to_list() == [REFS[0], *REFS[2:]]
    # Entries keep their number in the file; the damaged one is numbered too.
    assert parsed.entries["position"].to_list() == ["entry 1", "entry 3", "entry 4", "entry 5"]
    [problem] = parsed.problems
    assert problem.file == "/in/Journal.json"
    assert problem.position == _line_and_byte(bytes(data), start)
    assert problem.reason.startswith("damaged JSON (")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le"])
def test_other_encodings_read_the_same(encoding: str) -> None:
    reference = read_path(JOURNAL, "alex").entries
    parsed = _read(JOURNAL.read_text(encoding="utf-8").encode(encoding))
    assert parsed.problems == []
    assert parsed.entries["text"].to_list() == reference["text"].to_list()
    assert parsed.entries["source_ref"].to_list() == REFS


def test_cp1252_export_reads_the_same_text() -> None:
    export = _export({"uuid": "A", "creationDate": "2024-03-01T08:15:00Z",
                      "text": "Mum’s café – I said I was fine\\."})
    parsed = _read(export.replace("\\u2019", "’").replace("\\u00e9", "é")
                   .replace("\\u2013", "–").encode("cp1252"))
    assert parsed.entries["text"].to_list() == ["Mum’s café – I said I was fine."]


def test_bad_and_missing_dates_and_odd_entries() -> None:
    parsed = _read(_export(
        {"uuid": "A", "creationDate": "1 March 2024", "text": "x"},
        {"uuid": "B", "text": "no date"},
        {"uuid": "C", "creationDate": "2024-03-01T09:00:00", "timeZone": "Asia/Tokyo",
         "text": "naive time in its zone"},
        {"uuid": "D", "creationDate": "2024-03-02T09:00:00Z", "text": "![](dayone-moment://X)"},
        {"uuid": "E", "creationDate": "2024-03-02T09:00:00Z", "text": "# Only a heading\n"},
    ))
    df = parsed.entries
    assert df["problem"].to_list() == [
        "creationDate '1 March 2024' is not an ISO 8601 date and time", None, None, None, None,
    ]
    _, problems = validate(parsed)
    assert [(p.position, p.reason) for p in problems] == [
        ("entry 1", "creationDate '1 March 2024' is not an ISO 8601 date and time"),
        ("entry 2", "missing date"),
        ("entry 4", "empty entry (no text and no mood)"),  # a photo and nothing else
    ]
    assert df["occurred_at"][2] == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert (df["title"][4], df["text"][4]) == (None, "Only a heading")


def test_not_a_list_of_entries() -> None:
    parsed = dayone.read(Source("/in/x.json", "x.json", b'{"entries": 5, "uuid": 1}'), "alex")
    assert parsed.entries.is_empty()
    assert [p.reason for p in parsed.problems] == ["not a Day One export (no list of entries)"]


def test_escapes_and_titles() -> None:
    assert dayone.split_title("# Title\n\nBody") == ("Title", "Body")
    assert dayone.split_title("#hashtag first\nBody") == (None, "#hashtag first\nBody")
    parsed = _read(_export({
        "uuid": "A", "creationDate": "2024-03-01T08:15:00Z",
        "text": "1\\. a \\\\ b \\_c\\_ \\[d\\] \\{e\\} \\| \\> \\~ \\` \\+ \\=",
    }))
    assert parsed.entries["text"][0] == "1. a \\ b _c_ [d] {e} | > ~ ` + ="


def test_sniff() -> None:
    assert dayone.sniff(Source("Journal.json", "Journal.json", JOURNAL.read_bytes()))
    generic_list = b'[{"id": "x", "date": "2024-03-01", "text": "entries"}]'
    assert not dayone.sniff(Source("a.json", "a.json", generic_list))
    assert not dayone.sniff(Source("Journal.txt", "Journal.txt", JOURNAL.read_bytes()))
