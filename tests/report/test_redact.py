"""--redact on the demo journal: no person's name survives in any format, declared or not,
while the words around them (pronouns, days, sentence openings) stay readable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from patternlens.cli import cli
from patternlens.report.redact import Masker, journal_names

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "samples" / "demo" / "Journal.json"
EXPECTED = json.loads((ROOT / "tests" / "data" / "demo_expected.json").read_text(encoding="utf-8"))
# Every person (and pet) the demo text names: the cast in demo_expected.json, and the people
# it mentions only in passing (grandpa, aunt, a coworker's colleague, neighbours, pets).
CAST = {word for p in EXPECTED["people"] for word in p["name"].replace("Dr.", "").split()
        if word[0].isupper()}
NAMES = CAST | {"Jordan", "Lou", "Ruth", "Kayla", "Brandt", "Henderson", "Milo", "Pepper", "Biscuit"}


def _leaks(text: str) -> set[str]:
    return {n for n in NAMES if re.search(rf"\b{n}\b", text)}


def test_demo_text_names_everyone_it_should() -> None:
    text = " ".join(e["text"] for e in json.loads(DEMO.read_text(encoding="utf-8"))["entries"])
    assert {"Okafor", "Sam", "Karen", "Priya", "Tess", "Dev"} == CAST
    assert _leaks(text) == NAMES - {"Jordan"}, "the test's name list no longer matches the demo"


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("redact")
    store = str(tmp / "s.duckdb")
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", store, "import", str(DEMO)]).exit_code == 0
    out: dict[str, str] = {}
    for fmt in ("html", "md", "json"):
        for redact in ([], ["--redact"]):
            path = tmp / f"r{'-redacted' if redact else ''}.{fmt}"
            result = runner.invoke(cli, ["--store", store, "report", "--format", fmt, *redact,
                                         "--out", str(path)], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            out[path.name] = path.read_text(encoding="utf-8")
    return out


@pytest.mark.parametrize("fmt", ["html", "md", "json"])
def test_redacted_report_names_nobody(reports: dict[str, str], fmt: str) -> None:
    plain, redacted = reports[f"r.{fmt}"], reports[f"r-redacted.{fmt}"]
    assert {"Sam", "Okafor", "Lou"} <= _leaks(plain), "the report no longer quotes these names"
    assert _leaks(redacted) == set()
    # An undeclared name is masked, the title before it and the text around it stay.
    assert re.search(r"talking about Grandpa \\?\[name\\?\]", redacted)
    assert "She asked what got in the way" in redacted


def test_every_demo_name_is_masked_in_the_whole_journal() -> None:
    texts = [e["text"] for e in json.loads(DEMO.read_text(encoding="utf-8"))["entries"]]
    mask = Masker({"Dr. Okafor": "therapist"}, journal_names(texts))
    masked = [mask.text(t) for t in texts]
    assert {n for t in masked for n in _leaks(t)} == set()
    joined = "\n".join(masked)
    assert "[therapist]" in joined and "Tuesday" in joined and "I'm" in joined


@pytest.mark.parametrize(("text", "expected"), [
    ("I told Kayla about it.", "I told [name] about it."),
    ("It was Kayla's idea.", "It was [name]'s idea."),
    ("We saw Grandpa Lou on Tuesdays in March.", "We saw Grandpa [name] on Tuesdays in March."),
    ("We took the Red Line home.", "We took the [name] home."),
    ("Then I said no. Honestly, I'm tired.", "Then I said no. Honestly, I'm tired."),
    ("I asked Dr. Brandt. Brandt said no.", "I asked Dr. [name]. [name] said no."),
])
def test_the_rule(text: str, expected: str) -> None:
    assert Masker({}, journal_names([text])).text(text) == expected
