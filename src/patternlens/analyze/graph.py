"""The relationship graph of one writer: people, roles, themes and the episodes that tie them.

A ``networkx.DiGraph``: between two nodes there is at most one relation (node kinds differ at
each end of every edge type), so a multigraph would add nothing but harder exports. Node ids
carry their kind: ``person:<name>``, ``role:<id>``, ``theme:<id>``, ``episode:<entry_id>#<n>``.

Edges (attribute ``kind``):

- ``person -> role`` ("is"): ``weight`` = episodes with that person in that role;
- ``episode -> person`` ("with") and ``episode -> role`` ("with_role");
- ``episode -> theme`` ("felt"): ``weight`` 1, the episode's ``intensity``;
- ``role -> theme`` ("felt"): ``weight`` = episodes of the role carrying the theme,
  ``intensity_sum``, ``intensity_mean``, ``first`` and ``last`` (datetimes of the first and
  last such episode) and ``has_past`` (one of them is told as the writer's past).

In the graph, lists stay lists and times stay datetimes; ``write_graph`` flattens them for
GraphML, GEXF and node-link JSON (lists joined with "; ", datetimes as ISO strings, None
dropped), so each file opens in Gephi and reads back into NetworkX.

``graph_parts`` is the same graph as plain dicts: the HTML report draws from it without
importing NetworkX (~0.15 s of ``patternlens analyze``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from typing import IO, TYPE_CHECKING, Any, Literal

import polars as pl

from patternlens.analyze.baselines import best_quote

if TYPE_CHECKING:
    import networkx as nx

GraphFormat = Literal["graphml", "gexf", "json"]
_EPISODE_QUOTE_KINDS = ["theme", "disproportion", "rating", "emotion", "response", "role"]


class GraphParts:
    """A directed graph's nodes and edges with their attributes, built the way a
    ``networkx.DiGraph`` is (adding again updates the attributes) but with no NetworkX."""

    def __init__(self, **attrs: Any) -> None:
        self.graph: dict[str, Any] = attrs
        self.nodes: dict[str, dict[str, Any]] = {}
        self._edges: dict[tuple[str, str], dict[str, Any]] = {}

    def add_node(self, node: str, **attrs: Any) -> None:
        self.nodes.setdefault(node, {}).update(attrs)

    def add_edge(self, source: str, target: str, **attrs: Any) -> None:
        self.nodes.setdefault(source, {})
        self.nodes.setdefault(target, {})
        self._edges.setdefault((source, target), {}).update(attrs)

    def edges(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(source, target, attributes) in NetworkX's order: by source node, then as added."""
        order = {node: i for i, node in enumerate(self.nodes)}
        return [(u, v, d) for (u, v), d in sorted(self._edges.items(), key=lambda e: order[e[0][0]])]


def relationship_graph(episodes: pl.DataFrame, subject: str, *,
                       with_episodes: bool = True) -> nx.DiGraph[str]:
    """The graph of ``subject``'s episodes (an empty graph when they have none).
    ``with_episodes=False`` leaves the episode nodes and their edges out: people, roles and
    themes alone, as the report draws them, at a fraction of the cost."""
    import networkx as nx  # here: the report uses graph_parts and never needs it

    parts = graph_parts(episodes, subject, with_episodes=with_episodes)
    graph: nx.DiGraph[str] = nx.DiGraph(**parts.graph)
    graph.add_nodes_from(parts.nodes.items())
    graph.add_edges_from(parts.edges())
    return graph


