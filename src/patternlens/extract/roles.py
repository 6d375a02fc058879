"""Who each clause is about: role words, declared and learned names, and pronouns.

- Role words count as the writer's person after "my"/"our" (lexicon ``roles.toml``); bare forms
  ("Mom said") unless someone else owns them ("her mom", "Sam's dad").
- Names: the people the user declared, and names learned over all of a writer's entries
  ("my partner Sam", "a therapist since November, Dr. Okafor", "Karen, my boss", and "Dr. Lee"
  as therapist where the writer's entries naming them speak of therapy), so a later "Sam said"
  is the partner. A name must be capitalised where it stands.
- Pronouns (she/he/they) take the last person of a matching kind earlier in the entry; in an
  entry about the writer's own session ("Therapy. She asked...") one with no antecedent is the
  therapist.
- A mention is *engaged* when the clause tells the person acting or being acted with; a mere
  mention ("I should find a therapist", "I lost my grandpa") is not an episode.
"""

from __future__ import annotations

import polars as pl

from patternlens.extract.cues import window_after, window_before
from patternlens.extract.lexicon import Lexicon
from patternlens.extract.segments import ffill_within, lookup, segment_id, sort_packed

PEOPLE_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "name": pl.String(),
    "role": pl.String(),
}
NAMES_SCHEMA: dict[str, pl.DataType] = {
    "subject": pl.String(),
    "pattern": pl.String(),
    "person": pl.String(),
    "role": pl.String(),
}
SEP = "\x1f"  # joins role and person into one key
NAME_GROUP = "\x00name"  # the group of name patterns: no lexicon group is called so


def _name_patterns(name: pl.Expr) -> pl.Expr:
    """Padded patterns for a name: the whole name and, without a title, its first word."""
    norm = (
        name.str.to_lowercase().str.replace_all(r"[^a-z0-9'_]", " ").str.replace_all(" +", " ")
        .str.strip_chars()
    )
    words = norm.str.split(" ")
    titled = words.list.first().is_in(["dr", "mr", "mrs", "ms", "miss", "prof"])
    short = pl.when(titled).then(words.list.last()).otherwise(words.list.first())
    return pl.concat_list(" " + norm + " ", " " + short + " ").list.unique()


EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "row": pl.UInt32(),
    "subject": pl.String(),
    "person": pl.String(),
    "role": pl.String(),
    "rank": pl.Int32(),
    "therapy_context": pl.Boolean(),
}


def _learned(docs: pl.DataFrame, regex: str, lex: Lexicon) -> pl.DataFrame:
    """(row, subject, person, role) for every match of a name-learning regex (groups role, person)."""
    return (
        docs.select("row", "subject", pl.col("doc").str.extract_all(regex).alias("m"))
        .explode("m")
        .drop_nulls("m")
        .with_columns(pl.col("m").str.extract_groups(regex).alias("g"))
        .select(
            "row", "subject",
            pl.col("g").struct.field("person").alias("person"),
            pl.col("g").struct.field("role").str.to_lowercase().str.replace_all("-", " ")
            .replace_strict(lex.noun_roles, default=None, return_dtype=pl.String).alias("role"),
        )
    )


def _titled_mentions(docs: pl.DataFrame, lex: Lexicon) -> pl.DataFrame:
    """(row, subject, person, therapy_context): each "Dr. Name" an entry names, once per entry.

    ``therapy_context`` is true when the entry speaks of therapy, false when it speaks only of
    another kind of doctor ("Dr. Reyes is my dentist"), null when it tells neither.
    """
    rx = lex.title_name_re
    doc = pl.col("doc")
    return (
        docs.select(
            "row", "subject",
            pl.when(doc.str.contains(lex.therapy_context_re)).then(True)
            .when(doc.str.contains(lex.other_context_re)).then(False)
            .alias("therapy_context"),
            pl.col("doc").str.extract_all(rx).list.eval(pl.element().str.extract(rx, 1))
            .list.unique().alias("person"),
        )
        .explode("person")
        .drop_nulls("person")
    )


def name_evidence(docs: pl.DataFrame, lex: Lexicon) -> pl.DataFrame:
    """What each entry tells about who is who (EVIDENCE_SCHEMA): names told with their role
    (rank 1, one row per telling) and titled names with whether the entry speaks of therapy
    (rank 2). Per entry, so a store can keep it and learn a writer's names again without
    re-reading the whole journal."""
    return joined_evidence([evidence_parts(docs, lex)])


