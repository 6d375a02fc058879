"""Strong reactions against each writer's own rolling baseline, on small synthetic episodes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from patternlens.analyze.baselines import STRONG_SCHEMA, strong_reactions
from patternlens.analyze.ids import finding_id
from patternlens.extract import EPISODE_SCHEMA

DAY0 = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)


def episode(entry: str, day: float, intensity: float, *, n: int = 0, subject: str = "a",
            role: str = "partner", themes: tuple[str, ...] = ("judged",),
            emotions: tuple[str, ...] = ("sadness",), evidence: tuple[tuple[str, str, str], ...] = ()
            ) -> dict[str, Any]:
    return {
        "entry_id": entry, "subject": subject, "occurred_at": DAY0 + dt.timedelta(days=day),
        "episode": n, "start": 0, "end": 10, "role": role, "person": None, "themes": list(themes),
        "responses": [], "emotions": list(emotions), "intensity": intensity, "past": False,
        "in_therapy": False, "rupture": False, "repair": False, "red_flag": False, "negated": [],
        "evidence": [{"label": label, "kind": kind, "start": i, "end": i + 1, "quote": quote}
                     for i, (kind, label, quote) in enumerate(evidence)],
        "extractor_version": "test",
    }


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EPISODE_SCHEMA)


def usual(k: int, value: float = 3.0, subject: str = "a") -> list[dict[str, Any]]:
    """``k`` ordinary episodes on days 0..k-1."""
    return [episode(f"u{i}", i, value, subject=subject) for i in range(k)]


def row(out: pl.DataFrame, entry: str, n: int = 0) -> dict[str, Any]:
    return out.filter((pl.col("entry_id") == entry) & (pl.col("episode") == n)).row(0, named=True)


def test_schema_one_row_per_episode_and_ids() -> None:
    out = strong_reactions(frame([*usual(3), episode("x", 5, 8.0, n=2)]))
    assert out.schema == pl.Schema(STRONG_SCHEMA)
    assert out.height == 4
    assert row(out, "x", 2)["id"] == finding_id("strong", "a", "x#2")


def test_baseline_excludes_the_current_day() -> None:
    rows = [*usual(6), episode("same-a", 6, 3.0), episode("same-b", 6, 6.0, n=1)]
    out = strong_reactions(frame(rows))
    for entry, n in (("same-a", 0), ("same-b", 1)):
        r = row(out, entry, n)
        assert (r["history"], r["baseline"]) == (6, 3.0)


def test_time_zone_decides_where_the_day_ends() -> None:
    # 21:00 in Chicago on 1 Jan is 03:00 UTC on 2 Jan: same local day as the morning episode.
    rows = [episode("morning", 0.0, 3.0), episode("evening", 0.625, 3.0)]
    in_utc = strong_reactions(frame(rows))
    local = strong_reactions(frame(rows), time_zone="America/Chicago")
    assert row(in_utc, "evening")["history"] == 1
    assert row(local, "evening")["history"] == 0


def test_window_is_eight_weeks() -> None:
    old = [episode(f"old{i}", i, 9.0) for i in range(5)]
    recent = [episode(f"new{i}", 60 + i, 2.0) for i in range(5)]
    out = strong_reactions(frame([*old, *recent, episode("now", 66, 2.0)]))
    r = row(out, "now")
    assert (r["history"], r["baseline"]) == (5, 2.0)


def test_robust_spread_is_mad_scaled_and_floored() -> None:
    values = [1.0, 3.0, 5.0, 3.0, 7.0]
    rows = [episode(f"v{i}", i, v) for i, v in enumerate(values)]
    out = strong_reactions(frame([*rows, episode("now", 10, 9.0)]))
    r = row(out, "now")
    assert r["baseline"] == 3.0
    assert r["spread"] == pytest.approx(2 * 1.4826)
    assert r["z"] == pytest.approx(6 / (2 * 1.4826))
    flat = strong_reactions(frame([*usual(5), episode("now", 10, 5.0)]))
    assert (row(flat, "now")["spread"], row(flat, "now")["z"]) == (1.0, 2.0)


def test_zero_intensity_episodes_stay_out_of_the_baseline() -> None:
    silent = [episode(f"z{i}", i, 0.0, themes=(), emotions=()) for i in range(10)]
    out = strong_reactions(frame([*silent, *usual(2), episode("now", 12, 3.0)]))
    assert (row(out, "now")["history"], row(out, "now")["baseline"]) == (2, 3.0)


def test_z_needs_enough_history() -> None:
    four = strong_reactions(frame([*usual(4), episode("now", 10, 6.0)]))
    five = strong_reactions(frame([*usual(5), episode("now", 10, 6.0)]))
    assert row(four, "now")["strong_for_writer"] is False
    assert row(four, "now")["reason"] == "6/10"  # too little history to speak of "usual"
    assert row(five, "now")["strong_for_writer"] is True
    assert row(five, "now")["reason"] == "6/10, far above your usual 3"


def test_a_weak_episode_is_never_strong_by_z_alone() -> None:
    out = strong_reactions(frame([*usual(8, 1.0), episode("now", 10, 4.5)]))
    assert row(out, "now")["z"] == pytest.approx(3.5)
    assert row(out, "now")["strong_for_writer"] is False


def test_seven_or_more_is_strong_without_history() -> None:
    out = strong_reactions(frame([episode("x", 0, 7.0)]))
    r = row(out, "x")
    assert (r["strong_for_writer"], r["finding"], r["baseline"], r["z"]) == (True, True, None, None)
    assert r["reason"] == "7/10, high on the 0-10 scale"
    with_history = strong_reactions(frame([*usual(6, 6.0), episode("x", 9, 7.5)]))
    assert row(with_history, "x")["reason"] == "7.5/10, high on the 0-10 scale (your usual is 6)"


def test_baselines_are_per_writer() -> None:
    rows = [*usual(6, 9.0, subject="b"), *usual(6, 2.0, subject="a"), episode("now", 8, 6.0)]
    out = strong_reactions(frame(rows))
    assert row(out, "now")["baseline"] == 2.0
    assert row(out, "now")["strong_for_writer"] is True


def test_out_of_proportion_when_the_writer_says_so() -> None:
    small = (("disproportion", "disproportion", "I know it's small but"), ("theme", "judged", "he judged"))
    out = strong_reactions(frame([episode("x", 0, 4.0, evidence=small)]))
    r = row(out, "x")
    assert (r["strong_for_writer"], r["out_of_proportion"], r["finding"]) == (False, True, True)
    assert r["reason"] == "4/10; you said yourself the trigger was small"
    assert r["quote"] == "I know it's small but"


@pytest.mark.parametrize(
    ("themes", "emotions", "expected"),
    [
        ((), ("sadness",), True),  # strong, no felt response at all
        (("misunderstood",), ("anger",), True),  # only a mild theme
        (("rejected",), ("sadness",), False),  # a weighty trigger
        (("understood",), ("sadness",), False),  # a positive episode
        ((), ("relief",), False),  # only a positive feeling
    ],
)
def test_strong_for_a_minor_trigger(themes: tuple[str, ...], emotions: tuple[str, ...],
                                    expected: bool) -> None:
    out = strong_reactions(frame([episode("x", 0, 8.0, themes=themes, emotions=emotions)]))
    assert row(out, "x")["out_of_proportion"] is expected
    assert row(out, "x")["reason"].endswith("; strong for a minor trigger") is expected


def test_a_minor_trigger_alone_is_not_a_finding() -> None:
    out = strong_reactions(frame([episode("x", 0, 3.0, themes=())]))
    assert row(out, "x")["finding"] is False


def test_quote_prefers_the_rating_to_the_theme_and_is_short() -> None:
    long = "x" * 300
    ev = (("theme", "judged", "he judged me"), ("rating", "rating", "9/10"), ("emotion", "sadness", long))
    out = strong_reactions(frame([episode("x", 0, 9.0, evidence=ev), episode("y", 1, 9.0,
                                                                            evidence=ev[2:])]))
    assert row(out, "x")["quote"] == "9/10"
    assert row(out, "y")["quote"] == "x" * 200


def test_no_episodes() -> None:
    out = strong_reactions(pl.DataFrame(schema=EPISODE_SCHEMA))
    assert out.height == 0
    assert out.schema == pl.Schema(STRONG_SCHEMA)
