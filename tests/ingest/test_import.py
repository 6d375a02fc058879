"""Whole imports into a real store: idempotence, edits, and bad records beside good ones."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

import patternlens
from patternlens.errors import BadInputError
from patternlens.ingest.detect import read_path
from patternlens.ingest.validate import validate
from patternlens.lens import Lens
from patternlens.store.record import entry_payloads

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture
def lens(tmp_path: Path) -> Lens:
    return patternlens.open(tmp_path / "store.duckdb")


def write_jsonl(path: Path, records: list[dict[str, object] | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_reimport_adds_nothing(lens: Lens) -> None:
    first = lens.import_paths([SAMPLES / "generic" / "entries.jsonl"])
    assert first.added > 0 and first.problems == []
    seq = lens.log.max_seq()
    again = lens.import_paths([SAMPLES / "generic" / "entries.jsonl"])
    assert (again.added, again.amended, again.unchanged) == (0, 0, first.added)
    assert lens.log.max_seq() == seq, "a re-import wrote events"


def test_newer_export_adds_new_and_records_edits(lens: Lens, tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", [
        {"id": "a", "date": "2025-01-02T09:00:00+01:00", "text": "Talked to Sam."},
        {"id": "b", "date": "2025-01-03", "text": "Quiet day."},
    ])
    lens.import_paths([old])
    new = write_jsonl(tmp_path / "new.jsonl", [
        {"id": "a", "date": "2025-01-02T09:00:00+01:00", "text": "Talked to Sam. He listened."},
        {"id": "b", "date": "2025-01-03", "text": "Quiet day."},
        {"id": "c", "date": "2025-01-04", "text": "Session with Dr. Okafor."},
    ])
    summary = lens.import_paths([new])
    assert (summary.added, summary.amended, summary.unchanged) == (1, 1, 1)
    entries = lens.entries().sort("source_ref")
    assert entries["text"].to_list() == ["Talked to Sam. He listened.", "Quiet day.",
                                         "Session with Dr. Okafor."]
    assert entries["version"].to_list() == [2, 1, 1]
    types = lens.events(stream_id=f"entry-{entries['entry_id'][0]}")["event_type"].to_list()
    assert types == ["EntryRecorded", "EntryAmended"]


def test_bad_records_are_reported_and_good_ones_land(lens: Lens, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mixed.jsonl", [
        {"id": "1", "date": "2025-02-01", "text": "A good entry."},
        '{"id": "2", "date": "2025-02-02", "text": "cut off',
        {"id": "3", "date": "1066-10-14", "text": "Impossibly old."},
        {"id": "4", "text": "No date at all."},
        {"id": "5", "date": "2025-02-05", "text": "   "},
        {"id": "1", "date": "2025-02-06", "text": "Same id as the first."},
        {"id": "7", "date": "2025-02-07", "text": "Another good entry."},
        {"id": "8", "date": "2025-02-31", "text": "No such day."},
    ])
    summary = lens.import_paths([path])
    assert summary.added == 2
    by_line = {p.position: p.reason for p in summary.problems}
    assert all(p.file == str(path) for p in summary.problems)
    assert "JSON" in by_line["line 2"]
    assert "impossible date" in by_line["line 3"]
    assert by_line["line 4"] == "missing date"
    assert "empty entry" in by_line["line 5"]
    assert "duplicate id '1' with different content" in by_line["line 6"] and "line 1" in by_line["line 6"]
    assert "2025-02-31" in by_line["line 8"]
    assert sorted(lens.entries()["text"]) == ["A good entry.", "Another good entry."]


def test_a_bad_file_loses_nothing_already_stored(lens: Lens, tmp_path: Path) -> None:
    lens.import_paths([SAMPLES / "generic" / "entries.jsonl"])
    before = lens.entries()
    bad = tmp_path / "broken.jsonl"
    bad.write_bytes(b"\x00\x01\x02 not a journal \xff\xfe" * 100)
    summary = lens.import_paths([bad])
    assert summary.added == 0 and summary.problems
    assert "binary" in summary.problems[0].reason
    assert lens.entries().equals(before)
    assert lens.verify().ok


def test_oversize_entry_is_left_out(lens: Lens, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", [
        {"id": "big", "date": "2025-03-01", "text": "word " * 4_200_000},
        {"id": "ok", "date": "2025-03-02", "text": "Normal."},
    ])
    summary = lens.import_paths([path])
    assert summary.added == 1
    (problem,) = summary.problems
    assert problem.position == "line 1" and "20.0 MB" in problem.reason


def test_missing_path_is_bad_input(lens: Lens, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file"):
        lens.import_paths([tmp_path / "nope.json"])


def test_folder_of_mixed_files(lens: Lens, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(SAMPLES / "generic", folder / "generic")
    shutil.copytree(SAMPLES / "daylio", folder / "daylio")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "random.txt").write_text("shopping list: eggs, milk\n", encoding="utf-8")
    summary = lens.import_paths([folder])
    assert {"generic", "daylio"} <= set(summary.formats)
    assert summary.added > 10
    files = {Path(p.file).name for p in summary.problems}
    assert {"notes.docx", "random.txt"} <= files


def test_forgotten_entry_is_not_brought_back(lens: Lens, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "j.jsonl", [
        {"id": "1", "date": "2025-02-01", "text": "Something I regret writing."},
        {"id": "2", "date": "2025-02-02", "text": "Kept."},
    ])
    lens.import_paths([path])
    gone = lens.entries().filter(lens.entries()["source_ref"] == "1")["entry_id"][0]
    lens.forget(gone)
    summary = lens.import_paths([path])
    assert (summary.added, summary.amended, summary.kept_out) == (0, 0, 1)
    entries = lens.entries()
    forgotten = entries.filter(entries["entry_id"] == gone).row(0, named=True)
    assert forgotten["text"] is None and forgotten["forgotten"] is True
    assert lens.verify().ok


def test_import_completed_event_counts(lens: Lens, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "j.jsonl", [
        {"id": "1", "date": "2025-02-01", "text": "One."},
        {"id": "2", "text": "No date."},
    ])
    lens.import_paths([path])
    (done,) = lens.log.select_events(types=("ImportCompleted",))
    assert done.payload["added"] == 1 and done.payload["rejected"] == 1
    assert done.payload["problems"] == [f"{path}, line 2: missing date"]
    assert done.payload["formats"] == ["generic"]


def test_subjects_are_kept_apart(lens: Lens, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "j.jsonl", [{"id": "1", "date": "2025-02-01", "text": "One."}])
    lens.import_paths([path], subject="alice")
    lens.import_paths([path], subject="bob")
    assert lens.entries(subject="alice").height == 1
    assert lens.entries().height == 2


def test_renamed_dayone_export_reimports_as_duplicates(lens: Lens, tmp_path: Path) -> None:
    """Day One's journal name comes from the file name: a renamed export edits nothing."""
    journal = SAMPLES / "dayone" / "Journal.json"
    assert lens.import_paths([journal]).added == 5
    seq = lens.log.max_seq()
    renamed = tmp_path / "Journal 2.json"
    shutil.copy(journal, renamed)
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(journal, "Personal.json")
    for export in (journal, renamed, zipped):
        summary = lens.import_paths([export])
        assert (summary.added, summary.amended, summary.unchanged) == (0, 0, 5), export
    assert lens.log.max_seq() == seq, "a renamed export wrote events"

    doc = json.loads(journal.read_text(encoding="utf-8"))
    doc["entries"][1]["text"] += " Later I told Sam how it felt."
    renamed.write_text(json.dumps(doc), encoding="utf-8")
    summary = lens.import_paths([renamed])
    assert (summary.added, summary.amended, summary.unchanged) == (0, 1, 4)
    edited = lens.entries().filter(pl.col("source_ref") == doc["entries"][1]["uuid"]).row(0, named=True)
    assert edited["text"].endswith("Later I told Sam how it felt.")
    assert json.loads(edited["meta"])["journal"] == "Journal 2"
    assert lens.verify().ok


