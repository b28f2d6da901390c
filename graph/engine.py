"""Start, stop and inspect the embedded ArcadeDB engine that serves Bolt on 127.0.0.1.

Nothing else in the project knows how the engine is launched. It runs as its own process so
that the API, the CLI and the tests all reach it the same way as a Neo4j server: over Bolt.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from neo4j import GraphDatabase
from neo4j import exceptions as neo

from graph.engine_access import create_user, write_groups
from graph.engine_schema import ensure_engine_indexes
from graph.errors import EngineError
from graph.queries import schema as schema_q
from graph.settings import GraphSettings

ROOT_USER = "root"
READER_USER = "researcher"
"""A user whose group may only read: what researchers' own Cypher runs as on this engine."""
LOOPBACK = "127.0.0.1"
_LOG_TAIL_LINES = 25
_START_MARK = "--- connects: engine starting"
"""Written to the log before each start, so that what the log says is read for this run only."""
_LOGGING = """handlers = java.util.logging.ConsoleHandler
.level = INFO
io.undertow.level = WARNING
org.xnio.level = WARNING
org.jboss.level = WARNING
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.ConsoleHandler.formatter = com.arcadedb.log.LogFormatter
"""


@dataclass(frozen=True)
class EngineFiles:
    """Where the engine keeps its state inside the data directory."""

    root: Path

    @property
    def server_root(self) -> Path:
        return self.root / "arcadedb"

    @property
    def password(self) -> Path:
        return self.root / "root-password"

    @property
    def reader_password(self) -> Path:
        return self.root / "researcher-password"

    @property
    def groups(self) -> Path:
        return self.server_root / "config" / "server-groups.json"

    @property
    def arguments(self) -> Path:
        return self.root / "engine.args"

    @property
    def logging(self) -> Path:
        return self.root / "logging.properties"

    @property
    def pid(self) -> Path:
        return self.root / "engine.pid"

    @property
    def log(self) -> Path:
        return self.root / "engine.log"


@dataclass(frozen=True)
class EngineStatus:
    """What `connects db status` reports."""

    running: bool
    pid: int | None
    bolt_uri: str
    data_dir: Path


def files_for(settings: GraphSettings) -> EngineFiles:
    return EngineFiles(settings.data_dir.resolve())


def bolt_uri(settings: GraphSettings) -> str:
    return f"bolt://{LOOPBACK}:{settings.bolt_port}"


def root_password(settings: GraphSettings) -> str:
    """The embedded engine's root password, generated on first use and kept with mode 0600."""
    return _secret(files_for(settings).password)


def reader_password(settings: GraphSettings) -> str:
    """The read-only researcher user's password, generated on first use (mode 0600)."""
    return _secret(files_for(settings).reader_password)


def _secret(path: Path) -> str:
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password)
    return password


def status(settings: GraphSettings) -> EngineStatus:
    pid = _running_pid(files_for(settings))
    return EngineStatus(pid is not None, pid, bolt_uri(settings), settings.data_dir.resolve())


