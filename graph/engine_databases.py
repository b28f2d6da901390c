"""The embedded engine's extra databases: made and dropped through its HTTP server API.

Only `graph/as_of.py` uses them, for the graph as it stood at a past load (a scratch database
per point in history, rebuilt from the versions). Neo4j Community has one database, so there
`as_of` on the evidence answers is refused instead (graph/as_of.py).
"""

from __future__ import annotations

import contextlib
import urllib.error

from graph import engine
from graph.engine_access import post_command
from graph.errors import EngineError
from graph.settings import GraphSettings

PREFIX = "asof_"
"""Every scratch database's name starts with it: nothing else is ever dropped."""


def _server(settings: GraphSettings, command: str) -> None:
    server = f"http://{engine.LOOPBACK}:{settings.http_port}/api/v1/server"
    admin = (engine.ROOT_USER, engine.root_password(settings))
    try:
        post_command(server, settings, admin=admin, command=command)
    except urllib.error.HTTPError as e:
        detail = e.read().decode("utf-8", "replace")[:300]
        raise EngineError(f"The engine refused {command!r} ({e.code}): {detail}") from e
    except OSError as e:
        raise EngineError(f"Could not reach the engine for {command!r}: {e}") from e


def create(settings: GraphSettings, name: str) -> None:
    """Make an empty database `name` (dropping one left by an earlier process first)."""
    if not name.startswith(PREFIX):
        raise ValueError(name)
    with contextlib.suppress(EngineError):  # none was left
        _server(settings, f"drop database {name}")
    _server(settings, f"create database {name}")


def drop(settings: GraphSettings, name: str) -> None:
    """Drop a scratch database (one of ours only)."""
    if not name.startswith(PREFIX):
        raise ValueError(name)
    _server(settings, f"drop database {name}")
