"""Assembling episodes and entry summaries from mentions, cues and intensities.

A cue belongs to the person nearest before it in its clause, else the first one after it in
the clause, else the last one earlier in the sentence ("My therapist said I was overreacting,
and I shut down"); a rupture or repair cue in a sentence naming nobody, or a theme there that
points back ("It felt like being brushed off"), else the last engaged person named earlier in
the paragraph; failing all these, the first person named later in its sentence. An episode is
one person in one clause, when that person is engaged there or carries a theme, a self-response
or a therapy marker. Rupture, repair and red flags count
only with the therapist; a rupture or repair marker without any person counts when its sentence
is about the writer's therapy ("I've tried various therapists, but nothing's helped"), or
anywhere in an entry that opens "Therapy.". An entry whose first person is an unnamed she or
he, with a rupture or repair marker in that pronoun's sentence, therapy told in the entry (a
word of ``[therapy_entry] pronoun_signals`` or the learned therapist's name) and nobody else for
it to be (no other name, no person who is no role, no question asked), is a therapy entry: the
pronoun is the therapist ("I didn't tell her about the panic attacks. The appointment was a
waste."). Rupture cues carry their 3RS kind as
label (withdrawal, confrontation).
"""

from __future__ import annotations

import polars as pl

from patternlens.extract.lexicon import Lexicon
from patternlens.extract.segments import (
    bfill_within,
    dense,
    ffill_within,
    index_within,
    lookup,
    segment_id,
    sort_packed,
)

EPISODE_KINDS = ("theme", "response", "rupture", "repair", "red_flag")
LABEL_KINDS = ("theme", "response", "emotion", "rupture", "repair", "red_flag", "past")

EVIDENCE = pl.Struct({"label": pl.String(), "kind": pl.String(), "start": pl.Int64(),
                      "end": pl.Int64(), "quote": pl.String()})
EPISODE_SCHEMA: dict[str, pl.DataType] = {
    "entry_id": pl.String(),
    "subject": pl.String(),
    "occurred_at": pl.Datetime("us", "UTC"),
    "episode": pl.Int64(),
    "start": pl.Int64(),
    "end": pl.Int64(),
    "role": pl.String(),
    "person": pl.String(),
    "themes": pl.List(pl.String()),
    "responses": pl.List(pl.String()),
    "emotions": pl.List(pl.String()),
    "intensity": pl.Float64(),
    "past": pl.Boolean(),
    "in_therapy": pl.Boolean(),
    "rupture": pl.Boolean(),
    "repair": pl.Boolean(),
    "red_flag": pl.Boolean(),
    "negated": pl.List(pl.String()),
    "evidence": pl.List(EVIDENCE),
}
EPISODE_FIELDS = [k for k in EPISODE_SCHEMA if k not in ("entry_id", "subject", "occurred_at")]
ENTRY_SCHEMA: dict[str, pl.DataType] = {
    "entry_id": pl.String(),
    "roles": pl.List(pl.String()),
    "themes": pl.List(pl.String()),
    "responses": pl.List(pl.String()),
    "emotions": pl.List(pl.String()),
    "intensity": pl.Float64(),
    "in_therapy": pl.Boolean(),
    "rupture": pl.Boolean(),
    "repair": pl.Boolean(),
    "red_flag": pl.Boolean(),
    "past": pl.Boolean(),
    "strong": pl.Boolean(),
    "crisis": pl.Boolean(),
    "episodes": pl.List(pl.Struct({k: EPISODE_SCHEMA[k] for k in EPISODE_FIELDS})),
}


# cues that may reach back to the person of an earlier sentence of the paragraph
CARRIED_KINDS = ("theme", "rupture", "repair")
# how every therapist's person key begins (role, separator, person)
THERAPIST = "therapist\x1f"


def paragraphs(clauses: pl.DataFrame) -> pl.Series:
    """A global paragraph id per clause: a new one after each clause ending a line."""
    ends = clauses["n"].str.contains(r"\n\s*$")
    new = (ends.shift(1) | (clauses["row"] != clauses["row"].shift(1))).fill_null(True)
    return new.cast(pl.Int64).cum_sum().alias("_para")


