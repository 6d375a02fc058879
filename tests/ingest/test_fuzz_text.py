"""Random and corrupted input to the Daylio, Markdown and plain-text readers.

Whatever the bytes, a reader returns (never raises), every row it returns has a date or a
problem, refs are unique within a file, and validation takes the result as it is.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import polars as pl
from fuzzing import corrupted
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from patternlens.ingest import daylio, markdown, plaintext
from patternlens.ingest.detect import read_source
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

SAMPLES = Path(__file__).parents[2] / "data" / "samples"
SAMPLE_FILES = {
    "daylio_export.csv": (SAMPLES / "daylio" / "daylio_export.csv").read_bytes(),
    "daylio_export_old.csv": (SAMPLES / "daylio" / "daylio_export_old.csv").read_bytes(),
    "Daily/2024.03.02.md": (SAMPLES / "obsidian" / "Daily" / "2024.03.02.md").read_bytes(),
    "Therapy/Session 6.md": (SAMPLES / "obsidian" / "Therapy" / "Session 6.md").read_bytes(),
    "journal.txt": (SAMPLES / "text" / "journal.txt").read_bytes(),
}
NAMES = ["export.csv", "2024-03-01 Friday.md", "notes/undated.md", "journal.txt"]
READERS = (daylio, markdown, plaintext)

# Pieces of the three formats, good and bad, for the line-level generator.
FRAGMENTS = [
    "full_date,date,weekday,time,mood,activities,note_title,note",
    "year,date,weekday,time,mood,activities,note",
    '2024-03-01,March 1,Friday,20:15,rad,"sam | walk",Title,"a<br>b &amp; c"',
    "2019,12 January,Saturday,8:15 PM,awful,,\"x\"", "2024-02-30,x,x,25:99,meh,,,",
    '"unterminated, quote', "---", "...", "date: 2024-02-30", "date: !!timestamp 2024-02-30",
    "created: 2024-03-05T17:00:00+25:00", "date: 0001-01-01T00:00+14:00", "tags: [a, b",
    "x: &a [*a]", "mood: {a: 1}",
    "title: [1, 2]", "## 08:30", "### 21:15 evening", "## 2024-03-01 08:30", "## 25:99",
    "## 13:10 pm", "```", "~~~", "#tag #1 a#b", "2024-03-01", "2024-02-30",
    "Friday, March 1, 2024 21:15", "Fri 31 Feb 2024", "1st Smarch 2024", "March 1, 2024 at 9:99",
    "\ufeff", "\x00", "\u2028", "\r", "Dr. Okafor said “fine”.", "",
]


def _check(parsed: Parsed, strict: bool = True) -> None:
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    validate(parsed)
    if not strict:
        return
    assert df.filter(pl.col("problem").is_null() & pl.col("occurred_at").is_null()).is_empty()
    assert df["file"].null_count() == 0 and df["position"].null_count() == 0
    refs = df["source_ref"].drop_nulls()
    assert refs.n_unique() == len(refs)


def _read_everywhere(name: str, data: bytes) -> None:
    src = Source(file=f"/in/{name}", name=name, data=data)
    # Through detection as a user would, and straight into each reader even when its
    # sniff would have said no.
    # Files no reader of ours claims go to the generic CSV reader, which leaves missing
    # dates to validation: only the common checks apply to what it returns.
    parsed = read_source(src, "alex")
    _check(parsed, strict=bool(parsed.formats & {r.NAME for r in READERS}))
    for reader in READERS:
        reader.sniff(src)
        _check(reader.read(src, "alex"))


FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(name=st.sampled_from(NAMES), data=st.binary(max_size=3000))
def test_random_bytes(name: str, data: bytes) -> None:
    _read_everywhere(name, data)


@FUZZ
@given(name=st.sampled_from(NAMES), text=st.text(max_size=2000),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"]))
def test_random_text(name: str, text: str, encoding: str) -> None:
    _read_everywhere(name, text.encode(encoding, errors="replace"))


@FUZZ
@given(name=st.sampled_from(NAMES),
       lines=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40),
       newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_format_shaped_lines(name: str, lines: list[str], newline: str) -> None:
    _read_everywhere(name, newline.join(lines).encode("utf-8", errors="replace"))


_corrupted = partial(corrupted, SAMPLE_FILES, st.sampled_from(FRAGMENTS).map(lambda f: f.encode() + b"\n"))


@FUZZ
@given(case=_corrupted())
# Found by this test: PyYAML's timestamp constructor crashed on an explicit tag.
@example(case=("Daily/2024.03.02.md", b"---\ntags:date: !!timestamp 2024-02-30\n [daily]\n---\n"))
def test_corrupted_samples(case: tuple[str, bytes]) -> None:
    name, data = case
    _read_everywhere(name, data)


def test_samples_themselves_pass_the_checks() -> None:
    for name, data in SAMPLE_FILES.items():
        parsed = read_source(Source(file=name, name=name, data=data), "alex")
        _check(parsed)
        assert parsed.problems == [] and len(parsed.entries) > 0
