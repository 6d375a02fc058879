"""Checks the written therapy-flags evaluation set (tests/data/therapy_flags/)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from patternlens import taxonomy

DATA = Path(__file__).parent / "data" / "therapy_flags"
PASSAGES = DATA / "passages.jsonl"
README = DATA / "README.md"

# Taxonomy v1 ids. They are fixed (a later version may add ids, never rename one), so the
# labels are checked against this copy rather than against a lexicon that may change.
ROLES = frozenset(taxonomy.ROLES)
THEMES = frozenset(taxonomy.THEMES)
FLAGS = ("in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis")
THERAPY_FLAGS = ("rupture", "repair", "red_flag")
FIELDS = {"id", "split", "text", "roles", "themes", "kind", "notes", *FLAGS}


def load() -> list[dict[str, Any]]:
    records = []
    for n, line in enumerate(PASSAGES.read_text(encoding="utf-8").splitlines(), 1):
        record = json.loads(line)
        assert isinstance(record, dict), f"line {n} is not an object"
        records.append(record)
    return records


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return load()


def expected_split(item_id: str) -> str:
    # The rule stated in README.md; recomputed here so no passage can be moved by hand.
    return "dev" if int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 2 == 0 else "test"


def test_enough_passages_in_both_splits(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 240
    assert {r["split"] for r in records} == {"dev", "test"}
    for split in ("dev", "test"):
        assert sum(r["split"] == split for r in records) >= 100, split


def test_ids_unique_and_well_formed(records: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"tf-[0-9]{3}", i) for i in ids), ids


def test_fields_and_types(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert set(r) == FIELDS, r["id"]
        for key in ("id", "text", "kind", "notes"):
            assert isinstance(r[key], str) and r[key].strip(), (r["id"], key)
        assert re.fullmatch(r"[a-z_]{3,30}", r["kind"]), r["id"]
        for key in ("roles", "themes"):
            assert isinstance(r[key], list), (r["id"], key)
            assert len(r[key]) == len(set(r[key])), (r["id"], key, "duplicate value")
        for flag in FLAGS:
            assert isinstance(r[flag], bool), (r["id"], flag)


def test_passages_are_journal_sized(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert 15 <= len(r["text"].split()) <= 80, r["id"]
    assert len({r["text"] for r in records}) == len(records), "duplicate text"


def test_split_follows_the_documented_rule(records: list[dict[str, Any]]) -> None:
    wrong = [r["id"] for r in records if r["split"] != expected_split(r["id"])]
    assert wrong == []


def test_label_values_are_taxonomy_ids(records: list[dict[str, Any]]) -> None:
    for r in records:
        assert set(r["roles"]) <= ROLES, r["id"]
        assert set(r["themes"]) <= THEMES, r["id"]


def test_no_crisis_passages(records: list[dict[str, Any]]) -> None:
    # The set leaves crisis language out on purpose: crisis entries are never scored as patterns.
    assert not any(r["crisis"] for r in records)


def test_therapy_flags_need_the_writers_therapist(records: list[dict[str, Any]]) -> None:
    # Rupture, repair and red flags exist only in the writer's own therapy, with the therapist
    # taking part; and a therapist episode is always the writer's own therapy.
    for r in records:
        if any(r[f] for f in THERAPY_FLAGS):
            assert r["in_therapy"] and "therapist" in r["roles"], r["id"]
        if "therapist" in r["roles"]:
            assert r["in_therapy"], r["id"]


def test_each_therapy_flag_has_positives_and_negatives_in_both_splits(
    records: list[dict[str, Any]],
) -> None:
    for flag in ("in_therapy", *THERAPY_FLAGS):
        for split in ("dev", "test"):
            values = [r[flag] for r in records if r["split"] == split]
            assert sum(values) >= 10, (flag, split, "positives")
            assert len(values) - sum(values) >= 10, (flag, split, "negatives")


def test_hard_negatives_look_like_the_positives(records: list[dict[str, Any]]) -> None:
    # Negatives that still involve the therapist are what make the set hard: normal challenges
    # against red flags, benign sessions against ruptures, no-strain apologies against repairs.
    with_therapist = [r for r in records if "therapist" in r["roles"]]
    for flag in THERAPY_FLAGS:
        negatives = sum(not r[flag] for r in with_therapist)
        assert negatives >= 30, flag


def readme_tables() -> dict[tuple[str, str], tuple[int, int, int]]:
    """Rows of the count tables in README.md, keyed by (table kind, label)."""
    rows: dict[tuple[str, str], tuple[int, int, int]] = {}
    kind = ""
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not line.startswith("|"):
            continue
        if cells[1:] == ["dev", "test", "all"]:
            kind = cells[0]
        elif kind and all(c.isdigit() for c in cells[1:]):
            dev, test, total = (int(c) for c in cells[1:])
            rows[(kind, cells[0].strip("`"))] = (dev, test, total)
    return rows


def test_readme_counts_match_the_file(records: list[dict[str, Any]]) -> None:
    rows = readme_tables()
    getters: dict[str, Callable[[dict[str, Any], str], bool]] = {
        "flag": lambda r, v: bool(r[v]),
        "kind": lambda r, v: r["kind"] == v,
        "role": lambda r, v: (not r["roles"]) if v == "(no role)" else v in r["roles"],
        "theme": lambda r, v: v in r["themes"],
    }
    expected_labels = {
        "flag": set(FLAGS),
        "kind": {r["kind"] for r in records},
        "role": ROLES | {"(no role)"},
        "theme": THEMES,
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
    n_dev = sum(r["split"] == "dev" for r in records)
    total_line = f"Total: {len(records)} passages (dev {n_dev}, test {len(records) - n_dev})"
    assert total_line in README.read_text(encoding="utf-8")


def test_readme_states_origin_and_licence() -> None:
    text = README.read_text(encoding="utf-8")
    assert "MIT" in text
    assert "written for patternlens" in text
    assert "reported separately" in text
