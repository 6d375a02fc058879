"""Generic JSON Lines, JSON list and CSV journals: fields, dates, zones, damage, encodings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from patternlens.ingest import generic
from patternlens.ingest.detect import read_path, read_source
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "data" / "samples" / "generic"
SCHEMA = json.loads((ROOT / "schemas" / "entry.schema.json").read_text())


def _read(data: str | bytes, name: str = "journal.jsonl", subject: str = "alex") -> Parsed:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return read_source(Source(file=f"/in/{name}", name=name, data=raw), subject)


def _jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_jsonl_sample() -> None:
    parsed = read_path(SAMPLES / "entries.jsonl", "alex")
    assert parsed.formats == {"generic"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["source"].unique().to_list() == ["jsonl"]
    assert df["source_ref"].to_list() == ["g-001", "g-002", "g-003", None]
    assert df["position"].to_list() == ["line 1", "line 2", "line 3", "line 4"]
    assert df["problem"].null_count() == 4
    first = df.row(0, named=True)
    assert first["occurred_at"] == _utc(2024, 3, 4, 21, 10)
    assert first["timezone"] == "+00:00"
    assert first["title"] == "After the call with Mum"
    assert first["tags"] == ["family", "mum"]
    assert (first["mood"], first["mood_level"]) == ("2", 2)
    # Naive time local to its zone (GMT in March); a word mood has no level.
    second = df.row(1, named=True)
    assert second["occurred_at"] == _utc(2024, 3, 6, 8, 5)
    assert second["timezone"] == "Europe/London"
    assert (second["mood"], second["mood_level"]) == ("okay", None)
    # A bare date is midnight UTC; unknown fields are kept in meta.
    assert df["occurred_at"][2] == _utc(2024, 3, 7)
    assert df["timezone"][2] is None
    assert json.loads(df["meta"][2]) == {"location": "clinic"}
    # An offset converts to UTC and is kept as the zone; tags in a string are split.
    assert df["occurred_at"][3] == _utc(2024, 3, 11, 23, 30)
    assert df["timezone"][3] == "-05:00"
    assert df["tags"][3].to_list() == ["work", "boss"]


def test_record_without_id_gets_a_stable_ref_from_validation() -> None:
    refs = []
    for _ in range(2):
        accepted, problems = validate(read_path(SAMPLES / "entries.jsonl", "alex"))
        assert problems == []
        refs.append(accepted["source_ref"][3])
    assert refs[0] == refs[1]
    assert refs[0].startswith("sha256:")


def test_csv_sample() -> None:
    parsed = read_path(SAMPLES / "entries.csv", "alex")
    assert parsed.formats == {"generic"}
    assert parsed.problems == []
    df = parsed.entries
    assert df["source"].unique().to_list() == ["csv"]
    assert df["source_ref"].to_list() == ["c-001", "c-002", "c-003"]
    assert df["position"].to_list() == ["row 2", "row 3", "row 4"]  # as a spreadsheet numbers them
    assert df["occurred_at"].to_list() == [
        _utc(2024, 4, 2, 6, 45), _utc(2024, 4, 3, 21, 15), _utc(2024, 4, 5)  # London is on BST
    ]
    assert df["title"].to_list() == ["Morning pages", None, None]
    assert df["tags"].to_list() == [["work", "boss"], ["therapy", "rupture"], ["family"]]
    assert df["mood_level"].to_list() == [3, 2, 4]
    assert df["text"][1].startswith("Dr. Okafor was ten minutes late today.")


def test_csv_that_starts_like_a_zlib_stream_is_read_as_text() -> None:
    """"x\x01" opens a zlib stream, and Polars' CSV reader tries to inflate such a file (found
    by test_fuzz_text): it falls back to the row-by-row reader and its entry lands."""
    parsed = _read("x\x01,date,text\nb-1,2024-03-01,Sam listened.\n", name="export.csv")
    assert parsed.formats == {"generic"}
    assert parsed.entries["text"].to_list() == ["Sam listened."]


def test_json_list_reads_like_jsonl(tmp_path: Path) -> None:
    lines = (SAMPLES / "entries.jsonl").read_text().splitlines()
    path = tmp_path / "entries.json"
    path.write_text("[\n" + ",\n".join(lines) + "\n]\n")
    as_list = read_path(path, "alex")
    as_lines = read_path(SAMPLES / "entries.jsonl", "alex")
    assert as_list.formats == {"generic"}
    assert as_list.problems == []
    assert as_list.entries["position"].to_list() == ["entry 1", "entry 2", "entry 3", "entry 4"]
    columns = ["source_ref", "occurred_at", "timezone", "title", "text", "tags", "mood_level", "meta"]
    assert as_list.entries.select(columns).equals(as_lines.entries.select(columns))


def test_sample_records_match_the_schema() -> None:
    checker = jsonschema.Draft202012Validator(SCHEMA)
    for line in (SAMPLES / "entries.jsonl").read_text().splitlines():
        assert list(checker.iter_errors(json.loads(line))) == []
    assert not checker.is_valid({"id": "x", "text": "no date"})
    assert not checker.is_valid({"id": "x", "date": "2024-03-01"})


@pytest.mark.parametrize(
    ("written", "expected", "zone"),
    [
        ("2024-03-01T08:15:00Z", _utc(2024, 3, 1, 8, 15), "UTC"),
        ("2024-03-01T08:15:00.250+01:00", datetime(2024, 3, 1, 7, 15, 0, 250000, UTC), "+01:00"),
        ("2024-03-01 08:15:00+0530", _utc(2024, 3, 1, 2, 45), "+05:30"),
        ("2024-03-01T08:15", _utc(2024, 3, 1, 8, 15), None),
        ("2024-3-1 8:15", _utc(2024, 3, 1, 8, 15), None),
        ("2024-03-01", _utc(2024, 3, 1), None),
        ("1709280900", _utc(2024, 3, 1, 8, 15), None),
        ("1709280900000", _utc(2024, 3, 1, 8, 15), None),
    ],
)
def test_date_spellings(written: str, expected: datetime, zone: str | None) -> None:
    parsed = _read(_jsonl({"id": "1", "date": written, "text": "Talked to Sam."}))
    row = parsed.entries.row(0, named=True)
    assert (row["occurred_at"], row["timezone"], row["problem"]) == (expected, zone, None)


@pytest.mark.parametrize("written", ["yesterday", "2024-02-30", "01/03/2024", "2024-03-01T25:00"])
def test_date_that_does_not_parse_names_the_string(written: str) -> None:
    parsed = _read(_jsonl({"id": "1", "date": written, "text": "x"}, {"id": "2", "date":
                          "2024-03-02", "text": "y"}))
    df = parsed.entries
    assert df["problem"][0] == f"date '{written}' is not an ISO 8601 date or date and time"
    assert df["occurred_at"][0] is None
    assert df["problem"][1] is None


def test_zone_problems_and_occurred_at_alias() -> None:
    parsed = _read(_jsonl(
        {"id": "gap", "date": "2024-03-31 01:30", "timezone": "Europe/London", "text": "x"},
        {"id": "mars", "date": "2024-03-01", "timezone": "Mars/Olympus", "text": "x"},
        {"id": "nyc", "occurred_at": "2024-07-01T09:00", "timezone": "America/New_York",
         "text": "x"},
        {"id": "india", "date": "2024-07-01T09:00", "timezone": "+05:30", "text": "x"},
        {"id": "nodate", "text": "x"},
    ))
    df = parsed.entries
    assert df["problem"][0] == (
        "'2024-03-31 01:30' does not exist in time zone Europe/London (the clocks skipped it)"
    )
    assert df["problem"][1] == "unknown time zone 'Mars/Olympus'"
    assert df["occurred_at"][2] == _utc(2024, 7, 1, 13)
    assert (df["occurred_at"][3], df["timezone"][3]) == (_utc(2024, 7, 1, 3, 30), "+05:30")
    # Validation words a missing date the same way for every format.
    assert (df["occurred_at"][4], df["problem"][4]) == (None, None)
    _, problems = validate(parsed)
    assert [p.reason for p in problems if p.position == "line 5"] == ["missing date"]


def test_subject_field_overrides_import_subject() -> None:
    parsed = _read(_jsonl(
        {"id": "1", "date": "2024-03-01", "text": "a", "subject": "diarist-17"},
        {"id": "2", "date": "2024-03-01", "text": "b"},
    ), subject="alex")
    assert parsed.entries["subject"].to_list() == ["diarist-17", "alex"]


def test_mixed_valid_and_invalid_lines() -> None:
    good = json.dumps({"id": "1", "date": "2024-03-01", "text": "Mum called."})
    data = "\n".join([
        good,
        "",
        '{"id": "2", "date": "2024-03-02", "text": "cut off',
        "[1, 2]",
        json.dumps({"id": 3, "date": "2024-03-03", "text": "Sam and I made up.", "x": [1]}),
        "not json at all",
    ]) + "\n"
    parsed = _read(data)
    assert parsed.entries["source_ref"].to_list() == ["1", "3"]
    assert parsed.entries["position"].to_list() == ["line 1", "line 5"]
    assert json.loads(parsed.entries["meta"][1]) == {"x": [1]}
    assert [(p.position, p.reason.split(":")[0]) for p in parsed.problems] == [
        ("line 3", "not valid JSON"), ("line 4", "not a JSON object but a list"),
        ("line 6", "not valid JSON"),
    ]
    assert all(p.file == "/in/journal.jsonl" for p in parsed.problems)


def test_field_first_seen_after_the_head_and_type_change() -> None:
    records: list[dict[str, object]] = [
        {"id": n, "date": "2024-03-01", "text": f"entry {n}"} for n in range(500)
    ]
    records[450]["title"] = "Late title"
    records[499]["id"] = "five-hundred"  # ids were numbers until here
    parsed = _read(_jsonl(*records))
    df = parsed.entries
    assert parsed.problems == []
    assert df.height == 500
    assert df["title"][450] == "Late title"
    assert df["source_ref"][0] == "0"
    assert df["source_ref"][499] == "five-hundred"


def test_blank_lines_keep_line_numbers() -> None:
    parsed = _read("\n" + _jsonl({"id": "a", "date": "2024-03-01", "text": "x"}) + "\n\n"
                   + _jsonl({"id": "b", "date": "2024-03-01", "text": "y"}))
    assert parsed.entries["position"].to_list() == ["line 2", "line 5"]


def test_truncated_json_list_keeps_whole_records() -> None:
    records = [{"id": str(n), "date": "2024-03-01", "text": f"Entry {n} about Sam."}
               for n in range(1, 4)]
    text = json.dumps(records, indent=2)
    cut = text.index('"Entry 3')
    parsed = _read(text[:cut], name="entries.json")
    assert parsed.entries["source_ref"].to_list() == ["1", "2"]
    [problem] = parsed.problems
    line = text[:cut].count("\n") + 1
    assert problem.position.startswith(f"line {line}, byte ")
    assert "truncated" in problem.reason


def test_csv_blank_lines_and_quoted_newlines() -> None:
    data = ('id,date,text\n1,2024-03-01,"Sam said\n""fine"""\n\n2,2024-03-02,b\n,,\n')
    parsed = _read(data, name="journal.csv")
    assert parsed.problems == []
    assert parsed.entries["text"].to_list() == ['Sam said\n"fine"', "b"]
    assert parsed.entries["position"].to_list() == ["row 2", "row 4"]


