"""The current entries: the log folded into one row per entry (latest version, not retracted)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime

import polars as pl

from patternlens.ingest.model import ENTRY_SCHEMA
from patternlens.store.events import SCHEMA_VERSIONS, canonical_json, entry_stream, upcast
from patternlens.store.log import EventLog
from patternlens.timezones import with_local_date

_PAYLOAD_DTYPE = pl.Struct({
    "entry_id": pl.String, **{k: (pl.String if k == "occurred_at" else v) for k, v in ENTRY_SCHEMA.items()},
    "forgotten": pl.Boolean,
})

ENTRY_COLUMNS = ["entry_id", *ENTRY_SCHEMA, "forgotten", "version", "recorded_at", "seq"]


def current_entries(log: EventLog, *, subject: str | None = None,
                    as_of: date | None = None,
                    entry_ids: Sequence[str] | None = None,
                    subjects: Sequence[str] | None = None,
                    events: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per live entry, oldest first: ENTRY_SCHEMA columns plus entry_id, version
    (how many times it was recorded or amended), recorded_at and seq of its latest event.

    ``as_of`` keeps the entries written up to then (journal time: a journal imported in
    bulk today still answers for last March), each in its latest version: up to an instant
    for a ``datetime``, through the end of the day in the entry's own zone for a ``date``. ``entry_ids``
    reads only those entries. ``events``, with ``entry_ids``: events already read that hold
    the latest event of each of those entries (those after a checkpoint, for the entries
    they touch), folded instead of reading the log again.
    """
    streams = None if entry_ids is None else [entry_stream(e) for e in entry_ids]
    kinds = ("EntryRecorded", "EntryAmended", "EntryRetracted")
    if events is not None and streams is not None:
        events = events.filter(pl.col("event_type").is_in(kinds),
                               pl.col("stream_id").is_in(pl.Series(streams, dtype=pl.String).implode()))
    else:
        events = log.events_frame(types=kinds, subject=subject, streams=streams, subjects=subjects)
    latest = (
        events.sort("seq")
        .group_by("stream_id", maintain_order=True).last()
        .filter(pl.col("event_type") != "EntryRetracted")
    )
    latest = _upcast_old(latest)
    decoded = latest.with_columns(pl.col("payload").str.json_decode(_PAYLOAD_DTYPE)).select(
        pl.col("payload").struct.unnest(), "version", "recorded_at", "seq")
    decoded = decoded.with_columns(
        pl.col("occurred_at").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_zone="UTC",
                                              time_unit="us"),
        pl.col("forgotten").fill_null(False),
    )
    if isinstance(as_of, datetime):
        decoded = decoded.filter(pl.col("occurred_at") <= as_of)
    elif as_of is not None:  # a day: through its end in each entry's own time zone
        decoded = with_local_date(decoded, name="_day").filter(pl.col("_day") <= as_of).drop("_day")
    return decoded.select(ENTRY_COLUMNS).sort("occurred_at", "entry_id", maintain_order=True)


def _upcast_old(events: pl.DataFrame) -> pl.DataFrame:
    """Rewrite (in memory only) payloads stored under an older schema version."""
    current = pl.col("event_type").replace_strict(SCHEMA_VERSIONS, default=None)
    old = events.filter(pl.col("schema_version") < current)
    if old.is_empty():
        return events
    upcast_payloads = [
        canonical_json(upcast(t, v, json.loads(p)))
        for t, v, p in old.select("event_type", "schema_version", "payload").iter_rows()
    ]
    fixed = old.with_columns(pl.Series("payload", upcast_payloads, pl.String))
    return pl.concat([events.filter(pl.col("schema_version") >= current), fixed]).sort("seq")
