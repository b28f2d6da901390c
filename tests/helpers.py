"""Helpers shared by the tests: paths and counts of the bundled data, loading and clearing the
graph, API keys and contributions, problem and SPARQL answers, the browser tests' tools.

Fixtures live in the conftest.py files; everything a test module imports comes from here (test
modules never import each other).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
import uvicorn
from fastapi.testclient import TestClient
from httpx2 import Response
from neo4j import Driver
from playwright.sync_api import Page
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from api.hardening import server_options
from api.main import create_app
from api.settings import ApiSettings
from graph import keys
from graph.db import Db, open_db
from graph.keys import Scope
from graph.model import Kind, Rel
from graph.queries import writes as writes_q
from graph.repository import ExportLink, ExportNode
from graph.writes import LinkRow, NodeRow
from loaders.pipeline import load_paths
from loaders.report import LoadReport
from ontology.mapping import LITERALS

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
STRATEGY = DATA / "strategy"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
STRATEGY_NODES = 158
"""Nodes in data/strategy: the framework as the strategy states it, and the resources it names."""
BUNDLED_CASE_STUDIES = 135
"""Case studies in data/case-studies (the 33 first bundled and 102 more)."""
INCLUSION_STUDIES = 35
"""Bundled case studies with evidence about Inclusion (one claim each)."""
BUNDLED_INTERVENTIONS = 32
"""Interventions in data/interventions, in 7 families."""


NEO4J_IMAGE = "neo4j:5.26"
"""The Neo4j the tests and docker-compose.yml run: 5.26, the 5.x long-term release (the gap
map's `CALL (x) { }` needs 5.23 or later)."""


def docker_engine_running() -> bool:
    """True if a Docker engine answers its ping (on DOCKER_HOST or the default socket)."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    address: str | tuple[str, int]
    if host.startswith("unix://"):
        family, address = socket.AF_UNIX, host.removeprefix("unix://")
    elif host.startswith("tcp://"):
        name, _, port = host.removeprefix("tcp://").partition(":")
        family, address = socket.AF_INET, (name, int(port or 2375))
    else:
        return False
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(3)
            probe.connect(address)
            probe.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b" 200 " in probe.recv(64)
    except OSError:
        return False


NO_DOCKER = (
    f"No Docker engine is running, so Neo4j ({NEO4J_IMAGE}) cannot be started here; "
    "these tests run wherever `docker info` works."
)


@contextmanager
def neo4j_server() -> Iterator[tuple[str, str]]:
    """A Neo4j 5.26 in Docker, for as long as the block runs: its Bolt URI and password.

    Skips the tests that need it, with the reason, where Docker or the image is unavailable.
    """
    if not docker_engine_running():
        pytest.skip(NO_DOCKER)
    from testcontainers.community.neo4j import Neo4jContainer

    container = Neo4jContainer(NEO4J_IMAGE, password=secrets.token_urlsafe(16))
    try:
        container.start()
    except Exception as e:  # any failure to start means: skip, saying why
        pytest.skip(f"Neo4j ({NEO4J_IMAGE}) could not be started in Docker: {e}")
    try:
        yield container.get_connection_url(), container.password
    finally:
        container.stop()


def graph_env(settings: ApiSettings) -> dict[str, str]:
    """The environment that points the command line at the session's graph, on either engine."""
    env = {
        "CONNECTS_DATA_DIR": str(settings.data_dir),
        "CONNECTS_BOLT_PORT": str(settings.bolt_port),
        "CONNECTS_HTTP_PORT": str(settings.http_port),
        "CONNECTS_PUBLIC_BASE_URI": settings.public_base_uri,
    }
    if settings.uri is not None:
        env["CONNECTS_URI"] = settings.uri
        env["CONNECTS_USER"] = settings.user
        if settings.password is not None:
            env["CONNECTS_PASSWORD"] = settings.password.get_secret_value()
        if settings.database is not None:
            env["CONNECTS_DATABASE"] = settings.database
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def frozen(pid: int) -> Iterator[None]:
    """A frozen engine (SIGSTOP): its port still accepts connections, nothing answers. It is
    thawed on the way out, whatever happened (unless it was killed meanwhile)."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)


# The graph: load, clear, count, compare.


def clear(driver: Driver, settings: ApiSettings) -> None:
    driver.execute_query(writes_q.CLEAR, database_=settings.database)


def load(settings: ApiSettings, *paths: Path, contributor: str | None = None) -> LoadReport:
    """Run the real loader (async) from a synchronous test."""

    async def run() -> LoadReport:
        async with open_db(settings) as db:
            return await load_paths(
                db, list(paths), base_uri=settings.public_base_uri, contributor=contributor
            )

    return asyncio.run(run())


def count(driver: Driver, settings: ApiSettings, label: str) -> int:
    """How many nodes have `label`."""
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) WHERE $label IN labels(n) RETURN count(n) AS c",
        {"label": label},
        database_=settings.database,
    )
    return int(records[0]["c"])


def fingerprint(driver: Driver, settings: ApiSettings) -> str:
    """A digest of every node and relationship with all properties: equal means unchanged."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p", database_=settings.database
    )
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS p",
        database_=settings.database,
    )
    lines = sorted(repr(sorted(r.data().items())) for r in [*nodes, *rels])
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def without_dump_record(graph: Graph) -> Graph:
    """A dump minus the record it carries of itself (when it was made, in which format)."""
    for subject in {s for s in graph.subjects() if "/.well-known/void#dump-" in str(s)}:
        graph.remove((subject, None, None))
    return graph


