"""Obsidian / Markdown notes: the sample vault, dating rules, time headings, bad notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from patternlens.ingest import markdown
from patternlens.ingest.detect import read_path
from patternlens.ingest.model import RAW_SCHEMA, Parsed
from patternlens.ingest.source import Source
from patternlens.ingest.validate import validate

VAULT = Path(__file__).parents[2] / "data" / "samples" / "obsidian"


def _read(text: str | bytes, name: str = "Daily/2024-03-01.md") -> Parsed:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return markdown.read(Source(file=f"/vault/{name}", name=name, data=data), "alex")


def test_sample_vault() -> None:
    parsed = read_path(VAULT, "alex")
    # .obsidian/*.json would be read as JSON exports if the config folder were not skipped.
    assert parsed.formats == {"markdown"}
    assert parsed.problems == []
    df = parsed.entries
    assert df.schema == RAW_SCHEMA
    assert not any(".obsidian" in f for f in df["file"])
    rows = {r["source_ref"]: r for r in df.iter_rows(named=True)}
    assert list(rows) == [
        "Daily/2024-03-01 Friday.md", "Daily/2024.03.02.md#08:30", "Daily/2024.03.02.md#13:10",
        "Daily/2024.03.02.md#21:15", "Daily/20240309.md", "Therapy/Session 6.md",
    ]
    # Dated only by its file name: midnight UTC, no title, inline tag picked up.
    friday = rows["Daily/2024-03-01 Friday.md"]
    assert friday["occurred_at"] == datetime(2024, 3, 1, tzinfo=UTC)
    assert friday["title"] is None and friday["tags"] == ["work"]
    assert friday["text"].endswith("anything wrong. #work\n\nSam cooked. We didn't talk about it.")
    assert json.loads(friday["meta"]) == {"date_only": True}
    # The daily note: three entries under time headings; front-matter tags apply to each.
    assert [rows[f"Daily/2024.03.02.md#{t}"]["occurred_at"] for t in ("08:30", "13:10", "21:15")] \
        == [datetime(2024, 3, 2, h, m, tzinfo=UTC) for h, m in ((8, 30), (13, 10), (21, 15))]
    evening = rows["Daily/2024.03.02.md#21:15"]
    assert evening["title"] == "evening"
    assert evening["tags"] == ["daily", "sam", "repair"]
    assert evening["position"] == "line 12"
    assert rows["Daily/2024.03.02.md#08:30"]["text"] == (
        "Slept badly. Lay awake replaying the call with mum.")
    # Front matter: date with time, title, tags, mood, extras in meta.
    session = rows["Therapy/Session 6.md"]
    assert session["occurred_at"] == datetime(2024, 3, 5, 17, 0, tzinfo=UTC)
    assert session["timezone"] is None
    assert session["title"] == "Session six"
    assert session["tags"] == ["therapy", "okafor", "rupture"]
    assert session["mood"] == "hopeful" and session["mood_level"] is None
    assert json.loads(session["meta"]) == {"front_matter": {"session": 6}}
    assert session["text"].startswith("Dr. Okafor pointed out")
    assert rows["Daily/20240309.md"]["tags"] == ["sam", "walk"]
    accepted, problems = validate(parsed)
    assert len(accepted) == 6 and problems == []


@pytest.mark.parametrize("name", [
    "2024-03-01.md", "2024.03.01.md", "20240301.md", "2024-03-01 Friday.markdown",
    "Journal/2024_03_01.md",
])
def test_dated_by_file_name(name: str) -> None:
    df = _read("Saw Sam.", name).entries
    assert df["occurred_at"].to_list() == [datetime(2024, 3, 1, tzinfo=UTC)]
    assert df["source_ref"].to_list() == [name]


def test_undated_note_is_a_problem_and_titled_by_name() -> None:
    df = _read("Ideas for Sam's birthday", "Lists/Birthday ideas.md").entries
    assert df["problem"].to_list() == ["no date: no front-matter date and none in the file name"]
    assert df["position"].to_list() == ["line 1"]
    assert df["title"].to_list() == ["Birthday ideas"]


def test_front_matter_dates() -> None:
    df = _read("---\ncreated: 2024-03-05T17:00:00+02:00\n---\nSession.", "Session.md").entries
    assert df["occurred_at"].to_list() == [datetime(2024, 3, 5, 15, 0, tzinfo=UTC)]
    assert df["timezone"].to_list() == ["+02:00"]
    # The front-matter date wins over the file name.
    df = _read("---\ndate: March 4, 2024\n---\nx", "2024-03-01.md").entries
    assert df["occurred_at"].to_list() == [datetime(2024, 3, 4, tzinfo=UTC)]


@pytest.mark.parametrize(("text", "position", "problem"), [
    ("---\ntitle: Session\ntags: [therapy, okafor\nmood: ok\n---\nbody\n", "line 4",
     "invalid YAML front matter: expected ',' or ']', but got ':'"),
    ("---\ntitle: a\n  mood: calm\n---\nbody\n", "line 3",
     "invalid YAML front matter: mapping values are not allowed here"),
    ("---\ntitle: Session\ndate: 2024-02-30\n---\nbody\n", "line 3",
     "impossible front-matter date '2024-02-30'"),
    ("---\ndate: soon\n---\nbody\n", "line 2", "unparseable front-matter date 'soon'"),
    # Explicit YAML tags fail in PyYAML's constructors with errors other than YAMLError.
    ("---\ndate: !!timestamp 2024-02-30\n---\nbody\n", "line 2",
     "impossible front-matter date '2024-02-30'"),
    ("---\nstarred: !!bool maybe\n---\nbody\n", "line 1",
     "invalid YAML front matter: KeyError 'maybe'"),
    # Shifting to UTC would leave datetime's range.
    ("---\ndate: 9999-12-31T23:59:59-14:00\n---\nbody\n", "line 1",
     "date 9999-12-31 -14:00 is out of range"),
])
def test_bad_front_matter_is_a_positioned_problem(text: str, position: str, problem: str) -> None:
    df = _read(text, "Session.md").entries
    assert df["problem"].to_list() == [problem]
    assert df["position"].to_list() == [position]


def test_bad_note_does_not_stop_the_vault(tmp_path: Path) -> None:
    (tmp_path / "2024-03-01.md").write_text("Good note.", encoding="utf-8")
    (tmp_path / "broken.md").write_text("---\ntags: [a\n---\nx", encoding="utf-8")
    (tmp_path / "2024-02-30.md").write_text("Which day?", encoding="utf-8")
    accepted, problems = validate(read_path(tmp_path, "alex"))
    assert accepted["source_ref"].to_list() == ["2024-03-01.md"]
    assert [(Path(p.file).name, p.position, p.reason) for p in problems] == [
        ("2024-02-30.md", "line 1", "impossible date '2024-02-30' in the file name"),
        ("broken.md", "line 2",
         "invalid YAML front matter: expected ',' or ']', but got '<stream end>'"),
    ]


def test_time_headings() -> None:
    parsed = _read(
        "# Friday #daily\n"
        "Woke up early.\n"
        "## 2024-03-01 08:30\n"
        "Coffee.\n"
        "```\n"
        "## 09:00 inside a code block is text, and #notatag\n"
        "```\n"
        "## 8:15 pm – dinner\n"
        "Dinner with Sam. #sam\n"
        "## 20:15\n"
        "Same minute, written twice.\n"
        "## 25:00\n"
        "Not a time.\n"
        "## 13:10 pm\n"
        "Nor this.\n"
    )
    df = parsed.entries
    assert df["source_ref"].to_list() == [
        "Daily/2024-03-01.md", "Daily/2024-03-01.md#2024-03-01T08:30", "Daily/2024-03-01.md#20:15",
        "Daily/2024-03-01.md#20:15#2", None, None]
    assert df["title"].to_list() == [None, None, "dinner", None, None, None]
    assert df["position"].to_list() == [
        "line 1", "line 3", "line 8", "line 10", "line 12", "line 14"]
    assert df["problem"].to_list() == [None, None, None, None,
                                       "impossible time '25:00' in heading",
                                       "impossible time '13:10 pm' in heading"]
    assert "## 09:00 inside a code block" in df["text"][1]
    # Tags before the first time heading apply to every entry of the note.
    assert df["tags"].to_list()[:3] == [["daily"], ["daily"], ["daily", "sam"]]
    assert df["occurred_at"][2] == datetime(2024, 3, 1, 20, 15, tzinfo=UTC)


def test_undated_note_with_dated_headings() -> None:
    df = _read("## 2024-03-01 08:30\nA\n## 2024-03-02 09:00\nB\n", "Week.md").entries
    assert df["problem"].to_list() == [None, None]
    assert df["source_ref"].to_list() == ["Week.md#2024-03-01T08:30", "Week.md#2024-03-02T09:00"]


def test_inline_tags() -> None:
    text = ("Talked to #sam and #Dr-Okafor about #therapy/homework. Not tags: #1, a#b, "
            "`#code`, [link](http://x.org/#frag), &#39;. Nested #family/mum.")
    df = _read(text).entries
    assert df["tags"][0].to_list() == [
        "sam", "Dr-Okafor", "therapy/homework", "family/mum"]


def test_front_matter_tag_forms() -> None:
    df = _read('---\ntags: "therapy, #sam  work"\n---\nx').entries
    assert df["tags"][0].to_list() == ["therapy", "sam", "work"]
    df = _read("---\ntag: therapy\n---\nx").entries
    assert df["tags"][0].to_list() == ["therapy"]
    df = _read("---\ntags:\n  - therapy\n  - 2024\n  - {odd: map}\n---\nx").entries
    assert df["tags"][0].to_list() == ["therapy", "2024"]
    # Unquoted, YAML reads " #sam" as a comment.
    df = _read("---\ntags: therapy, #sam\n---\nx").entries
    assert df["tags"][0].to_list() == ["therapy"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_encodings_give_the_same_text(encoding: str) -> None:
    text = "---\ntitle: Café\n---\nMum – “fine”, she said. Naïve. #café\n"
    df = _read(text.encode(encoding)).entries
    assert df["text"].to_list() == ["Mum – “fine”, she said. Naïve. #café"]
    assert df["title"].to_list() == ["Café"]
    assert df["tags"][0].to_list() == ["café"]


def test_sniff() -> None:
    assert markdown.sniff(Source("n.md", "n.md", b"x"))
    assert markdown.sniff(Source("n.MARKDOWN", "n.MARKDOWN", b"x"))
    assert not markdown.sniff(Source("n.txt", "n.txt", b"x"))
