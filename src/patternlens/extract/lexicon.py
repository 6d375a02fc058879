"""Loading the word lists (``patternlens/lexicons/*.toml``) into one cue table.

Every phrase becomes an Aho-Corasick pattern over *word-padded* text: the clause lowercased,
made ASCII one character for one character, every character other than ``a-z0-9'_`` turned
into a space, with one space added at each end. A pattern ``" my mom "`` therefore matches
whole words only; ``" criticiz"`` (from ``criticiz*``) matches any word starting so.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import polars as pl

CODE_VERSION = "1.0"

# One cue table row: which kind of cue, which label, how strong, which containment group.
CUE_SCHEMA: dict[str, pl.DataType] = {
    "pattern": pl.String(),
    "kind": pl.String(),
    "label": pl.String(),
    "weight": pl.Float64(),
    "group": pl.String(),
    "gender": pl.String(),  # persons: f, m, plural, any
    "bare": pl.Boolean(),  # persons: no determiner ("Mom said"), checked for "her mom"
    "implicit": pl.Boolean(),  # persons: "my marriage" stands for the partner
    "feel": pl.Boolean(),  # persons: an emotion told with it makes an episode
}

# kinds whose cues go through negation / hypothetical checks and count as episode content
CONTENT_KINDS = ("theme", "response", "emotion", "rupture", "repair", "red_flag", "past", "therapy")


@dataclass(frozen=True)
class Lexicon:
    """Everything the extractor reads from the word lists, compiled once."""

    version: str  # hash of the lexicon files' contents
    cues: pl.DataFrame  # CUE_SCHEMA
    determiners: pl.DataFrame  # (role, det, weak): "my mom", "a therapist" (weak)
    det_re: str  # the determiner (group 1) right before a role noun, adjectives allowed
    blocked_dets: frozenset[str]  # "her mom": someone else's person
    # Window regexes run on the normalized clause text before (or after) a match.
    negator_re: str  # matches a window that ends within `window` words after a negator
    not_negating_re: str
    negator_person_re: str  # one word more: "never been to a therapist"
    engage_after_re: str
    engage_after_verb_re: str
    not_engage_after_re: str  # "our son was two months old": a description
    engage_before_re: str
    block_before_re: str
    predicate_re: str  # "my coworker is a family therapist": a job or identity, nobody's role
    possessed_re: str  # "her mom", "Sam's dad": someone else's person
    learn_name_re: str  # "my partner Sam", "my therapist Dr. Okafor" (groups role, person)
    appositive_name_re: str  # "a therapist since November, Dr. Okafor,"; "my boss, Karen."
    reverse_name_re: str  # "Karen, my boss,"
    title_name_re: str  # "Dr. Okafor" (group person), a therapist in therapy context
    therapy_context_re: str  # the entry speaks of therapy (for titled names)
    other_context_re: str  # the entry speaks of another kind of doctor (for titled names)
    therapist_share: float
    therapy_opening_re: str  # "Therapy." opening the entry or a paragraph (normalized text)
    session_time_re: str  # "the rest of the session": a session told (normalized text)
    session_place_re: str  # "his office", "the whole hour": a session told beside therapy
    pronoun_signal_re: str  # "appointment", "therapy": therapy told, for a bare she/he (norm)
    pronoun_signal_other_re: str  # "her therapist": someone else's, no signal (norm)
    # someone other than a role ("this girl I know", "my client"): an entry naming such a
    # person has an antecedent for its she/he (raw clause text)
    other_person_re: str
    inside_name_re: str  # group 1: a capitalised word inside a sentence ("texted Nia")
    acting_name_re: str  # group 1: a capitalised word opening a sentence and acting
    anaphor_re: str  # clause text before a cue that starts "It ..." / "That ..."
    other_re: str  # someone other than the writer in a clause: "people", "nobody", "me"
    noun_roles: dict[str, str]  # role noun -> role, for learned names
    name_stopwords: frozenset[str]
    third_person_re: str  # "my brother is suicidal": about someone else
    first_person_re: str  # "I feel suicidal": about the writer
    self_re: str  # "I ignored him": the writer's own act, not the other's response
    framed: frozenset[str]  # "pattern\x1flabel" of theme cues that count only after `frame_re`
    framed_patterns: frozenset[str]  # their patterns
    frame_re: str  # clause text before a framed word: "he told me I'm", "she calls me"
    fuss_frame_re: str  # the same for a dismissal: said only, "he says I'm overreacting"
    self_frame_re: str  # the writer's own frame: "I said I was", "I told myself I'm"
    third_object_re: str  # clause text after a theme word: "... her", "... at him"
    third_patient_re: str  # clause text before a participle: "she was ...", "he got ..."
    writer_patient_re: str  # clause text before a participle done to the writer: "i was ..."
    writer_feeler_re: str  # clause text before a theme the writer feels: "i feel so ..."
    participle_re: str  # a cue word that is a participle: "abused", "unheard", "hurt"
    joint_re: str  # "my therapist and I hang out": the writer with the other, not alone
    flip: dict[str, str]  # a negated positive theme reads as a negative one
    rating_re: str
    caps_ignore: frozenset[str]
    intensity: dict[str, float]


_NOT_PHRASE = re.compile(r"[^a-z0-9'_*{} ]")
_SPACES = re.compile(r" +")


@cache
def normalize_phrase(phrase: str) -> str:
    """Normalize a lexicon phrase the way text is normalized (placeholders and * kept)."""
    s = phrase.lower().replace("’", "'").replace("‘", "'")
    return _SPACES.sub(" ", _NOT_PHRASE.sub(" ", s)).strip()


def _expand_slots(phrase: str, slots: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"\{(\w+)\}", phrase)
    if not names:
        return [phrase]
    unique = list(dict.fromkeys(names))
    out = []
    for combo in itertools.product(*(slots[n] for n in unique)):
        p = phrase
        for name, value in zip(unique, combo, strict=True):
            p = p.replace("{" + name + "}", value)
        out.append(p)
    return out


def expand(phrase: str, slots: dict[str, list[str]], suffixes: list[str]) -> list[str]:
    """All Aho-Corasick patterns for one lexicon phrase."""
    out: list[str] = []
    for p in _expand_slots(phrase, slots):
        words = normalize_phrase(p).split(" ")
        if not words or words == [""]:
            continue
        prefix_end = words[-1].endswith("*")
        choices: list[list[str]] = []
        for i, w in enumerate(words):
            if w.endswith("*") and i < len(words) - 1:
                choices.append([w[:-1] + s for s in suffixes])
            else:
                choices.append([w.rstrip("*")])
        for combo in itertools.product(*choices):
            body = " ".join(combo)
            # in a fixed order (a set's would change with the process's string hashing)
            variants = dict.fromkeys((body, body.replace("'", ""))) if "'" in body else (body,)
            for v in variants:
                if v.strip():
                    out.append(" " + v + ("" if prefix_end else " "))
    return out


# what separates words in the normalized text (punctuation is kept there, only lowercased)
SEP = "[^a-z0-9'_]+"
EDGE = "(?:^|[^a-z0-9'_])"  # a word starts here
TAIL = "[^a-z0-9'_]*$"  # only separators up to the end of a window


def _alt(words: list[str]) -> str:
    """A regex alternation of normalized phrases, longest first."""
    norm = sorted({normalize_phrase(w) for w in words}, key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", SEP) for w in norm if w)


def digest(files: dict[str, bytes]) -> str:
    """Hash of the lexicon files (name and contents, in name order): part of the version."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()[:12]


