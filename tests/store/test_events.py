"""Upcasting old event versions on read, and values surviving the round trip exactly."""

from __future__ import annotations

import string
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from patternlens.store.events import NewEvent, upcast
from patternlens.store.log import EventLog


def test_v1_entry_is_read_as_v2_without_rewriting_the_log() -> None:
    with EventLog(None) as log:
        v1 = {"entry_id": "e1", "text": "hello", "tags": "therapy, sam ,"}
        log.append([NewEvent("entry-e1", 1, "EntryRecorded", "me", v1)], schema_versions=[1])
        (event,) = log.select_events()
        assert event.schema_version == 1
        assert event.payload["tags"] == ["therapy", "sam"]
        assert event.payload["mood_level"] is None and event.payload["meta"] == "{}"
        # The stored row is untouched: still version 1, still the old shape.
        raw = log.events_frame()
        assert raw["schema_version"].to_list() == [1]
        assert '"tags":"therapy, sam ,"' in raw["payload"][0]
        assert log.verify().ok


def test_current_version_passes_through() -> None:
    payload = {"tags": ["a"], "mood_level": 3, "meta": "{}"}
    assert upcast("EntryRecorded", 2, payload) == payload


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(payload=st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=6),
       subject=st.text(min_size=1, max_size=20),
       stream=st.text(min_size=1, max_size=30),
       at=st.none() | st.datetimes(min_value=datetime(1901, 1, 1), max_value=datetime(2200, 1, 1),
                                   timezones=st.just(UTC)))
def test_payloads_round_trip_exactly(payload: dict[str, object], subject: str, stream: str,
                                     at: datetime | None) -> None:
    with EventLog(None) as log:
        log.append([NewEvent(stream, 1, "PersonDeclared", subject, payload, occurred_at=at)])
        (event,) = log.select_events()
        assert event.payload == payload
        assert (event.subject, event.stream_id, event.occurred_at) == (subject, stream, at)
        assert log.verify().ok
