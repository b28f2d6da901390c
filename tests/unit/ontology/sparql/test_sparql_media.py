"""Content negotiation for /sparql: one table, q-values, format names, both query families."""

from __future__ import annotations

import pytest

from ontology.formats import FORMATS, RESULT_FORMATS, NotAcceptable
from ontology.sparql.media import FORMAT_NAMES, negotiate


@pytest.mark.parametrize(
    ("accept", "results", "rdf"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        ("text/csv", "text/csv", None),
        ("application/n-triples", None, "application/n-triples"),
        (
            "text/csv;q=0.2, application/sparql-results+xml",
            "application/sparql-results+xml",
            "application/rdf+xml",
        ),
        ("application/json", "application/json", None),
        ("text/*", "text/csv", "text/turtle"),
        (
            "application/ld+json, text/tab-separated-values;q=0.5",
            "text/tab-separated-values",
            "application/ld+json",
        ),
    ],
)
def test_both_families_are_negotiated(
    accept: str | None, results: str | None, rdf: str | None
) -> None:
    choice = negotiate(accept, [])
    assert (choice.results[0] if choice.results else None) == results
    assert (choice.rdf.media_type if choice.rdf else None) == rdf


def test_nothing_acceptable_is_refused_before_evaluation() -> None:
    with pytest.raises(NotAcceptable):
        negotiate("image/png, text/html", [])


# What clients send for both: SPARQLWrapper's `json` and `xml` name a results format for SELECT
# and ASK, and a graph format for CONSTRUCT and DESCRIBE.
BOTH_FAMILIES = {"json", "xml", "application/json", "application/xml"}


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_every_format_name_picks_its_families(name: str) -> None:
    choice = negotiate("image/png", [name])  # the name wins over Accept, which fits nothing
    if name in BOTH_FAMILIES:
        assert choice.results is not None
        assert choice.rdf is not None
    else:
        assert (choice.results is None) != (choice.rdf is None)


def test_format_names_cover_every_format() -> None:
    assert {f.name for f in RESULT_FORMATS} | {f.name for f in FORMATS} <= set(FORMAT_NAMES)


def test_a_family_the_query_needs_but_the_client_refused_is_406() -> None:
    choice = negotiate("text/csv", [])
    with pytest.raises(NotAcceptable):
        choice.for_form("CONSTRUCT")
    assert choice.for_form("SELECT").results == ("text/csv", RESULT_FORMATS[2].oxigraph)
    with pytest.raises(NotAcceptable):
        negotiate("text/turtle", ["turtle"]).for_form("SELECT")
    # An unknown name names no family: Accept chooses, and here nothing fits.
    with pytest.raises(NotAcceptable):
        negotiate("image/png", ["yaml"])


def test_format_names_a_family_and_accept_still_chooses_the_other() -> None:
    # SPARQLWrapper's defaults: format=xml with an RDF Accept for DESCRIBE and CONSTRUCT.
    choice = negotiate("application/rdf+xml", ["xml"])
    assert choice.results is not None
    assert choice.results[0] == "application/sparql-results+xml"
    assert choice.rdf is not None
    assert choice.rdf.media_type == "application/rdf+xml"


def test_format_may_repeat_and_may_be_a_media_type() -> None:
    # SPARQLWrapper sends both: format=tsv&format=text/tab-separated-values.
    choice = negotiate("*/*", ["tsv", "text/tab-separated-values"])
    assert choice.results is not None
    assert choice.results[0] == "text/tab-separated-values"
    rdf = negotiate(None, ["application/n-triples"]).rdf
    assert rdf is not None
    assert rdf.name == "ntriples"
