"""Content negotiation for /sparql: one table, q-values, format names, both query families."""

from __future__ import annotations

import pytest

from api.errors import NotAcceptable
from api.sparql_media import FORMAT_NAMES, RESULT_FORMATS, negotiate
from ontology.formats import FORMATS


@pytest.mark.parametrize(
    ("accept", "results", "rdf"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        ("text/csv", "text/csv", None),
        ("application/n-triples", None, "application/n-triples"),
        ("text/csv;q=0.2, application/sparql-results+xml", "application/sparql-results+xml",
         "application/rdf+xml"),
        ("application/json", "application/json", None),
        ("text/*", "text/csv", "text/turtle"),
        ("application/ld+json, text/tab-separated-values;q=0.5", "text/tab-separated-values",
         "application/ld+json"),
    ],
)  # fmt: skip
def test_both_families_are_negotiated(accept: str | None, results: str | None,
                                      rdf: str | None) -> None:  # fmt: skip
    choice = negotiate(accept, None)
    assert (choice.results[0] if choice.results else None) == results
    assert (choice.rdf.media_type if choice.rdf else None) == rdf


def test_nothing_acceptable_is_refused_before_evaluation() -> None:
    with pytest.raises(NotAcceptable):
        negotiate("image/png, text/html", None)


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_name_picks_one_family(name: str) -> None:
    choice = negotiate("image/png", name)  # the name wins over Accept
    assert (choice.results is None) != (choice.rdf is None)


def test_format_names_cover_every_format() -> None:
    assert {f.name for f in RESULT_FORMATS} | {f.name for f in FORMATS} <= set(FORMAT_NAMES)


def test_a_family_the_query_needs_but_the_client_refused_is_406() -> None:
    choice = negotiate("text/csv", None)
    with pytest.raises(NotAcceptable):
        choice.for_rdf()
    with pytest.raises(NotAcceptable):
        negotiate(None, "turtle").for_results()
    with pytest.raises(NotAcceptable):
        negotiate(None, "yaml")