def test_csv_bad_rows_and_separator() -> None:
    data = ("id;date;text;tags\n"
            "1;2024-03-01;Dr. Okafor asked about Mum.;therapy,mum\n"
            "2;2024-03-02;one;field;too;many\n"
            "3;2024-03-03;Quiet day.;\n")
    parsed = _read(data, name="journal.csv")
    assert parsed.entries["source_ref"].to_list() == ["1", "3"]
    assert parsed.entries["tags"].to_list() == [["therapy", "mum"], None]
    assert [(p.position, p.reason) for p in parsed.problems] == [
        ("row 3", "has 6 fields but the header names 4")
    ]


TEXT = "Mum’s voice – café, and I said “fine”."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
@pytest.mark.parametrize("name", ["journal.jsonl", "journal.csv"])
def test_encodings_read_the_same_text(encoding: str, name: str) -> None:
    if name.endswith(".csv"):
        data = f'id,date,text\n1,2024-03-01,"{TEXT}"\n'
    else:
        data = json.dumps({"id": "1", "date": "2024-03-01", "text": TEXT}, ensure_ascii=False)
    parsed = _read(data.encode(encoding), name=name)
    assert parsed.problems == []
    assert parsed.entries["text"].to_list() == [TEXT]


def test_mojibake_repaired_on_the_fast_path() -> None:
    fixed = "Mum’s café – fine."
    garbled = fixed.encode("utf-8").decode("cp1252")  # what a wrong guess at the encoding shows
    parsed = _read(_jsonl({"id": "1", "date": "2024-03-01", "text": garbled},
                          {"id": "2", "date": "2024-03-01", "text": "café"}))
    assert parsed.entries["text"].to_list() == [fixed, "café"]


