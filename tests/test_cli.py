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


def test_zip_with_a_damaged_member_imports_the_rest_exit_0(tmp_path: Path) -> None:
    import struct
    import zipfile

    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for day in ["2025-03-01", "2025-03-02", "2025-03-03"]:
            zf.writestr(f"{day}.md", f"Talked with Sam about the move on {day}. " * 20)
        info = zf.getinfo("2025-03-02.md")
    raw = bytearray(archive.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
    data = info.header_offset + 30 + name_len + extra_len
    raw[data:data + 8] = b"\xff" * 8  # not a deflate stream any more
    archive.write_bytes(bytes(raw))
    result = run("--store", str(tmp_path / "s.duckdb"), "import", str(archive))
    # Some entries landed, so this is a partial import, not a failure (cli.import_).
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "unexpected" not in result.stderr
    assert "2 new" in result.stdout
    assert f"{archive}!2025-03-02.md, whole file: " in result.stderr
    assert "compressed data is damaged" in result.stderr


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


DEMO = SAMPLES / "demo" / "Journal.json"


def test_analyze_then_again_reuses_results(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    first = run("--store", store, "analyze", str(DEMO))
    assert first.returncode == 0, first.stderr
    assert "Imported (dayone): 78 new" in first.stdout
    assert "does not diagnose" in first.stdout
    latest = tmp_path / "patternlens-reports" / "me" / "latest.html"
    assert latest.exists() and f"Full report: {latest}" in first.stdout.replace("\n", "")
    assert "Traceback" not in first.stderr
    again = run("--store", store, "analyze", str(DEMO))
    assert again.returncode == 0
    assert "Nothing new was added; reusing the stored results" in again.stdout


def test_analyze_follows_the_writer_an_export_names(tmp_path: Path) -> None:
    """Records with a "subject" field: analyze shows that writer's journal rather than an empty
    one for "me"; several writers and no --subject: a one-line error, the import kept."""
    rows = [{"id": f"r{i}", "subject": "alex", "date": f"2025-01-{i + 1:02d}",
             "text": "My mom told me I was overreacting again and I went quiet."} for i in range(5)]
    one = tmp_path / "alex.jsonl"
    one.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    store = str(tmp_path / "s.duckdb")
    result = run("--store", store, "analyze", str(one))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "patternlens-reports" / "alex" / "latest.html").exists()
    assert result.stdout.splitlines()[1].startswith("5 entries, 2025-01-01 to 2025-01-05")
    # an explicit --subject is obeyed
    mine = run("--store", store, "--subject", "me", "analyze", str(one))
    assert mine.returncode == 0 and (tmp_path / "patternlens-reports" / "me" / "latest.html").exists()
    two = tmp_path / "two.jsonl"
    two.write_text("".join(json.dumps({**r, "id": f"b{i}", "subject": "blair"}) + "\n"
                           for i, r in enumerate(rows)) + one.read_text(), encoding="utf-8")
    both = run("--store", str(tmp_path / "t.duckdb"), "analyze", str(two))
    assert both.returncode == 2 and "Traceback" not in both.stderr
    assert "alex, blair (imported)" in both.stderr and "--subject" in both.stderr
    assert run("--store", str(tmp_path / "t.duckdb"), "--subject", "blair", "entries",
               "--format", "csv").stdout.count("\n") == 6  # header and blair's five


def test_scheduled_report_twice(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    out = tmp_path / "reports"
    run("--store", store, "import", str(DEMO))
    first = run("--store", store, "report", "--format", "html", "--format", "json",
                "--out-dir", str(out))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("\n") == 1 and first.stdout.startswith("patternlens report: 1 writer")
    files = sorted(p.name for p in (out / "me").iterdir())
    assert any(f.startswith("report-") and f.endswith(".html") for f in files)
    assert {"latest.html", "latest.json"} <= set(files)
    before = {p: p.stat().st_mtime_ns for p in (out / "me").iterdir()}
    second = run("--store", store, "report", "--format", "html", "--format", "json",
                 "--out-dir", str(out))
    assert second.returncode == 0
    assert "no new events since the last run" in second.stdout
    assert {p: p.stat().st_mtime_ns for p in (out / "me").iterdir()} == before


def test_report_waits_or_exits_3_when_store_in_use(tmp_path: Path) -> None:
    import patternlens

    store = tmp_path / "s.duckdb"
    with patternlens.open(store):
        busy = run("--store", str(store), "report", "--out", str(tmp_path / "r.html"))
    assert busy.returncode == 3 and "in use" in busy.stderr


def test_report_json_matches_schema_and_redacts(tmp_path: Path) -> None:
    import jsonschema

    store = str(tmp_path / "s.duckdb")
    run("--store", store, "import", str(DEMO))
    out = tmp_path / "r.json"
    result = run("--store", store, "report", "--format", "json", "--redact", "--out", str(out))
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((SAMPLES.parents[1] / "schemas" / "report.schema.json").read_text())
    jsonschema.validate(report, schema)
    text = out.read_text(encoding="utf-8")
    assert report["redacted"] is True
    assert "Sam" not in text and "Okafor" not in text, "a name survived --redact"


def test_multi_writer_batch_writes_corpus_summary(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    run("--store", store, "--subject", "jordan", "import", str(DEMO))
    run("--store", store, "--subject", "alex", "import", str(SAMPLES / "daylio"))
    out = tmp_path / "reports"
    result = run("--store", store, "report", "--all-subjects", "--format", "json",
                 "--out-dir", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "jordan" / "latest.json").exists() and (out / "alex" / "latest.json").exists()
    summary = json.loads((out / "corpus" / "latest.json").read_text(encoding="utf-8"))
    assert {w["subject"] for w in summary["writers"]} == {"jordan", "alex"}
    import polars as pl

    parquet = next((out / "corpus").glob("summary-*.parquet"))
    assert set(pl.read_parquet(parquet)["subject"]) == {"jordan", "alex"}


def test_report_since_and_as_of_bound_the_period(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    run("--store", store, "import", str(DEMO))
    early = tmp_path / "early.json"
    result = run("--store", store, "report", "--format", "json", "--as-of", "2025-02-19",
                 "--out", str(early))
    assert result.returncode == 0, result.stderr
    report = json.loads(early.read_text(encoding="utf-8"))
    assert report["period"]["as_of"] == "2025-02-19"
    assert report["period"]["last_entry"] <= "2025-02-19"
    assert [r["status"] for r in report["ruptures"]] == ["open"], "the repair came later"
    late = tmp_path / "late.json"
    run("--store", store, "report", "--format", "json", "--since", "2025-04-01", "--out", str(late))
    report = json.loads(late.read_text(encoding="utf-8"))
    assert report["timeline"] and all(t["date"] >= "2025-04-01" for t in report["timeline"])
    assert all(s["date"] >= "2025-04-01" for s in report["strong"])


def test_forget_names_report_files_that_still_quote_the_entry(tmp_path: Path) -> None:
    store = str(tmp_path / "s.duckdb")
    out = tmp_path / "reports"
    assert run("--store", store, "analyze", str(SAMPLES / "demo"), "--out-dir", str(out)).returncode == 0
    report = json.loads(run("--store", store, "breadcrumbs", "--format", "json").stdout)
    quoted = report[0]["trail"][0]["entry_id"]
    (out / "elsewhere.md").write_text("nothing from the journal here", encoding="utf-8")
    forgot = run("--store", store, "forget", quoted, "--yes", "--out-dir", str(out))
    assert forgot.returncode == 0
    named = [line.strip() for line in forgot.stderr.splitlines()[1:]]
    assert str(out / "me" / "latest.html") in named
    assert str(out / "elsewhere.md") not in named
    # an entry no report quotes: nothing to say
    entries = json.loads(run("--store", store, "entries", "--format", "json").stdout)
    quiet = next(e["entry_id"] for e in entries if not e["episodes"] and e["entry_id"] != quoted)
    again = run("--store", store, "forget", quiet, "--yes", "--out-dir", str(out))
    assert again.returncode == 0 and "still quote" not in again.stderr