def assign(clauses: pl.DataFrame, mentions: pl.DataFrame, content: pl.DataFrame,
           anaphor_re: str | None = None) -> pl.DataFrame:
    """Add ``key`` (the person a cue belongs to, or null) and ``via_prev`` to content cues.

    A rupture or repair cue in a sentence that names nobody, or a theme there in a clause that
    points back ("It felt like ..."), belongs to the last person named (not a pronoun) and
    engaged earlier in its paragraph ("Dr. Okafor glanced at the clock. It felt like being
    brushed off."). ``anaphor_re`` is the lexicon's; without it every theme may carry.
    """
    para = paragraphs(clauses)
    people = mentions.filter(~pl.col("hypothetical")).select(
        "row", "cid", "pos", "key",
        # only a person named or called by role, and taking part in what the sentence tells,
        # carries over: not a pronoun's guess, not a mere mention
        pl.when((pl.col("kind") != "pron") & pl.col("engaged")).then(pl.col("key"))
        .alias("_named"),
        pl.lit(0, pl.Int32).alias("_order"),
        pl.lit(None, pl.UInt32).alias("_cue"), pl.lit(False).alias("_carried"),
    )
    key_type = mentions.schema["key"]
    cues = content.with_row_index("_cue").select(
        "row", "cid", "pos", pl.lit(None, key_type).alias("key"),
        pl.lit(None, key_type).alias("_named"), pl.lit(1, pl.Int32).alias("_order"), "_cue",
        pl.col("kind").is_in(CARRIED_KINDS).alias("_carried"),
    )
    if anaphor_re is not None:
        # a theme carries only from a clause that points back ("It felt like ..."); a rupture
        # or repair cue counts with the therapist alone, so it may carry as it is
        opens = content["_before"].str.contains(anaphor_re)
        theme = pl.Series(content["kind"] == "theme")
        cues = cues.with_columns(pl.col("_carried") & (~theme | pl.Series(opens)))
    # cid orders like (row, cid)
    stream = sort_packed(pl.concat([people, cues]), ["cid", "pos", "_order"])
    # the global clause, sentence and paragraph ids are the segments: the stream is in their
    # order, each is one run
    stream = stream.with_columns(
        clauses["sid"].gather(stream["cid"]).alias("_s"), para.gather(stream["cid"]).alias("_p")
    )
    # each fill once, then combined
    got = stream.with_columns(
        ffill_within(pl.col("key"), pl.col("cid")).alias("_before"),
        bfill_within(pl.col("key"), pl.col("cid")).alias("_after"),
        ffill_within(pl.col("key"), pl.col("_s")).alias("_earlier"),
        bfill_within(pl.col("key"), pl.col("_s")).alias("_later"),
        ffill_within(pl.col("_named"), pl.col("_p")).alias("_in_para"),
    )
    before, after, earlier, later = (pl.col(c) for c in ("_before", "_after", "_earlier", "_later"))
    in_para = pl.when(pl.col("_carried") & later.is_null()).then(pl.col("_in_para"))
    got = got.with_columns(
        # last resort: the person the sentence names after the cue's clause ("At first I felt
        # betrayed, but my sister explained")
        pl.coalesce(before, after, earlier, in_para, later).alias("_key"),
        (before.is_not_null() | (after.is_null() & earlier.is_not_null())).alias("via_prev"),
    ).filter(pl.col("_cue").is_not_null())
    # every cue is in the stream once: its results go back by index
    n = content.height
    return content.with_columns(
        dense(n, got["_cue"], got["_key"]).alias("key"),
        dense(n, got["_cue"], got["via_prev"]),
    )


def unattributed(clauses: pl.DataFrame, content: pl.DataFrame, other_re: str) -> pl.Series:
    """Theme cues that belong to no person in a clause naming no one else either: "a history
    of sexual abuse", "I'm internally screaming". A theme is someone's response; "people stare
    at me" or "nobody cares" keep theirs (``other_re``), and so do the themes done to the
    writer or felt ("I was abused as a child", "I feel so unheard": ``_writer`` of assess)."""
    loose = (content["kind"] == "theme") & content["key"].is_null() & ~content["_writer"]
    at = content.with_row_index("_i").filter(loose)
    other = clauses["n"].gather(at["cid"]).str.contains(other_re)
    return dense(content.height, at["_i"], ~other, False)