def test_sniff() -> None:
    def src(name: str, data: str) -> Source:
        return Source(file=name, name=name, data=data.encode())

    assert generic.sniff(src("a.jsonl", "{}"))
    assert generic.sniff(src("a.csv", "id,date,text\n"))
    assert generic.sniff(src("a.json", ' [{"text": "x"}]'))
    assert generic.sniff(src("export.txt", '{"date": "2024-03-01", "text": "x"}\n'))
    assert not generic.sniff(src("notes.txt", "Dear diary\n"))
    assert not generic.sniff(src("a.md", '{"text": "x"}'))


def test_read_is_polars_all_the_way_for_clean_files() -> None:
    # 2,000 lines, no fallback: no problems, order and positions kept.
    records = [{"id": f"e{n}", "date": f"2024-03-{n % 28 + 1:02d}T08:00:00+01:00",
                "text": "Talked with Sam. " * 20, "tags": ["a"], "mood": n % 5 + 1}
               for n in range(2000)]
    parsed = _read(_jsonl(*records))
    df = parsed.entries
    assert parsed.problems == []
    assert df["source_ref"].to_list() == [f"e{n}" for n in range(2000)]
    assert df["position"][-1] == "line 2000"
    assert df.filter(pl.col("occurred_at").is_null()).is_empty()
    assert df["mood_level"].to_list() == [n % 5 + 1 for n in range(2000)]


