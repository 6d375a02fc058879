"""Plain-text journals: entries under date heading lines.

A heading is a line holding only a date, optionally a weekday before it and a time after
it: "2024-03-01", "2024-03-01 21:15", "March 1, 2024", "1 March 2024", "Friday, March 1,
2024", "Fri 1 Mar 2024 at 9:15 pm". Everything up to the next heading is that entry's text.

The date and time parsing here is shared with the Daylio and Markdown readers.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources

from patternlens.ingest.model import Parsed, Problem, raw_frame
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode

NAME = "text"


def _load_words() -> tuple[dict[str, int], dict[str, int]]:
    raw = resources.files("patternlens.ingest").joinpath("calendar_words.toml").read_text("utf-8")
    words = tomllib.loads(raw)
    return dict(words["months"]), dict(words["weekdays"])


MONTHS, WEEKDAYS = _load_words()


def _alternatives(words: dict[str, int]) -> str:
    # Longest first, so "march" is tried before "mar".
    return "|".join(sorted(words, key=len, reverse=True))


TIME_PATTERN = (
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\.?)?"
)
_MONTH = rf"(?:{_alternatives(MONTHS)})"
_WEEKDAY = rf"(?:{_alternatives(WEEKDAYS)})"
_ORDINAL = r"(?:st|nd|rd|th)?"
DATE_PATTERN = (
    r"(?P<date>"
    r"(?P<y1>\d{4})(?P<sep>[-/.])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2})"
    rf"|(?P<mn2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}}){_ORDINAL},?\s+(?P<y2>\d{{4}})"
    rf"|(?P<d3>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<mn3>{_MONTH})\.?,?\s+(?P<y3>\d{{4}})"
    r")"
)
_HEADING = re.compile(
    rf"^\s*(?:#{{1,6}}\s*)?(?:{_WEEKDAY}\b\.?,?\s+)?{DATE_PATTERN}"
    rf"(?:(?:T|\s*,\s*|\s+at\s+|\s*[-–—]\s*|\s+)(?P<time>{TIME_PATTERN}))?\s*:?\s*$",
    re.IGNORECASE,
)
_TIME_ONLY = re.compile(rf"^\s*{TIME_PATTERN}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Stamp:
    """A date (and maybe a time) as found in a heading, or why it cannot be one."""

    day: date | None
    at: time | None
    problem: str | None = None

    def occurred_at(self) -> datetime | None:
        # Journals without a zone: the naive time is taken as UTC (timezone stays null).
        if self.day is None:
            return None
        return datetime.combine(self.day, self.at or time(0, 0), tzinfo=UTC)


def month_number(word: str) -> int | None:
    """1..12 for an English month name or abbreviation ("Mar", "march", "Sept.")."""
    return MONTHS.get(word.strip().rstrip(".").lower())


def make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def time_from_match(m: re.Match[str]) -> time | None:
    """The time of a TIME_PATTERN match, or None when it is impossible ("25:00", "13:10 pm")."""
    hour, minute = int(m["hour"]), int(m["minute"])
    second = int(m["second"]) if m["second"] else 0
    if m["ampm"]:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if m["ampm"].lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def parse_time(text: str) -> time | None:
    """"20:15", "8:15 PM", "11:54 pm", "20:15:00" -> time; anything else -> None."""
    m = _TIME_ONLY.match(text)
    return time_from_match(m) if m else None


def date_from_match(m: re.Match[str]) -> date | None:
    """The date of a DATE_PATTERN match, or None when it is impossible ("2024-02-30")."""
    if m["y1"]:
        return make_date(int(m["y1"]), int(m["m1"]), int(m["d1"]))
    if m["y2"]:
        month = month_number(m["mn2"])
        return make_date(int(m["y2"]), month, int(m["d2"])) if month else None
    month = month_number(m["mn3"])
    return make_date(int(m["y3"]), month, int(m["d3"])) if month else None


def stamp_from_match(m: re.Match[str]) -> Stamp:
    """Date and time of a match holding DATE_PATTERN and optionally TIME_PATTERN as "time"."""
    day = date_from_match(m)
    if day is None:
        return Stamp(None, None, f"impossible date {m['date']!r}")
    at = None
    if m["time"]:
        at = time_from_match(m)
        if at is None:
            return Stamp(None, None, f"impossible time {m['time'].strip()!r}")
    return Stamp(day, at)


def parse_heading(line: str) -> Stamp | None:
    """A Stamp when ``line`` is shaped like a date heading (even an impossible one), else None."""
    if len(line) > 80:  # headings are short; long lines are prose
        return None
    m = _HEADING.match(line)
    return stamp_from_match(m) if m else None


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them (str.splitlines also splits on form feeds and U+2028)."""
    return re.split(r"\r\n|\r|\n", text)


def meta_json(meta: dict[str, object]) -> str:
    return json.dumps(meta, sort_keys=True, ensure_ascii=False, default=str)


def sniff(src: Source) -> bool:
    if src.suffix != ".txt":
        return False
    head, _ = decode(src.head)
    return any(parse_heading(line) is not None for line in split_lines(head))


def read(src: Source, subject: str) -> Parsed:
    text, _ = decode(src.data)
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    per_day: Counter[date] = Counter()
    heading: tuple[int, Stamp] | None = None
    body: list[str] = []
    preamble_at: int | None = None

    def flush() -> None:
        if heading is None:
            return
        line_no, stamp = heading
        ref = None
        if stamp.day is not None:
            per_day[stamp.day] += 1
            n = per_day[stamp.day]
            ref = f"{src.name}#{stamp.day.isoformat()}" + (f"#{n}" if n > 1 else "")
        rows.append({
            "subject": subject, "source": NAME, "source_ref": ref,
            "occurred_at": stamp.occurred_at(), "timezone": None, "title": None,
            "text": "\n".join(line.rstrip() for line in body).strip(), "tags": [],
            "mood": None, "mood_level": None,
            "meta": meta_json({"date_only": True} if stamp.at is None else {}),
            "file": src.file, "position": f"line {line_no}", "problem": stamp.problem,
        })

    for line_no, line in enumerate(split_lines(text), start=1):
        stamp = parse_heading(line)
        if stamp is not None:
            flush()
            heading, body = (line_no, stamp), []
        elif heading is not None:
            body.append(line)
        elif preamble_at is None and line.strip():
            preamble_at = line_no
    flush()
    if preamble_at is not None:
        problems.append(Problem(src.file, f"line {preamble_at}",
                                "text before the first date heading belongs to no entry"))
    return Parsed(entries=raw_frame(rows), problems=problems)
