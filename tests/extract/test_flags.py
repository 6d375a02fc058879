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

