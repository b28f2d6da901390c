"""Apache Jena, a toolkit we did not write, reads every dump format and runs our shapes on the
dump (Debian's libapache-jena-java through tools/jena/jena; `make jena` installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from loaders.report import LoadReport
from ontology.formats import DUMP_FORMATS, RdfFormat
from tests.helpers import ROOT

JENA = ROOT / "tools" / "jena" / "jena"
JENA_JARS = Path("/usr/share/java/jena-cmds.jar")
BASE = "http://data.test"
CG = "https://w3id.org/connects-graph/def#"

pytestmark = pytest.mark.skipif(
    shutil.which("java") is None, reason="no Java here: Jena's riot and shacl need one"
)


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    """The module's `client` serves all the bundled data."""
    return everything


def jena(*args: str) -> subprocess.CompletedProcess[str]:
    if not JENA_JARS.exists():
        pytest.fail("Jena is missing: apt-get install libapache-jena-java (make jena does)")
    return subprocess.run(  # noqa: S603 - fixed argv
        [str(JENA), *args], capture_output=True, text=True, check=False, timeout=300
    )


def dump(client: TestClient, rdf_format: RdfFormat, directory: Path) -> Path:
    """The dump in a file with the format's suffix, which is how riot picks its parser."""
    path = directory / f"dump.{rdf_format.suffix}"
    path.write_bytes(client.get("/export", params={"format": rdf_format.name}).content)
    return path


RIOT_SYNTAX = {"jsonld": "jsonld10"}
"""Debian's Jena has no JSON-P provider for its JSON-LD 1.1 reader (Titanium), so JSON-LD is read
by its JSON-LD 1.0 reader (jsonld-java); our JSON-LD uses nothing that 1.1 added."""


@pytest.mark.parametrize("rdf_format", DUMP_FORMATS, ids=[f.name for f in DUMP_FORMATS])
def test_riot_validates_every_dump_format(
    client: TestClient, rdf_format: RdfFormat, tmp_path: Path
) -> None:
    path = dump(client, rdf_format, tmp_path)
    syntax = [f"--syntax={RIOT_SYNTAX[rdf_format.name]}"] if rdf_format.name in RIOT_SYNTAX else []
    done = jena("riot", "--validate", "--strict", *syntax, str(path))
    assert done.returncode == 0, done.stderr[-1000:]
    assert "WARN" not in done.stderr, done.stderr[-1000:]
    counted = jena("riot", "--count", *syntax, str(path))
    assert counted.returncode == 0, counted.stderr[-1000:]
    (riot_count,) = re.findall(r"= ([\d,]+)", counted.stderr)
    # As many triples (or quads) as pyoxigraph reads from the same file.
    expected = len(list(ox.parse(path=path, format=rdf_format.oxigraph)))
    assert int(riot_count.replace(",", "")) == expected > 1000


def test_riot_refuses_a_broken_dump(tmp_path: Path) -> None:
    """The check above can fail: riot reads, it does not just exit 0."""
    broken = tmp_path / "broken.nt"
    broken.write_text('<http://data.test/id/outcome/inclusion> <http://x/p "unclosed .\n')
    done = jena("riot", "--validate", str(broken))
    assert done.returncode != 0
    assert "line: 1" in done.stderr


def dump_with_class_tree(client: TestClient, directory: Path) -> Graph:
    """The dump, and the ontology's class tree: Jena reads sh:class through rdfs:subClassOf in
    the data graph (pyshacl through ont_graph), and the shapes target data, not vocabulary."""
    data = Graph().parse(dump(client, DUMP_FORMATS[1], directory), format="nt")
    ontology = Graph().parse(ROOT / "ontology" / "connects.ttl", format="turtle")
    for axiom in ontology.triples((None, RDFS.subClassOf, None)):
        data.add(axiom)
    return data


def jena_shacl(data: Graph, directory: Path) -> subprocess.CompletedProcess[str]:
    path = directory / "data.nt"
    data.serialize(path, format="nt", encoding="utf-8")
    shapes = str(ROOT / "ontology" / "shapes.ttl")
    return jena("shacl", "validate", "--shapes", shapes, "--data", str(path))


def test_jena_shacl_passes_the_dump(client: TestClient, tmp_path: Path) -> None:
    done = jena_shacl(dump_with_class_tree(client, tmp_path), tmp_path)
    assert done.returncode == 0, done.stderr[-1000:]
    assert "sh:conforms  true" in done.stdout, done.stdout[-2000:]


def test_jena_shacl_catches_a_claim_without_its_outcome(client: TestClient, tmp_path: Path) -> None:
    data = dump_with_class_tree(client, tmp_path)
    claim = URIRef(
        f"{BASE}/id/evidence-claim/claim-caerphilly-digital-workers-school-meals-inclusion"
    )
    data.remove((claim, URIRef(CG + "forOutcome"), None))
    done = jena_shacl(data, tmp_path)
    assert "sh:conforms  false" in done.stdout
    assert str(claim) in done.stdout
    assert "A claim is about exactly one cg:Outcome." in done.stdout
