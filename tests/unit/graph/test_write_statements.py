"""The load's statements find a link's ends by element id, not by `id`: inside a load's
transaction the embedded engine's id index searches every page written since it was last
compacted, and two look-ups per link were a third of a load's time (bench/notes.md)."""

from __future__ import annotations

from graph.model import Kind, Rel
from graph.queries import writes as writes_q


def test_every_link_statement_finds_both_ends_by_element_id() -> None:
    assert set(writes_q.MERGE_LINKS) == set(Rel)
    for statement in writes_q.MERGE_LINKS.values():
        assert "WHERE elementId(a) = row.from_element" in statement
        assert "WHERE elementId(b) = row.to_element" in statement
        assert "{id:" not in statement


def test_every_node_creation_returns_what_its_links_are_found_by() -> None:
    assert set(writes_q.CREATE_NODES) == set(Kind)
    for statement in writes_q.CREATE_NODES.values():
        assert statement.endswith("RETURN collect([n.id, elementId(n)]) AS elements")


def test_the_look_ups_by_id_return_element_ids() -> None:
    assert "elementId(n) AS element" in writes_q.EXISTING_NODES
    assert "collect([n.id, elementId(n)]) AS elements" in writes_q.ELEMENT_IDS