def graph_parts(episodes: pl.DataFrame, subject: str, *, with_episodes: bool = True) -> GraphParts:
    """``relationship_graph`` as plain nodes and edges."""
    eps = (
        episodes.filter(pl.col("subject") == subject)
        .sort("occurred_at", "entry_id", "episode")
        .with_row_index("_row")
        .with_columns(
            pl.format("episode:{}#{}", "entry_id", "episode").alias("node"),
            pl.col("intensity").cast(pl.Float64).fill_null(0.0),
            pl.col("themes").fill_null([]).list.unique(maintain_order=True),
            pl.col("past").fill_null(False),
        )
    )
    graph = GraphParts(subject=subject)
    if eps.height == 0:
        return graph

    felt = eps.select("node", "role", "occurred_at", "intensity", "past",
                      pl.col("themes").alias("theme")).explode("theme").filter(
        pl.col("theme").is_not_null())

    # Nodes: people, roles, themes (with how many episodes they appear in); episodes below.
    for row in (
        eps.filter(pl.col("person").is_not_null())
        .group_by("person", maintain_order=True)
        .agg(pl.len().alias("n_episodes"), pl.col("role").drop_nulls().unique(maintain_order=True)
             .alias("roles"))
        .iter_rows(named=True)
    ):
        graph.add_node(f"person:{row['person']}", kind="person", label=row["person"],
                       n_episodes=row["n_episodes"], roles=row["roles"])
    for row in (
        eps.filter(pl.col("role").is_not_null())
        .group_by("role", maintain_order=True)
        .agg(pl.len().alias("n_episodes"), pl.col("past").any().alias("has_past"))
        .iter_rows(named=True)
    ):
        graph.add_node(f"role:{row['role']}", kind="role", label=row["role"],
                       n_episodes=row["n_episodes"], has_past=row["has_past"])
    for row in felt.group_by("theme", maintain_order=True).agg(pl.len().alias("n_episodes")).iter_rows(
            named=True):
        graph.add_node(f"theme:{row['theme']}", kind="theme", label=row["theme"],
                       n_episodes=row["n_episodes"])

    # Edges.
    for row in (
        eps.filter(pl.col("person").is_not_null() & pl.col("role").is_not_null())
        .group_by("person", "role", maintain_order=True)
        .agg(pl.len().alias("weight"), pl.col("occurred_at").min().alias("first"),
             pl.col("occurred_at").max().alias("last"))
        .iter_rows(named=True)
    ):
        graph.add_edge(f"person:{row['person']}", f"role:{row['role']}", kind="is",
                       weight=row["weight"], first=row["first"], last=row["last"])
    if with_episodes:
        _add_episodes(graph, eps, felt)
    for row in (
        felt.filter(pl.col("role").is_not_null())
        .group_by("role", "theme", maintain_order=True)
        .agg(
            pl.len().alias("weight"),
            pl.col("intensity").sum().alias("intensity_sum"),
            pl.col("intensity").mean().alias("intensity_mean"),
            pl.col("occurred_at").min().alias("first"),
            pl.col("occurred_at").max().alias("last"),
            pl.col("past").any().alias("has_past"),
        )
        .iter_rows(named=True)
    ):
        role, theme = row.pop("role"), row.pop("theme")
        graph.add_edge(f"role:{role}", f"theme:{theme}", kind="felt", **row)
    return graph


def _add_episodes(graph: GraphParts, eps: pl.DataFrame, felt: pl.DataFrame) -> None:
    """Episode nodes, with the quote behind each, and their edges to people, roles, themes."""
    evidence = eps.select("_row", "evidence").explode("evidence").unnest("evidence").filter(
        pl.col("kind").is_not_null())
    eps = eps.join(best_quote(evidence, _EPISODE_QUOTE_KINDS), on="_row", how="left",
                   maintain_order="left")
    for row in eps.select(
        "node", "entry_id", "episode", "occurred_at", "role", "person", "themes", "responses",
        "emotions", "intensity", "past", "in_therapy", "rupture", "repair", "red_flag", "quote",
    ).iter_rows(named=True):
        node = row.pop("node")
        graph.add_node(node, kind="episode", label=f"{row['entry_id']}#{row['episode']}", **row)
    for node, person, role in eps.select("node", "person", "role").iter_rows():
        if person is not None:
            graph.add_edge(node, f"person:{person}", kind="with", weight=1)
        if role is not None:
            graph.add_edge(node, f"role:{role}", kind="with_role", weight=1)
    for node, theme, intensity in felt.select("node", "theme", "intensity").iter_rows():
        graph.add_edge(node, f"theme:{theme}", kind="felt", weight=1, intensity=intensity)


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(_flat(v)) for v in value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def flatten(graph: nx.DiGraph[str]) -> nx.DiGraph[str]:
    """A copy whose attributes are all str, int, float or bool (None dropped)."""
    import networkx as nx

    flat: nx.DiGraph[str] = nx.DiGraph()
    flat.graph.update({k: _flat(v) for k, v in graph.graph.items() if v is not None})
    for node, data in graph.nodes(data=True):
        flat.add_node(node, **{k: _flat(v) for k, v in data.items() if v is not None})
    for u, v, data in graph.edges(data=True):
        flat.add_edge(u, v, **{k: _flat(x) for k, x in data.items() if x is not None})
    return flat


def write_graph(graph: nx.DiGraph[str], path_or_buffer: str | os.PathLike[str] | IO[bytes] | IO[str],
                fmt: GraphFormat) -> None:
    """Write ``graph`` as GraphML, GEXF or node-link JSON to a path or an open file (binary or
    text)."""
    import networkx as nx

    flat = flatten(graph)
    if fmt == "graphml":
        data = "\n".join(nx.generate_graphml(flat)).encode("utf-8")
    elif fmt == "gexf":
        data = "\n".join(nx.generate_gexf(flat)).encode("utf-8")
    elif fmt == "json":
        link = nx.node_link_data(flat, edges="edges")
        data = json.dumps(link, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    else:
        raise ValueError(f"unknown graph format {fmt!r}: use graphml, gexf or json")
    if isinstance(path_or_buffer, str | os.PathLike):
        with open(path_or_buffer, "wb") as fh:
            fh.write(data)
    elif isinstance(path_or_buffer, io.TextIOBase):
        path_or_buffer.write(data.decode("utf-8"))
    else:
        path_or_buffer.write(data)  # type: ignore[arg-type]
