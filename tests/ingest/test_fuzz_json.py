"""Random and corrupted input to the Day One, Journey and generic (JSONL/JSON/CSV) readers.

Whatever the bytes, a reader returns (never raises), and validation takes the result: every
row lands with a date and text (or a mood) or is reported with a problem.
"""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from fuzzing import corrupted
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patternlens.ingest import dayone, generic, journey
from patternlens.ingest.detect import read_source
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

SAMPLES = Path(__file__).parents[2] / "data" / "samples"
SAMPLE_FILES = {
    "Journal.json": (SAMPLES / "dayone" / "Journal.json").read_bytes(),
    "1712013000000-3fa7c9b2e1d04f68.json": (
        SAMPLES / "journey" / "1712013000000-3fa7c9b2e1d04f68.json"
    ).read_bytes(),
    "entries.jsonl": (SAMPLES / "generic" / "entries.jsonl").read_bytes(),
    "entries.csv": (SAMPLES / "generic" / "entries.csv").read_bytes(),
}
NAMES = ["Journal.json", "1709280000000-abc.json", "entries.jsonl", "entries.json",
         "export.csv", "data.ndjson"]
READERS = (dayone, journey, generic)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]


def _check(parsed: Parsed) -> None:
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["file"].null_count() == 0 and df["position"].null_count() == 0
    for problem in parsed.problems:
        assert problem.file and problem.position and problem.reason
    for meta in df["meta"].drop_nulls():
        assert isinstance(json.loads(meta), dict)
    # Every row either lands with a date and something in it, or is reported: none is lost.
    accepted, problems = validate(parsed)
    has_content = (pl.col("text").fill_null("").str.strip_chars() != "") | pl.col("mood").is_not_null()
    assert accepted.filter(pl.col("occurred_at").is_null() | ~has_content).is_empty()
    reported = {(p.file, p.position) for p in problems}
    landed = set(accepted.select("file", "position").iter_rows())
    # An exact repeat (same id, or same date and text without an id) lands once, unreported.
    repeats = set(accepted["source_ref"].to_list())
    repeats |= set(accepted.select("occurred_at", "text").iter_rows())
    for file, position, ref, at, text in df.select(
        "file", "position", "source_ref", "occurred_at", "text"
    ).iter_rows():
        where = (file, position)
        assert where in reported or where in landed or ref in repeats or (at, text) in repeats
    # What the reader already knew is bad never lands.
    assert len(problems) >= df["problem"].count()


def _read_everywhere(name: str, data: bytes) -> None:
    src = Source(file=f"/in/{name}", name=name, data=data)
    _check(read_source(src, "alex"))
    # Straight into each reader too, even when its sniff would have said no.
    for reader in READERS:
        reader.sniff(src)
        _check(reader.read(src, "alex"))


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON_SCALARS = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20))
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
DATES = st.sampled_from([
    "2024-03-01", "2024-03-01T08:15:00Z", "2024-03-01 08:15", "2024-03-01T08:15:00+25:00",
    "2024-02-30", "0000-01-01", "9999-12-31T23:59:59.999999999-14:00", "2024-3-1T8:15",
    "1709280900", "99999999999999", "yesterday", "", " ", "2024/03/01 08:15:00.5 +0530",
    "2024-03-31 01:30",
]) | st.text(max_size=25)
ZONES = st.sampled_from(["Europe/London", "Asia/Tokyo", "UTC", "+02:00", "+05:30", "-15:00",
                         "Europe", "Mars/Base", "",
                         "../../etc/passwd", "europe/london"]) | st.text(max_size=12)


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return value | JSON_VALUES


