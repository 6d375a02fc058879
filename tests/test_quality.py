"""The codebase stays ruff- and mypy-clean, and the public API is what __all__ says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import patternlens

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    if path is None:
        pytest.fail(f"{name} is not installed; install the test extra: pip install -e '.[test]'")
    return path


def test_ruff_clean() -> None:
    result = subprocess.run([_tool("ruff"), "check", "src", "tests", "benchmarks"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_public_api_is_all() -> None:
    public = {name for name in dir(patternlens) if not name.startswith("_")}
    modules = {"cli", "errors", "ingest", "lens", "report", "store", "extract", "analyze",
               "project", "taxonomy", "timezones"}
    assert set(patternlens.__all__) - {"__version__"} == public - modules
    for name in patternlens.__all__:
        assert getattr(patternlens, name) is not None
