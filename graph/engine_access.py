"""Who may do what on the embedded engine: its server groups, and the read-only user.

Researchers' own Cypher runs as a user whose group may only read, so the engine itself refuses
any write (ArcadeDB's EXPLAIN cannot tell reads from writes).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from graph.errors import EngineError
from graph.private_labels import PrivateLabel
from graph.settings import GraphSettings

HIDDEN_TYPES = ("ApiKey", "Load", "Version", *(str(label) for label in PrivateLabel))
"""Node labels that are bookkeeping or private, not published data: API keys (organisation,
scope, secret hash), load records, versions (graph/versions.py), and private records
(submissions and their contacts, reports). Researchers' Cypher runs as a reader that cannot see
them."""


def write_groups(path: Path, settings: GraphSettings) -> None:
    """Server groups: the engine's own admin and default groups, and a read-only one."""
    groups: dict[str, Any] = {"databases": {"*": {"groups": {}}}, "version": 2}
    if path.exists():
        groups = json.loads(path.read_text(encoding="utf-8"))
    defined = groups["databases"]["*"]["groups"]
    defined.setdefault(
        "admin",
        {
            "resultSetLimit": -1,
            "readTimeout": -1,
            "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
            "types": {
                "*": {"access": ["createRecord", "readRecord", "updateRecord", "deleteRecord"]}
            },
        },
    )
    defined.setdefault(
        "*", {"resultSetLimit": -1, "readTimeout": -1, "access": [], "types": {"*": {"access": []}}}
    )
    defined["reader"] = {
        "resultSetLimit": -1,
        "readTimeout": int(settings.query_timeout * 1000),
        "access": [],
        # Bookkeeping is not published data: the reader cannot see those types at all.
        "types": {"*": {"access": ["readRecord"]}} | {t: {"access": []} for t in HIDDEN_TYPES},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(groups, indent=2), encoding="utf-8")


def create_user(
    server: str,
    settings: GraphSettings,
    *,
    admin: tuple[str, str],
    user: tuple[str, str],
    group: str,
) -> None:
    """Create a user of `group` on the database, through the engine's HTTP API at `server`.

    A user that already exists is left as it is.

    Raises:
        EngineError: the engine refused or could not be reached.
    """
    name, password = user
    account = {"name": name, "password": password, "databases": {settings.database: group}}
    try:
        post_command(server, settings, admin=admin, command=f"create user {json.dumps(account)}")
    except urllib.error.HTTPError as e:
        if "already exists" not in e.read().decode("utf-8", "replace"):
            raise EngineError(f"Could not create the read-only user ({e.code}).") from e
    except OSError as e:
        raise EngineError(f"Could not create the read-only user: {e}") from e


def post_command(
    server: str, settings: GraphSettings, *, admin: tuple[str, str], command: str
) -> None:
    """Send one command to the engine's HTTP server API at `server`, as `admin`.

    Raises:
        urllib.error.HTTPError: the engine refused it (the caller says what that means).
        OSError: the engine could not be reached.
    """
    token = base64.b64encode(f"{admin[0]}:{admin[1]}".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the engine's own loopback http URL
        server,
        data=json.dumps({"command": command}).encode(),
        method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=settings.start_timeout) as response:  # noqa: S310
        response.read()
