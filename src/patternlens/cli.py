"""The ``patternlens`` command. Each command opens the store, calls one library function and
formats the result; the library does the work (see ``lens.py``).

Exit codes: 0 ok, 1 failed, 2 bad input or usage, 3 store in use by another process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
import polars as pl
from rich.console import Console

from patternlens import lens as lens_mod
from patternlens.errors import PatternlensError, StoreError, WrongKeyError
from patternlens.lens import DEFAULT_STORE, DEFAULT_SUBJECT, ROLES, Lens
from patternlens.report.tables import FORMATS, render
from patternlens.store.record import ImportSummary

F = TypeVar("F", bound=Callable[..., Any])
PROBLEMS_SHOWN = 20



def warn(message: str) -> None:
    """One line to stderr, unwrapped, so logs and scripts see it whole."""
    click.echo(message, err=True)


@dataclass
class State:
    store: str
    subject: str
    _lens: Lens | None = field(default=None, repr=False)

    def open(self, *, create: bool = True, key: str | None = None) -> Lens:
        if self._lens is None:
            self._lens = _open_store(self.store, create=create, key=key)
        return self._lens

    def close(self) -> None:
        if self._lens is not None:
            self._lens.close()


def _open_store(store: str, *, create: bool, key: str | None) -> Lens:
    key = key if key is not None else os.environ.get("PATTERNLENS_KEY") or None
    try:
        return lens_mod.open(store, key=key, create=create)
    except WrongKeyError:
        if key is not None or not sys.stdin.isatty():
            raise
    # The store is encrypted and no key was given: ask, without echo.
    typed = click.prompt(f"Key for {store}", hide_input=True)
    return lens_mod.open(store, key=typed, create=create)


def output_options(default: str = "table") -> Callable[[F], F]:
    """The shared --format option of every command that prints records."""
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default=default,
                        show_default=True, help="Output: a table for people, json/jsonl/csv for tools.")


def emit(frame: pl.DataFrame, fmt: str, title: str | None = None) -> None:
    text = render(frame, fmt, title=title, console=Console(highlight=False))
    if text is not None:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", envvar="PATTERNLENS_STORE", default=DEFAULT_STORE, show_default=True,
              type=click.Path(dir_okay=False), help="The store file (or set PATTERNLENS_STORE).")
@click.option("--subject", envvar="PATTERNLENS_SUBJECT", default=DEFAULT_SUBJECT, show_default=True,
              help="Whose journal: one store can hold many writers.")
@click.version_option(package_name="patternlens")
@click.pass_context
def cli(ctx: click.Context, store: str, subject: str) -> None:
    """patternlens: see your own relationship patterns in your journal.

    Everything stays on this machine, in one store file. patternlens does not diagnose.

    \b
    Example:
      patternlens import ~/Downloads/Journal.json
      patternlens entries
    """
    state = State(store=store, subject=subject)
    ctx.obj = state
    ctx.call_on_close(state.close)


@cli.command()
@click.option("--encrypt", is_flag=True,
              help="Encrypt the store (AES-GCM); key from PATTERNLENS_KEY or a prompt.")
@click.pass_obj
def init(state: State, encrypt: bool) -> None:
    """Create a new, empty store.

    The key of an encrypted store is never written anywhere: keep it safe, without it the
    journal cannot be read.

    \b
    Example:
      patternlens --store ~/journal.duckdb init --encrypt
    """
    if Path(state.store).exists():
        raise StoreError(f"{state.store} already exists")
    key = None
    if encrypt:
        key = os.environ.get("PATTERNLENS_KEY") or click.prompt(
            "New key", hide_input=True, confirmation_prompt=True)
    state.open(key=key)
    click.echo(f"Created {'encrypted ' if encrypt else ''}store {state.store}")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def import_(state: State, paths: tuple[Path, ...]) -> None:
    """Import journal exports: files, .zip archives or folders, in any supported format.

    Formats are recognised by themselves: Day One (JSON or zip), Daylio CSV, Obsidian or
    Markdown folders, Journey (JSON or zip), JSONL/CSV (see schemas/entry.schema.json) and
    plain text with date headings. Importing the same export again adds nothing; a newer
    export adds what is new and records edits. Records that cannot be read are listed
    with file and position and left out; the rest land.

    \b
    Example:
      patternlens import ~/Downloads/Journal.zip
      patternlens import ~/Obsidian/Journal data/samples/daylio/daylio_export.csv
    """
    summary = state.open().import_paths(list(paths), subject=state.subject)
    _print_import(summary)
    if summary.problems and not (summary.changed or summary.unchanged or summary.kept_out):
        sys.exit(2)


def _print_import(summary: ImportSummary) -> None:
    found = ", ".join(summary.formats) or "no known format"
    if summary.changed:
        click.echo(f"Imported ({found}): {summary.added} new, {summary.amended} edited, "
                   f"{summary.unchanged} already stored.")
    else:
        click.echo(f"Nothing new ({found}): {summary.unchanged} entries already stored.")
    if summary.kept_out:
        click.echo(f"{summary.kept_out} entries you retracted or asked to forget were not brought back.")
    if summary.problems:
        warn(f"{summary.rejected} record(s) left out:")
        for problem in summary.problems[:PROBLEMS_SHOWN]:
            warn(f"  {problem}")
        if summary.rejected > PROBLEMS_SHOWN:
            warn(f"  … and {summary.rejected - PROBLEMS_SHOWN} more "
                      "(all are listed in the log: patternlens log --type ImportCompleted)")


@cli.command()
@output_options()
@click.option("--limit", type=int, default=None, help="Show only the latest N entries.")
@click.pass_obj
def entries(state: State, fmt: str, limit: int | None) -> None:
    """List the stored entries, oldest first.

    \b
    Example:
      patternlens entries --format jsonl > entries.jsonl
    """
    frame = state.open(create=False).entries(subject=state.subject)
    if limit is not None:
        frame = frame.tail(limit)
    shown = frame.select(
        "entry_id", "source_ref", "occurred_at", "source", "title",
        pl.col("text").str.slice(0, 80).alias("text") if fmt == "table" else pl.col("text"),
        "tags", "mood", "version")
    emit(shown, fmt)


@cli.command("log")
@output_options()
@click.option("--type", "types", multiple=True, help="Only events of this type (repeatable).")
@click.option("--stream", default=None, help="Only one stream, e.g. entry-<id>.")
@click.option("--limit", type=int, default=50, show_default=True, help="The latest N events.")
@click.pass_obj
def log_(state: State, fmt: str, types: tuple[str, ...], stream: str | None, limit: int) -> None:
    """List events in the append-only log, newest last.

    \b
    Example:
      patternlens log --type ImportCompleted --format json
    """
    frame = state.open(create=False).events(types=types or None, stream_id=stream)
    shown = frame.tail(limit).select(
        "seq", "event_type", "stream_id", "version", "subject", "recorded_at",
        pl.col("payload").str.slice(0, 70) if fmt == "table" else pl.col("payload"))
    emit(shown, fmt)


@cli.command()
@click.pass_obj
def verify(state: State) -> None:
    """Recompute the log's hash chain and payload digests; say where it breaks.

    \b
    Example:
      patternlens verify
    """
    result = state.open(create=False).verify()
    if result.ok:
        click.echo(f"OK: {result.checked} events, hash chain intact.")
        return
    warn(f"BROKEN at event {result.broken_at}: {result.reason} "
              f"({result.checked} events before it are intact).")
    sys.exit(1)


@cli.command()
@click.argument("entry_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def forget(state: State, entry_id: str, yes: bool) -> None:
    """Erase an entry's text from the store, for good, and record that it was erased.

    The entry's date and id stay, so verify still passes and re-imports do not bring the
    text back. Find ids with `patternlens entries`.

    \b
    Example:
      patternlens forget 3f2a9c0d1e4b5a67 --yes
    """
    if not yes:
        click.confirm(f"Erase the text of entry {entry_id} for good?", abort=True)
    erased = state.open(create=False).forget(entry_id)
    click.echo(f"Erased the text of entry {entry_id} ({erased} event(s)); the store was rewritten.")


@cli.command()
@click.argument("entry_id")
@click.option("--reason", default=None, help="Why, for your own record.")
@click.pass_obj
def retract(state: State, entry_id: str, reason: str | None) -> None:
    """Leave an entry out of analysis from now on. Its text stays in the store; to erase
    it, use `patternlens forget`.

    \b
    Example:
      patternlens retract 3f2a9c0d1e4b5a67 --reason "written about a dream"
    """
    state.open(create=False).retract(entry_id, reason)
    click.echo(f"Entry {entry_id} is retracted.")


@cli.group()
def people() -> None:
    """Who is who in your journal ("Sam" is a partner, "Dr. Okafor" the therapist)."""


@people.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Who this person is to you.")
@click.pass_obj
def people_add(state: State, name: str, role: str) -> None:
    """Declare a person's role, so entries that name them are read right.

    \b
    Example:
      patternlens people add "Dr. Okafor" --role therapist
    """
    changed = state.open().declare_person(name, role, subject=state.subject)
    click.echo(f"{name} is your {role}." if changed else f"{name} was already your {role}.")


@people.command("list")
@output_options()
@click.pass_obj
def people_list(state: State, fmt: str) -> None:
    """List the people you declared.

    \b
    Example:
      patternlens people list --format csv
    """
    emit(state.open(create=False).people(subject=state.subject), fmt)


def main() -> None:
    """Entry point: turns patternlens errors into one line and an exit code, never a traceback."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        warn("Aborted.")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except PatternlensError as exc:
        warn(f"patternlens: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        warn("Interrupted; nothing partial was stored.")
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("PATTERNLENS_DEBUG"):
            raise
        warn(f"patternlens: unexpected error: {type(exc).__name__}: {exc} "
                  "(set PATTERNLENS_DEBUG=1 for details)")
        sys.exit(1)
