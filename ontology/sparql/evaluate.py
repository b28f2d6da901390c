"""SPARQL queries over a snapshot: read-only, never federated (ontology/sparql/guard.py),
bounded in time and results.

What pyoxigraph evaluates lazily (most SELECT, CONSTRUCT and DESCRIBE queries) is read here one
solution at a time, so the deadline and the result cap stop it between solutions. Queries run in
a child process (ontology/sparql/child.py), which is killed if it is still running at the
deadline: that stops the queries that produce nothing until they finish.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ontology import jsonld
from ontology.formats import RdfFormat
from ontology.mapping import PREFIXES
from ontology.sparql.errors import (
    QuerySyntaxError,
    QueryTimedOut,
    ResultCapExceeded,
    SparqlError,
    UpdateRefused,
)
from ontology.sparql.graphs import Dataset
from ontology.sparql.guard import decoded, refuse_remote, words
from ontology.sparql.limits import SparqlLimits


@dataclass(frozen=True)
class Solutions:
    """A SELECT query's answer: its variables and every solution."""

    variables: list[str]
    rows: list[ox.QuerySolution]


@dataclass(frozen=True)
class Boolean:
    """An ASK query's answer."""

    value: ox.QueryBoolean


@dataclass(frozen=True)
class Triples:
    """A CONSTRUCT or DESCRIBE query's answer."""

    triples: list[ox.Triple]


Outcome = Solutions | Boolean | Triples
NO_DATASET = Dataset()


def evaluate(
    store: ox.Store,
    text: str,
    limits: SparqlLimits,
    deadline: float | None = None,
    dataset: Dataset = NO_DATASET,
) -> Outcome:
    """Run one query on a snapshot's store (in the child of ontology/sparql/child.py: it blocks).

    Without FROM, FROM NAMED or the protocol's `dataset`, the query reads every graph as its
    default graph (ontology/sparql/graphs.py).

    Evaluation stops at `deadline` (a time.monotonic() value; by default `limits.seconds` from
    now) and past `limits.result_cap` results.

    Raises:
        ServiceRefused, UpdateRefused, QuerySyntaxError: before anything is evaluated.
        QueryTimedOut, ResultCapExceeded: part-way; nothing is returned.
    """
    refuse_remote(text)
    visible = _visible(text)
    try:
        results = store.query(text, **dataset.options(names_a_dataset(text)))
    except SyntaxError as e:
        if _first_keyword(visible) in _UPDATE_KEYWORDS:
            raise UpdateRefused() from None
        raise QuerySyntaxError(f"The query is not valid SPARQL 1.1: {e}") from None
    until = time.monotonic() + limits.seconds if deadline is None else deadline
    try:
        return _collect(results, limits, until)
    except SparqlError as e:
        # pyoxigraph's result iterators must be dropped on the thread that made them: drop
        # the traceback (whose frames hold the iterator) here, not wherever the error is read.
        raise e.with_traceback(None) from None
    finally:
        del results


def _collect(
    results: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples,
    limits: SparqlLimits,
    deadline: float,
) -> Outcome:
    _check(limits, deadline)
    if isinstance(results, ox.QueryBoolean):
        return Boolean(results)
    if isinstance(results, ox.QuerySolutions):
        variables = [v.value for v in results.variables]
        return Solutions(variables, _bounded(results, limits, deadline))
    return Triples(_bounded(results, limits, deadline))


def _bounded(
    items: ox.QuerySolutions | ox.QueryTriples, limits: SparqlLimits, deadline: float
) -> list[Any]:
    out: list[Any] = []
    for item in items:
        _check(limits, deadline)
        out.append(item)
        if len(out) > limits.result_cap:
            raise ResultCapExceeded(limits.result_cap)
    return out


def _check(limits: SparqlLimits, deadline: float) -> None:
    if time.monotonic() > deadline:
        raise QueryTimedOut(limits.seconds)


# --- what the query says, with strings, IRIs and comments blanked out -----------------------

_OPAQUE = re.compile(
    r'"""[\s\S]*?"""|'
    r"'''[\s\S]*?'''|"  # long strings
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"  # short strings
    r"<[^<>\"{}|^`\\\s]*>|"  # IRIs (a '<' operator never matches: spaces or no '>')
    r"\\.|"  # an escape in a prefixed name (ex:a\#b): not the start of a comment
    r"#[^\n]*"  # comments
)
_PROLOGUE = re.compile(r"^(?:\s*(?:BASE|PREFIX\s+[\w.-]*:))*\s*([A-Za-z]+)", re.IGNORECASE)
_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)


def _visible(text: str) -> str:
    return _OPAQUE.sub(" ", decoded(text))


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE (or another first keyword), read past the prologue."""
    return _first_keyword(_visible(text))


def names_a_dataset(text: str) -> bool:
    """Whether the query has a FROM or FROM NAMED clause. The keyword is read as the SERVICE
    guard reads it (ontology/sparql/guard.py): never inside a name, a string, an IRI or a
    comment, and FROM is no function or name of anything else in SPARQL."""
    return "FROM" in words(decoded(text))


def _first_keyword(visible: str) -> str:
    match = _PROLOGUE.match(visible)
    return match.group(1).upper() if match else ""


# --- serialisation ---------------------------------------------------------------------------


def serialize_results(outcome: Solutions | Boolean, results_format: ox.QueryResultsFormat) -> bytes:
    """SELECT or ASK results as SPARQL JSON, XML, CSV or TSV.

    The solutions were collected (to enforce the cap) so pyoxigraph's own writers are used by
    reading them back from TSV, whose terms are exactly their N-Triples form.
    """
    if isinstance(outcome, Boolean):
        return outcome.value.serialize(format=results_format) or b""
    header = "\t".join(f"?{v}" for v in outcome.variables)
    lines = [header, *("\t".join(_tsv_term(t) for t in row) for row in outcome.rows)]
    parsed = ox.parse_query_results("\n".join(lines) + "\n", ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=results_format) or b""


def _tsv_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    # str() of a term is its N-Triples form, which escapes tabs and newlines in literals.
    return "" if term is None else str(term)


def serialize_triples(outcome: Triples, rdf_format: RdfFormat) -> bytes:
    """CONSTRUCT or DESCRIBE results in an RDF format; JSON-LD with our published @context."""
    if rdf_format.name == "jsonld":
        return jsonld.document(outcome.triples)
    return ox.serialize(outcome.triples, format=rdf_format.oxigraph, prefixes=PREFIXES) or b""
