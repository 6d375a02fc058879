"""The command line on real files: output, exit codes, one-line errors, complete help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from patternlens.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point, as a user would (errors and exit codes included)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNLENS_")}
    full_env = {**clean, **(env or {})}
    return subprocess.run([sys.executable, "-m", "patternlens", *args], capture_output=True,
                          text=True, env=full_env, stdin=subprocess.DEVNULL, timeout=120)


def test_import_then_entries_as_jsonl(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    first = run("--store", store, "import", str(SAMPLES / "generic" / "entries.jsonl"))
    assert first.returncode == 0, first.stderr
    assert "new" in first.stdout
    again = run("--store", store, "import", str(SAMPLES / "generic" / "entries.jsonl"))
    assert again.returncode == 0 and again.stdout.startswith("Nothing new")
    out = run("--store", store, "entries", "--format", "jsonl")
    assert out.stderr == "", "a clean run printed to stderr"
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert records and set(records[0]) == {
        "entry_id", "source_ref", "occurred_at", "roles", "themes", "responses", "emotions",
        "intensity", "in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis",
        "episodes"}
    raw = json.loads(run("--store", store, "entries", "--text", "--format", "json").stdout)
    assert {r["entry_id"] for r in raw} == {r["entry_id"] for r in records}
    assert all(r["text"] for r in raw)
    assert run("--store", store, "verify").stdout.startswith("OK:")


def test_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run("--store", str(tmp_path / "s.duckdb"), "import", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"patternlens: {tmp_path / 'nope.json'}: no such file or folder"


def test_store_in_use_exit_3(tmp_path: Path) -> None:
    import patternlens

    store = tmp_path / "s.duckdb"
    with patternlens.open(store):
        result = run("--store", str(store), "entries")
    assert result.returncode == 3
    assert f"store is in use by process {os.getpid()}" in result.stderr
    assert "Traceback" not in result.stderr


def test_encrypted_store_needs_its_key(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    key = {"PATTERNLENS_KEY": "s3cret key"}
    assert run("--store", store, "init", "--encrypt", env=key).returncode == 0
    assert run("--store", store, "import", str(SAMPLES / "generic"), env=key).returncode == 0
    no_key = run("--store", store, "entries")
    assert no_key.returncode == 1 and "encrypted" in no_key.stderr
    wrong = run("--store", store, "entries", env={"PATTERNLENS_KEY": "nope"})
    assert wrong.returncode == 1 and "wrong key" in wrong.stderr
    assert "Traceback" not in no_key.stderr + wrong.stderr
    assert run("--store", store, "verify", env=key).returncode == 0


def test_forget_and_people(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    run("--store", store, "import", str(SAMPLES / "generic" / "entries.jsonl"))
    entries = json.loads(run("--store", store, "entries", "--text", "--format", "json").stdout)
    target = entries[0]["entry_id"]
    forgot = run("--store", store, "forget", target, "--yes")
    assert forgot.returncode == 0, forgot.stderr
    after = {e["entry_id"]: e["text"] for e in
             json.loads(run("--store", store, "entries", "--text", "--format", "json").stdout)}
    refreshed = run("--store", store, "entries")
    assert refreshed.returncode == 0 and refreshed.stderr == ""
    assert after[target] is None
    assert run("--store", store, "forget", "0000000000000000", "--yes").returncode == 1
    assert run("--store", store, "people", "add", "Dr. Okafor", "--role", "therapist").returncode == 0
    people = run("--store", store, "people", "list", "--format", "csv").stdout
    assert people.splitlines() == ["subject,name,role", "me,Dr. Okafor,therapist"]
    bad_role = run("--store", store, "people", "add", "Sam", "--role", "lover")
    assert bad_role.returncode == 2 and "Traceback" not in bad_role.stderr
    log = json.loads(run("--store", store, "log", "--format", "json").stdout)
    assert [e["event_type"] for e in log][-2:] == ["EntryForgotten", "PersonDeclared"]


def test_commands_before_any_import(tmp_path: Path) -> None:
    result = run("--store", str(tmp_path / "none.duckdb"), "entries")
    assert result.returncode == 1 and "no store at" in result.stderr


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += _commands(command, prefix + name + " ")
    return found


@pytest.mark.parametrize("name,command", _commands(cli))
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert command.help and len(command.help) > 30, f"{name} lacks help text"
    if not isinstance(command, click.Group):
        assert "Example:" in result.output, f"{name} --help has no example"
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"patternlens {name}" in readme, f"README does not show `patternlens {name}`"
