"""Therapy flags (rupture, repair, red flag), past, crisis."""

from __future__ import annotations

import pytest
from extract_helpers import entry, run


def test_rupture_withdrawal_in_therapy() -> None:
    e = entry(run("My therapist looked at her watch and I didn't tell her how that felt."))
    assert e["in_therapy"] and e["rupture"] and not e["repair"]


def test_rupture_confrontation_marker() -> None:
    e = entry(run("I've tried various therapists, but nothing has helped."))
    assert e["rupture"] and e["in_therapy"]


def test_repair_is_not_rupture() -> None:
    e = entry(run("I told my therapist it hurt, and she apologized."))
    assert e["repair"] and not e["rupture"] and not e["red_flag"]


def test_rupture_then_repair_in_one_entry() -> None:
    e = entry(run("Last week my therapist seemed bored. Today we talked about last session "
                  "and she explained why she was distracted."))
    assert e["rupture"] and e["repair"]


@pytest.mark.parametrize(
    "text",
    [
        "My therapist asked me out for drinks after our session.",
        "My therapist asked me to invest in his business.",
        "My therapist told my mom what I said in session.",
        "My counselor wants to be friends outside our sessions.",
    ],
)
def test_red_flag(text: str) -> None:
    assert entry(run(text))["red_flag"]


@pytest.mark.parametrize(
    "text",
    [
        "My therapist challenged me on my excuses and it was uncomfortable.",
        "My therapist misunderstood what I meant about work.",
        "My therapist is more direct than I expected.",
        "My boyfriend asked me out for drinks.",
    ],
)
def test_normal_challenge_is_not_a_red_flag(text: str) -> None:
    assert not entry(run(text))["red_flag"]


def test_other_persons_therapy_is_not_mine() -> None:
    e = entry(run("My daughter's boyfriend is in therapy for depression."))
    assert not e["in_therapy"]


@pytest.mark.parametrize(
    "text", ["Growing up, my dad used to yell at me.", "When I was a kid my mom ignored me."]
)
def test_past(text: str) -> None:
    x = run(text)
    assert entry(x)["past"]
    assert any(ep["past"] for ep in entry(x)["episodes"])


def test_present_is_not_past() -> None:
    assert not entry(run("My dad yelled at me this morning."))["past"]


@pytest.mark.parametrize(
    ("text", "crisis"),
    [
        ("Some nights I want to kill myself.", True),
        ("I told my therapist I feel suicidal.", True),
        ("I keep thinking about hurting myself.", True),
        ("My brother is suicidal and I am scared for him.", False),
        ("My parents committed suicide when I was young.", False),
        ("I'm not suicidal, just tired.", False),
        ("My boss killed the project today.", False),
    ],
)
def test_crisis_is_about_the_writer(text: str, crisis: bool) -> None:
    assert entry(run(text))["crisis"] is crisis


def test_red_flag_felt_as_a_strain_is_also_a_rupture() -> None:
    felt = entry(run("My therapist asked to borrow money from me. I said yes and now I feel sick "
                     "and anxious about it."))
    welcomed = entry(run("My therapist asked to borrow money from me. I said yes, no big deal."))
    assert felt["red_flag"] and felt["rupture"]
    assert welcomed["red_flag"] and not welcomed["rupture"]


@pytest.mark.parametrize(
    "text",
    [
        "My counselor says I don't need the eating disorder program my GP recommended.",
        "My therapist won't send my records to the new clinic.",
        "My therapist keeps texting me at night with heart emojis.",
        "My therapist asked me to leave a review for her practice.",
    ],
)
def test_red_flag_families(text: str) -> None:
    assert entry(run(text))["red_flag"]


@pytest.mark.parametrize(
    "text",
    [
        "She said I don't need to apologize so much. My therapist is kind like that.",
        "My therapist explained she consults a supervisor about cases, without names.",
    ],
)
def test_normal_words_near_red_flag_families_are_not_one(text: str) -> None:
    assert not entry(run(text))["red_flag"]


