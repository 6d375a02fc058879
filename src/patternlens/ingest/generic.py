"""Generic journals: JSON Lines, a JSON list of records, or CSV with a header.

The record shape is documented in ``schemas/entry.schema.json``. Large files are read with
Polars in one pass and their dates normalized with expressions; only a file Polars rejects
is read again line by line, so that each bad line becomes a Problem and the rest still land.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from patternlens.ingest.model import RAW_SCHEMA, Parsed, Problem, valid_text
from patternlens.ingest.source import Source
from patternlens.ingest.text import decode, repair_mojibake

NAME = "generic"

_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
# Fields the format defines; any other field is kept in ``meta``.
_STRING_FIELDS = ("id", "date", "occurred_at", "text", "title", "mood", "subject", "timezone")
_FIELDS = (*_STRING_FIELDS, "tags")
# The staged frame every reader path produces before the shared normalization.
_STAGED: dict[str, pl.DataType] = {
    "position": pl.String(),
    **{name: pl.String() for name in _STRING_FIELDS},
    "tags": pl.List(pl.String()),
    "meta": pl.String(),
}

# ISO 8601 as journals write it: date, optional time (T or space), optional offset or Z.
_ISO = (
    r"^(?<y>\d{4})[-/](?<mo>\d{1,2})[-/](?<d>\d{1,2})"
    r"(?:[T ](?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d{1,9}))?)?)?"
    r"\s*(?<off>[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_EPOCH = r"^\d{9,13}$"
_OFFSET_NAME = re.compile(r"^[+-]\d{2}:\d{2}$")
# Candidates for mojibake repair (see text.repair_mojibake): Latin-1 letters, Thai leftovers.
_MOJIBAKE_HINT = "[\u00c2-\u00f4\u0e42]"
_TAG_SPLIT = r"[;,]"
_TAG_STRIP = " \t\r\n\"'[]"
_HEAD_LINES = 200
_MAX_DEPTH = 32
_OPENERS = b"[{"
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def sniff(src: Source) -> bool:
    suffix = src.suffix
    if suffix in _JSONL_SUFFIXES or suffix == ".csv":
        return True
    head = head_text(src).lstrip()
    if suffix == ".json":
        return head.startswith(("[", "{"))
    if suffix in {".md", ".markdown"} or not head.startswith("{"):
        return False
    # JSON Lines under another name: the first line is an object with a text field.
    try:
        first = json.loads(head.split("\n", 1)[0])
    except (ValueError, RecursionError):
        return False
    return isinstance(first, dict) and "text" in first


def read(src: Source, subject: str) -> Parsed:
    if src.suffix == ".csv":
        return _read_csv(src, subject)
    if src.suffix == ".json" or head_text(src).lstrip().startswith("["):
        return _read_json_document(src, subject)
    return _read_jsonl(src, subject)


# --- JSON Lines -------------------------------------------------------------------------


def _read_jsonl(src: Source, subject: str) -> Parsed:
    data, ascii_only = _utf8(src.data)
    staged = _jsonl_fast(data, ascii_only)
    problems: list[Problem] = []
    if staged is None:
        staged, problems = _jsonl_by_line(data, src.file, ascii_only)
    return Parsed(_finish(staged, subject, "jsonl", src.file), problems)


def _jsonl_fast(
    data: bytes, ascii_only: bool, positions: pl.Series | None = None
) -> pl.DataFrame | None:
    """The whole file through Polars, or None when it has a line Polars cannot take."""
    try:
        df = _read_ndjson(data)
        staged = _stage(df, _line_positions(data, df.height) if positions is None else positions)
    except _FAST_PATH_FAILED:
        return None
    # Pure ASCII without \u escapes cannot hold mojibake (a lone byte is found fastest).
    if ascii_only and (b"\\" not in data or b"\\u" not in data):
        return staged
    return _repair_mojibake(staged)


def _read_ndjson(data: bytes) -> pl.DataFrame:
    # Polars infers columns from the first lines only, so a field first seen later would be
    # lost: infer from a head, then read everything with the head's columns plus every field
    # the format defines. A later line that does not fit sends the file to the slow path.
    cut = 0
    for _ in range(_HEAD_LINES):
        cut = data.find(b"\n", cut) + 1
        if cut == 0:
            cut = len(data)
            break
    head = data[:cut]
    if _too_deep(head):
        raise _MixedTypes("nested too deeply for Polars to infer quickly")
    schema = dict(pl.read_ndjson(head).schema)
    for name in _FIELDS:
        if schema.get(name, pl.Null()) == pl.Null:
            schema[name] = pl.String()
    return pl.read_ndjson(data, schema=schema)


def _too_deep(data: bytes) -> bool:
    """Whether brackets nest deeper than any journal does: Polars' schema inference takes
    time and memory exponential in the depth (seconds at 200 levels)."""
    depth = 0
    for byte in data.translate(None, _NOT_BRACKETS):
        if byte in _OPENERS:
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif depth:
            depth -= 1
    return False


def _jsonl_by_line(
    data: bytes, file: str, ascii_only: bool
) -> tuple[pl.DataFrame, list[Problem]]:
    """Find the lines that are no JSON object; the rest go back through Polars if they can."""
    records: list[tuple[str, dict[str, Any]]] = []
    good: list[bytes] = []
    problems: list[Problem] = []
    # Only "\n" ends a JSON line (U+2028 inside a string does not), and data is UTF-8 here.
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        line = raw_line.strip()
        if not line:
            continue
        position = f"line {number}"
        try:
            obj = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON: {json_error(exc)} at column {exc.colno}"
            problems.append(Problem(file, position, reason))
            continue
        except (ValueError, RecursionError) as exc:
            problems.append(Problem(file, position, f"not valid JSON: {exc}"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, position, f"not a JSON object but {_json_kind(obj)}"))
            continue
        records.append((position, obj))
        good.append(line)
    positions = pl.Series("position", [position for position, _ in records], dtype=pl.String)
    staged = _jsonl_fast(b"\n".join(good), ascii_only, positions) if good else None
    if staged is None or staged.height != len(records):
        # Polars still refuses (say, NaN, or an object where a list was): record by record.
        staged = _repair_mojibake(_stage_records(records))
    return staged, problems


def _line_positions(data: bytes, rows: int) -> pl.Series:
    """"line N" for each non-blank line: read_ndjson returns one row per non-blank line."""
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines == rows:  # no blank lines: row i is line i + 1
        return pl.select(pl.format("line {}", pl.int_range(1, rows + 1))).to_series()
    numbers = [n for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    return pl.Series("position", [f"line {n}" for n in numbers[:rows]])


# --- a JSON document holding a list of records -----------------------------------------


def _read_json_document(src: Source, subject: str) -> Parsed:
    data, _ = _utf8(src.data)
    if data.lstrip()[:1] == b"[":
        try:
            if _too_deep(data):
                raise _MixedTypes("nested too deeply for Polars to infer quickly")
            df = pl.read_json(data, infer_schema_length=None)
            positions = pl.select(pl.format("entry {}", pl.int_range(1, df.height + 1)))
            staged = _repair_mojibake(_stage(df, positions.to_series()))
            return Parsed(_finish(staged, subject, "jsonl", src.file), [])
        except _FAST_PATH_FAILED:
            pass
    text, encoding = decode(src.data)
    problems: list[Problem] = []
    records: list[tuple[str, dict[str, Any]]] = []
    try:
        doc: Any = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        start = text.find("[")
        if start < 0 or text[:start].strip():
            return Parsed(
                Parsed.empty().entries,
                [Problem(src.file, "whole file", "not valid JSON and not a list of records")],
            )
        scan = scan_array(text, start + 1)
        for damage in scan.damages:
            problems.append(damage.problem(src.file, text, encoding))
        items: Iterable[tuple[int, Any]] = scan.numbered()
    else:
        if isinstance(doc, dict):
            if "text" not in doc:
                return Parsed(
                    Parsed.empty().entries,
                    [Problem(src.file, "whole file", "a JSON object, not a list of records")],
                )
            doc = [doc]
        if not isinstance(doc, list):
            return Parsed(
                Parsed.empty().entries,
                [Problem(src.file, "whole file", f"{_json_kind(doc)}, not a list of records")],
            )
        items = enumerate(doc, start=1)
    for number, obj in items:
        if isinstance(obj, dict):
            records.append((f"entry {number}", obj))
        else:
            problems.append(
                Problem(src.file, f"entry {number}", f"not a JSON object but {_json_kind(obj)}")
            )
    return Parsed(_finish(_stage_records(records), subject, "jsonl", src.file), problems)


@dataclass
class Damage:
    """Where a JSON array stopped parsing, and where the skipped record began."""

    pos: int
    reason: str
    record_start: int
    truncated: bool = False  # nothing intact follows and the list is never closed

    def problem(self, file: str, text: str, encoding: str) -> Problem:
        line = text.count("\n", 0, self.pos) + 1
        # Byte offset in the file as written: one byte a character in cp1252, else UTF-8/16.
        before = text[: self.pos]
        if encoding == "cp1252":
            offset = len(before)
        elif encoding == "utf-16":
            offset = len(before.encode("utf-16-le"))
        else:
            offset = len(before.encode("utf-8")) + (3 if encoding == "utf-8-sig" else 0)
        start_line = text.count("\n", 0, self.record_start) + 1
        if self.truncated:
            what = "the file ends in the middle of a record (truncated?)"
        else:
            what = f"damaged JSON ({self.reason})"
        return Problem(
            file,
            f"line {line}, byte {offset}",
            f"{what}; the record starting at line {start_line} was skipped",
        )


@dataclass
class ArrayScan:
    """The values that parsed out of a (possibly damaged) JSON array, and the damage."""

    items: list[tuple[int, Any]] = field(default_factory=list)  # (character offset, value)
    damages: list[Damage] = field(default_factory=list)

    def numbered(self) -> list[tuple[int, Any]]:
        """(number, value) of the intact values, numbered in file order counting damaged ones."""
        events = [(offset, n, True) for n, (offset, _) in enumerate(self.items)]
        events += [(d.record_start, n, False) for n, d in enumerate(self.damages)]
        ordered = sorted(events, key=lambda e: (e[0], not e[2]))
        return [
            (number, self.items[n][1])
            for number, (_, n, intact) in enumerate(ordered, start=1)
            if intact
        ]


def scan_array(
    text: str, start: int, wanted: Callable[[dict[str, Any]], bool] | None = None
) -> ArrayScan:
    """Parse the values of a JSON array from ``start`` (just after its "["), surviving damage.

    After a value that does not parse, scanning resumes at the next "{" that starts a whole
    object (one ``wanted`` accepts, if given) followed by "," or "]": the next intact record.
    """
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    scan = ArrayScan()
    i, n = start, len(text)
    while True:
        while i < n and (text[i].isspace() or text[i] == ","):
            i += 1
        if i >= n:
            damage = Damage(n, "the list is not closed", i)
            damage.truncated = True
            scan.damages.append(damage)
            return scan
        if text[i] == "]":
            return scan
        try:
            value, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            scan.damages.append(Damage(exc.pos, json_error(exc), i))
        except RecursionError:
            scan.damages.append(Damage(i, "nested too deeply", i))
        else:
            scan.items.append((i, value))
            i = end
            continue
        i = _next_record(text, i + 1, decoder, wanted)
        if i < 0:
            scan.damages[-1].truncated = not text.rstrip().endswith("]")
            return scan


def _next_record(
    text: str,
    i: int,
    decoder: json.JSONDecoder,
    wanted: Callable[[dict[str, Any]], bool] | None,
) -> int:
    j = text.find("{", i)
    while j >= 0:
        try:
            value, end = decoder.raw_decode(text, j)
        except (ValueError, RecursionError):
            value, end = None, j
        if isinstance(value, dict) and (wanted is None or wanted(value)):
            rest = text[end : end + 200].lstrip()
            if not rest or rest[0] in ",]":
                return j
        j = text.find("{", j + 1)
    return -1


# --- CSV ------------------------------------------------------------------------------


def _read_csv(src: Source, subject: str) -> Parsed:
    data, ascii_only = _utf8(src.data)
    separator = _csv_separator(data)
    try:
        df = pl.read_csv(data, infer_schema=False, separator=separator, raise_if_empty=False)
        positions = pl.select(pl.format("row {}", pl.int_range(2, df.height + 2))).to_series()
        if df.width:  # blank lines come back as rows of nulls
            filled = df.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
            df, positions = df.filter(filled), positions.filter(filled)
        staged = _stage(df, positions, csv_tags=True)
        if not ascii_only:
            staged = _repair_mojibake(staged)
        return Parsed(_finish(staged, subject, "csv", src.file), [])
    except _FAST_PATH_FAILED:
        pass
    text, _ = decode(data)
    staged, problems = _csv_by_row(text, separator, src.file)
    return Parsed(_finish(staged, subject, "csv", src.file), problems)


def _csv_by_row(text: str, separator: str, file: str) -> tuple[pl.DataFrame, list[Problem]]:
    records: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    row = 1
    try:
        header = next(reader, None)
        if header is None:
            return _stage_records([]), problems
        header = [name.strip() for name in header]
        for row, fields in enumerate(reader, start=2):
            if not any(field.strip() for field in fields):
                continue
            if len(fields) > len(header):
                problems.append(Problem(
                    file, f"row {row}",
                    f"has {len(fields)} fields but the header names {len(header)}",
                ))
                continue
            record = {k: v or None for k, v in zip(header, fields, strict=False)}
            records.append((f"row {row}", record))
    except csv.Error as exc:
        problems.append(Problem(file, f"row {row + 1}", f"not valid CSV from here on ({exc})"))
    return _stage_records(records, csv_tags=True), problems


def _csv_separator(data: bytes) -> str:
    first = data[:4096].split(b"\n", 1)[0]
    counts = {sep: first.count(sep.encode()) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


# --- staging: every reader path ends in the same string columns -------------------------


class _MixedTypes(Exception):
    """A column Polars read holds values the fast path cannot turn into strings."""


# Whatever makes the Polars path give up sends the file to the record-by-record path.
# Deeply nested values can exhaust Python's recursion limit in Polars' dtype handling.
# OSError: Polars sniffs compression from the first bytes, so a CSV that starts "x\x01" is
# taken for a zlib stream and fails to inflate; the row-by-row reader reads it as text.
_FAST_PATH_FAILED = (
    pl.exceptions.PolarsError, pl.exceptions.PanicException, _MixedTypes, RecursionError, OSError
)


def _stage(df: pl.DataFrame, positions: pl.Series, csv_tags: bool = False) -> pl.DataFrame:
    df = _rename_known(df)
    exprs: list[pl.Expr] = [pl.lit(positions).alias("position")]
    for name in _STRING_FIELDS:
        exprs.append(_string_expr(df, name).alias(name))
    exprs.append(_tags_expr(df, csv_tags).alias("tags"))
    exprs.append(_meta_expr(df).alias("meta"))
    return df.select(exprs)


def _rename_known(df: pl.DataFrame) -> pl.DataFrame:
    # "Date", " Text " in a spreadsheet header mean the documented fields.
    rename: dict[str, str] = {}
    taken = set(df.columns)
    for col in df.columns:
        key = col.strip().lower()
        if key != col and key in _FIELDS and key not in taken:
            rename[col] = key
            taken.add(key)
    return df.rename(rename) if rename else df


def _string_expr(df: pl.DataFrame, name: str) -> pl.Expr:
    if name not in df.columns:
        return pl.lit(None, dtype=pl.String)
    dtype = df.schema[name]
    col = pl.col(name)
    if dtype == pl.String:
        return col
    if dtype == pl.Null:
        return col.cast(pl.String)
    if dtype.is_numeric() or dtype == pl.Boolean:
        return col.cast(pl.String)
    raise _MixedTypes(name)


def _tags_expr(df: pl.DataFrame, csv_tags: bool) -> pl.Expr:
    if "tags" not in df.columns:
        return pl.lit(None, dtype=pl.List(pl.String))
    dtype = df.schema["tags"]
    col = pl.col("tags")
    if dtype == pl.Null:
        return col.cast(pl.List(pl.String))
    if isinstance(dtype, pl.List) and (
        dtype.inner == pl.String or dtype.inner == pl.Null or dtype.inner.is_numeric()
    ):
        return (
            col.cast(pl.List(pl.String))
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
    if dtype == pl.String:
        # JSON mixing lists and strings comes back as strings like '["a", "b"]'.
        if not csv_tags and df["tags"].str.starts_with("[").any():
            raise _MixedTypes("tags")
        return _split_tags(col)
    raise _MixedTypes("tags")


def _split_tags(col: pl.Expr) -> pl.Expr:
    return (
        col.str.replace_all(_TAG_SPLIT, ";")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars(_TAG_STRIP))
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def _meta_expr(df: pl.DataFrame) -> pl.Expr:
    extras = sorted(c for c in df.columns if c not in _FIELDS and df.schema[c] != pl.Null)
    if not extras:
        return pl.lit(None, dtype=pl.String)
    # {"key": value, ...} as json.dumps(sort_keys=True) writes it, leaving out null values.
    parts = []
    for name in extras:
        encoded = pl.struct(pl.col(name).alias("v")).struct.json_encode()
        value = encoded.str.slice(5, encoded.str.len_chars() - 6)
        parts.append(
            pl.when(pl.col(name).is_not_null())
            .then(pl.lit(json.dumps(name, ensure_ascii=False) + ": ") + value)
        )
    body = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    return pl.when(body != "").then(pl.lit("{") + body + pl.lit("}"))


def _stage_records(
    records: list[tuple[str, dict[str, Any]]], csv_tags: bool = False
) -> pl.DataFrame:
    """Stage records parsed one by one (the slow path), with the fast path's conventions."""
    columns: dict[str, list[Any]] = {name: [] for name in _STAGED}
    for position, obj in records:
        row: dict[str, Any] = {}
        extras: dict[str, Any] = {}
        for key, value in obj.items():
            k = key if key in _FIELDS else key.strip().lower()
            if k in _FIELDS and k not in row:
                row[k] = value
            elif value is not None:
                extras[key] = value
        columns["position"].append(position)
        for name in _STRING_FIELDS:
            columns[name].append(_as_string(row.get(name)))
        columns["tags"].append(_as_tags(row.get("tags")))
        columns["meta"].append(_dumps(extras) if extras else None)
    return pl.DataFrame({k: valid_text(v) for k, v in columns.items()}, schema=_STAGED)


