"""Journey: one JSON file per entry (``<id>.json``), usually exported as a zip of them.

Entry text is HTML (``"type": "html"``); it becomes plain text with paragraph and line
breaks kept. Dates are milliseconds since the epoch with the writer's zone alongside.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from patternlens.ingest.generic import head_text, json_error
from patternlens.ingest.model import Parsed, Problem, raw_frame
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode

NAME = "journey"

# Elements that end a paragraph of text; <br> ends a line.
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "blockquote", "pre",
    "tr", "table", "section", "article", "header", "footer", "hr",
}
_HIDDEN = {"script", "style", "head", "title"}
_SPACES = re.compile(r"[ \t\r\f\v\n]+")
_LOOKS_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def sniff(src: Source) -> bool:
    return src.suffix == ".json" and '"date_journal"' in head_text(src)


def read(src: Source, subject: str) -> Parsed:
    text, _ = decode(src.data)
    try:
        doc: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON: {json_error(exc)} at line {exc.lineno}, column {exc.colno}"
        return Parsed(Parsed.empty().entries, [Problem(src.file, "whole file", reason)])
    except (ValueError, RecursionError) as exc:
        reason = f"not valid JSON: {exc}"
        return Parsed(Parsed.empty().entries, [Problem(src.file, "whole file", reason)])
    stem = src.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if isinstance(doc, dict):
        entries = [("whole file", doc)]
    elif isinstance(doc, list):
        entries = [(f"entry {n}", item) for n, item in enumerate(doc, start=1)]
        stem = ""  # a list's entries cannot all be named after the file
    else:
        reason = "not a Journey entry (not a JSON object)"
        return Parsed(Parsed.empty().entries, [Problem(src.file, "whole file", reason)])
    rows: list[dict[str, object]] = []
    problems: list[Problem] = []
    for position, entry in entries:
        if not isinstance(entry, dict):
            problems.append(Problem(src.file, position, "not a Journey entry (not a JSON object)"))
            continue
        rows.append(_row(entry, subject, src.file, position, stem))
    return Parsed(raw_frame(rows), problems)


def _row(
    entry: dict[str, Any], subject: str, file: str, position: str, stem: str
) -> dict[str, object]:
    occurred_at, problem = _from_millis(entry.get("date_journal"), "date_journal")
    body = entry.get("text")
    text = html_to_text(body) if isinstance(body, str) and _is_html(entry, body) else body
    tags = entry.get("tags")
    raw_mood = entry.get("mood")
    mood = str(raw_mood) if isinstance(raw_mood, str | int | float) and raw_mood != "" else None
    ident = entry.get("id")
    return {
        "subject": subject,
        "source": "journey",
        # Journey names each file after the entry's id, so the name stands in when it is absent.
        "source_ref": str(ident) if isinstance(ident, str | int) and str(ident) else stem or None,
        "occurred_at": occurred_at,
        "timezone": _string(entry.get("timezone")),
        "title": _string(entry.get("title")),
        "text": text.strip() if isinstance(text, str) else None,
        "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else None,
        "mood": mood,
        "meta": _meta(entry),
        "file": file,
        "position": position,
        "problem": problem,
    }


def _from_millis(value: Any, field: str) -> tuple[datetime | None, str | None]:
    if value is None:
        return None, None  # validate reports the missing date
    millis: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        millis = value
    elif isinstance(value, str):
        try:
            millis = float(value)
        except ValueError:
            millis = None
    if millis is None:
        return None, f"{field} {value!r} is not milliseconds since 1970"
    try:
        return datetime.fromtimestamp(millis / 1000, UTC), None
    except (OverflowError, ValueError, OSError):
        return None, f"{field} {value!r} is not a possible date"


def _is_html(entry: dict[str, Any], body: str) -> bool:
    kind = entry.get("type")
    return kind == "html" or (kind is None and _LOOKS_HTML.search(body) is not None)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")
            if tag == "li":
                self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by a blank line, <br> a newline."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    out: list[str] = []
    for line in (part.strip() for part in text.split("\n")):
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        # List items sit on consecutive lines; other blocks are separated by one blank line.
        if line.startswith("- ") and len(out) > 1 and not out[-1] and out[-2].startswith("- "):
            out.pop()
        out.append(line)
    return "\n".join(out).strip()


def _meta(entry: dict[str, Any]) -> str | None:
    meta: dict[str, Any] = {}
    modified, _ = _from_millis(entry.get("date_modified"), "date_modified")
    if modified is not None:
        meta["modified_at"] = modified.isoformat().replace("+00:00", "Z")
    if _string(entry.get("address")):
        meta["address"] = entry["address"]
    if isinstance(entry.get("favourite"), bool):
        meta["favourite"] = entry["favourite"]
    weather = entry.get("weather")
    if isinstance(weather, dict):
        if _string(weather.get("description")):
            meta["weather"] = weather["description"]
        degrees = weather.get("degree_c")
        # A reading no thermometer gives (Journey writes the largest double) means none.
        if isinstance(degrees, int | float) and not isinstance(degrees, bool) and abs(degrees) < 100:
            meta["temperature_c"] = degrees
    photos = entry.get("photos")
    if isinstance(photos, list) and photos:
        meta["photos"] = len(photos)
    return json.dumps(meta, sort_keys=True, ensure_ascii=False) if meta else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
