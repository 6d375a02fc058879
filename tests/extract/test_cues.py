"""Negation, sarcasm, hypotheticals, hedges and the writer's own acts."""

from __future__ import annotations

import pytest
from extract_helpers import entry, episodes_of, people_frame, run, themes


def test_negated_theme_is_listed_not_counted() -> None:
    x = run("Priya didn't judge me today.", people=people_frame(("me", "Priya", "therapist")))
    (ep,) = episodes_of(x)
    assert ep["role"] == "therapist" and ep["person"] == "Priya"
    assert ep["themes"] == [] and ep["negated"] == ["judged"]
    assert "judged" not in themes(x)


def test_same_theme_without_negation_counts() -> None:
    x = run("Priya judged me today.", people=people_frame(("me", "Priya", "therapist")))
    assert themes(x) == ["judged"]


def test_sarcastic_negation_is_negative() -> None:
    x = run("My mom forgot my birthday again. Not that she ever cared.")
    assert "uncared" in themes(x)
    assert any("uncared" in ep["themes"] and ep["role"] == "mother" for ep in episodes_of(x))


def test_negated_support_reads_as_dismissal() -> None:
    x = run("My sister never really believed me.")
    assert themes(x) == ["dismissed"]


def test_feared_reaction_is_hypothetical() -> None:
    x = run("My dad called. I'm afraid he'll think I'm dramatic.")
    assert themes(x) == []
    assert all(ep["themes"] == [] for ep in episodes_of(x))


def test_conditional_leaving_is_not_abandonment() -> None:
    x = run("My wife is away this week. If she left I would be lost.")
    assert "abandoned" not in themes(x)


def test_told_leaving_is_abandonment() -> None:
    x = run("My wife left me last spring.")
    assert themes(x) == ["abandoned"]


def test_writer_as_subject_is_not_the_others_response() -> None:
    x = run("I ignored my brother all day.")
    assert themes(x) == []


def test_passive_voice_keeps_the_theme() -> None:
    x = run("I was yelled at by my boss in front of everyone.")
    assert themes(x) == ["mistreated"]
    assert entry(x)["roles"] == ["boss"]


def test_paraphrase_families_of_themes() -> None:
    # common paraphrases, not only the head words: being put down, brushed off, shut out, neglected
    x = run("My husband puts me down in front of his friends. When I tell him it bothers me he "
            "blows me off. Now he gives me the silent treatment and stays out all night.")
    assert {"judged", "dismissed", "rejected", "abandoned"} <= set(themes(x))


def test_felt_theme_after_i_felt_is_the_others_response() -> None:
    # a cue starting "felt ..." was blocked as the writer's own act after "I"
    x = run("I told my mom about the interview and I felt brushed off.")
    assert "dismissed" in themes(x)


def test_words_about_the_other_are_not_a_felt_response() -> None:
    # "selfish" is the writer's view of him; "it hurt me" is the writer's pain, not abuse
    x = run("My boyfriend is so selfish. He cheated on me and it hurt me so much.")
    assert themes(x) == ["betrayed"]


def test_time_apart_is_being_pushed_away() -> None:
    x = run("My husband says he needs some time apart from me.")
    assert themes(x) == ["rejected"]


def test_going_somewhere_is_no_future() -> None:
    # "going to" before a place is motion, not a hypothetical marker
    e = entry(run("I kept going to the sessions and my therapist never asked about my dad."))
    assert "therapist" in e["roles"] and e["in_therapy"]
    assert not entry(run("I'm going to try therapy someday."))["in_therapy"]


def test_the_others_reported_question_is_told() -> None:
    e = entry(run("My counselor asked if I'd be interested in investing in her retreat."))
    assert e["red_flag"]
    e = entry(run("She told me if I report her she'll share my session notes with my ex."))
    assert e["red_flag"]


def test_the_writers_own_question_stays_hypothetical() -> None:
    x = run("I asked if my therapist would ever date a client.")
    assert not entry(x)["red_flag"]


@pytest.mark.parametrize(("text", "theme"), [
    ("My mom brushes off my anxiety.", "dismissed"),
    ("My dad never takes my feelings seriously.", "dismissed"),
    ("My boyfriend ignores everything I say.", "dismissed"),
    ("My ex refuses to help with our son.", "abandoned"),
    ("My friends stopped inviting me to things.", "rejected"),
    ("My mom decides everything for me.", "controlled"),
    ("My best friend told everyone my secret.", "betrayed"),
    ("My parents don't seem interested in my life.", "uncared"),
    ("My husband always takes what I say the wrong way.", "misunderstood"),
    ("My mother-in-law makes snide comments about my weight.", "judged"),
])
def test_theme_families_in_any_person_and_tense(text: str, theme: str) -> None:
    assert theme in themes(run(text))


@pytest.mark.parametrize(("text", "theme"), [
    ("My mom told me she wished I was never born.", "rejected"),
    ("My husband won't touch me anymore.", "rejected"),
    ("When I was in the hospital my sister didn't even visit.", "abandoned"),
    ("My mom told me I was making a big deal out of nothing.", "dismissed"),
    ("My husband tells me what to wear.", "controlled"),
    ("My mom never asks how I'm doing.", "uncared"),
])
def test_more_theme_families(text: str, theme: str) -> None:
    assert theme in themes(run(text))


