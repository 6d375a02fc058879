"""The append-only event log: one DuckDB file (or memory), one vocabulary.

``append`` / ``append_frame`` write a batch in one transaction; ``select_events`` and
``events_frame`` read; ``verify`` walks the hash chain; ``forget`` is the single path that
changes stored rows, and only to erase an entry's text on the writer's demand.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import polars as pl

from patternlens.errors import (
    ConcurrencyError,
    StoreError,
    StoreInUseError,
    UnknownEntryError,
    WrongKeyError,
)
from patternlens.store import crypto
from patternlens.store.events import (
    ENTRY_EVENTS,
    GENESIS,
    SCHEMA_VERSIONS,
    NewEvent,
    StoredEvent,
    canonical_json,
    chain_hash,
    chain_hashes,
    entry_stream,
    event_id,
    event_ids,
    payload_digest,
    payload_digests,
    upcast,
)

# DuckDB scans registered Arrow tables through pyarrow's Acero, which prints a warning on
# stderr for every buffer Polars hands over unaligned; copying those buffers is correct,
# cheap at this size, and keeps the terminal clean. Read by Arrow when a scan starts.
os.environ.setdefault("ACERO_ALIGNMENT_HANDLING", "reallocate")

STORE_FORMAT = "1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq BIGINT PRIMARY KEY,
    event_id VARCHAR NOT NULL,
    stream_id VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    event_type VARCHAR NOT NULL,
    schema_version INTEGER NOT NULL,
    subject VARCHAR NOT NULL,
    occurred_at TIMESTAMPTZ,
    recorded_at TIMESTAMPTZ NOT NULL,
    payload VARCHAR NOT NULL,
    payload_digest VARCHAR NOT NULL,
    hash VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
"""

# Columns of the frame ``append_frame`` takes.
APPEND_COLUMNS = ("stream_id", "version", "event_type", "subject", "occurred_at", "payload")

# Set in the transaction that erases text; only the rewritten file lacks it.
_COMPACT_PENDING = "compact_pending"
_LOCK_PID = re.compile(r"\(PID (\d+)\)")
_ALIAS = "journal"


@dataclass(frozen=True)
class AppendResult:
    appended: int
    skipped: int  # already in the log (same event id): idempotent re-appends
    first_seq: int | None
    last_seq: int | None


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


