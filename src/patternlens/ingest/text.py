"""Bytes to text: byte-order marks, UTF-16, cp1252, files mixing encodings, and mojibake.

Journals travel through many apps, and each one may have guessed the encoding wrong once.
Decoding never fails: a line that is not UTF-8 is read as cp1252, and common mojibake is
repaired, so one bad byte does not cost the writer a whole file.
"""

from __future__ import annotations

import codecs
import re

# Runs of characters that UTF-8 text shows after being decoded as cp1252 or latin-1.
_CP1252_RUN = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d"
                         r"\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022"
                         r"\u2026\u2030\u2039\u203a\u20ac\u2122]{1,3}")
# UTF-8 punctuation (E2 80 xx) decoded as cp874 (Thai), whose 0x80..0x9F bytes are
# undefined and dropped: only the "โ" (0xE2) survives. The context tells which mark it was.
_THAI_LEFTOVER = "\u0e42"
_THAI_LETTERS = re.compile(r"[\u0e01-\u0e41\u0e43-\u0e5b]")
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\u0e42(?=(?:s|t|re|ll|ve|d|m)\b)")
_DASH_SPACED = re.compile(r"(?<=\s)\u0e42(?=\s)")
_DASH_JOINED = re.compile(r"(?<=\w)\u0e42(?=\w)")
_QUOTE_OPEN = re.compile(r"(?<![\w.,!?])\u0e42(?=\w)")
_QUOTE_CLOSE = re.compile(r"(?<=[\w.,!?])\u0e42")


def decode(data: bytes) -> tuple[str, str]:
    """Decode an export's bytes. Returns the text and the encoding that was used.

    The encoding is one of "utf-8", "utf-8-sig", "utf-16", "cp1252" or "mixed" (some lines
    UTF-8, some cp1252).
    """
    if data.startswith(codecs.BOM_UTF8):
        return repair_mojibake(data[len(codecs.BOM_UTF8):].decode("utf-8", "replace")), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return repair_mojibake(data.decode("utf-16", "replace")), "utf-16"
    if _looks_utf16_without_bom(data):
        enc = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        return repair_mojibake(data.decode(enc, "replace")), "utf-16"
    try:
        return repair_mojibake(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.splitlines(keepends=True)
    out: list[str] = []
    mixed = False
    for line in lines:
        try:
            out.append(line.decode("utf-8"))
            mixed = mixed or any(b > 0x7F for b in line)
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", "replace"))
    return repair_mojibake("".join(out)), "mixed" if mixed else "cp1252"


def is_binary(head: bytes) -> bool:
    """True for data that is no text export (images, databases, executables)."""
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16_without_bom(head):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) // 20


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252/latin-1 or cp874, leaving real text alone."""
    if _CP1252_RUN.search(text):
        text = _CP1252_RUN.sub(_redecode_cp1252, text)
    if _THAI_LEFTOVER in text and not _THAI_LETTERS.search(text):
        text = _APOSTROPHE.sub("\u2019", text)
        text = _DASH_SPACED.sub("\u2014", text)
        text = _DASH_JOINED.sub("\u2013", text)
        text = _QUOTE_OPEN.sub("\u201c", text)
        text = _QUOTE_CLOSE.sub("\u201d", text)
    return text


def _redecode_cp1252(match: re.Match[str]) -> str:
    run = match.group(0)
    for codec in ("cp1252", "latin-1"):
        try:
            return run.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return run


def _looks_utf16_without_bom(data: bytes) -> bool:
    # UTF-16 text of mostly Latin script: one byte of each pair is zero, the other printable.
    sample = data[: 400 - 400 % 2]
    if len(sample) < 8:
        return False
    half = len(sample) // 2
    for zeros, other in ((sample[1::2], sample[0::2]), (sample[0::2], sample[1::2])):
        if zeros.count(0) > half * 0.9:
            printable = sum(1 for b in other if 32 <= b < 127 or b in (9, 10, 13))
            return printable > half * 0.9
    return False
