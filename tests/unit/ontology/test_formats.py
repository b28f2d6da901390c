from __future__ import annotations

import pytest

from ontology.formats import by_name, negotiate


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "turtle"),
        ("*/*", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/ld+json;q=0.4, application/rdf+xml;q=0.8", "rdfxml"),
        ("text/turtle;q=0.1, application/ld+json", "jsonld"),
        ("text/html, application/*;q=0.5", "ntriples"),
        ("application/rdf+xml;q=0, text/turtle;q=0.3", "turtle"),
        ("TEXT/TURTLE", "turtle"),
        ("text/turtle;q=0, */*", "ntriples"),
        ("*/*, text/turtle;q=0.1", "ntriples"),
        ("application/*;q=0.2, application/ld+json;q=0.9", "jsonld"),
        ("text/turtle;q=abc", "turtle"),
    ],
)
def test_negotiation_honours_q_values(accept: str | None, expected: str) -> None:
    chosen = negotiate(accept)
    assert chosen is not None
    assert chosen.name == expected


@pytest.mark.parametrize(
    "accept", ["text/html", "application/json", "text/turtle;q=0", "x;q=abc", "*/*;q=0"]
)
def test_nothing_acceptable(accept: str) -> None:
    assert negotiate(accept) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [("ttl", "turtle"), ("NT", "ntriples"), ("rdf", "rdfxml"), ("jsonld", "jsonld")],
)
def test_formats_by_name_or_suffix(name: str, expected: str) -> None:
    found = by_name(name)
    assert found is not None
    assert found.name == expected


def test_unknown_format_name() -> None:
    assert by_name("csv") is None
