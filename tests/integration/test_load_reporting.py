"""What `connects load` tells a curator: problems in words, once each, in file order; a failed
load's progress that does not read as done; counts that add up kind by kind."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from api.settings import ApiSettings
from cli.main import app
from loaders.report import Issue, LoadFailed
from tests.helpers import DATA, clear, fingerprint, load

HEADER = (
    "id,title,organisation,summary,outcomes,themes,region,evidence_type,evidence_level,source_url\n"
)
GOOD = "s-{n},T,Org A,Sum,Inclusion,,London,news_report,,https://example.org/{n}\n"
runner = CliRunner()


@pytest.fixture(scope="module")
def reference(settings: ApiSettings, sync_driver: Driver) -> Driver:
    """The framework, evidence scale, places and interventions case studies refer to."""
    clear(sync_driver, settings)
    load(settings, DATA / "strategy", DATA / "evidence", DATA / "places", DATA / "interventions")
    return sync_driver


@pytest.fixture
def env(settings: ApiSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CONNECTS_BOLT_PORT", str(settings.bolt_port))
    monkeypatch.setenv("CONNECTS_HTTP_PORT", str(settings.http_port))
    monkeypatch.setenv("CONNECTS_PUBLIC_BASE_URI", settings.public_base_uri)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def issues(settings: ApiSettings, *paths: Path) -> list[Issue]:
    with pytest.raises(LoadFailed) as failure:
        load(settings, *paths)
    return failure.value.report.issues


@pytest.mark.usefixtures("env")
def test_a_failed_load_shows_where_it_stopped(
    reference: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    # Every row is read and checked (the bar fills) before the duplicate fails the load.
    path = write(tmp_path, "dup.csv", HEADER + GOOD.format(n=1) * 2 + GOOD.format(n=2))
    before = fingerprint(reference, settings)
    result = runner.invoke(app, ["load", str(path)])
    assert result.exit_code == 2
    assert "write stopped" in result.output
    assert "write ━" not in result.output
    assert fingerprint(reference, settings) == before


@pytest.mark.usefixtures("reference")
def test_a_bad_web_address_is_said_in_words(settings: ApiSettings, tmp_path: Path) -> None:
    row = GOOD.format(n=1).replace("https://example.org/1", "example.org/1")
    [issue] = issues(settings, write(tmp_path, "cs.csv", HEADER + row))
    assert issue.field == "source_url"
    assert issue.message == (
        "Must be a web address starting with http:// or https://; got 'example.org/1'."
    )


@pytest.mark.usefixtures("reference")
def test_an_unknown_column_lists_the_columns_and_suggests_one(
    settings: ApiSettings, tmp_path: Path
) -> None:
    path = write(tmp_path, "cs.csv", HEADER.replace("outcomes", "outcome") + GOOD.format(n=1))
    [issue] = issues(settings, path)
    assert "unknown column 'outcome' (did you mean 'outcomes'?)" in issue.message
    assert "The columns are: id, title, organisation" in issue.message


@pytest.mark.usefixtures("reference")
def test_an_unknown_field_suggests_one(settings: ApiSettings, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nodes.yaml",
        """
        nodes:
          - {id: a, kind: Outcome, name: A, descripton: D, source: S}
        """,
    )
    found = {issue.field: issue.message for issue in issues(settings, path)}
    assert found["nodes.0.descripton"] == "Unknown field (did you mean 'description'?)."
    assert found["nodes.0.description"] == "Required, but missing."


@pytest.mark.usefixtures("reference")
def test_one_bad_value_is_reported_once(settings: ApiSettings, tmp_path: Path) -> None:
    # One cell applies to three outcomes: one problem, not three.
    row = GOOD.format(n=1).replace("Inclusion", "Inclusion;Services;Data")
    row = row.replace("news_report,,", "news_report,Peer reviewd,")
    [issue] = issues(settings, write(tmp_path, "cs.csv", HEADER + row))
    assert (issue.row, issue.field) == (1, "evidence_level")
    assert "'Peer reviewd' is not a valid id" in issue.message


@pytest.mark.usefixtures("reference")
def test_problems_come_in_file_order(settings: ApiSettings, tmp_path: Path) -> None:
    # Row 1 fails when built (an unknown theme), row 2 when read (a bad address): found in
    # the other order.
    rows = GOOD.format(n=1).replace("Inclusion,,", "Inclusion,No such theme,")
    rows += GOOD.format(n=2).replace("https://", "ftp://")
    yaml = write(tmp_path, "b.yaml", "nodes:\n  - {id: a, kind: Outcom, name: A}\n")
    found = issues(settings, yaml, write(tmp_path, "a.csv", HEADER + rows))
    places = [(i.file, i.line or 0, i.row or 0, i.field or "") for i in found]
    assert places == sorted(places)
    assert [i.row for i in found if i.file.endswith("a.csv")] == [1, 2]


@pytest.mark.usefixtures("env")
def test_counts_add_up_kind_by_kind(
    reference: Driver, settings: ApiSettings, tmp_path: Path
) -> None:
    rows = GOOD.format(n=1).replace("Org A", "Brand New Council")
    rows += GOOD.format(n=2).replace("Org A", "Brand New Council").replace("Inclusion", "Data")
    path = write(tmp_path, "cs.csv", HEADER + rows)
    first = load(settings, path).counts
    assert {kind: c.created for kind, c in first.by_kind.items()} == {
        "CaseStudy": 2,
        "EvidenceClaim": 2,
        "Organisation": 1,
    }
    assert first.nodes_created == sum(c.created for c in first.by_kind.values())
    again = load(settings, path).counts
    for kind, c in first.by_kind.items():
        k = again.by_kind[kind]
        assert k.created + k.updated + k.unchanged == c.created + c.updated + c.unchanged, kind
    assert (again.nodes_created, again.nodes_updated, again.nodes_unchanged) == (
        0,
        0,
        first.nodes_created,
    )
    shown = runner.invoke(app, ["load", str(path)])
    assert shown.exit_code == 0, shown.output
    assert "nodes 0 created, 0 updated, 5 unchanged" in shown.output
    assert "Organisation: 0 created, 0 updated, 1 unchanged" in shown.output
