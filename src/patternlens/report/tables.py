"""Frames to text for the terminal and for pipes: table, JSON, JSON lines, CSV."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

FORMATS = ("table", "json", "jsonl", "csv")


def render(frame: pl.DataFrame, fmt: str, *, title: str | None = None,
           console: Console | None = None, max_width: int = 60) -> str | None:
    """Render ``frame`` as ``fmt``. Tables print to ``console`` (returns None); the other
    formats return text."""
    if fmt == "table":
        (console or Console()).print(_rich_table(frame, title, max_width))
        return None
    if fmt == "csv":
        flat = frame.with_columns(
            pl.col(c).list.join("; ") if isinstance(t, pl.List) and t.inner == pl.String()
            else pl.col(c).map_batches(_json_cells, return_dtype=pl.String)
            if isinstance(t, pl.List | pl.Struct | pl.Array) else pl.col(c)
            for c, t in frame.schema.items())
        return flat.write_csv()
    rows = [_jsonable(r) for r in frame.iter_rows(named=True)]
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    raise ValueError(f"unknown format {fmt!r}")


def _json_cells(s: pl.Series) -> pl.Series:
    return pl.Series(s.name, [json.dumps(_jsonable(v), ensure_ascii=False) for v in s.to_list()],
                     pl.String)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _rich_table(frame: pl.DataFrame, title: str | None, max_width: int) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for name in frame.columns:
        table.add_column(name, overflow="fold", max_width=max_width)
    for row in frame.iter_rows():
        table.add_row(*(_cell(v, max_width) for v in row))
    return table


def _cell(value: Any, width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v, width) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value).replace("\n", " ")
    return text if len(text) <= width * 3 else text[: width * 3 - 1] + "…"
