"""The episode projection: incremental refresh equals a full rebuild, and forgetting an
entry removes its quotes from the projection too."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import patternlens
from patternlens.project import episodes as projection
from patternlens.project import findings as finding_projection
from patternlens.store.projection import Checkpoint, write_checkpoint

DEMO = Path(__file__).resolve().parents[1] / "data" / "samples" / "demo" / "Journal.json"


def _split_demo(tmp_path: Path) -> tuple[Path, Path]:
    """The demo journal as two exports: the first half, then the whole (a later export)."""
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    half = {**data, "entries": data["entries"][: len(data["entries"]) // 2]}
    first = tmp_path / "first" / "Journal.json"
    first.parent.mkdir()
    first.write_text(json.dumps(half), encoding="utf-8")
    return first, DEMO


def _snapshot(lens: patternlens.Lens) -> pl.DataFrame:
    return lens.extraction().drop("episodes").sort("entry_id")


def test_incremental_refresh_equals_full_rebuild(tmp_path: Path) -> None:
    first, whole = _split_demo(tmp_path)
    with patternlens.open(tmp_path / "inc.duckdb") as lens:
        lens.import_paths([first])
        first_run = projection.refresh(lens.log)
        assert first_run.full and first_run.extracted == lens.entries().height
        lens.import_paths([whole])
        lens.declare_person("Karen", "boss")
        incremental = projection.refresh(lens.log)
        assert not incremental.full
        assert 0 < incremental.extracted <= lens.entries().height
        assert projection.refresh(lens.log).extracted == 0, "a refresh with nothing new did work"
        inc = _snapshot(lens)
        inc_episodes = lens.episodes().sort("entry_id", "episode")
        # Throw the projection away by pretending the extractor changed: a full rebuild.
        with lens.log.transaction() as con:
            write_checkpoint(con, Checkpoint(projection.NAME, lens.log.max_seq(), "old-version"))
        rebuilt = projection.refresh(lens.log)
        assert rebuilt.full
        assert_frame_equal(_snapshot(lens), inc)
        assert_frame_equal(lens.episodes().sort("entry_id", "episode"), inc_episodes)


def test_retracted_entries_leave_the_projection(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([DEMO])
        target = lens.extraction()["entry_id"][0]
        lens.retract(target)
        assert target not in lens.extraction()["entry_id"].to_list()
        assert target not in lens.episodes()["entry_id"].to_list()


def test_forget_removes_quotes_from_the_projection(tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    with patternlens.open(store) as lens:
        lens.import_paths([DEMO])
        episodes = lens.episodes()
        quoted = episodes.filter(pl.col("evidence").list.len() > 0).row(0, named=True)
        entry = quoted["entry_id"]
        text = lens.entries().filter(pl.col("entry_id") == entry)["text"][0]
        lens.forget(entry)
        assert entry not in lens.episodes()["entry_id"].to_list()
        record = lens.extraction().filter(pl.col("entry_id") == entry)
        assert record["roles"].to_list() in ([], [[]])
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    assert text.encode() not in raw


def _jsonl(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "date": d, "text": t}) + "\n" for i, d, t in rows),
                    encoding="utf-8")
    return path


JOURNAL = [
    ("a1", "2025-01-02", "My partner Sam said I was too sensitive and I went quiet."),
    ("a2", "2025-01-05", "Therapy today. Dr. Okafor asked about my week and I felt heard."),
    ("a3", "2025-01-09", "Sam ignored me all evening. I know it's small but I cried for hours."),
    ("a4", "2025-01-12", "My mom told me I was overreacting again, like when I was a kid."),
]


def _assert_same_as_rebuild(lens: patternlens.Lens) -> None:
    inc, inc_episodes = _snapshot(lens), lens.episodes().sort("entry_id", "episode")
    evidence = lens.log.query("SELECT * FROM name_evidence").sort(pl.all())
    with lens.log.transaction() as con:
        write_checkpoint(con, Checkpoint(projection.NAME, lens.log.max_seq(), "old-version"))
    assert projection.refresh(lens.log).full
    assert_frame_equal(_snapshot(lens), inc)
    assert_frame_equal(lens.episodes().sort("entry_id", "episode"), inc_episodes)
    assert_frame_equal(lens.log.query("SELECT * FROM name_evidence").sort(pl.all()), evidence)


def test_new_entries_alone_are_extracted_while_names_stay(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", JOURNAL)])
        lens.import_paths([_jsonl(tmp_path / "other.jsonl", JOURNAL)], subject="other")
        projection.refresh(lens.log)
        more = [("b1", "2024-12-30", "Sam brushed it off when I tried to talk about work."),
                ("b2", "2025-01-20", "Dr. Okafor said I seemed far away. I didn't tell her why.")]
        lens.import_paths([_jsonl(tmp_path / "more.jsonl", more)])
        step = projection.refresh(lens.log)
        assert (step.extracted, step.removed, step.full) == (2, 0, False)
        # the new entries were read with the names the older ones taught
        new = lens.extraction().filter(pl.col("source_ref").is_in(["b1", "b2"])).sort("source_ref")
        assert new["roles"].to_list() == [["partner"], ["therapist"]]
        _assert_same_as_rebuild(lens)


def test_a_new_name_re_reads_the_whole_journal(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", JOURNAL)])
        lens.import_paths([_jsonl(tmp_path / "other.jsonl", JOURNAL)], subject="other")
        projection.refresh(lens.log)
        # "Priya" was nobody in a5 until a later entry says who she is
        lens.import_paths([_jsonl(tmp_path / "p.jsonl", [
            ("a5", "2025-01-15", "Priya didn't judge me at all, which surprised me.")])])
        assert projection.refresh(lens.log).extracted == 1
        lens.import_paths([_jsonl(tmp_path / "q.jsonl", [
            ("a6", "2025-01-16", "I had lunch with Priya, my best friend.")])])
        step = projection.refresh(lens.log)
        assert step.extracted == len(JOURNAL) + 2, "only the writer whose names changed is re-read"
        a5 = lens.extraction().filter(pl.col("source_ref") == "a5")
        assert a5["roles"].to_list() == [["friend"]]
        _assert_same_as_rebuild(lens)


def test_an_edit_that_takes_a_name_away_re_reads_the_journal(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", JOURNAL)])
        projection.refresh(lens.log)
        edited = [("a1", "2025-01-02", "Someone said I was too sensitive and I went quiet."), *JOURNAL[1:]]
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", edited)])
        step = projection.refresh(lens.log)
        assert step.extracted == len(JOURNAL)
        a3 = lens.extraction().filter(pl.col("source_ref") == "a3")
        assert "partner" not in a3["roles"].to_list()[0]
        # an edit that keeps the names is read alone, and a retraction removes just its rows
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", [*edited[:3], (
            "a4", "2025-01-12", "My mom told me I was overreacting again.")])])
        assert projection.refresh(lens.log).extracted == 1
        lens.retract(lens.extraction().filter(pl.col("source_ref") == "a4")["entry_id"][0])
        step = projection.refresh(lens.log)
        assert step.extracted == 0 and step.removed == 1
        # retracting the only entry that made "Dr. Okafor" the therapist changes the names
        lens.retract(lens.extraction().filter(pl.col("source_ref") == "a2")["entry_id"][0])
        assert projection.refresh(lens.log).extracted == 2
        _assert_same_as_rebuild(lens)


def test_a_store_from_before_name_evidence_is_rebuilt_once(tmp_path: Path) -> None:
    """A checkpoint that names only the extractor (the first layout, without name_evidence)
    must not be trusted: incremental reads would miss the names older entries taught."""
    from patternlens.extract import EXTRACTOR_VERSION

    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_jsonl(tmp_path / "one.jsonl", JOURNAL)])
        projection.refresh(lens.log)
        with lens.log.transaction() as con:
            con.execute("DELETE FROM name_evidence")
            write_checkpoint(con, Checkpoint(projection.NAME, lens.log.max_seq(), EXTRACTOR_VERSION))
        lens.import_paths([_jsonl(tmp_path / "more.jsonl", [
            ("b1", "2025-02-01", "Sam brushed it off when I tried to talk about work.")])])
        assert projection.refresh(lens.log).full
        b1 = lens.extraction().filter(pl.col("source_ref") == "b1")
        assert b1["roles"].to_list() == [["partner"]]
        assert projection.refresh(lens.log).extracted == 0


# -- findings updated in part ----------------------------------------------------------------
FINDING_TABLES = ("strong", "breadcrumbs", "trails", "ruptures", "rupture_evidence",
                  "pervasiveness", "alliance", "sessions", "red_flags", "crisis")


def _demo_part(tmp_path: Path, keep: list[int]) -> Path:
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    order = sorted(range(len(data["entries"])), key=lambda i: data["entries"][i]["creationDate"])
    part = tmp_path / "part" / "Journal.json"
    part.parent.mkdir()
    part.write_text(json.dumps({**data, "entries": [data["entries"][order[i]] for i in keep]}),
                    encoding="utf-8")
    return part


def _findings(lens: patternlens.Lens) -> dict[str, pl.DataFrame]:
    return {name: finding_projection.read(lens.log, name, include_dismissed=True)
            for name in FINDING_TABLES}


def _assert_findings_as_rebuilt(lens: patternlens.Lens) -> dict[str, pl.DataFrame]:
    updated = _findings(lens)
    with lens.log.transaction() as con:
        write_checkpoint(con, Checkpoint(finding_projection.NAME, lens.log.max_seq(), "old"))
    assert lens.refresh().full
    rebuilt = _findings(lens)
    for name in FINDING_TABLES:
        try:
            assert_frame_equal(updated[name], rebuilt[name], check_exact=False, check_dtypes=False)
        except AssertionError as e:
            raise AssertionError(f"finding_{name} differs from a rebuild: {e}") from None
    return rebuilt


@pytest.mark.parametrize("keep", [
    pytest.param(range(39), id="first-half-then-later-entries"),
    pytest.param(range(70), id="all-but-the-last-eight"),
    pytest.param(sorted(random.Random(11).sample(range(78), 70)), id="backdated-entries-too"),
])
def test_findings_updated_in_part_equal_a_full_rebuild(tmp_path: Path, keep: range) -> None:
    """New entries alone update each finding in part (the strong rows of their days, the
    themes they carry, the rupture timeline, their weeks); the tables come out as a full
    rebuild makes them, breadcrumbs, trails and both ruptures included."""
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_demo_part(tmp_path, list(keep))])
        lens.import_paths([_jsonl(tmp_path / "other.jsonl", JOURNAL)], subject="other")
        assert lens.refresh().full
        other = {n: f.filter(pl.col("subject") == "other") for n, f in _findings(lens).items()}
        lens.import_paths([DEMO])
        lens.log_session(date(2025, 3, 4), srs=[9, 8, 9, 7], ors=[6, 6, 5, 6])
        step = lens.refresh()
        assert (step.full, step.subjects, step.partial) == (False, 1, 1), step
        rebuilt = _assert_findings_as_rebuilt(lens)
    assert rebuilt["breadcrumbs"].filter(pl.col("subject") == "me").height > 0
    assert rebuilt["ruptures"].filter(pl.col("subject") == "me").height == 2
    assert rebuilt["sessions"].height == 1
    for name, frame in other.items():  # a writer with no news is left as it was
        assert_frame_equal(rebuilt[name].filter(pl.col("subject") == "other"), frame)


def test_a_dismissal_recomputes_nothing(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([DEMO])
        lens.refresh()
        lens.dismiss(lens.breadcrumbs()["id"][0])
        step = lens.refresh()
        assert (step.subjects, step.full) == (0, False)
        assert lens.breadcrumbs().height == finding_projection.read(
            lens.log, "breadcrumbs", include_dismissed=True).height - 1


def test_a_new_main_time_zone_recomputes_the_writer_whole(tmp_path: Path) -> None:
    """A writer's day ends in their main zone: when most entries move to another zone, every
    baseline moves, so the writer is recomputed whole."""
    def rows(prefix: str, zone: str, n: int) -> list[dict[str, str]]:
        return [{"id": f"{prefix}{i}", "date": f"2025-02-{i + 1:02d}T21:30:00", "timezone": zone,
                 "text": "My mom told me I was overreacting again."} for i in range(n)]
    path = tmp_path / "z.jsonl"
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows("a", "Europe/Berlin", 3)))
        lens.import_paths([path])
        lens.refresh()
        path.write_text("".join(json.dumps(r) + "\n" for r in rows("b", "America/Chicago", 5)))
        lens.import_paths([path])
        step = lens.refresh()
        assert (step.subjects, step.partial) == (1, 0)
        _assert_findings_as_rebuilt(lens)


# Sentences that make a dense therapy timeline: ruptures, repairs, sessions, other people.
DENSE = (
    "My mom told me I was overreacting again.",
    "Sam brushed it off when I tried to talk about work.",
    "In therapy today my therapist asked about my week and I felt heard.",
    "We talked about last session and she apologized.",
    "I don't think therapy is helping and I want to quit.",
    "I know it's small but I cried for hours, like a 9/10.",
    "Went for a walk after dinner, the light was beautiful.",
)


def _dense(path: Path, writers: int, days: int, start: date, seed: int, prefix: str) -> Path:
    rng = random.Random(seed)
    rows = [{"id": f"{prefix}{w}-{i}", "subject": f"w{w}",
             "date": date.fromordinal(start.toordinal() + i).isoformat(),
             "text": " ".join(rng.choices(DENSE, k=2))}
            for w in range(writers) for i in range(days)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_dense_rupture_timelines_updated_in_part_equal_a_full_rebuild(tmp_path: Path) -> None:
    """Many ruptures and repairs a writer: new entries after the journal, in its middle and
    before it re-cut only the tail of each timeline, and give what a rebuild gives."""
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_dense(tmp_path / "c.jsonl", 3, 150, date(2024, 1, 1), 1, "c")])
        assert lens.refresh().full
        for day, seed in ((date(2024, 5, 30), 2), (date(2024, 3, 3), 3), (date(2023, 12, 1), 4)):
            lens.import_paths([_dense(tmp_path / f"{seed}.jsonl", 3, 2, day, seed, f"n{seed}-")])
            assert lens.refresh().partial == 3
            # each step against a rebuild: a later step may re-cut what an earlier one missed
            rebuilt = _assert_findings_as_rebuilt(lens)
            # dense enough to re-cut several timelines (an entry telling both "therapy isn't
            # helping" and "she apologized" is one rupture repaired, not two ledger rows)
            assert rebuilt["ruptures"].height >= 4


def _rupture_rows(lens: patternlens.Lens) -> pl.DataFrame:
    """The stored ledger with each row's DuckDB rowid: a row left as stored keeps its rowid."""
    return lens.log.query("SELECT rowid, id, started FROM finding_ruptures ORDER BY started, id")


