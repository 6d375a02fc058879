"""Intensity 0-10: ratings, wording, capitals, exclamation marks, disproportion."""

from __future__ import annotations

import pytest
from extract_helpers import entry, run


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("My anxiety was 8/10 today.", 8.0),
        ("The panic felt like a 9.", 9.0),
        ("Anger at 3 out of 10, fine.", 3.0),
        ("I'd say 4/5 sad.", 8.0),
    ],
)
def test_explicit_rating_sets_intensity(text: str, value: float) -> None:
    assert entry(run(text))["intensity"] == pytest.approx(value)


def test_disproportion_makes_a_strong_reaction() -> None:
    plain = entry(run("I cried after dinner."))
    small = entry(run("I know it's tiny but I cried for hours."))
    assert not plain["strong"]
    assert small["strong"] and small["intensity"] > plain["intensity"]


def test_boosters_caps_and_exclamations_raise_intensity() -> None:
    calm = entry(run("I was annoyed with my boss."))["intensity"]
    boosted = entry(run("I was really annoyed with my boss."))["intensity"]
    shouted = entry(run("I was SO ANNOYED with my boss!!!"))["intensity"]
    assert 0 < calm < boosted < shouted <= 10


def test_all_caps_entry_does_not_count_capitals() -> None:
    shouted = entry(run("I WAS ANGRY WITH MY BOSS."))["intensity"]
    calm = entry(run("I was angry with my boss."))["intensity"]
    assert shouted == pytest.approx(calm)


def test_no_feeling_no_intensity() -> None:
    e = entry(run("We always go to the market on Saturdays."))
    assert e["intensity"] == 0 and not e["strong"]


def test_negated_feeling_does_not_count() -> None:
    e = entry(run("I was not angry at all."))
    assert e["intensity"] == 0 and e["emotions"] == []