def test_unchanged_dayone_entry_keeps_the_payload_stores_hold(tmp_path: Path) -> None:
    """Stores compare payload digests: if the payload of an unchanged record changed shape,
    every stored entry would re-import as edited. This is the payload stores already hold."""
    path = tmp_path / "Journal.json"
    path.write_text(json.dumps({"metadata": {"version": "1.0"}, "entries": [{
        "uuid": "AB12", "creationDate": "2024-03-01T08:30:00Z", "timeZone": "Europe/Berlin",
        "starred": True, "tags": ["therapy"],
        "text": "# Session\n\nDr\\. Okafor asked what I needed\\."}]}), encoding="utf-8")
    accepted, _ = validate(read_path(path, "me"))
    assert entry_payloads(accepted)["payload"].to_list() == [
        '{"entry_id":"36bb94e69246583a","subject":"me","source":"dayone","source_ref":"AB12",'
        '"occurred_at":"2024-03-01T08:30:00.000000Z","timezone":"Europe/Berlin","title":"Session",'
        '"text":"Dr. Okafor asked what I needed.","tags":["therapy"],"mood":null,"mood_level":null,'
        '"meta":"{\\"journal\\": \\"Journal\\", \\"starred\\": true}"}']


def test_a_journal_field_of_a_jsonl_export_is_content(lens: Lens, tmp_path: Path) -> None:
    """Only file-derived meta is ignored: the same key written by the writer is an edit."""
    path = write_jsonl(tmp_path / "j.jsonl", [
        {"id": "1", "date": "2025-02-01", "text": "One.", "journal": "Therapy"}])
    lens.import_paths([path])
    write_jsonl(path, [{"id": "1", "date": "2025-02-01", "text": "One.", "journal": "Home"}])
    assert lens.import_paths([path]).amended == 1


