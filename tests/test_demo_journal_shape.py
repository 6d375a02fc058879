"""The demo journal is a valid Day One export and tests/data/demo_expected.json points at real entries.

These checks use only the json module and the standard library, so they hold the sample
data to its own answer key without depending on any patternlens code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

DEMO = Path(__file__).resolve().parent.parent / "data" / "samples" / "demo"
UUID = re.compile(r"[0-9A-F]{32}")
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")

Entries = dict[str, dict[str, Any]]  # uuid -> Day One entry


@pytest.fixture(scope="module")
def entries() -> Entries:
    journal = json.loads((DEMO / "Journal.json").read_text(encoding="utf-8"))
    assert journal["metadata"] == {"version": "1.0"}
    return {entry["uuid"]: entry for entry in journal["entries"]}


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    expected = Path(__file__).resolve().parent / "data" / "demo_expected.json"
    data: dict[str, Any] = json.loads(expected.read_text(encoding="utf-8"))
    return data


def utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def local_date(entry: dict[str, Any]) -> date:
    return utc(entry["creationDate"]).astimezone(ZoneInfo(entry["timeZone"])).date()


def cited(node: Any) -> Iterator[dict[str, Any]]:
    """Every {"entry", "date", ...} object anywhere in expected.json."""
    if isinstance(node, dict):
        if "entry" in node and "date" in node:
            yield node
        for value in node.values():
            yield from cited(value)
    elif isinstance(node, list):
        for value in node:
            yield from cited(value)


def test_entries_have_the_day_one_shape(entries: Entries) -> None:
    assert 70 <= len(entries) <= 90
    for uuid, entry in entries.items():
        assert UUID.fullmatch(uuid), uuid
        assert STAMP.fullmatch(entry["creationDate"]) and STAMP.fullmatch(entry["modifiedDate"])
        assert utc(entry["modifiedDate"]) >= utc(entry["creationDate"]), uuid
        assert entry["timeZone"] == "America/Chicago"
        assert 40 <= len(entry["text"].split()) <= 250, uuid
        assert isinstance(entry["starred"], bool)
        assert all(isinstance(tag, str) for tag in entry["tags"])
    days = sorted(local_date(entry) for entry in entries.values())
    assert days[0] >= date(2025, 1, 1) and days[-1] <= date(2025, 6, 10)


def test_journal_keeps_day_one_quirks(entries: Entries) -> None:
    texts = [entry["text"] for entry in entries.values()]
    assert sum(text.startswith("# ") for text in texts) >= 3
    assert any("\\!" in text for text in texts) and any("\\." in text for text in texts)
    # Evening entries fall on the next UTC day: dates must be read in the entry's own zone.
    assert sum(utc(e["creationDate"]).date() != local_date(e) for e in entries.values()) >= 20


def test_every_citation_is_a_real_entry_on_its_local_date(entries: Entries, expected: dict[str, Any]) -> None:
    citations = list(cited(expected))
    assert len(citations) >= 40
    for item in citations:
        entry = entries[item["entry"]]
        assert local_date(entry).isoformat() == item["date"], item
        if "quote" in item:
            assert item["quote"] in entry["text"], item


def test_top_level_references_resolve(entries: Entries, expected: dict[str, Any]) -> None:
    crumb = expected["breadcrumb"]
    dated = [(crumb["therapy_entry"], crumb["therapy_date"])]
    dated.append((crumb["earliest_echo"], crumb["earliest_echo_date"]))
    for rupture in expected["ruptures"]:
        dated.append((rupture["start_entry"], rupture["start_date"]))
        if rupture["repair_entry"] is not None:
            dated.append((rupture["repair_entry"], rupture["repair_date"]))
    for ref, day in dated:
        assert local_date(entries[ref]).isoformat() == day, ref
    undated = [expected["normal_challenge"], *crumb["trail"], *expected["understood"]["entries"]]
    undated += expected["single_relationship_theme"]["entries"]
    assert all(ref in entries for ref in undated)
    assert expected["entry_count"] == len(entries)


def test_breadcrumb_trail_runs_from_an_early_echo_to_the_therapy_moment(
    entries: Entries, expected: dict[str, Any]
) -> None:
    crumb = expected["breadcrumb"]
    trail = crumb["trail_detail"]
    assert [step["entry"] for step in trail] == crumb["trail"]
    assert crumb["trail"][0] == crumb["earliest_echo"]
    assert crumb["trail"][-1] == crumb["therapy_entry"]
    assert [step["date"] for step in trail] == sorted(step["date"] for step in trail)
    roles = [step["role"] for step in trail]
    assert roles.count("mother") >= 3 and roles.count("partner") >= 3
    assert all(step["past"] for step in trail if step["role"] == "mother")
    assert set(roles) == set(crumb["roles"])
    # The earliest echo sits in the journal's first week, long before the therapy moment.
    ordered = sorted(entries.values(), key=lambda e: e["creationDate"])
    assert crumb["earliest_echo"] in [e["uuid"] for e in ordered[:5]]
    assert crumb["therapy_quote"] in entries[crumb["therapy_entry"]]["text"]


def test_rupture_ledger_is_consistent(expected: dict[str, Any]) -> None:
    first, second = expected["ruptures"]
    assert first["status"] == "repaired" and second["status"] == "open"
    start = date.fromisoformat(first["start_date"])
    repaired = date.fromisoformat(first["repair_date"])
    assert (repaired - start).days == first["days_to_repair"]
    assert 14 <= first["days_to_repair"] <= 21
    assert second["repair_entry"] is None and second["days_to_repair"] is None
    assert repaired < date.fromisoformat(second["start_date"])
    assert "confrontation" in second["markers"]


def test_one_relationship_theme_stays_with_the_boss(entries: Entries, expected: dict[str, Any]) -> None:
    theme = expected["single_relationship_theme"]
    assert theme["role"] == "boss" and len(theme["entries"]) >= 4
    assert all("Karen" in entries[ref]["text"] for ref in theme["entries"])
    assert theme["theme"] not in {expected["breadcrumb"]["theme"], "understood"}
