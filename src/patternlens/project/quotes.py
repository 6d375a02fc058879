"""Quotes widened to the sentence that holds them, so a reader recognises the moment."""

from __future__ import annotations

import re

import polars as pl


def update_quotes(frame: pl.DataFrame, changed: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the quotes of the rows in ``changed`` (same ids), row order kept."""
    quotes = changed.select("id", pl.col("quote").alias("_quote"))
    return (frame.join(quotes, on="id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("_quote", "quote").alias("quote")).drop("_quote"))


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
QUOTE_CHARS = 220


def sentence_quotes(frame: pl.DataFrame, entries: pl.DataFrame) -> pl.DataFrame:
    """Widen each ``quote`` (often just the words that matched) to the sentence holding it,
    so a reader recognises the moment. Still a Python call per distinct (entry, quote) pair;
    only the quoted entries' texts are read."""
    if frame.is_empty() or "quote" not in frame.columns or "entry_id" not in frame.columns:
        return frame
    pairs = frame.select("entry_id", "quote").unique()
    quoted = entries.join(pairs, on="entry_id", how="semi")
    texts = dict(quoted.select("entry_id", pl.concat_str(
        pl.col("title").fill_null(""), pl.col("text").fill_null(""), separator="\n")).iter_rows())
    wide = [_sentence(texts.get(e) or "", q) for e, q in pairs.iter_rows()]
    widened = pairs.with_columns(pl.Series("_wide", wide, pl.String))
    return (frame.join(widened, on=["entry_id", "quote"], how="left", nulls_equal=True,
                       maintain_order="left")
            .with_columns(pl.col("_wide").alias("quote")).drop("_wide"))


def _sentence(text: str, quote: str | None) -> str | None:
    if not quote:
        return quote
    at = text.find(quote)
    if at < 0:
        at = text.lower().find(quote.lower())
    if at < 0:
        return quote
    # Only the last boundary before the quote matters, and a sentence starting further back
    # than the window is cut to the window below anyway: no need to scan the whole entry.
    low = max(0, at - 4 * QUOTE_CHARS)
    starts = [m.end() for m in _SENTENCE_END.finditer(text, low, at)]
    start = starts[-1] if starts else low
    end_match = _SENTENCE_END.search(text, at + len(quote))
    end = end_match.start() if end_match else len(text)
    sentence = text[start:end].strip()
    if len(sentence) <= QUOTE_CHARS:
        return sentence
    # A long sentence: keep a window around the words that matched.
    left = max(start, at - QUOTE_CHARS // 2)
    return "…" + text[left:left + QUOTE_CHARS].strip() + "…"


