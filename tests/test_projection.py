"""The episode projection: incremental refresh equals a full rebuild, and forgetting an
entry removes its quotes from the projection too."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

import patternlens
from patternlens.project import episodes as projection
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
