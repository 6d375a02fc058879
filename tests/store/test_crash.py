"""kill -9 in the middle of a large import leaves all of it or none of it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import patternlens

N = 60_000


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "big.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(N):
            day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
            out.write(json.dumps({"id": f"e{i}", "date": day,
                                  "text": f"Entry {i}: talked with Sam about work. " * 8}) + "\n")
    return path


def _import_in_subprocess(store: Path, export: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "patternlens", "--store", str(store), "import", str(export)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _store_bytes(store: Path) -> int:
    return sum(p.stat().st_size for p in store.parent.glob(store.name + "*") if p.is_file())


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 0.9, 1.5, 2.4, "writing"])
def test_kill_during_import(tmp_path: Path, big_export: Path, delay: float | str) -> None:
    store = tmp_path / "store.duckdb"
    # Something already stored must survive whatever happens to the next import.
    small = tmp_path / "small.jsonl"
    small.write_text(json.dumps({"id": "keep", "date": "2023-05-05", "text": "Kept."}) + "\n",
                     encoding="utf-8")
    with patternlens.open(store) as lens:
        lens.import_paths([small])

    proc = _import_in_subprocess(store, big_export)
    if delay == "writing":
        # Kill the moment the store starts to grow: inside the import's transaction.
        baseline = _store_bytes(store)
        deadline = time.monotonic() + 60
        while _store_bytes(store) == baseline and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the import finished before it could be killed mid-write"
    else:
        assert isinstance(delay, float)
        time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)

    with patternlens.open(store) as lens:
        assert lens.verify().ok
        count = lens.entries().height
        assert count in (1, 1 + N), f"partial import: {count} entries"
        assert "Kept." in lens.entries()["text"].to_list()
        imports = lens.log.select_events(types=("ImportCompleted",))
        assert len(imports) == (1 if count == 1 else 2)
        # The store stays usable: the interrupted import can simply be run again.
        summary = lens.import_paths([big_export])
        assert summary.added + summary.unchanged == N
        assert lens.entries().height == 1 + N
