"""The red team's attacks, replayed: each is refused with a located 4xx, the graph is left exactly
as it was, and the service keeps answering `/health` and `/evidence` during and after them.

One table of distinct attacks on every public surface (researchers' Cypher, SPARQL, contributions,
query parameters, paths). Specific behaviour of each defence is tested with its module; this file
proves the whole service holds under all of them, one after another, on one engine.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from neo4j import Driver

from api.settings import ApiSettings
from graph.keys import Scope
from loaders.report import LoadReport
from tests.helpers import CONTRIBUTION, fingerprint, make_key

CG = "https://w3id.org/connects-graph/def#"
BASE = "http://data.test/id"
TTL_PREFIXES = f"""@prefix cg: <{CG}> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


@dataclass(frozen=True)
class Attack:
    """One request an attacker sends; `{key}` in a header is the contributor's key, and
    `{claim}` in a body another organisation's evidence claim."""

    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    body: str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    """The exact status expected, when only one is right; else any 4xx."""


def _cypher(query: str, **parameters: Any) -> Attack:
    return Attack("POST", "/cypher", json={"query": query, "parameters": parameters})


def _sparql(query: str) -> Attack:
    return Attack("GET", "/sparql", params={"query": query})


def _contribution(body: str | bytes, content_type: str = "text/turtle", **params: str) -> Attack:
    headers = {"Content-Type": content_type, "Authorization": "Bearer {key}"}
    return Attack("POST", "/contributions", params=params, body=body, headers=headers)


def _study(*extra: str) -> str:
    """The helpers' partner contribution, with extra Turtle statements about its case study."""
    lines = "".join(f"<{BASE}/case-study/partner-study> {line} .\n" for line in extra)
    return TTL_PREFIXES + CONTRIBUTION + lines


BILLION_LAUGHS_XML = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="http://data.test/id/case-study/bomb">
    <skos:prefLabel>&lol9;</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>
"""

XXE_XML = """<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="http://data.test/id/case-study/xxe">
    <skos:prefLabel>&xxe;</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>