@pytest.mark.parametrize(
    "text",
    [
        "Therapy. I kept it vague again and changed the subject when she asked about Mom.",
        "Session today. I pretended I was fine and watched the clock the whole time.",
        "Eight months of therapy and I'm back to square one. I don't see the point anymore.",
        "My therapist kept looking at the clock while I talked. I felt like just a number.",
    ],
)
def test_rupture_marker_families(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and e["rupture"]


def test_writer_past_perfect_is_told_not_hypothetical() -> None:
    # "I'd felt" is "I had felt": it happened
    e = entry(run("Therapy. I said I'd felt judged by her last week."))
    assert e["rupture"] and "judged" in e["themes"]


@pytest.mark.parametrize("text", [
    "My therapist apologized for running five minutes late. Didn't bother me at all.",
    "Dr. Reyes explained why we start exposure with small things. Makes sense.",
    "My therapist apologized that her office double-billed me, already refunded.",
])
def test_an_apology_or_explanation_without_a_strain_is_no_repair(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and not e["repair"] and not e["rupture"]


def test_an_apology_after_a_strain_is_a_repair() -> None:
    e = entry(run("My therapist mixed up my sister's name again and it stung. "
                  "My therapist apologized."))
    assert e["repair"]


def test_not_bothered_is_not_indifference() -> None:
    assert entry(run("My mom called late but it didn't bother me at all."))["themes"] == []
    assert entry(run("My mom didn't even bother to call."))["themes"] == ["uncared"]


@pytest.mark.parametrize("text", [
    "I didn't tell my therapist about the relapse.",
    "I keep telling my therapist everything is fine when it isn't.",
    "I keep skipping my appointments with my counselor.",
    "I feel like I'm wasting my therapist's time.",
    "I keep thinking about quitting therapy.",
    "Therapy feels pointless lately.",
    "I left my session feeling worse than when I went in.",
    "My therapist made me feel like a bad person.",
    "My therapist seemed annoyed with me.",
    "My psychologist made a face when I mentioned my girlfriend.",
    "My therapist kept checking her phone while I talked.",
])
def test_rupture_families_beyond_one_phrasing(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and e["rupture"]


@pytest.mark.parametrize("text", [
    "My therapist checked the time and said we had ten minutes left, which was helpful.",
    "I didn't tell my sister about the new job yet.",
    "My husband was annoyed with me for forgetting the keys. My therapist laughed about it.",
    "Therapy has been really good lately, I feel lighter.",
    "She moved my appointment to 4pm. Told her it's fine, and it genuinely is.",
])
def test_near_misses_of_rupture_families_are_not_one(text: str) -> None:
    assert not entry(run(text))["rupture"]


@pytest.mark.parametrize("text", [
    "My therapist and I hang out on weekends now.",
    "My therapist talked about my case at a conference and used my real name.",
    "My therapist keeps commenting on how pretty I am.",
    "My therapist told me I can't see a psychiatrist while I'm seeing her.",
    "My therapist said he'd drop me as a client if I went to the hospital again.",
])
def test_red_flag_families_beyond_one_phrasing(text: str) -> None:
    assert entry(run(text))["red_flag"]


@pytest.mark.parametrize("text", [
    "My therapist explained the limits of confidentiality in the first session.",
    "My therapist said I can't see a way forward while I'm this tired, which felt true.",
    "My therapist said I'm fit to go back to work.",
    "I told my friend what my therapist said about boundaries.",
])
def test_normal_talk_near_red_flag_families_is_not_one(text: str) -> None:
    assert not entry(run(text))["red_flag"]


@pytest.mark.parametrize("text", [
    "Last week I felt dismissed by my therapist. Today I told her, and she listened and "
    "apologized.",
    "I skipped two sessions because I was angry at my counselor. Today I went back and told "
    "him why.",
    "My therapist was cold last week. We spent the session talking about the rupture between "
    "us, and it felt good to clear it up.",
])
def test_repair_families_beyond_one_phrasing(text: str) -> None:
    e = entry(run(text))
    assert e["repair"]


def test_a_return_with_no_strain_is_no_repair() -> None:
    assert not entry(run("My therapist was away for a week. I went back today and we talked "
                         "about my new job."))["repair"]


def test_rupture_marker_naming_nobody_in_an_entry_with_the_therapist() -> None:
    e = entry(run("Went quiet again and stared at the floor. My therapist asked what was going "
                  "on."))
    assert e["rupture"]
    # with nobody of the writer's therapy in the entry it stays nobody's
    assert not entry(run("Went quiet again and stared at the floor. It was a long day."))[
        "rupture"]


def test_a_planned_telling_tells_the_strain_not_the_repair() -> None:
    # the hurt is the writer's, told here; telling the therapist is only planned
    e = entry(run("I should tell my therapist that she hurt my feelings last week. Maybe "
                  "Thursday."))
    assert e["rupture"] and not e["repair"]
    e = entry(run("I want to tell my counselor I felt dismissed when she laughed, and clear "
                  "the air."))
    assert e["rupture"] and not e["repair"]


@pytest.mark.parametrize("text", [
    "My therapist keeps recommending her yoga class, so I signed up to be polite.",
    "I talked about the weekend with my therapist instead of saying what actually happened.",
    "My therapist asked about the assault and I danced around it.",
])
def test_appeasing_and_talking_around_it_are_withdrawal(text: str) -> None:
    assert entry(run(text))["rupture"]


def test_politeness_elsewhere_is_no_rupture() -> None:
    assert not entry(run("I went to my aunt's party to be polite."))["rupture"]


def test_the_therapist_named_by_role_fills_an_object_slot() -> None:
    # "{obj}" covers "my therapist" as it covers "her"
    assert entry(run("I ghosted my therapist for a month."))["rupture"]
    assert entry(run("I felt dismissed last week. Today I'm glad I told my counselor."))[
        "repair"]


@pytest.mark.parametrize(
    "text",
    [
        # wanting out is a state told, not a hypothetical, even with no therapist named
        "I want to quit therapy. Eight months and nothing changes.",
        "Honestly thinking about stopping counseling, it just isn't helping.",
        "Therapy isn't doing anything for me anymore.",
    ],
)
def test_wanting_out_of_therapy_is_a_rupture(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and e["rupture"]


@pytest.mark.parametrize(
    "text",
    [
        "I want to quit my job so badly.",
        "I really should find a therapist.",
        "My sister's therapist was rude to her.",
        "He lied to me again and I can't stand it.",
    ],
)
def test_the_same_words_outside_my_therapy_are_no_rupture(text: str) -> None:
    e = entry(run(text))
    assert not e["rupture"] and not e["in_therapy"]


@pytest.mark.parametrize(
    "text",
    [
        "I lied to my therapist about the drinking again.",
        "My therapist forgot I'd told her about the miscarriage.",
        "I don't feel heard in there, my therapist just moves on.",
        "Snapped at my psychiatrist today and I'm still annoyed.",
    ],
)
def test_rupture_markers_in_other_words(text: str) -> None:
    assert entry(run(text))["rupture"]


@pytest.mark.parametrize(
    "text",
    [
        "My therapist said I should stop the meds my psychiatrist prescribed.",
        "Dr. Sato and I go to the same gym and now we grab food after.",
        "My psychologist offered to knock the fee down if I help out at his office.",
        "My therapist mentioned something I'd only said in session, in front of the other "
        "parents.",
        "My counselor suggested I join her essential oils business.",
    ],
)
def test_red_flag_in_other_words(text: str) -> None:
    assert entry(run(text))["red_flag"]


@pytest.mark.parametrize(
    "text",
    [
        # the writer's own affair told in therapy crosses no line
        "My therapist didn't judge me when I told her about the affair.",
        "My therapist pushed back hard on my plan, uncomfortable but fair.",
        "My therapist told me to grab lunch with a friend this week.",
    ],
)
def test_normal_therapy_is_no_red_flag(text: str) -> None:
    assert not entry(run(text))["red_flag"]


@pytest.mark.parametrize(
    "text",
    [
        # the entry tells therapy itself (flags.toml pronoun_signals, test_pronoun_therapy.py)
        "it isnt helping. i keep going to counseling but its not helping and i can't tell him "
        "that",
        "I yelled at her today, actually yelled \"you're not helping\". She didn't get "
        "defensive. The appointment ran over.",
    ],
)
def test_unnamed_she_or_he_with_a_rupture_is_the_therapist(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and e["rupture"] and "therapist" in e["roles"]


@pytest.mark.parametrize(
    "text",
    [
        "it isnt helping. i keep going but its not helping and i can't tell him that",
        "I yelled at her today, actually yelled \"you're not helping\". She didn't get defensive.",
    ],
)
def test_unnamed_she_or_he_with_a_rupture_and_no_therapy_told_is_nobody(text: str) -> None:
    # could be a partner, a sister, a boss: with no therapy word the pronoun stays unresolved
    e = entry(run(text))
    assert not e["in_therapy"] and e["roles"] == []


@pytest.mark.parametrize(
    "text",
    [
        # a name, a person who is no role, a question: the pronoun has someone else to be
        "Texted Nia that I felt misread when she said I'm always busy. She explained.",
        "I talked to this girl I know and she lied to me, so I shut down.",
        "He shut down again when I asked. How do I get him to open up?",
        # a rupture marker in the sentence of no pronoun
        "He texted at noon. I didn't tell anyone about the test results.",
    ],
)
def test_unnamed_pronoun_with_someone_else_to_be_is_no_therapist(text: str) -> None:
    e = entry(run(text))
    assert not e["in_therapy"] and not e["rupture"] and "therapist" not in e["roles"]


@pytest.mark.parametrize(
    "text",
    [
        "I told my therapist I felt rushed and she said that's just how the schedule works. "
        "I dropped it.",
        "I told my therapist it hurt, and she said I was overreacting.",
    ],
)
def test_a_repair_brushed_off_is_no_repair(text: str) -> None:
    x = run(text)
    e = entry(x)
    assert e["rupture"] and not e["repair"]
    # the episodes, which the rupture ledger also reads, agree
    assert not any(ep["repair"] for ep in e["episodes"])


def test_a_repair_after_the_brush_off_still_counts() -> None:
    e = entry(run("My therapist got defensive at first when I said I felt judged. Then she "
                  "apologized and we talked it through."))
    assert e["rupture"] and e["repair"]


@pytest.mark.parametrize(
    "text",
    [
        "My therapist challenged me on the \"I'm fine\" thing and said he doesn't believe me. "
        "It stung a bit, but he was right.",
        "My therapist pushed back hard on my plan to move. Uncomfortable, but fair.",
    ],
)
def test_a_challenge_the_writer_calls_right_is_no_rupture(text: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and not e["rupture"]
    assert not any(ep["rupture"] for ep in e["episodes"])


def test_a_strain_told_after_the_fair_point_is_still_a_rupture() -> None:
    e = entry(run("Therapy. She was right about my dad, but then she laughed at me when I "
                  "cried."))
    assert e["rupture"]


@pytest.mark.parametrize(
    "text",
    [
        "I told my therapist no. She went straight there anyway.",
        "I'd trusted her with that one thing, and my therapist went there anyway.",
    ],
)
def test_rupture_markers_of_a_no_overridden(text: str) -> None:
    assert entry(run(text))["rupture"]


def test_a_name_opening_a_sentence_is_an_antecedent() -> None:
    # "Jordan" is no role word, but acts: "he" is Jordan, not an unnamed therapist
    e = entry(run("Jordan and I talked about last night's fight. He said sorry for raising his "
                  "voice, and I said sorry for the silent treatment."))
    assert not e["in_therapy"] and "therapist" not in e["roles"]
