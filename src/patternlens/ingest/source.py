"""One file's bytes as handed to a format reader, wherever it came from (disk, zip, folder)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from patternlens.ingest.model import Parsed

HEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class Source:
    """A file to read. ``file`` names it in messages; ``name`` is its stable relative name.

    ``name`` is what record references are built from (``2024/03-01.md``, ``Journal.json``),
    so that the same export imported from another folder or out of a zip gets the same ids.
    """

    file: str
    name: str
    data: bytes

    @property
    def head(self) -> bytes:
        return self.data[:HEAD_BYTES]

    @property
    def suffix(self) -> str:
        dot = self.name.rfind(".")
        return self.name[dot:].lower() if dot > self.name.rfind("/") else ""


class Format(Protocol):
    """What every module in ``ingest/`` that reads one export format provides."""

    NAME: str

    def sniff(self, src: Source) -> bool:
        """True when ``src`` is this format (judged from its name and first bytes)."""
        ...

    def read(self, src: Source, subject: str) -> Parsed:
        """Split ``src`` into raw entries and problems. Never raises on bad content."""
        ...