def evidence_parts(docs: pl.DataFrame, lex: Lexicon) -> list[pl.DataFrame]:
    """``name_evidence`` of some entries in its four kinds, for ``joined_evidence``: slices
    of a journal are searched in parallel and joined as if searched at once."""
    told = [_learned(docs, rx, lex).with_columns(
        pl.lit(1, pl.Int32).alias("rank"), pl.lit(None, pl.Boolean).alias("therapy_context"))
        for rx in (lex.learn_name_re, lex.appositive_name_re, lex.reverse_name_re)]
    titled = _titled_mentions(docs, lex).with_columns(
        ("Dr. " + pl.col("person")).alias("person"), pl.lit("therapist").alias("role"),
        pl.lit(2, pl.Int32).alias("rank"))
    return [*told, titled]


def joined_evidence(parts: list[list[pl.DataFrame]]) -> pl.DataFrame:
    """The ``evidence_parts`` of consecutive slices of entries as one EVIDENCE_SCHEMA frame,
    in the order one search over all entries gives: kind by kind, rows in order."""
    kinds = [pl.concat([p[k] for p in parts], how="diagonal_relaxed") for k in range(4)]
    return (
        pl.concat(kinds, how="diagonal_relaxed")
        .drop_nulls(["person", "role"])
        .select(pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items())
    )


def learn_names(docs: pl.DataFrame, people: pl.DataFrame | None, lex: Lexicon) -> pl.DataFrame:
    """Names per subject with their role, learned over all of a writer's entries at once."""
    return names_from_evidence(name_evidence(docs, lex), people, lex)


def names_from_evidence(evidence: pl.DataFrame, people: pl.DataFrame | None, lex: Lexicon
                        ) -> pl.DataFrame:
    """Names per subject with their role, from all of a writer's entries' evidence.

    Declared people come first; then names told with their role ("my partner Sam", "a therapist
    since November, Dr. Okafor", "Karen, my boss"), the most frequent role per name winning;
    then "Dr. Name" as therapist when most of the writer's entries naming them and telling
    what kind of doctor they are speak of therapy (or none tells).
    """
    told = evidence.filter(pl.col("rank") == 1).select("subject", "person", "role")
    titled = (
        evidence.filter(pl.col("rank") == 2)
        .group_by("subject", "person")
        .agg(pl.col("therapy_context").mean().alias("_share"))
        # entries that tell neither therapy nor another doctor do not vote; a titled name no
        # entry places is the therapist
        .filter(pl.col("_share").fill_null(1.0) >= lex.therapist_share)
        .select("subject", "person", pl.lit("therapist").alias("role"))
    )
    found = (
        pl.concat([told.with_columns(pl.lit(1).alias("_rank")),
                   titled.with_columns(pl.lit(2).alias("_rank"))])
        .drop_nulls()
        .with_columns(_titled(pl.col("person")))
        .filter(~pl.col("person").is_in(list(lex.name_stopwords)))
        .group_by("subject", "person", "role")
        .agg(pl.len(), pl.col("_rank").min())
        .sort(["subject", "person", "_rank", "len", "role"],
              descending=[False, False, False, True, False])
        .unique(["subject", "person"], keep="first", maintain_order=True)
        .select("subject", "person", "role", pl.lit(1).alias("_rank"))
    )
    declared = (
        pl.DataFrame(schema=PEOPLE_SCHEMA)
        if people is None
        else people.select(pl.col(c).cast(pl.String) for c in PEOPLE_SCHEMA)
    )
    declared = declared.drop_nulls().select(
        "subject", pl.col("name").alias("person"), "role", pl.lit(0).alias("_rank")
    )
    names = (
        pl.concat([declared, found])
        .with_columns(_name_patterns(pl.col("person")).alias("pattern"))
        .explode("pattern")
        .filter(pl.col("pattern").str.strip_chars() != "")
        .sort(["subject", "pattern", "_rank"])
        .unique(["subject", "pattern"], keep="first", maintain_order=True)
        .select(list(NAMES_SCHEMA))
    )
    return names


def _titled(person: pl.Expr) -> pl.Expr:
    """One spelling per titled name: "Dr Okafor", "Doctor Okafor" -> "Dr. Okafor"."""
    return person.str.replace(r"^(?:Dr|Doctor)\.?\s*", "Dr. ").alias("person")


