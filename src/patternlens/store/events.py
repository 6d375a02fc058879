"""Event types, their schema versions and upcasters, and the deterministic ids and hashes.

An event's id is derived from where it goes and what it says (stream, version, type and a
digest of the payload), so appending the same event twice is recognised and adds nothing,
while a different event aimed at a taken stream position is a concurrency conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import polars as pl

# Current schema version of each event type. An older stored version is upcast on read.
SCHEMA_VERSIONS: dict[str, int] = {
    "EntryRecorded": 2,
    "EntryAmended": 2,
    "EntryRetracted": 1,
    "EntryForgotten": 1,
    "PersonDeclared": 1,
    "ImportCompleted": 1,
    "SessionRated": 1,
    "FindingDismissed": 1,
}
ENTRY_EVENTS = ("EntryRecorded", "EntryAmended")

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


def _entry_v1_to_v2(payload: Payload) -> Payload:
    # v1 (the first draft of the format) kept tags as one comma-separated string and had
    # neither mood_level nor meta.
    out = dict(payload)
    tags = out.get("tags")
    if isinstance(tags, str):
        out["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
    out.setdefault("mood_level", None)
    out.setdefault("meta", "{}")
    return out


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("EntryRecorded", 1): _entry_v1_to_v2,
    ("EntryAmended", 1): _entry_v1_to_v2,
}


def upcast(event_type: str, schema_version: int, payload: Payload) -> Payload:
    """Read an old payload as the current version, one step at a time."""
    current = SCHEMA_VERSIONS.get(event_type, schema_version)
    while schema_version < current:
        payload = UPCASTERS[(event_type, schema_version)](payload)
        schema_version += 1
    return payload


@dataclass(frozen=True)
class NewEvent:
    """An event to append. ``version`` is the stream position it must take (1 for a new stream)."""

    stream_id: str
    version: int
    event_type: str
    subject: str
    payload: Payload
    occurred_at: datetime | None = None

    def payload_json(self) -> str:
        return canonical_json(self.payload)


@dataclass(frozen=True)
class StoredEvent:
    """An event as read back from the log (payload already upcast)."""

    seq: int
    event_id: str
    stream_id: str
    version: int
    event_type: str
    schema_version: int
    subject: str
    occurred_at: datetime | None
    recorded_at: datetime
    payload: Payload


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def payload_digest(payload_json: str) -> str:
    return hashlib.sha256(payload_json.encode()).hexdigest()


def event_id(stream_id: str, version: int, event_type: str, digest: str) -> str:
    return hashlib.sha256(f"{stream_id}\x1f{version}\x1f{event_type}\x1f{digest}".encode()).hexdigest()[:32]


def chain_hash(prev_hash: str, seq: int, eid: str, digest: str, recorded_at: str) -> str:
    """Link one event to the previous. Chains the payload digest, never the text, so that
    ``forget`` can erase text without breaking ``verify``. The event id already covers the
    stream, version, type and digest."""
    return hashlib.sha256(f"{prev_hash}\x1f{seq}\x1f{eid}\x1f{digest}\x1f{recorded_at}".encode()).hexdigest()


def chain_hashes(prev: str, last_seq: int, ids: list[str], digests: list[str], rec_us: int
                 ) -> list[str]:
    """``chain_hash`` over a batch appended after ``last_seq`` (the loop is the hot path of
    a large import, so the hash is inlined)."""
    out = []
    sha, rec = hashlib.sha256, str(rec_us)
    for seq, (eid, digest) in enumerate(zip(ids, digests, strict=True), start=last_seq + 1):
        prev = sha(f"{prev}\x1f{seq}\x1f{eid}\x1f{digest}\x1f{rec}".encode()).hexdigest()
        out.append(prev)
    return out


GENESIS = "0" * 64


def entry_id(subject: str, source: str, source_ref: str) -> str:
    """Stable id of a journal entry: the same record of the same export always maps here."""
    return hashlib.sha256(f"{subject}\x1f{source}\x1f{source_ref}".encode()).hexdigest()[:16]


# The same ids for whole frames: the key strings are built by Polars, only hashing loops.
def entry_ids(frame: pl.DataFrame) -> list[str]:
    keys = frame.select(pl.concat_str("subject", "source", "source_ref", separator="\x1f"))
    return [hashlib.sha256(k.encode()).hexdigest()[:16] for k in keys.to_series()]


def event_ids(frame: pl.DataFrame) -> list[str]:
    """``event_id`` for each row of a frame with stream_id, version, event_type, payload_digest."""
    keys = frame.select(pl.concat_str("stream_id", pl.col("version").cast(pl.String), "event_type",
                                      "payload_digest", separator="\x1f"))
    return [hashlib.sha256(k.encode()).hexdigest()[:32] for k in keys.to_series()]


def payload_digests(payloads: pl.Series) -> list[str]:
    return [hashlib.sha256(p.encode()).hexdigest() for p in payloads]


def entry_stream(eid: str) -> str:
    return f"entry-{eid}"


def person_name_key(name: str) -> str:
    """A declared name as compared: case and runs of whitespace do not matter."""
    return " ".join(name.split()).lower()


def person_stream(subject: str, name: str) -> str:
    """The stream of one writer's declarations about one person. Hashed with a separator
    that cannot occur in either part, so no two (writer, name) pairs share a stream: the
    readable ``person-{subject}-{slug}`` ids of older stores collided ("a-b" + "c" and
    "a" + "b c"). The name itself is in each event's payload."""
    key = f"{subject}\0{person_name_key(name)}".encode()
    return "person-" + hashlib.sha256(key).hexdigest()[:16]
