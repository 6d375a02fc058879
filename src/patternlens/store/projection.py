"""Checkpoints of projections kept in the store: how far each reflects the log, and with
which version of the code that builds it."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from patternlens.store.log import EventLog

_DDL = """
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name VARCHAR PRIMARY KEY, last_seq BIGINT NOT NULL, version VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""


@dataclass(frozen=True)
class Checkpoint:
    name: str
    last_seq: int
    version: str


def read_checkpoint(log: EventLog, name: str) -> Checkpoint | None:
    with log.transaction() as con:
        con.execute(_DDL)
        row = con.execute("SELECT last_seq, version FROM projection_checkpoints WHERE name = ?",
                          [name]).fetchone()
    return Checkpoint(name, int(row[0]), str(row[1])) if row else None


def write_checkpoint(con: duckdb.DuckDBPyConnection, checkpoint: Checkpoint) -> None:
    """Inside the same transaction as the projection rows it vouches for."""
    con.execute(_DDL)
    con.execute(
        "INSERT OR REPLACE INTO projection_checkpoints (name, last_seq, version, updated_at) "
        "VALUES (?, ?, ?, now())", [checkpoint.name, checkpoint.last_seq, checkpoint.version])
