"""Recording an import: compare accepted entries with the log, append what is new or edited.

Everything one import writes (its entries and its ImportCompleted event) goes into one
append, which is one transaction: a crash leaves all of it or none of it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from patternlens.ingest.model import ENTRY_SCHEMA, FILE_META, Problem
from patternlens.store.events import (
    ENTRY_EVENTS,
    canonical_json,
    entry_ids,
    payload_digest,
    payload_digests,
)
from patternlens.store.log import AppendResult, EventLog

ISO_UTC = "%Y-%m-%dT%H:%M:%S%.6fZ"
# Payload fields of EntryRecorded / EntryAmended (schema version 2), in stored order.
ENTRY_PAYLOAD = ["entry_id", *ENTRY_SCHEMA]
PROBLEMS_KEPT = 200  # per ImportCompleted event; the CLI shows the full list at import time


@dataclass
class ImportSummary:
    """What one import did. ``problems`` lists every record left out, with file and position."""

    added: int = 0
    amended: int = 0
    unchanged: int = 0
    kept_out: int = 0  # entries the writer retracted or asked to forget: not brought back
    problems: list[Problem] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    first_seq: int | None = None
    last_seq: int | None = None
    subjects: list[str] = field(default_factory=list)  # whose entries the export holds

    @property
    def rejected(self) -> int:
        return len(self.problems)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.amended)


def entry_payloads(accepted: pl.DataFrame) -> pl.DataFrame:
    """Add entry_id, stream_id, payload (JSON) and payload_digest to accepted entries."""
    with_ids = accepted.with_columns(pl.Series("entry_id", entry_ids(accepted), pl.String))
    payload = pl.struct(
        [pl.col("occurred_at").dt.to_string(ISO_UTC) if c == "occurred_at" else pl.col(c)
         for c in ENTRY_PAYLOAD]
    ).struct.json_encode()
    framed = with_ids.with_columns(
        payload.alias("payload"),
        pl.concat_str(pl.lit("entry-"), pl.col("entry_id")).alias("stream_id"),
    )
    return framed.with_columns(
        pl.Series("payload_digest", payload_digests(framed["payload"]), pl.String))


def record_entries(log: EventLog, accepted: pl.DataFrame, problems: Sequence[Problem], *,
                   subject: str, sources: Sequence[str], formats: Sequence[str]) -> ImportSummary:
    """Append EntryRecorded / EntryAmended events for new and edited entries, and an
    ImportCompleted event when anything changed; all in one transaction."""
    summary = ImportSummary(problems=list(problems), formats=sorted(formats))
    if accepted.is_empty():
        return summary
    summary.subjects = sorted(accepted["subject"].unique().to_list())
    entries = entry_payloads(accepted)
    heads = log.stream_heads(entries["stream_id"])
    joined = entries.join(heads, on="stream_id", how="left", maintain_order="left")
    status = (
        pl.when(pl.col("version").is_null()).then(pl.lit("new"))
        .when(pl.col("forgotten") | (pl.col("last_type") == "EntryRetracted")).then(pl.lit("kept_out"))
        .when(pl.col("content_digest") == pl.col("payload_digest")).then(pl.lit("unchanged"))
        .otherwise(pl.lit("amended"))
    )
    joined = _renamed_is_unchanged(log, joined.with_columns(status.alias("status")))
    counts = dict(joined.group_by("status").len().iter_rows())
    summary.added = counts.get("new", 0)
    summary.amended = counts.get("amended", 0)
    summary.unchanged = counts.get("unchanged", 0)
    summary.kept_out = counts.get("kept_out", 0)
    if not summary.changed:
        return summary

    events = joined.filter(pl.col("status").is_in(["new", "amended"])).select(
        "stream_id",
        (pl.col("version").fill_null(0) + 1).cast(pl.Int64).alias("version"),
        pl.when(pl.col("status") == "new").then(pl.lit("EntryRecorded"))
        .otherwise(pl.lit("EntryAmended")).alias("event_type"),
        "subject", "occurred_at", "payload", "payload_digest",
    )
    done = _import_completed(log, summary, subject=subject, sources=sources)
    result: AppendResult = log.append_frame(pl.concat([events, done], how="vertical"))
    summary.first_seq, summary.last_seq = result.first_seq, result.last_seq
    return summary


def _renamed_is_unchanged(log: EventLog, joined: pl.DataFrame) -> pl.DataFrame:
    """An entry whose stored version differs only in what its importer took from the
    export's file name (``FILE_META``) is unchanged: the export was renamed, not edited.

    The stored digest covers the whole payload (``verify`` checks it), so such entries
    are told apart by comparing payloads, read only for entries whose digest differs.
    """
    suspects = joined.filter((pl.col("status") == "amended")
                             & pl.col("source").is_in(list(FILE_META)))
    if suspects.is_empty():
        return joined
    stored = log.events_frame(types=ENTRY_EVENTS, streams=suspects["stream_id"].to_list())
    latest = stored.group_by("stream_id").agg(pl.col("payload").sort_by("seq").last().alias("stored"))
    pairs = suspects.select("stream_id", "payload").join(latest, on="stream_id")
    renamed = pl.Series([stream for stream, new, old in pairs.iter_rows()
                         if _content(new) == _content(old)], dtype=pl.String)
    if renamed.is_empty():
        return joined
    return joined.with_columns(
        pl.when(pl.col("stream_id").is_in(renamed.implode())).then(pl.lit("unchanged"))
        .otherwise(pl.col("status")).alias("status"))


def _content(payload: str) -> dict[str, Any]:
    """An entry payload without the meta keys its format takes from the file name."""
    record: dict[str, Any] = json.loads(payload)
    dropped = FILE_META.get(record.get("source") or "", frozenset())
    try:
        meta = json.loads(record.get("meta") or "{}")
    except ValueError:
        return record
    if isinstance(meta, dict):
        record["meta"] = {k: v for k, v in meta.items() if k not in dropped}
    return record


def _import_completed(log: EventLog, summary: ImportSummary, *, subject: str,
                      sources: Sequence[str]) -> pl.DataFrame:
    stream = f"imports-{subject}"
    heads = log.stream_heads(pl.Series([stream]))
    version = int(heads["version"][0]) + 1 if heads.height else 1
    payload = canonical_json({
        "sources": list(sources),
        "formats": summary.formats,
        "added": summary.added,
        "amended": summary.amended,
        "unchanged": summary.unchanged,
        "kept_out": summary.kept_out,
        "rejected": summary.rejected,
        "problems": [str(p) for p in summary.problems[:PROBLEMS_KEPT]],
    })
    return pl.DataFrame(
        {"stream_id": [stream], "version": [version], "event_type": ["ImportCompleted"],
         "subject": [subject], "occurred_at": [None], "payload": [payload],
         "payload_digest": [payload_digest(payload)]},
        schema={"stream_id": pl.String, "version": pl.Int64, "event_type": pl.String,
                "subject": pl.String, "occurred_at": pl.Datetime("us", "UTC"),
                "payload": pl.String, "payload_digest": pl.String},
    )