def test_same_record_twice_in_one_import_is_one_entry(lens: Lens, tmp_path: Path) -> None:
    """An export imported together with its own zip: no duplicates, no complaints."""
    summary = lens.import_paths([SAMPLES / "dayone"])
    assert summary.problems == []
    assert summary.added == lens.entries().height > 0


def test_zipped_vault_and_folder_give_the_same_entries(tmp_path: Path) -> None:
    vault = SAMPLES / "obsidian"
    archive = tmp_path / "vault.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in vault.rglob("*"):
            if path.is_file():
                zf.write(path, "obsidian/" + path.relative_to(vault).as_posix())
    with patternlens.open(None) as folder_lens, patternlens.open(None) as zip_lens:
        from_folder = folder_lens.import_paths([vault])
        from_zip = zip_lens.import_paths([archive])
        assert from_zip.problems == from_folder.problems == []  # .obsidian/ skipped in both
        assert from_zip.added == from_folder.added > 0
        assert set(zip_lens.entries()["entry_id"]) == set(folder_lens.entries()["entry_id"])


# -- damaged zip archives: one bad member costs only itself ---------------------------------

def _member_data(archive: Path, member: str) -> tuple[int, int]:
    """Offset and length of a member's compressed bytes in the archive file."""
    raw = archive.read_bytes()
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
    # The local header is 30 fixed bytes, then the name and the extra field, then the data.
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    return info.header_offset + 30 + name_len + extra_len, info.compress_size


def _central_entry(raw: bytes, member: str) -> int:
    """Offset of a member's record in the zip's central directory."""
    pos = raw.find(b"PK\x01\x02")
    while pos >= 0:
        (name_len,) = struct.unpack_from("<H", raw, pos + 28)
        if raw[pos + 46:pos + 46 + name_len] == member.encode():
            return pos
        pos = raw.find(b"PK\x01\x02", pos + 1)
    raise AssertionError(f"{member} not in the central directory")


def _scramble(raw: bytearray, archive: Path, member: str) -> None:  # zlib.error
    start, _ = _member_data(archive, member)
    raw[start:start + 8] = b"\xff" * 8