"""

ATTACKS: dict[str, Attack] = {
    # Researchers' Cypher: memory, time, calls out, writes, bookkeeping.
    "cypher string doubling": _cypher("RETURN size(reduce(s='x', i IN range(1,30) | s + s))"),
    "cypher string doubling, spelt out": _cypher(
        "WITH 'x' AS s WITH s+s AS s WITH s+s AS s UNWIND range(1, 40) AS i "
        "RETURN reduce(a = s, j IN range(1, 40) | a + a) AS big"
    ),
    "cypher apoc sleep": _cypher("CALL apoc.util.sleep(60000)"),
    "cypher apoc sleep as function": _cypher("RETURN apoc.util.sleep(60000)"),
    "cypher LOAD CSV": _cypher("LOAD CSV FROM 'http://169.254.169.254/' AS row RETURN row"),
    "cypher LOAD block comment CSV": _cypher(
        "LOAD/**/CSV FROM 'http://169.254.169.254/' AS row RETURN row"
    ),
    "cypher LOAD line comment CSV": _cypher(
        "LOAD//x\nCSV FROM 'http://169.254.169.254/' AS row RETURN row"
    ),
    "cypher load csv, lower case": _cypher("load csv from 'file:///etc/passwd' as r return r"),
    "cypher CREATE": _cypher("CREATE (n:Outcome {id: 'x'}) RETURN n"),
    "cypher CREATE behind a comment": _cypher("/* read */ CREATE (n:Outcome {id: 'x'})"),
    "cypher MERGE": _cypher("MERGE (n:Outcome {id: 'inclusion'}) SET n.name = 'x' RETURN n"),
    "cypher SET": _cypher("MATCH (n:Outcome) SET n.name = 'pwned' RETURN count(n)"),
    "cypher DETACH DELETE": _cypher("MATCH (n) DETACH DELETE n"),
    "cypher FOREACH CREATE": _cypher("FOREACH (i IN [1] | CREATE (:Outcome {id: 'x'}))"),
    "cypher IN TRANSACTIONS": _cypher(
        "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS"
    ),
    "cypher dbms procedure": _cypher("CALL dbms.security.listUsers()"),
    "cypher SHOW DATABASES": _cypher("SHOW DATABASES"),
    "cypher sql.version()": _cypher("RETURN sql.version()"),
    "cypher USE system": _cypher("USE system MATCH (n) RETURN n"),
    "cypher apoc.load.json": _cypher("CALL apoc.load.json('http://169.254.169.254/') YIELD value"),
    "cypher not Cypher": _cypher("SELECT * FROM Outcome"),
    "cypher too long": _cypher("RETURN 1 " + "/* pad */" * 2000),
    "cypher parameters not a map": Attack(
        "POST", "/cypher", json={"query": "RETURN $x", "parameters": "x"}
    ),
    "cypher unknown field": Attack(
        "POST", "/cypher", json={"query": "RETURN 1", "database": "system"}
    ),
    # SPARQL: calls out, updates, oversize.
    "sparql SERVICE": _sparql("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"),
    "sparql .SERVICE": _sparql(
        "SELECT * WHERE { ?a ?b ?c .SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"
    ),
    "sparql service, lower case, commented": _sparql(
        "SELECT * WHERE { ?a ?b ?c #x\n.service\n<http://127.0.0.1:1/> { ?s ?p ?o } }"
    ),
    "sparql SERVICE SILENT": _sparql(
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/> { ?s ?p ?o } }"
    ),
    "sparql INSERT DATA": _sparql("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"),
    "sparql LOAD": _sparql("LOAD <http://127.0.0.1:1/data.ttl>"),
    "sparql DROP ALL": _sparql("DROP ALL"),
    "sparql update by POST": Attack(
        "POST",
        "/sparql",
        body="DELETE WHERE { ?s ?p ?o }",
        headers={"Content-Type": "application/sparql-update"},
    ),
    "sparql malformed": _sparql("SELECT * WHERE { ?s ?p "),
    "sparql too long": _sparql("SELECT * WHERE { ?s ?p ?o } #" + "x" * 40_000),
    # Contributions: parser bombs, inflated evidence, system properties, bad values.
    "contribution without a key": Attack(
        "POST",
        "/contributions",
        body=CONTRIBUTION,
        headers={"Content-Type": "text/turtle"},
        status=401,
    ),
    "contribution with a made-up key": Attack(
        "POST",
        "/contributions",
        body=CONTRIBUTION,
        headers={"Content-Type": "text/turtle", "Authorization": "Bearer cgk_random_x"},
        status=401,
    ),
    "contribution RDF/XML billion laughs": _contribution(
        BILLION_LAUGHS_XML, "application/rdf+xml", dry_run="true"
    ),
    "contribution RDF/XML external entity": _contribution(XXE_XML, "application/rdf+xml"),
    "contribution news report graded peer reviewed": _contribution(
        CONTRIBUTION.replace("independent-evaluation", "news-report")
        .replace("connects-level-4", "connects-level-5")
        .replace("cg:strength 4", "cg:strength 5")
    ),
    "contribution linking another organisation's claim": _contribution(
        _study(f"cg:hasClaim <{BASE}/evidence-claim/{{claim}}>")
    ),
    "contribution sets cg:strength on its case study": _contribution(_study("cg:strength 5")),
    "contribution sets cg:sourceFile": _contribution(_study('cg:sourceFile "/etc/passwd"')),
    "contribution gYearMonth year": _contribution(_study('cg:yearStart "2023-05"^^xsd:gYearMonth')),
    "contribution non-numeric integer": _contribution(_study('cg:yearStart "abc"^^xsd:integer')),
    "contribution fractional year": _contribution(_study("cg:yearStart 2023.5")),
    "contribution fractional strength": _contribution(
        CONTRIBUTION.replace("cg:strength 4", "cg:strength 1.0")
    ),
    "contribution untyped triples only": _contribution(
        f'<{BASE}/case-study/loose> <http://www.w3.org/2004/02/skos/core#prefLabel> "x" .\n'
    ),
    "contribution rewrites an outcome": _contribution(
        TTL_PREFIXES + f'<{BASE}/outcome/inclusion> a cg:Outcome ; dcterms:identifier "inclusion" ;'
        ' skos:prefLabel "Pwned"@en ; dcterms:description "Pwned."@en ;'
        " dcterms:source <https://example.org/x> .\n"
    ),
    "contribution remote JSON-LD context": _contribution(
        '{"@context": "http://127.0.0.1:1/context.jsonld", "@id": "x"}', "application/ld+json"
    ),
    "contribution malformed Turtle": _contribution("<http://x/a> <http://x/b> "),
    "contribution megabyte literal": _contribution(
        _study('dcterms:abstract "' + "a" * 3_000_000 + '"')
    ),
    "contribution wrong media type": _contribution(
        CONTRIBUTION, "application/x-www-form-urlencoded"
    ),
    # Query parameters and paths.
    "misspelt parameter": Attack("GET", "/evidence", params={"outcom": "Inclusion"}),
    "negative limit": Attack("GET", "/nodes", params={"kind": "Outcome", "limit": "-1"}),
    "year that is not a year": Attack("GET", "/evidence", params={"year_from": "1; DROP"}),
    "huge offset": Attack("GET", "/evidence", params={"offset": "99999999999999999999"}),
    "unknown direction": Attack("GET", "/evidence", params={"direction": "sideways"}),
    "unknown outcome": Attack("GET", "/what-works", params={"outcome": "Nope"}),
    "search too long": Attack("GET", "/search", params={"q": "x" * 5000}),
    "search Lucene syntax": Attack("GET", "/search", params={"q": "Fish OR chips", "limit": "0"}),
    "neighbourhood too deep": Attack(
        "GET", "/graph/neighbourhood/inclusion", params={"depth": "100"}
    ),
    "paths to nowhere": Attack("GET", "/graph/paths", params={"from": "inclusion", "to": "nope"}),
    "path traversal": Attack("GET", "/nodes/..%2F..%2Fetc%2Fpasswd"),
    "unknown kind": Attack("GET", "/id/api-key/anything"),
    "export in a made-up format": Attack("GET", "/export", params={"format": "exe"}),
    "admin keys without a key": Attack("GET", "/admin/keys", status=401),
    "admin keys with a contributor's key": Attack(
        "GET", "/admin/keys", headers={"Authorization": "Bearer {key}"}, status=403
    ),
}


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    return everything


@pytest.fixture(scope="module")
def contributor(settings: ApiSettings, served_data: LoadReport) -> str:
    return make_key(settings, Scope.CONTRIBUTE, organisation="lga")


@pytest.fixture(scope="module")
def other_claim(sync_driver: Driver, settings: ApiSettings, served_data: LoadReport) -> str:
    """An evidence claim of a bundled case study led by an organisation other than the key's."""
    records, _, _ = sync_driver.execute_query(
        "MATCH (o:Organisation)<-[:LED_BY]-(:CaseStudy)-[:HAS_CLAIM]->(e:EvidenceClaim) "
        "WHERE o.id <> 'lga' RETURN e.id AS id ORDER BY id LIMIT 1",
        database_=settings.database,
    )
    return str(records[0]["id"])


