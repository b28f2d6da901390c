"""The MCP server, through the SDK's own client against the real engine: in memory (the code
`connects mcp` runs), over stdio (`connects mcp` itself) and over streamable HTTP (`/mcp` on a
real uvicorn). Its answers are checked against the JSON API's; its refusals are checked to be
tool errors in words that name the parameter; nothing it does writes."""

from __future__ import annotations

import ast
import json
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult
from neo4j import Driver

from api.main import create_app
from api.mcp import server
from api.mcp.graph_tools import SPARQL_RESULTS
from api.mcp.stdio import opened
from api.settings import ApiSettings
from graph.db import Db
from graph.model import Kind
from loaders.report import LoadReport
from tests.helpers import ROOT, SPARQL_PREFIXES, fingerprint, graph_env, served

pytestmark = pytest.mark.anyio

TOOLS = {"search", "what_works", "evidence", "gap_map", "explain_path", "get_node", "sparql"}
INCLUSION: dict[str, Any] = {"outcome": ["Inclusion"], "limit": 50}
"""'What works for Inclusion?': every approach (the bundled data has fewer than 50)."""
CALLS: dict[str, dict[str, Any]] = {
    "search": {"q": "digital inclusion"},
    "what_works": INCLUSION,
    "evidence": {"outcome": ["Inclusion"], "limit": 5},
    "gap_map": {"theme": ["Service design and transformation"]},
    "explain_path": {"from_id": "igpp", "to_id": "inclusion"},
    "get_node": {"node_id": "inclusion"},
    "sparql": {"query": "SELECT ?s WHERE { ?s a ?type } LIMIT 3"},
}
"""A valid call of every tool."""


@pytest.fixture(scope="module")
def served_data(everything: LoadReport) -> LoadReport:
    return everything


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def assistant(settings: ApiSettings) -> AsyncIterator[Client]:
    """The SDK's client on the server `connects mcp` runs, in this process."""
    async with opened(settings) as reads, Client(server.build(lambda: reads)) as connected:
        yield connected


