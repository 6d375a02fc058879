"""What a journal tells beyond one sentence: names learned from appositions and titles across
a writer's entries, the therapist behind a pronoun in a therapy entry, a felt response carried
from the sentence before, and the 3RS kind of a rupture marker."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from extract_helpers import entries_frame, entry, episodes_of, run

from patternlens.extract import extract


def _pairs(eps: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(e["role"], t) for e in eps for t in e["themes"]}


def _rupture_labels(eps: list[dict[str, Any]]) -> set[str]:
    return {v["label"] for e in eps for v in e["evidence"] if v["kind"] == "rupture"}


def test_appositive_name_is_learned_for_later_entries() -> None:
    x = run("I've been seeing a therapist since November, Dr. Okafor, on Tuesdays.",
            "Dr. Okafor asked how my week was.",
            "My boss, Karen, rewrote my copy.",
            "Karen decided the launch date without me.")
    assert entry(x, 1)["roles"] == ["therapist"]
    assert {e["person"] for e in episodes_of(x, 1)} == {"Dr. Okafor"}
    assert entry(x, 3)["roles"] == ["boss"]


def test_name_before_its_role_is_learned() -> None:
    x = run("I had lunch with Priya, my best friend.", "Priya said she was proud of me.")
    assert entry(x, 1)["roles"] == ["friend"]


def test_a_list_after_a_role_is_not_a_name() -> None:
    x = run("My mom, Jules and I went to the market.", "Jules said she was proud of me.")
    assert "mother" not in entry(x, 1)["roles"]


def test_names_are_learned_per_writer() -> None:
    later = "Karen said she was proud of me."
    frame = pl.concat([entries_frame(["My boss, Karen, rewrote my copy.", later], subject="a"),
                       entries_frame([later], subject="b")])
    x = extract(frame)
    assert x.entries["roles"].to_list()[1:] == [["boss"], []]


def test_titled_name_is_the_therapist_in_therapy_context() -> None:
    x = run("Therapy today. Dr. Lee asked about my sleep.", "Dr. Lee said I was doing well.")
    assert entry(x, 1)["roles"] == ["therapist"]
    assert entry(x, 1)["in_therapy"]


def test_titled_name_without_therapy_context_is_nobody() -> None:
    x = run("Dr. Lee checked my knee.", "Dr. Lee said I was doing well.")
    assert entry(x, 1)["roles"] == []


def test_pronoun_without_antecedent_in_a_therapy_entry_is_the_therapist() -> None:
    x = run("Therapy. She asked about my week, and I told her it hurt.")
    e = entry(x)
    assert e["roles"] == ["therapist"] and e["in_therapy"] and e["repair"]


@pytest.mark.parametrize(
    "text",
    [
        "She asked about my week, and I told her about the trip.",
        # with a repair marker, but no therapy told in the entry (test_pronoun_therapy.py)
        "She asked about my week, and I told her it hurt.",
        # with a repair marker, but a question asked: advice sought, no session told
        "She asked about my week, and I told her it hurt. Was that wrong?",
        # with a repair marker, but someone who is no role for her to be
        "I met a girl at the gym. She asked about my week, and I told her it hurt.",
    ],
)
def test_pronoun_without_antecedent_elsewhere_is_nobody(text: str) -> None:
    x = run(text)
    assert entry(x)["roles"] == [] and not entry(x)["repair"]


def test_pronoun_in_a_therapy_entry_still_takes_its_antecedent() -> None:
    x = run("Therapy. We talked about my sister Tess. She never listens to me.")
    assert _pairs(episodes_of(x)) == {("sibling", "dismissed")}


def test_felt_response_attaches_to_the_person_of_the_previous_sentence() -> None:
    x = run("My mom glanced at her phone while I talked. It felt like being brushed off.")
    assert _pairs(episodes_of(x)) == {("mother", "dismissed")}


def test_felt_response_does_not_cross_a_paragraph() -> None:
    x = run("My mom glanced at her phone while I talked.\n\nIt felt like being brushed off.")
    assert ("mother", "dismissed") not in _pairs(episodes_of(x))


def test_withdrawal_and_confrontation_markers_are_labelled() -> None:
    x = run("Therapy. I didn't tell her how much it hurt. Then I went quiet.",
            "Therapy. She asked about the log, and I'm annoyed about the homework. "
            "I told her I don't think this is helping.")
    assert entry(x, 0)["rupture"] and entry(x, 1)["rupture"]
    assert _rupture_labels(episodes_of(x, 0)) == {"withdrawal"}
    assert _rupture_labels(episodes_of(x, 1)) == {"confrontation"}


def test_therapist_apology_is_a_repair() -> None:
    # an apology repairs a strain the entry tells (here a hurt felt); with none it repairs
    # nothing (test_flags: an apology or explanation without a strain)
    x = run("Therapy. I felt hurt. She put her notebook down and apologized. She explained "
            "that she had been watching the time.")
    e = entry(x)
    assert e["repair"] and not e["rupture"]


def test_a_theme_that_does_not_point_back_stays_unowned() -> None:
    x = run("My mom glanced at her phone while I talked. I feel judged by everyone.")
    assert ("mother", "judged") not in _pairs(episodes_of(x))
    assert "judged" in entry(x)["themes"]


def test_new_entries_with_prior_evidence_read_as_in_the_whole_journal() -> None:
    """The store extracts only new entries when their journal's names stay the same: with the
    other entries' stored evidence, a new entry comes out as a whole-journal run gives it."""
    texts = ["I've been seeing a therapist since November, Dr. Okafor, on Tuesdays.",
             "My boss, Karen, rewrote my copy.", "Therapy today. Dr. Lee asked about my sleep.",
             "Karen decided the launch date without me.", "Dr. Okafor said I seemed far away.",
             "Dr. Lee said I was doing well."]
    frame = entries_frame(texts)
    whole = extract(frame)
    old = extract(frame.head(3))
    new = extract(frame.tail(3), prior=old.name_evidence)
    assert new.entries.to_dicts() == whole.entries.tail(3).to_dicts()
    assert new.episodes.to_dicts() == whole.episodes.filter(
        pl.col("entry_id").is_in(frame.tail(3)["entry_id"].to_list())).to_dicts()
    # without the evidence the new entries lose the names learned earlier
    alone = extract(frame.tail(3))
    assert alone.entries["roles"].to_list() != whole.entries.tail(3)["roles"].to_list()
    # evidence is per entry: all of it is the sum of its parts
    both = pl.concat([old.name_evidence, new.name_evidence])
    assert both.sort(pl.all()).equals(whole.name_evidence.sort(pl.all()))