def _as_string(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return _dumps(value)


def _dumps(value: Any) -> str | None:
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested beyond what the encoder follows
        return None


def _as_tags(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        split = (t.strip(_TAG_STRIP) for t in re.split(_TAG_SPLIT, value))
        return [t for t in split if t]
    listed = (_as_string(v) for v in (value if isinstance(value, list) else [value]))
    return [t.strip() for t in listed if t is not None and t.strip()]


def _repair_mojibake(staged: pl.DataFrame) -> pl.DataFrame:
    """What text.decode does for the slow path, done only on rows that may need it."""
    for name in ("text", "title"):
        col = staged[name]
        rows = col.str.contains(_MOJIBAKE_HINT).fill_null(False).arg_true()
        if rows.len():
            fixed = [repair_mojibake(v) if v is not None else None for v in col.gather(rows)]
            staged = staged.with_columns(col.scatter(rows, pl.Series(fixed, dtype=pl.String)))
    return staged


# --- normalization, shared by every path -----------------------------------------------


def _finish(staged: pl.DataFrame, subject: str, source: str, file: str) -> pl.DataFrame:
    """Turn staged string columns into RAW_SCHEMA rows: dates, zones, mood levels, ids."""
    if staged.height == 0:
        return pl.DataFrame(schema=RAW_SCHEMA)
    blank = _blank_to_null
    zones = staged.select(blank("timezone").drop_nulls().unique())["timezone"].to_list()
    bad_zones = [z for z in zones if not _known_zone(z)]
    df = staged.lazy().with_columns(
        pl.coalesce(blank("occurred_at"), blank("date")).alias("_date"),
        blank("timezone").alias("_tz"),
        blank("id").alias("source_ref"),
        blank("subject").alias("_subject"),
        blank("title").alias("title"),
        blank("mood"),
    )
    df = df.with_columns(pl.col("_date").str.extract_groups(_ISO).alias("_p"))
    p = pl.col("_p").struct
    # Rebuild a canonical string so one strict format covers every accepted spelling.
    canonical = pl.format(
        "{}-{}-{}T{}:{}:{}",
        p.field("y"),
        p.field("mo").str.zfill(2),
        p.field("d").str.zfill(2),
        p.field("h").fill_null("0").str.zfill(2),
        p.field("mi").fill_null("00"),
        p.field("s").fill_null("00"),
    )
    micros = (p.field("f").fill_null("") + "000000").str.slice(0, 6).cast(pl.Int64)
    off = p.field("off")
    off_mm = off.str.replace(r"^[+-]\d{2}:?", "").str.zfill(2)
    off_minutes = (
        pl.when(off.str.contains(r"^[+-]"))
        .then(
            (off.str.slice(1, 2).cast(pl.Int64) * 60
             + off_mm.cast(pl.Int64, strict=False).fill_null(0))
            * pl.when(off.str.starts_with("-")).then(-1).otherwise(1)
        )
        .otherwise(0)
    )
    df = df.with_columns(
        (
            canonical.str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False, time_unit="us")
            + pl.duration(microseconds=micros)
        ).alias("_local"),
        off_minutes.alias("_offmin"),
        off.is_not_null().alias("_aware"),
        pl.when(off.str.contains(r"^[+-]"))
        .then(pl.format("{}:{}", off.str.slice(0, 3), off_mm))
        .when(off.is_not_null())
        .then(pl.lit("UTC"))
        .alias("_offname"),
    )
    local = pl.col("_local")
    aware_utc = (local - pl.duration(minutes=pl.col("_offmin"))).dt.replace_time_zone("UTC")
    # Naive times are local to the record's zone (one branch per zone in the file), else UTC.
    naive = pl.coalesce(
        pl.when(pl.col("_tz").is_null()).then(local.dt.replace_time_zone("UTC")),
        *(
            pl.when(pl.col("_tz") == zone).then(_localize(local, zone))
            for zone in zones
            if zone not in bad_zones
        ),
    )
    epoch = pl.col("_date").str.contains(_EPOCH).fill_null(False)
    epoch_value = pl.col("_date").cast(pl.Int64, strict=False)
    from_epoch = (
        pl.when(pl.col("_date").str.len_chars() >= 12)
        .then(pl.from_epoch(epoch_value, time_unit="ms").dt.cast_time_unit("us"))
        .otherwise(pl.from_epoch(epoch_value, time_unit="s").dt.cast_time_unit("us"))
        .dt.replace_time_zone("UTC")
    )
    occurred = (
        pl.when(pl.col("_aware")).then(aware_utc)
        .when(epoch).then(from_epoch)
        .otherwise(naive)
    ).dt.cast_time_unit("us")
    df = df.with_columns(occurred.alias("_occurred"))
    # Python's datetime (and so everything downstream) ends at years 1 and 9999.
    in_range = pl.col("_occurred").dt.year().is_between(1, 9999)
    df = df.with_columns(pl.when(in_range).then(pl.col("_occurred")).alias("occurred_at"))
    # Missing dates and empty text are left to validate, which words them for every format.
    problem = (
        pl.when(pl.col("_tz").is_in(bad_zones))
        .then(pl.format("unknown time zone '{}'", pl.col("_tz")))
        .when(pl.col("_date").is_not_null() & pl.col("_local").is_null() & ~epoch)
        .then(pl.format("date '{}' is not an ISO 8601 date or date and time", pl.col("_date")))
        .when(pl.col("_occurred").is_not_null() & pl.col("occurred_at").is_null())
        .then(pl.format("date '{}' is outside the years 1 to 9999", pl.col("_date")))
        .when(pl.col("_local").is_not_null() & pl.col("occurred_at").is_null())
        .then(pl.format("'{}' does not exist in time zone {} (the clocks skipped it)",
                        pl.col("_date"), pl.col("_tz")))
        .when(pl.col("_offmin").abs() > 14 * 60)
        .then(pl.format("date '{}' has an impossible UTC offset", pl.col("_date")))
    )
    level = pl.col("mood").cast(pl.Float64, strict=False)
    df = df.with_columns(
        problem.alias("problem"),
        pl.coalesce(pl.col("_tz"), pl.col("_offname")).alias("timezone"),
        pl.coalesce(pl.col("_subject"), pl.lit(subject)).alias("subject"),
        pl.lit(source).alias("source"),
        pl.when(level.is_in([1.0, 2.0, 3.0, 4.0, 5.0]))
        .then(level.cast(pl.Int8))
        .alias("mood_level"),
        pl.lit(file, dtype=pl.String).alias("file"),
    )
    return df.select([pl.col(n).cast(t) for n, t in RAW_SCHEMA.items()]).collect()


def _blank_to_null(name: str) -> pl.Expr:
    value = pl.col(name).str.strip_chars()
    return pl.when(value != "").then(value).alias(name)


def _localize(local: pl.Expr, zone: str) -> pl.Expr:
    """Naive local times in ``zone`` (IANA name or "+05:30") as UTC."""
    offset = _offset_minutes(zone)
    if offset is not None:  # Polars takes only whole-hour offsets as zones
        return (local - pl.duration(minutes=offset)).dt.replace_time_zone("UTC")
    return local.dt.replace_time_zone(
        zone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")


def _offset_minutes(zone: str) -> int | None:
    if not _OFFSET_NAME.match(zone):
        return None
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 14 or minutes > 59:
        return None
    return (hours * 60 + minutes) * (-1 if zone[0] == "-" else 1)


def _known_zone(name: str) -> bool:
    if _OFFSET_NAME.match(name):
        return _offset_minutes(name) is not None
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError, OSError):
        return False
    try:
        pl.Series([0], dtype=pl.Datetime("us")).dt.replace_time_zone(name)
    except pl.exceptions.PolarsError:
        return False
    return True


# --- bytes ------------------------------------------------------------------------------


def _utf8(data: bytes) -> tuple[bytes, bool]:
    """UTF-8 bytes for Polars (BOM dropped; UTF-16 and invalid UTF-8 through text.decode),
    and whether they are pure ASCII (then no mojibake can need repair)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif b"\x00" in data[:400]:
        return decode(data)[0].encode("utf-8"), False
    if data.isascii():
        return data, True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return decode(data)[0].encode("utf-8"), False
    return data, False


def head_text(src: Source) -> str:
    """The first bytes of ``src`` as text, for sniffing (BOM and UTF-16 aware)."""
    head = src.head
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", "replace")
    if b"\x00" in head[:400]:
        return decode(head)[0]
    return head.decode("utf-8", "replace")


def _no_constant(name: str) -> None:
    """NaN and Infinity are no JSON; Python's decoder takes them, so read them as null."""
    return None


def json_error(exc: json.JSONDecodeError) -> str:
    """The decoder's message without its dangling "at" ("Unterminated string starting at")."""
    return exc.msg.removesuffix(" at")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"
