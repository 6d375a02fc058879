"""The ``patternlens`` command. Each command opens the store, calls one library function and
formats the result; the library does the work (see ``lens.py``).

Exit codes: 0 ok, 1 failed, 2 bad input or usage, 3 store in use by another process.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import polars as pl
import polars.selectors as cs
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from patternlens import lens as lens_mod
from patternlens.errors import PatternlensError, StoreError, StoreInUseError, WrongKeyError
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
    subject_given: bool = True  # --subject or PATTERNLENS_SUBJECT, not the default

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


def as_of_option(func: F) -> F:
    """--as-of DATE: every finding command can answer "what did it look like then"."""
    return click.option(
        "--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
        help="Answer from the journal and log as they stood at the end of this day (YYYY-MM-DD).",
    )(func)


def _as_of_day(day: datetime | None) -> date | None:
    """The day itself: "as of" a day means through its end in the writer's own time zone."""
    return None if day is None else day.date()


def emit(frame: pl.DataFrame, fmt: str, title: str | None = None) -> None:
    if fmt == "table" and frame.is_empty():
        click.echo(f"No {title.lower() if title else 'records'} found.")
        return
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
    given = ctx.get_parameter_source("subject") != click.core.ParameterSource.DEFAULT
    state = State(store=store, subject=subject, subject_given=given)
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


def _default_out_dir(store: str) -> Path:
    return Path(store).resolve().parent / "patternlens-reports"


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where reports go (default: patternlens-reports/ beside the store).")
@click.pass_obj
def analyze(state: State, paths: tuple[Path, ...], out_dir: Path | None) -> None:
    """The main job: import your exports, find the patterns, print a summary and write a
    full HTML report.

    Formats are recognised by themselves (see `patternlens import --help`). Running it
    again on the same export adds nothing and reuses the stored results.

    \b
    Example:
      patternlens analyze ~/Downloads/Journal.json
      patternlens analyze ~/Obsidian/Journal --out-dir ~/therapy-notes
    """
    console = Console(highlight=False)
    lens = state.open()
    out_dir = out_dir or _default_out_dir(state.store)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Reading your exports", total=3)
        summary = lens.import_paths(list(paths), subject=state.subject)
        # An export whose records name one other writer ("subject" fields): show that journal.
        if not state.subject_given and summary.subjects and state.subject not in summary.subjects:
            if len(summary.subjects) > 1:
                raise click.UsageError(
                    f"the export holds the journals of {', '.join(summary.subjects)} (imported): "
                    "analyse one with --subject NAME, or write a report for each with "
                    "'patternlens report --all-subjects'")
            state.subject = summary.subjects[0]
        progress.update(task, advance=1, description="Finding episodes and patterns")
        lens.refresh()
        progress.update(task, advance=1, description="Writing the report")
        from patternlens.report.batch import folder_name, reports_current, write_reports
        from patternlens.report.model import build_report
        from patternlens.report.terminal import print_summary

        latest = out_dir / folder_name(state.subject) / "latest.html"
        # Current only if built from the log as it is now: other commands refresh too.
        unchanged = reports_current(lens, out_dir, subjects=[state.subject])
        if unchanged:
            report = build_report(lens, subject=state.subject)
        else:
            report = write_reports(lens, out_dir, subjects=[state.subject]).reports[state.subject]
        progress.update(task, advance=1)
    _print_import(summary)
    if unchanged:
        click.echo("Nothing new was added; reusing the stored results and report.")
    print_summary(console, report, latest)


@cli.command()
@click.option("--format", "formats", type=click.Choice(["html", "md", "json"]), multiple=True,
              default=["html"], show_default=True, help="Report format (repeatable).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write one report to this file (one format, one writer).")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write dated reports and a stable latest.* per writer here "
                   "(default: patternlens-reports/ beside the store).")
@click.option("--all-subjects", is_flag=True,
              help="One report per writer in the store, plus a corpus summary (Parquet, JSON).")
@click.option("--redact", is_flag=True,
              help="Mask names in quotes, for sharing: declared people by role, others as [name].")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only the period from this day on.")
@as_of_option
@click.option("--wait", type=float, default=0, show_default=True,
              help="If another run holds the store, wait up to this many seconds (else exit 3).")