GENERIC_RECORDS = st.fixed_dictionaries({}, optional={
    "id": _maybe(st.text(max_size=6) | st.integers()), "date": _maybe(DATES),
    "occurred_at": _maybe(DATES), "text": _maybe(st.text(max_size=60)),
    "title": _maybe(st.text(max_size=10)),
    "tags": _maybe(st.lists(st.text(max_size=6), max_size=3) | st.text(max_size=12)),
    "mood": _maybe(st.integers(0, 6) | st.sampled_from(["good", "3", "4.0", ""])),
    "subject": _maybe(st.text(max_size=6)), "timezone": _maybe(ZONES),
    "extra": JSON_VALUES,
})
DAYONE_ENTRIES = st.fixed_dictionaries({}, optional={
    "uuid": _maybe(st.text(max_size=8)), "creationDate": _maybe(DATES),
    "timeZone": _maybe(ZONES), "starred": JSON_VALUES,
    "text": _maybe(st.text(max_size=60) | st.sampled_from([
        "# Title\n\nBody\\.", "![](dayone-moment://ABC)", "#", "\\\\\\", "## \n"])),
    "tags": JSON_VALUES, "location": JSON_VALUES, "weather": JSON_VALUES,
    "modifiedDate": JSON_VALUES,
})
JOURNEY_ENTRIES = st.fixed_dictionaries({}, optional={
    "id": JSON_VALUES, "date_journal": _maybe(st.integers(-(2**64), 2**64)),
    "date_modified": JSON_VALUES, "timezone": JSON_VALUES, "type": _maybe(st.just("html")),
    "text": _maybe(st.text(max_size=60) | st.sampled_from([
        "<p>a<br>b</p>", "<ul><li>x", "</p></div>", "<script>x", "&#xffffffff;", "<p"])),
    "tags": JSON_VALUES, "mood": JSON_VALUES, "weather": JSON_VALUES, "photos": JSON_VALUES,
    "address": JSON_VALUES,
})


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=3000))
def test_random_bytes(name: str, data: bytes) -> None:
    _read_everywhere(name, data)


@FUZZ
@given(name=st.sampled_from(NAMES), text=st.text(max_size=2000),
       encoding=st.sampled_from(ENCODINGS))
def test_random_text(name: str, text: str, encoding: str) -> None:
    _read_everywhere(name, text.encode(encoding, errors="replace"))


@FUZZ
@given(records=st.lists(GENERIC_RECORDS | JSON_VALUES, max_size=12),
       shape=st.sampled_from(["entries.jsonl", "entries.json", "export.csv"]),
       encoding=st.sampled_from(ENCODINGS))
# Found by this test: year 0 parses in Polars but not in Python's datetime.
@example(records=[{"date": "0000-01-01", "text": "x"}], shape="entries.jsonl", encoding="utf-8")
# Found in CI: a key whose UTF-16 form held a lone surrogate after decoding.
@example(records=[{"\x88\x98\U00019580": None, "\x88": False}], shape="entries.jsonl",
         encoding="utf-16-le")
def test_generic_records(records: list[Any], shape: str, encoding: str) -> None:
    if shape.endswith(".jsonl"):
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif shape.endswith(".json"):
        text = json.dumps(records, ensure_ascii=False)
    else:
        header = ["id", "date", "text", "tags", "mood", "timezone", "x"]
        rows = [[json.dumps(r.get(k)) if isinstance(r, dict) and k in r else ""
                 for k in header] for r in records]
        text = "\n".join(",".join(row) for row in [header, *rows])
    _read_everywhere(shape, text.encode(encoding, errors="replace"))


@FUZZ
@given(entries=st.lists(DAYONE_ENTRIES | JSON_VALUES, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, 4000)))
# Found by this test: a valid date whose UTC conversion leaves datetime's range.
@example(entries=[{"creationDate": "9999-12-31T23:59:59.999999999-14:00"}], cut=None)
def test_dayone_shaped(entries: list[Any], cut: int | None) -> None:
    data = json.dumps({"metadata": {"version": "1.0"}, "entries": entries}, indent=2).encode()
    _read_everywhere("Journal.json", data[:cut])


@FUZZ
@given(entry=JOURNEY_ENTRIES | JSON_VALUES)
# Found by this test: a mood that is a list, with no text.
@example(entry={"date_journal": 0, "mood": []})
def test_journey_shaped(entry: Any) -> None:
    _read_everywhere("1709280000000-abc.json", json.dumps(entry).encode())


def test_nesting_deeper_than_the_recursion_limit() -> None:
    for depth in (500, 990, 5000):
        deep = "[" * depth + "]" * depth
        line = '{"date": "2024-03-01", "text": "x", "extra": ' + deep + "}"
        for name, data in [("entries.jsonl", line + "\n" + line), ("entries.json", f"[{line}]"),
                           ("Journal.json", '{"entries": [' + line + "]}"),
                           ("1709280000000-abc.json", deep)]:
            _read_everywhere(name, data.encode())


_corrupted = partial(corrupted, SAMPLE_FILES, st.sampled_from([b"{", b"}", b"[", b"]", b",", b'"', b"\\",
                                                  b"\n", b"\x00", b'{"uuid": "X"},']))


@FUZZ
@given(case=_corrupted())
def test_corrupted_samples(case: tuple[str, bytes]) -> None:
    name, data = case
    _read_everywhere(name, data)


def test_samples_themselves_pass_the_checks() -> None:
    for name, data in SAMPLE_FILES.items():
        parsed = read_source(Source(file=name, name=name, data=data), "alex")
        _check(parsed)
        assert parsed.problems == [] and len(parsed.entries) > 0
