"""An unnamed she/he is the therapist only in an entry that itself tells therapy: everyday
entries about a partner, sister, friend or boss, with bare pronouns and words that would be a
rupture or repair in a session, stay nobody's therapy (review finding 1, 4)."""

from __future__ import annotations

import pytest
from extract_helpers import entry, run

EVERYDAY = [
    # the reviewer's examples
    "She yelled at me again over the dishes and I just shut down.",
    "He cancelled on me again last minute. I'm so done.",
    "He forgot my birthday again.",
    "I'm so mad at her right now.",
    "I lied to him about where I was last night.",
    "He raised his voice at dinner.",
    "She gets defensive whenever I bring up the kids.",
    "He apologized for missing dinner, and I forgave him.",
    "She asked about my week, and I told her it hurt.",
    # repair cues with no strain told (finding 4)
    "She apologized for running late, it didn't bother me.",
    "He explained why he moved the meeting.",
    # more of the same, written as people write about a partner, sister, friend or boss
    "She laughed at me when I tripped on the stairs.",
    "He got it wrong again, the dry cleaning was due Friday.",
    "She rolled her eyes when I mentioned the wedding.",
    "He snapped at me in the car this morning.",
    "She doesn't listen to me, never has.",
    "He was short with me all evening.",
    "She forgot to pick up the kids and blamed me.",
    "He didn't understand why I was upset about the trip.",
    "I didn't tell him how much it hurt.",
    "She said sorry and we hugged it out.",
    "He admitted he was wrong about the budget.",
    "She misunderstood me on the phone and hung up.",
    "He went quiet at dinner and I didn't push.",
    "She kept pushing anyway, so I left the room.",
    "He doesn't care how I feel about his mother.",
    "I told her it hurt when she left without saying goodbye.",
    "He said he was sorry for the fight last night.",
    # a therapy word that is someone else's is no signal for the writer's therapy
    "She told me her therapist said I was toxic. I'm so mad at her.",
    "She missed her hair appointment and got mad at me.",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_bare_pronoun_is_no_therapy(text: str) -> None:
    e = entry(run(text))
    assert (e["in_therapy"], e["roles"], e["rupture"], e["repair"]) == (False, [], False, False)


@pytest.mark.parametrize("text", EVERYDAY)
def test_everyday_bare_pronoun_is_not_the_learned_therapist(text: str) -> None:
    # a writer with a therapist: the next entry's she/he is still not her
    e = entry(run("Session with my therapist Dana today, we talked about work.", text), 1)
    assert (e["in_therapy"], e["roles"], e["rupture"], e["repair"]) == (False, [], False, False)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # the therapy told only by a word the session-time list lacks: the rule's own cases
        ("She forgot what I'd told her about my dad. Therapy felt pointless.", "rupture"),
        ("I lied to him about the drinking again. Counseling is wasted if I keep doing that.",
         "rupture"),
        ("She got it wrong about my mom, and I didn't correct her. Maybe I need a new "
         "therapist.", "rupture"),
        ("I didn't tell her about the panic attacks. The appointment was a waste.", "rupture"),
        ("She apologized for cutting me off last week and we talked it through. Therapy was "
         "good.", "repair"),
        # told by session words, a therapy entry without the rule
        ("Therapy. She asked about the homework and I lied and said I did it.", "rupture"),
        ("I didn't tell her in session how bad the week was.", "rupture"),
    ],
)
def test_bare_pronoun_in_an_entry_telling_therapy_is_the_therapist(text: str, flag: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and "therapist" in e["roles"] and e[flag]


def test_the_learned_therapist_name_tells_therapy_and_is_no_other_person() -> None:
    x = run("Session with my therapist Dana today, we talked about work.",
            "She got it wrong about my mom, and I didn't tell her. I'll bring it up with Dana.")
    e = entry(x, 1)
    assert e["in_therapy"] and "therapist" in e["roles"] and e["rupture"]


@pytest.mark.parametrize(
    "text",
    [
        "She apologized for running late to the appointment, it didn't bother me.",
        "He explained why he moved the appointment.",
    ],
)
def test_a_repair_cue_with_no_strain_makes_no_therapy_entry(text: str) -> None:
    # an acknowledgement repairs only a strain told (episodes.strained): the rule reads the
    # strain-gated cues, so with no strain there is no marker for the pronoun
    e = entry(run(text))
    assert not e["in_therapy"] and e["roles"] == [] and not e["repair"]
