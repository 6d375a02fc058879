"""Quotes under findings are widened from the matched words to the sentence that holds them."""

from __future__ import annotations

import polars as pl

from patternlens.project.quotes import QUOTE_CHARS, sentence_quotes


def _quote(text: str, quote: str) -> str:
    entries = pl.DataFrame({"entry_id": ["e"], "title": [None], "text": [text]},
                           schema={"entry_id": pl.String, "title": pl.String, "text": pl.String})
    frame = pl.DataFrame({"entry_id": ["e"], "quote": [quote]})
    return str(sentence_quotes(frame, entries)["quote"][0])


def test_the_sentence_around_the_words_deep_in_a_long_entry() -> None:
    filler = "Slept badly, coffee, emails, the usual Tuesday. " * 200
    text = filler + "Then Sam brushed it off when I tried to talk. " + filler
    assert _quote(text, "brushed it off") == "Then Sam brushed it off when I tried to talk."
    assert _quote("Mom called.\nShe said I was too much! I hung up.", "too much") == \
        "She said I was too much!"


def test_a_very_long_sentence_is_cut_to_a_window_around_the_words() -> None:
    text = "and then " * 300 + "he laughed at me " + "and then " * 300
    quote = _quote(text, "laughed at me")
    assert "laughed at me" in quote and quote.startswith("…") and quote.endswith("…")
    assert len(quote) <= QUOTE_CHARS + 2