def start(settings: GraphSettings) -> EngineStatus:
    """Start the engine unless it already runs, wait until Bolt answers a query, and make sure
    the engine's own schema (its full-text index) exists: a graph made before the index gets it
    here, built over what it holds.

    Raises:
        EngineError: the port is taken, the data directory is locked by another engine, or
            the engine exited or did not answer in time (the message carries the log's tail).
    """
    files = files_for(settings)
    if _running_pid(files) is not None:
        _wait_until_ready(settings, files, pid=None)
        _ensure_engine_schema(settings)
        return status(settings)
    for port, name in ((settings.bolt_port, "BOLT_PORT"), (settings.http_port, "HTTP_PORT")):
        if _port_taken(port):
            raise EngineError(
                f"Port {port} on {LOOPBACK} is already taken by another program. "
                f"Stop it, or choose another port with CONNECTS_{name}."
            )
    files.server_root.mkdir(parents=True, exist_ok=True)
    write_groups(files.groups, settings)
    _write_arguments(settings, files)
    fd = os.open(files.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as log:
        log.write(f"{_START_MARK} at {time.strftime('%Y-%m-%dT%H:%M:%S%z')} ---\n")
    pid = _spawn(files)
    files.pid.write_text(str(pid), encoding="utf-8")
    try:
        _wait_until_ready(settings, files, pid)
        _ensure_reader(settings, files)
        _ensure_engine_schema(settings)
    except EngineError:
        _terminate(pid, grace=5.0)
        files.pid.unlink(missing_ok=True)
        raise
    return status(settings)


def _ensure_reader(settings: GraphSettings, files: EngineFiles) -> None:
    """Create the read-only user once; its password file is kept only once the user exists."""
    if files.reader_password.exists():
        return
    try:
        create_user(
            f"http://{LOOPBACK}:{settings.http_port}/api/v1/server",
            settings,
            admin=(ROOT_USER, root_password(settings)),
            user=(READER_USER, reader_password(settings)),
            group="reader",
        )
    except EngineError:
        files.reader_password.unlink(missing_ok=True)
        raise


def _ensure_engine_schema(settings: GraphSettings) -> None:
    ensure_engine_indexes(
        f"http://{LOOPBACK}:{settings.http_port}", settings, (ROOT_USER, root_password(settings))
    )


def stop(settings: GraphSettings, *, grace: float = 30.0) -> bool:
    """Stop the engine cleanly (SIGTERM, then SIGKILL after `grace` seconds).

    Returns:
        True if an engine was running and has stopped, False if none was running.
    """
    files = files_for(settings)
    pid = _running_pid(files)
    if pid is None:
        files.pid.unlink(missing_ok=True)
        return False
    _terminate(pid, grace=grace)
    files.pid.unlink(missing_ok=True)
    return True


def restart(settings: GraphSettings, *, grace: float = 10.0) -> EngineStatus:
    """Stop the engine (killing it if it does not stop within `grace` s) and start it again.

    For an engine that runs but no longer answers: a frozen or out-of-memory process is
    killed, and the new one recovers the databases from their write-ahead logs.

    Raises:
        EngineError: the new engine did not start (the message carries the log's tail).
    """
    stop(settings, grace=grace)
    return start(settings)


def out_of_memory(settings: GraphSettings) -> bool:
    """Whether the running engine has reported running out of memory since it started."""
    path = files_for(settings).log
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return False
    return "OutOfMemoryError" in text.rpartition(_START_MARK)[2]


def log_tail(settings: GraphSettings, lines: int = _LOG_TAIL_LINES) -> str:
    path = files_for(settings).log
    if not path.exists():
        return "(the engine wrote no log)"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(text[-lines:])


def _package_dir() -> Path:
    spec = find_spec("arcadedb_embedded")
    if spec is None or spec.origin is None:
        raise EngineError(
            "The embedded graph engine is not installed: install it with "
            "`pip install 'connects-graph[embedded]'`, or set CONNECTS_URI to a Neo4j 5 server."
        )
    return Path(spec.origin).parent


def _java() -> Path:
    java = _package_dir() / "jre" / "bin" / "java"
    if not java.exists():
        raise EngineError(f"The bundled Java runtime is missing: {java}")
    return java


def _write_arguments(settings: GraphSettings, files: EngineFiles) -> None:
    # An argument file (mode 0600) keeps the root password out of the process list.
    jars = _package_dir() / "jars"
    timeout_ms = int(settings.query_timeout * 1000)
    options: dict[str, object] = {
        "arcadedb.server.rootPath": files.server_root,
        "arcadedb.server.databaseDirectory": files.server_root / "databases",
        "arcadedb.server.rootPassword": root_password(settings),
        "arcadedb.server.defaultDatabases": f"{settings.database}[{ROOT_USER}]",
        "arcadedb.server.plugins": "Bolt:com.arcadedb.bolt.BoltProtocolPlugin",
        "arcadedb.server.mode": "production",
        "arcadedb.server.httpIncomingHost": LOOPBACK,
        "arcadedb.server.httpIncomingPort": settings.http_port,
        "arcadedb.bolt.host": LOOPBACK,
        "arcadedb.bolt.port": settings.bolt_port,
        # Flush the WAL to disk on every commit: an acknowledged write survives a crash.
        "arcadedb.txWalFlush": 2,
        "arcadedb.command.timeout": timeout_ms,
        "arcadedb.serverMetrics": "false",
    }
    # Console logging only (captured in engine.log): the engine's default also writes
    # ./log/ in whatever directory it was started from.
    files.logging.write_text(_LOGGING, encoding="utf-8")
    options["java.util.logging.config.file"] = files.logging
    lines = [f"-Xmx{settings.engine_heap}", "-cp", _quote(f"{jars}/*")]
    lines += [_quote(f"-D{key}={value}") for key, value in options.items()]
    files.arguments.unlink(missing_ok=True)
    fd = os.open(files.arguments, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _spawn(files: EngineFiles) -> int:
    """Start the engine in its own session, detached from our terminal, logging to a file."""
    java = str(_java())
    argv = [java, f"@{files.arguments}", "com.arcadedb.server.ArcadeDBServer"]
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
    return os.posix_spawn(
        java,
        argv,
        dict(os.environ),
        file_actions=[
            (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, str(files.log), flags, 0o600),
            (os.POSIX_SPAWN_DUP2, 1, 2),
        ],
        setsid=True,
    )


def _quote(argument: str) -> str:
    escaped = argument.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _wait_until_ready(settings: GraphSettings, files: EngineFiles, pid: int | None) -> None:
    deadline = time.monotonic() + settings.start_timeout
    auth = (ROOT_USER, root_password(settings))
    while time.monotonic() < deadline:
        if pid is not None and (code := _exit_code(pid)) is not None:
            raise EngineError(_exit_message(settings, code))
        if _answers_query(settings, auth):
            return
        time.sleep(0.2)
    raise EngineError(
        f"The embedded engine did not answer on {bolt_uri(settings)} within "
        f"{settings.start_timeout:.0f} s. Last lines of {files.log}:\n{log_tail(settings)}"
    )


def _answers_query(settings: GraphSettings, auth: tuple[str, str]) -> bool:
    if not _port_taken(settings.bolt_port):
        return False
    try:
        with GraphDatabase.driver(
            bolt_uri(settings), auth=auth, connection_timeout=settings.connect_timeout
        ) as driver:
            driver.execute_query(schema_q.ENGINE_READY, database_=settings.database)
        return True
    except (neo.Neo4jError, neo.DriverError, OSError):
        return False


def _exit_message(settings: GraphSettings, code: int) -> str:
    tail = log_tail(settings)
    if "is locked by another process" in tail:
        return (
            f"The data directory {settings.data_dir.resolve()} is locked by another engine "
            "process. Stop it (connects db stop) or choose another CONNECTS_DATA_DIR."
        )
    return f"The embedded engine exited with code {code} while starting. Last log lines:\n{tail}"


def _exit_code(pid: int) -> int | None:
    """The child's exit code if it has exited (reaping it), else None."""
    try:
        waited, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status) if waited == pid else None


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


def _running_pid(files: EngineFiles) -> int | None:
    try:
        pid = int(files.pid.read_text(encoding="utf-8").strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_our_engine(pid) else None


def _is_our_engine(pid: int) -> bool:
    # A stale pid file may name a recycled pid: check the command line, not just existence.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"com.arcadedb.server.ArcadeDBServer" in cmdline


def _terminate(pid: int, *, grace: float) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        # Reap our own child if it has exited, so it does not linger as a zombie.
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").split()
    if len(state) >= 3 and state[2] == "Z":
        # A JVM's main thread is a zombie while its other threads are still dying (a frozen one
        # takes a while after SIGKILL), and until the last has gone its ports stay open.
        if _threads(pid) > 1:
            return True
        # It exited after the waitpid above: reap it now if it is ours.
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _threads(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return 0
