"""patternlens's own exceptions. The CLI turns each into one line and an exit code."""

from __future__ import annotations


class PatternlensError(Exception):
    """Base class: anything patternlens reports to a user without a traceback."""

    exit_code = 1


class BadInputError(PatternlensError):
    """An export could not be read at all (not a single record in it was usable)."""

    exit_code = 2


class StoreError(PatternlensError):
    """The event store cannot be opened or used."""


class StoreInUseError(StoreError):
    """Another process holds the store's write lock."""

    exit_code = 3

    def __init__(self, path: str, pid: int | None) -> None:
        who = f"process {pid}" if pid is not None else "another process"
        super().__init__(f"store is in use by {who}: {path}")
        self.path = path
        self.pid = pid


class WrongKeyError(StoreError):
    """The store is encrypted and the key given does not open it (or none was given)."""


class ConcurrencyError(StoreError):
    """An append expected a stream version that is no longer current. Nothing was written."""


class IntegrityError(StoreError):
    """The hash chain or a payload digest does not match: the log was altered."""


class UnknownEntryError(PatternlensError):
    """No entry with that id is stored."""