# emotions that tell a strain felt ("it stung", "I was hurt"): for repairs that need one, and
# for a line crossed that was not welcomed
STRAIN_EMOTIONS = ("anger", "fear", "shame", "sadness")
# repair cues that repair only in an entry telling a strain: an apology, an explanation, a
# plan changed ("she apologized for running late, it didn't bother me" repairs nothing)
NEEDS_STRAIN = "acknowledgement"


# markers that make an entry naming nobody a therapy entry: a red-flag shape alone ("she told
# me I was attractive") is as common outside therapy
PRONOUN_THERAPY_KINDS = ("rupture", "repair")


def pronoun_candidates(clauses: pl.DataFrame, persons: pl.DataFrame, names: pl.DataFrame,
                       content: pl.DataFrame) -> pl.Series:
    """Rows whose first person is an unnamed she or he and that tell a rupture or repair
    marker: a journal entry that opens "She said I was ... I didn't tell her" names nobody
    before her, and the one it needs no name for is the therapist. "They" is left out: it is
    as often people in general, or a family. The marker must share a sentence with such a
    pronoun, so that it is about that person. ``pronoun_first_rows`` decides which of them
    are about the therapist.

    ``persons`` are the assessed matches of the person group (kind role, pron or block),
    ``names`` the matches of name patterns, ``content`` the assessed content cues (acknowledgements
    already strain-gated, ``strained``).
    """
    f = pl.col
    at = f("cid").cast(pl.Int64) * (1 << 32) + f("pos")
    mentions = pl.concat([
        persons.filter(f("kind") != "block").select(
            "row", ((f("kind") == "pron") & f("label").is_in(["f", "m"])).alias("_pron"),
            at.alias("_at")),
        names.select("row", pl.lit(False).alias("_pron"), at.alias("_at")),
    ])
    first = mentions.sort("_at").group_by("row", maintain_order=True).agg(f("_pron").first())
    rows = first.filter(f("_pron"))["row"]
    sid = clauses["sid"]
    pron = persons.filter((f("kind") == "pron") & f("label").is_in(["f", "m"]))
    pron_sid = sid.gather(pron["cid"]).unique().implode()
    cues = content.filter(f("asserted") & f("kind").is_in(PRONOUN_THERAPY_KINDS))
    marked = cues.filter(sid.gather(cues["cid"]).is_in(pron_sid))["row"]
    return rows.filter(rows.is_in(marked.implode()))


def pronoun_first_rows(clauses: pl.DataFrame, candidates: pl.Series, lex: Lexicon,
                       told: pl.DataFrame) -> pl.Series:
    """The ``candidates`` (``pronoun_candidates``) that are about the therapist.

    The entry must tell therapy itself (``told``: ``row`` and ``_own``, the words of the
    writer's learned therapist's name, for the rows holding a word of
    ``[therapy_entry] pronoun_signals`` or that name): "He forgot my birthday again" is no
    session, and her name there is no one else for the pronoun to be.
    """
    f = pl.col
    # an entry asking about someone ("how do I tell him?") seeks advice, it tells no session;
    # one naming someone who is no role ("this girl I know", "texted Nia", "Jordan and I")
    # has an antecedent
    raw = f("raw")
    capitalised = pl.concat_list(
        raw.str.extract_all(lex.inside_name_re).list.eval(
            pl.element().str.extract(r"([A-Z][a-z]+)$")),
        raw.str.extract(lex.acting_name_re, 1),
    ).list.drop_nulls()
    stop = list(lex.name_stopwords)
    # the text checks below read only the clauses of the rows still in question
    rows = candidates.filter(candidates.is_in(told["row"].implode()))
    cl = (clauses.filter(f("row").is_in(rows.implode()))
          .join(told, on="row", how="inner", maintain_order="left"))
    named = (capitalised.list.set_difference(f("_own"))
             .list.eval(~pl.element().is_in(stop)).list.any())
    others = cl.filter(raw.str.contains("?", literal=True)
                       | raw.str.contains(lex.other_person_re)
                       | named)["row"].unique().implode()
    return rows.filter(~rows.is_in(others)).unique()


