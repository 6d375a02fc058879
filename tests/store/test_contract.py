"""The contract every event store passes (in-memory, file, encrypted file).

In the spirit of the eventsourcing library's recorder tests: one abstract case, one
subclass per backend, real DuckDB underneath.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from patternlens.errors import ConcurrencyError, StoreInUseError, WrongKeyError
from patternlens.store.events import NewEvent
from patternlens.store.log import EventLog


def ev(stream: str, version: int, text: str = "x", etype: str = "EntryRecorded") -> NewEvent:
    return NewEvent(stream_id=stream, version=version, event_type=etype, subject="me",
                    payload={"text": text})


class StoreContract:
    """Subclasses provide ``log`` (a fresh store) and may add backend-specific checks."""

    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        raise NotImplementedError

    def test_append_and_read_back_in_order(self, log: EventLog) -> None:
        result = log.append([ev("s-1", 1, "a"), ev("s-2", 1, "b"), ev("s-1", 2, "c")])
        assert (result.appended, result.first_seq, result.last_seq) == (3, 1, 3)
        events = log.select_events()
        assert [(e.seq, e.stream_id, e.version, e.payload["text"]) for e in events] == [
            (1, "s-1", 1, "a"), (2, "s-2", 1, "b"), (3, "s-1", 2, "c")]
        assert all(e.recorded_at.tzinfo is not None for e in events)

    def test_same_event_twice_adds_nothing(self, log: EventLog) -> None:
        log.append([ev("s-1", 1, "a")])
        again = log.append([ev("s-1", 1, "a")])
        assert (again.appended, again.skipped) == (0, 1)
        assert log.max_seq() == 1

    def test_other_event_at_taken_position_raises(self, log: EventLog) -> None:
        log.append([ev("s-1", 1, "a")])
        with pytest.raises(ConcurrencyError):
            log.append([ev("s-1", 1, "different")])
        assert log.max_seq() == 1

    def test_gap_in_versions_raises(self, log: EventLog) -> None:
        with pytest.raises(ConcurrencyError):
            log.append([ev("s-1", 2, "a")])
        assert log.max_seq() == 0

    def test_batch_with_one_conflict_writes_nothing(self, log: EventLog) -> None:
        log.append([ev("s-1", 1, "a")])
        with pytest.raises(ConcurrencyError):
            log.append([ev("s-2", 1), ev("s-3", 1), ev("s-1", 1, "conflict"), ev("s-4", 1)])
        assert [e.stream_id for e in log.select_events()] == ["s-1"]

    def test_unknown_event_type_is_refused(self, log: EventLog) -> None:
        with pytest.raises(Exception, match="unknown event type"):
            log.append([ev("s-1", 1, etype="Nonsense")])

    def test_concurrent_appenders(self, log: EventLog) -> None:
        """Threads appending batches: gap-free sequence, each batch contiguous, and of the
        threads racing for one stream position exactly one wins."""
        errors: list[Exception] = []
        wins: list[int] = []

        def writer(n: int) -> None:
            try:
                for i in range(10):
                    log.append([ev(f"w{n}-{i}", 1, f"{n}-{i}-{k}") if k == 0 else
                                ev(f"w{n}-{i}", k + 1, f"{n}-{i}-{k}") for k in range(3)])
                log.append([ev("contested", 1, f"from {n}")])
                wins.append(n)
            except ConcurrencyError:
                pass
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert len(wins) == 1
        events = log.select_events()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert len(events) == 6 * 10 * 3 + 1
        for stream in {e.stream_id for e in events if e.stream_id != "contested"}:
            seqs = [e.seq for e in events if e.stream_id == stream]
            assert seqs == list(range(seqs[0], seqs[0] + 3)), "a batch was interleaved"
        assert log.verify().ok

    def test_verify_detects_tampering(self, log: EventLog) -> None:
        log.append([ev("s-1", 1, "a"), ev("s-2", 1, "b"), ev("s-3", 1, "c")])
        assert log.verify().ok
        log.connection.execute(
            """UPDATE events SET payload = '{"text":"edited"}' WHERE seq = 2""")
        result = log.verify()
        assert (result.ok, result.broken_at, result.checked) == (False, 2, 1)
        assert "altered" in result.reason

    def test_verify_detects_a_deleted_event(self, log: EventLog) -> None:
        log.append([ev("s-1", 1), ev("s-2", 1), ev("s-3", 1)])
        log.connection.execute("DELETE FROM events WHERE seq = 2")
        result = log.verify()
        assert not result.ok and result.broken_at == 3

    def test_verify_detects_a_rewritten_digest(self, log: EventLog) -> None:
        """Changing payload and digest together still breaks the id and the chain."""
        log.append([ev("s-1", 1, "a"), ev("s-2", 1, "b")])
        log.connection.execute(
            """UPDATE events SET payload = '{"text":"z"}',
               payload_digest = sha256('{"text":"z"}') WHERE seq = 1""")
        assert not log.verify().ok

    def test_forget_erases_text_and_verify_still_passes(self, log: EventLog) -> None:
        log.append([ev("entry-e1", 1, "my secret"), ev("entry-e1", 2, "my secret, edited",
                                                       etype="EntryAmended"),
                    ev("entry-e2", 1, "kept")])
        erased = log.forget("e1")
        assert erased == 2
        texts = {(e.stream_id, e.event_type): e.payload.get("text") for e in log.select_events()}
        assert texts[("entry-e1", "EntryRecorded")] is None
        assert texts[("entry-e1", "EntryAmended")] is None
        assert texts[("entry-e2", "EntryRecorded")] == "kept"
        assert ("entry-e1", "EntryForgotten") in texts
        assert log.verify().ok
        # Still usable after the rewrite.
        log.append([ev("entry-e3", 1)])
        assert log.verify().ok


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        with EventLog(None) as log:
            yield log


class TestFileStore(StoreContract):
    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        with EventLog(tmp_path / "store.duckdb") as log:
            yield log

    def test_reopen_keeps_everything(self, tmp_path: Path) -> None:
        path = tmp_path / "store.duckdb"
        with EventLog(path) as log:
            log.append([ev("s-1", 1, "a")])
        with EventLog(path) as log:
            assert [e.payload["text"] for e in log.select_events()] == ["a"]
            assert log.verify().ok

    def test_forget_leaves_no_text_in_the_file(self, tmp_path: Path) -> None:
        path = tmp_path / "store.duckdb"
        with EventLog(path) as log:
            # Enough other rows that DuckDB keeps the block, as it would in a real journal.
            log.append([ev(f"entry-x{i}", 1, f"ordinary day {i}") for i in range(300)])
            log.append([ev("entry-gone", 1, "UNIQUEPHRASE about my mother")])
            log.forget("gone")
        assert all(b"UNIQUEPHRASE" not in f.read_bytes() for f in tmp_path.iterdir() if f.is_file())

    def test_second_process_gets_store_in_use(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        path = tmp_path / "store.duckdb"
        with EventLog(path):
            code = ("from patternlens.store.log import EventLog\n"
                    "from patternlens.errors import StoreInUseError\n"
                    f"try:\n    EventLog({str(path)!r})\n"
                    "except StoreInUseError as e:\n    print(e)\n")
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout
        import os
        assert f"store is in use by process {os.getpid()}" in out


class TestEncryptedStore(StoreContract):
    KEY = "correct horse battery staple"

    @pytest.fixture
    def log(self, tmp_path: Path) -> Iterator[EventLog]:
        with EventLog(tmp_path / "store.duckdb", key=self.KEY) as log:
            yield log

    def test_wrong_key_fails_clearly(self, tmp_path: Path) -> None:
        path = tmp_path / "store.duckdb"
        with EventLog(path, key=self.KEY) as log:
            log.append([ev("s-1", 1)])
        with pytest.raises(WrongKeyError, match="wrong key"):
            EventLog(path, key="not the key")
        with pytest.raises(WrongKeyError, match="encrypted"):
            EventLog(path)

    def test_no_plaintext_in_file_wal_or_temp(self, tmp_path: Path) -> None:
        path = tmp_path / "store.duckdb"
        log = EventLog(path, key=self.KEY)
        log.append([ev(f"entry-{i}", 1, f"PLAINTEXTMARKER entry {i} " + "words " * 50)
                    for i in range(2000)])
        # Before a checkpoint the rows sit in the WAL; look there too, and at spill files.
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        assert path in files
        for p in files:
            assert b"PLAINTEXTMARKER" not in p.read_bytes(), p
        log.close()
        for p in tmp_path.rglob("*"):
            if p.is_file():
                assert b"PLAINTEXTMARKER" not in p.read_bytes(), p

    def test_plain_duckdb_cannot_read_it(self, tmp_path: Path) -> None:
        path = tmp_path / "store.duckdb"
        with EventLog(path, key=self.KEY) as log:
            log.append([ev("s-1", 1)])
        with pytest.raises(duckdb.Error):
            duckdb.connect(str(path)).execute("SELECT * FROM events")


def test_in_use_error_names_the_pid() -> None:
    assert str(StoreInUseError("x.duckdb", 42)) == "store is in use by process 42: x.duckdb"


def test_verify_detects_a_duplicated_stream_position(tmp_path: Path) -> None:
    with EventLog(tmp_path / "s.duckdb") as log:
        log.append([ev("s-1", 1, "a"), ev("s-2", 1, "b")])
        # Bypass the append path, as a hand-edit of the file would.
        log.connection.execute("UPDATE events SET stream_id = 's-1' WHERE seq = 2")
        result = log.verify()
        assert not result.ok and "used twice" in result.reason
