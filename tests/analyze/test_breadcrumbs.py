"""Breadcrumbs and their trails, on synthetic episodes and on the demo journal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

import patternlens
from patternlens.analyze.baselines import strong_reactions
from patternlens.analyze.breadcrumbs import BREADCRUMB_SCHEMA, TRAIL_SCHEMA, breadcrumbs
from patternlens.analyze.ids import finding_id
from patternlens.extract import EPISODE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2025, 1, 1, 20, tzinfo=dt.UTC)
TZ = "America/Chicago"


def episode(entry: str, day: int, role: str, themes: list[str], intensity: float, *, n: int = 0,
            past: bool = False, in_therapy: bool | None = None, subject: str = "a",
            person: str | None = None, small: bool = False) -> dict[str, Any]:
    evidence = [{"label": t, "kind": "theme", "start": 5, "end": 9, "quote": f"{entry} felt {t}"}
                for t in themes]
    evidence.append({"label": role, "kind": "role", "start": 0, "end": 4, "quote": f"{entry} {role}"})
    if small:
        evidence.append({"label": "disproportion", "kind": "disproportion", "start": 10, "end": 20,
                         "quote": "I know it's small"})
    return {
        "entry_id": entry, "subject": subject, "occurred_at": T0 + dt.timedelta(days=day), "episode": n,
        "start": 0, "end": 1, "role": role, "person": person, "themes": themes, "responses": [],
        "emotions": ["sadness"], "intensity": intensity, "past": past,
        "in_therapy": role == "therapist" if in_therapy is None else in_therapy,
        "rupture": False, "repair": False, "red_flag": False, "negated": [], "evidence": evidence,
        "extractor_version": "test",
    }


def run(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    eps = pl.DataFrame(rows, schema=EPISODE_SCHEMA)
    return breadcrumbs(eps, strong_reactions(eps))


PLANTED = [
    episode("m1", 0, "mother", ["dismissed"], 4.0, past=True, person="mom"),
    episode("p1", 5, "partner", ["dismissed"], 3.0, person="Sam"),
    episode("b1", 6, "boss", ["controlled"], 5.0),
    episode("p2", 12, "partner", ["dismissed"], 5.0, person="Sam"),
    episode("b2", 13, "boss", ["controlled"], 5.0),
    episode("t1", 20, "therapist", ["dismissed"], 9.0, n=1, small=True),
    episode("t1", 20, "therapist", ["dismissed"], 3.0, n=2),  # same entry, after the moment
    episode("b3", 21, "boss", ["controlled"], 8.0),  # strong, but never in therapy
    episode("p3", 30, "partner", ["dismissed"], 4.0),  # an echo after the moment
]


def test_planted_breadcrumb_and_its_trail() -> None:
    found, trail = run(PLANTED)
    assert found.schema == pl.Schema(BREADCRUMB_SCHEMA)
    assert trail.schema == pl.Schema(TRAIL_SCHEMA)
    assert found.height == 1
    b = found.row(0, named=True)
    assert b["id"] == finding_id("breadcrumb", "a", "dismissed")
    assert (b["theme"], b["roles"], b["has_past"], b["n_episodes"]) == (
        "dismissed", ["mother", "partner", "therapist"], True, 6)
    assert (b["first_seen"], b["therapy_moment"]) == (T0, T0 + dt.timedelta(days=20))
    assert (b["therapy_entry_id"], b["therapy_episode"], b["therapy_quote"]) == ("t1", 1,
                                                                              "I know it's small")
    # 2 * (3 - 1) + 1.5 * past + 9 / 10 + 0.5 * 6 / 10
    assert b["score"] == pytest.approx(4 + 1.5 + 0.9 + 0.3)
    assert b["rank"] == 1
    assert trail.select("entry_id", "episode", "role", "past", "moment").rows() == [
        ("m1", 0, "mother", True, False),
        ("p1", 0, "partner", False, False),
        ("p2", 0, "partner", False, False),
        ("t1", 1, "therapist", False, True),
    ]
    assert trail["breadcrumb"].unique().to_list() == [b["id"]]
    assert trail["quote"].to_list()[:2] == ["m1 felt dismissed", "p1 felt dismissed"]


def test_a_theme_with_one_relationship_is_never_a_breadcrumb() -> None:
    rows = [
        episode("t1", 5, "therapist", ["controlled"], 9.0),
        episode("t2", 9, "therapist", ["controlled"], 9.0, small=True),
    ]
    found, trail = run(rows)
    assert found.height == 0 and trail.height == 0
    found, _ = run([*rows, episode("b1", 12, "boss", ["controlled"], 2.0)])
    assert found["roles"].to_list() == [["therapist", "boss"]]


def test_needs_a_strong_reaction_in_therapy() -> None:
    rows = [
        episode("m1", 0, "mother", ["judged"], 9.0, past=True),
        episode("t1", 5, "therapist", ["judged"], 4.0),
        episode("f1", 6, "friend", ["judged"], 3.0, in_therapy=True),
    ]
    assert run(rows)[0].height == 0
    # the in_therapy flag makes any role's episode a therapy episode
    found, trail = run([*rows, episode("f2", 8, "friend", ["judged"], 8.0, in_therapy=True)])
    assert found["therapy_entry_id"].to_list() == ["f2"]
    assert trail["entry_id"].to_list() == ["m1", "t1", "f1", "f2"]


def test_positive_themes_are_not_breadcrumbs() -> None:
    rows = [episode("f1", 0, "friend", ["understood"], 4.0),
            episode("t1", 5, "therapist", ["understood"], 9.0)]
    assert run(rows)[0].height == 0


def test_the_strongest_therapy_moment_wins() -> None:
    rows = [
        episode("p1", 0, "partner", ["rejected"], 3.0),
        episode("t1", 5, "therapist", ["rejected"], 7.5),
        episode("t2", 9, "therapist", ["rejected"], 9.5),
        episode("t3", 12, "therapist", ["rejected"], 9.5),
    ]
    found, trail = run(rows)
    assert found["therapy_entry_id"].to_list() == ["t2"]
    assert trail["entry_id"].to_list() == ["p1", "t1", "t2"]


def test_later_echoes_extend_a_single_role_trail() -> None:
    rows = [episode("t1", 0, "therapist", ["abandoned"], 9.0),
            episode("p1", 5, "partner", ["abandoned"], 3.0)]
    found, trail = run(rows)
    assert found["roles"].to_list() == [["therapist", "partner"]]
    assert found["has_past"].to_list() == [False]
    assert trail.select("entry_id", "moment").rows() == [("t1", True), ("p1", False)]


def test_ranking_per_writer() -> None:
    rows = [
        # judged: two roles, no past
        episode("f1", 0, "friend", ["judged"], 3.0),
        episode("t1", 10, "therapist", ["judged"], 9.0),
        # rejected: two roles, a childhood role (father) reaches into the past
        episode("d1", 1, "father", ["rejected"], 3.0),
        episode("t2", 11, "therapist", ["rejected"], 7.0),
        # another writer's breadcrumb is ranked on its own
        episode("x1", 0, "sibling", ["betrayed"], 3.0, subject="b"),
        episode("x2", 2, "therapist", ["betrayed"], 9.0, subject="b"),
    ]
    found, trail = run(rows)
    assert found.select("subject", "theme", "has_past", "rank").rows() == [
        ("a", "rejected", True, 1), ("a", "judged", False, 2), ("b", "betrayed", False, 1)]
    assert found["score"].to_list() == pytest.approx([2 + 1.5 + 0.7 + 0.1, 2 + 0.9 + 0.1, 2 + 0.9 + 0.1])
    assert trail["entry_id"].to_list() == ["d1", "t2", "f1", "t1", "x1", "x2"]


def test_no_strong_reactions() -> None:
    found, trail = run([episode("p1", 0, "partner", ["judged"], 2.0)])
    assert (found.height, trail.height) == (0, 0)
    empty = pl.DataFrame(schema=EPISODE_SCHEMA)
    found, trail = breadcrumbs(empty, strong_reactions(empty))
    assert found.schema == pl.Schema(BREADCRUMB_SCHEMA)


def test_demo_journal_breadcrumb() -> None:
    expected = json.loads((ROOT / "tests/data/demo_expected.json").read_text())["breadcrumb"]
    with patternlens.open(None) as lens:
        lens.import_paths([ROOT / "data/samples/demo/Journal.json"])
        episodes = lens.episodes()
        refs = lens.extraction().select("entry_id", "source_ref")
    found, trail = breadcrumbs(episodes, strong_reactions(episodes, time_zone=TZ))

    assert "controlled" not in found["theme"].to_list()
    first = found.row(0, named=True)
    assert first["theme"] == expected["theme"] == "dismissed"
    assert sorted(first["roles"]) == expected["roles"]
    assert first["has_past"] is True
    moment = refs.filter(pl.col("entry_id") == first["therapy_entry_id"])["source_ref"].to_list()
    assert moment == [expected["therapy_entry"]]
    assert first["therapy_moment"].astimezone(ZoneInfo(TZ)).date().isoformat() \
        == expected["therapy_date"]
    mine = trail.filter(pl.col("breadcrumb") == first["id"]).join(refs, on="entry_id", how="left")
    assert mine["source_ref"].to_list()[0] == expected["earliest_echo"]
    assert mine["source_ref"].to_list()[-1] == expected["therapy_entry"]


def test_the_moment_may_word_its_theme_in_another_clause() -> None:
    rows = [
        episode("m1", 0, "mother", ["dismissed"], 4.0, past=True),
        episode("t1", 5, "therapist", ["dismissed"], 3.0, n=0),  # "it felt like being brushed off"
        episode("t1", 5, "therapist", [], 4.0, n=1, small=True),  # "I know it's small but I cried"
        episode("t2", 9, "therapist", [], 9.0),  # strong, but no theme in that session
    ]
    found, trail = run(rows)
    assert found.select("theme", "therapy_entry_id", "therapy_episode", "n_episodes").rows() == [
        ("dismissed", "t1", 1, 3)]
    assert trail.select("entry_id", "episode", "moment").rows() == [
        ("m1", 0, False), ("t1", 0, False), ("t1", 1, True)]
    assert trail["quote"].to_list()[-1] == "I know it's small"