@click.pass_obj
def report(state: State, formats: tuple[str, ...], out: Path | None, out_dir: Path | None,
           all_subjects: bool, redact: bool, since: datetime | None, as_of: datetime | None,
           wait: float) -> None:
    """Write reports: HTML (self-contained, with charts), Markdown or JSON. Safe to run
    from cron: incremental, one run at a time, files written whole, quiet unless something
    needs attention, one summary line for your logs.

    Exit codes: 0 ok, 1 failed, 2 bad input, 3 the store is in use.

    \b
    Example:
      patternlens report --format html --out report.html
      patternlens report --format md --redact --out for-my-therapist.md
      patternlens report --all-subjects --format html --format json --out-dir /srv/reports
    """
    from patternlens.report.batch import CORPUS_FOLDER, reports_current, write_atomic, write_reports
    from patternlens.report.batch import render as render_report
    from patternlens.report.model import build_report

    lens = _open_waiting(state, wait)
    lens.refresh()
    at = _as_of_day(as_of)
    day = since.date() if since is not None else None
    if out is not None:
        if len(formats) != 1 or all_subjects:
            raise click.UsageError("--out writes one file: give one --format and no --all-subjects")
        content = build_report(lens, subject=state.subject, as_of=at, since=day, redact=redact)
        write_atomic(out, render_report(content, formats[0]))
        click.echo(f"Wrote {out}")
        _attention(content)
        return
    target = out_dir or _default_out_dir(state.store)
    subjects = None if all_subjects else [state.subject]
    names = subjects or sorted(lens.entries()["subject"].unique().to_list())
    corpus_kept = len(names) < 2 or (target / CORPUS_FOLDER / "latest.json").exists()
    if as_of is None and since is None and corpus_kept and reports_current(
            lens, target, subjects=names, formats=formats, redact=redact):
        click.echo(f"patternlens report: no new events since the last run; reports in {target} "
                   "are current.")
        return
    result = write_reports(lens, target, formats=formats, subjects=subjects, as_of=at, since=day,
                           redact=redact)
    open_ruptures = sum(r["summary"]["open_ruptures"] for r in result.reports.values())
    click.echo(f"patternlens report: {len(result.reports)} writer(s), {len(result.files)} file(s) "
               f"in {target}; {open_ruptures} open rupture(s)"
               + (f"; corpus summary {result.corpus}" if result.corpus else ""))
    for content in result.reports.values():
        _attention(content)


def _attention(content: dict[str, Any]) -> None:
    """What a scheduled run must not keep quiet about."""
    if content["crisis"]:
        warn(f"attention: {len(content['crisis'])} entr(ies) of {content['subject']} hold crisis "
             "language; the report lists them first with crisis resources.")
    if content["red_flags"]:
        warn(f"attention: {len(content['red_flags'])} entr(ies) of {content['subject']} describe "
             "a line crossed in therapy.")


def _open_waiting(state: State, wait: float) -> Lens:
    deadline = time.monotonic() + wait
    while True:
        try:
            return state.open(create=False)
        except StoreInUseError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


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


ENTRY_RECORD = ["entry_id", "source_ref", "occurred_at", "roles", "themes", "responses", "emotions",
                "intensity", "in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis",
                "episodes"]
FLAGS = ["in_therapy", "rupture", "repair", "red_flag", "past", "strong", "crisis"]