def strained(content: pl.DataFrame) -> pl.DataFrame:
    """``content`` with each acknowledgement (repair cue of label ``NEEDS_STRAIN``) asserted
    only in an entry that tells a strain: an asserted rupture marker, negative theme or
    hurt, anger, fear or shame."""
    f = pl.col
    told = f("asserted") & (
        (f("kind") == "rupture")
        | ((f("kind") == "theme") & (f("label") != "understood"))
        | ((f("kind") == "emotion") & f("label").is_in(STRAIN_EMOTIONS))
    )
    rows = content.filter(told)["row"].unique().implode()
    weak = (f("kind") == "repair") & (f("label") == NEEDS_STRAIN)
    return content.with_columns((f("asserted") & ~(weak & ~f("row").is_in(rows)))
                                .alias("asserted"))


def undone_repairs(clauses: pl.DataFrame, content: pl.DataFrame) -> pl.Series:
    """Rows whose last word on a strain named is a failed repair (flags.toml repair_failed:
    brushed off, denied, dropped) told after every repair cue: they have no repair.

    ``content`` are the assessed content cues (``row``, ``cid``, ``pos``, ``kind``,
    ``asserted``); ``clauses`` carry ``key``, each clause's offset in the padded texts.
    """
    f = pl.col
    told = content.filter(f("asserted") & f("kind").is_in(["repair", "repair_failed"]))
    # at one offset the failed repair is read last, whatever the input order
    last = told.select(
        "row", (f("kind") == "repair_failed").alias("_failed"),
        (clauses["key"].gather(told["cid"]) + told["pos"]).alias("_at"),
    ).sort(["_at", "_failed"]).group_by("row").agg(f("_failed").last())
    return last.filter(f("_failed"))["row"]


def settled_ruptures(clauses: pl.DataFrame, content: pl.DataFrame) -> pl.Series:
    """Rows with no repair whose last word on a strain that could be a rupture (a rupture
    marker naming nobody or the therapist, a negative theme of the therapist's) is that it was
    right or fair (flags.toml rupture_settled): a normal challenge, no rupture. A strain with
    anyone else, or a theme of no one ("Then the abuse stuff came up"), is no rupture, so it
    does not reopen one.

    Same inputs as ``undone_repairs``, plus ``key`` (the person a cue belongs to, ``assign``).
    """
    f = pl.col
    key_type = content.schema["key"]
    if isinstance(key_type, pl.Enum):
        # the few keys that are the therapist's, not every cue's key as a string
        keys = key_type.categories
        therapist = f("key").is_in(keys.filter(keys.str.starts_with(THERAPIST)).implode())
    else:
        therapist = f("key").cast(pl.String).str.starts_with(THERAPIST)
    strain = (((f("kind") == "rupture") & (f("key").is_null() | therapist))
              | ((f("kind") == "theme") & (f("label") != "understood") & therapist))
    told = content.filter(f("asserted") & (strain.fill_null(False)
                                           | (f("kind") == "rupture_settled")))
    repaired = content.filter(f("asserted") & (f("kind") == "repair"))["row"].unique()
    # at one offset the settling word is read last, whatever the input order
    last = told.select(
        "row", (f("kind") == "rupture_settled").alias("_settled"),
        (clauses["key"].gather(told["cid"]) + told["pos"]).alias("_at"),
    ).sort(["_at", "_settled"]).group_by("row").agg(f("_settled").last())
    return last.filter(f("_settled") & ~f("row").is_in(repaired.implode()))["row"]


def evidence(label: pl.Expr, kind: pl.Expr) -> pl.Expr:
    """Evidence struct for match rows carrying ``pos``, ``wlen``, ``_raw`` and ``_base``."""
    return pl.struct(
        label.alias("label"),
        kind.alias("kind"),
        (pl.col("_base") + pl.col("pos")).alias("start"),
        (pl.col("_base") + pl.col("pos") + pl.col("wlen")).alias("end"),
        pl.col("_raw").str.slice(pl.col("pos"), pl.col("wlen")).alias("quote"),
    )


