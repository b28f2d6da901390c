"""The dump's N-Triples text is what pyoxigraph writes for the same triples, byte for byte,
and the N-Triples export makes no pyoxigraph triples for its batches."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import pyoxigraph as ox
import pytest

from graph import repository
from graph.model import CONCEPTS, Kind, Rel
from graph.repository import ExportLink, ExportNode
from ontology import export, ntriples
from ontology.formats import by_name
from ontology.mapping import LITERALS

BASE = "http://example.org/connects"
# Every escape N-Triples has, every other control character, quotes, and text beyond ASCII.
AWKWARD = "".join(chr(c) for c in range(0x80)) + ' "quoted" back\\slash é ☃ 𝄞 \u2028 \ufeff'
URL_SOURCES = {Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM}
SAMPLES: dict[str, list[Any]] = {
    "iri": ["https://example.org/a?b=c#d"],
    "integer": [0, 7, -3, 2024],
    "english": ["an alternative name", AWKWARD],
    "date": ["2027-03-31"],
    "plain": ["plain", AWKWARD, 0.25, "E12000001"],
    "concept": ["positive", "no_effect"],
}


def _node(kind: Kind, number: int) -> ExportNode:
    props: dict[str, Any] = {
        "id": f"{kind.slug}-{number}",
        "name": f"{kind.value} {number} {AWKWARD}",
        "description": AWKWARD if number % 2 else "",
        "source": "https://example.org/source" if kind in URL_SOURCES else 'Section 4 "A"\n',
        "source_urls": ["https://example.org/source"] if number % 5 == 1 else [],
        "region_ids": ["region-north-east"] if number % 2 else [],
        "contributed_by": "org-1" if number % 3 == 2 else None,
        "load": "load-20260101T000000-abc" if number % 2 else None,
    }
    for index, (name, (_, style)) in enumerate(LITERALS.items()):
        values = SAMPLES[style]
        if (index + number) % 4:  # some absent, some one value, some a list
            props[name] = values if (index + number) % 3 == 0 else values[number % len(values)]
    return ExportNode(id=props["id"], kind=kind, properties=props)


def _batch() -> tuple[list[ExportNode], list[ExportLink]]:
    nodes = [_node(kind, number) for kind in Kind for number in range(6)]
    links = [
        ExportLink(
            from_id=node.id,
            type=str(rel),
            to_id=f"x-{i}",
            to_kind=list(Kind)[i % len(Kind)],
            source=None,
        )
        for i, (node, rel) in enumerate(zip(nodes, list(Rel) * 9, strict=False))
    ]
    return nodes, links


def test_lines_are_what_pyoxigraph_writes_for_the_mapping_triples() -> None:
    nodes, links = _batch()
    assert {node.kind for node in nodes} == set(Kind)
    assert any(node.kind in CONCEPTS and node.properties["description"] for node in nodes)
    expected = ox.serialize(export.batch_triples(BASE, nodes, links), format=ox.RdfFormat.N_TRIPLES)
    assert ntriples.batch_lines(BASE, nodes, links) == expected


def test_a_bad_iri_in_the_data_fails_as_it_does_in_the_mapping() -> None:
    node = ExportNode(
        id="cs-1", kind=Kind.CASE_STUDY, properties={"id": "cs-1", "name": "x", "url": "not an iri"}
    )
    with pytest.raises(ValueError, match="IRI"):
        export.batch_triples(BASE, [node], [])
    with pytest.raises(ValueError, match="IRI"):
        ntriples.batch_lines(BASE, [node], [])


def test_the_ntriples_export_writes_text_not_pyoxigraph_triples(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes, links = _batch()

    async def batches(db: Any) -> AsyncGenerator[tuple[list[ExportNode], list[ExportLink]], None]:
        yield nodes, links

    async def no_loads(db: Any, **_: Any) -> list[Any]:
        return []

    def refuse(*_: Any) -> list[ox.Triple]:
        raise AssertionError("N-Triples batches are written as text")

    monkeypatch.setattr(repository, "export_batches", batches)
    monkeypatch.setattr(repository, "loads", no_loads)
    monkeypatch.setattr(export, "batch_triples", refuse)
    chosen = by_name("ntriples")
    assert chosen is not None

    async def dump() -> bytes:
        return b"".join([c async for c in export.export_graph(None, chosen, base_uri=BASE)])  # type: ignore[arg-type]

    assert ntriples.batch_lines(BASE, nodes, links) in asyncio.run(dump())
