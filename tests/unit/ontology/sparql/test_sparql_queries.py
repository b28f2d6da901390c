"""Query evaluation on a small store: refusals, limits, and results that survive serialisation."""

from __future__ import annotations

import io
import time

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.query import Result

from ontology.sparql.child import Answer, decode
from ontology.sparql.errors import (
    QueryFailed,
    QuerySyntaxError,
    QueryTimedOut,
    ResultCapExceeded,
    ServiceRefused,
    UpdateRefused,
)
from ontology.sparql.evaluate import Boolean, Solutions, evaluate, serialize_results
from ontology.sparql.limits import SparqlLimits

EX = "http://example.org/"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
AWKWARD = 'tab\there, newline\nthere, "quoted", comma, back\\slash, ünïcode'


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    s, p = ox.NamedNode(f"{EX}s"), ox.NamedNode(f"{EX}p")
    store.extend(
        [
            ox.Quad(s, p, ox.Literal(AWKWARD, language="en")),
            ox.Quad(s, p, ox.BlankNode("b0")),
            ox.Quad(s, p, ox.Literal("7", datatype=ox.NamedNode(XSD_INTEGER))),
            *(ox.Quad(ox.NamedNode(f"{EX}n{i}"), p, ox.Literal(str(i))) for i in range(200)),
        ]
    )
    return store


def limits(seconds: float = 5.0, cap: int = 10_000) -> SparqlLimits:
    return SparqlLimits(seconds=seconds, result_cap=cap)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "select * where { service silent ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o }SERVICE<http://127.0.0.1:9/>{}",
        # The red team's: a '.' straight before the keyword.
        "SELECT * WHERE { ?s ?p ?o .SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "SELECT * WHERE { ?s ?p ?o;SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
        "SELECT * WHERE {SERVICE<http://127.0.0.1:9/>{?a ?b ?c}}",
        "SELECT * WHERE { ?s ?p <a:o>.SeRvIcE SILENT<http://127.0.0.1:9/>{} }",
        "SELECT * WHERE { ?s ?p 1.SERVICE <http://127.0.0.1:9/> {} }",
        'SELECT * WHERE { ?s ?p "o".SERVICE <http://127.0.0.1:9/> {} }',
        "SELECT * WHERE { ?s ?p ?o #comment\nSERVICE#\n<http://127.0.0.1:9/>{} }",
        "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { ?s ?p ex:o .SERVICE ex: {} }",
        "SELECT * WHERE { { SELECT * { ?s ?p ?o } }.SERVICE ?e {} }",
        # A '<' that is less-than, read by a plain tokenizer as the start of an IRI.
        "SELECT * WHERE { BIND(<http://127.0.0.1:9/> AS ?v) FILTER(?a<1)SERVICE?v#>\n{} }",
        # The same in a form rdflib's parser does not read (LATERAL): still refused.
        "SELECT * WHERE { ?s ?p ?o LATERAL { BIND(<http://127.0.0.1:9/> AS ?v) "
        "FILTER(?a<1)SERVICE?v#>\n{} } }",
    ],
)
def test_federation_is_refused_however_it_is_spelled(store: ox.Store, query: str) -> None:
    with pytest.raises(ServiceRefused):
        evaluate(store, query, limits())


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service ?p "SERVICE" }',
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:p ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } # a SERVICE in a comment",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 || ?o > 5) }",
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a.SERVICE <http://e/service#x> }",
        'SELECT * WHERE { ?s ?p "x"@service }',
        "SELECT * WHERE { ?s ?p ?o LATERAL { BIND(1 AS ?service) } }",
    ],
)
def test_the_word_service_elsewhere_is_fine(store: ox.Store, query: str) -> None:
    assert isinstance(evaluate(store, query, limits()), Solutions)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <a:s> <a:p> <a:o> }",
        "PREFIX ex: <http://example.org/>\n# first\nDELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "BASE <http://example.org/> CLEAR ALL",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused_as_updates(store: ox.Store, query: str) -> None:
    before = len(store)
    with pytest.raises(UpdateRefused):
        evaluate(store, query, limits())
    assert len(store) == before


def test_other_syntax_errors_say_where(store: ox.Store) -> None:
    with pytest.raises(QuerySyntaxError, match="1:"):
        evaluate(store, "SELECT ?x WHERE { ?x ", limits())


def test_the_cap_counts_solutions_and_triples(store: ox.Store) -> None:
    capped = evaluate(store, "SELECT * WHERE { ?s ?p ?o } LIMIT 100", limits(cap=100))
    assert isinstance(capped, Solutions)
    assert len(capped.rows) == 100
    with pytest.raises(ResultCapExceeded, match="more than 100 results"):
        evaluate(store, "SELECT * WHERE { ?s ?p ?o }", limits(cap=100))
    with pytest.raises(ResultCapExceeded):
        evaluate(store, "CONSTRUCT WHERE { ?s ?p ?o }", limits(cap=100))


def test_evaluation_stops_at_the_deadline(store: ox.Store) -> None:
    cross = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 8M solutions, streamed
    started = time.monotonic()
    with pytest.raises(QueryTimedOut, match="0.2 s"):
        evaluate(store, cross, limits(seconds=0.2, cap=10_000_000))
    assert time.monotonic() - started < 2
    # The child passes the deadline it set before the fork: one already past stops at once.
    with pytest.raises(QueryTimedOut):
        evaluate(store, cross, limits(cap=10_000_000), deadline=time.monotonic() - 1)


@pytest.mark.parametrize("fmt", ["JSON", "XML", "CSV", "TSV"])
def test_awkward_terms_survive_every_results_format(store: ox.Store, fmt: str) -> None:
    query = f"SELECT ?o ?none WHERE {{ <{EX}s> ?p ?o OPTIONAL {{ ?o <{EX}q> ?none }} }}"
    outcome = evaluate(store, query, limits())
    assert isinstance(outcome, Solutions)
    body = serialize_results(outcome, getattr(ox.QueryResultsFormat, fmt))
    parsed = Result.parse(io.BytesIO(body), format=fmt.lower())
    values = {b.get(Variable("o")) for b in parsed.bindings}
    assert all(Variable("none") not in b for b in parsed.bindings)
    if fmt == "CSV":  # plain values only, by design of the format
        assert {AWKWARD, "7"} <= {str(v) for v in values}
    else:
        assert Literal(AWKWARD, lang="en") in values
        assert Literal(7) in values
        assert any(isinstance(v, BNode) for v in values)
        assert URIRef(f"{EX}s") not in values


def test_ask_is_a_boolean(store: ox.Store) -> None:
    outcome = evaluate(store, f"ASK {{ <{EX}s> ?p ?o }}", limits())
    assert isinstance(outcome, Boolean)
    assert serialize_results(outcome, ox.QueryResultsFormat.JSON) == b'{"head":{},"boolean":true}'


def test_a_cut_off_answer_from_a_child_is_never_taken_as_whole() -> None:
    whole = b'{"media_type": "text/csv", "length": 7}\nn\r\n12\r\n'
    assert decode(whole) == Answer("text/csv", b"n\r\n12\r\n")
    with pytest.raises(QueryFailed):
        decode(whole[:-2])  # the body stops short
    with pytest.raises(QueryFailed):
        decode(whole[:20])  # the header stops short
