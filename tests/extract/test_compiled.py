"""The compiled lexicon on disk: read back whole, never stale, never in the way."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from patternlens.extract import compiled, extract
from patternlens.extract.lexicon import Lexicon, compile_lexicon


@pytest.fixture(scope="module")
def reference() -> Lexicon:
    return compile_lexicon()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATTERNLENS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def _same(a: Lexicon, b: Lexicon) -> None:
    for f in dataclasses.fields(Lexicon):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert type(x) is type(y), f.name
        assert x.equals(y) if isinstance(x, pl.DataFrame) else x == y, f.name


def _copy(cache: Path) -> Path:
    (folder,) = cache.glob("lexicon-*")
    return folder


def test_a_copy_is_written_once_and_read_back_whole(cache: Path, reference: Lexicon) -> None:
    calls: list[int] = []

    def build() -> Lexicon:
        calls.append(1)
        return compile_lexicon()

    _same(compiled.load(build), reference)
    assert calls == [1] and {p.name for p in _copy(cache).iterdir()} == {
        "cues.arrow", "determiners.arrow", "fields.json"}
    _same(compiled.load(build), reference)
    assert calls == [1]  # the second load read the copy


def test_compiling_twice_gives_the_same_lexicon(reference: Lexicon) -> None:
    # a copy from one process must equal what another would compile: no set order inside
    _same(compile_lexicon(), reference)


@pytest.mark.parametrize("damage", ["fields.json", "cues.arrow", "missing"])
def test_a_damaged_copy_is_compiled_again_and_replaced(cache: Path, reference: Lexicon,
                                                        damage: str) -> None:
    compiled.load(compile_lexicon)
    folder = _copy(cache)
    if damage == "missing":
        (folder / "determiners.arrow").unlink()
    else:
        (folder / damage).write_bytes(b"\x00garbage")
    _same(compiled.load(compile_lexicon), reference)
    _same(compiled._read(_copy(cache)), reference)


def test_a_copy_of_another_version_is_not_used(cache: Path, reference: Lexicon) -> None:
    compiled.load(compile_lexicon)
    fields = _copy(cache) / "fields.json"
    data = json.loads(fields.read_text(encoding="utf-8"))
    fields.write_text(json.dumps({**data, "version": "0.0+old", "rating_re": "x"}), encoding="utf-8")
    _same(compiled.load(compile_lexicon), reference)


def test_an_unwritable_cache_folder_is_passed_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   reference: Lexicon) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PATTERNLENS_CACHE_DIR", str(blocker / "cache"))
    _same(compiled.load(compile_lexicon), reference)


def test_nothing_from_a_journal_goes_into_the_copy(cache: Path) -> None:
    entries = pl.DataFrame({
        "entry_id": ["e1"], "subject": ["me"], "occurred_at": [datetime(2024, 1, 1)],
        "title": [None], "text": ["My partner Quillonby said my worries were silly. Quillonby left."],
    }, schema_overrides={"title": pl.String})
    compiled.load(compile_lexicon)
    result = extract(entries)
    assert "Quillonby" in result.episodes["person"].to_list()
    for f in _copy(cache).iterdir():
        assert b"quillonby" not in f.read_bytes().lower()


def test_only_the_copies_written_last_are_kept(cache: Path, reference: Lexicon) -> None:
    cache.mkdir(parents=True)
    for i in range(compiled.KEEP + 2):
        old = cache / f"lexicon-0.{i}+old"
        old.mkdir()
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    compiled.load(compile_lexicon)
    left = sorted(p.name for p in cache.glob("lexicon-*"))
    assert len(left) == compiled.KEEP
    assert {f"lexicon-0.{compiled.KEEP + 1}+old", f"lexicon-0.{compiled.KEEP}+old"} < set(left)
    _same(compiled._read(max(cache.glob("lexicon-*"), key=lambda p: p.stat().st_mtime)), reference)
