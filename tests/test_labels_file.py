"""Checks the hand-labelled CounselChat evaluation set (tests/data/counselchat/)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from patternlens import taxonomy

DATA = Path(__file__).parent / "data" / "counselchat"
LABELS = DATA / "labels.jsonl"

# Taxonomy v1 ids. They are fixed (a later version may add ids, never rename one), so the
# labels are checked against this copy rather than against a lexicon that may change.
ROLES = frozenset(taxonomy.ROLES)
THEMES = frozenset(taxonomy.THEMES)
SELF_RESPONSES = frozenset(taxonomy.RESPONSES)
EMOTIONS = frozenset(taxonomy.EMOTIONS)
FLAGS = ("in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis")
FIELDS = {
    "id",
    "topic",
    "title",
    "text",
    "split",
    "roles",
    "themes",
    "pairs",
    "responses",
    "emotions",
    "notes",
    *FLAGS,
}


def load() -> list[dict[str, Any]]:
    records = []
    for n, line in enumerate(LABELS.read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {n} is not an object"
        records.append(record)
    return records


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return load()


def expected_split(item_id: str) -> str:
    # The rule stated in README.md; recomputed here so no item can be moved by hand.
    return "dev" if int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 5 < 3 else "test"


def test_enough_items_in_both_splits(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 150
    splits = {r["split"] for r in records}
    assert splits == {"dev", "test"}
    for split in splits:
        assert sum(r["split"] == split for r in records) >= 40


def test_ids_unique_and_well_formed(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"cc-[0-9a-f]{10}", i) for i in ids)


def test_fields_and_types(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert set(r) == FIELDS, r["id"]
        for key in ("id", "title", "text", "notes"):
            assert isinstance(r[key], str), (r["id"], key)
        assert r["text"].strip(), r["id"]
        assert r["topic"] is None or isinstance(r["topic"], str), r["id"]
        for key in ("roles", "themes", "responses", "emotions"):
            assert isinstance(r[key], list), (r["id"], key)
            assert len(r[key]) == len(set(r[key])), (r["id"], key, "duplicate value")
        for flag in FLAGS:
            assert isinstance(r[flag], bool), (r["id"], flag)


def test_split_follows_the_documented_rule(records: list[dict[str, Any]]) -> None:
    wrong = [r["id"] for r in records if r["split"] != expected_split(r["id"])]
    assert wrong == []


def test_label_values_are_taxonomy_ids(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert set(r["roles"]) <= ROLES, r["id"]
        assert set(r["themes"]) <= THEMES, r["id"]
        assert set(r["responses"]) <= SELF_RESPONSES, r["id"]
        assert set(r["emotions"]) <= EMOTIONS, r["id"]


def test_pairs_agree_with_roles_and_themes(records: list[dict[str, Any]]) -> None:
    for r in records:
        for pair in r["pairs"]:
            assert isinstance(pair, list) and len(pair) == 2, r["id"]
            role, theme = pair
            assert role in r["roles"], (r["id"], pair)
            assert theme in r["themes"], (r["id"], pair)
        assert len({tuple(p) for p in r["pairs"]}) == len(r["pairs"]), r["id"]


def test_felt_responses_are_also_emotions(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert set(r["responses"]) - {"withdrawal"} <= set(r["emotions"]), r["id"]


def test_therapy_flags_need_therapy(records: list[dict[str, Any]]) -> None:
    # Rupture, repair and red flags are defined only within the writer's own therapy.
    for r in records:
        if r["rupture"] or r["repair"] or r["red_flag"]:
            assert r["in_therapy"], r["id"]


def test_therapist_items_present(records: list[dict[str, Any]]) -> None:
    therapist = [r for r in records if "therapist" in r["roles"]]
    assert therapist, "the set must hold the therapist episodes"
    assert all(r["in_therapy"] for r in therapist)


def readme_tables() -> dict[tuple[str, str], tuple[int, int, int]]:
    """Rows of the count tables in README.md, keyed by (table kind, label)."""
    rows: dict[tuple[str, str], tuple[int, int, int]] = {}
    kind = ""
    for line in (DATA / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not line.startswith("|"):
            continue
        if cells[1:] == ["dev", "test", "all"]:
            kind = cells[0]
        elif kind and all(c.isdigit() for c in cells[1:]):
            dev, test, total = (int(c) for c in cells[1:])
            rows[(kind, cells[0])] = (dev, test, total)
    return rows


def test_readme_counts_match_the_file(records: list[dict[str, Any]]) -> None:
    rows = readme_tables()
    getters: dict[str, Callable[[dict[str, Any], str], bool]] = {
        "role": lambda r, v: (not r["roles"]) if v == "(no role)" else v in r["roles"],
        "theme": lambda r, v: v in r["themes"],
        "response": lambda r, v: v in r["responses"],
        "emotion": lambda r, v: v in r["emotions"],
        "flag": lambda r, v: bool(r[v]),
    }
    expected_labels = {
        "role": ROLES | {"(no role)"},
        "theme": THEMES,
        "response": SELF_RESPONSES,
        "emotion": EMOTIONS,
        "flag": set(FLAGS),
    }
    for kind, labels in expected_labels.items():
        assert {v for k, v in rows if k == kind} == labels, kind
    for (kind, value), (dev, test, total) in rows.items():
        get = getters[kind]
        counted = (
            sum(1 for r in records if r["split"] == "dev" and get(r, value)),
            sum(1 for r in records if r["split"] == "test" and get(r, value)),
        )
        assert (dev, test) == counted, (kind, value)
        assert total == dev + test, (kind, value)
    text = (DATA / "README.md").read_text(encoding="utf-8")
    n_dev = sum(r["split"] == "dev" for r in records)
    assert f"Total: {len(records)} items (dev {n_dev}, test {len(records) - n_dev})" in text


def test_licence_and_attribution_ship_with_the_data() -> None:
    licence = (DATA / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "nbertagnolli" in licence
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "Bertagnolli" in readme and "Counsel chat" in readme
