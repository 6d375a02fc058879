"""The Python API: one object over a store, the same calls the CLI makes.

    import patternlens
    lens = patternlens.open("patternlens.duckdb")
    lens.import_paths(["~/Downloads/Journal.json"])
    lens.entries()          # Polars DataFrame
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import polars as pl

from patternlens import taxonomy
from patternlens.analyze.pervasiveness import theme_role_table
from patternlens.errors import BadInputError, PatternlensError, UnknownEntryError
from patternlens.ingest.detect import read_path
from patternlens.ingest.model import Parsed
from patternlens.ingest.validate import validate
from patternlens.project import episodes as episode_projection
from patternlens.project import findings as finding_projection
from patternlens.store.entries import current_entries
from patternlens.store.events import NewEvent, entry_stream, person_name_key, person_stream
from patternlens.store.log import EventLog, VerifyResult
from patternlens.store.record import ImportSummary, record_entries

if TYPE_CHECKING:
    import networkx as nx

    from patternlens.analyze.graph import GraphParts
    from patternlens.report.notebook import Charts

DEFAULT_STORE = "patternlens.duckdb"
DEFAULT_SUBJECT = "me"
ROLES = taxonomy.ROLES


class Lens:
    """A journal store and everything patternlens can tell from it."""

    def __init__(self, log: EventLog) -> None:
        self.log = log

    # -- writing ---------------------------------------------------------------------------
    def import_paths(self, paths: Sequence[str | os.PathLike[str]], *,
                     subject: str = DEFAULT_SUBJECT) -> ImportSummary:
        """Import exports (files, zips, folders; formats autodetected) as one transaction."""
        parsed = Parsed.empty()
        for path in paths:
            parsed.extend(read_path(Path(path).expanduser(), subject))
        accepted, problems = validate(parsed)
        return record_entries(self.log, accepted, problems, subject=subject,
                              sources=[str(p) for p in paths], formats=sorted(parsed.formats))

    def declare_person(self, name: str, role: str, *, subject: str = DEFAULT_SUBJECT) -> bool:
        """Record that ``name`` is the writer's ``role`` (a taxonomy role id). Returns False
        when that was already the declared role."""
        if role not in ROLES:
            raise PatternlensError(f"unknown role {role!r}; roles are: {', '.join(ROLES)}")
        name = " ".join(name.split())
        if not name:
            raise PatternlensError("a person needs a name")
        with self.log.lock:
            current = self.people(subject=subject).filter(
                pl.col("name").str.to_lowercase() == person_name_key(name))
            if current.height and current["role"][0] == role:
                return False
            self._append_next(person_stream(subject, name), "PersonDeclared", subject,
                              {"name": name, "role": role})
        return True

    def retract(self, entry_id: str, reason: str | None = None) -> None:
        """Withdraw an entry from analysis. Its text stays in the log (use ``forget`` to erase)."""
        stream = entry_stream(entry_id)
        heads = self.log.stream_heads(pl.Series([stream]))
        if heads.is_empty():
            raise UnknownEntryError(f"no entry with id {entry_id}")
        if heads["last_type"][0] == "EntryRetracted":
            return
        self.log.append([NewEvent(stream, int(heads["version"][0]) + 1, "EntryRetracted",
                                  self._subject_of(stream), {"entry_id": entry_id, "reason": reason})])

    def _subject_of(self, stream: str) -> str:
        return str(self.log.events_frame(stream_id=stream)["subject"][0])

    def log_session(self, day: date, *, srs: Sequence[float] | None = None,
                    ors: Sequence[float] | None = None, note: str | None = None,
                    subject: str = DEFAULT_SUBJECT) -> None:
        """Log Session Rating Scale and/or Outcome Rating Scale scores (4 items, 0-10 each)
        for the session on ``day``. Logging a day again replaces its scores."""
        for name, items in (("SRS", srs), ("ORS", ors)):
            if items is None:
                continue
            if len(items) != 4 or any(not 0 <= x <= 10 for x in items):
                raise BadInputError(f"{name} takes 4 scores from 0 to 10, got {list(items)}")
        if srs is None and ors is None:
            raise BadInputError("give SRS or ORS scores (or both)")
        self._append_next(f"sessions-{subject}", "SessionRated", subject, {
            "date": day.isoformat(), "srs": list(srs) if srs is not None else None,
            "ors": list(ors) if ors is not None else None, "note": note})

    def dismiss(self, finding_id: str, *, reason: str | None = None,
                subject: str = DEFAULT_SUBJECT) -> None:
        """Say a finding does not fit; it stays out of later runs."""
        if not finding_id.strip():
            raise BadInputError("which finding? give its id, as the finding commands print it")
        self._append_next(f"dismissals-{subject}", "FindingDismissed", subject,
                          {"finding_id": finding_id.strip(), "reason": reason})

    def _append_next(self, stream: str, event_type: str, subject: str, payload: dict[str, object]
                     ) -> None:
        with self.log.lock:
            heads = self.log.stream_heads(pl.Series([stream]))
            version = int(heads["version"][0]) if heads.height else 0
            self.log.append([NewEvent(stream, version + 1, event_type, subject, payload)])

    def forget(self, entry_id: str) -> int:
        """Erase an entry's text everywhere it is stored (the log and every projection that
        quotes it); the erasure itself is recorded."""
        tables = (*episode_projection.TEXT_TABLES, *finding_projection.TEXT_TABLES)
        return self.log.forget(entry_id, text_tables=tables)

    # -- reading ---------------------------------------------------------------------------
    def entries(self, *, subject: str | None = None, as_of: date | None = None) -> pl.DataFrame:
        """The live entries, one row each, oldest first."""
        return current_entries(self.log, subject=subject, as_of=as_of)

    def extraction(self, *, subject: str | None = None) -> pl.DataFrame:
        """One record per entry: roles, themes, responses, emotions, intensity, the flags
        (in_therapy, rupture, repair, red_flag, past, strong, crisis) and its episodes with
        their evidence. Kept in the store and refreshed from the log as needed."""
        return episode_projection.records(self.log, subject=subject)

    def episodes(self, *, subject: str | None = None) -> pl.DataFrame:
        """One row per relationship episode (a clause about one other person)."""
        return episode_projection.episodes(self.log, subject=subject)

    # -- findings --------------------------------------------------------------------------
    def findings(self, name: str, *, subject: str | None = None,
                 as_of: date | None = None) -> pl.DataFrame:
        """One finding table (strong, breadcrumbs, trails, ruptures, rupture_evidence,
        pervasiveness, alliance, sessions, red_flags, crisis), dismissed findings left out.
        ``as_of`` answers from the log as it stood then."""
        return finding_projection.read(self.log, name, subject=subject, as_of=as_of)

    def breadcrumbs(self, *, subject: str | None = None, as_of: date | None = None
                    ) -> pl.DataFrame:
        """Strong reactions in therapy whose theme recurs with other people, best first, each
        with its ``trail``: the dated episodes, earliest echo first, with their quotes."""
        crumbs = self.findings("breadcrumbs", subject=subject, as_of=as_of)
        trail = self.findings("trails", subject=subject, as_of=as_of)
        return _nest(crumbs, trail, "trail", ["entry_id", "source_ref", "date", "role", "person",
                                               "quote", "intensity", "past"])

    def ruptures(self, *, subject: str | None = None, as_of: date | None = None
                 ) -> pl.DataFrame:
        """The rupture ledger: strains with the therapist and whether a repair followed,
        open ones first, each with its ``evidence``."""
        ledger = self.findings("ruptures", subject=subject, as_of=as_of)
        evidence = self.findings("rupture_evidence", subject=subject, as_of=as_of)
        return _nest(ledger, evidence, "evidence", ["entry_id", "date", "kind", "quote"])

    def strong(self, *, subject: str | None = None, as_of: date | None = None) -> pl.DataFrame:
        """Reactions strong for this writer (against their own baseline) or out of proportion."""
        frame = self.findings("strong", subject=subject, as_of=as_of)
        return frame.filter(pl.col("strong_for_writer") | pl.col("out_of_proportion"))

    def pervasiveness(self, *, subject: str | None = None, as_of: date | None = None
                      ) -> pl.DataFrame:
        """CCRT pervasiveness, long form: per theme and role ("all" overall), the share of
        the writer's episodes that carry the theme."""
        return self.findings("pervasiveness", subject=subject, as_of=as_of)

    def theme_table(self, *, subject: str = DEFAULT_SUBJECT, as_of: date | None = None
                    ) -> pl.DataFrame:
        """Pervasiveness as a theme x role table (rows themes, columns roles, shares)."""
        return theme_role_table(self.pervasiveness(subject=subject, as_of=as_of), subject)

    def alliance(self, *, subject: str | None = None, as_of: date | None = None
                 ) -> pl.DataFrame:
        """Weekly alliance trend from therapy episodes."""
        return self.findings("alliance", subject=subject, as_of=as_of)

    def sessions(self, *, subject: str | None = None, as_of: date | None = None
                 ) -> pl.DataFrame:
        """Logged SRS/ORS scores with totals, strained sessions and reliable change."""
        return self.findings("sessions", subject=subject, as_of=as_of)

    def red_flags(self, *, subject: str | None = None, as_of: date | None = None
                  ) -> pl.DataFrame:
        """Lines crossed in therapy, kept apart from normal challenges."""
        return self.findings("red_flags", subject=subject, as_of=as_of)

    def crisis(self, *, subject: str | None = None, as_of: date | None = None) -> pl.DataFrame:
        """Entries with crisis language (self-harm, suicide): shown first, never a pattern."""
        return self.findings("crisis", subject=subject, as_of=as_of)

    def graph(self, *, subject: str = DEFAULT_SUBJECT, as_of: date | None = None,
              with_episodes: bool = True) -> nx.DiGraph[str]:
        """The relationship graph: people, roles, themes and (unless ``with_episodes`` is
        False) episodes, as NetworkX."""
        from patternlens.analyze.graph import relationship_graph  # NetworkX loads in 0.15 s

        return relationship_graph(self._graph_episodes(subject, as_of), subject,
                                  with_episodes=with_episodes)

    def graph_parts(self, *, subject: str = DEFAULT_SUBJECT, as_of: date | None = None,
                    with_episodes: bool = True) -> GraphParts:
        """The same graph as plain nodes and edges, without loading NetworkX."""
        from patternlens.analyze.graph import graph_parts

        return graph_parts(self._graph_episodes(subject, as_of), subject, with_episodes=with_episodes)

    def _graph_episodes(self, subject: str, as_of: date | None) -> pl.DataFrame:
        if as_of is not None:
            _, episodes = episode_projection.as_of(self.log, as_of, subject=subject)
        else:
            episodes = self.episodes(subject=subject)
        records = self.extraction(subject=subject) if as_of is None else None
        crisis_ids = (records.filter(pl.col("crisis"))["entry_id"] if records is not None
                      else pl.Series([], dtype=pl.String))
        return episodes.filter(~pl.col("entry_id").is_in(crisis_ids))

    @property
    def chart(self) -> Charts:
        """Altair charts of the findings: ``lens.chart.timeline()``, ``.themes()``,
        ``.breadcrumbs()``, ``.graph()``, ``.alliance()``."""
        from patternlens.report.notebook import Charts

        return Charts(self)

    def _repr_html_(self) -> str:
        from patternlens.report.notebook import summary_html

        return summary_html(self)

    def refresh(self) -> finding_projection.Refresh:
        """Bring every projection up to the end of the log (incremental from checkpoints)."""
        return finding_projection.refresh(self.log)

    def people(self, *, subject: str | None = None) -> pl.DataFrame:
        """People the writer declared: subject, name, role (latest declaration wins)."""
        return episode_projection.people(self.log, subject=subject)

    def events(self, **filters: object) -> pl.DataFrame:
        """The raw log (payload as JSON text), for auditing: see EventLog.events_frame."""
        return self.log.events_frame(**filters)  # type: ignore[arg-type]

    def verify(self) -> VerifyResult:
        return self.log.verify()

    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> Lens:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def open(path: str | os.PathLike[str] | None = DEFAULT_STORE, *, key: str | None = None,
         create: bool = True) -> Lens:
    """Open (or create) a store. ``path=None`` keeps it in memory; ``key`` opens an encrypted one."""
    return Lens(EventLog(path, key=key, create=create))


def _nest(parents: pl.DataFrame, children: pl.DataFrame, name: str, columns: list[str]
          ) -> pl.DataFrame:
    """Nest child rows (keyed by ``finding_id``) as a list column ``name`` of each parent."""
    kept = [c for c in columns if c in children.columns]
    grouped = children.group_by("finding_id", maintain_order=True).agg(
        pl.struct(kept).alias(name)).rename({"finding_id": "id"})
    return parents.join(grouped, on="id", how="left", maintain_order="left")
