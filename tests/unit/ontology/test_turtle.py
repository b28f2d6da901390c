"""The dump's Turtle text is what pyoxigraph writes for the same triples, byte for byte, and
the Turtle export makes no pyoxigraph triples for its batches."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator
from typing import Any

import pyoxigraph as ox
import pytest

from graph import repository
from graph.model import Kind
from graph.repository import ExportLink, ExportNode
from ontology import export, turtle
from ontology.formats import FORMATS, by_name
from ontology.mapping import PREFIXES
from tests.helpers import CG, export_batch

# Plain node IRIs; node IRIs that are prefixed names in our namespace (every '/' escaped); and
# in a namespace we reuse, whose IRIs start inside the nodes' common part.
BASES = ["http://example.org/connects", CG, "http://purl.org/dc/terms", "http://purl.org/dc"]


def _oxigraph(triples: list[ox.Triple]) -> bytes:
    """What the dump's writer makes of a batch after its first chunk (no @prefix lines), but
    for local names that end in an escaped '.', which rdflib cannot read: written in full."""
    writer = export._Writer(FORMATS[0])
    writer.first = False
    return re.sub(rb"cg:(\S*\\\.)(?= [.;,])", _in_full, writer.chunk(triples))


def _in_full(match: re.Match[bytes]) -> bytes:
    return b"<" + CG.encode() + match[1].replace(b"\\", b"") + b">"


@pytest.mark.parametrize("base", BASES)
def test_turtle_is_what_pyoxigraph_writes_for_the_mapping_triples(base: str) -> None:
    nodes, links = export_batch()
    expected = _oxigraph(export.batch_triples(base, nodes, links))
    # The awkward cases are there: escaped and empty local names, IRIs that cannot be prefixed
    # names, bare and quoted integers, a statement continued by the links after a node's own.
    cases = [b"cg:\\-lead", b"prov: ", f"<{CG}a×b>".encode(), f"<{CG}end.>".encode(), b" -3 ,"]
    assert all(case in expected for case in cases)
    assert b'"x3"^^xsd:integer' in expected
    assert turtle.batch_text(base, nodes, links) == expected


def test_a_node_whose_links_follow_it_continues_its_statement() -> None:
    node = ExportNode(id="t-1", kind=Kind.POLICY_THEME, properties={"id": "t-1", "name": "A"})
    links = [
        ExportLink(from_id="t-1", type=t, to_id=to, to_kind=Kind.SCHEME, source=None)
        for t, to in [("IN_SCHEME", "s-1"), ("IN_SCHEME", "s-2"), ("RELATED", "s-3")]
    ]
    expected = _oxigraph(export.batch_triples(CG, [node], links))
    # The node's own triples, its links and its first top concept share one statement.
    first = expected.split(b" .\n")[0]
    assert all(p in first for p in (b"skos:prefLabel", b"skos:related", b"skos:topConceptOf"))
    assert turtle.batch_text(CG, [node], links) == expected


def test_an_empty_batch_is_no_text() -> None:
    assert turtle.batch_text(BASES[0], [], []) == _oxigraph([]) == b""


def test_a_bad_iri_in_the_data_fails_as_it_does_in_the_mapping() -> None:
    node = ExportNode(
        id="cs-1", kind=Kind.CASE_STUDY, properties={"id": "cs-1", "name": "x", "url": "not an iri"}
    )
    with pytest.raises(ValueError, match="IRI"):
        export.batch_triples(BASES[0], [node], [])
    with pytest.raises(ValueError, match="IRI"):
        turtle.batch_text(BASES[0], [node], [])


def test_the_turtle_export_writes_text_not_pyoxigraph_triples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes, links = export_batch()

    async def batches(db: Any) -> AsyncGenerator[tuple[list[ExportNode], list[ExportLink]], None]:
        yield nodes, links

    async def no_loads(db: Any, **_: Any) -> list[Any]:
        return []

    def refuse(*_: Any) -> list[ox.Triple]:
        raise AssertionError("Turtle batches are written as text")

    monkeypatch.setattr(repository, "export_batches", batches)
    monkeypatch.setattr(repository, "loads", no_loads)
    monkeypatch.setattr(export, "batch_triples", refuse)
    chosen = by_name("turtle")
    assert chosen is not None

    async def dump() -> bytes:
        return b"".join([c async for c in export.export_graph(None, chosen, base_uri=BASES[0])])  # type: ignore[arg-type]

    made = asyncio.run(dump())
    assert made.startswith(b"@prefix")
    assert made.count(b"@prefix") == len(PREFIXES)
    assert turtle.batch_text(BASES[0], nodes, links) in made
