"""Entry text to clauses, with character offsets into the analysed text.

The analysed text of an entry is ``title + "\\n" + text`` (or the text alone when there is no
title). Its normalized twin (``norm``) is lowercase ASCII with exactly as many characters, so an
offset found in one is an offset in the other. Clauses come from one regex whose matches tile
the whole string, so a clause's offset is the running sum of the lengths before it; the same
regex runs on both texts, so the two splits agree.
"""

from __future__ import annotations

import polars as pl

# A clause runs to a sentence end, a semicolon or colon, a comma, or just before "but",
# "because", "although" (a comma's link word stays with the clause before it).
CLAUSE_RE = (
    r"(?is).*?(?:[.!?;:\n]+|,\s+(?:but|and|so|because|although|though|while|whereas|yet)\b"
    r"|,\s+|\s+but\b|\s+because\b|\s+although\b|\s+though\b|$)"
)
# What ends a clause in CLAUSE_RE: splitting after each of its leftmost-first matches gives
# the same clauses (less a last empty one), twice as fast as matching the clauses
CLAUSE_END_RE = (
    r"(?i)[.!?;:\n]+|,\s+(?:but|and|so|because|although|though|while|whereas|yet)\b"
    r"|,\s+|\s+but\b|\s+because\b|\s+although\b|\s+though\b"
)
SENTENCE_END_RE = r"[.!?\n]\s*$"
# the link word a clause was cut before is not part of its quoted span
TRAILING_LINK_RE = r"(?i)(?:,?\s+(?:but|and|so|because|although|though|while|whereas|yet)|,)$"
# where the clause's kept part ends: before its link word and the blanks around it. Its offset
# is that of TRAILING_LINK_RE removed and blanks stripped, found without copying the clause
KEPT_END_RE = (
    r"(?i)\s*(?:,?\s+(?:but|and|so|because|although|though|while|whereas|yet)|,)$|\s*$"
)
# ASCII characters that are not part of a word: they become spaces in the padded text
PUNCTUATION = [chr(c) for c in range(128) if not (chr(c).isalnum() or chr(c) in "'_ ")]


def document(entries: pl.DataFrame) -> pl.Expr:
    """The analysed text: title + newline + text, or the text when there is no title."""
    title = pl.col("title")
    text = pl.col("text").fill_null("")
    has_title = title.is_not_null() & (title.str.strip_chars() != "")
    return pl.when(has_title).then(title + "\n" + text).otherwise(text)


def normalized(expr: pl.Expr) -> pl.Expr:
    """Lowercase ASCII twin of the text with exactly the same number of characters.

    Curly quotes become straight ones, other whitespace a space, non-ASCII letters ``_`` (a word
    character, so "fiancé" stays one word) and any other non-ASCII character ``#``.
    """
    return (
        expr.str.replace_all(r"[’‘ʼ`]", "'")
        .str.replace_all(r"[“”]", '"')
        .str.replace_all(r"[\s&&[^\x00-\x7F]]", " ")
        .str.replace_all(r"[\p{L}&&[^\x00-\x7F]]", "_")
        .str.replace_all(r"[^\x00-\x7F]", "#")
        .str.to_lowercase()
    )


def padded(expr: pl.Expr) -> pl.Expr:
    """Word-padded form that lexicon patterns match: one space each side, punctuation spaced.

    ``expr`` must be normalized (ASCII); ``padded[i + 1]`` is ``normalized[i]``.
    """
    blank = [" "] * len(PUNCTUATION)
    return pl.lit(" ") + expr.str.replace_many(PUNCTUATION, blank) + pl.lit(" ")