def therapist_keys(names: pl.DataFrame) -> pl.DataFrame:
    """(subject, key): the writer's therapist as a mention key, the first one learned."""
    return (
        names.filter(pl.col("role") == "therapist")
        .unique("subject", keep="first", maintain_order=True)
        .select("subject", ("therapist" + SEP + pl.col("person")).alias("_therapist"))
    )


def mentions(
    docs: pl.DataFrame,
    clauses: pl.DataFrame,
    person_matches: pl.DataFrame,
    name_matches: pl.DataFrame,
    names: pl.DataFrame,
    therapy: pl.DataFrame,
    lex: Lexicon,
) -> pl.DataFrame:
    """Person mentions per clause, pronouns resolved, with their syntactic engagement.

    ``person_matches`` are the assessed matches of the person group, ``name_matches`` the
    matches of the ``names`` patterns (``NAME_GROUP``); ``therapy`` is
    ``therapy_entries``. Returns ``row``, ``cid``,
    ``pos``, ``wlen``, ``kind`` (role, name, pron), ``role``, ``person``, ``key`` (role +
    person), ``engaged``, ``hypothetical``, ``feel``.
    """
    pm = person_matches.filter(pl.col("kind") != "block")
    # a pronoun needs no determiner: the regex runs on role words only
    pm = pl.concat([
        pm.filter(pl.col("kind") == "pron").with_columns(pl.lit(None, pl.String).alias("det")),
        pm.filter(pl.col("kind") != "pron").with_columns(
            pl.col("_before").str.extract(lex.det_re, 1).alias("det")),
    ])
    nouns = pm.filter((pl.col("kind") == "role") & ~pl.col("implicit")).join(
        lex.determiners, left_on=["label", "det"], right_on=["role", "det"], how="left"
    )
    nouns = nouns.with_columns(
        clauses["raw"].gather(nouns["cid"]).str.slice(nouns["pos"], 1).str.contains("^[A-Z]")
        .alias("_cap"),
    )
    # "my mom", "a therapist" (weak); a bare word only as a name ("Mom said"), nobody else's
    possessed = nouns["_before"].str.contains(lex.possessed_re)
    nouns = nouns.with_columns(pl.Series("_possessed", possessed)).filter(
        pl.col("weak").is_not_null()
        | (pl.col("det").is_null() & pl.col("bare") & pl.col("_cap") & ~pl.col("_possessed"))
    ).with_columns(pl.col("weak").fill_null(False))
    # "his dad's car": someone else's person is no antecedent either
    others = pm.filter(
        (pl.col("kind") == "pron")
        | (pl.col("implicit") & ~pl.col("det").fill_null("").is_in(list(lex.blocked_dets)))
    ).with_columns(
        pl.lit(False).alias("weak")
    )
    cols = ["row", "cid", "pos", "wlen", "kind", "role", "person", "gender", "weak", "implicit",
            "feel", "negated", "hypothetical"]
    roles = pl.concat([nouns.select(COLUMNS), others.select(COLUMNS)]).select(
        "row", "cid", "pos", "wlen", "kind",
        pl.when(pl.col("kind") == "pron").then(None).otherwise(pl.col("label")).alias("role"),
        pl.lit(None, pl.String).alias("person"),
        "gender", "weak", "implicit", "feel", "negated", "hypothetical",
    )
    name_rows = _name_mentions(docs, clauses, name_matches, names).select(cols)
    m = _merge_named(pl.concat([roles, name_rows], how="vertical_relaxed"))
    # "my coworker is a family therapist", "I'm a mother of three": a role word after a
    # copula and an article tells a job or an identity; it is nobody's person, not even an
    # antecedent for a later "she"
    m = m.filter(~((pl.col("kind") == "role")
                   & window_before(clauses, m).str.contains(lex.predicate_re)))

    before = window_before(clauses, m)
    after = window_after(clauses, m)
    told = (
        after.str.contains(lex.engage_after_re)
        | after.str.contains(lex.engage_after_verb_re)
        | before.str.contains(lex.engage_before_re)
    ) & ~before.str.contains(lex.block_before_re) & ~after.str.contains(lex.not_engage_after_re)
    m = m.with_columns(
        pl.when(pl.col("implicit"))
        .then(False)
        .when(pl.col("kind") == "pron")
        .then(pl.Series(told) & ~pl.col("hypothetical"))
        .when(pl.col("weak"))
        .then(pl.Series(told) & ~pl.col("hypothetical")
              & ~pl.Series(before.str.contains(lex.negator_person_re)))
        .otherwise(pl.Series(told) & ~pl.col("hypothetical"))
        .alias("engaged")
    )
    return _resolve_pronouns(m, therapy)