def answer(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    return result.structured_content


def refusal(result: CallToolResult) -> str:
    assert result.is_error
    [content] = result.content
    text: str = getattr(content, "text", "")
    return text


def approaches(what_works: Any) -> list[tuple[str, str, str, list[str | None]]]:
    """What 'what works' says, as people check it: each approach, its rating and the clause
    that gave it, and the sources of its case studies."""
    return [
        (
            item["intervention"]["id"],
            item["card"]["rating"]["id"],
            item["card"]["rule"],
            [study["source"] for study in item["case_studies"]],
        )
        for item in what_works["items"]
    ]


# In memory: the tools, their answers against the API's, their refusals.


async def test_every_tool_says_it_only_reads_and_bounds_its_pages(assistant: Client) -> None:
    tools = (await assistant.list_tools()).tools
    assert {tool.name for tool in tools} == TOOLS
    for tool in tools:
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True, tool.name
        assert tool.annotations.destructive_hint is False, tool.name
        assert tool.description, tool.name
        assert tool.output_schema, tool.name
        for name, schema in tool.input_schema["properties"].items():
            assert schema.get("description"), f"{tool.name}.{name}"
            if name == "limit":
                assert schema["maximum"] <= 50, tool.name


async def test_what_works_for_inclusion_is_the_apis_answer(
    assistant: Client, client: TestClient, settings: ApiSettings
) -> None:
    mcp = answer(await assistant.call_tool("what_works", INCLUSION))
    api = client.get("/what-works", params=INCLUSION).json()
    assert approaches(mcp) == approaches(api)
    assert len(approaches(mcp)) == api["total"] > 1
    assert mcp["items"] == api["items"]
    assert (mcp["outcome"], mcp["rule"]) == (api["outcome"], api["rule"])
    first = mcp["items"][0]
    study = first["case_studies"][0]["id"]
    assert mcp["uris"][study] == f"{settings.public_base_uri}/id/case-study/{study}"


async def test_each_other_tool_answers_as_its_route(assistant: Client, client: TestClient) -> None:
    evidence = answer(await assistant.call_tool("evidence", CALLS["evidence"]))
    assert evidence["items"] == client.get("/evidence", params=CALLS["evidence"]).json()["items"]
    gaps = answer(await assistant.call_tool("gap_map", CALLS["gap_map"]))
    expected = client.get("/evidence/gap-map", params=CALLS["gap_map"]).json()
    assert gaps["cells"] == expected["cells"]
    assert any(cell["case_studies"] == 0 for cell in gaps["cells"])  # the gaps are there
    hits = answer(await assistant.call_tool("search", CALLS["search"]))
    assert hits["hits"] == client.get("/search", params={**CALLS["search"], "limit": 10}).json()
    node = answer(await assistant.call_tool("get_node", CALLS["get_node"]))
    assert node["links"] == client.get("/nodes/inclusion").json()["links"]
    paths = answer(await assistant.call_tool("explain_path", CALLS["explain_path"]))
    route = client.get("/graph/paths", params={"from": "igpp", "to": "inclusion", "limit": 5})
    assert paths["paths"] == route.json()
    assert paths["paths"]


async def test_sparql_answers_as_the_endpoint(
    assistant: Client, client: TestClient, settings: ApiSettings
) -> None:
    query = SPARQL_PREFIXES + "SELECT ?o WHERE { ?o a cg:Outcome } ORDER BY ?o"
    found = answer(await assistant.call_tool("sparql", {"query": query}))
    assert found["form"] == "SELECT"
    endpoint = client.post("/sparql", data={"query": query}, headers={"Accept": "application/json"})
    assert json.loads(found["body"]) == endpoint.json()
    assert len(endpoint.json()["results"]["bindings"]) == 12
    inclusion = f"{settings.public_base_uri}/id/outcome/inclusion"
    graph = answer(await assistant.call_tool("sparql", {"query": f"DESCRIBE <{inclusion}>"}))
    assert graph["media_type"] == "text/turtle"
    assert f"<{inclusion}>" in graph["body"]


@pytest.mark.parametrize(
    ("tool", "arguments", "words"),
    [
        ("what_works", {"outcome": ["Inclusionn"]}, "outcome: 'Inclusionn' is not a known"),
        ("what_works", {"outcome": ["Inclusion"], "limit": 51}, "limit: Must be at most 50"),
        ("evidence", {"min_strength": 6}, "min_strength: Must be at most 5; got 6."),
        ("evidence", {"region": ["Atlantis"]}, "region: 'Atlantis' is not a known Region"),
        ("gap_map", {"rows": "outcome", "cols": "outcome"}, "cols: rows and cols must be"),
        ("get_node", {"node_id": "nosuch"}, "No node has the id 'nosuch'."),
        ("get_node", {"node_id": "No Such"}, "node_id: 'No Such' is not a valid id"),
        ("explain_path", {"from_id": "igpp", "to_id": "nosuch"}, "nosuch"),
        ("search", {"q": " "}, "q: Not in the expected form"),
        ("sparql", {"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, "SPARQL Update is refused"),
        ("sparql", {"query": "SELECT * FROM <a:g> { ?s ?p ?o }"}, "query: No graph is named <a:g>"),
        ("sparql", {"query": "SELECT ?s WHERE { SERVICE <http://x/> { ?s ?p ?o } }"}, "SERVICE"),
        ("sparql", {"query": "SELEKT nothing"}, "not valid SPARQL"),
    ],
)
async def test_refusals_are_tool_errors_in_words_naming_the_parameter(
    assistant: Client, tool: str, arguments: dict[str, Any], words: str
) -> None:
    text = refusal(await assistant.call_tool(tool, arguments))
    assert words in text
    assert "Traceback" not in text
    assert "pydantic" not in text


async def test_a_query_longer_than_the_endpoint_takes_is_refused(
    assistant: Client, settings: ApiSettings
) -> None:
    long = "SELECT * WHERE { ?s ?p ?o } #" + "x" * settings.sparql_max_query_bytes
    text = refusal(await assistant.call_tool("sparql", {"query": long}))
    assert f"longer than {settings.sparql_max_query_bytes} bytes" in text


async def test_sparql_gives_an_assistant_fewer_results_than_the_endpoint(
    assistant: Client, client: TestClient
) -> None:
    """The type of every node (about 1,400 rows) is more than an assistant's context should
    take: refused, saying how to page, though the endpoint itself answers it."""
    query = "SELECT * WHERE { ?s a ?type }"
    text = refusal(await assistant.call_tool("sparql", {"query": query}))
    assert f"more than {SPARQL_RESULTS} results" in text
    assert "add LIMIT" in text
    endpoint = client.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"})
    assert endpoint.status_code == 200
    assert endpoint.text.count("\n") > SPARQL_RESULTS
    paged = {"query": f"{query} LIMIT {SPARQL_RESULTS}"}
    limited = answer(await assistant.call_tool("sparql", paged))
    assert len(json.loads(limited["body"])["results"]["bindings"]) == SPARQL_RESULTS


async def test_no_tool_writes(
    assistant: Client, sync_driver: Driver, settings: ApiSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every tool called with the graph's writing methods made to fail: none is reached, and
    the graph is as it was."""
    before = fingerprint(sync_driver, settings)
    written: list[str] = []

    def refuse(name: str) -> Any:
        def wrote(*args: Any, **kwargs: Any) -> Any:
            written.append(name)
            raise AssertionError(f"a tool called Db.{name}")

        return wrote

    for name in ("write", "define", "transactions"):
        monkeypatch.setattr(Db, name, refuse(name))
    for tool, arguments in CALLS.items():
        answer(await assistant.call_tool(tool, arguments))
    assert written == []
    assert fingerprint(sync_driver, settings) == before


def test_no_tool_module_imports_what_writes() -> None:
    """Read-only by construction: the package imports none of the modules that write."""
    writers = {
        "graph.writes",
        "graph.keys",
        "graph.schema",
        "loaders.pipeline",
        "loaders.writing",
        "loaders.submissions",
        "loaders.curation",
        "loaders.corrections",
        "loaders.backup",
    }
    imported = {
        node.module
        for path in (ROOT / "api" / "mcp").glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "graph.repository" in imported  # the scan sees the package's imports
    assert imported & writers == set()


async def test_resources_are_the_graphs_shape_the_scale_and_the_rule(
    assistant: Client, client: TestClient
) -> None:
    listed = {str(r.uri) for r in (await assistant.list_resources()).resources}
    assert listed == {
        "connects://graph/shape",
        "connects://evidence/scale",
        "connects://evidence/rating-rule",
    }

    async def read(uri: str) -> Any:
        [content] = (await assistant.read_resource(uri)).contents
        return json.loads(getattr(content, "text", ""))

    shape = await read("connects://graph/shape")
    assert shape["kinds"] == [kind.value for kind in Kind]
    applies = next(r for r in shape["relationships"] if r["type"] == "APPLIES")
    assert (applies["from"], applies["to"]) == (["CaseStudy"], ["Intervention"])
    scale = await read("connects://evidence/scale")
    assert [s["name"] for s in scale["strengths"]][0::4] == ["Reported", "Peer reviewed"]
    assert scale["directions"]["not_stated"] == "direction not stated"
    assert await read("connects://evidence/rating-rule") == client.get("/ratings").json()


async def test_prompts_ask_what_works_and_where_evidence_is_missing(assistant: Client) -> None:
    names = {p.name for p in (await assistant.list_prompts()).prompts}
    assert names == {"what_works_for", "evidence_gaps"}
    prompt = await assistant.get_prompt("what_works_for", {"outcome": "Inclusion"})
    text = getattr(prompt.messages[0].content, "text", "")
    assert "What works for Inclusion?" in text
    assert "what_works" in text
    assert "not stated" in text
    gaps = await assistant.get_prompt("evidence_gaps", {"topic": "Inclusion"})
    assert "gap_map" in getattr(gaps.messages[0].content, "text", "")


# `connects mcp`: the same server over stdio, started as an assistant starts it.


async def test_connects_mcp_answers_what_works_for_inclusion_as_the_api(
    settings: ApiSettings, client: TestClient
) -> None:
    command = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from cli.main import app; app()", "mcp"],
        env=graph_env(settings),
        cwd=str(ROOT),
    )
    async with Client(command) as over_stdio:
        assert {tool.name for tool in (await over_stdio.list_tools()).tools} == TOOLS
        mcp = answer(await over_stdio.call_tool("what_works", INCLUSION))
        text = refusal(await over_stdio.call_tool("what_works", {"outcome": ["Nosuch"]}))
    api = client.get("/what-works", params=INCLUSION).json()
    assert approaches(mcp) == approaches(api)
    assert "outcome: 'Nosuch' is not a known Outcome" in text


# /mcp: the same server over streamable HTTP, inside the API's limits.


@pytest.fixture(scope="module")
def port(app_settings: ApiSettings, served_data: object) -> Iterator[int]:
    """The API on a real uvicorn; its /mcp reads the session's graph."""
    with served(app_settings) as live:
        yield live


async def test_mcp_over_http_answers_what_works_for_inclusion_as_the_api(port: int) -> None:
    async with Client(f"http://127.0.0.1:{port}/mcp") as over_http:
        assert {tool.name for tool in (await over_http.list_tools()).tools} == TOOLS
        mcp = answer(await over_http.call_tool("what_works", INCLUSION))
        text = refusal(await over_http.call_tool("sparql", {"query": "CLEAR ALL"}))
    api = httpx2.get(f"http://127.0.0.1:{port}/what-works", params=INCLUSION).json()
    assert approaches(mcp) == approaches(api)
    assert mcp["items"] == api["items"]
    assert "SPARQL Update is refused" in text


def test_mcp_over_http_refuses_another_host(port: int) -> None:
    """DNS rebinding: a page on another site cannot reach a local server through its name."""
    sent = httpx2.post(
        f"http://127.0.0.1:{port}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"Host": "evil.example", "Accept": "application/json, text/event-stream"},
    )
    assert sent.status_code == 421


def test_mcp_over_http_is_rate_limited_and_size_capped_as_the_api(
    app_settings: ApiSettings, served_data: object
) -> None:
    with served(app_settings, rate_limit_per_minute=1, rate_limit_burst=1) as limited:
        url = f"http://127.0.0.1:{limited}/mcp"
        headers = {"Accept": "application/json, text/event-stream"}
        large = {"query": "x" * (4 * app_settings.sparql_max_query_bytes + 1)}
        too_large = httpx2.post(url, json=large, headers=headers)
        assert too_large.status_code == 413
        limited_answer = httpx2.post(url, json={}, headers=headers)
        assert limited_answer.status_code == 429
        assert limited_answer.headers["content-type"] == "application/problem+json"


def test_mcp_answers_after_the_apps_lifespan_runs_again(app_settings: ApiSettings) -> None:
    """The SDK's session manager runs once; the API's lifespan may run again (a server
    restarted in-process, a test client opened twice): each run answers MCP."""
    app = create_app(app_settings)
    call = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    for _ in range(2):
        with TestClient(app, base_url="http://127.0.0.1") as again:
            sent = again.post("/mcp", json=call, headers=headers)
            assert sent.status_code == 200, sent.text
            assert "what_works" in {tool["name"] for tool in sent.json()["result"]["tools"]}
