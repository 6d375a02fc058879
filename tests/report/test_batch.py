"""Batch report writing on a real store: one folder per writer that no other writer (nor the
corpus summary) can share, and reports rewritten exactly when the log has moved on since they
were built, whichever command refreshed the projections in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import patternlens
from patternlens.cli import cli
from patternlens.report.batch import folder_name, write_reports

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
DEMO = SAMPLES / "demo" / "Journal.json"
MORE = SAMPLES / "generic" / "entries.jsonl"


def test_colliding_subjects_get_their_own_folders(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    subjects = ["a b", "a_b", "corpus"]
    with patternlens.open(store) as lens:
        for subject in subjects:
            lens.import_paths([MORE], subject=subject)
        result = write_reports(lens, tmp_path / "out", formats=["json"])
    folders = {s: tmp_path / "out" / folder_name(s) for s in subjects}
    assert len(set(folders.values())) == 3, folders
    assert tmp_path / "out" / "corpus" not in folders.values()
    for subject, folder in folders.items():
        report = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
        assert report["subject"] == subject, f"{folder} holds another writer's report"
    summary = json.loads((tmp_path / "out" / "corpus" / "latest.json").read_text(encoding="utf-8"))
    assert {w["subject"] for w in summary["writers"]} == set(subjects)
    assert result.corpus is not None and result.corpus.parent == tmp_path / "out" / "corpus"


def test_folder_names_are_plain_when_they_can_be_and_stable() -> None:
    assert folder_name("me") == "me" and folder_name("jordan") == "jordan"
    assert folder_name("a b") == folder_name("a b"), "a writer's folder must not move between runs"
    assert folder_name("a b").startswith("a_b-") and folder_name("a_b") == "a_b"
    # Case-insensitive file systems: "Me" must not land in "me/".
    assert folder_name("Me").lower() != "me"
    # A plain name shaped like a hashed one is hashed too, so it cannot take another's folder.
    taken = folder_name("a b")
    assert folder_name(taken) != taken
    assert folder_name("../etc") not in ("..", "../etc") and "/" not in folder_name("../etc")


def invoke(store: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--store", str(store), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def analyzed(tmp_path: Path) -> tuple[Path, Path]:
    """A store after `patternlens analyze` of the demo journal, and its latest.html."""
    store = tmp_path / "s.duckdb"
    invoke(store, "analyze", str(DEMO))
    latest = tmp_path / "patternlens-reports" / "me" / "latest.html"
    assert latest.exists()
    return store, latest


def test_report_rewrites_when_another_command_refreshed_first(analyzed: tuple[Path, Path]) -> None:
    store, latest = analyzed
    before = latest.read_text(encoding="utf-8")
    invoke(store, "import", str(MORE))
    invoke(store, "breadcrumbs")  # refreshes the projections: report must still see new events
    result = invoke(store, "report")
    assert "no new events" not in result.output
    assert result.output.startswith("patternlens report: 1 writer(s)")
    after = latest.read_text(encoding="utf-8")
    assert "<b>82</b>entries" in after and "<b>78</b>entries" in before, "entry count not updated"
    again = invoke(store, "report")
    assert "no new events since the last run" in again.output


@pytest.mark.parametrize("change", [
    ["session", "log", "--date", "2025-06-03", "--srs", "5,5,5,5"],
    ["dismiss", "br-does-not-matter"],
])
def test_ratings_and_dismissals_make_reports_stale(analyzed: tuple[Path, Path],
                                                   change: list[str]) -> None:
    store, latest = analyzed
    stamp = latest.stat().st_mtime_ns
    invoke(store, *change)
    invoke(store, "ruptures")  # a finding command refreshes the projections first
    result = invoke(store, "report")
    assert "no new events" not in result.output and latest.stat().st_mtime_ns != stamp


def test_nothing_new_rewrites_nothing(analyzed: tuple[Path, Path]) -> None:
    store, latest = analyzed
    files = {p: p.stat().st_mtime_ns for p in latest.parent.iterdir()}
    again = invoke(store, "analyze", str(DEMO))
    assert "Nothing new was added; reusing the stored results and report." in again.output
    assert "no new events since the last run" in invoke(store, "report").output
    assert {p: p.stat().st_mtime_ns for p in latest.parent.iterdir()} == files


def test_other_options_are_not_current(analyzed: tuple[Path, Path]) -> None:
    store, latest = analyzed
    redacted = invoke(store, "report", "--redact")
    assert "no new events" not in redacted.output
    assert "Quotes in this copy are redacted" in latest.read_text(encoding="utf-8")
    plain = invoke(store, "report")
    assert "no new events" not in plain.output
    assert "Quotes in this copy are redacted" not in latest.read_text(encoding="utf-8")