@cli.command()
@output_options()
@click.option("--limit", type=int, default=None, help="Show only the latest N entries.")
@click.option("--text", "with_text", is_flag=True, help="Show the stored entries themselves instead.")
@click.pass_obj
def entries(state: State, fmt: str, limit: int | None, with_text: bool) -> None:
    """What patternlens read in each entry, oldest first: the people in it (roles), the
    themes of how they responded to you, your own responses and emotions, intensity 0-10,
    and the flags (in_therapy, rupture, repair, red_flag, past, strong, crisis). JSON
    output nests each entry's episodes with the quotes they rest on (schemas/entry_record.schema.json).

    \b
    Example:
      patternlens entries --format jsonl > entries.jsonl
      patternlens entries --text --limit 5
    """
    lens = state.open(create=False)
    if with_text:
        frame = lens.entries(subject=state.subject).select(
            "entry_id", "source_ref", "occurred_at", "source", "title",
            pl.col("text").str.slice(0, 80) if fmt == "table" else pl.col("text"),
            "tags", "mood", "version")
    else:
        frame = lens.extraction(subject=state.subject).select(ENTRY_RECORD)
        if fmt == "table":
            frame = frame.select(
                "entry_id", pl.col("occurred_at").dt.date().alias("date"), "roles", "themes",
                pl.col("intensity").round(1),
                pl.concat_list([pl.when(pl.col(f)).then(pl.lit(f)) for f in FLAGS])
                .list.drop_nulls().alias("flags"))
    emit(frame.tail(limit) if limit is not None else frame, fmt, title="Entries")


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
    emit(shown, fmt, title="Events")


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
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where your reports are, to check them for quotes of the entry "
                   "(default: patternlens-reports/ beside the store).")
@click.pass_obj
def forget(state: State, entry_id: str, yes: bool, out_dir: Path | None) -> None:
    """Erase an entry's text from the store, for good, and record that it was erased.

    The entry's date and id stay, so verify still passes and re-imports do not bring the
    text back. Find ids with `patternlens entries`.

    \b
    Example:
      patternlens forget 3f2a9c0d1e4b5a67 --yes
    """
    if not yes:
        click.confirm(f"Erase the text of entry {entry_id} for good?", abort=True)
    lens = state.open(create=False)
    entry = lens.entries().filter(pl.col("entry_id") == entry_id)
    text = "\n".join(str(v) for v in entry.select("title", "text").row(0) if v) if entry.height else ""
    erased = lens.forget(entry_id)
    click.echo(f"Erased the text of entry {entry_id} ({erased} event(s)); the store was rewritten.")
    # Report files are outside the store: say which still quote the entry, not delete them.
    from patternlens.report.batch import files_quoting  # the renderers load slowly

    stale = files_quoting(out_dir or _default_out_dir(state.store), text)
    if stale:
        click.echo("These report files still quote it; delete them, or run `patternlens report` "
                   "to rewrite latest.*:", err=True)
        for path in stale:
            click.echo(f"  {path}", err=True)


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


@cli.command()
@output_options()
@as_of_option
@click.option("--top", type=int, default=10, show_default=True, help="How many to show.")
@click.pass_obj
def breadcrumbs(state: State, fmt: str, as_of: datetime | None, top: int) -> None:
    """Strong reactions in therapy whose theme also runs through other relationships,
    best first, each with the dated trail of quotes from the earliest echo to the session.

    \b
    Example:
      patternlens breadcrumbs
      patternlens breadcrumbs --format json --as-of 2025-03-01
    """
    frame = state.open(create=False).breadcrumbs(subject=state.subject, as_of=_as_of_day(as_of))
    frame = frame.head(top)
    if fmt == "table":
        frame = frame.select(
            "id", "theme", "roles", pl.col("score").round(2), "has_past",
            pl.col("trail").list.first().struct.field("quote").alias("earliest echo"))
    emit(frame, fmt, title="Breadcrumbs")


@cli.command()
@output_options()
@as_of_option
@click.pass_obj
def ruptures(state: State, fmt: str, as_of: datetime | None) -> None:
    """The rupture ledger: strains with your therapist, whether and when a repair followed
    and how long it took. Open ruptures come first.

    \b
    Example:
      patternlens ruptures --format json
    """
    frame = state.open(create=False).ruptures(subject=state.subject, as_of=_as_of_day(as_of))
    if fmt == "table":
        frame = frame.select(
            "id", "started", "markers", "status", "repaired", "days_to_repair",
            pl.col("evidence").list.first().struct.field("quote").alias("first words"))
    emit(frame, fmt, title="Ruptures")


