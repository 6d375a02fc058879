"""The compiled lexicon kept on disk, so that a run starts without expanding ~30,000 patterns.

Compiling the packaged word lists takes ~0.2 s, a tenth of ``patternlens analyze`` on a
1,000-entry journal; reading the compiled copy takes ~0.01 s. Only the packaged word lists go
in it, never anything from a journal (learned names are added to the patterns per run, in
memory). The folder is ``PATTERNLENS_CACHE_DIR``, else ``$XDG_CACHE_HOME/patternlens``, else
``~/.cache/patternlens``. A copy is named by the lexicon's version and a hash of the code
that compiles it and of Polars' version, so a changed word list, compiler or Polars never
reads a stale one; the last few copies written are kept, older ones deleted. A copy that
cannot be read or written is passed over: the lexicon is compiled in memory, as without
the cache.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from patternlens.extract import lexicon as lexicon_module
from patternlens.extract.lexicon import Lexicon

KEEP = 3  # compiled copies kept in the cache folder
_FRAMES = {f.name for f in dataclasses.fields(Lexicon) if f.type == "pl.DataFrame"}
_SETS = {f.name for f in dataclasses.fields(Lexicon) if str(f.type).startswith("frozenset")}


def cache_dir() -> Path:
    if configured := os.environ.get("PATTERNLENS_CACHE_DIR"):
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "patternlens"


def _key() -> str:
    h = hashlib.sha256(Path(lexicon_module.__file__).read_bytes())
    h.update(pl.__version__.encode())
    return f"{lexicon_module.lexicon_version()}-{h.hexdigest()[:12]}"


def _read(folder: Path) -> Lexicon:
    fields = json.loads((folder / "fields.json").read_text(encoding="utf-8"))
    for name in _SETS:
        fields[name] = frozenset(fields[name])
    for name in _FRAMES:
        fields[name] = pl.read_ipc((folder / f"{name}.arrow").read_bytes())
    return Lexicon(**fields)


def _write(folder: Path, lex: Lexicon) -> None:
    """Write into a new folder beside ``folder``, then rename it: a reader sees a whole copy
    or none, and of two runs writing at once one rename wins."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexicon-", dir=folder.parent))
    except OSError:
        return
    try:
        plain: dict[str, Any] = {}
        for f in dataclasses.fields(lex):
            value = getattr(lex, f.name)
            if f.name in _FRAMES:
                value.write_ipc(tmp / f"{f.name}.arrow")
            else:
                plain[f.name] = sorted(value) if f.name in _SETS else value
        (tmp / "fields.json").write_text(json.dumps(plain), encoding="utf-8")
        tmp.rename(folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    _prune(folder.parent)


def _prune(parent: Path) -> None:
    """Keep the KEEP copies written last: an upgrade leaves no stale copy behind for long, and
    two installed versions used in turn do not compile again at every run."""
    try:
        copies = sorted(parent.glob("lexicon-*"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return
    for old in copies[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def load(build: Callable[[], Lexicon]) -> Lexicon:
    """The compiled copy for this lexicon and code, else ``build()`` (kept for the next run)."""
    try:
        folder = cache_dir() / f"lexicon-{_key()}"
    except OSError:  # no home folder, an unreadable source: compile without the cache
        return build()
    try:
        lex = _read(folder)
        if lex.version == lexicon_module.lexicon_version():
            return lex
    except (OSError, ValueError, TypeError, KeyError, pl.exceptions.PolarsError):
        pass  # missing, partly written by hand or damaged: compile again
    lex = build()
    if folder.exists():  # a damaged copy: make room for a whole one
        shutil.rmtree(folder, ignore_errors=True)
    _write(folder, lex)
    return lex
