"""Who the episode is with: role words, mere mentions, pronouns, declared and learned names."""

from __future__ import annotations

import pytest
from extract_helpers import entries_frame, entry, episodes_of, people_frame, run

from patternlens.extract import extract


@pytest.mark.parametrize(
    "text",
    [
        "I should find a therapist.",
        "I can't afford a therapist.",
        "My coworker's therapist sounds great.",
        "I have never been to a therapist.",
        "Her mom is a nurse.",
        "I just lost my grandpa.",
    ],
)
def test_mere_mention_is_not_an_episode(text: str) -> None:
    x = run(text)
    assert entry(x)["roles"] == []
    assert episodes_of(x) == []


def test_role_word_with_action_is_an_episode() -> None:
    x = run("My therapist said I was doing well.")
    assert entry(x)["roles"] == ["therapist"]
    assert entry(x)["in_therapy"]


def test_slang_role_word() -> None:
    x = run("My shrink changed the subject when I cried.")
    (ep,) = episodes_of(x)
    assert ep["role"] == "therapist" and ep["themes"] == ["dismissed"]


def test_pronoun_goes_to_last_person_of_its_kind() -> None:
    x = run("My dad and my mom argued all evening. She yelled at me afterwards.")
    yelled = [ep for ep in episodes_of(x) if "mistreated" in ep["themes"]]
    assert [ep["role"] for ep in yelled] == ["mother"]


def test_pronoun_carries_across_sentences() -> None:
    x = run("My sister came over for dinner. Later she criticized my cooking.")
    assert [(ep["role"], ep["themes"]) for ep in episodes_of(x) if ep["themes"]] == [
        ("sibling", ["judged"])
    ]


def test_pronoun_without_antecedent_makes_no_episode() -> None:
    x = run("She criticized my cooking.")
    assert episodes_of(x) == []
    assert entry(x)["themes"] == ["judged"]  # felt, though the entry does not say by whom


def test_declared_person_by_name() -> None:
    people = people_frame(("me", "Dr. Okafor", "therapist"))
    x = run("Okafor looked bored while I talked.", people=people)
    (ep,) = episodes_of(x)
    assert (ep["role"], ep["person"], ep["themes"]) == ("therapist", "Dr. Okafor", ["uncared"])
    assert entry(x)["rupture"]


def test_declared_people_belong_to_their_subject() -> None:
    frame = entries_frame(["Okafor looked bored while I talked."], subject="someone-else")
    x = extract(frame, people_frame(("me", "Dr. Okafor", "therapist")))
    assert x.episodes.height == 0


def test_name_learned_from_text_within_and_across_entries() -> None:
    x = run("My partner Sam forgot our anniversary. Sam said I was overreacting.",
            "Sam ignored me at dinner.")
    first = [ep for ep in episodes_of(x, 0) if ep["themes"]]
    assert [(ep["role"], ep["person"], ep["themes"]) for ep in first] == [
        ("partner", "Sam", ["dismissed"])
    ]
    assert entry(x, 1)["roles"] == ["partner"]


def test_lowercase_word_is_not_a_name() -> None:
    x = run("My partner Will is kind. I will ignore the noise tonight.")
    assert all(ep["person"] == "Will" for ep in episodes_of(x))
    assert "uncared" not in entry(x)["themes"] or any(
        ep["person"] == "Will" for ep in episodes_of(x))


def test_bare_role_word_used_as_name() -> None:
    x = run("Mom said I was being too sensitive.")
    assert entry(x)["roles"] == ["mother"]
    assert entry(x)["themes"] == ["dismissed"]


@pytest.mark.parametrize("text", [
    "My coworker is a family therapist and she spent lunch analyzing everyone.",
    "I'm a psych nurse and a patient screamed at me today.",
    "My neighbour works as a counselor and she is always kind to me.",
])
def test_a_role_word_after_a_copula_is_a_job_not_a_person(text: str) -> None:
    e = entry(run(text))
    assert "therapist" not in e["roles"] and not e["in_therapy"] and not e["rupture"]


def test_a_therapist_told_after_a_copula_with_my_is_still_mine() -> None:
    assert entry(run("She was my therapist for two years and she never listened."))["rupture"]


@pytest.mark.parametrize("text", [
    "Watched a movie where the therapist sleeps with her patient and I was yelling at the screen.",
    "Binged that therapy show. The therapist character crosses every line possible.",
])
def test_a_therapist_in_a_story_is_not_mine(text: str) -> None:
    e = entry(run(text))
    assert not e["in_therapy"] and not e["rupture"] and not e["red_flag"]


def test_my_therapist_in_a_video_session_is_mine() -> None:
    assert entry(run("My therapist in the video session looked bored."))["rupture"]


def test_a_school_counselor_is_a_teacher() -> None:
    e = entry(run("The school counselor told me my daughter is struggling and asked me to help."))
    assert "therapist" not in e["roles"] and not e["in_therapy"]


@pytest.mark.parametrize("text", ["Rough session. Cried most of it.",
                                  "Ending therapy next month by mutual plan. I feel ready."])
def test_a_session_summed_up_is_the_writers_therapy(text: str) -> None:
    assert entry(run(text))["in_therapy"]


@pytest.mark.parametrize(("text", "role"), [
    ("My husband's mother criticizes everything I do.", "other_family"),
    ("My wife's parents hate me.", "other_family"),
    ("My roomie lied to me.", "friend"),
    ("My kids ignore me.", "child"),
])
def test_role_word_variants(text: str, role: str) -> None:
    assert entry(run(text))["roles"] == [role]


def test_a_boyfriends_family_are_no_in_laws() -> None:
    assert "other_family" not in entry(run("My boyfriend's family hates me."))["roles"]


def test_the_other_parent_of_the_writers_children_has_no_role() -> None:
    roles = entry(run("I stopped caring after my children's father left me."))["roles"]
    assert roles == []


def test_an_age_told_is_no_episode() -> None:
    x = run("The love of my life left me. Our son was two months old at the time.")
    assert "child" not in entry(x)["roles"]
    assert "child" in entry(run("Our son was two months old when he got sick and hit me."))["roles"]
