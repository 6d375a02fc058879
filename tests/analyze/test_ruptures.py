"""The rupture ledger on small hand-built frames, and on the demo journal."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest

import patternlens
from patternlens.analyze.ids import finding_id
from patternlens.analyze.ruptures import (
    EVIDENCE_SCHEMA,
    GAP_DAYS,
    LEDGER_SCHEMA,
    RENEWAL_DAYS,
    classify,
    marker_lexicon,
    rupture_ledger,
    with_local_date,
)
from patternlens.extract import EPISODE_SCHEMA

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 2, 19, 3, 40, tzinfo=UTC)  # 21:40 on 18 February in Chicago


def ev(kind: str, quote: str, label: str | None = None, start: int = 0) -> dict[str, Any]:
    return {"label": label or kind, "kind": kind, "start": start, "end": start + len(quote),
            "quote": quote}


def episode(entry_id: str, at: datetime, *, subject: str = "me", rupture: bool = False,
            repair: bool = False, in_therapy: bool = True, themes: tuple[str, ...] = (),
            evidence: tuple[dict[str, Any], ...] = (), start: int = 0, end: int = 0,
            n: int = 0) -> dict[str, Any]:
    return {"entry_id": entry_id, "subject": subject, "occurred_at": at, "episode": n,
            "start": start, "end": end, "role": "therapist", "person": None,
            "themes": list(themes), "responses": [], "emotions": [], "intensity": 3.0,
            "past": False, "in_therapy": in_therapy, "rupture": rupture, "repair": repair,
            "red_flag": False, "negated": [], "evidence": list(evidence)}


def episodes_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EPISODE_SCHEMA)


def records_frame(eps: pl.DataFrame, extra: list[dict[str, Any]] | None = None) -> pl.DataFrame:
    """Entry records the way the extractor sums episodes up, plus loose ones."""
    rec = eps.group_by("entry_id", maintain_order=True).agg(
        pl.col("subject").first(), pl.col("occurred_at").first(),
        pl.col("rupture").any(), pl.col("repair").any(), pl.col("in_therapy").any(),
        pl.col("red_flag").any(), pl.lit(False).alias("crisis"))
    if extra:
        rec = pl.concat([rec, pl.DataFrame(extra, schema=rec.schema)])
    return rec


def chicago(entry_ids: list[str], texts: dict[str, str] | None = None) -> pl.DataFrame:
    texts = texts or {}
    return pl.DataFrame({
        "entry_id": entry_ids, "timezone": ["America/Chicago"] * len(entry_ids),
        "title": [None] * len(entry_ids), "text": [texts.get(e, "") for e in entry_ids],
    }, schema={"entry_id": pl.String, "timezone": pl.String, "title": pl.String,
               "text": pl.String})


def two_ruptures() -> pl.DataFrame:
    day = timedelta(days=1)
    return episodes_frame([
        episode("e1", T0, rupture=True, themes=("dismissed",), evidence=(
            ev("role", "Dr. Okafor", "therapist"),
            ev("theme", "glanced at the clock", "dismissed", 11),
            ev("rupture", "didn't tell her", start=40))),
        episode("e2", T0 + 7 * day, rupture=True, evidence=(ev("rupture", "canceled"),
                                                             ev("response", "went quiet",
                                                                "withdrawal", 20))),
        episode("e3", T0 + 14 * day, rupture=True, evidence=(ev("rupture", "just tired"),)),
        # 2025-03-12 02:10 UTC is 21:10 on 11 March in Chicago (daylight saving time by then)
        episode("e4", datetime(2025, 3, 12, 2, 10, tzinfo=UTC), repair=True, evidence=(
            ev("repair", "told her it hurt"), ev("repair", "she apologized", start=30))),
        episode("e5", datetime(2025, 3, 26, 1, 0, tzinfo=UTC)),
        episode("e6", datetime(2025, 4, 23, 2, 0, tzinfo=UTC), rupture=True, evidence=(
            ev("rupture", "annoyed about the homework"),
            ev("rupture", "isn't helping", start=30))),
        episode("e7", datetime(2025, 4, 30, 2, 0, tzinfo=UTC), rupture=True, evidence=(
            ev("rupture", "didn't say any of this to her"),)),
    ])


def test_ledger_groups_ruptures_until_a_repair_and_lists_open_ones_first() -> None:
    eps = two_ruptures()
    ids = [f"e{i}" for i in range(1, 8)]
    ledger, evidence = rupture_ledger(eps, records_frame(eps), entries=chicago(ids))
    b, a = finding_id("rupture", "me", "e6"), finding_id("rupture", "me", "e1")
    assert ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert ledger.to_dicts() == [
        {"id": b, "subject": "me", "started": date(2025, 4, 22), "first_entry": "e6",
         "markers": ["confrontation", "withdrawal"], "status": "open", "repaired": None,
         "repair_entry": None, "days_to_repair": None, "n_entries": 2,
         "last_seen": date(2025, 4, 29)},
        {"id": a, "subject": "me", "started": date(2025, 2, 18), "first_entry": "e1",
         "markers": ["withdrawal"], "status": "repaired", "repaired": date(2025, 3, 11),
         "repair_entry": "e4", "days_to_repair": 21, "n_entries": 4,
         "last_seen": date(2025, 3, 11)},
    ]
    assert evidence.schema == pl.Schema(EVIDENCE_SCHEMA)
    assert evidence.select("id", "entry_id", "date", "kind", "quote").rows() == [
        (a, "e1", date(2025, 2, 18), "theme:dismissed", "glanced at the clock"),
        (a, "e1", date(2025, 2, 18), "withdrawal", "didn't tell her"),
        (a, "e2", date(2025, 2, 25), "withdrawal", "canceled"),
        (a, "e2", date(2025, 2, 25), "withdrawal", "went quiet"),
        (a, "e3", date(2025, 3, 4), "withdrawal", "just tired"),
        (a, "e4", date(2025, 3, 11), "repair", "told her it hurt"),
        (a, "e4", date(2025, 3, 11), "repair", "she apologized"),
        (b, "e6", date(2025, 4, 22), "confrontation", "annoyed about the homework"),
        (b, "e6", date(2025, 4, 22), "confrontation", "isn't helping"),
        (b, "e7", date(2025, 4, 29), "withdrawal", "didn't say any of this to her"),
    ]


def test_dates_are_utc_without_a_time_zone() -> None:
    eps = two_ruptures()
    ledger, _ = rupture_ledger(eps, records_frame(eps))
    repaired = ledger.filter(pl.col("first_entry") == "e1")
    assert repaired.select("started", "repaired", "days_to_repair").row(0) == (
        date(2025, 2, 19), date(2025, 3, 12), 21)


def test_a_timezone_column_on_the_records_gives_local_dates() -> None:
    eps = two_ruptures()
    rec = records_frame(eps).with_columns(pl.lit("-06:00").alias("timezone"))
    ledger, _ = rupture_ledger(eps, rec)
    assert ledger["started"].to_list() == [date(2025, 4, 22), date(2025, 2, 18)]


def test_a_repair_followed_by_renewed_markers_is_only_attempted() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    week = timedelta(days=7)
    eps = episodes_frame([
        episode("r1", t, rupture=True, evidence=(ev("rupture", "held back"),)),
        episode("p1", t + week, repair=True, evidence=(ev("repair", "we talked about it"),)),
        episode("r2", t + 2 * week, rupture=True, evidence=(ev("rupture", "not helping"),)),
    ])
    ledger, evidence = rupture_ledger(eps, records_frame(eps))
    assert ledger.select("first_entry", "status", "repaired", "n_entries", "markers").rows() == [
        ("r1", "repair_attempted", None, 3, ["confrontation", "withdrawal"])]
    assert evidence["kind"].to_list() == ["withdrawal", "repair", "confrontation"]

    # a second repair that holds closes the same rupture
    eps2 = pl.concat([eps, episodes_frame([
        episode("p2", t + 3 * week, repair=True, evidence=(ev("repair", "she explained"),))])])
    ledger2, _ = rupture_ledger(eps2, records_frame(eps2))
    assert ledger2.select("first_entry", "status", "repaired", "repair_entry",
                          "days_to_repair").rows() == [
        ("r1", "repaired", date(2025, 1, 28), "p2", 21)]


def test_markers_after_a_repair_held_for_long_enough_are_a_new_rupture() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([
        episode("r1", t, rupture=True),
        episode("p1", t + timedelta(days=7), repair=True),
        episode("m1", t + timedelta(days=14)),
        episode("r2", t + timedelta(days=7 + RENEWAL_DAYS + 1), rupture=True),
    ])
    ledger, _ = rupture_ledger(eps, records_frame(eps))
    assert ledger.select("first_entry", "status", "days_to_repair").rows() == [
        ("r2", "open", None), ("r1", "repaired", 7)]


def test_a_long_silence_about_therapy_ends_an_open_rupture() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    later = t + timedelta(days=GAP_DAYS + 1)
    eps = episodes_frame([episode("r1", t, rupture=True), episode("r2", later, rupture=True)])
    ledger, _ = rupture_ledger(eps, records_frame(eps))
    assert ledger.select("first_entry", "status", "n_entries").rows() == [
        ("r1", "open", 1), ("r2", "open", 1)]

    # a therapy mention in between keeps it one rupture (plain mentions are not counted)
    mid = episodes_frame([episode("m1", t + timedelta(days=GAP_DAYS // 2))])
    eps2 = pl.concat([eps, mid])
    ledger2, _ = rupture_ledger(eps2, records_frame(eps2))
    assert ledger2.select("first_entry", "status", "n_entries", "last_seen").rows() == [
        ("r1", "open", 2, later.date())]


def test_repairs_without_a_rupture_and_same_entry_repairs() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([
        episode("p0", t, repair=True),  # nothing to repair yet: no ledger row
        episode("rp", t + timedelta(days=30), rupture=True, repair=True, evidence=(
            ev("rupture", "angry at her"), ev("repair", "she apologized", start=20))),
    ])
    ledger, evidence = rupture_ledger(eps, records_frame(eps))
    assert ledger.select("first_entry", "status", "days_to_repair", "markers").rows() == [
        ("rp", "repaired", 0, ["confrontation"])]
    assert evidence.select("kind", "quote").rows() == [
        ("confrontation", "angry at her"), ("repair", "she apologized")]


def test_extractor_labels_win_over_the_word_list() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([episode("r1", t, rupture=True, evidence=(
        ev("rupture", "I canceled", label="confrontation"),
        ev("withdrawal", "said it was fine", start=15),
        ev("rupture", "something else entirely", start=40)))])
    _, evidence = rupture_ledger(eps, records_frame(eps))
    assert evidence.select("kind", "quote").rows() == [
        ("confrontation", "I canceled"), ("withdrawal", "said it was fine"),
        ("rupture", "something else entirely")]


def test_a_cue_inside_a_longer_cue_is_quoted_once() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([
        episode("r1", t, rupture=True, n=0, evidence=(ev("rupture", "didn't tell her", start=2),)),
        episode("r1", t, rupture=True, n=1, evidence=(ev("rupture", "didn't tell", start=2),
                                                      ev("rupture", "canceled", start=30))),
    ])
    _, evidence = rupture_ledger(eps, records_frame(eps))
    assert evidence["quote"].to_list() == ["didn't tell her", "canceled"]


def test_clause_text_classifies_a_cue_its_quote_cannot() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    text = "Session today. I kept it to myself, again."
    start = text.index("I kept")
    eps = episodes_frame([episode("r1", t, rupture=True, start=start, end=len(text),
                                  evidence=(ev("rupture", "again", start=start + 20),))])
    _, bare = rupture_ledger(eps, records_frame(eps))
    assert bare["kind"].to_list() == ["rupture"]
    _, evidence = rupture_ledger(eps, records_frame(eps), entries=chicago(["r1"], {"r1": text}))
    assert evidence.select("kind", "quote").rows() == [("withdrawal", "again")]


def test_a_rupture_flag_without_a_person_is_quoted_from_the_text() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([])
    loose = [{"entry_id": "l1", "subject": "me", "occurred_at": t, "rupture": True,
              "repair": False, "in_therapy": True, "red_flag": False, "crisis": False}]
    rec = records_frame(eps, loose)
    text = "Ran 5K. Therapy again tonight. Honestly I want to quit therapy! Soup after."
    ledger, evidence = rupture_ledger(eps, rec, entries=chicago(["l1"], {"l1": text}))
    assert ledger.select("first_entry", "markers", "status").rows() == [
        ("l1", ["confrontation"], "open")]
    assert evidence.select("kind", "quote").rows() == [
        ("confrontation", "Honestly I want to quit therapy")]
    _, quoteless = rupture_ledger(eps, rec)
    assert quoteless.select("entry_id", "kind", "quote").rows() == [("l1", "rupture", None)]


def test_writers_are_kept_apart() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([
        episode("a1", t, subject="ana", rupture=True),
        episode("b1", t + timedelta(days=3), subject="ben", repair=True),
        episode("b2", t + timedelta(days=4), subject="ben", rupture=True),
    ])
    ledger, _ = rupture_ledger(eps, records_frame(eps))
    assert ledger.select("id", "subject", "first_entry", "status").rows() == [
        (finding_id("rupture", "ana", "a1"), "ana", "a1", "open"),
        (finding_id("rupture", "ben", "b2"), "ben", "b2", "open"),
    ]


def test_crisis_entries_never_enter_the_ledger() -> None:
    t = datetime(2025, 1, 7, 18, tzinfo=UTC)
    eps = episodes_frame([episode("k1", t, rupture=True),
                          episode("r1", t + timedelta(days=7), rupture=True)])
    rec = records_frame(eps).with_columns((pl.col("entry_id") == "k1").alias("crisis"))
    ledger, evidence = rupture_ledger(eps, rec)
    assert ledger["first_entry"].to_list() == ["r1"]
    assert evidence["entry_id"].to_list() == ["r1"]


def test_no_ruptures_gives_empty_frames() -> None:
    eps = episodes_frame([episode("m1", T0)])
    ledger, evidence = rupture_ledger(eps, records_frame(eps))
    assert ledger.is_empty() and ledger.schema == pl.Schema(LEDGER_SCHEMA)
    assert evidence.is_empty() and evidence.schema == pl.Schema(EVIDENCE_SCHEMA)


@pytest.mark.parametrize(("text", "kind"), [
    ("I didn't bring up the clock", "withdrawal"),
    ("no, just tired, the launch", "withdrawal"),
    ("Next Tuesday. I keep saying that", "withdrawal"),
    ("It feels like she's going too fast", "confrontation"),
    ("I don't think this is helping", "confrontation"),
    ("I didn’t tell her I’m thinking about quitting", "withdrawal"),
    ("I'm thinking about quitting, and I didn't tell her", "confrontation"),
    ("The weather was quite nice", None),
])
def test_marker_word_list(text: str, kind: str | None) -> None:
    got = pl.select(classify(pl.lit(text))).item()
    assert got == kind
    assert marker_lexicon()["version"] == "1"


def test_local_date_handles_zones_offsets_and_unknown_names() -> None:
    frame = pl.DataFrame({
        "occurred_at": [T0] * 4,
        "timezone": ["America/Chicago", "+05:00", "Not/AZone", None],
    }, schema={"occurred_at": pl.Datetime("us", "UTC"), "timezone": pl.String})
    assert with_local_date(frame)["date"].to_list() == [
        date(2025, 2, 18), date(2025, 2, 19), date(2025, 2, 19), date(2025, 2, 19)]


def test_demo_planted_markers_make_the_planted_ledger() -> None:
    """The demo's planted rupture cues, as the extractor is meant to find them, on the real
    entries (local dates across the DST change, text for quotes): the planted ledger."""
    demo = json.loads((ROOT / "tests/data/demo_expected.json").read_text())
    lens = patternlens.open(None)
    lens.import_paths([ROOT / "data/samples/demo/Journal.json"])
    entries = lens.entries()
    by_ref = {r["source_ref"]: r for r in entries.iter_rows(named=True)}
    rows, want = [], []
    for rupture in demo["ruptures"]:
        for item in rupture["evidence"] + rupture.get("repair_evidence", []):
            entry = by_ref[item["entry"]]
            kind = {"theme:dismissed": "theme", "repair": "repair"}.get(item["marker"], "rupture")
            if item["marker"] == "strong":
                continue
            start = entry["text"].index(item["quote"])
            rows.append(episode(
                entry["entry_id"], entry["occurred_at"], rupture=kind != "repair",
                repair=kind == "repair", n=len(rows),
                evidence=(ev(kind, item["quote"], "dismissed" if kind == "theme" else None,
                             start),)))
            want.append((rupture["id"], item["entry"], item["date"],
                         "theme:dismissed" if kind == "theme" else item["marker"], item["quote"]))
    eps = episodes_frame(rows)
    ledger, evidence = rupture_ledger(eps, records_frame(eps), entries=entries)
    refs = {r["entry_id"]: r["source_ref"] for r in by_ref.values()}
    names = {ledger["id"][0]: "B", ledger["id"][1]: "A"}
    a, b = demo["ruptures"]
    assert ledger.select("first_entry", "started", "markers", "status", "repaired",
                         "repair_entry", "days_to_repair").rows() == [
        (by_ref[b["start_entry"]]["entry_id"], date(2025, 4, 22), sorted(b["markers"]), "open",
         None, None, None),
        (by_ref[a["start_entry"]]["entry_id"], date(2025, 2, 18), a["markers"], "repaired",
         date(2025, 3, 11), by_ref[a["repair_entry"]]["entry_id"], a["days_to_repair"]),
    ]
    got = evidence.select(pl.col("id").replace_strict(names), pl.col("entry_id").replace_strict(refs),
                          pl.col("date").cast(pl.String), "kind", "quote").rows()
    assert sorted(got) == sorted(want)


def test_demo_journal_ruptures() -> None:
    demo = json.loads((ROOT / "tests/data/demo_expected.json").read_text())
    expected = demo["ruptures"]
    lens = patternlens.open(None)
    lens.import_paths([ROOT / "data/samples/demo/Journal.json"])
    for person in demo["people"]:
        lens.declare_person(person["name"], person["role"])
    records, entries = lens.extraction(), lens.entries()
    ledger, evidence = rupture_ledger(lens.episodes(), records, entries=entries)
    refs = dict(records.select("entry_id", "source_ref").iter_rows())
    got = ledger.with_columns(
        pl.col("first_entry").replace_strict(refs), pl.col("repair_entry").replace_strict(
            refs, default=None))
    a, b = (r for r in expected if r["id"] == "A"), (r for r in expected if r["id"] == "B")
    want_a, want_b = next(a), next(b)
    assert got.select("first_entry", "started", "status", "repaired", "repair_entry",
                      "days_to_repair").rows() == [
        (want_b["start_entry"], date.fromisoformat(want_b["start_date"]), "open", None, None,
         None),
        (want_a["start_entry"], date.fromisoformat(want_a["start_date"]), "repaired",
         date.fromisoformat(want_a["repair_date"]), want_a["repair_entry"], 21),
    ]
    assert got["markers"].to_list()[1] == ["withdrawal"]
    assert "confrontation" in got["markers"].to_list()[0]
    assert set(evidence["id"]) == set(ledger["id"])