def _files() -> dict[str, bytes]:
    root = resources.files("patternlens") / "lexicons"
    return {e.name: e.read_bytes() for e in root.iterdir() if e.name.endswith(".toml")}


def lexicon_version() -> str:
    """What ``load_lexicon().version`` will be, from the files' hash alone (no compiling)."""
    return f"{CODE_VERSION}+{digest(_files())}"


def _read_all() -> tuple[dict[str, dict[str, Any]], str]:
    files = _files()
    data = {name[: -len(".toml")]: tomllib.loads(raw.decode("utf-8")) for name, raw in files.items()}
    return data, digest(files)


def _rows(
    phrases: list[str],
    kind: str,
    label: str,
    weight: float,
    group: str,
    slots: dict[str, list[str]],
    suffixes: list[str],
    **extra: object,
) -> list[dict[str, object]]:
    rows = []
    for phrase in phrases:
        for pat in expand(phrase, slots, suffixes):
            rows.append(
                {"pattern": pat, "kind": kind, "label": label, "weight": weight, "group": group}
                | extra
            )
    return rows


def _person_rows(roles: dict[str, Any], slots: dict[str, list[str]]) -> list[dict[str, object]]:
    """Role nouns alone; the determiner before them is checked in roles.py."""
    rows: list[dict[str, object]] = []
    for role, spec in roles["roles"].items():
        genders: dict[str, str] = spec.get("genders", {})
        bare = set(spec.get("bare", []))
        for noun in spec["nouns"]:
            gender = genders.get(noun, spec["gender"])
            rows += _rows([noun], "role", role, 0.0, "person", slots, [""], gender=gender,
                          bare=noun in bare, implicit=False, feel=False)
            # "my spouse's narcissism": mentioned (an antecedent), not engaged
            rows.append({"pattern": " " + normalize_phrase(noun) + "'s ", "kind": "role",
                         "label": role, "weight": 0.0, "group": "person", "gender": gender,
                         "bare": False, "implicit": True, "feel": False})
    for gender, words in roles["pronouns"].items():
        rows += _rows(words, "pron", gender, 0.0, "person", slots, [""],
                      gender=gender, bare=False, implicit=False, feel=False)
    for role, spec in roles["implicit"].items():
        rows += _rows(spec["phrases"], "role", role, 0.0, "person", slots, [""], gender="any",
                      bare=False, implicit=True, feel=bool(spec.get("feelings")))
    rows += _rows(roles["blockers"]["phrases"], "block", "block", 0.0, "person", slots, [""])
    return rows