@cli.command()
@output_options()
@as_of_option
@click.option("--long", "long_form", is_flag=True, help="One row per theme and role (for tools).")
@click.pass_obj
def themes(state: State, fmt: str, as_of: datetime | None, long_form: bool) -> None:
    """Pervasiveness: for each theme, the share of your episodes that carry it, overall
    and with each role, as a theme x role table.

    \b
    Example:
      patternlens themes
      patternlens themes --long --format csv > themes.csv
    """
    lens = state.open(create=False)
    at = _as_of_day(as_of)
    frame = (lens.pervasiveness(subject=state.subject, as_of=at) if long_form
             else lens.theme_table(subject=state.subject, as_of=at))
    if fmt == "table" and not long_form:
        frame = frame.with_columns(cs.numeric().round(2))
    emit(frame, fmt, title="Themes by role" if not long_form else "Themes")


@cli.command()
@output_options()
@as_of_option
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Only reactions on or after this day.")
@click.pass_obj
def strong(state: State, fmt: str, as_of: datetime | None, since: datetime | None) -> None:
    """Strong reactions: strong for you (against your own rolling baseline) or out of
    proportion to what set them off.

    \b
    Example:
      patternlens strong --since 2025-05-01
    """
    frame = state.open(create=False).strong(subject=state.subject, as_of=_as_of_day(as_of))
    if since is not None:
        frame = frame.filter(pl.col("occurred_at") >= since.replace(tzinfo=UTC))
    if fmt == "table":
        frame = frame.select("id", pl.col("occurred_at").dt.date().alias("date"), "role", "person",
                             "themes", pl.col("intensity").round(1), "out_of_proportion", "reason")
    emit(frame, fmt, title="Strong reactions")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "json"]), default="graphml",
              show_default=True, help="GraphML and GEXF open in Gephi; json is node-link.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@as_of_option
@click.pass_obj
def graph(state: State, fmt: str, out: Path | None, as_of: datetime | None) -> None:
    """The relationship graph (people, roles, themes, episodes) for Gephi or NetworkX.

    \b
    Example:
      patternlens graph --format gexf --out journal.gexf
    """
    from patternlens.analyze.graph import GraphFormat, write_graph

    g = state.open(create=False).graph(subject=state.subject, as_of=_as_of_day(as_of))
    buffer = io.BytesIO()
    write_graph(g, buffer, cast(GraphFormat, fmt))
    if out is None:
        click.echo(buffer.getvalue().decode("utf-8"), nl=False)
    else:
        out.write_bytes(buffer.getvalue())
        click.echo(f"Wrote {g.number_of_nodes()} nodes and {g.number_of_edges()} edges to {out}")


@cli.group()
def session() -> None:
    """Therapy sessions: log Session Rating Scale / Outcome Rating Scale scores."""


@session.command("log")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True,
              help="The session's day (YYYY-MM-DD).")
@click.option("--srs", default=None, help="SRS: 4 scores 0-10 (relationship, goals, approach, overall).")
@click.option("--ors", default=None,
              help="ORS: 4 scores 0-10 (individually, interpersonally, socially, overall).")
@click.option("--note", default=None, help="A note for yourself.")
@click.pass_obj
def session_log(state: State, day: datetime, srs: str | None, ors: str | None, note: str | None) -> None:
    """Log how a session went, on the Session Rating Scale (below 36 marks a strained
    session) and/or the Outcome Rating Scale (adult cutoff 25; 5 points is reliable change).

    \b
    Example:
      patternlens session log --date 2025-03-11 --srs 9,8,9,7 --ors 6,5,7,6
    """
    state.open().log_session(day.date(), srs=_scores(srs, "--srs"), ors=_scores(ors, "--ors"),
                             note=note, subject=state.subject)
    click.echo(f"Logged the session of {day.date().isoformat()}.")


def _scores(text: str | None, option: str) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise click.BadParameter(f"{text!r}: give 4 numbers 0-10 separated by commas",
                                 param_hint=option) from None


@cli.command()
@click.argument("finding_id")
@click.option("--reason", default=None, help="Why it does not fit, for your own record.")
@click.pass_obj
def dismiss(state: State, finding_id: str, reason: str | None) -> None:
    """Say a finding does not fit you; it stays out of later runs and reports.

    \b
    Example:
      patternlens dismiss br-3f2a9c0d1e --reason "that was about work stress"
    """
    state.open().dismiss(finding_id, reason=reason, subject=state.subject)
    click.echo(f"Dismissed {finding_id}.")


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
    emit(state.open(create=False).people(subject=state.subject), fmt, title="People")


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
