"""A place or a length of time is therapy's only beside therapy: "in his office", "on the
couch", "in the room", "my appointment" or "the whole hour" in an everyday entry about a boss,
a partner, a friend or a doctor make nobody the therapist; in an entry that tells therapy
(a therapy word, or the writer's therapist by name) they still tell the session."""

from __future__ import annotations

import re

import pytest
from extract_helpers import entry, run

EVERYDAY = [
    # the reviewer's examples
    "He snapped at me in his office.",
    "She yelled at me in the room.",
    # a boss, a coworker, an office
    "My boss called me into his office and yelled at me for the report.",
    "He shut the door of his office and told me I was a disappointment.",
    "I sat in the chair across from his desk while he criticized my work.",
    "Nobody in the room said anything when he laughed at my idea.",
    # a partner, a couch, a room
    "We fought on the couch again and he said I was overreacting.",
    "She fell asleep on the couch and I felt so alone.",
    "He slammed the door and stayed in there all night. I hate when he shuts me out.",
    "He sat in the chair and wouldn't look at me after the argument.",
    "She stormed out of the room and I cried on the couch.",
    "I told him I was sorry and he left the room without a word.",
    # a friend, family
    "My friend ignored me in the room full of people and I felt humiliated.",
    "My sister yelled at me in that room and I froze.",
    "Mom called me lazy in front of everyone in the room.",
    # a doctor's, dentist's or hair appointment
    "My doctor rushed me through my appointment and dismissed my pain.",
    "The dentist was rude at my appointment and I didn't say anything.",
    "She cut my hair too short at my appointment and I was too embarrassed to say anything.",
    "He was late to our appointment at the bank and blamed me.",
    "I missed my appointment at the DMV and he got angry at me.",
    "The doctor kept me waiting fifty minutes and then barely listened to me.",
    "He made me wait 45 minutes in the car and didn't even apologize.",
    "My manager kept me in his office past six and said I wasn't a team player.",
    "Dad sat in the chair by the window and told me I'd never amount to anything.",
    "He stayed on the couch all weekend and ignored me when I asked for help.",
    "She locked herself in there and wouldn't talk to me. I hate the silent treatment.",
    "He rescheduled our appointment with the contractor again and didn't tell me.",
    "I sat in the waiting room at the clinic for an hour and the nurse was cold to me.",
    # words that begin with a therapy shorthand ("my T") are not it
    "My team lost again and he laughed at me.",
    "It was my turn to cook and she yelled at me.",
    "I had a lump in my throat when he walked out on me.",
]


# "the whole hour" alone still tells a session: the demo journal's "I sat there the whole hour
# with it stuck in my throat" has no other therapy word, so a meeting or a lunch that ran the
# whole hour is still a therapy entry (a known limit, kept in sight)
HOUR = [
    "She kept me in her office for the whole hour going over my mistakes.",
    "He ignored me the entire hour in the meeting and I felt invisible.",
    "The meeting ran the whole hour and she talked over me the entire time.",
    "She talked about herself the whole hour at lunch and never asked about me.",
]


@pytest.mark.parametrize("text", EVERYDAY)
def test_a_place_or_time_in_an_everyday_entry_is_no_therapy(text: str) -> None:
    e = entry(run(text))
    assert (e["in_therapy"], "therapist" in e["roles"], e["rupture"], e["repair"]) == (
        False, False, False, False)


@pytest.mark.parametrize("text", EVERYDAY)
def test_a_place_or_time_is_no_therapy_for_a_writer_with_a_therapist(text: str) -> None:
    # the writer has a learned therapist; a boss in his office is still not her
    e = entry(run("Session with my therapist Dana today, we talked about work.", text), 1)
    assert (e["in_therapy"], "therapist" in e["roles"], e["rupture"], e["repair"]) == (
        False, False, False, False)


@pytest.mark.xfail(strict=True, reason="the whole hour alone tells a session")
@pytest.mark.parametrize("text", HOUR)
def test_an_hour_in_an_everyday_entry_is_no_therapy(text: str) -> None:
    e = entry(run(text))
    assert (e["in_therapy"], "therapist" in e["roles"], e["rupture"], e["repair"]) == (
        False, False, False, False)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        # the place, beside a therapy word
        ("Dr. Lee's office smelled of lavender and I froze on the couch. She said I was "
         "resisting in session and I felt judged.", "rupture"),
        ("In session today I sat in the chair and she dismissed what I said about my dad.",
         "rupture"),
        ("Therapy was hard. In the room she kept pushing and I shut down.", "rupture"),
        ("Counseling today. She apologized for cutting me off last week and we talked it "
         "through on the couch.", "repair"),
        # the time, beside a therapy word
        ("My therapist checked her phone the whole hour. I felt invisible.", "rupture"),
    ],
)
def test_a_place_or_time_in_an_entry_telling_therapy_stays_therapy(text: str, flag: str) -> None:
    e = entry(run(text))
    assert e["in_therapy"] and "therapist" in e["roles"] and e[flag]


@pytest.mark.parametrize(
    "text",
    [
        "Dr. Lee's office smelled of lavender and I froze on the couch. Dr. Lee said I was "
        "resisting and I felt judged.",
        "Dr. Lee was quiet in the room. She said I was resisting and I felt judged.",
    ],
)
def test_a_place_beside_the_learned_therapist_stays_therapy(text: str) -> None:
    x = run("First session with my new therapist, Dr. Lee. She seems kind.", text)
    e = entry(x, 1)
    assert e["in_therapy"] and "therapist" in e["roles"] and e["rupture"]


def test_the_therapy_shorthand_still_tells_therapy() -> None:
    e = entry(run("My T said I was avoiding it and I shut down."))
    assert e["in_therapy"] and e["roles"] == ["therapist"] and e["rupture"]


def test_session_words_are_whole_words_and_possessives_count() -> None:
    from patternlens.extract.lexicon import load_lexicon

    told = re.compile(load_lexicon().session_time_re)
    assert told.search(" i sat in my therapist's office ")
    assert told.search(" my t said so ")
    assert not told.search(" my team lost ") and not told.search(" my turn to cook ")