def _determiners(roles: dict[str, Any]) -> pl.DataFrame:
    """Which determiners make a role noun the writer's person: (role, det, weak)."""
    rows = []
    for role, spec in roles["roles"].items():
        for det in roles["determiners"]:
            rows.append({"role": role, "det": det, "weak": False})
        weak = set(spec.get("weak_determiners", []))
        for det in spec.get("extra_determiners", []):
            rows.append({"role": role, "det": det, "weak": det in weak})
    return pl.DataFrame(rows, schema={"role": pl.String, "det": pl.String, "weak": pl.Boolean})


def _build(data: dict[str, dict[str, Any]], lexicon_hash: str) -> Lexicon:
    grammar = data["grammar"]
    slots: dict[str, list[str]] = grammar["slots"]
    suffixes: list[str] = grammar["suffixes"]
    intensity = data["intensity"]
    valence = {normalize_phrase(k): float(v) for k, v in intensity["valence"].items()}

    rows = _person_rows(data["roles"], slots)
    framed_rows: list[dict[str, object]] = []
    for label, spec in data["themes"]["themes"].items():
        framed_rows += _rows(spec.get("framed", []), "theme", label, float(spec["weight"]),
                             "theme", slots, suffixes)
    for kind, file, key in (
        ("theme", "themes", "themes"),
        ("response", "responses", "responses"),
        ("emotion", "emotions", "emotions"),
    ):
        for label, spec in data[file][key].items():
            if not isinstance(spec, dict) or "cues" not in spec:
                continue
            rows += _rows(spec["cues"], kind, label, float(spec["weight"]), kind, slots, suffixes)
    for flag, spec in data["flags"]["flags"].items():
        # a flag's cues are one list ("cues", labelled with the flag) or sub-lists whose names
        # are the labels (rupture: withdrawal, confrontation); the group stays the flag's
        lists = {flag: spec["cues"]} if "cues" in spec else spec
        for label, phrases in lists.items():
            rows += _rows(phrases, flag, label, 0.0, flag, slots, suffixes)
    crisis = data["crisis"]
    rows += _rows(crisis["cues"], "crisis", "crisis", float(intensity["crisis_weight"]), "crisis",
                  slots, suffixes)
    negation = data["negation"]
    rows += _rows(negation["hypothetical"], "hyp", "hyp", 0.0, "hyp", slots, suffixes)
    # longer phrases of the same group: they cover a marker they hold, so it does not count
    # ("going to therapy" is no future); a reported frame ("she asked if") also makes what
    # follows in its clause told rather than hypothetical (cues.py)
    rows += _rows(negation["not_hypothetical"], "nohyp", "nohyp", 0.0, "hyp", slots,
                  suffixes)
    rows += _rows(negation["reported"], "reported", "reported", 0.0, "hyp", slots,
                  suffixes)
    # "I should tell her it hurt": the strain is told, only the telling (the repair) is planned
    rows += _rows(negation["planned_telling"], "plan", "plan", 0.0, "hyp", slots,
                  suffixes)
    rows += _rows(intensity["boosters"], "booster", "booster", 0.0, "booster", slots, suffixes)
    rows += _rows(intensity["strong_phrases"], "strong", "strong",
                  float(intensity["strong_phrase_weight"]), "strong", slots, suffixes)
    rows += _rows(intensity["disproportion_cues"], "disproportion", "disproportion", 0.0,
                  "disproportion", slots, suffixes)

    # a framed word that is also a plain cue of its theme needs no frame
    plain = {(r["pattern"], r["label"]) for r in rows if r["kind"] == "theme"}
    framed = frozenset(f"{r['pattern']}\x1f{r['label']}" for r in framed_rows
                       if (r["pattern"], r["label"]) not in plain)
    rows += framed_rows
    cues = pl.DataFrame(rows, schema=CUE_SCHEMA, orient="row").with_columns(
        pl.col("implicit", "feel").fill_null(False)
    )
    # a cue word's own valence (VADER's where it has one) beats its category's default weight
    cues = cues.with_columns(
        pl.when(pl.col("kind") == "theme")
        .then(pl.lit(float(intensity["theme_weight"])))
        .when(pl.col("pattern").str.strip_chars().is_in(list(valence))
              & pl.col("kind").is_in(["emotion", "response"]))
        .then(pl.col("pattern").str.strip_chars().replace_strict(valence, default=0.0,
                                                                 return_dtype=pl.Float64))
        .otherwise(pl.col("weight"))
        .alias("weight")
    )
    # a person pattern names one role; the first listed wins
    persons = cues.filter(pl.col("group") == "person").unique("pattern", keep="first",
                                                                 maintain_order=True)
    others = cues.filter(pl.col("group") != "person").unique(
        ["pattern", "kind", "label"], keep="first", maintain_order=True
    )
    cues = pl.concat([persons, others])

    roles = data["roles"]
    window = int(negation["window"])
    engage = roles["engagement"]
    blocked_dets = ["his", "her", "their", "your", "some", "every", "no", "other", "one's"]
    noun_roles: dict[str, str] = {}
    for role, spec in roles["roles"].items():
        for noun in spec["nouns"]:
            noun_roles.setdefault(normalize_phrase(noun), role)
    nouns_re = "|".join(
        re.escape(n).replace(r"\ ", "[ -]") for n in sorted(noun_roles, key=len, reverse=True)
        if "_" not in n
    )
    names = roles["names"]
    titles = "|".join(re.escape(t) for t in sorted(names["titles"], key=len, reverse=True))
    name = r"[A-Z][a-z]+"
    person = r"(?P<person>(?:(?:" + titles + r")\s*)?" + name + ")"
    role = r"(?i:(?P<role>" + nouns_re + "))"
    owner = r"(?i:\b(?:my|our)\s+(?:[a-z]+\s+)?)"
    # the name ends the apposition: "my mom, Sam and I" is a list, not a name
    closed = r"\s*(?:[,.;:!?)\n]|$)"
    # "my partner Sam"; with a comma it is an apposition, below
    learn_name_re = owner + role + r"\s+(?i:(?:named|called)\s+)?" + person + r"\b"
    appositive_name_re = (
        r"(?i:\b(?:a|an|my|our)\s+(?:[a-z]+\s+)?)" + role + r"\b[^.!?\n,;:]{0,40},\s+"
        + person + closed
    )
    reverse_name_re = r"\b" + person + r",\s+" + owner + role + closed
    dr = "|".join(re.escape(t) for t in sorted(names["therapist_titles"], key=len, reverse=True))
    title_name_re = r"\b(?:" + dr + r")\.?\s+(?P<person>" + name + r")\b"
    therapy_context_re = r"(?i)\b(?:" + "|".join(re.escape(w) for w in names["therapy_context"]) + r")\b"
    openings = _alt(data["flags"]["therapy_entry"]["openings"])
    signals = "(?:" + _alt(data["flags"]["therapy_entry"]["pronoun_signals"]) + ")(?:[^a-z0-9'_]|$)"
    # whole words: "my t" (a therapist, in forums' shorthand) is no part of "my team", nor "in
    # there" of "in therapy"; a possessive is the word still ("my therapist's office")
    session_time_re = (EDGE + "(?:" + _alt(data["flags"]["therapy_entry"]["session_time"])
                       + ")(?:[^a-z0-9_]|$)")
    session_place_re = (EDGE + "(?:" + _alt(data["flags"]["therapy_entry"]["session_place"])
                        + ")(?:[^a-z0-9'_]|$)")
    therapy_opening_re = r"(?:^|\n)[\s#]*(?:" + openings + r")\s*(?:[.,:;!\n-]|$)"
    dets = _determiners(roles)
    adjectives = roles["adjectives"] + roles["ex_adjectives"]
    words = f"(?:{SEP}[a-z0-9'_]+)"  # one more word back, with its separator

    # what the other says the writer is: "he told me I'm", "she calls me" (themes.toml framed)
    said = "(?:" + _alt(slots["say"]) + ")(?:" + SEP + "that)?" + SEP + "(?:" + _alt(slots["i_am"]) + ")"
    degree = ("(?:" + SEP + "(?:" + _alt(["so", "such", "too", "really", "just", "being", "a total",
              "a complete", "completely", "totally", "always", "the"]) + "))*" + TAIL)
    frame_re = EDGE + "(?:" + said + "|" + _alt(slots["called"]) + ")" + degree
    # a fuss is only said ("says I'm overreacting"); a name is also called ("calls me lazy")
    fuss_frame_re = EDGE + said + degree

    def back(alternation: str, extra_words: int) -> str:
        """A window ending at most `extra_words` words after one of the alternatives."""
        return EDGE + "(?:" + alternation + ")" + words + "{0," + str(extra_words) + "}" + TAIL

    return Lexicon(
        version=f"{CODE_VERSION}+{lexicon_hash}",
        cues=cues,
        determiners=dets,
        det_re=EDGE + "(" + _alt(list(dets["det"].unique()) + blocked_dets) + ")(?:" + SEP
        + "(?:" + _alt(adjectives) + "))*" + SEP + "$",
        blocked_dets=frozenset(blocked_dets),
        negator_re=back(_alt(negation["negators"]) + r"|[a-z]+n't", window - 1),
        negator_person_re=back(_alt(negation["negators"]) + r"|[a-z]+n't", window),
        not_negating_re=back(_alt(negation["not_negating"]), window - 1),
        engage_after_re="^" + TAIL[:-1] + "(?:" + _alt(engage["after"]) + ")(?:[^a-z0-9'_]|$)",
        engage_after_verb_re=engage["after_regex"],
        not_engage_after_re=engage["not_after_regex"],
        engage_before_re=back(_alt(engage["before"]), 2),
        block_before_re=back(_alt(engage["block_before"]), 1),
        predicate_re=back(_alt(engage["predicate"]), 1),
        possessed_re=EDGE + "(?:" + _alt(blocked_dets) + r"|[a-z0-9_]+'s|[a-z0-9_]+s')" + TAIL,
        learn_name_re=learn_name_re,
        appositive_name_re=appositive_name_re,
        reverse_name_re=reverse_name_re,
        title_name_re=title_name_re,
        therapy_context_re=therapy_context_re,
        other_context_re=r"(?i)\b(?:" + "|".join(re.escape(w) for w in names["other_context"])
        + r")\b",
        therapist_share=float(names["therapist_share"]),
        therapy_opening_re=therapy_opening_re,
        session_time_re=session_time_re,
        session_place_re=session_place_re,
        pronoun_signal_re=EDGE + signals,
        pronoun_signal_other_re=EDGE + "(?:" + _alt(blocked_dets)
        + r"|[a-z0-9_]+'s|[a-z0-9_]+s')" + SEP + signals,
        other_person_re=r"(?i:\b(?:" + "|".join(
            re.escape(w) for w in data["flags"]["therapy_entry"]["other_people"]) + r")\b)",
        # a capitalised word inside a sentence may be a name ("texted Nia"); one opening a
        # sentence, when it acts ("Jordan and I talked", "Leo apologized"); both in group 1
        inside_name_re=r"[a-z,;:]\s+([A-Z][a-z]+)",
        acting_name_re=r"^\s*([A-Z][a-z]+)\s+(?:and I|and me|said|says|asked|told|texted"
        + r"|called|apologi[sz]ed|explained|nodded|laughed)\b",
        anaphor_re="^" + TAIL[:-1] + "(?:" + _alt(grammar["carry"]["anaphors"]) + ")(?:" + SEP
        + "|$)",
        other_re=EDGE + "(?:" + _alt(grammar["others"]["words"]) + ")(?:[^a-z0-9'_]|$)",
        noun_roles=noun_roles,
        name_stopwords=frozenset(names["stopwords"]),
        self_re=EDGE + "(?:" + _alt(negation["self_subjects"]) + ")(?:" + SEP + "(?:"
        + _alt(negation["self_bridge"]) + "))*" + TAIL,
        framed=framed,
        framed_patterns=frozenset(f.split("\x1f")[0] for f in framed),
        frame_re=frame_re,
        fuss_frame_re=fuss_frame_re,
        self_frame_re=EDGE + "(?:" + _alt(negation["self_subjects"]) + ")(?:" + SEP + "(?:"
        + _alt(negation["self_bridge"]) + "))*" + SEP + frame_re[len(EDGE):],
        third_object_re="^" + SEP + "(?:(?:" + _alt(negation["third_object_bridge"]) + ")" + SEP
        + "(?:" + _alt(negation["third_objects"] + negation["third_possessives"]) + ")|(?:"
        + _alt(negation["third_objects"]) + "))(?:[^a-z0-9'_]|$)",
        third_patient_re=EDGE + "(?:" + _alt(negation["third_patients"])
        + r"|(?:my|our|his|her|their|[a-z]+'s)" + SEP + "(?:" + nouns_re.replace("[ -]", SEP)
        + "))" + SEP + "(?:"
        + _alt(negation["self_bridge"]) + SEP + ")*(?:" + _alt(negation["passive_be"]) + ")"
        + TAIL,
        writer_patient_re=EDGE + "(?:" + _alt(negation["writer_patients"]) + ")(?:" + SEP + "(?:"
        + _alt(negation["writer_bridge"]) + "))*" + TAIL,
        writer_feeler_re=EDGE + "(?:" + _alt(negation["writer_feelers"]) + ")(?:" + SEP + "(?:"
        + _alt(negation["writer_bridge"]) + "))*" + TAIL,
        participle_re="^(?:[a-z']*(?:" + _alt(negation["participle_endings"]) + ")|"
        + _alt(negation["participle_words"]) + ")(?:[^a-z0-9'_]|$)",
        joint_re=EDGE + "(?:" + _alt(negation["joint_subjects"]) + ")(?:" + SEP
        + "(?:" + _alt(negation["self_bridge"]) + "))*" + TAIL,
        flip=dict(data["themes"].get("flip", {})),
        first_person_re=back(_alt(crisis["first_person"]), 2),
        third_person_re=EDGE + "(?:" + _alt(crisis["third_person"]) + ")(?:" + SEP + "(?:"
        + _alt(crisis["bridge"]) + ")){0,4}" + TAIL,
        rating_re=intensity["rating_regex"],
        caps_ignore=frozenset(intensity["caps_ignore"]),
        intensity={
            k: float(intensity[k])
            for k in ("scale", "booster", "booster_weight", "caps", "exclamation",
                      "max_exclamations", "disproportion", "disproportion_floor")
        },
    )


def compile_lexicon() -> Lexicon:
    """The packaged lexicon, compiled from its word lists."""
    data, lexicon_hash = _read_all()
    return _build(data, lexicon_hash)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The packaged lexicon, once per process: the compiled copy on disk when there is one
    for these word lists and this code (``extract.compiled``), else compiled here."""
    from patternlens.extract import compiled  # it imports this module

    return compiled.load(compile_lexicon)
