"""The Python API: one object over a store, the same calls the CLI makes.

    import patternlens
    lens = patternlens.open("patternlens.duckdb")
    lens.import_paths(["~/Downloads/Journal.json"])
    lens.entries()          # Polars DataFrame
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType

import polars as pl

from patternlens.errors import PatternlensError, UnknownEntryError
from patternlens.ingest.detect import read_path
from patternlens.ingest.model import Parsed
from patternlens.ingest.validate import validate
from patternlens.store.entries import current_entries
from patternlens.store.events import NewEvent, entry_stream
from patternlens.store.log import EventLog, VerifyResult
from patternlens.store.record import ImportSummary, record_entries

DEFAULT_STORE = "patternlens.duckdb"
DEFAULT_SUBJECT = "me"
ROLES = (
    "therapist", "mother", "father", "parent", "partner", "ex_partner", "sibling", "child",
    "other_family", "friend", "boss", "coworker", "teacher",
)


class Lens:
    """A journal store and everything patternlens can tell from it."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    # -- writing ---------------------------------------------------------------------------
    def import_paths(self, paths: Sequence[str | os.PathLike[str]], *,
                     subject: str = DEFAULT_SUBJECT) -> ImportSummary:
        """Import exports (files, zips, folders; formats autodetected) as one transaction."""
        parsed = Parsed.empty()
        for path in paths:
            parsed.extend(read_path(Path(path).expanduser(), subject))
        accepted, problems = validate(parsed)
        return record_entries(self.log, accepted, problems, subject=subject,
                              sources=[str(p) for p in paths], formats=sorted(parsed.formats))

    def declare_person(self, name: str, role: str, *, subject: str = DEFAULT_SUBJECT) -> bool:
        """Record that ``name`` is the writer's ``role`` (a taxonomy role id). Returns False
        when that was already the declared role."""
        if role not in ROLES:
            raise PatternlensError(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
        name = " ".join(name.split())
        if not name:
            raise PatternlensError("a person needs a name")
        stream = f"person-{subject}-{_slug(name)}"
        heads = self.log.stream_heads(pl.Series([stream]))
        version = int(heads["version"][0]) if heads.height else 0
        current = self.people(subject=subject).filter(pl.col("name").str.to_lowercase() == name.lower())
        if current.height and current["role"][0] == role:
            return False
        self.log.append([NewEvent(stream, version + 1, "PersonDeclared", subject,
                                  {"name": name, "role": role})])
        return True

    def retract(self, entry_id: str, reason: str | None = None) -> None:
        """Withdraw an entry from analysis. Its text stays in the log (use ``forget`` to erase)."""
        stream = entry_stream(entry_id)
        heads = self.log.stream_heads(pl.Series([stream]))
        if heads.is_empty():
            raise UnknownEntryError(f"no entry with id {entry_id}")
        if heads["last_type"][0] == "EntryRetracted":
            return
        self.log.append([NewEvent(stream, int(heads["version"][0]) + 1, "EntryRetracted",
                                  self._subject_of(stream), {"entry_id": entry_id, "reason": reason})])

    def _subject_of(self, stream: str) -> str:
        return str(self.log.events_frame(stream_id=stream)["subject"][0])

    def forget(self, entry_id: str) -> int:
        """Erase an entry's text everywhere it is stored; the erasure itself is recorded."""
        return self.log.forget(entry_id)

    # -- reading ---------------------------------------------------------------------------
    def entries(self, *, subject: str | None = None, as_of: datetime | None = None) -> pl.DataFrame:
        """The live entries, one row each, oldest first."""
        return current_entries(self.log, subject=subject, as_of=as_of)

    def people(self, *, subject: str | None = None) -> pl.DataFrame:
        """People the writer declared: subject, name, role (latest declaration wins)."""
        events = self.log.events_frame(types=("PersonDeclared",), subject=subject)
        schema = pl.Struct({"name": pl.String, "role": pl.String})
        return (
            events.sort("seq").group_by("stream_id", maintain_order=True).last()
            .select("subject", pl.col("payload").str.json_decode(schema).struct.unnest())
            .sort("subject", "name")
        )

    def events(self, **filters: object) -> pl.DataFrame:
        """The raw log (payload as JSON text), for auditing: see EventLog.events_frame."""
        return self.log.events_frame(**filters)  # type: ignore[arg-type]

    def verify(self) -> VerifyResult:
        return self.log.verify()

    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> Lens:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open(path: str | os.PathLike[str] | None = DEFAULT_STORE, *, key: str | None = None,
         create: bool = True) -> Lens:
    """Open (or create) a store. ``path=None`` keeps it in memory; ``key`` opens an encrypted one."""
    return Lens(EventLog(path, key=key, create=create))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "person"
