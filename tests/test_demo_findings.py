"""The whole path on the demo journal: import, extract, analyze; the planted patterns come
out (data/samples/demo/README.md describes them, tests/data/demo_expected.json lists them).

No people are declared here: a new user runs `patternlens analyze` on an export and
nothing else, so the names must be learned from the text itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

import patternlens
from patternlens.lens import Lens

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "samples" / "demo" / "Journal.json"
EXPECTED = json.loads((ROOT / "tests" / "data" / "demo_expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lens(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lens]:
    with patternlens.open(tmp_path_factory.mktemp("demo") / "store.duckdb") as lens:
        lens.import_paths([DEMO])
        yield lens


def _refs(lens: Lens) -> dict[str, str]:
    """entry_id -> Day One uuid (source_ref)."""
    return dict(lens.entries().select("entry_id", "source_ref").iter_rows())


def test_planted_breadcrumb_comes_first_with_its_past_trail(lens: Lens) -> None:
    expected = EXPECTED["breadcrumb"]
    crumbs = lens.breadcrumbs()
    assert crumbs.height >= 1
    top = crumbs.row(0, named=True)
    assert top["theme"] == expected["theme"]
    assert set(top["roles"]) >= set(expected["roles"])
    assert top["has_past"] is True
    refs = _refs(lens)
    trail = [refs[step["entry_id"]] for step in top["trail"]]
    assert trail[0] == expected["earliest_echo"], "the trail must start at the earliest echo"
    assert expected["therapy_entry"] in trail
    dates = [step["date"] for step in top["trail"]]
    assert dates == sorted(dates)
    assert top["therapy_moment"] == date.fromisoformat(expected["therapy_date"])
    assert all(step["quote"] for step in top["trail"])


def test_one_relationship_theme_is_not_a_breadcrumb(lens: Lens) -> None:
    single = EXPECTED["single_relationship_theme"]
    assert single["theme"] not in lens.breadcrumbs()["theme"].to_list()
    perv = lens.pervasiveness().filter(
        (pl.col("theme") == single["theme"]) & (pl.col("episodes_with_theme") > 0)
        & (pl.col("role") != "all"))
    assert perv["role"].to_list() == [single["role"]], "the theme leaked into another role"


def test_both_ruptures_with_status_and_dates(lens: Lens) -> None:
    ledger = lens.ruptures()
    expected = sorted(EXPECTED["ruptures"], key=lambda r: (r["status"] != "open", r["start_date"]))
    assert ledger.height == len(expected)
    for row, want in zip(ledger.iter_rows(named=True), expected, strict=True):
        assert row["status"] == want["status"]
        assert row["started"] == date.fromisoformat(want["start_date"])
        if want["status"] == "repaired":
            assert row["repaired"] == date.fromisoformat(want["repair_date"])
            assert row["days_to_repair"] == want["days_to_repair"]
        else:
            assert row["repaired"] is None
        assert set(want["markers"]) <= set(row["markers"])
    assert ledger["status"][0] == "open", "open ruptures are listed first"


def test_no_red_flags_or_crisis_in_the_demo(lens: Lens) -> None:
    assert lens.red_flags().is_empty()
    assert lens.crisis().is_empty()


def test_dismissed_findings_stay_out(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([DEMO])
        first = lens.ruptures()["id"][0]
        lens.dismiss(first, reason="not how I see it")
        assert first not in lens.ruptures()["id"].to_list()
        assert lens.ruptures().height == len(EXPECTED["ruptures"]) - 1


def test_as_of_answers_from_the_log_as_it_was(lens: Lens) -> None:
    before_repair = EXPECTED["ruptures"][0]["start_date"]  # rupture A, not yet repaired
    # Through the end of that day in the writer's own zone (America/Chicago).
    ledger = lens.ruptures(as_of=date.fromisoformat(before_repair))
    assert ledger.height == 1
    assert ledger["status"][0] == "open"

