"""Obsidian vaults and other Markdown notes.

A note is dated by its YAML front matter (``date`` or ``created``) or else by its file name
("2024-03-01.md", "2024.03.01 Friday.md", "20240301.md"). A daily note may hold several
entries under time headings ("## 08:30", "### 21:15 evening", "## 2024-03-01 08:30"); each
becomes an entry named "<note>#08:30". Inline #tags join the front-matter tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import yaml

from patternlens.ingest.model import Parsed, raw_frame
from patternlens.ingest.plaintext import (
    TIME_PATTERN,
    make_date,
    meta_json,
    parse_heading,
    split_lines,
    time_from_match,
)
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode

NAME = "markdown"
NO_DATE = "no date: no front-matter date and none in the file name"

_SUFFIXES = {".md", ".markdown"}
_DATE_KEYS = ("date", "created")
_TAG_KEYS = ("tags", "tag")
_KNOWN_KEYS = {*_DATE_KEYS, *_TAG_KEYS, "mood", "title"}

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_TIME_HEADING = re.compile(
    r"^#{1,6}\s+(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:T|\s+))?"
    + f"(?P<clock>{TIME_PATTERN})"
    + r"(?![\d:])\s*[-–—:]?\s*(?P<rest>.*?)\s*#*\s*$",
    re.IGNORECASE,
)
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})([-._]?)(\d{2})\2(\d{2})(?!\d)")
_FM_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
# Obsidian tags: "#" then letters, digits, _ - /, not all digits; not inside a word, a URL
# fragment or an HTML entity.
_INLINE_TAG = re.compile(r"(?<![\w/&#])#([\w/-]*[^\W\d][\w/-]*)")
_CODE_SPAN = re.compile(r"`[^`\n]*`")


class _Loader(yaml.SafeLoader):
    """safe_load that keeps dates as written: "2024-02-30" must be a problem we can name."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _timestamp_as_text(loader: _Loader, node: yaml.Node) -> str:
    # Explicit "!!timestamp 2024-02-30" too: our own date parsing names what is wrong.
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(None, None, "a timestamp must be a plain value",
                                                node.start_mark)
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


@dataclass
class _When:
    """What a note's front matter or file name says about when it was written."""

    day: date | None = None
    at: time | None = None
    tz: tzinfo = UTC
    tz_name: str | None = None
    problem: str | None = None
    line: int | None = None  # where a problem with the date was found


@dataclass
class _Note:
    src: Source
    subject: str
    front: dict[str, object] = field(default_factory=dict)
    when: _When = field(default_factory=_When)
    rows: list[dict[str, object]] = field(default_factory=list)


def sniff(src: Source) -> bool:
    return src.suffix in _SUFFIXES


def read(src: Source, subject: str) -> Parsed:
    text, _ = decode(src.data)
    lines = split_lines(text)
    note = _Note(src, subject)
    body_start = _front_matter(lines, note)
    if body_start is None:
        return Parsed(entries=raw_frame(note.rows))
    if note.when.problem is None and note.when.day is None:
        note.when = _date_from_name(src.name)
    _entries(lines, body_start, note)
    return Parsed(entries=raw_frame(note.rows))