def _flip_byte(raw: bytearray, archive: Path, member: str) -> None:  # bad CRC
    start, size = _member_data(archive, member)
    raw[start + size // 2] ^= 0xFF


def _claim_past_end(raw: bytearray, archive: Path, member: str) -> None:  # EOFError
    struct.pack_into("<II", raw, _central_entry(bytes(raw), member) + 20, 10**6, 10**6)


def _unknown_method(raw: bytearray, archive: Path, member: str) -> None:  # NotImplementedError
    with zipfile.ZipFile(archive) as zf:
        header = zf.getinfo(member).header_offset
    struct.pack_into("<H", raw, header + 8, 9)  # deflate64, which zipfile cannot unpack
    struct.pack_into("<H", raw, _central_entry(bytes(raw), member) + 10, 9)


def _encrypted(raw: bytearray, archive: Path, member: str) -> None:  # RuntimeError
    with zipfile.ZipFile(archive) as zf:
        header = zf.getinfo(member).header_offset
    raw[header + 6] |= 1
    raw[_central_entry(bytes(raw), member) + 8] |= 1


@pytest.mark.parametrize(("damage", "method", "words"), [
    (_scramble, zipfile.ZIP_DEFLATED, "compressed data is damaged"),
    (_flip_byte, zipfile.ZIP_DEFLATED, "checksum does not match"),
    (_flip_byte, zipfile.ZIP_STORED, "checksum does not match"),
    # Stored data is read until its declared size: past the archive's end, nothing is left.
    (_claim_past_end, zipfile.ZIP_STORED, "cut short"),
    (_unknown_method, zipfile.ZIP_DEFLATED, "Deflate64"),
    (_encrypted, zipfile.ZIP_DEFLATED, "password-protected"),
])
def test_damaged_zip_member_is_one_problem_and_the_rest_land(
        lens: Lens, tmp_path: Path, damage: Callable[[bytearray, Path, str], None], method: int,
        words: str) -> None:
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for day in ["2025-03-01", "2025-03-02", "2025-03-03"]:
            zf.writestr(f"vault/{day}.md", f"Talked with Sam about the move on {day}. " * 20,
                        compress_type=method if day == "2025-03-02" else None)
    raw = bytearray(archive.read_bytes())
    damage(raw, archive, "vault/2025-03-02.md")
    archive.write_bytes(bytes(raw))
    other = write_jsonl(tmp_path / "j.jsonl", [{"id": "1", "date": "2025-02-01", "text": "One."}])

    summary = lens.import_paths([archive, other])

    assert summary.added == 3  # both good members and the other file of the same import
    (problem,) = summary.problems
    assert problem.file == f"{archive}!vault/2025-03-02.md"
    assert words in problem.reason
    assert sorted(lens.entries()["source_ref"].drop_nulls().to_list()) == [
        "1", "2025-03-01.md", "2025-03-03.md"]


def test_zip_that_cannot_be_opened_is_one_problem(lens: Lens, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "j.jsonl", [{"id": "1", "date": "2025-02-01", "text": "One."}])
    with zipfile.ZipFile(tmp_path / "broken.zip", "w") as zf:
        zf.writestr("a.md", "Talked with Sam.")
        zf.writestr("b.md", "Session with Dr. Okafor.")
    raw = bytearray((tmp_path / "broken.zip").read_bytes())
    entry = _central_entry(bytes(raw), "b.md")
    raw[entry:entry + 4] = b"XXXX"  # its list of contents is damaged
    (tmp_path / "broken.zip").write_bytes(bytes(raw))
    (tmp_path / "cut.zip").write_bytes(raw[:len(raw) // 2])  # a download cut short
    summary = lens.import_paths([tmp_path / "broken.zip", tmp_path / "cut.zip", good])
    assert summary.added == 1
    assert [(Path(p.file).name, p.position) for p in summary.problems] == [
        ("broken.zip", "whole file"), ("cut.zip", "whole file")]
    assert all(p.reason.startswith("damaged zip archive") for p in summary.problems)
    assert "cut short" in summary.problems[1].reason
