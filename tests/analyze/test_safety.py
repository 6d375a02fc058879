"""Red flags and crisis entries are shown apart, and crisis entries never become patterns."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

import patternlens
from patternlens.analyze.ids import finding_id
from patternlens.analyze.safety import (
    CRISIS_RESOURCES,
    CRISIS_SCHEMA,
    RED_FLAG_NOTE,
    RED_FLAG_SCHEMA,
    crisis_entries,
    exclude_crisis,
    red_flags,
)
from patternlens.extract import EPISODE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
T = datetime(2025, 3, 5, 3, 0, tzinfo=UTC)  # 4 March, evening, in Chicago


def episode(entry_id: str, n: int = 0, *, red_flag: bool = False, rupture: bool = False,
            evidence: tuple[tuple[str, str, int], ...] = ()) -> dict[str, Any]:
    return {"entry_id": entry_id, "subject": "me", "occurred_at": T, "episode": n,
            "start": 0, "end": 0, "role": "therapist", "person": None, "themes": [],
            "responses": [], "emotions": [], "intensity": 0.0, "past": False,
            "in_therapy": True, "rupture": rupture, "repair": False, "red_flag": red_flag,
            "negated": [], "evidence": [{"label": k, "kind": k, "start": s, "end": s + len(q),
                                         "quote": q} for k, q, s in evidence]}


def records(rows: list[tuple[str, bool, bool]]) -> pl.DataFrame:
    """(entry_id, red_flag, crisis) rows."""
    return pl.DataFrame(
        [{"entry_id": e, "subject": "me", "occurred_at": T, "red_flag": r, "crisis": c,
          "rupture": False, "repair": False, "in_therapy": True} for e, r, c in rows],
        schema={"entry_id": pl.String, "subject": pl.String,
                "occurred_at": pl.Datetime("us", "UTC"), "red_flag": pl.Boolean,
                "crisis": pl.Boolean, "rupture": pl.Boolean, "repair": pl.Boolean,
                "in_therapy": pl.Boolean})


def entries(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"entry_id": list(texts), "timezone": ["America/Chicago"] * len(texts),
                         "title": [None] * len(texts), "text": list(texts.values())},
                        schema={"entry_id": pl.String, "timezone": pl.String,
                                "title": pl.String, "text": pl.String})


def test_red_flags_are_listed_with_the_note_and_not_with_challenges() -> None:
    eps = pl.DataFrame([
        episode("x1", 0, red_flag=True, evidence=(("role", "my therapist", 0),
                                                  ("red_flag", "asked me out", 20))),
        episode("x1", 1, red_flag=True, evidence=(("red_flag", "be friends", 60),)),
        episode("c1", rupture=True, evidence=(("rupture", "she challenged me", 0),)),
    ], schema=EPISODE_SCHEMA)
    rec = records([("x1", True, False), ("c1", False, False), ("y1", True, False)])
    out = red_flags(eps, rec, entries=entries({"x1": "", "c1": "", "y1": ""}))
    assert out.schema == pl.Schema(RED_FLAG_SCHEMA)
    assert out.rows() == [
        (finding_id("red_flag", "me", "x1"), "me", "x1", date(2025, 3, 4),
         "asked me out … be friends", RED_FLAG_NOTE),
        (finding_id("red_flag", "me", "y1"), "me", "y1", date(2025, 3, 4), None, RED_FLAG_NOTE),
    ]
    assert "another therapist" in RED_FLAG_NOTE


def test_no_red_flags_gives_an_empty_frame() -> None:
    eps = pl.DataFrame([episode("c1", rupture=True)], schema=EPISODE_SCHEMA)
    out = red_flags(eps, records([("c1", False, False)]))
    assert out.is_empty() and out.schema == pl.Schema(RED_FLAG_SCHEMA)


def test_crisis_entries_quote_the_sentence_and_point_to_help() -> None:
    rec = records([("k1", False, True), ("k2", False, False), ("k3", False, True)])
    eps = pl.DataFrame([episode("k1")], schema=EPISODE_SCHEMA)
    text = {"k1": "Long day at work. Some nights I want to die, honestly. Soup.",
            "k2": "Ran 5K.", "k3": "Hard to say."}
    out = crisis_entries(rec, eps, entries=entries(text))
    assert out.schema == pl.Schema(CRISIS_SCHEMA)
    assert out.rows() == [
        (finding_id("crisis", "me", "k1"), "me", "k1", date(2025, 3, 4),
         "Some nights I want to die, honestly", CRISIS_RESOURCES),
        (finding_id("crisis", "me", "k3"), "me", "k3", date(2025, 3, 4), None, CRISIS_RESOURCES),
    ]
    assert "988" in CRISIS_RESOURCES and "116 123" in CRISIS_RESOURCES
    without_text = crisis_entries(rec, eps)
    assert without_text.select("entry_id", "date", "quote").rows() == [
        ("k1", date(2025, 3, 5), None), ("k3", date(2025, 3, 5), None)]


def test_exclude_crisis_drops_the_episodes_of_crisis_entries() -> None:
    eps = pl.DataFrame([episode("k1"), episode("a1", 0), episode("a1", 1), episode("b1")],
                       schema=EPISODE_SCHEMA)
    rec = records([("k1", False, True), ("a1", False, False), ("b1", False, False)])
    kept = exclude_crisis(eps, rec)
    assert kept.select("entry_id", "episode").rows() == [("a1", 0), ("a1", 1), ("b1", 0)]
    assert kept.schema == eps.schema


def test_demo_journal_has_no_red_flags_and_no_crisis_entries() -> None:
    demo = json.loads((ROOT / "tests/data/demo_expected.json").read_text())
    lens = patternlens.open(None)
    lens.import_paths([ROOT / "data/samples/demo/Journal.json"])
    for person in demo["people"]:
        lens.declare_person(person["name"], person["role"])
    eps, rec = lens.episodes(), lens.extraction()
    assert red_flags(eps, rec).height == len(demo["red_flags"]) == 0
    assert crisis_entries(rec, eps).height == len(demo["crisis_entries"]) == 0
    assert exclude_crisis(eps, rec).height == eps.height
