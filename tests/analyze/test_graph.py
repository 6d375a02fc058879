"""The relationship graph and its GraphML / GEXF / node-link JSON files."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import polars as pl
import pytest

from patternlens.analyze.graph import graph_parts, relationship_graph, write_graph
from patternlens.extract import EPISODE_SCHEMA

T0 = dt.datetime(2025, 1, 1, 20, tzinfo=dt.UTC)


def episode(entry: str, day: int, role: str, person: str | None, themes: list[str], intensity: float,
            past: bool = False, n: int = 0, subject: str = "a", quote: str = "q") -> dict[str, Any]:
    return {
        "entry_id": entry, "subject": subject, "occurred_at": T0 + dt.timedelta(days=day), "episode": n,
        "start": 0, "end": 1, "role": role, "person": person, "themes": themes, "responses": [],
        "emotions": ["sadness"], "intensity": intensity, "past": past, "in_therapy": role == "therapist",
        "rupture": False, "repair": False, "red_flag": False, "negated": [],
        "evidence": [{"label": t, "kind": "theme", "start": 0, "end": 1, "quote": quote} for t in themes],
        "extractor_version": "test",
    }


EPISODES = pl.DataFrame(
    [
        episode("m1", 0, "mother", "mom", ["dismissed"], 4.0, past=True, quote="mom changed the subject"),
        episode("p1", 3, "partner", "Sam", ["dismissed", "judged"], 3.0),
        episode("p2", 9, "partner", "Sam", ["dismissed"], 5.0),
        episode("t1", 10, "therapist", None, ["dismissed"], 9.0, n=2),
        episode("other", 1, "boss", "Karen", ["controlled"], 5.0, subject="b"),
    ],
    schema=EPISODE_SCHEMA,
)


@pytest.fixture
def graph() -> nx.DiGraph[str]:
    return relationship_graph(EPISODES, "a")


def test_nodes(graph: nx.DiGraph[str]) -> None:
    assert set(graph.nodes) == {
        "person:mom", "person:Sam", "role:mother", "role:partner", "role:therapist",
        "theme:dismissed", "theme:judged", "episode:m1#0", "episode:p1#0", "episode:p2#0", "episode:t1#2",
    }
    assert graph.graph["subject"] == "a"
    ep = graph.nodes["episode:m1#0"]
    assert (ep["kind"], ep["role"], ep["past"], ep["quote"]) == ("episode", "mother", True,
                                                                "mom changed the subject")
    assert graph.nodes["theme:dismissed"]["n_episodes"] == 4
    assert graph.nodes["role:mother"]["has_past"] is True


def test_edges(graph: nx.DiGraph[str]) -> None:
    felt = graph.edges["role:partner", "theme:dismissed"]
    assert felt == {"kind": "felt", "weight": 2, "intensity_sum": 8.0, "intensity_mean": 4.0,
                    "first": T0 + dt.timedelta(days=3), "last": T0 + dt.timedelta(days=9),
                    "has_past": False}
    assert graph.edges["role:mother", "theme:dismissed"]["has_past"] is True
    assert graph.edges["person:Sam", "role:partner"]["weight"] == 2
    assert graph.edges["episode:p1#0", "person:Sam"]["kind"] == "with"
    assert graph.edges["episode:t1#2", "role:therapist"]["kind"] == "with_role"
    assert graph.edges["episode:t1#2", "theme:dismissed"]["intensity"] == 9.0
    assert not graph.has_node("person:None")  # the therapist episode names nobody
    assert graph.number_of_edges() == 2 + 4 + 3 + 5 + 4  # is, with_role, with, episode-theme, role-theme


def test_without_episodes_is_the_same_graph_of_people_roles_and_themes(graph: nx.DiGraph[str]) -> None:
    """What the report draws: the full graph with its episode nodes taken away."""
    small = relationship_graph(EPISODES, "a", with_episodes=False)
    keep = [n for n, kind in graph.nodes(data="kind") if kind != "episode"]
    expected = graph.subgraph(keep)
    assert dict(small.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(small.edges(data=True)) == sorted(expected.edges(data=True))
    assert small.number_of_edges() == 2 + 4  # is, role-theme


def test_unknown_writer_gives_an_empty_graph() -> None:
    assert relationship_graph(EPISODES, "nobody").number_of_nodes() == 0


def _read(fmt: str, data: bytes) -> nx.DiGraph[str]:
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data))
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    return nx.node_link_graph(json.loads(data), edges="edges")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_round_trip(graph: nx.DiGraph[str], fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"g.{fmt}"
    write_graph(graph, path, fmt)  # type: ignore[arg-type]
    back = _read(fmt, path.read_bytes())
    assert back.is_directed()
    assert set(back.nodes) == set(graph.nodes)
    assert set(back.edges) == set(graph.edges)
    for u, v, data in graph.edges(data=True):
        assert float(back.edges[u, v]["weight"]) == data["weight"]
    felt = back.edges["role:partner", "theme:dismissed"]
    assert felt["first"] == "2025-01-04T20:00:00+00:00"
    assert felt["intensity_sum"] == 8.0
    assert felt["has_past"] is False
    assert back.nodes["episode:p1#0"]["themes"] == "dismissed; judged"
    assert back.nodes["episode:t1#2"]["intensity"] == 9.0
    assert "person" not in back.nodes["episode:t1#2"]  # None is left out


def test_writes_to_open_files(graph: nx.DiGraph[str]) -> None:
    binary = io.BytesIO()
    write_graph(graph, binary, "gexf")
    text = io.StringIO()
    write_graph(graph, text, "json")
    assert set(_read("gexf", binary.getvalue()).nodes) == set(graph.nodes)
    assert set(_read("json", text.getvalue().encode()).nodes) == set(graph.nodes)
    with pytest.raises(ValueError, match="unknown graph format"):
        write_graph(graph, io.BytesIO(), "dot")  # type: ignore[arg-type]


@pytest.mark.parametrize("with_episodes", [True, False])
def test_graph_parts_are_the_networkx_graph(with_episodes: bool) -> None:
    """The report draws from ``graph_parts`` (no NetworkX): the same nodes, edges, attributes
    and order as ``relationship_graph``."""
    graph = relationship_graph(EPISODES, "a", with_episodes=with_episodes)
    parts = graph_parts(EPISODES, "a", with_episodes=with_episodes)
    assert parts.graph == graph.graph
    assert list(parts.nodes.items()) == list(graph.nodes(data=True))
    assert parts.edges() == list(graph.edges(data=True))
    assert len(parts.edges()) > 0
