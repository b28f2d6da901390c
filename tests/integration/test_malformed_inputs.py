"""Malformed inputs: each refused with a clear error, the graph left exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver

from api.main import create_app
from api.settings import ApiSettings
from loaders.report import LoadFailed
from tests.helpers import DATA, clear, fingerprint, load

NODE = "nodes:\n  - {id: %s, kind: Outcome, name: %s, description: D, source: S}\n"
CSV_HEADER = "id,title,organisation,summary,outcomes,evidence_type,source_url\n"
TTL = "@prefix cg: <https://w3id.org/connects-graph/def#> .\n"
BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"

# name: (file name, bytes, text the error must contain)
CORPUS: dict[str, tuple[str, bytes, str]] = {
    # CSV
    "csv bad quoting": ("a.csv", b'id,title\n"a,b\n', "Malformed CSV"),
    "csv ragged row": ("a.csv", b"id,title\na,b,c\n", "has 3 cells but the header has 2"),
    "csv latin-1": ("a.csv", CSV_HEADER.encode() + "é,x\n".encode("latin-1"), "not UTF-8"),
    "csv utf-16": ("a.csv", CSV_HEADER.encode("utf-16"), "not UTF-8"),
    "csv bom then bad outcome": (
        "a.csv",
        b"\xef\xbb\xbf" + (CSV_HEADER + "x,T,C,S,Nope,news_report,https://e.org\n").encode(),
        "'Nope' is not a known Outcome",
    ),
    "csv nul byte": ("a.csv", CSV_HEADER.encode() + b"x\x00y,T\n", "is not a valid id"),
    "csv empty": ("a.csv", b"", "no header row"),
    "csv duplicate columns": ("a.csv", b"id,id,title\n", "names a column twice"),
    "csv unknown layout": ("a.csv", b"foo,bar\n1,2\n", "Unknown CSV layout"),
    "csv missing required column": ("a.csv", b"id,title\nx,T\n", "missing column 'organisation'"),
    # YAML
    "yaml billion laughs": ("a.yaml", BILLION_LAUGHS.encode(), "anchors and aliases"),
    "yaml wrong type": ("a.yaml", (NODE % ("x", "[1, 2]")).encode(), "Must be text"),
    "yaml top-level list": ("a.yaml", b"- 1\n- 2\n", "Expected one top-level key"),
    "yaml malformed": ("a.yaml", b"nodes: [\n  {id: x\n", "Malformed file"),
    "yaml duplicate key": ("a.yaml", b"nodes: []\nnodes: []\n", "appears twice"),
    "yaml python tag": ("a.yaml", b"nodes: !!python/object:os.system {}\n", "Malformed file"),
    "yaml huge name": ("a.yaml", (NODE % ("x", "n" * 10_000)).encode(), "at most 300"),
    "yaml empty": ("a.yaml", b"", "Expected one top-level key"),
    # JSON
    "json deeply nested": ("a.json", b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    "json syntax": ("a.json", b'{"nodes": [}', "Malformed file"),
    "json wrong type": (
        "a.json",
        b'{"case_studies": [{"id": "x", "title": "T", "summary": "S", "organisation": "O",'
        b' "year": "twenty", "source_urls": ["https://e.org"]}]}',
        "Must be a whole number",
    ),
    "json too large": ("a.json", b" " * (21 * 1024 * 1024), "larger than 20 MB"),
    # RDF
    "turtle bad iri": ("a.ttl", (TTL + "<http://exa mple/x> cg:p 1 .\n").encode(), "Malformed RDF"),
    "turtle open literal": (
        "a.ttl",
        (TTL + '<http://e/x> cg:p "open .\n').encode(),
        "Malformed RDF",
    ),
    "turtle unknown prefix": ("a.ttl", b"x:a x:b x:c .\n", "Malformed RDF"),
    "json-ld broken": ("a.jsonld", b'{"@context": 5, "@id": ', "Malformed RDF"),
    "rdf/xml broken": ("a.rdf", b"<rdf:RDF xmlns:rdf='x'><unclosed>", "Malformed RDF"),
    "n-triples foreign uris": (
        "a.nt",
        b"<https://elsewhere.example/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        b"<https://w3id.org/connects-graph/def#CaseStudy> .\n",
        "Not one of our node URIs",
    ),
    # ids and hostile strings
    "id path traversal": (
        "a.yaml",
        (NODE % ('"../../etc/passwd"', "N")).encode(),
        "not a valid id",
    ),
    "id control character": ("a.yaml", (NODE % ('"a\\u0007b"', "N")).encode(), "not a valid id"),
    "id very long": ("a.yaml", (NODE % ("a" * 5_000, "N")).encode(), "at most 80"),
    "lone surrogate in a name": (
        "a.yaml",
        (NODE % ("x", '"bad \\ud800 text"')).encode(),
        "unable to parse raw data as a unicode string",
    ),
    "control character in a name": (
        "a.yaml",
        (NODE % ("x", '"bell \\u0007"')).encode(),
        "control characters or lone surrogates",
    ),
}


@pytest.fixture(scope="module")
def loaded(settings: ApiSettings, sync_driver: Driver) -> None:
    clear(sync_driver, settings)
    load(settings, DATA)


def export_checksum(settings: ApiSettings) -> str:
    """A checksum of the N-Triples dump, less the dump's own timestamped record."""
    with TestClient(create_app(settings)) as client:
        text = client.get("/export", params={"format": "nt"}).text
    lines = sorted(line for line in text.splitlines() if "void#dump-" not in line)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.fixture(scope="module")