class EventLog:
    """An event log in a DuckDB file, or in memory when ``path`` is None.

    DuckDB lets one process write a file; a second gets StoreInUseError. Within the process,
    appends are serialised by a lock, which keeps sequence numbers gap-free and each batch's
    events contiguous. Because every append passes through that one path, it also enforces
    unique event ids and stream positions: DuckDB's unique indexes on text keys would
    triple the cost of a large import. ``verify`` checks both.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, key: str | None = None,
                 create: bool = True) -> None:
        self.path = Path(path) if path is not None else None
        self.encrypted = key is not None
        self._key = key
        self._lock = threading.RLock()
        self._con = self._connect(create)

    # -- opening ---------------------------------------------------------------------------
    def _connect(self, create: bool) -> duckdb.DuckDBPyConnection:
        if self.path is not None and not create and not self.path.exists():
            raise StoreError(f"no store at {self.path} (run 'patternlens init' or import first)")
        con = duckdb.connect(":memory:", config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        })
        # DuckDB draws progress bars on stdout for long queries; the CLI owns stdout. Inside
        # Jupyter DuckDB refuses the setting without ipywidgets, and draws no bar either.
        with contextlib.suppress(duckdb.InvalidInputException):
            con.execute("SET enable_progress_bar = false")
        try:
            if self._key is not None:
                crypto.load_crypto(con)
                con.execute("SET temp_file_encryption = true")
            with _private_files():
                if self.path is not None:
                    tmp = self.path.with_name(self.path.name + ".tmp")
                    con.execute(f"SET temp_directory = {crypto.sql_string(str(tmp))}")
                    self._attach(con, self.path, _ALIAS)
                    con.execute(f"USE {_ALIAS}")
                con.execute(_SCHEMA)
                con.execute("INSERT INTO store_meta VALUES ('format', ?) ON CONFLICT DO NOTHING",
                            [STORE_FORMAT])
                # A forget committed but the process died before the rewrite: finish it now.
                if con.execute("SELECT 1 FROM store_meta WHERE key = ?", [_COMPACT_PENDING]
                               ).fetchone():
                    self._compact(con)
        except BaseException:
            con.close()
            raise
        return con

    def _attach(self, con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
        opts = f" (ENCRYPTION_KEY {crypto.sql_string(self._key)})" if self._key is not None else ""
        try:
            con.execute(f"ATTACH {crypto.sql_string(str(path))} AS {alias}{opts}")
        except duckdb.IOException as exc:
            msg = str(exc)
            if "lock" in msg.lower():
                pid = _LOCK_PID.search(msg)
                raise StoreInUseError(str(path), int(pid.group(1)) if pid else None) from None
            raise StoreError(f"cannot open store {path}: {msg}") from None
        except duckdb.InvalidInputException as exc:
            if "encryption key" in str(exc).lower():
                raise WrongKeyError(f"wrong key for encrypted store {path}") from None
            raise StoreError(f"cannot open store {path}: {exc}") from None
        except duckdb.CatalogException as exc:
            if "encrypted" in str(exc).lower():
                raise WrongKeyError(
                    f"store {path} is encrypted: set PATTERNLENS_KEY or enter the key when asked"
                ) from None
            raise StoreError(f"cannot open store {path}: {exc}") from None
        except duckdb.Error as exc:
            if "encrypt" in str(exc).lower() and self._key is None:
                raise WrongKeyError(f"store {path} is encrypted: set PATTERNLENS_KEY") from None
            raise StoreError(f"cannot open store {path}: {exc}") from None

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()

    def __enter__(self) -> EventLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection, for projections kept in the same file. Hold ``lock`` to write."""
        return self._con

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    # -- writing ---------------------------------------------------------------------------
    def append(self, events: Sequence[NewEvent], *, schema_versions: Sequence[int] | None = None
               ) -> AppendResult:
        """Append events atomically. ``schema_versions`` exists to write old-format events
        in tests of the upcasters; normal callers leave it out."""
        frame = self._event_frame(events)
        if schema_versions is not None:
            frame = frame.with_columns(pl.Series("schema_version", schema_versions, pl.Int32))
        return self.append_frame(frame)

    @staticmethod
    def _event_frame(events: Sequence[NewEvent]) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "stream_id": [e.stream_id for e in events],
                "version": [e.version for e in events],
                "event_type": [e.event_type for e in events],
                "subject": [e.subject for e in events],
                "occurred_at": [e.occurred_at for e in events],
                "payload": [e.payload_json() for e in events],
            },
            schema={"stream_id": pl.String, "version": pl.Int64, "event_type": pl.String,
                    "subject": pl.String, "occurred_at": pl.Datetime("us", "UTC"),
                    "payload": pl.String},
        )

    def append_frame(self, frame: pl.DataFrame) -> AppendResult:
        """Append a frame of events (``APPEND_COLUMNS``, payload as JSON text) in one transaction.

        A ``payload_digest`` column, when present, saves hashing the payloads again.

        An event already in the log (same id) is skipped. An event whose stream position is
        taken by a different event, or that leaves a gap, raises ConcurrencyError and the
        whole batch is discarded.
        """
        batch = self._prepare(frame)  # hashing outside the lock: a large import takes a while
        with self._lock, self._transaction() as con:
            return self._append_batch(con, batch, frame.height)

    @staticmethod
    def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
        """Check the event types; add digests, schema versions and event ids."""
        unknown = set(frame["event_type"].unique()) - SCHEMA_VERSIONS.keys()
        if unknown:
            raise StoreError(f"unknown event type(s): {', '.join(sorted(unknown))}")
        if "payload_digest" not in frame.columns:
            frame = frame.with_columns(
                pl.Series("payload_digest", payload_digests(frame["payload"]), pl.String))
        if "schema_version" not in frame.columns:
            frame = frame.with_columns(
                pl.col("event_type").replace_strict(SCHEMA_VERSIONS, return_dtype=pl.Int32)
                .alias("schema_version"))
        batch = frame.select(*APPEND_COLUMNS, "schema_version", "payload_digest")
        return batch.with_columns(
            pl.Series("event_id", event_ids(batch), pl.String),
            pl.col("version").cast(pl.Int32),
        ).unique("event_id", keep="first", maintain_order=True)

    def _append_batch(self, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame, offered: int
                      ) -> AppendResult:
        """The body of ``append_frame``, inside a transaction the caller holds with the lock."""
        existing = self._existing_ids(con, batch)
        if existing.height:
            batch = batch.join(existing, on="event_id", how="anti", maintain_order="left")
        skipped = offered - batch.height
        if batch.is_empty():
            return AppendResult(0, skipped, None, None)
        self._check_versions(con, batch)
        row = con.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        last_seq, prev = (int(row[0]), str(row[1])) if row else (0, GENESIS)
        recorded_at = datetime.now(UTC).replace(tzinfo=UTC)
        rec_us = _epoch_us(recorded_at)
        hashes = chain_hashes(prev, last_seq, batch["event_id"].to_list(),
                              batch["payload_digest"].to_list(), rec_us)
        rows = batch.select(
            pl.int_range(last_seq + 1, last_seq + 1 + batch.height, dtype=pl.Int64).alias("seq"),
            "event_id", "stream_id", "version", "event_type", "schema_version", "subject",
            "occurred_at",
            pl.lit(recorded_at, dtype=pl.Datetime("us", "UTC")).alias("recorded_at"),
            "payload", "payload_digest",
            pl.Series("hash", hashes, pl.String),
        )
        try:
            with registered(con, "new_events", rows):
                con.execute("INSERT INTO events SELECT * FROM new_events")
        except duckdb.ConstraintException as exc:
            raise ConcurrencyError(f"concurrent append conflicted: {exc}") from None
        return AppendResult(batch.height, skipped, last_seq + 1, last_seq + batch.height)

    def _existing_ids(self, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> pl.DataFrame:
        with registered(con, "batch_ids", batch.select("event_id")):
            return _frame(con.execute(
                "SELECT e.event_id FROM events e JOIN batch_ids USING (event_id)"))

    def _check_versions(self, con: duckdb.DuckDBPyConnection, batch: pl.DataFrame) -> None:
        with registered(con, "batch_streams", batch.select(pl.col("stream_id").unique())):
            current = _frame(con.execute(
                "SELECT stream_id, max(version)::INTEGER AS current FROM events "
                "WHERE stream_id IN (SELECT stream_id FROM batch_streams) GROUP BY stream_id"))
        joined = batch.select("stream_id", "version").with_row_index("_i").join(
            current, on="stream_id", how="left", maintain_order="left")
        # Each stream once in the batch (an import): it must be one past its current version.
        # Several events of one stream must follow each other without gaps.
        step = (pl.lit(1) if batch["stream_id"].is_unique().all()
                else pl.int_range(1, pl.len() + 1).over("stream_id", order_by="_i"))
        expected = joined.with_columns(
            (pl.col("current").fill_null(0) + step).alias("expected")
        ).filter(pl.col("version") != pl.col("expected"))
        if expected.height:
            bad = expected.row(0, named=True)
            raise ConcurrencyError(
                f"stream {bad['stream_id']} is at version {bad['expected'] - 1}, "
                f"not {bad['version'] - 1}: another writer got there first; nothing was written")

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Hold the write lock and run one DuckDB transaction (for projections in this file)."""
        with self._lock, self._transaction() as con:
            yield con

    @contextmanager
    def _transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = self._con
        # Every write passes here, so the WAL DuckDB creates on a commit is private too.
        with _private_files():
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # -- reading ---------------------------------------------------------------------------
    def max_seq(self) -> int:
        with self._lock:
            row = self._con.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
        return int(row[0]) if row else 0

    def events_frame(self, *, after_seq: int = 0, types: Sequence[str] | None = None,
                     subject: str | None = None, stream_id: str | None = None,
                     streams: Sequence[str] | None = None, subjects: Sequence[str] | None = None,
                     until: datetime | None = None) -> pl.DataFrame:
        """Events as a Polars frame, payload as JSON text (not upcast), in sequence order.

        ``until`` keeps events recorded up to then; ``streams`` keeps only those streams.
        """
        where: list[str] = ["seq > ?"]
        params: list[object] = [after_seq]
        if types is not None:
            where.append("list_contains(?, event_type)")
            params.append(list(types))
        if subject is not None:
            where.append("subject = ?")
            params.append(subject)
        if subjects is not None:
            where.append("list_contains(?, subject)")
            params.append(list(subjects))
        if stream_id is not None:
            where.append("stream_id = ?")
            params.append(stream_id)
        if until is not None:
            where.append("recorded_at <= ?")
            params.append(until)
        if streams is not None:
            where.append("stream_id IN (SELECT stream_id FROM wanted_streams)")
        sql = (
            "SELECT seq, event_id, stream_id, version, event_type, schema_version, subject, "
            "occurred_at, recorded_at, payload FROM events WHERE " + " AND ".join(where)
            + " ORDER BY seq"
        )
        wanted = pl.DataFrame({"stream_id": list(streams or [])}, schema={"stream_id": pl.String})
        with self._lock, registered(self._con, "wanted_streams", wanted):
            if streams is not None and len(streams) <= _SEQ_LOOKUP:
                # A few streams: find their events' seqs first (the narrow stream_id column),
                # then read those rows through the seq index, not every payload of the log.
                found = self._con.execute(sql.replace(
                    "SELECT seq, event_id, stream_id, version, event_type, schema_version, "
                    "subject, occurred_at, recorded_at, payload", "SELECT seq"), params).fetchall()
                seqs = ", ".join(str(int(row[0])) for row in found) or "NULL"
                sql, params = sql.split(" WHERE ")[0] + f" WHERE seq IN ({seqs}) ORDER BY seq", []
            return _frame(self._con.execute(sql, params))

    def query(self, sql: str, params: Sequence[object] = ()) -> pl.DataFrame:
        """Run a read query against the store file (events and projections) as a frame."""
        with self._lock:
            return _frame(self._con.execute(sql, list(params)))

    def write_table(self, con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
        """Insert a frame into a projection table, inside a ``transaction()``."""
        with registered(con, "incoming_rows", frame):
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")

    def select_events(self, **filters: Any) -> list[StoredEvent]:
        """Events as objects with upcast payloads (same filters as ``events_frame``)."""
        return [
            StoredEvent(
                seq=r["seq"], event_id=r["event_id"], stream_id=r["stream_id"],
                version=r["version"], event_type=r["event_type"],
                schema_version=r["schema_version"], subject=r["subject"],
                occurred_at=r["occurred_at"], recorded_at=r["recorded_at"],
                payload=upcast(r["event_type"], r["schema_version"], json.loads(r["payload"])),
            )
            for r in self.events_frame(**filters).iter_rows(named=True)
        ]

    def stream_heads(self, stream_ids: pl.Series) -> pl.DataFrame:
        """For each given stream that exists: its version, last event type and payload digest."""
        streams = pl.DataFrame({"stream_id": stream_ids.unique()})
        with self._lock, registered(self._con, "streams", streams):
            return _frame(self._con.execute(
                "SELECT stream_id, max(version)::INTEGER AS version, "
                "arg_max(event_type, version) AS last_type, "
                "arg_max(payload_digest, version) FILTER (WHERE event_type IN "
                "('EntryRecorded', 'EntryAmended')) AS content_digest, "
                "bool_or(event_type = 'EntryForgotten') AS forgotten "
                "FROM events WHERE stream_id IN (SELECT stream_id FROM streams) "
                "GROUP BY stream_id"))

    # -- integrity -------------------------------------------------------------------------
    def verify(self) -> VerifyResult:
        """Recompute the chain, and each payload's digest unless its text was forgotten."""
        with self._lock:
            dup = self._con.execute(
                "SELECT min(seq) FROM (SELECT seq, count(*) OVER (PARTITION BY event_id) AS n1, "
                "count(*) OVER (PARTITION BY stream_id, version) AS n2 FROM events) "
                "WHERE n1 > 1 OR n2 > 1").fetchone()
            if dup and dup[0] is not None:
                return VerifyResult(False, 0, int(dup[0]), "an event id or stream position is used twice")
            cur = self._con.execute(
                "SELECT seq, event_id, stream_id, version, event_type, payload, payload_digest, "
                "epoch_us(recorded_at) AS rec_us, hash, "
                "stream_id IN (SELECT stream_id FROM events WHERE event_type = 'EntryForgotten') "
                "AS forgotten FROM events ORDER BY seq")
            prev, expected_seq, checked = GENESIS, 1, 0
            while chunk := cur.fetchmany(10_000):
                for seq, eid, stream, version, etype, payload, digest, rec_us, stored, forgotten in chunk:
                    if seq != expected_seq:
                        return VerifyResult(False, checked, seq,
                                            f"sequence jumps from {expected_seq - 1} to {seq}")
                    if eid != event_id(stream, version, etype, digest):
                        return VerifyResult(False, checked, seq, "event id does not match its contents")
                    if not forgotten and payload_digest(payload) != digest:
                        return VerifyResult(False, checked, seq, "payload was altered")
                    prev = chain_hash(prev, seq, eid, digest, str(rec_us))
                    if prev != stored:
                        return VerifyResult(False, checked, seq, "hash chain broken")
                    expected_seq += 1
                    checked += 1
        return VerifyResult(True, checked)

    # -- forgetting ------------------------------------------------------------------------
    def forget(self, entry: str, *, fields: Sequence[str] = ("text", "title"),
               text_tables: Sequence[tuple[str, str]] = ()) -> int:
        """Erase an entry's text from every event that holds it, record that, and rewrite
        the file so the old bytes are gone. ``text_tables`` lists (table, entry-id column) of
        projections holding copies of the text; their rows for the entry are deleted.

        Returns the number of events erased.
        """
        stream = entry_stream(entry)
        # Erasing, recording the erasure and dropping the projections' copies commit together:
        # erased payloads without EntryForgotten would fail ``verify``, and quotes left in a
        # projection would outlive the text. Only the committed state is compacted.
        with self._lock:
            with self._transaction() as con:
                heads = self.stream_heads(pl.Series([stream]))
                if heads.is_empty():
                    raise UnknownEntryError(f"no entry with id {entry}")
                head = heads.row(0, named=True)
                rows = con.execute(
                    "SELECT seq, payload, subject FROM events "
                    "WHERE stream_id = ? AND list_contains(?, event_type)",
                    [stream, list(ENTRY_EVENTS)]).fetchall()
                erased = []
                for seq, payload, _ in rows:
                    data = json.loads(payload)
                    data.update({f: None for f in fields})
                    data["forgotten"] = True
                    erased.append((canonical_json(data), seq))
                con.executemany("UPDATE events SET payload = ? WHERE seq = ?", erased)
                existing = {r[0] for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
                ).fetchall()}
                for table, column in text_tables:
                    if table in existing:
                        con.execute(f"DELETE FROM {table} WHERE {column} = ?", [entry])
                if not head["forgotten"]:
                    subject = str(rows[0][2]) if rows else self._subject_of(con, stream)
                    event = NewEvent(
                        stream_id=stream, version=int(head["version"]) + 1,
                        event_type="EntryForgotten", subject=subject,
                        payload={"entry_id": entry, "fields": list(fields),
                                 "at": datetime.now(UTC).isoformat()})
                    self._append_batch(con, self._prepare(self._event_frame([event])), 1)
                if self.path is not None:
                    con.execute("INSERT OR REPLACE INTO store_meta VALUES (?, '1')",
                                [_COMPACT_PENDING])
            self._compact(self._con)
        return len(erased)

    @staticmethod
    def _subject_of(con: duckdb.DuckDBPyConnection, stream: str) -> str:
        row = con.execute("SELECT subject FROM events WHERE stream_id = ? LIMIT 1",
                          [stream]).fetchone()
        return str(row[0]) if row else ""

    def _compact(self, con: duckdb.DuckDBPyConnection) -> None:
        """Rewrite the store into a fresh file: DuckDB can leave erased values in free blocks.

        A crash before the rename leaves the old file, still marked as pending; after it,
        the new one, which is complete."""
        if self.path is None:
            return
        fresh = self.path.with_name(self.path.name + ".compact")
        for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
            leftover.unlink(missing_ok=True)
        with _private_files():
            con.execute("CHECKPOINT")
            self._attach(con, fresh, "compacted")
            try:
                con.execute(f"COPY FROM DATABASE {_ALIAS} TO compacted")
                con.execute("DELETE FROM compacted.store_meta WHERE key = ?", [_COMPACT_PENDING])
            finally:
                con.execute("USE memory")
                con.execute("DETACH compacted")
            os.chmod(fresh, 0o600)  # replaces the store: private, and writable by its owner
            con.execute(f"DETACH {_ALIAS}")
            os.replace(fresh, self.path)
            self._attach(con, self.path, _ALIAS)
            con.execute(f"USE {_ALIAS}")


class _PrivateFiles:
    """Owner-only permissions (0600, directories 0700) for files created meanwhile: the store
    on creation, its WAL, the compacted copy, DuckDB's spill files. The umask is process-wide,
    so overlapping uses (threads, nesting) share one saved value and the last one restores it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._saved = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._saved = os.umask(0o077)
                os.umask(self._saved | 0o077)
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0:
                    os.umask(self._saved)


_private_files = _PrivateFiles()


def _frame(result: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    frame = pl.from_arrow(result.to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


# Up to this many streams, their events are read by seq (see ``events_frame``).
_SEQ_LOOKUP = 5_000


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, *,
               views: bool = True) -> Iterator[None]:
    """Expose a Polars frame to SQL under ``name`` (via Arrow, no copy row by row).

    ``views=False`` for frames a query filters on: DuckDB pushes such filters into the
    Arrow scan, and Arrow has no ``is_in`` for string views."""
    # String views pass to DuckDB without copying; the default Arrow export copies every string.
    level = pl.CompatLevel.newest() if views else pl.CompatLevel.oldest()
    con.register(name, frame.to_arrow(compat_level=level))
    try:
        yield
    finally:
        con.unregister(name)


def _epoch_us(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)
