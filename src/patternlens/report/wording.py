"""How findings are put into words, shared by the report's content and its renderers."""

from __future__ import annotations

from typing import Any

# How a theme sounds in a sentence the writer might say ("I felt dismissed").
FELT = {
    "misunderstood": "misunderstood", "judged": "judged", "dismissed": "dismissed",
    "rejected": "pushed away", "abandoned": "left alone", "controlled": "controlled",
    "betrayed": "betrayed", "uncared": "like you didn't care", "mistreated": "mistreated",
    "understood": "really heard",
}
ROLE_WORDS = {
    "mother": "my mom", "father": "my dad", "parent": "my parents", "partner": "my partner",
    "ex_partner": "my ex", "sibling": "my sibling", "child": "my child",
    "other_family": "my family", "friend": "a friend", "boss": "my boss",
    "coworker": "a coworker", "teacher": "a teacher", "therapist": "you",
}


def journal_owner(subject: str) -> str:
    """How a report names whose journal it reads: "your" for the default writer."""
    return "your" if subject == "me" else f"{subject}\u2019s"


# A report lists the most recent strong reactions; a long journal can hold thousands, which
# no one reads as cards. ``patternlens strong`` lists them all.
STRONG_SHOWN = 30


def shown_strong(strong: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The strong reactions a report shows: the most recent ``STRONG_SHOWN``, in date order."""
    if len(strong) <= STRONG_SHOWN:
        return strong
    return sorted(strong, key=lambda s: str(s["date"]))[-STRONG_SHOWN:]
