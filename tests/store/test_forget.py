"""kill -9 anywhere inside ``forget`` leaves all of it or none of it: the text erased, the
EntryForgotten event and the projections' copies gone together, or everything as it was.
When the erasure committed, the text also leaves the file (at the latest on the next open)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import patternlens
from patternlens.project import episodes as episode_projection
from patternlens.project import findings as finding_projection

DEMO = Path(__file__).resolve().parents[2] / "data" / "samples" / "demo" / "Journal.json"
TEXT_TABLES = (*episode_projection.TEXT_TABLES, *finding_projection.TEXT_TABLES)

# Runs forget in a child that kills itself (SIGKILL, no cleanup) just before its n-th
# statement on the store's connection; prints "finished" if forget ran out of statements first.
_CHILD = """
import os, signal, sys
import patternlens

class KillAt:
    def __init__(self, con, n):
        self.con, self.left = con, n

    def _tick(self):
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)

    def execute(self, *args):
        self._tick()
        return self.con.execute(*args)

    def executemany(self, *args):
        self._tick()
        return self.con.executemany(*args)

    def __getattr__(self, name):
        return getattr(self.con, name)

lens = patternlens.open(sys.argv[1], create=False)
lens.log._con = KillAt(lens.log._con, int(sys.argv[3]))
lens.forget(sys.argv[2])
print("finished")
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A store with the demo journal and every projection built; an entry that has rows
    in several text tables, and a phrase found only in its text."""
    path = tmp_path_factory.mktemp("prepared") / "store.duckdb"
    with patternlens.open(path) as lens:
        lens.import_paths([DEMO])
        lens.refresh()
        trails = lens.findings("trails")
        entry = trails.filter(pl.col("quote").str.len_chars() > 20)["entry_id"][0]
        text = lens.entries().filter(pl.col("entry_id") == entry)["text"][0]
        others = lens.entries().filter(pl.col("entry_id") != entry)["text"].str.join("\n")[0]
        phrase = next(text[i:i + 30] for i in range(len(text) - 30) if text[i:i + 30] not in others)
        assert _state(lens, entry)["rows"] >= 3, "the entry should be quoted in several tables"
    return path, entry, phrase


def _state(lens: patternlens.Lens, entry: str) -> dict[str, object]:
    events = lens.events(stream_id=f"entry-{entry}")
    rows = 0
    tables = set(lens.log.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    for table, column in TEXT_TABLES:
        if table in tables:
            rows += lens.log.query(f"SELECT count(*) AS n FROM {table} WHERE {column} = ?",
                                   [entry])["n"][0]
    return {
        "text": lens.entries().filter(pl.col("entry_id") == entry)["text"][0],
        "forgotten": events.filter(pl.col("event_type") == "EntryForgotten").height,
        "rows": rows,
    }


def _on_disk(directory: Path, phrase: str) -> bool:
    return any(phrase.encode() in p.read_bytes() for p in directory.rglob("*") if p.is_file())


@pytest.mark.slow
def test_kill_anywhere_inside_forget(tmp_path: Path, prepared: tuple[Path, str, str]) -> None:
    source, entry, phrase = prepared
    with patternlens.open(source, create=False) as lens:
        before = _state(lens, entry)
    assert before["forgotten"] == 0 and before["text"] and before["rows"]
    outcomes: list[str] = []
    finished = False
    batch = 4  # children at a time: most of each run is starting Python
    for first in range(1, 200, batch):
        children = []
        for n in range(first, first + batch):
            store = tmp_path / f"kill-{n}" / "store.duckdb"
            store.parent.mkdir()
            shutil.copy(source, store)
            children.append((n, store, subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(store), entry, str(n)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
        for n, store, child in children:
            out, err = child.communicate(timeout=120)
            if finished:  # an earlier one in this batch already ran forget to the end
                continue
            finished = out.strip() == "finished"
            assert finished or child.returncode == -9, err
            with patternlens.open(store, create=False) as lens:
                assert lens.verify().ok, f"killed before statement {n}: {lens.verify().reason}"
                after = _state(lens, entry)
            if after == before:
                outcomes.append("none")
                assert _on_disk(store.parent, phrase)
            else:
                outcomes.append("all")
                assert after == {"text": None, "forgotten": 1, "rows": 0}, f"statement {n}: {after}"
                # Reopening finished a rewrite the kill interrupted.
                assert not _on_disk(store.parent, phrase), f"text left on disk ({n})"
            shutil.rmtree(store.parent)
        if finished:
            break
    else:
        pytest.fail("forget never finished")
    # Both outcomes were reached, in order: the kill points spanned the commit.
    assert outcomes[0] == "none" and outcomes[-1] == "all"
    assert outcomes == sorted(outcomes, key=["none", "all"].index)


def test_forget_removes_text_from_every_file(tmp_path: Path,
                                             prepared: tuple[Path, str, str]) -> None:
    source, entry, phrase = prepared
    store = tmp_path / "store.duckdb"
    shutil.copy(source, store)
    assert _on_disk(tmp_path, phrase)
    with patternlens.open(store) as lens:
        lens.forget(entry)
        assert _state(lens, entry) == {"text": None, "forgotten": 1, "rows": 0}
        assert not _on_disk(tmp_path, phrase)
        assert lens.verify().ok
    assert not _on_disk(tmp_path, phrase)