def test_entries_in_a_quiet_stretch_re_cut_only_up_to_where_the_timeline_resumes(
        tmp_path: Path) -> None:
    """Two dense stretches of therapy with two months of other news between them: entries
    more than GAP_DAYS before the second stretch leave its events as stored (not rewritten);
    a rupture 15 days before it joins its first event, which now starts there; every step
    gives what a rebuild gives."""
    def one(name: str, day: date, text: str) -> list[Path]:
        return [_jsonl(tmp_path / f"{name}.jsonl", [(name, day.isoformat(), text)])]
    walk = "Went for a walk after dinner, the light was beautiful."
    strain = "My therapist was dismissive today and I shut down in session."
    quiet = _jsonl(tmp_path / "quiet.jsonl", [(f"q{i}", (date(2024, 3, 1) + timedelta(days=i)).isoformat(),
                                               walk) for i in range(60)])
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_dense(tmp_path / "a.jsonl", 1, 60, date(2024, 1, 1), 1, "a"),
                           _dense(tmp_path / "b.jsonl", 1, 60, date(2024, 4, 30), 2, "b")])
        lens.import_paths([quiet], subject="w0")
        assert lens.refresh().full
        stored = _rupture_rows(lens)
        later = stored.filter(pl.col("started") >= date(2024, 4, 30))
        assert later.height > 0
        # 51 days before the second stretch: its events stay as stored
        lens.import_paths(one("n1", date(2024, 3, 10), strain), subject="w0")
        assert lens.refresh().partial == 1
        assert later.join(_rupture_rows(lens), on=["rowid", "id"], how="anti").is_empty()
        _assert_findings_as_rebuilt(lens)
        # 15 days before it: the first event there starts with the new rupture
        lens.import_paths(one("n2", date(2024, 4, 15), strain), subject="w0")
        assert lens.refresh().partial == 1
        rebuilt = _assert_findings_as_rebuilt(lens)
        assert date(2024, 4, 15) in rebuilt["ruptures"]["started"].to_list()
        assert rebuilt["ruptures"].filter(pl.col("started") == later["started"].min()).is_empty()
        # long before the journal
        lens.import_paths([_dense(tmp_path / "n3.jsonl", 1, 2, date(2023, 6, 1), 7, "n3-")])
        assert lens.refresh().partial == 1
        _assert_findings_as_rebuilt(lens)


def test_the_end_of_a_re_cut_allows_for_time_zones_a_day_apart(tmp_path: Path) -> None:
    """A new rupture at UTC+14 and a stored one at UTC-12, 30 days apart in time but 28 in
    their own days: no gap parts them (found in review), so they make one event."""
    rupture = "My therapist was dismissive today and I shut down in session."
    session = "In therapy today my therapist asked about my week and I felt heard."
    walk = "Went for a walk after dinner, the light was beautiful."
    old = [(f"w{i}", f"2024-02-{i + 1:02d}T12:00:00-12:00", walk) for i in range(10)]
    old += [("B", "2024-04-07T22:15:00-12:00", rupture), ("C", "2024-04-10T12:00:00-12:00", session)]
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([_jsonl(tmp_path / "old.jsonl", old)])
        lens.refresh()
        lens.import_paths([_jsonl(tmp_path / "new.jsonl", [("A", "2024-03-10T00:10:00+14:00", rupture)])])
        assert lens.refresh().partial == 1
        rebuilt = _assert_findings_as_rebuilt(lens)
    assert rebuilt["ruptures"].height == 1