def _with_raw(clauses: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(
        clauses["raw"].gather(rows["cid"]).alias("_raw"),
        clauses["at"].gather(rows["cid"]).alias("_base"),
    )


def _pair(n_keys: int) -> pl.Expr:
    """(clause, person) as one integer, ordered like (cid, key): cheap to group and join on."""
    return (pl.col("cid").cast(pl.UInt64) * n_keys
            + pl.col("key").to_physical().cast(pl.UInt64)).alias("_ck")


def _label_lists(told: pl.DataFrame, lists: dict[str, pl.Expr]) -> list[pl.DataFrame]:
    """Per pair, the sorted distinct labels of the rows each condition selects.

    Each frame has ``_ck`` (sorted, distinct) and the list; labels sort as their lexical rank.
    """
    labels = pl.Enum(told["label"].unique().sort())
    n = max(len(labels.categories), 1)
    item = (pl.col("_ck") * n + pl.col("label").cast(labels).to_physical()).alias("_item")
    # the conditions on a narrow frame: a filter copies every column
    picked = told.select(item, *(cond.alias(name) for name, cond in lists.items()))
    out = []
    for name in lists:
        items = picked.filter(pl.col(name)).select("_item").unique().sort("_item")["_item"]
        out.append(
            # items are sorted, so are their pairs: grouped as runs, not hashed
            pl.DataFrame({"_ck": (items // n).set_sorted(), name: labels.categories.gather(items % n)})
            .group_by("_ck", maintain_order=True).agg(pl.col(name))
        )
    return out


def episodes(
    clauses: pl.DataFrame,
    mentions: pl.DataFrame,
    content: pl.DataFrame,
    intensity: pl.DataFrame,
    settled: pl.Series,
    undone: pl.Series,
) -> pl.DataFrame:
    """One row per episode: ``row`` plus the EPISODE_FIELDS columns (``episode`` numbered).

    ``intensity`` has one row per clause, in cid order; ``settled`` and ``undone`` are the
    rows of ``settled_ruptures`` and ``undone_repairs``, the same the entry summaries use, so
    an entry and its episodes agree.
    """
    key_type = mentions.schema["key"]
    assert isinstance(key_type, pl.Enum)
    n_keys = max(len(key_type.categories), 1)
    pair = _pair(n_keys)
    mentions = mentions.with_columns(pair)
    owned = content.filter(pl.col("key").is_not_null()).with_columns(pair)
    feel = mentions.filter(pl.col("feel")).select("_ck").unique()
    carries = pl.concat([
        owned.filter(pl.col("asserted") & pl.col("kind").is_in(EPISODE_KINDS)),
        owned.filter(pl.col("asserted") & (pl.col("kind") == "emotion"))
        .join(feel, on="_ck", how="semi"),
    ]).select("row", "cid", "key", "_ck")
    ep = (
        pl.concat([mentions.filter(pl.col("engaged")).select("row", "cid", "key", "_ck"), carries])
        .unique("_ck")
    )
    first_pos = mentions.group_by("_ck").agg(pl.col("pos").min().alias("_first")).sort("_ck")
    ep = ep.with_columns(first_pos["_first"].gather(lookup(first_pos["_ck"], ep["_ck"])))
    # the final order first, on narrow columns; per-pair values are then gathered into it
    ep = ep.sort(["row", "cid", "_first"], nulls_last=True).with_columns(
        index_within(segment_id("row")).alias("episode")
    )

    m_ev = sort_packed(_with_raw(clauses, mentions.filter(pl.col("kind") != "pron")), ["cid", "pos"])
    m_ev = m_ev.select("_ck", evidence(pl.col("role"), pl.lit("role")).alias("_ev")).unique(
        "_ck", keep="first", maintain_order=True
    )
    told = _with_raw(clauses, owned.filter(pl.col("kind").is_in(LABEL_KINDS)))
    told = told.with_columns(evidence(pl.col("label"), pl.col("kind")).alias("_ev"))

    def kinds(*names: str) -> pl.Expr:
        return pl.col("kind").is_in(names) & pl.col("asserted")

    lists = _label_lists(told, {
        "themes": kinds("theme"),
        "responses": kinds("response", "emotion"),
        "emotions": kinds("emotion"),
        "negated": pl.col("kind").is_in(["theme", "response", "emotion", "rupture", "repair",
                                         "red_flag"]) & (pl.col("negated") | pl.col("hypothetical")),
    })
    # the conditions per row first, then any() per pair: no expression evaluated per group
    flags = told.select(
        "_ck",
        kinds("rupture").alias("_rupture"),
        kinds("repair").alias("_repair"),
        (kinds("red_flag") & pl.col("via_prev")).alias("_red"),
        (kinds("theme") & pl.col("label").ne("understood")).alias("_negative"),
    ).group_by("_ck").agg(pl.all().any()).sort("_ck")
    # evidence: the person's words first, then the cues in text order
    ev_rows = pl.concat([
        m_ev.select("_ck", pl.lit(-1, pl.Int64).alias("_o"), "_ev"),
        told.select("_ck", pl.col("pos").alias("_o"), "_ev", "asserted", "kind")
        .filter(pl.col("asserted") & (pl.col("kind") != "past")).drop("asserted", "kind"),
    ])
    # cues at one offset keep one order whatever the input order: by kind, then label
    # (kinds and labels by lexical rank: one packed integer key sorts faster than strings)
    kind, label = pl.col("_ev").struct.field("kind"), pl.col("_ev").struct.field("label")
    ranks = ev_rows.select(kind.unique().sort().implode(), label.unique().sort().implode()).row(0)
    ev_rows = sort_packed(ev_rows.with_columns(
        (pl.col("_o") + 1).alias("_o"),
        kind.cast(pl.Enum(ranks[0])).to_physical().alias("_kind"),
        label.cast(pl.Enum(ranks[1])).to_physical().alias("_label"),
        pl.col("_ev").struct.field("end").alias("_end"),
    ), ["_ck", "_o", "_kind", "_label", "_end"])
    evid = ev_rows.with_columns(pl.col("_ck").set_sorted()).group_by(
        "_ck", maintain_order=True).agg(pl.col("_ev").alias("evidence"))
    # past and therapy markers describe the sentence or clause, whoever they are about
    sid = clauses["sid"]
    past = content.filter((pl.col("kind") == "past") & pl.col("asserted"))
    past_sid = sid.gather(past["cid"]).unique().implode()
    therapy = content.filter((pl.col("kind") == "therapy") & pl.col("asserted"))["cid"]

    at = ep["cid"]
    ep = ep.with_columns(
        sid.gather(at).is_in(past_sid).alias("past"),
        at.is_in(therapy.unique().implode()).alias("_therapy_clause"),
        clauses["start"].gather(at).alias("start"),
        clauses["end"].gather(at).alias("end"),
        intensity["intensity"].gather(at).fill_null(0.0),
    )
    for per_pair in (*lists, flags, evid):
        idx = lookup(per_pair["_ck"], ep["_ck"])
        ep = ep.with_columns(per_pair.drop("_ck").select(pl.all().gather(idx)))
    # role and person split once per distinct key, then placed by the key's id
    parts = pl.col("key").str.split_exact("\x1f", 1)
    people = pl.DataFrame({"key": key_type.categories}).select(
        parts.struct.field("field_0").alias("role"),
        pl.when(parts.struct.field("field_1") == "").then(None)
        .otherwise(parts.struct.field("field_1")).alias("person"),
    )
    key_id = ep["key"].to_physical()
    is_therapist = pl.col("role") == "therapist"
    empty = pl.lit([], dtype=pl.List(pl.String()))
    ep = ep.with_columns(
        people["role"].gather(key_id), people["person"].gather(key_id),
        *(pl.col(c).fill_null(empty) for c in ("themes", "responses", "emotions", "negated")),
    ).with_columns(
        (is_therapist | pl.col("_therapy_clause")).alias("in_therapy"),
        (is_therapist & (pl.col("_negative") | pl.col("_rupture")).fill_null(False)
         & ~pl.col("row").is_in(settled.implode()))
        .alias("rupture"),
        (is_therapist & pl.col("_repair").fill_null(False)
         & ~pl.col("row").is_in(undone.implode())).alias("repair"),
        (is_therapist & pl.col("_red").fill_null(False)).alias("red_flag"),
        pl.col("evidence").fill_null(pl.lit([], dtype=pl.List(EVIDENCE))),
    )
    return ep.select("row", *(pl.col(k).cast(EPISODE_SCHEMA[k]) for k in EPISODE_FIELDS))