def _front_matter(lines: list[str], note: _Note) -> int | None:
    """Parse front matter into ``note``; the index of the first body line, None if invalid."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:  # a lone "---" opening a note is a rule, not front matter
        return 0
    try:
        loaded = yaml.load("\n".join(lines[1:close]), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1  # front matter starts on line 2
        note.when = _When(problem="invalid YAML front matter: "
                                  f"{exc.problem or exc.context or 'syntax error'}")
        note.rows.append(_row(note, "", line, ref=None, problem=note.when.problem))
        return None
    except Exception as exc:
        # PyYAML's constructors fail on explicit tags with KeyError (!!bool x), ValueError
        # (!!int x) and more, not only YAMLError; one odd note must not stop the import.
        note.when = _When(problem=f"invalid YAML front matter: {type(exc).__name__} {exc}")
        note.rows.append(_row(note, "", 1, ref=None, problem=note.when.problem))
        return None
    if isinstance(loaded, dict):
        note.front = {str(k).lower(): v for k, v in loaded.items()}
    key = next((k for k in _DATE_KEYS if note.front.get(k) not in (None, "")), None)
    if key is not None:
        note.when = _date_from_front(note.front[key])
        if note.when.problem:
            note.when.line = next((i + 1 for i in range(1, close)
                                   if lines[i].lower().startswith(key)), None)
    return close + 1


def _date_from_front(value: object) -> _When:
    # The loader keeps timestamps as text, so every date arrives here as written.
    written = str(value).strip()[:80]
    if m := _FM_DATE.match(written):
        day = make_date(int(m[1]), int(m[2]), int(m[3]))
        at = None
        if m[4]:
            at = time(int(m[4]), int(m[5]), int(m[6] or 0)) if _valid_time(m) else None
            if at is None:
                return _When(problem=f"impossible time in front-matter date {written!r}")
        if day is None:
            return _When(problem=f"impossible front-matter date {written!r}")
        if not m[7]:
            return _When(day, at)
        offset = _parse_offset(m[7])
        if offset is None:
            return _When(problem=f"impossible UTC offset in front-matter date {written!r}")
        return _When(day, at, timezone(offset), _offset_name(offset))
    stamp = parse_heading(written)  # "March 1, 2024", "1 March 2024 21:15", ...
    if stamp is None:
        return _When(problem=f"unparseable front-matter date {written!r}")
    if stamp.problem:
        return _When(problem=f"{stamp.problem} in front matter")
    return _When(stamp.day, stamp.at)


def _valid_time(m: re.Match[str]) -> bool:
    return int(m[4]) < 24 and int(m[5]) < 60 and int(m[6] or 0) < 60


def _parse_offset(text: str) -> timedelta | None:
    if text.upper() == "Z":
        return timedelta(0)
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return sign * timedelta(hours=hours, minutes=minutes)


def _offset_name(offset: timedelta | None) -> str | None:
    if offset is None:
        return None
    total = int(offset.total_seconds()) // 60
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def _date_from_name(name: str) -> _When:
    stem = name.rsplit("/", 1)[-1]
    m = _NAME_DATE.search(stem)
    if not m:
        return _When(problem=NO_DATE)
    day = make_date(int(m[1]), int(m[3]), int(m[4]))
    if day is None:
        return _When(problem=f"impossible date {m[0]!r} in the file name")
    return _When(day)


def _entries(lines: list[str], body_start: int, note: _Note) -> None:
    """Split the body at time headings (outside code fences) and add one row per entry."""
    sections: list[tuple[int, re.Match[str] | None, list[str]]] = [(body_start + 1, None, [])]
    in_fence = False
    for index in range(body_start, len(lines)):
        line = lines[index]
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _TIME_HEADING.match(line)
        if heading:
            sections.append((index + 1, heading, []))
        else:
            sections[-1][2].append(line)

    preamble = sections[0][2]
    if len(sections) == 1:
        _add(note, _text(preamble), 1, None, ref=note.src.name)
        return
    # Before the first time heading: a day heading or a tags line, or an entry of its own.
    shared_tags = _inline_tags("\n".join(preamble))
    if any(ln.strip() and not ln.lstrip().startswith("#") for ln in preamble):
        first = next(i for i, ln in enumerate(preamble) if ln.strip())
        _add(note, _text(preamble), body_start + first + 1, None, ref=note.src.name)
    seen: dict[str, int] = {}
    for line_no, heading, body in sections[1:]:
        assert heading is not None
        _add(note, _text(body), line_no, heading, shared_tags=shared_tags, seen=seen)


def _text(lines: list[str]) -> str:
    return "\n".join(line.rstrip() for line in lines).strip()


def _add(note: _Note, text: str, line_no: int, heading: re.Match[str] | None, *,
         ref: str | None = None, shared_tags: list[str] | None = None,
         seen: dict[str, int] | None = None) -> None:
    when = note.when
    day, at, problem = when.day, when.at, when.problem
    title = _title(note) if heading is None else (heading["rest"] or None)
    if heading is not None:
        at = time_from_match(heading)
        if heading["y"]:
            day = make_date(int(heading["y"]), int(heading["m"]), int(heading["d"]))
            problem = None if day else (
                f"impossible date '{heading['y']}-{heading['m']}-{heading['d']}' in heading")
        if at is None and problem is None:
            problem = f"impossible time {heading['clock']!r} in heading"
        if problem is None and seen is not None and at is not None and day is not None:
            key = f"{day.isoformat()}T{at:%H:%M}" if heading["y"] else f"{at:%H:%M}"
            seen[key] = seen.get(key, 0) + 1
            ref = f"{note.src.name}#{key}" + (f"#{seen[key]}" if seen[key] > 1 else "")
    tags = _front_tags(note.front) + (shared_tags or []) + _inline_tags(text)
    note.rows.append(_row(note, text, line_no, ref=ref, day=day, at=at, problem=problem,
                          title=title, tags=list(dict.fromkeys(tags))))


def _title(note: _Note) -> str | None:
    title = note.front.get("title")
    if isinstance(title, str | int | float) and str(title).strip():
        return str(title).strip()
    stem = note.src.name.rsplit("/", 1)[-1]
    stem = stem[: stem.rfind(".")] if "." in stem else stem
    # A file named by its date only ("2024-03-01 Friday") has no title worth keeping.
    return None if _NAME_DATE.search(stem) or not stem.strip() else stem.strip()


def _row(note: _Note, text: str, line_no: int, *, ref: str | None, day: date | None = None,
         at: time | None = None, problem: str | None = None, title: str | None = None,
         tags: list[str] | None = None) -> dict[str, object]:
    when = note.when
    occurred_at = None
    if problem is None and day is not None:
        try:
            occurred_at = datetime.combine(day, at or time(0, 0), tzinfo=when.tz).astimezone(UTC)
        except OverflowError:  # year 1 or 9999 shifted by its UTC offset
            problem = f"date {day.isoformat()} {when.tz_name} is out of range"
    meta: dict[str, object] = {}
    extras = {k: v for k, v in note.front.items() if k not in _KNOWN_KEYS and _plain_value(v)}
    if extras:
        meta["front_matter"] = extras
    if at is None:
        meta["date_only"] = True
    mood = note.front.get("mood")
    if problem and problem == when.problem and when.line:
        line_no = when.line  # point at the front-matter line that holds the bad date
    return {
        "subject": note.subject, "source": NAME, "source_ref": ref if problem is None else None,
        "occurred_at": occurred_at, "timezone": when.tz_name, "title": title, "text": text,
        "tags": tags or [], "mood": (str(mood).strip() or None) if _scalar(mood) else None,
        "mood_level": None, "meta": meta_json(meta), "file": note.src.file,
        "position": f"line {line_no}",         "problem": problem,
    }


def _scalar(value: object) -> bool:
    return value is not None and isinstance(value, str | int | float | bool)


def _plain_value(value: object) -> bool:
    # Only scalars and short lists of them go to meta: YAML aliases can build cyclic or
    # exponentially large structures.
    if isinstance(value, list):
        return len(value) <= 100 and all(_scalar(v) or v is None for v in value)
    return value is None or _scalar(value)


def _front_tags(front: dict[str, object]) -> list[str]:
    raw = next((front[k] for k in _TAG_KEYS if front.get(k) is not None), None)
    items: list[object]
    if isinstance(raw, str):
        items = list(re.split(r"[,\s]+", raw))
    elif isinstance(raw, list):
        items = [v for v in raw if _scalar(v)]
    elif _scalar(raw):
        items = [raw]
    else:
        items = []
    return [t for t in (str(v).strip().lstrip("#") for v in items) if t]


def _inline_tags(text: str) -> list[str]:
    if "#" not in text:
        return []
    kept: list[str] = []
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence:
            kept.append(_CODE_SPAN.sub("", line))
    return [t.rstrip("/-") for t in _INLINE_TAG.findall("\n".join(kept))]
