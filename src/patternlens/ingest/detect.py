"""Autodetection: walk a path (file, zip or folder) and hand each file to its format reader."""

from __future__ import annotations

import lzma
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from patternlens.errors import BadInputError
from patternlens.ingest import daylio, dayone, generic, journey, markdown, plaintext
from patternlens.ingest.model import Parsed, Problem
from patternlens.ingest.source import Format, Source
from patternlens.ingest.text import is_binary

# Most specific first: a Day One or Journey JSON file is also JSON, a Daylio CSV also CSV.
FORMATS: tuple[Format, ...] = (dayone, journey, daylio, generic, markdown, plaintext)

# Attachments that travel inside exports (Day One photos, Journey media): not entries.
_MEDIA = {
    ".jpg", ".jpeg", ".png", ".gif", ".heic", ".webp", ".mp4", ".mov", ".m4a", ".mp3",
    ".wav", ".pdf", ".caf", ".aac",
}
# Files a journal app leaves in a vault that are not entries.
_SKIP_NAMES = {"desktop.ini", "thumbs.db"}
# A folder's own documentation (an export's or a sample's README) is not a journal entry.
_DOC_STEMS = {"readme", "license", "licence", "changelog"}
_MAX_FILE_BYTES = 512 * 1024 * 1024


def read_path(path: Path, subject: str) -> Parsed:
    """Read every entry under ``path``. Raises BadInputError only if ``path`` is unusable."""
    if not path.exists():
        raise BadInputError(f"{path}: no such file or folder")
    problems: list[Problem] = []
    # Concatenate once at the end: a vault of thousands of notes would otherwise copy the
    # growing frame once per note.
    parts = [read_source(src, subject) for src in _sources(path, problems)]
    return Parsed(
        entries=pl.concat([Parsed.empty().entries, *(p.entries for p in parts)], how="vertical"),
        problems=problems + [pr for p in parts for pr in p.problems],
        formats={f for p in parts for f in p.formats},
    )


def read_source(src: Source, subject: str) -> Parsed:
    """Read one file's bytes with the first format that recognises it."""
    if not src.data or src.data.isspace():  # isspace scans; strip() would copy the file
        return Parsed(Parsed.empty().entries, [Problem(src.file, "whole file", "the file is empty")])
    if is_binary(src.head):
        return Parsed(
            Parsed.empty().entries,
            [Problem(src.file, "whole file", "binary data, not a journal export")],
        )
    for fmt in FORMATS:
        if fmt.sniff(src):
            parsed = fmt.read(src, subject)
            parsed.formats.add(fmt.NAME)
            return parsed
    return Parsed(
        Parsed.empty().entries,
        [Problem(src.file, "whole file", "not a journal export patternlens knows "
                 "(Day One, Daylio, Obsidian/Markdown, Journey, JSONL, CSV or dated text)")],
    )


def _sources(path: Path, problems: list[Problem]) -> Iterator[Source]:
    if path.is_dir():
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path)
            if any(part.startswith(".") for part in rel.parts) or _skipped(rel.name):
                continue
            yield from _file_sources(file, rel.as_posix(), problems)
    else:
        yield from _file_sources(path, path.name, problems)


def _file_sources(file: Path, name: str, problems: list[Problem]) -> Iterator[Source]:
    try:
        size = file.stat().st_size
        if size > _MAX_FILE_BYTES:
            problems.append(Problem(str(file), "whole file",
                                    f"{size / 2**20:.0f} MB is too large for a journal export"))
            return
        if zipfile.is_zipfile(file):
            yield from _zip_sources(file, problems)
            return
        data = file.read_bytes()
        if data.startswith(b"PK\x03\x04"):  # a zip without its end: a download cut short
            problems.append(Problem(str(file), "whole file", _CUT_SHORT_ZIP))
            return
        yield Source(file=str(file), name=name, data=data)
    except OSError as exc:
        problems.append(Problem(str(file), "whole file", f"cannot be read ({exc.strerror})"))


def _zip_sources(file: Path, problems: list[Problem]) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(file)
    except _ZIP_ERRORS as exc:
        problems.append(Problem(str(file), "whole file", _unopenable(exc)))
        return
    with archive:
        members = [
            info for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            and not any(part.startswith(".") for part in info.filename.split("/"))
            and not _skipped(info.filename.rsplit("/", 1)[-1])
        ]
        top = _common_top_folder([m.filename for m in members])
        for info in members:
            member = info.filename
            if info.file_size > _MAX_FILE_BYTES:
                problems.append(Problem(f"{file}!{member}", "whole file",
                                        "too large for a journal export"))
                continue
            # One damaged member costs only itself: the archive's other files still land.
            try:
                data = archive.read(info)
            except _ZIP_ERRORS as exc:
                problems.append(Problem(f"{file}!{member}", "whole file", _unreadable(info, exc)))
                continue
            # Refs as if the archive had been unpacked and its folder imported.
            yield Source(file=f"{file}!{member}", name=member[len(top):], data=data)


# What zipfile raises on damaged archives (found by corrupting real zips byte by byte):
# zlib, lzma and bz2 (OSError) errors from the decompressors, EOFError for data cut short,
# ValueError for offsets that point outside the file, RuntimeError (and its subclass
# NotImplementedError) for encryption and unsupported methods.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError,
               RuntimeError)
_CUT_SHORT_ZIP = ("damaged zip archive: it is cut short (its list of contents is missing), so "
                  "nothing in it was imported; copy or download it again")


def _unopenable(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"cannot be read ({exc.strerror})"
    return "damaged zip archive: its list of contents cannot be read, so nothing in it was imported"


def _unreadable(info: zipfile.ZipInfo, exc: BaseException) -> str:
    """What is wrong with one member, in words a journal writer can act on."""
    prefix = "this file in the zip archive cannot be unpacked: "
    if isinstance(exc, OSError) and exc.errno is not None:
        return prefix + f"reading the archive failed ({exc.strerror})"
    if info.flag_bits & 0x1 or info.compress_type == _AES:
        return prefix + "it is password-protected; export it again without a password"
    if isinstance(exc, NotImplementedError):
        method = _METHODS.get(info.compress_type, f"compression method {info.compress_type}")
        return prefix + (f"it is compressed with {method}, which patternlens cannot unpack; "
                         "unzip it and import the folder, or zip it again with standard compression")
    if isinstance(exc, EOFError):
        return prefix + "its data is cut short (the archive was not copied or downloaded completely)"
    if isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc):
        return prefix + "its data is damaged (the checksum does not match)"
    if isinstance(exc, zipfile.BadZipFile | ValueError):
        return prefix + "the archive's index entry for it is damaged"
    return prefix + "its compressed data is damaged"


_AES = 99  # WinZip AES encryption, recorded as a compression method
# Methods other zip tools use that Python cannot unpack (Windows uses Deflate64 for large zips).
_METHODS = {6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "xz", 98: "PPMd"}


def _common_top_folder(names: list[str]) -> str:
    """"vault/" when every member sits under one folder "vault/", else ""."""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        return tops.pop() + "/"
    return ""


def _skipped(name: str) -> bool:
    lower = name.lower()
    dot = lower.rfind(".")
    stem = lower[:dot] if dot > 0 else lower
    return (lower in _SKIP_NAMES or stem in _DOC_STEMS
            or (dot >= 0 and lower[dot:] in _MEDIA))
