"""``--redact``: people's names out of a report meant for sharing.

Declared and learned people become their role ("Sam" -> "[partner]"). Every other word that
looks like a name (a capital, then lower case) becomes "[name]" when it stands in the middle
of a sentence and is not a known non-name (``not_names.toml``: "I", days, months, titles...).
A capitalised word at the start of a sentence is masked too when the journal also uses it
in the middle of one, which is how "Karen said..." is caught when Karen is not declared.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from importlib.resources import files
from typing import Any

import polars as pl

MASK = "[name]"
# A word: letters, joined by apostrophes or hyphens (O'Brien, Mary-Jane, Sam's).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# A possessive or contraction, left in place: "Sam's" -> "[partner]'s", "I'm" is "I".
_SUFFIX = re.compile(r"['’](?:s|m|d|ll|re|ve|t)$", re.IGNORECASE)
_QUOTES = "\"“”‘’'"
# Between a sentence's end and its first word: spaces, quotes, brackets, markdown marks.
_SKIP = _QUOTES + "()[]*_#>"
_RUNS = re.compile(re.escape(MASK) + r"(?:\s+" + re.escape(MASK) + ")+")
# Fixed wording of the report itself, not the writer's text.
_FIXED_KEYS = frozenset({"disclaimer", "resources", "why", "subject", "generated_at",
                         "patternlens_version"})


@functools.cache
def _word_lists() -> tuple[frozenset[str], frozenset[str]]:
    text = files("patternlens.report").joinpath("not_names.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    abbreviations = frozenset(str(data.pop("abbreviations")).split())
    return frozenset(w for value in data.values() for w in str(value).split()), abbreviations


def _base(word: str) -> str:
    return _SUFFIX.sub("", word)


def _name_like(base: str) -> bool:
    not_names, _ = _word_lists()
    if not base[:1].isupper() or not any(c.islower() for c in base) or base in not_names:
        return False
    return not (base.endswith("s") and base[:-1] in not_names)  # "Tuesdays"


def _sentence_start(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence, a line or a quotation."""
    j = at
    while j > 0 and (text[j - 1].isspace() or text[j - 1] in _SKIP):
        if text[j - 1] == "\n" or text[j - 1] in _QUOTES:
            return True
        j -= 1
    if j == 0:
        return True
    if text[j - 1] == ".":
        before = re.search(r"([^\W\d_]+)\\?\.$", text[:j])
        return not (before and before.group(1) in _word_lists()[1])  # "Dr. Okafor"
    return text[j - 1] in "!?…:"


def journal_names(texts: Iterable[str | None]) -> set[str]:
    """Name-like words the journal uses in the middle of a sentence."""
    found: set[str] = set()
    for text in texts:
        for m in _WORD.finditer(text or ""):
            base = _base(m.group())
            if _name_like(base) and not _sentence_start(text or "", m.start()):
                found.add(base)
    return found


class Masker:
    def __init__(self, roles: dict[str, str], known: set[str]) -> None:
        self.roles = roles
        self.known = known
        self.declared = (re.compile(r"\b(" + "|".join(re.escape(n) for n in
                                                       sorted(roles, key=len, reverse=True)) + r")\b")
                         if roles else None)

    def text(self, value: str, *, name: bool = False) -> str:
        """Mask names in ``value``; ``name`` says the whole value names someone, so even its
        first word is masked."""
        if self.declared is not None:
            value = self.declared.sub(lambda m: f"[{self.roles[m.group(1)]}]", value)
        parts: list[str] = []
        last = 0
        for m in _WORD.finditer(value):
            base = _base(m.group())
            if not _name_like(base):
                continue
            if name or base in self.known or not _sentence_start(value, m.start()):
                parts += [value[last:m.start()], MASK]
                last = m.start() + len(base)
        parts.append(value[last:])
        return _RUNS.sub(MASK, "".join(parts))


_TITLES = frozenset({"dr", "doctor", "mr", "mrs", "ms", "miss", "prof"})


def redact_names(report: dict[str, Any], people: pl.DataFrame, records: pl.DataFrame,
                 texts: Iterable[str | None] = ()) -> dict[str, Any]:
    """The report with names masked in everything taken from the journal; ``texts`` are the
    writer's entries, to learn which capitalised words are names."""
    roles: dict[str, str] = {}
    for name, role in people.select("name", "role").iter_rows():
        roles[name] = role
    for episodes in records["episodes"].to_list():
        for ep in episodes or []:
            if ep.get("person") and ep.get("role"):
                roles.setdefault(ep["person"], ep["role"])
    # the extractor also matches a name by its short form ("Okafor" for "Dr. Okafor", "Sam"
    # for "Sam Lee"), and a quote may hold only that
    for name, role in list(roles.items()):
        words = name.split()
        if len(words) > 1:
            titled = words[0].rstrip(".").lower() in _TITLES
            roles.setdefault(words[-1] if titled else words[0], role)
    mask = Masker(roles, journal_names(texts))

    def scrub(value: Any, key: str | None = None) -> Any:
        if isinstance(value, str):
            if key in _FIXED_KEYS:
                return value
            if key == "person":
                return f"[{roles[value]}]" if value in roles else mask.text(value, name=True)
            return mask.text(value)
        if isinstance(value, list):
            return [scrub(v, key) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v, k) for k, v in value.items()}
        return value

    scrubbed: dict[str, Any] = scrub(report)
    graph = report["graph"]
    people_ids = {n["id"] for n in graph["nodes"] if n.get("kind") == "person"}

    def node(n: dict[str, Any]) -> dict[str, Any]:
        if n.get("kind") != "person":
            return scrub(n)  # type: ignore[no-any-return]
        label = roles.get(n["label"])
        return {**n, "id": mask.text(n["id"], name=True),
                "label": f"[{label}]" if label else mask.text(n["label"], name=True)}

    def end(value: str) -> str:
        return mask.text(value, name=True) if value in people_ids else mask.text(value)

    scrubbed["graph"] = {
        "nodes": [node(n) for n in graph["nodes"]],
        "links": [{**link, "source": end(link["source"]), "target": end(link["target"])}
                  for link in graph["links"]],
    }
    return scrubbed