def therapy_entries(docs: pl.DataFrame, name_hits: pl.DataFrame, names: pl.DataFrame,
                    lex: Lexicon) -> pl.DataFrame:
    """Entries about the writer's own session: ``row``, ``_therapist`` (the key an unnamed
    pronoun without antecedent stands for there) and ``opens`` (the entry or one of its
    paragraphs opens "Therapy." / "Session today"; else it tells the session's time)."""
    opens = pl.col("norm").str.contains(lex.therapy_opening_re)
    # a place ("his office", "the couch", "my appointment") tells the session only beside the
    # writer's therapist by name or a pronoun signal of their own therapy that is not the
    # place word itself: "He snapped at me in his office" is a boss's
    # (only the few entries with a place word are read again)
    beside = (
        docs.filter(pl.col("norm").str.contains(lex.session_place_re))
        .filter(_tells_own_therapy(pl.col("norm").str.replace_all(lex.session_place_re, " "), lex)
                | pl.col("row").is_in(_named_rows(docs, name_hits, names)))
    )["row"].implode()
    return with_therapist(
        docs.select("row", "subject", opens.alias("opens"),
                    (pl.col("norm").str.contains(lex.session_time_re) | pl.col("row").is_in(beside))
                    .alias("_time"))
        .filter(pl.col("opens") | pl.col("_time")), names)


def _tells_own_therapy(text: pl.Expr, lex: Lexicon) -> pl.Expr:
    """A word of ``[therapy_entry] pronoun_signals`` more often than one that is someone
    else's ("her therapist", "her hair appointment")."""
    return (text.str.count_matches(lex.pronoun_signal_re)
            > text.str.count_matches(lex.pronoun_signal_other_re))


def therapy_told(docs: pl.DataFrame, name_hits: pl.DataFrame, names: pl.DataFrame,
                 lex: Lexicon, rows: pl.Series) -> pl.DataFrame:
    """Which of ``rows`` tell therapy themselves, for an unnamed she/he
    (``pronoun_first_rows``): a word of ``[therapy_entry] pronoun_signals`` not someone
    else's ("her therapist") or the writer's learned therapist's name. ``row``,
    ``_own`` (the words of that name, which are no one else for the pronoun to be).
    Only ``rows`` (the pronoun rule's candidates, few) are read."""
    ours = names.filter(pl.col("role") == "therapist")
    asked = rows.implode()
    # only the candidates' name hits: the pronoun rule's rows are few
    named = _named_rows(docs, name_hits.filter(pl.col("row").is_in(asked)), names)
    own = (ours.select("subject", pl.col("person").str.extract_all(r"[A-Z][a-z]+").alias("_w"))
           .explode("_w").group_by("subject").agg(pl.col("_w").drop_nulls().unique()))
    return (
        docs.filter(pl.col("row").is_in(asked))
        .filter(_tells_own_therapy(pl.col("norm"), lex) | pl.col("row").is_in(named))
        .select("row", "subject")
        .join(own, on="subject", how="left", maintain_order="left")
        .select("row", pl.col("_w").fill_null(pl.lit([], dtype=pl.List(pl.String))).alias("_own"))
    )


def _named_rows(docs: pl.DataFrame, name_hits: pl.DataFrame, names: pl.DataFrame) -> pl.Series:
    """The rows naming their writer's learned therapist, as one list for ``is_in``."""
    ours = names.filter(pl.col("role") == "therapist")
    hits = name_hits.select("row", "pattern", docs["subject"].gather(name_hits["row"]))
    return hits.join(ours.select("subject", "pattern"), on=["subject", "pattern"],
                     how="semi")["row"].implode()