def prepare(entries: pl.DataFrame) -> pl.DataFrame:
    """One row per entry: ``row``, ``subject``, ``doc``, ``norm``, ``w`` (padded), ``base``.

    ``base`` is the entry's offset in the concatenation of all padded texts, so that positions
    of all entries sort together. Plain ASCII entries (``ascii``) skip the Unicode
    normalization: their normalized text is the lowercased text.
    """
    docs = entries.with_row_index("row").select(
        "row", pl.col("subject").cast(pl.String), document(entries).alias("doc")
    )
    ascii_only = pl.col("doc").str.len_bytes() == pl.col("doc").str.len_chars()
    docs = docs.with_columns(ascii_only.alias("ascii"))
    plain = docs.filter(pl.col("ascii")).with_columns(
        pl.col("doc").str.to_lowercase().alias("norm"))
    other = docs.filter(~pl.col("ascii")).with_columns(normalized(pl.col("doc")).alias("norm"))
    docs = pl.concat([plain, other]).sort("row")
    w_len = pl.col("norm").str.len_chars().cast(pl.Int64) + 2
    return docs.with_columns(
        padded(pl.col("norm")).alias("w"),
        (w_len.cum_sum() - w_len).alias("base"),
        (pl.col("doc") != pl.col("doc").str.to_uppercase()).alias("mixed_case"),
    )


def _within_row(value: pl.Expr) -> pl.Expr:
    """A running total over all clauses, restarted at each entry (rows sorted by ``row``)."""
    first = pl.col("row") != pl.col("row").shift(1)
    return value - pl.when(first.fill_null(True)).then(value).forward_fill()


def clauses(docs: pl.DataFrame) -> pl.DataFrame:
    """One row per clause, in text order.

    Returns ``row``, ``cid`` (global clause id), ``clause`` and ``sentence`` (indexes within the
    entry), ``sid`` (global sentence id, from 1), ``at`` (offset of the untrimmed clause in the
    entry text), ``start``/``end`` (the clause without surrounding blanks or link word),
    ``key`` (``base + at``, global and sorted), ``raw`` (as written) and ``n`` (normalized).
    """
    split = pl.col("doc").str.extract_all(CLAUSE_RE).alias("raw")
    # a plain ASCII text splits like its lowercased twin: one regex pass, then lowercase
    plain = (
        docs.filter(pl.col("ascii")).select(
            "row", "base",
            pl.col("doc").str.split(CLAUSE_END_RE, inclusive=True, literal=False).alias("raw"),
        ).explode("raw")
        .with_columns(pl.col("raw").str.to_lowercase().alias("n"))
        # a byte offset in ASCII is a character offset
        .with_columns(pl.col("n").str.find(KEPT_END_RE).cast(pl.Int64).alias("_kept"))
    )
    parts = [plain]
    other = docs.filter(~pl.col("ascii"))
    if other.height:
        parts.append(
            other.select("row", "base", split, pl.col("norm").str.extract_all(CLAUSE_RE)
                         .alias("n")).explode(["raw", "n"])
            .with_columns(pl.col("raw").str.replace(TRAILING_LINK_RE, "").str.strip_chars_end()
                          .str.len_chars().cast(pl.Int64).alias("_kept"))
        )
    c = pl.concat(parts)
    if other.height:
        c = c.sort("row", maintain_order=True)
    # only the last match of a text can be empty: dropping it leaves the others' indexes
    c = c.with_columns(pl.col("raw").str.len_chars().cast(pl.Int64).alias("_len")).filter(
        pl.col("_len") > 0
    )
    ends = pl.col("n").str.contains(SENTENCE_END_RE).cast(pl.Int32)
    first = (pl.col("row") != pl.col("row").shift(1)).fill_null(True)
    # a sentence starts an entry or follows a sentence end: counted within the entry and overall
    starts = pl.when(first).then(1).otherwise(ends.shift(1))
    c = c.with_columns(
        _within_row(pl.col("_len").cum_sum() - pl.col("_len")).alias("at"),
        _within_row(pl.when(first).then(0).otherwise(ends.shift(1)).cum_sum()).alias("sentence"),
        starts.cast(pl.Int64).cum_sum().alias("sid"),
        _within_row(pl.int_range(pl.len(), dtype=pl.Int64)).alias("clause"),
    )
    lead = pl.col("_len") - pl.col("raw").str.strip_chars_start().str.len_chars()
    kept = pl.col("_kept")
    return c.with_row_index("cid").select(
        "row",
        "cid",
        "clause",
        "sentence",
        "sid",
        "at",
        (pl.col("at") + lead).alias("start"),
        pl.max_horizontal(pl.col("at") + kept, pl.col("at") + lead).alias("end"),
        (pl.col("base") + pl.col("at")).alias("key"),
        "raw",
        "n",
    )
