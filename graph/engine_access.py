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

from graph import engine
from graph.errors import EngineError
from graph.settings import GraphSettings


def write_groups(path: Path, settings: GraphSettings) -> None:
    """Server groups: the engine's own admin and default groups, and a read-only one."""
    groups: dict[str, Any] = {"databases": {"*": {"groups": {}}}, "version": 2}
    if path.exists():
        groups = json.loads(path.read_text(encoding="utf-8"))
    defined = groups["databases"]["*"]["groups"]
    defined.setdefault("admin", {
        "resultSetLimit": -1, "readTimeout": -1,
        "access": ["updateSecurity", "updateSchema", "updateDatabaseSettings"],
        "types": {"*": {"access": ["createRecord", "readRecord", "updateRecord", "deleteRecord"]}},
    })  # fmt: skip
    defined.setdefault("*", {"resultSetLimit": -1, "readTimeout": -1, "access": [],
                             "types": {"*": {"access": []}}})  # fmt: skip
    defined["reader"] = {
        "resultSetLimit": -1,
        "readTimeout": int(settings.query_timeout * 1000),
        "access": [],
        "types": {"*": {"access": ["readRecord"]}},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(groups, indent=2), encoding="utf-8")


def ensure_reader(settings: GraphSettings) -> None:
    """Create the read-only user once (over the engine's HTTP API on loopback)."""
    if engine.files_for(settings).reader_password.exists():
        return
    user = {"name": engine.READER_USER, "password": engine.reader_password(settings),
            "databases": {settings.database: "reader"}}  # fmt: skip
    body = json.dumps({"command": f"create user {json.dumps(user)}"}).encode()
    token = base64.b64encode(
        f"{engine.ROOT_USER}:{engine.root_password(settings)}".encode()
    ).decode()
    request = urllib.request.Request(  # noqa: S310 - a fixed loopback http URL
        f"http://{engine.LOOPBACK}:{settings.http_port}/api/v1/server", data=body, method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=settings.start_timeout) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as e:
        if "already exists" not in e.read().decode("utf-8", "replace"):
            engine.files_for(settings).reader_password.unlink(missing_ok=True)
            raise EngineError(f"Could not create the read-only user ({e.code}).") from e
    except OSError as e:
        engine.files_for(settings).reader_password.unlink(missing_ok=True)
        raise EngineError(f"Could not create the read-only user: {e}") from e
