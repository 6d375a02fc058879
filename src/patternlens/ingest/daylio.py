"""Daylio CSV exports, current (8 columns, ``full_date``) and older (7 columns, ``year``).

Daylio stores no ids and no time zone: an entry is named by its date and minute
("2024-03-01T20:15", then "#2", "#3" for more entries in the same minute), so a newer
export of the same journal gives the same refs, and naive times are taken as UTC.
"""

from __future__ import annotations

import csv
import html
import io
import re
import tomllib
from collections import Counter
from datetime import UTC, date, datetime
from importlib import resources

from patternlens.ingest.model import Parsed, Problem, raw_frame
from patternlens.ingest.plaintext import make_date, meta_json, month_number, parse_time, split_lines
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode

NAME = "daylio"

_CURRENT = ("full_date", "date", "weekday", "time", "mood", "activities", "note_title", "note")
_OLD = ("year", "date", "weekday", "time", "mood", "activities", "note")
_HEADERS = {_CURRENT, _OLD, ("year", "date", "week_day", "time", "mood", "activities", "note")}

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Older exports write the day without the year: "12 January", "Jan 12".
_DAY_MONTH = re.compile(r"^(\d{1,2})\s+([A-Za-z]+)\.?$")
_MONTH_DAY = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})$")
# Notes carry a little HTML (rich-text notes): breaks and blocks become new lines.
_BREAK = re.compile(r"<br\s*/?>|<(?:ul|ol)\b[^>]*>|</(?:p|div|li|h[1-6]|blockquote)>",
                    re.IGNORECASE)
_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_MARKUP = re.compile(
    r"</?(?:b|i|u|s|em|strong|p|div|span|ul|ol|li|h[1-6]|a|font|strike|del|sub|sup|blockquote)"
    r"\b[^>]*>",
    re.IGNORECASE,
)


def _load_levels() -> dict[str, int]:
    raw = resources.files("patternlens.ingest").joinpath("daylio_moods.toml").read_text("utf-8")
    return {name.lower(): int(level) for name, level in tomllib.loads(raw)["levels"].items()}


MOOD_LEVELS = _load_levels()


def _header(fields: list[str]) -> tuple[str, ...] | None:
    names = tuple(f.strip().lstrip("\ufeff").strip('"').lower() for f in fields)
    return names if names in _HEADERS else None


def sniff(src: Source) -> bool:
    if src.suffix != ".csv":
        return False
    head, _ = decode(src.head)
    try:
        first = next(csv.reader([split_lines(head)[0]]), [])
    except csv.Error:
        return False
    return _header(first) is not None


def plain_note(note: str) -> str:
    """Daylio's note HTML as plain text: <br> and blocks to new lines, entities decoded."""
    text = note.replace("\r\n", "\n").replace("\r", "\n")
    text = _ITEM.sub("- ", _BREAK.sub("\n", text))
    text = html.unescape(_MARKUP.sub("", text)).replace("\xa0", " ")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _old_date(year: str, day_month: str) -> date | None:
    if not year.strip().isdigit():
        return None
    if m := _DAY_MONTH.match(day_month.strip()):
        day, month = m[1], month_number(m[2])
    elif m := _MONTH_DAY.match(day_month.strip()):
        day, month = m[2], month_number(m[1])
    else:
        return None
    return make_date(int(year), month, int(day)) if month else None


def _iso_date(value: str) -> date | None:
    m = _ISO_DATE.match(value.strip())
    return make_date(int(m[1]), int(m[2]), int(m[3])) if m else None


def read(src: Source, subject: str) -> Parsed:
    text, _ = decode(src.data)
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    rows: list[dict[str, object]] = []
    header: tuple[str, ...] | None = None
    per_minute: Counter[str] = Counter()
    row_no = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field past csv's size limit; the reader moves on
            if header is None:
                problems.append(Problem(src.file, "line 1", f"not a Daylio export: {exc}"))
                break
            row_no += 1
            problems.append(Problem(src.file, f"row {row_no}", f"cannot be read as CSV: {exc}"))
            continue
        if header is None:
            header = _header(record)
            if header is None:
                problems.append(Problem(src.file, "line 1", "not a Daylio export: the first "
                                        "line is not a Daylio header"))
                break
            continue
        if not any(field.strip() for field in record):
            continue
        if record[0].strip().lower() == header[0] and _header(record) == header:
            continue  # a second header: two exports pasted together
        row_no += 1
        if len(record) != len(header):
            problems.append(Problem(src.file, f"row {row_no}",
                                    f"expected {len(header)} fields, found {len(record)}"))
            continue
        rows.append(_entry(dict(zip(header, record, strict=True)), src, subject, row_no,
                           per_minute))
    return Parsed(entries=raw_frame(rows), problems=problems)


def _entry(field: dict[str, str], src: Source, subject: str, row_no: int,
           per_minute: Counter[str]) -> dict[str, object]:
    if "full_date" in field:
        day, date_text = _iso_date(field["full_date"]), field["full_date"].strip()
    else:
        day = _old_date(field["year"], field["date"])
        date_text = f"{field['date'].strip()} {field['year'].strip()}"
    at = parse_time(field["time"])
    problem = None
    occurred_at = ref = None
    if day is None:
        problem = f"unparseable date {date_text!r}"
    elif at is None:
        problem = f"unparseable time {field['time'].strip()!r}"
    else:
        occurred_at = datetime.combine(day, at, tzinfo=UTC)
        minute = f"{day.isoformat()}T{at:%H:%M}"
        per_minute[minute] += 1
        n = per_minute[minute]
        ref = minute + (f"#{n}" if n > 1 else "")
    activities = list(dict.fromkeys(
        a.strip() for a in field["activities"].split(" | ") if a.strip()))
    mood = field["mood"].strip() or None
    title = plain_note(field.get("note_title", "")) or None
    return {
        "subject": subject, "source": NAME, "source_ref": ref, "occurred_at": occurred_at,
        "timezone": None, "title": title, "text": plain_note(field["note"]), "tags": activities,
        "mood": mood, "mood_level": MOOD_LEVELS.get(mood.lower()) if mood else None,
        "meta": meta_json({"activities": activities}), "file": src.file,
        "position": f"row {row_no}", "problem": problem,
    }
