"""Backup and restore: a checksummed dump, and an exact rebuild of an empty graph."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from neo4j import Driver
from rdflib import Graph
from rdflib.compare import isomorphic
from typer.testing import CliRunner

from api.main import create_app
from api.settings import ApiSettings
from cli.main import app as cli
from tests.helpers import DATA, clear, graph_env, load, without_dump_record

runner = CliRunner()


def env(settings: ApiSettings) -> dict[str, str]:
    return graph_env(settings)


def counts(driver: Driver, settings: ApiSettings) -> dict[str, int]:
    query = (
        "MATCH (n) WITH count(n) AS nodes MATCH (l:Load) WITH nodes, count(l) AS loads "
        "MATCH ()-[r]->() RETURN nodes, loads, count(r) AS links"
    )
    records, _, _ = driver.execute_query(query, database_=settings.database)
    return dict(records[0].data())


def exported(settings: ApiSettings) -> Graph:
    with TestClient(create_app(settings)) as client:
        text = client.get("/export", params={"format": "nt"}).text
    return without_dump_record(Graph().parse(data=text, format="nt"))


def test_restore_rebuilds_the_graph_exactly(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, DATA)
    load(settings, DATA)  # two loads, so provenance is more than one load deep
    before, before_export = counts(empty_graph, settings), exported(settings)
    target = tmp_path / "graph.nt"
    result = runner.invoke(cli, ["backup", str(target)], env=env(settings))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "graph.nt.sha256").read_text().split()[1] == "graph.nt"
    clear(empty_graph, settings)
    result = runner.invoke(cli, ["restore", str(target)], env=env(settings))
    assert result.exit_code == 0, result.output
    # Backups carry no embeddings (derived): the command says how to have them again.
    assert "connects embed" in result.output
    assert counts(empty_graph, settings) == before
    assert isomorphic(exported(settings), before_export)  # provenance included


def test_restore_refuses_a_damaged_backup_or_a_full_graph(
    empty_graph: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    load(settings, DATA / "strategy")
    target = tmp_path / "graph.nt"
    assert runner.invoke(cli, ["backup", str(target)], env=env(settings)).exit_code == 0
    full = runner.invoke(cli, ["restore", str(target)], env=env(settings))
    assert full.exit_code == 2
    assert "not empty" in full.output
    clear(empty_graph, settings)
    target.write_bytes(target.read_bytes()[:-100])
    damaged = runner.invoke(cli, ["restore", str(target)], env=env(settings))
    assert damaged.exit_code == 2
    assert "does not match its checksum" in damaged.output
    (tmp_path / "graph.nt.sha256").unlink()
    missing = runner.invoke(cli, ["restore", str(target)], env=env(settings))
    assert "needs its checksum" in missing.output


@pytest.mark.usefixtures("empty_graph")
def test_a_backup_of_an_empty_graph_restores_to_empty(
    settings: ApiSettings, tmp_path: Path
) -> None:
    target = tmp_path / "empty.nt"
    assert runner.invoke(cli, ["backup", str(target)], env=env(settings)).exit_code == 0
    assert runner.invoke(cli, ["restore", str(target)], env=env(settings)).exit_code == 0