def before(loaded: None, settings: ApiSettings, sync_driver: Driver) -> tuple[str, str]:
    return fingerprint(sync_driver, settings), export_checksum(settings)


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("case", CORPUS, ids=list(CORPUS))
def test_malformed_input_is_refused_and_changes_nothing(
    case: str,
    before: tuple[str, str],
    settings: ApiSettings,
    sync_driver: Driver,
    tmp_path: Path,
) -> None:
    name, content, expected = CORPUS[case]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadFailed) as failure:
        load(settings, path)
    issues = failure.value.report.issues
    assert any(expected in issue.message for issue in issues), [str(i) for i in issues]
    assert all(issue.file.endswith(name) for issue in issues)  # each names the file
    assert (fingerprint(sync_driver, settings), export_checksum(settings)) == before


# No ';': it separates the values of a multi-valued cell.
INJECTION = "x' }) MATCH (n) DETACH DELETE n // `\" DROP TABLE nodes -- <script> ${jndi:x}"


def test_injection_strings_are_stored_as_data(
    loaded: None, settings: ApiSettings, sync_driver: Driver, tmp_path: Path
) -> None:
    """Quotes, backticks and Cypher in every text field: loaded verbatim, nothing else touched."""
    csv_text = CSV_HEADER.replace("source_url", "themes,partners,source_url") + (
        'inj-1,"{0}","{0}","{0}",Data,news_report,,"{0}",https://e.org/?q=%27\n'
    ).format(INJECTION.replace('"', '""'))
    path = tmp_path / "inject.csv"
    path.write_text(csv_text, encoding="utf-8")
    count = "MATCH (n) WHERE NOT n:Version RETURN count(n) AS c"  # versions: the history
    before = sync_driver.execute_query(count, database_=settings.database)
    load(settings, path)
    records, _, _ = sync_driver.execute_query(
        "MATCH (cs:CaseStudy {id: 'inj-1'})-[:WITH_PARTNER]->(p) "
        "RETURN cs.name AS name, cs.description AS summary, p.name AS partner",
        database_=settings.database,
    )
    assert records[0].data() == {"name": INJECTION, "summary": INJECTION, "partner": INJECTION}
    after = sync_driver.execute_query(count, database_=settings.database)
    # The study, its claim, its two organisations (lead and partner): nothing deleted.
    assert after.records[0]["c"] == before.records[0]["c"] + 4
