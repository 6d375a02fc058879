"""patternlens: see your own relationship patterns in your journal.

    import patternlens
    lens = patternlens.open("patternlens.duckdb")
    lens.entries()
"""

from patternlens.errors import (
    BadInputError,
    ConcurrencyError,
    IntegrityError,
    PatternlensError,
    StoreError,
    StoreInUseError,
    UnknownEntryError,
    WrongKeyError,
)
from patternlens.ingest.model import Problem
from patternlens.lens import Lens, open
from patternlens.store.events import NewEvent, StoredEvent
from patternlens.store.log import AppendResult, EventLog, VerifyResult
from patternlens.store.record import ImportSummary

__version__ = "0.1.0"

__all__ = [
    "AppendResult",
    "BadInputError",
    "ConcurrencyError",
    "EventLog",
    "ImportSummary",
    "IntegrityError",
    "Lens",
    "NewEvent",
    "PatternlensError",
    "Problem",
    "StoreError",
    "StoreInUseError",
    "StoredEvent",
    "UnknownEntryError",
    "VerifyResult",
    "WrongKeyError",
    "__version__",
    "open",
]
