"""Test-wide settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _own_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The compiled lexicon (extract.compiled) goes to a folder of the test run's, not the
    user's cache; subprocesses inherit it."""
    folder = tmp_path_factory.mktemp("cache")
    before = os.environ.get("PATTERNLENS_CACHE_DIR")
    os.environ["PATTERNLENS_CACHE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("PATTERNLENS_CACHE_DIR", None)
    else:
        os.environ["PATTERNLENS_CACHE_DIR"] = before
