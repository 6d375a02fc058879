"""Declared people belong to one writer: two writers' declarations never share a stream."""

from __future__ import annotations

from pathlib import Path

import patternlens
from patternlens.store.events import NewEvent

# Under the old readable stream id both were "person-sam-lee-jo".
DECLARATIONS = [("sam-lee", "Jo", "boss"), ("sam", "Lee Jo", "therapist")]


def _people(lens: patternlens.Lens) -> list[tuple[str, str, str]]:
    return [(r["subject"], r["name"], r["role"]) for r in lens.people().iter_rows(named=True)]


def test_writers_whose_stream_ids_used_to_collide(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        for subject, name, role in DECLARATIONS:
            assert lens.declare_person(name, role, subject=subject)
        assert _people(lens) == sorted(DECLARATIONS)
        streams = lens.events(types=("PersonDeclared",))
        assert streams["stream_id"].n_unique() == 2 and set(streams["version"]) == {1}
        # Declaring again under another spelling is the same person of the same writer.
        assert not lens.declare_person("  jo ", "boss", subject="sam-lee")
        assert lens.declare_person("JO", "coworker", subject="sam-lee")
        assert _people(lens) == [("sam", "Lee Jo", "therapist"), ("sam-lee", "JO", "coworker")]
        assert lens.verify().ok


def test_an_older_store_with_a_shared_stream(tmp_path: Path) -> None:
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.log.append([
            NewEvent("person-sam-lee-jo", v, "PersonDeclared", subject, {"name": name, "role": role})
            for v, (subject, name, role) in enumerate(DECLARATIONS, 1)])
        assert _people(lens) == sorted(DECLARATIONS)
        # A new declaration (new stream id) replaces the one made under the old id.
        assert lens.declare_person("Jo", "friend", subject="sam-lee")
        assert _people(lens) == [("sam", "Lee Jo", "therapist"), ("sam-lee", "Jo", "friend")]
