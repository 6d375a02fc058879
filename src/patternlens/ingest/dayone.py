"""Day One: the JSON export (``Journal.json``, or a zip of journal JSON files and photos/).

Day One writes its text as Markdown with punctuation backslash-escaped (``Dr\\. Okafor``)
and photos as ``![](dayone-moment://…)`` references; both are undone here. A file cut
short or damaged in the middle still gives every entry object that is intact.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from patternlens.ingest.generic import head_text, scan_array
from patternlens.ingest.model import Parsed, Problem, raw_frame
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode

NAME = "dayone"

# Markdown escapes: a backslash before ASCII punctuation stands for the bare character.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MOMENT = re.compile(r"!\[[^\]]*\]\(dayone-moment:[^)]*\)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BLANK_RUN = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_ENTRIES = re.compile(r'"entries"\s*:\s*\[')


def sniff(src: Source) -> bool:
    if src.suffix != ".json":
        return False
    head = head_text(src)
    return '"entries"' in head and ('"uuid"' in head or '"creationDate"' in head)


def read(src: Source, subject: str) -> Parsed:
    text, encoding = decode(src.data)
    journal = src.name.rsplit("/", 1)[-1].removesuffix(".json").removesuffix(".JSON")
    problems: list[Problem] = []
    numbered: list[tuple[int, Any]] = []
    try:
        doc: Any = json.loads(text)
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
        numbered = list(enumerate(doc["entries"], start=1))
    else:
        match = _ENTRIES.search(text)
        if match is None:
            reason = "not a Day One export (no list of entries)"
            return Parsed(Parsed.empty().entries, [Problem(src.file, "whole file", reason)])
        scan = scan_array(text, match.end(), wanted=_is_entry)
        problems += [damage.problem(src.file, text, encoding) for damage in scan.damages]
        # Entries keep their number in the file, damaged ones counted, as Day One lists them.
        numbered = scan.numbered()
    rows: list[dict[str, object]] = []
    for number, entry in numbered:
        position = f"entry {number}"
        if not isinstance(entry, dict):
            problems.append(Problem(src.file, position, "not a Day One entry (not an object)"))
            continue
        rows.append(_row(entry, subject, journal, src.file, position))
    return Parsed(raw_frame(rows), problems)


def _is_entry(obj: dict[str, Any]) -> bool:
    return "uuid" in obj or "creationDate" in obj


def _row(
    entry: dict[str, Any], subject: str, journal: str, file: str, position: str
) -> dict[str, object]:
    zone = _string(entry.get("timeZone"))
    occurred_at, problem = _parse_date(entry.get("creationDate"), zone)
    title, body = split_title(_clean(_string(entry.get("text")) or ""))
    tags = entry.get("tags")
    return {
        "subject": subject,
        "source": "dayone",
        "source_ref": _string(entry.get("uuid")),
        "occurred_at": occurred_at,
        "timezone": zone,
        "title": title,
        "text": body,
        "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else None,
        "meta": _meta(entry, journal),
        "file": file,
        "position": position,
        "problem": problem,
    }


def _parse_date(value: Any, zone: str | None) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None  # validate reports the missing date
    if not isinstance(value, str):
        return None, f"creationDate {value!r} is not a date"
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"creationDate {value!r} is not an ISO 8601 date and time"
    if when.tzinfo is None:
        # Day One writes UTC ("Z"); a bare time is taken in the entry's own zone.
        try:
            when = when.replace(tzinfo=ZoneInfo(zone) if zone else UTC)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC), None
    except (OverflowError, ValueError):
        return None, f"creationDate {value!r} is out of range"


def _clean(text: str) -> str:
    text = _MOMENT.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _BLANK_RUN.sub("\n\n", text)
    return text.strip()


def split_title(text: str) -> tuple[str | None, str]:
    """A first line that is a Markdown heading is the entry's title, not part of its text.

    An entry that is only a heading keeps it as its text.
    """
    first, _, rest = text.partition("\n")
    match = _HEADING.match(first)
    if match is None:
        return None, text
    if not rest.strip():
        return None, match.group(1)
    return match.group(1) or None, rest.strip()


def _meta(entry: dict[str, Any], journal: str) -> str:
    meta: dict[str, Any] = {"journal": journal}
    if isinstance(entry.get("starred"), bool):
        meta["starred"] = entry["starred"]
    if _string(entry.get("modifiedDate")):
        meta["modified_at"] = entry["modifiedDate"]
    location = entry.get("location")
    if isinstance(location, dict):
        # Place names only: coordinates say where someone lives and add nothing to patterns.
        for key, name in (("placeName", "place"), ("localityName", "locality"),
                          ("country", "country")):
            if _string(location.get(key)):
                meta[name] = location[key]
    weather = entry.get("weather")
    if isinstance(weather, dict):
        if _string(weather.get("conditionsDescription")):
            meta["weather"] = weather["conditionsDescription"]
        temperature = weather.get("temperatureCelsius")
        if _finite_number(temperature):
            meta["temperature_c"] = temperature
    return json.dumps(meta, sort_keys=True, ensure_ascii=False)


def _finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
