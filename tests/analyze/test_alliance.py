"""The weekly alliance trend and the SRS / ORS session scores."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
import pytest

from patternlens.analyze.alliance import SESSION_SCHEMA, WEEKLY_SCHEMA, session_scores, weekly_alliance
from patternlens.extract import EPISODE_SCHEMA


def episode(entry_id: str, at: datetime, *, subject: str = "me", role: str = "therapist",
            in_therapy: bool = True, rupture: bool = False, themes: tuple[str, ...] = (),
            intensity: float = 0.0) -> dict[str, Any]:
    return {"entry_id": entry_id, "subject": subject, "occurred_at": at, "episode": 0,
            "start": 0, "end": 0, "role": role, "person": None, "themes": list(themes),
            "responses": [], "emotions": [], "intensity": intensity, "past": False,
            "in_therapy": in_therapy, "rupture": rupture, "repair": False, "red_flag": False,
            "negated": [], "evidence": []}


def record(entry_id: str, at: datetime, *, subject: str = "me", rupture: bool = False,
           repair: bool = False) -> dict[str, Any]:
    return {"entry_id": entry_id, "subject": subject, "occurred_at": at, "rupture": rupture,
            "repair": repair, "in_therapy": True, "crisis": False}


RECORD_SCHEMA = {"entry_id": pl.String, "subject": pl.String,
                 "occurred_at": pl.Datetime("us", "UTC"), "rupture": pl.Boolean,
                 "repair": pl.Boolean, "in_therapy": pl.Boolean, "crisis": pl.Boolean}


def at(day: int, hour: int = 18) -> datetime:
    return datetime(2025, 1, day, hour, tzinfo=UTC)


def test_weekly_alliance_counts_and_smooths_per_week() -> None:
    eps = pl.DataFrame([
        episode("e1", at(7), rupture=True, themes=("dismissed",), intensity=8.0),
        episode("e1", at(7), intensity=4.0),
        episode("e2", at(8), role="partner", in_therapy=False, themes=("judged",), intensity=9.0),
        episode("e3", at(21), themes=("understood",), intensity=2.0),
    ], schema=EPISODE_SCHEMA)
    rec = pl.DataFrame([record("e1", at(7), rupture=True), record("e3", at(21), repair=True)],
                       schema=RECORD_SCHEMA)
    out = weekly_alliance(eps, rec)
    assert out.schema == pl.Schema(WEEKLY_SCHEMA)
    assert out.drop("subject").rows() == [
        (date(2025, 1, 6), 2, 6.0, 0.5, 1, 1, 0, 0.5, 0.5),
        (date(2025, 1, 13), 0, None, None, 0, 0, 0, None, 0.5),
        (date(2025, 1, 20), 1, 2.0, 0.0, 0, 0, 1, 1.0, 0.75),
    ]


def test_weekly_alliance_uses_local_weeks_and_keeps_writers_apart() -> None:
    # Monday 13 January 03:00 UTC is still Sunday evening in Chicago
    eps = pl.DataFrame([
        episode("a1", at(13, 3), subject="ana", rupture=True),
        episode("b1", at(13, 3), subject="ben"),
    ], schema=EPISODE_SCHEMA)
    rec = pl.DataFrame([record("a1", at(13, 3), subject="ana", rupture=True),
                        record("b1", at(13, 3), subject="ben")], schema=RECORD_SCHEMA)
    zones = pl.DataFrame({"entry_id": ["a1", "b1"], "timezone": ["America/Chicago", "UTC"]})
    out = weekly_alliance(eps, rec, entries=zones)
    assert out.select("subject", "week", "ruptures", "alliance_index").rows() == [
        ("ana", date(2025, 1, 6), 1, 0.0),
        ("ben", date(2025, 1, 13), 0, 1.0),
    ]


def test_weekly_alliance_leaves_crisis_entries_out() -> None:
    eps = pl.DataFrame([episode("k1", at(7), rupture=True), episode("e2", at(8))],
                       schema=EPISODE_SCHEMA)
    rec = pl.DataFrame([record("k1", at(7), rupture=True), record("e2", at(8))],
                       schema=RECORD_SCHEMA).with_columns((pl.col("entry_id") == "k1").alias("crisis"))
    out = weekly_alliance(eps, rec)
    assert out.select("therapy_episodes", "ruptures", "alliance_index").rows() == [(1, 0, 1.0)]


def test_weekly_alliance_without_therapy_is_empty() -> None:
    eps = pl.DataFrame([episode("e1", at(7), role="partner", in_therapy=False)],
                       schema=EPISODE_SCHEMA)
    out = weekly_alliance(eps, pl.DataFrame([record("e1", at(7))], schema=RECORD_SCHEMA))
    assert out.is_empty() and out.schema == pl.Schema(WEEKLY_SCHEMA)


SESSIONS = {"subject": pl.String, "date": pl.Date, "srs": pl.List(pl.Float64),
            "ors": pl.List(pl.Float64)}


def test_session_scores() -> None:
    sessions = pl.DataFrame({
        "subject": ["a", "b", "a", "a", "b"],
        "date": [date(2025, 1, 14), date(2025, 1, 7), date(2025, 1, 7), date(2025, 1, 21),
                 date(2025, 1, 14)],
        "srs": [[10, 9, 9, 9], None, [9, 9, 9, 8], None, [10, 10, 10, 10]],
        "ors": [[7, 7, 6, 6], [8, 8, 8, 8], [5, 5, 5, 5], [5, 5, 5, 4], [6, 6, 6, 6]],
    }, schema=SESSIONS)
    out = session_scores(sessions)
    assert out.schema == pl.Schema(SESSION_SCHEMA)
    assert out.rows() == [
        ("a", date(2025, 1, 7), 35.0, 20.0, True, True, 0.0, None),
        ("a", date(2025, 1, 14), 37.0, 26.0, False, False, 6.0, "improved"),
        ("a", date(2025, 1, 21), None, 19.0, None, True, -1.0, None),
        ("b", date(2025, 1, 7), None, 32.0, None, False, 0.0, None),
        ("b", date(2025, 1, 14), 40.0, 24.0, False, True, -8.0, "deteriorated"),
    ]


def test_ors_change_counts_from_the_first_session_with_an_ors() -> None:
    sessions = pl.DataFrame({
        "subject": ["a", "a", "a"],
        "date": [date(2025, 1, 7), date(2025, 1, 14), date(2025, 1, 21)],
        "srs": [[9, 9, 9, 9], [9, 9, 9, 9], [9, 9, 9, 9]],
        "ors": [None, [4, 4, 4, 4], [6, 6, 6, 6]],
    }, schema=SESSIONS)
    assert session_scores(sessions)["ors_change"].to_list() == [None, 0.0, 8.0]


@pytest.mark.parametrize(("srs", "ors", "message"), [
    ([9, 9, 9, 11], [5, 5, 5, 5], r"session 2 \(a, 2025-01-14\): SRS needs 4 item scores from 0 to 10"),
    ([9, 9, 9, 9], [5, 5, -1, 5], r"session 2 \(a, 2025-01-14\): ORS needs 4 item scores"),
    ([9, 9, 9], [5, 5, 5, 5], r"SRS needs 4 item scores from 0 to 10, got \[9.0, 9.0, 9.0\]"),
    ([9, 9, 9, None], None, r"SRS needs 4"),
])
def test_session_scores_reject_bad_items(srs: list[float | None], ors: list[float] | None,
                                         message: str) -> None:
    sessions = pl.DataFrame({
        "subject": ["a", "a"], "date": [date(2025, 1, 7), date(2025, 1, 14)],
        "srs": [[9, 9, 9, 9], srs], "ors": [[5, 5, 5, 5], ors],
    }, schema=SESSIONS)
    with pytest.raises(ValueError, match=message):
        session_scores(sessions)


def test_session_dates_may_be_iso_strings() -> None:
    sessions = pl.DataFrame({"subject": ["a", "a"], "date": ["2025-01-14", "2025-01-07"],
                             "srs": [[9, 9, 9, 9], [9, 9, 9, 9]], "ors": [[6, 6, 6, 6], None]})
    out = session_scores(sessions)
    assert out.select("date", "srs_total", "ors_change").rows() == [
        (date(2025, 1, 7), 36.0, None), (date(2025, 1, 14), 36.0, 0.0)]
    bad = sessions.with_columns(pl.Series("date", ["2025-01-14", "Tuesday"]))
    with pytest.raises(ValueError, match=r"session 2 \(a\): date 'Tuesday' is not a date"):
        session_scores(bad)