def test_session_words_make_an_unnamed_pronoun_the_therapist() -> None:
    # no "Therapy." opening: the session spoken of is enough for "she" with no antecedent
    x = run("She asked about the drinking and I didn't tell her. Same as every week in my therapy.")
    e = entry(x)
    assert e["roles"] == ["therapist"] and e["rupture"]


def test_session_words_leave_a_pronoun_with_its_antecedent() -> None:
    x = run("After my session my sister called. She never listens to me.")
    assert _pairs(episodes_of(x)) == {("sibling", "dismissed")}


def test_a_felt_response_goes_to_the_person_named_later_in_its_sentence() -> None:
    # nobody in its clause or before it: the person the sentence names after it is the one
    x = run("At first I felt kind of betrayed, but my sister explained what she had meant.")
    assert ("sibling", "betrayed") in _pairs(episodes_of(x))


def test_titled_name_no_entry_places_is_the_therapist() -> None:
    # one entry, no therapy word, no other doctor's word: a journal's "Dr. Name" is its
    # therapist
    x = run("Dr. Voss leaned over the desk and said he was disappointed in me.")
    assert entry(x)["roles"] == ["therapist"]
    assert entry(x)["in_therapy"]


def test_titled_name_of_another_doctor_is_nobody() -> None:
    x = run("Dr. Reyes is my dentist, and he was lovely today. No cavities.")
    assert entry(x)["roles"] == []
    assert not entry(x)["in_therapy"]


@pytest.mark.parametrize("text", [
    "The homework is a letter I'll never send. I told her I think it's stupid.",
    "I spent the hour on small talk. She let me.",
    "I asked for a referral and she said no, she is all I need.",
])
def test_pronoun_without_antecedent_in_a_therapy_setting_is_the_therapist(text: str) -> None:
    x = run(text)
    assert "therapist" in entry(x)["roles"]
    assert entry(x)["in_therapy"]
