"""The tools that find and explain: search, one node, the paths between two, and SPARQL.

Each calls the graph function (or the SPARQL service) its API route calls, with the same limits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from anyio import to_thread
from mcp.server import MCPServer
from pydantic import Field

from api.mcp import answers
from api.mcp.arguments import READ_ONLY, Limit, NodeId
from api.mcp.reads import Reads
from api.mcp.refusals import in_plain_words
from graph import hybrid, repository
from graph.hybrid import SearchMode
from graph.model import Kind
from graph.path_search import paths
from ontology.sparql.errors import ProtocolError
from ontology.sparql.evaluate import names_a_dataset, query_form
from ontology.sparql.graphs import from_clauses, refuse_unknown
from ontology.sparql.media import negotiate

SEARCH = (
    "Find nodes (outcomes, themes, approaches, case studies, organisations, places, ...) by "
    "what `q` means, as GET /search answers: `hybrid` (default) fuses the all-words keyword "
    "ranking with the ranking by meaning, so a question in plain words finds case studies that "
    "never use its words; `keyword` needs every word; `semantic` ranks by meaning alone. Each "
    "hit says why it matched. A match by meaning is a lead, not evidence: read the node (and "
    "its claims) before saying what it shows. Use it to find the names and ids the other "
    "tools take."
)
GET_NODE = (
    "One node by id, as GET /nodes/{id} answers: its properties (a case study's sources and "
    "reported results among them, as the case study states them, unverified) and its links, "
    "with the kind and name of what each reaches. Cite it by its URI (`uris`)."
)
EXPLAIN_PATH = (
    "How two nodes are connected: the shortest chains of relationships between them (up to 6 "
    "hops), each step with the file and load it came from, as GET /graph/paths answers. A path "
    "is a link in the framework, not evidence of an effect: say so."
)
SPARQL_RESULTS = 500
"""Most results one query gives an assistant (fewer if the endpoint's cap is lower): more would
fill its context; a query with more is refused, saying to add a LIMIT."""
SPARQL_FORMS = (
    "A read-only SPARQL 1.1 query over the graph as RDF (ontology "
    "https://w3id.org/connects-graph/def#, usually prefixed cg:), as POST /sparql answers it: "
    "SELECT and ASK as SPARQL JSON results, CONSTRUCT and DESCRIBE as Turtle. Each load is a "
    "named graph (GRAPH ?g); a query naming none reads them all. Updates and SERVICE are "
    "refused."
)
SPARQL = " ".join(
    [
        SPARQL_FORMS,
        f"Every query is bounded in time and to {SPARQL_RESULTS} results (add a LIMIT).",
        "Prefer the other tools for evidence: their answers carry the ratings and their reasons.",
    ]
)
SPARQL_FORMATS = ["application/sparql-results+json", "text/turtle"]
"""SPARQL JSON results for SELECT and ASK, Turtle for graphs: what an assistant reads best."""


def register(server: MCPServer, reads: Callable[[], Reads]) -> None:
    """Add these tools to `server`; `reads` gives the graph's handles at call time."""

    @server.tool(description=SEARCH, annotations=READ_ONLY)
    async def search(
        q: Annotated[
            str,
            Field(
                min_length=1,
                max_length=200,
                pattern=r"\S",
                description="Words to find, or a question in plain words.",
            ),
        ],
        kind: Annotated[
            list[Kind] | None, Field(max_length=30, description="Only nodes of these kinds.")
        ] = None,
        limit: Limit = 10,
        mode: Annotated[
            SearchMode, Field(description="hybrid (default), keyword or semantic.")
        ] = SearchMode.HYBRID,
    ) -> answers.SearchAnswer:
        at = reads()
        with in_plain_words("search"):
            async with at.db() as db:
                cap = min(limit, at.settings.max_page_size)
                hits = await hybrid.find(db, q, mode=mode, limit=cap, kinds=frozenset(kind or ()))
        return answers.search(at.settings.public_base_uri, hits)

    @server.tool(description=GET_NODE, annotations=READ_ONLY)
    async def get_node(node_id: NodeId) -> answers.NodeAnswer:
        at = reads()
        with in_plain_words("get_node"):
            async with at.db() as db:
                detail = await repository.node_detail(db, node_id)
        return answers.node(at.settings.public_base_uri, detail)

    @server.tool(description=EXPLAIN_PATH, annotations=READ_ONLY)
    async def explain_path(
        from_id: NodeId,
        to_id: NodeId,
        limit: Annotated[int, Field(ge=1, le=20, description="Most paths to return.")] = 5,
    ) -> answers.PathsAnswer:
        at = reads()
        with in_plain_words("explain_path", {"from": "from_id", "to": "to_id"}):
            async with at.db() as db:
                found = await paths(db, from_id, to_id, limit=limit)
        return answers.paths(at.settings.public_base_uri, found)

    @server.tool(description=SPARQL, annotations=READ_ONLY)
    async def sparql(
        query: Annotated[
            str, Field(min_length=1, max_length=1_048_576, description="The SPARQL query.")
        ],
    ) -> answers.SparqlAnswer:
        at = reads()
        with in_plain_words("sparql", {"body": "query"}):
            limit = at.sparql.limits.max_query_bytes
            if len(query.encode("utf-8")) > limit:
                raise ProtocolError(
                    f"The query is longer than {limit} bytes.", status=413, slug="too-large"
                )
            form = query_form(query)
            formats = negotiate(None, SPARQL_FORMATS).for_form(form)
            async with at.db() as db:
                snapshot = await at.sparql.snapshot(db)
            if names_a_dataset(query):
                graphs = await to_thread.run_sync(from_clauses, query, "query")
                refuse_unknown(snapshot.store, [("query", iri) for iri in graphs])
            answer = await at.sparql.run(snapshot, query, formats, result_cap=SPARQL_RESULTS)
        return answers.SparqlAnswer(
            form=form,
            media_type=answer.media_type,
            load=snapshot.load_id or "none",
            body=answer.body.decode("utf-8"),
        )
