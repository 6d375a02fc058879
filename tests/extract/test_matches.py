"""``cues.matches`` gives the same matches from (pattern, group) rows as from their
``pattern_set``: both are built by one construction."""

from __future__ import annotations

import polars as pl
from extract_helpers import entries_frame
from polars.testing import assert_frame_equal

from patternlens.extract.cues import matches, pattern_set
from patternlens.extract.lexicon import load_lexicon
from patternlens.extract.sentences import clauses, prepare


def test_matches_from_rows_and_from_their_pattern_set_agree() -> None:
    lex = load_lexicon()
    docs = prepare(entries_frame(["My therapist brushed it off and I shut down.",
                                  "Mum said I was too sensitive. Fair enough, she was right."]))
    cl = clauses(docs)
    rows = lex.cues.select("pattern", "group")
    from_rows = matches(docs, cl, rows)
    from_set = matches(docs, cl, pattern_set(lex, rows))
    assert from_rows.height > 5
    assert from_rows["group"].n_unique() > 1
    key = ["cid", "pos", "pattern"]
    assert_frame_equal(from_rows.sort(key), from_set.sort(key))
    # the groups come back by name, not by rank
    assert set(from_rows["group"].to_list()) <= set(rows["group"].to_list())
    assert from_rows.schema["group"] == pl.String
