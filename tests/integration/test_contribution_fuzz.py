"""Generated contributions, valid records mixed with wrong datatypes, unknown predicates, missing
fields and foreign subjects, in every format we accept: never a 5xx, and the graph unchanged."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from neo4j import Driver

from api.settings import ApiSettings
from graph.keys import Scope
from tests.helpers import CONTRIBUTION, DATA, clear, fingerprint, load, make_key

BASE = "http://data.test/id/"
CG = "https://w3id.org/connects-graph/def#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SUBJECTS = [
    f"<{BASE}case-study/partner-study>",
    f"<{BASE}evidence-claim/partner-claim>",
    f"<{BASE}outcome/inclusion>",
    f"<{BASE}case-study/Bad.Id>",
    "<http://example.org/elsewhere>",
    "_:b0",
]
PREDICATES = [
    f"<{CG}{name}>"
    for name in [
        "strength",
        "yearStart",
        "yearEnd",
        "costYear",
        "direction",
        "hasClaim",
        "evidenceLevel",
        "evidenceType",
        "forOutcome",
        "ledBy",
        "sourceFile",
        "rank",
        "reportedCost",
        "unknownThing",
    ]
] + [
    "<http://purl.org/dc/terms/identifier>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>",
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>",
]
DATATYPES = ["integer", "decimal", "double", "gYearMonth", "gYear", "date", "boolean", "string"]
MEDIA = {
    "text/turtle": None,
    "application/n-triples": None,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


literals = st.builds(
    lambda text, datatype: f'"{_escaped(text)}"^^<{XSD}{datatype}>',
    st.one_of(st.text(max_size=12), st.integers().map(str), st.floats(allow_nan=True).map(str)),
    st.sampled_from(DATATYPES),
)
objects = st.one_of(
    literals,
    st.text(max_size=12).map(lambda t: f'"{_escaped(t)}"@en'),
    st.sampled_from(SUBJECTS[:5] + [f"<{CG}CaseStudy>", f"<{CG}EvidenceClaim>", f"<{CG}Nope>"]),
)
extra_triples = st.lists(
    st.tuples(st.sampled_from(SUBJECTS), st.sampled_from(PREDICATES), objects).map(
        lambda t: f"{t[0]} {t[1]} {t[2]} ."
    ),
    max_size=4,
)
_NT = ox.serialize(
    ox.parse(CONTRIBUTION, format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES
)
RECORD = (_NT or b"").decode().splitlines()
"""The valid contribution, one N-Triples line per triple."""


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, bytes]:
    """A body in one of the accepted formats: the valid record, some of its lines dropped, some
    random ones added."""
    kept = [line for line in RECORD if draw(st.booleans()) or draw(st.booleans())]
    lines = draw(st.permutations(kept + draw(extra_triples)))
    text = "\n".join(lines) + "\n"
    media_type = draw(st.sampled_from(sorted(MEDIA)))
    target = MEDIA[media_type]
    if target is None:
        return media_type, text.encode()
    try:
        triples = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
        return media_type, ox.serialize(triples, format=target) or b""
    except SyntaxError:
        return media_type, text.encode()  # unparseable in its own syntax: fine, it is refused


@pytest.fixture(scope="module")
def served_data(settings: ApiSettings, sync_driver: Driver) -> None:
    """What contributions link to; the generated ones are dry runs, so nothing else is added."""
    clear(sync_driver, settings)
    load(settings, DATA / "strategy", DATA / "evidence", DATA / "places")


@pytest.fixture(scope="module")
def key(settings: ApiSettings, served_data: None) -> str:
    return make_key(settings, Scope.CONTRIBUTE)


@examples(
    max_examples=25,  # about a minute on a shared two-core machine
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies())
def test_no_generated_contribution_gives_a_5xx(
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    key: str,
    body: tuple[str, bytes],
) -> None:
    media_type, content = body
    before = fingerprint(sync_driver, settings)
    response = client.post(
        "/contributions",
        params={"dry_run": "true"},
        content=content,
        headers={"Content-Type": media_type, "Authorization": f"Bearer {key}"},
    )
    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.json()["errors"], response.text
        assert "rdflib.term" not in response.text
    assert fingerprint(sync_driver, settings) == before
