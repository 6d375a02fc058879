"""Every event the store writes matches its JSON Schema in schemas/events/."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import patternlens
from patternlens.store.events import SCHEMA_VERSIONS

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "events"


def load(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def test_every_event_type_has_a_schema_with_its_version() -> None:
    for event_type, version in SCHEMA_VERSIONS.items():
        schema = load(event_type)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["x-schema-version"] == version
    envelope = load("event")
    assert set(envelope["properties"]["event_type"]["enum"]) == set(SCHEMA_VERSIONS)  # type: ignore[index]


@pytest.mark.parametrize("sample", ["generic", "daylio", "obsidian", "text", "dayone", "journey"])
def test_stored_events_validate(tmp_path: Path, sample: str) -> None:
    if not (ROOT / "data" / "samples" / sample).exists():
        pytest.fail(f"data/samples/{sample} is missing")
    with patternlens.open(tmp_path / "s.duckdb") as lens:
        lens.import_paths([ROOT / "data" / "samples" / sample])
        lens.declare_person("Dr. Okafor", "therapist")
        first, second = lens.entries()["entry_id"].to_list()[:2]
        lens.retract(first, "a dream, not a day")
        lens.forget(second)
        events = lens.events()
    assert set(events["event_type"]) == {"EntryRecorded", "ImportCompleted", "PersonDeclared",
                                         "EntryRetracted", "EntryForgotten"}
    envelope = jsonschema.Draft202012Validator(load("event"),
                                               format_checker=jsonschema.FormatChecker())
    for row in events.iter_rows(named=True):
        payload = json.loads(row["payload"])
        jsonschema.validate(payload, load(row["event_type"]),
                            format_checker=jsonschema.FormatChecker())
        record = {**row, "payload": payload, "payload_digest": "0" * 64, "hash": "0" * 64,
                  "occurred_at": row["occurred_at"].isoformat() if row["occurred_at"] else None,
                  "recorded_at": row["recorded_at"].isoformat()}
        envelope.validate(record)
