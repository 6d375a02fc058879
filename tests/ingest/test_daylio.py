"""Daylio CSV exports: both header generations, refs, moods, notes, bad rows, encodings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patternlens.ingest import daylio
from patternlens.ingest.detect import read_path
from patternlens.ingest.model import RAW_SCHEMA, Parsed, Problem
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

SAMPLES = Path(__file__).parents[2] / "data" / "samples" / "daylio"
CURRENT = SAMPLES / "daylio_export.csv"
OLD = SAMPLES / "daylio_export_old.csv"
HEADER = "full_date,date,weekday,time,mood,activities,note_title,note\n"


def _read(data: str | bytes, name: str = "daylio_export.csv") -> Parsed:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return daylio.read(Source(file=f"/in/{name}", name=name, data=raw), "alex")


def test_current_export() -> None:
    parsed = read_path(CURRENT, "alex")
    assert parsed.formats == {"daylio"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert df["source_ref"].to_list() == [
        "2024-03-08T21:40", "2024-03-08T08:05", "2024-03-07T18:30", "2024-03-06T22:10",
        "2024-03-05T17:00", "2024-03-05T17:00#2", "2024-03-04T07:45", "2024-03-02T12:30",
    ]
    assert df["occurred_at"][6] == datetime(2024, 3, 4, 7, 45, tzinfo=UTC)
    assert df["timezone"].null_count() == len(df)
    assert df["position"].to_list() == [f"row {n}" for n in range(1, 9)]
    assert df["mood"].to_list() == ["good", "meh", "bad", "anxious", "good", "meh", "awful", "rad"]
    # Renamed/custom moods ("anxious") have no known level.
    assert df["mood_level"].to_list() == [4, 3, 2, None, 4, 3, 1, 5]
    assert df["title"].to_list() == [
        "Call with mum", None, "Performance review", None, "Session with Dr. Okafor", None,
        None, "Saturday lunch"]
    assert df["tags"][7].to_list() == ["sam", "friends", "cooking"]
    assert json.loads(df["meta"][3]) == {"activities": ["sam", "bad sleep"]}
    assert df["text"][2] == (
        "My boss went through the review line by line. I nodded along, said nothing, then "
        "replayed it all the way home.\n\nSam said I always go quiet when someone criticises "
        "me. Probably true.")
    assert df["text"][4].endswith("where that comes from & why it feels safer.\n"
                                  "Homework: notice it, don't fix it.")
    # The mood-only entry is kept: validation accepts an empty note when a mood is set.
    assert df["text"][1] == ""
    accepted, problems = validate(parsed)
    assert len(accepted) == 8 and problems == []


def test_old_seven_column_export() -> None:
    parsed = read_path(OLD, "alex")
    assert parsed.formats == {"daylio"} and parsed.problems == []
    df = parsed.entries
    assert df["source_ref"].to_list() == [
        "2019-01-14T21:20", "2019-01-13T18:05", "2019-01-12T23:54", "2019-01-12T08:15"]
    assert df["occurred_at"][2] == datetime(2019, 1, 12, 23, 54, tzinfo=UTC)
    assert df["mood_level"].to_list() == [4, 2, 5, 3]
    assert df["title"].null_count() == 4
    assert df["text"][1] == ("Sunday lunch at mum's. She commented on my job again.\n"
                             "I smiled and said it's fine. It isn't.")
    assert df["tags"][3].to_list() == []


@pytest.mark.parametrize(("header", "day", "clock", "expected"), [
    ("year,date,weekday,time,mood,activities,note", "Jan 12", "8:15 PM",
     datetime(2019, 1, 12, 20, 15)),
    ("year,date,week_day,time,mood,activities,note", "12 January", "20:15",
     datetime(2019, 1, 12, 20, 15)),
    # Android 13+ puts a narrow no-break space before AM/PM.
    ("year,date,weekday,time,mood,activities,note", "3 Sept", "12:05\u202fAM",
     datetime(2019, 9, 3, 0, 5)),
])
def test_old_header_variants_and_times(header: str, day: str, clock: str,
                                       expected: datetime) -> None:
    df = _read(f'{header}\n2019,{day},Saturday,{clock},Good ,"sam | walk ",hello\n').entries
    assert df["occurred_at"].to_list() == [expected.replace(tzinfo=UTC)]
    assert df["mood"].to_list() == ["Good"] and df["mood_level"].to_list() == [4]
    assert df["tags"][0].to_list() == ["sam", "walk"]


def test_refs_survive_a_newer_export() -> None:
    first = read_path(CURRENT, "alex").entries
    newer = CURRENT.read_text("utf-8").replace(
        HEADER, HEADER + "2024-03-09,March 9,Saturday,10:00,good,walk,,Long walk alone.\n", 1)
    second = _read(newer).entries
    assert second["source_ref"].to_list()[1:] == first["source_ref"].to_list()
    assert second["text"].to_list()[1:] == first["text"].to_list()


def test_bad_rows_are_positioned_and_good_rows_come_through() -> None:
    parsed = _read(
        HEADER
        + "2024-03-08,March 8,Friday,21:40,good,walk,,Fine.\n"
        + "2024-03-07,March 7,Thursday,18:30,bad\n"
        + "2024-13-45,March 6,Wednesday,22:10,bad,,,Which day was this?\n"
        + "2024-03-05,March 5,Tuesday,teatime,meh,,,When?\n"
        + "\n"
        + "2024-03-04,March 4,Monday,7:45,awful,,,\"Multi\nline <b>note</b>\"\n"
        + "2024-03-03,March 3,Sunday,9:00,,,,\n"
    )
    assert parsed.problems == [Problem("/in/daylio_export.csv", "row 2",
                                       "expected 8 fields, found 5")]
    df = parsed.entries
    assert df["position"].to_list() == ["row 1", "row 3", "row 4", "row 5", "row 6"]
    assert df["problem"].to_list() == [
        None, "unparseable date '2024-13-45'", "unparseable time 'teatime'", None, None]
    assert df["text"][3] == "Multi\nline note"
    accepted, problems = validate(parsed)
    assert accepted["source_ref"].to_list() == ["2024-03-08T21:40", "2024-03-04T07:45"]
    assert [(p.position, p.reason) for p in problems] == [
        ("row 2", "expected 8 fields, found 5"),
        ("row 3", "unparseable date '2024-13-45'"),
        ("row 4", "unparseable time 'teatime'"),
        ("row 6", "empty entry (no text and no mood)"),
    ]


def test_unparseable_old_date_names_the_string() -> None:
    df = _read("year,date,weekday,time,mood,activities,note\n"
               "2019,31 Smarch,Monday,9:00 pm,good,,x\n").entries
    assert df["problem"].to_list() == ["unparseable date '31 Smarch 2019'"]


def test_note_html() -> None:
    note = "A<br>b<br/>c<br />d&nbsp;e &lt;3 <i>Sam</i><ul><li>one</li><li>two</li></ul>I <3 mum"
    assert daylio.plain_note(note) == "A\nb\nc\nd e <3 Sam\n- one\n- two\nI <3 mum"


def test_sniff() -> None:
    def src(name: str, data: bytes) -> Source:
        return Source(file=name, name=name, data=data)

    assert daylio.sniff(src("export.csv", b"\xef\xbb\xbf" + HEADER.encode() + b"x\n"))
    assert daylio.sniff(src("export.csv", HEADER.encode("utf-16")))
    assert daylio.sniff(src("e.CSV", b'"year","date","weekday","time","mood","activities","note"\n'))
    assert not daylio.sniff(src("export.csv", b"date,text\n2024-03-01,hi\n"))
    assert not daylio.sniff(src("export.txt", HEADER.encode()))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_give_the_same_text(encoding: str) -> None:
    csv_text = HEADER + "2024-03-01,March 1,Friday,20:15,meh,café,Naïve,\"Mum – “fine”, she said.\"\n"
    df = _read(csv_text.encode(encoding)).entries
    assert df["text"].to_list() == ["Mum – “fine”, she said."]
    assert df["title"].to_list() == ["Naïve"]
    assert df["tags"][0].to_list() == ["café"]
