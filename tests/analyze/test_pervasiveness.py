"""CCRT pervasiveness per theme, overall and per role, on small synthetic episodes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from patternlens.analyze.pervasiveness import PERVASIVENESS_SCHEMA, pervasiveness, theme_role_table
from patternlens.extract import EPISODE_SCHEMA


def episode(entry: str, role: str | None, themes: list[str], subject: str = "a") -> dict[str, Any]:
    return {
        "entry_id": entry, "subject": subject, "occurred_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        "episode": 0, "start": 0, "end": 1, "role": role, "person": None, "themes": themes,
        "responses": [], "emotions": [], "intensity": 0.0, "past": False, "in_therapy": False,
        "rupture": False, "repair": False, "red_flag": False, "negated": [], "evidence": [],
        "extractor_version": "test",
    }


EPISODES = pl.DataFrame(
    [
        episode("1", "boss", ["controlled"]),
        episode("2", "boss", ["controlled", "controlled"]),  # counted once
        episode("3", "boss", []),
        episode("4", "mother", ["dismissed"]),
        episode("5", "partner", ["dismissed", "judged"]),
        episode("6", None, ["judged"]),  # no role: counts in "all" only
        episode("7", "friend", ["understood"], subject="b"),
    ],
    schema=EPISODE_SCHEMA,
)


def test_long_form_with_zeros_in_taxonomy_order() -> None:
    out = pervasiveness(EPISODES)
    rows = [
        ("controlled", "all", 2, 6), ("controlled", "mother", 0, 1), ("controlled", "partner", 0, 1),
        ("controlled", "boss", 2, 3),
        ("dismissed", "all", 2, 6), ("dismissed", "mother", 1, 1), ("dismissed", "partner", 1, 1),
        ("dismissed", "boss", 0, 3),
        ("judged", "all", 2, 6), ("judged", "mother", 0, 1), ("judged", "partner", 1, 1),
        ("judged", "boss", 0, 3),
    ]
    expected = pl.DataFrame(
        [("a", t, r, w, n, w / n) for t, r, w, n in rows] + [("b", "understood", "all", 1, 1, 1.0),
                                                             ("b", "understood", "friend", 1, 1, 1.0)],
        schema=PERVASIVENESS_SCHEMA, orient="row",
    )
    assert_frame_equal(out, expected)


def test_theme_role_table() -> None:
    table = theme_role_table(pervasiveness(EPISODES), "a")
    assert table.columns == ["theme", "all", "mother", "partner", "boss"]
    assert table["theme"].to_list() == ["controlled", "dismissed", "judged"]  # tie on "all": by name
    assert table.row(0) == ("controlled", 2 / 6, 0.0, 0.0, 2 / 3)
    assert theme_role_table(pervasiveness(EPISODES), "nobody").height == 0


def test_no_episodes() -> None:
    out = pervasiveness(pl.DataFrame(schema=EPISODE_SCHEMA))
    assert out.height == 0
    assert out.schema == pl.Schema(PERVASIVENESS_SCHEMA)