def test_fallback_paths_read_records_like_the_fast_path() -> None:
    records = [
        {"id": f"e{n}", "date": "2024-03-01T08:00:00+01:00", "text": f"Sam, day {n}.",
         "tags": ["sam", " home "], "mood": n % 5 + 1, "place": "home", "steps": 1000 + n,
         "starred": n % 2 == 0}
        for n in range(6)
    ]
    clean = _read(_jsonl(*records))
    # A broken line sends the file line by line; NaN (JSON to Python, not to Polars) sends
    # the remaining records one by one through Python.
    broken = _jsonl(*records[:3]) + "{oops\n" + _jsonl(*records[3:])
    with_nan = broken + '{"id": "nan", "date": "2024-03-01", "text": "x", "score": NaN}\n'
    columns = ["source_ref", "occurred_at", "timezone", "text", "tags", "mood", "mood_level",
               "meta"]
    for data in (broken, with_nan):
        parsed = _read(data)
        assert [p.position for p in parsed.problems] == ["line 4"]
        assert parsed.entries.head(6).select(columns).equals(clean.entries.select(columns))
    assert parsed.entries["meta"][6] is None  # NaN is no JSON: read as null
    assert json.loads(clean.entries["meta"][0]) == {"place": "home", "starred": True, "steps": 1000}
    assert clean.entries["tags"][0].to_list() == ["sam", "home"]
