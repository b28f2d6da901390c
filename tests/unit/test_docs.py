"""The README and compose file stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api.main import create_app
from api.settings import ApiSettings
from bench import report
from graph.settings import EvidenceIndexSettings
from loaders.records import FrameworkFile
from tests.helpers import NEO4J_IMAGE, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_leads_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split()[:2] for line in first_block.strip().splitlines() if line[0] != " "] == [
        ["make", "run"],
        ["make", "test"],
    ]


def test_every_setting_is_documented() -> None:
    for name in ApiSettings.model_fields:
        assert f"`CONNECTS_{name.upper()}`" in README, name
    for name in EvidenceIndexSettings.model_fields:
        assert f"`CONNECTS_EVIDENCE_INDEX_{name.upper()}`" in README, name


def test_every_path_in_the_api_tour_exists() -> None:
    paths = set(create_app().openapi()["paths"])
    templates = [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$") for p in paths]
    used = re.findall(r"localhost:8000(/[a-z/._-]*)", README)
    assert used
    for path in used:
        assert any(t.match(path) for t in templates), path


def test_every_schema_in_the_api_docs_says_what_it_is() -> None:
    schemas = create_app().openapi()["components"]["schemas"]
    fastapis_own = {"HTTPValidationError", "ValidationError"}
    for name, schema in schemas.items():
        assert name in fastapis_own or schema.get("description"), f"{name} has no docstring"
    assert not {"Path", "Value", "Ref", "Cell"} & set(schemas)  # names that explain nothing


def test_the_readme_data_format_example_is_valid() -> None:
    block = README.split("### The framework format", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    [record] = FrameworkFile.model_validate(yaml.safe_load(block)).nodes
    assert record.id == "inclusion"


def test_ci_calls_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test\n" in ci
    # The Neo4j run, where Docker runs.
    assert "docker info" in ci
    assert "make test-neo4j" in ci


def test_compose_runs_neo4j_5_with_a_healthcheck_and_no_literal_secret() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    neo4j = compose["services"]["neo4j"]
    assert neo4j["image"] == NEO4J_IMAGE  # pinned: the one the tests run (5.23+ for CALL (x) {})
    assert "healthcheck" in neo4j
    assert neo4j["environment"]["NEO4J_AUTH"] == "neo4j/${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"
    assert compose["services"]["api"]["environment"]["CONNECTS_PASSWORD"].startswith("${")
    # Production refuses a loopback base URI: compose asks for the real one.
    assert compose["services"]["api"]["environment"]["CONNECTS_PUBLIC_BASE_URI"].endswith("}")
    assert "localhost" not in compose["services"]["api"]["environment"]["CONNECTS_PUBLIC_BASE_URI"]


def test_benchmarks_md_is_rendered_from_its_measurements(tmp_path: Path) -> None:
    """docs/benchmarks.md is what `make bench` measured, never edited by hand."""
    rendered = tmp_path / "benchmarks.md"
    report.main_with(ROOT / "docs" / "benchmarks.json", rendered)
    assert rendered.read_text(encoding="utf-8") == (ROOT / "docs" / "benchmarks.md").read_text(
        encoding="utf-8"
    )


def test_benchmarks_state_every_target_of_issue_16() -> None:
    text = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    targets = text.split("## Targets (issue 16)", 1)[1].split("\n## ", 1)[0]
    for phrase in (
        "evidence: outcome",
        "evidence: q",
        "what works: outcome",
        "search: selective term",
        "neighbourhood: depth 2",
        "node detail",
        "facets: first call after a load",
        "gap map: repeated",
        "floor ms",
        "Loader throughput",
        "Export ntriples",
        "Throughput at",
    ):
        assert phrase in targets, phrase
    assert "## Complexity" in text
    assert "index (Neo4j)" in text
    assert "## Scale beyond one machine" in text