def with_therapist(rows: pl.DataFrame, names: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (row, subject, opens) as ``therapy_entries`` rows: each with the key of its
    writer's therapist, or the unnamed therapist's."""
    return (
        rows.join(therapist_keys(names), on="subject", how="left", maintain_order="left")
        .select("row", pl.col("_therapist").fill_null("therapist" + SEP), "opens")
    )


COLUMNS = ["row", "cid", "pos", "wlen", "kind", "label", "gender", "weak", "implicit", "feel",
           "negated", "hypothetical"]


def name_patterns(names: pl.DataFrame) -> pl.DataFrame:
    """The learned and declared names as patterns of their own group, for the one match pass."""
    return names.select("pattern", pl.lit(NAME_GROUP).alias("group"))


def _name_mentions(docs: pl.DataFrame, clauses: pl.DataFrame, hits: pl.DataFrame,
                   names: pl.DataFrame) -> pl.DataFrame:
    schema = {
        "row": pl.UInt32(), "cid": pl.UInt32(), "pos": pl.Int64(), "wlen": pl.Int64(),
        "kind": pl.String(), "role": pl.String(), "person": pl.String(), "gender": pl.String(),
        "weak": pl.Boolean(), "implicit": pl.Boolean(), "feel": pl.Boolean(),
        "negated": pl.Boolean(), "hypothetical": pl.Boolean(),
    }
    if names.height == 0:
        return pl.DataFrame(schema=schema)
    # the name must be capitalised in the text as written ("Will" the partner, not "will")
    capital = clauses["raw"].gather(hits["cid"]).str.slice(hits["pos"], 1).str.contains("^[A-Z]")
    hits = hits.filter(capital)
    hits = hits.with_columns(docs["subject"].gather(hits["row"]).alias("subject"))
    hits = hits.join(names, on=["subject", "pattern"], how="inner")
    return hits.select(
        "row", "cid", "pos", "wlen", pl.lit("name").alias("kind"), "role", "person",
        pl.lit("any").alias("gender"), pl.lit(False).alias("weak"),
        pl.lit(False).alias("implicit"), pl.lit(False).alias("feel"),
        pl.lit(False).alias("negated"), pl.lit(False).alias("hypothetical"),
    ).cast(schema)  # type: ignore[arg-type]


def _merge_named(m: pl.DataFrame) -> pl.DataFrame:
    """"my partner Sam": drop the role words when the name follows them; the name carries both."""
    m = sort_packed(m, ["cid", "pos"])
    nxt_kind = pl.col("kind").shift(-1)
    nxt_pos = pl.col("pos").shift(-1)
    nxt_role = pl.col("role").shift(-1)
    followed = (
        (pl.col("cid").shift(-1) == pl.col("cid"))
        & (pl.col("kind") == "role") & (nxt_kind == "name") & (nxt_role == pl.col("role"))
        & (nxt_pos <= pl.col("pos") + pl.col("wlen") + 2)
    )
    return m.filter(~followed.fill_null(False))


def _resolve_pronouns(m: pl.DataFrame, therapy: pl.DataFrame) -> pl.DataFrame:
    # m comes sorted by (cid, pos), which orders rows too
    m = m.with_columns((pl.col("role") + SEP + pl.col("person").fill_null("")).alias("key"))
    explicit = pl.col("kind") != "pron"
    g = pl.col("gender")
    last = {
        "f": pl.when(explicit & g.is_in(["f", "any"])).then(pl.col("key")),
        "m": pl.when(explicit & g.is_in(["m", "any"])).then(pl.col("key")),
        "plural": pl.when(explicit & g.is_in(["plural", "any"])).then(pl.col("key")),
    }
    m = m.with_columns(segment_id("row").alias("_seg"))
    m = m.with_columns(
        *(ffill_within(expr, pl.col("_seg")).alias(f"_last_{k}") for k, expr in last.items())
    )
    resolved = (
        pl.when(explicit).then(pl.col("key"))
        .when(g == "f").then(pl.col("_last_f"))
        .when(g == "m").then(pl.col("_last_m"))
        .otherwise(pl.col("_last_plural"))
    )
    # in a therapy entry, "she" with nobody before her is the therapist
    therapy = therapy.sort("row")
    therapist = therapy["_therapist"].gather(lookup(therapy["row"], m["row"]))
    m = m.with_columns(pl.coalesce(resolved, therapist).alias("key")).drop_nulls("key")
    parts = pl.col("key").str.split_exact(SEP, 1)
    # keys as an Enum in lexical order: later stages group and join on integer ids
    key_type = pl.Enum(m["key"].unique().sort())
    return m.with_columns(
        parts.struct.field("field_0").alias("role"),
        pl.when(parts.struct.field("field_1") == "").then(None)
        .otherwise(parts.struct.field("field_1")).alias("person"),
        pl.col("key").cast(key_type),
    ).select("row", "cid", "pos", "wlen", "kind", "role", "person", "key", "engaged",
             "hypothetical", "feel")