@pytest.fixture(scope="module")
def baseline(
    client: TestClient, sync_driver: Driver, settings: ApiSettings, contributor: str
) -> tuple[str, float]:
    """The graph's fingerprint and `/evidence`'s median latency, before any attack."""
    return fingerprint(sync_driver, settings), _median_latency(client, "/evidence")


def _median_latency(client: TestClient, path: str, runs: int = 5) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(path, params={"limit": "50"}).status_code == 200
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _send(client: TestClient, attack: Attack, key: str, claim: str) -> Response:
    def fill(text: str) -> str:
        return text.replace("{key}", key).replace("{claim}", claim)

    body = attack.body
    if isinstance(body, str):
        body = fill(body).encode()
    return client.request(
        attack.method,
        attack.path,
        params=attack.params,
        json=attack.json,
        content=body,
        headers={name: fill(value) for name, value in attack.headers.items()},
    )


def test_there_are_at_least_fifty_distinct_attacks() -> None:
    distinct = {repr(attack) for attack in ATTACKS.values()}
    assert len(distinct) == len(ATTACKS) >= 50


@pytest.mark.parametrize("name", ATTACKS)
def test_the_attack_is_refused_and_the_service_holds(
    name: str,
    client: TestClient,
    sync_driver: Driver,
    settings: ApiSettings,
    contributor: str,
    other_claim: str,
    baseline: tuple[str, float],
) -> None:
    attack = ATTACKS[name]
    before = fingerprint(sync_driver, settings)
    response = _send(client, attack, contributor, other_claim)

    if attack.status is not None:
        assert response.status_code == attack.status, response.text[:500]
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    assert response.headers["content-type"] == "application/problem+json", response.text[:500]
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["detail"], "a refusal says why"
    assert "Traceback" not in response.text
    assert "os error" not in response.text
    assert fingerprint(sync_driver, settings) == before, "the graph changed"
    assert client.get("/health").status_code == 200


def test_the_service_answers_at_its_usual_speed_after_every_attack(
    client: TestClient, baseline: tuple[str, float], sync_driver: Driver, settings: ApiSettings
) -> None:
    # Runs after the attacks (file order). Generous: a shared machine is noisy, but an engine
    # left busy by an attack (a sleeping or swapping query) would be many times slower.
    after = _median_latency(client, "/evidence")
    assert after < max(5 * baseline[1], baseline[1] + 1.0), (baseline[1], after)
    assert fingerprint(sync_driver, settings) == baseline[0]
