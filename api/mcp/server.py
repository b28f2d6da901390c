"""The MCP server: tools, resources and prompts over the graph, read-only by construction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult
from pydantic import ValidationError

from api.mcp import evidence_tools, graph_tools, prompts, resources
from api.mcp.reads import Reads
from api.mcp.refusals import invalid_arguments

INSTRUCTIONS = """
Connects Graph: the Socitm Connects strategy for UK local public services as a knowledge graph,
with case studies of what councils and their partners did and the evidence for what it achieved.
Every tool reads; none changes anything.

Ask what_works for approaches rated by their evidence for outcomes, evidence for the case
studies behind them, gap_map for where evidence is missing; search finds names and ids.

Answer honestly from what the tools return: cite the case studies you rely on by their URI and
their sources; say the strength of evidence in words (1 Reported, 2 Documented, 3 Externally
examined, 4 Independently evaluated, 5 Peer reviewed) and which clause of the rating rule gave an
approach its rating; never present weak evidence as strong (most of it is self-reported); say
"not stated" where a source did not state a direction; mention what did not work.
""".strip()


class ReadOnlyServer(MCPServer[Any]):
    """An MCPServer whose refused arguments are said in words, naming each parameter."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except UnexpectedToolError:
            raise
        except ToolError as e:
            if isinstance(e.__cause__, ValidationError):
                raise invalid_arguments(e.__cause__) from e.__cause__
            raise


def build(reads: Callable[[], Reads]) -> ReadOnlyServer:
    """The server; `reads` gives the graph's handles when a tool is called (the API's, once its
    lifespan has opened them, or those `connects mcp` opened)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server = ReadOnlyServer(
        "connects-graph",
        title="Connects Graph",
        version=version("connects-graph"),
        instructions=INSTRUCTIONS,
    )
    # The SDK's constructor configures the root logger; the API and the CLI configure their own.
    root.handlers[:] = handlers
    root.setLevel(level)
    evidence_tools.register(server, reads)
    graph_tools.register(server, reads)
    resources.register(server, reads)
    prompts.register(server)
    return server