def without_loads(graph: Graph) -> Graph:
    """A dump minus the loads that made it (new ones each load): each load's activity, the
    files it used and its software agent (``{load}#...``), and what they generated."""
    load_class = URIRef("https://w3id.org/connects-graph/def#Load")
    graph.remove((None, PROV.wasGeneratedBy, None))
    loads = {str(activity) for activity in graph.subjects(RDF.type, load_class)}
    for subject in {s for s in graph.subjects() if str(s).split("#")[0] in loads}:
        graph.remove((subject, None, None))
    return graph


# The API.


def app_client(settings: ApiSettings, **changes: Any) -> TestClient:
    """A client for an app with these settings changed (the defaults otherwise: a new load is
    looked for before every query). Use it as a context manager, so the lifespan runs."""
    return TestClient(create_app(settings.model_copy(update=changes)))


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The RFC 9457 problem in `response`, checked to be `status` of type /problems/`slug`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    return body


@contextmanager
def served(settings: ApiSettings, **changes: Any) -> Iterator[int]:
    """The API on a real uvicorn server on a free port, configured as `connects serve` does it
    (`server_options`); yields the port."""
    changed = settings.model_copy(update=changes)
    config = uvicorn.Config(
        create_app(changed),
        host="127.0.0.1",
        port=free_port(),
        log_config=None,
        **server_options(changed),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "uvicorn did not start"
        yield config.port
    finally:
        server.should_exit = True
        thread.join(10)


# Keys and contributions.

CONTRIBUTION = """
@prefix cg: <https://w3id.org/connects-graph/def#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<http://data.test/id/case-study/partner-study> a cg:CaseStudy ;
    dcterms:identifier "partner-study" ;
    skos:prefLabel "A partner's study"@en ;
    dcterms:description "What the partner's study found."@en ;
    dcterms:source <https://example.org/study> ;
    cg:ledBy <http://data.test/id/organisation/lga> ;
    cg:addresses <http://data.test/id/policy-theme/theme-regeneration> ;
    cg:hasClaim <http://data.test/id/evidence-claim/partner-claim> .

<http://data.test/id/evidence-claim/partner-claim> a cg:EvidenceClaim ;
    dcterms:identifier "partner-claim" ;
    skos:prefLabel "A partner's claim"@en ;
    dcterms:description "An independent evaluation."@en ;
    cg:forOutcome <http://data.test/id/outcome/inclusion> ;
    cg:evidenceLevel <http://data.test/id/evidence-level/connects-level-4> ;
    cg:evidenceType <http://data.test/id/evidence-type/independent-evaluation> ;
    cg:strength 4 ;
    cg:direction "positive" .
"""
"""A partner's case study with one independently evaluated claim, in Turtle."""


def make_key(settings: ApiSettings, scope: Scope, organisation: str = "lga") -> str:
    """A new API key's secret, made as staff would (`connects keys create`)."""

    async def run() -> str:
        async with open_db(settings) as db:
            _, secret = await keys.create(db, organisation=organisation, scope=scope, label="test")
            return secret

    return asyncio.run(run())


def contribute(client: TestClient, key: str, body: str, **params: str) -> Response:
    """POST `body` (Turtle) to /contributions with `key`."""
    return client.post(
        "/contributions",
        params=params,
        content=body.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {key}"},
    )


# Members' submissions, curation and corrections.

SUBMISSION: dict[str, Any] = {
    "case_study": {
        "title": "Remote monitoring pilot in Testshire",
        "summary": "Sensors in 200 homes let carers see when help was needed.",
        "organisation": "Testshire County Council",
        "organisation_type": "council",
        "year": 2024,
        "interventions": ["tec-remote-monitoring"],
        "reported_results": ["30% fewer unplanned visits, as the council reports"],
        "source_urls": ["https://example.org/testshire-monitoring"],
        "evidence": [
            {
                "outcome": "Services",
                "evidence_type": "independent_evaluation",
                "direction": "positive",
            }
        ],
    },
    "contact": {"name": "Pat Officer", "email": "pat@testshire.example"},
    "evaluation_status": "completed",
}
"""A member's submission claiming an independent evaluation (the curator will grade it lower)."""
CURATOR_GRADE = {
    "evidence_type": "internal_evaluation",
    "level": "connects-level-2",
    "direction": "positive",
}
"""The curator's grade of SUBMISSION's one claim: an internal evaluation, not independent."""


def submit(client: TestClient, body: Any = None) -> Response:
    """POST a submission (SUBMISSION unless given) as JSON."""
    return client.post("/submissions", json=SUBMISSION if body is None else body)


def accept(client: TestClient, key: str, receipt: str) -> Response:
    """A curator accepts a submission of SUBMISSION's shape with CURATOR_GRADE."""
    decision = {
        "decision": "accept",
        "reason": "Checked against the report.",
        "grades": [CURATOR_GRADE],
    }
    return client.post(
        f"/submissions/{receipt}/decisions",
        json=decision,
        headers={"Authorization": f"Bearer {key}"},
    )


# SPARQL.

SPARQL_PREFIXES = """PREFIX cg: <https://w3id.org/connects-graph/def#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
OUTCOMES = (
    SPARQL_PREFIXES + "SELECT ?o ?name WHERE { ?o a cg:Outcome ; skos:prefLabel ?name } ORDER BY ?o"
)
"""Every outcome and its name, in order."""


def bindings(response: Any) -> list[dict[str, str]]:
    """SPARQL JSON results as plain {variable: value} rows."""
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


# The browser tests.

ARTIFACTS = Path(os.environ.get("CONNECTS_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "explorer"
AXE = ROOT / "tools" / "explorer-assets" / "node_modules" / "axe-core" / "axe.min.js"


def needed(path: Path, what: str) -> None:
    """Skip when a browser-test tool is missing on a laptop; CI installs them, so fail there."""
    if path.exists():
        return
    message = f"{what} not found at {path} (`make test` installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def screenshot(page: Page, name: str) -> Path:
    """Keep a picture of the view as a test artefact (test-artifacts/explorer/)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def query(page: Page) -> dict[str, list[str]]:
    """The page's query string, as lists of values."""
    return parse_qs(urlsplit(page.url).query)


def ids(page: Page, selector: str) -> list[str]:
    """The `data-id` of every element `selector` finds, in document order."""
    found: list[str] = page.locator(selector).evaluate_all("els => els.map(e => e.dataset.id)")
    return found


def json_of(api: httpx2.Client, path: str, **params: Any) -> Any:
    """The API's JSON answer to a GET, which the page must match."""
    response = api.get(path, params=params)
    response.raise_for_status()
    return response.json()


def recorded_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Every statement `Db.read` sends from now on (until the test ends), with its parameters."""
    sent: list[tuple[str, dict[str, Any]]] = []
    read = Db.read

    async def recording(self: Db, statement: Any, /, **params: Any) -> list[dict[str, Any]]:
        sent.append((statement, params))
        return await read(self, statement, **params)

    monkeypatch.setattr(Db, "read", recording)
    return sent


def rapper(text: str, syntax: str) -> int:
    """How many triples (or quads) Raptor's `rapper` reads from `text` in `syntax`; fails the
    test if it reads none of it."""
    binary = shutil.which("rapper")
    if binary is None:
        pytest.fail("rapper is missing: apt-get install raptor2-utils (.ci/run does)")
    done = subprocess.run(  # noqa: S603 - fixed argv
        [binary, "--input", syntax, "--count", "-", "http://data.test"],
        input=text.encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    return int(done.stderr.decode().split("returned ")[1].split(" ")[0])


# Export batches made by hand, for the text writers against pyoxigraph.

CG = "https://w3id.org/connects-graph/def#"
# Every escape N-Triples has, every other control character, quotes, and text beyond ASCII.
AWKWARD = "".join(chr(c) for c in range(0x80)) + ' "quoted" back\\slash é ☃ 𝄞 \u2028 \ufeff'
_URL_SOURCES = {Kind.CASE_STUDY, Kind.EVIDENCE_CLAIM}
# Values of each literal style, awkward ones included: IRIs in our namespaces whose local names
# need escapes or cannot be local names at all, integers Turtle may or may not write bare.
_SAMPLES: dict[str, list[Any]] = {
    "iri": [
        "https://example.org/a?b=c#d",
        f"{CG}see(this).",
        "http://www.w3.org/ns/prov#",
        f"{CG}a×b",
        f"{CG}~x:y",
    ],
    "integer": [0, 7, -3, 2024, "+5", "x3", True],
    "english": ["an alternative name", AWKWARD],
    "date": ["2027-03-31"],
    "plain": ["plain", AWKWARD, 0.25, "E12000001"],
    "concept": ["positive", "no_effect", "-lead", "end.", "é·x", "1st", "a%20b/c", "_:x"],
}


def _export_node(kind: Kind, number: int) -> ExportNode:
    props: dict[str, Any] = {
        "id": f"{kind.slug}-{number}",
        "name": f"{kind.value} {number} {AWKWARD}",
        "description": AWKWARD if number % 2 else "",
        "source": "https://example.org/source" if kind in _URL_SOURCES else 'Section 4 "A"\n',
        "source_urls": ["https://example.org/source"] if number % 5 == 1 else [],
        "region_ids": ["region-north-east"] if number % 2 else [],
        "contributed_by": "org-1" if number % 3 == 2 else None,
        "load": "load-20260101T000000-abc" if number % 2 else None,
    }
    for index, (name, (_, style)) in enumerate(LITERALS.items()):
        values = _SAMPLES[style]
        if (index + number) % 4:  # some absent, some one value, some a list
            props[name] = values if (index + number) % 3 == 0 else values[number % len(values)]
    return ExportNode(id=props["id"], kind=kind, properties=props)


def export_batch() -> tuple[list[ExportNode], list[ExportLink]]:
    """One batch with every kind, literal style and escape, and links of every type."""
    nodes = [_export_node(kind, number) for kind in Kind for number in range(8)]
    links = [
        ExportLink(
            from_id=node.id,
            type=str(rel),
            to_id=f"x-{i}",
            to_kind=list(Kind)[i % len(Kind)],
            source=None,
        )
        for i, (node, rel) in enumerate(zip(nodes, list(Rel) * 12, strict=False))
    ]
    return nodes, links


def place(node_id: str, name: str) -> NodeRow:
    """A place row for `graph.writes`, as a load would write it."""
    return NodeRow(node_id, Kind.PLACE, {"id": node_id, "name": name, "source": "t"})


def region(node_id: str) -> NodeRow:
    return NodeRow(node_id, Kind.REGION, {"id": node_id, "name": node_id.upper(), "source": "t"})


def in_region(place_id: str, region_id: str) -> LinkRow:
    return LinkRow(place_id, Rel.IN_REGION, region_id, "t")