def test_the_writers_own_wish_not_to_be_born_is_no_rejection() -> None:
    assert "rejected" not in themes(run("Sometimes I wish I wasn't born."))


@pytest.mark.parametrize("text", [
    "My friend's husband choked her and hit her.",
    "My girlfriend was abused as a child.",
    "I take my anger out on my son by screaming at him.",
    "My fiancée grew up around so much yelling at them.",
])
def test_a_theme_done_to_someone_else_is_not_the_writers(text: str) -> None:
    # the object or the patient of the theme word is a third person
    assert "mistreated" not in themes(run(text))


@pytest.mark.parametrize(("text", "theme"), [
    ("My mom screams at me.", "mistreated"),
    ("He talks badly about me to his friends.", "judged"),
    ("My husband was abusive.", "mistreated"),
    ("Since we split I've heard many lies from him.", "betrayed"),
])
def test_a_theme_done_to_the_writer_stays(text: str, theme: str) -> None:
    assert theme in themes(run(text))


@pytest.mark.parametrize("text", [
    "I have a history of sexual abuse and a long history of depression.",
    "I feel like I am internally screaming all the time.",
    "Every medicine I have been on my body rejects.",
    "I am extremely possessive in my relationships.",
])
def test_a_theme_word_with_nobody_there_labels_nothing(text: str) -> None:
    assert themes(run(text)) == []


@pytest.mark.parametrize(("text", "theme"), [
    ("I was abused as a child.", "mistreated"),
    ("I was bullied all through school.", "mistreated"),
    ("I was sexually assaulted in college.", "mistreated"),
    ("I was cheated on last year.", "betrayed"),
    ("I've been rejected again.", "rejected"),
    ("I got ignored all day at work.", "uncared"),
    ("I feel so unheard lately.", "dismissed"),
])
def test_a_theme_done_to_the_writer_or_felt_needs_no_one_named(text: str, theme: str) -> None:
    # the writer is the passive subject or the one feeling it: their experience, told
    assert themes(run(text)) == [theme]


@pytest.mark.parametrize("text", [
    "There is a history of sexual abuse.",
    "My girlfriend was abused as a child.",
    "He choked her.",
    # after "I was" only a participle is done to the writer; these are the writer's own acts
    "I was abusive.",
    "I was yelling.",
    "I was judgmental.",
])
def test_a_theme_not_done_to_the_writer_stays_unlabelled(text: str) -> None:
    assert themes(run(text)) == []


@pytest.mark.parametrize(("text", "theme"), [
    ("People have been calling me names.", "mistreated"),
    ("I feel like nobody cares for me.", "uncared"),
    ("Five employers have rejected me.", "rejected"),
    ("My doc doesn't want to discuss it.", "dismissed"),
])
def test_a_theme_of_someone_unnamed_still_counts(text: str, theme: str) -> None:
    assert theme in themes(run(text))


@pytest.mark.parametrize(("text", "theme"), [
    ("My husband told me I'm worthless.", "judged"),
    ("My parents think I was lazy.", "judged"),
    ("She keeps saying that I'm a bad mother.", "judged"),
    ("My dad says I'm just looking for attention.", "dismissed"),
    ("My mom said depression isn't real.", "dismissed"),
    ("My wife wants to separate.", "rejected"),
    ("My fiance called off the engagement.", "rejected"),
    ("She stopped answering my calls.", "abandoned"),
    ("My husband has been hiding money from me.", "betrayed"),
    ("My fiance lied about his past.", "betrayed"),
    ("My dad never made time for me.", "uncared"),
    ("My husband controls all our money.", "controlled"),
    ("My brother bullies me.", "mistreated"),
])
def test_general_phrase_families(text: str, theme: str) -> None:
    assert theme in themes(run(text))


def test_what_the_writer_says_of_themself_is_no_judgement() -> None:
    assert "judged" not in themes(run("I said I was lazy and stupid."))


@pytest.mark.parametrize("text", [
    "My husband told me I am stupid.", "My husband thinks I am selfish.", "My mom says I am lazy.",
])
def test_a_framed_word_after_i_am_spelled_out_counts(text: str) -> None:
    # the "i am" the frame ends in is not the writer as the subject of the judgement
    assert themes(run(text)) == ["judged"]


@pytest.mark.parametrize("text", [
    "I said I am stupid.", "I am stupid.", "My doctor says I am healthy.",
])
def test_i_am_without_the_others_frame_is_no_judgement(text: str) -> None:
    assert themes(run(text)) == []


def test_a_need_is_a_wish_not_the_others_response() -> None:
    assert "understood" not in themes(run("I feel like I still need his validation."))
    assert "understood" in themes(run("My sister validated my feelings."))


@pytest.mark.parametrize("text", ["I said I was selfish.", "I always say I am worthless.",
                                  "Sometimes I think I'm overreacting."])
def test_the_writers_own_words_about_themself_are_no_theme(text: str) -> None:
    assert themes(run(text)) == []
