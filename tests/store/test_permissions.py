"""Journals are private: the store and every file written next to it are owner-only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from patternlens.store.events import NewEvent
from patternlens.store.log import EventLog


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    # The usual default: without care, DuckDB's files would be readable by everyone.
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(directory: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in directory.iterdir() if p.is_file()}


def _entry(n: int) -> NewEvent:
    return NewEvent(f"entry-e{n}", 1, "EntryRecorded", "me", {"entry_id": f"e{n}", "text": "x"})


def test_new_store_wal_and_compacted_copy_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    with EventLog(path) as log:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        log.append([_entry(1), _entry(2)])
        wal = path.with_name(path.name + ".wal")
        assert wal.exists(), "an uncheckpointed append should leave a WAL to check"
        assert set(_modes(tmp_path).values()) == {0o600}
        log.forget("e1")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        log.append([_entry(3)])
        assert set(_modes(tmp_path).values()) == {0o600}
    assert _modes(tmp_path) == {"store.duckdb": 0o600}
    assert os.umask(0o022) == 0o022, "the process umask was left changed"

