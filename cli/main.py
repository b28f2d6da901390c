"""`connects`: run the embedded engine, load data, serve the API, export RDF."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from graph import engine
from graph.db import Db, open_db
from graph.dialect import Dialect
from graph.driver import connect, open_driver
from graph.embedder import default_embedder
from graph.errors import GraphError, NotFound
from graph.filters import InvalidFilter, RawFilter, resolve
from graph.keys import Scope
from graph.liveness import State, probe
from graph.queries.evidence import Dimension
from graph.semantic import EmbedCounts, embed_pending
from graph.settings import GraphSettings
from loaders.pipeline import load_paths
from loaders.report import LoadFailed
from ontology.formats import FormatName

app = typer.Typer(
    help="Connects Graph: the Socitm Connects strategy as a knowledge graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Run the embedded graph engine (ArcadeDB over Bolt on 127.0.0.1).")
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys for writes: created, listed and revoked by staff.")
app.add_typer(keys_app, name="keys")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
T = TypeVar("T")
S = TypeVar("S", bound=GraphSettings)
WORKER_HEALTHCHECK_SECONDS = 60
"""How long `serve --workers N` waits for a worker's health-check answer before restarting it."""


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}", highlight=False)
    return typer.Exit(code)


def _settings() -> GraphSettings:
    return _settings_of(GraphSettings)


def _settings_of(kind: type[S]) -> S:
    try:
        return kind()
    except ValidationError as e:
        problems = "; ".join(
            f"CONNECTS_{'_'.join(map(str, err['loc'])).upper()}: {err['msg']}" for err in e.errors()
        )
        raise _fail(f"Invalid settings: {problems}") from e


def _ensure_engine(settings: GraphSettings) -> bool:
    """Start the embedded engine unless it runs; True if this call started it."""
    if settings.embedded and not engine.status(settings).running:
        with err.status("Starting the embedded graph engine..."):
            engine.start(settings)
        return True
    return False


def _with_graph(settings: GraphSettings, work: Callable[[Db], Awaitable[T]]) -> T:
    async def run() -> T:
        async with open_db(settings) as db:
            return await work(db)

    try:
        _ensure_engine(settings)
        return asyncio.run(run())
    except GraphError as e:
        raise _fail(str(e)) from e


@db_app.command("start")
def db_start() -> None:
    """Start the embedded engine (no-op if it already runs) and wait until it answers.

    A graph made before the full-text search index gets it now: minutes at 100,000 case studies.
    """
    settings = _settings()
    try:
        status = engine.start(settings)
    except GraphError as e:
        raise _fail(str(e)) from e
    out.print(f"Engine running (pid {status.pid}) at {status.bolt_uri}, data in {status.data_dir}")


def _server_status(settings: GraphSettings) -> None:
    async def check() -> Dialect:
        driver = open_driver(settings)
        try:
            return await connect(driver, settings)
        finally:
            await driver.close()

    try:
        dialect = asyncio.run(check())
    except GraphError as e:  # says which: unreachable, credentials refused, too old
        out.print(f"not usable at {settings.uri}: {e}", highlight=False)
        raise typer.Exit(3) from e
    database = settings.database or "the user's home database"
    out.print(f"reachable ({dialect.engine}) at {settings.uri}, database {database}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded engine cleanly."""
    stopped = engine.stop(_settings())
    out.print("Engine stopped." if stopped else "Engine was not running.")


@db_app.command("restart")
def db_restart() -> None:
    """Stop the embedded engine (killing it if it is frozen) and start it again."""
    settings = _settings()
    try:
        status = engine.restart(settings)
    except GraphError as e:
        raise _fail(str(e)) from e
    out.print(f"Engine running (pid {status.pid}) at {status.bolt_uri}, data in {status.data_dir}")


@db_app.command("status")
def db_status() -> None:
    """Say whether the graph engine runs and answers a query (within CONNECTS_CONNECT_TIMEOUT).

    Exit code 0 if it answers, 3 if it is stopped, 4 if it runs but does not answer (frozen or
    out of memory: `connects db restart`). With CONNECTS_URI: whether the server answers and
    takes our credentials; 0 if it does, 3 if not."""
    settings = _settings()
    if not settings.embedded:
        _server_status(settings)
        return
    found = asyncio.run(probe(settings))
    where = engine.bolt_uri(settings) if settings.embedded else settings.uri
    data = f", data in {settings.data_dir.resolve()}" if settings.embedded else ""
    pid = f" (pid {found.pid})" if found.pid is not None else ""
    if found.state is State.STOPPED:
        out.print(f"stopped (data in {settings.data_dir.resolve()})")
        raise typer.Exit(3)
    if found.answering:
        out.print(f"running{pid} at {where}, answering{data}")
        return
    out.print(f"{found.state}{pid} at {where}{data}", highlight=False)
    advice = " Restart it with `connects db restart`." if settings.embedded else ""
    err.print(found.message + advice, highlight=False, markup=False)
    raise typer.Exit(4)


@app.command()
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(help="YAML/JSON/CSV/RDF files, or directories searched recursively."),
    ],
    contributor: Annotated[
        str | None,
        typer.Option(help="Attribute everything loaded to this organisation (its id)."),
    ] = None,
    embed: Annotated[
        bool,
        typer.Option(
            help="Compute the sentence embeddings search by meaning needs for every node "
            "without one, not only this load's. With --no-embed the next load, or "
            "`connects embed`, does it.",
        ),
    ] = True,
) -> None:
    """Validate data files and load them into the graph; nothing is written if any is wrong.

    RDF (.ttl, .nt, .jsonld, .rdf) is checked against ontology/shapes.ttl first."""
    settings = _settings()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"{stage:>5}", total=total)
            bar.update(tasks[stage], completed=done, total=total)

        async def work(db: Db) -> None:
            report = await load_paths(
                db,
                paths,
                base_uri=settings.public_base_uri,
                contributor=contributor,
                progress=progress,
                embed=embed,
            )
            bar.stop()
            c = report.counts
            out.print(
                f"Loaded {len(report.files)} file(s) as "
                f"{report.load_id or 'no new load (nothing changed)'}: nodes "
                f"{c.nodes_created} created, {c.nodes_updated} updated, "
                f"{c.nodes_unchanged} unchanged; links {c.links_created} created, "
                f"{c.links_updated} updated, {c.links_unchanged} unchanged."
            )
            for kind, k in sorted(c.by_kind.items()):
                out.print(
                    f"  {kind}: {k.created} created, {k.updated} updated, {k.unchanged} unchanged",
                    highlight=False,
                )
            out.print(f"Embedded {report.embedded} node(s) for search by meaning.")

        try:
            _with_graph(settings, work)
        except LoadFailed as e:
            _stopped(bar, tasks)
            for issue in e.report.issues:
                err.print(str(issue), highlight=False, markup=False)
            raise _fail(str(e), code=2) from e
        except typer.Exit:  # the graph failed; the error is printed already
            _stopped(bar, tasks)
            raise


def _stopped(bar: Progress, tasks: dict[str, TaskID]) -> None:
    """Mark the stage a failed load stopped in: its bar may be full (every row was checked
    before the problems were counted), which must not read as done."""
    if tasks:
        stage, task = list(tasks.items())[-1]
        bar.update(task, description=f"{stage:>5} [bold red]stopped[/]")
    bar.stop()


@app.command()
def embed() -> None:
    """Give every case study, intervention, outcome and resource that lacks one its sentence
    embedding (search by meaning); for a graph loaded before embeddings, or after a load whose
    last stage failed. Nodes that have theirs are left as they are."""
    settings = _settings()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        task = bar.add_task("embed", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def work(db: Db) -> EmbedCounts:
            embedder = await asyncio.to_thread(default_embedder)
            return await embed_pending(db, embedder, progress)

        counts = _with_graph(settings, work)
    out.print(
        f"Embedded {counts.written} of {counts.due} node(s) due "
        f"({counts.computed} computed, the rest from texts seen before)."
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
    data: Annotated[
        list[Path] | None,
        typer.Option("--load", help="Load these files or directories before serving."),
    ] = None,
) -> None:
    """Serve the API (starting the embedded engine first when no CONNECTS_URI is set).

    Believes X-Forwarded-For only from CONNECTS_TRUSTED_PROXIES (none by default). On exit
    (Ctrl-C, SIGTERM) an engine this command started is stopped; one that was already running
    (`connects db start`) is left running, and the command says so."""
    import uvicorn

    from api.hardening import server_options
    from api.logs import LOGGING_CONFIG
    from api.settings import ApiSettings

    settings = _settings_of(ApiSettings)
    try:
        started = _ensure_engine(settings)
    except GraphError as e:
        raise _fail(str(e)) from e
    # SIGTERM's default ends the process at once; as an exception, the engine is seen to.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        if data:
            load(data)
        err.print(
            f"Explorer at http://{host}:{port}/explore; API docs at http://{host}:{port}/docs"
        )
        uvicorn.run(
            "api.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=LOGGING_CONFIG,
            # Forwarded-for headers only from CONNECTS_TRUSTED_PROXIES (uvicorn trusts loopback's).
            **server_options(settings),
            # A new worker answers the supervisor's health check only once it has imported the
            # app; on a busy machine that takes more than uvicorn's 5 s, and the supervisor then
            # kills and respawns every worker, endlessly (seen with --workers 2 at load 20+).
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        )
    except KeyboardInterrupt:
        pass  # uvicorn has shut down; what is left is the engine
    finally:
        _leave_engine(settings, started=started)


@app.command("mcp")
def mcp_command() -> None:
    """Answer an AI assistant over the Model Context Protocol (stdio); read-only.

    For assistants that start their tools themselves (Claude Desktop, IDEs);
    docs/mcp.md has their configuration, and /mcp serves the same over HTTP.
    The tools are the API's own answers (what works, evidence, the gap map,
    search, nodes, paths, SPARQL) within the same CONNECTS_* limits.

    Connects to the graph as `serve` does: the embedded engine is started first
    when no CONNECTS_URI is set, and stopped on exit if this command started it
    (for several assistants at once, run `connects db start` first).
    Stdout carries the protocol; everything else is written to stderr."""
    from api.mcp import stdio
    from api.settings import ApiSettings

    settings = _settings_of(ApiSettings)
    try:
        started = _ensure_engine(settings)
    except GraphError as e:
        raise _fail(str(e)) from e
    signal.signal(signal.SIGTERM, _terminated)
    try:
        asyncio.run(stdio.serve(settings))
    except KeyboardInterrupt:
        pass  # the assistant went away; what is left is the engine
    finally:
        _leave_engine(settings, started=started)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _leave_engine(settings: GraphSettings, *, started: bool) -> None:
    if not settings.embedded:
        return
    if started:
        engine.stop(settings)
        err.print("Stopped the graph engine this command started.")
        return
    status = engine.status(settings)
    if status.running:
        err.print(
            f"The graph engine is still running (pid {status.pid}); stop it with `make stop` "
            "(connects db stop).",
            highlight=False,
            markup=False,
        )


@app.command()
def export(
    format: Annotated[
        FormatName,
        typer.Option("--format", "-f", case_sensitive=False, help="The RDF format, or its suffix."),
    ] = FormatName.TURTLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Write the whole graph as RDF."""
    from ontology.export import export_graph
    from ontology.formats import DUMP_FORMATS, dump_by_name

    settings = _settings()
    rdf_format = dump_by_name(format)
    if rdf_format is None:
        names = ", ".join(f.name for f in DUMP_FORMATS)
        raise _fail(f"Unknown format {format!r}; choose one of {names}.")

    try:
        target = output.open("wb") if output else sys.stdout.buffer
    except OSError as e:
        raise _fail(f"Cannot write {output}: {e.strerror}.") from e

    async def work(db: Db) -> None:
        try:
            async for chunk in export_graph(db, rdf_format, base_uri=settings.public_base_uri):
                target.write(chunk)
        finally:
            if output:
                target.close()

    _with_graph(settings, work)


def _filter(
    outcome: list[str] | None,
    theme: list[str] | None,
    organisation: list[str] | None,
    region: list[str] | None,
    evidence_type: list[str] | None,
    direction: list[str] | None,
    min_strength: int,
    years: tuple[int | None, int | None],
    text: str | None,
) -> RawFilter:
    try:
        return RawFilter.model_validate(
            {
                "outcome": outcome or [],
                "theme": theme or [],
                "organisation": organisation or [],
                "region": region or [],
                "evidence_type": evidence_type or [],
                "direction": direction or [],
                "min_strength": min_strength,
                "year_from": years[0],
                "year_to": years[1],
                "q": text,
            }
        )
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        raise _fail(problems, code=2) from e


@app.command("what-works")
def what_works(
    outcome: Annotated[
        list[str] | None, typer.Option("--outcome", "-o", help="Outcome name or id (repeatable).")
    ] = None,
    theme: Annotated[list[str] | None, typer.Option(help="Policy theme (repeatable).")] = None,
    organisation: Annotated[
        list[str] | None, typer.Option(help="Organisation (repeatable).")
    ] = None,
    region: Annotated[list[str] | None, typer.Option(help="Region (repeatable).")] = None,
    evidence_type: Annotated[
        list[str] | None, typer.Option(help="e.g. news-report (repeatable).")
    ] = None,
    direction: Annotated[
        list[str] | None,
        typer.Option(help="positive, mixed, negative, no_effect or not_stated (repeatable)."),
    ] = None,
    min_strength: Annotated[int, typer.Option(min=1, max=5, help="Minimum strength 1-5.")] = 1,
    year_from: Annotated[int | None, typer.Option("--from", help="From this year.")] = None,
    year_to: Annotated[int | None, typer.Option("--to", help="To this year.")] = None,
    text: Annotated[
        str | None, typer.Option("--text", "-q", help="Text in title or summary.")
    ] = None,
    case_studies: Annotated[
        bool, typer.Option("--case-studies", help="List case studies, not approaches.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=200)] = 20,
) -> None:
    """Approaches ranked by their evidence for outcomes: rating, the rule clause that gave it,
    studies, best strength, directions and what did not work (--case-studies: the studies)."""
    from cli import tables
    from graph import approaches, evidence

    raw = _filter(
        outcome,
        theme,
        organisation,
        region,
        evidence_type,
        direction,
        min_strength,
        (year_from, year_to),
        text,
    )

    async def work(db: Db) -> approaches.WhatWorks | evidence.EvidencePage:
        chosen = await resolve(db, raw)
        if case_studies:
            return await evidence.what_works(db, chosen, limit=limit, offset=0)
        return await approaches.what_works(db, chosen, limit=limit, offset=0)

    page = _run_filtered(work)
    if isinstance(page, evidence.EvidencePage):
        out.print(tables.case_studies_table(page))
        out.print(f"{len(page.items)} of {page.total} case studies.")
        return
    out.print(tables.approaches_table(page))
    out.print(f"{len(page.items)} of {page.total} approaches. {page.rule}", highlight=False)


@app.command("interventions")
def interventions_command(
    outcome: Annotated[
        list[str] | None, typer.Option("--outcome", "-o", help="Outcome name or id (repeatable).")
    ] = None,
    min_strength: Annotated[int, typer.Option(min=1, max=5, help="Minimum strength 1-5.")] = 1,
    sort: Annotated[str, typer.Option(help="family (then name) or rating.")] = "family",
) -> None:
    """Every approach with its family, its case studies and its rating."""
    from cli import tables
    from graph import approaches

    if sort not in ("family", "rating"):
        raise _fail("--sort must be family or rating.", 2)
    raw = _filter(outcome, None, None, None, None, None, min_strength, (None, None), None)

    async def work(db: Db) -> approaches.InterventionPage:
        chosen = await resolve(db, raw)
        order: Literal["family", "rating"] = "rating" if sort == "rating" else "family"
        return await approaches.interventions(
            db, chosen, sort=order, limit=approaches.MAX_INTERVENTIONS, offset=0
        )

    page = _run_filtered(work)
    out.print(tables.interventions_table(page))
    out.print(f"{page.total} approaches.")


def _run_filtered(work: Callable[[Db], Awaitable[T]]) -> T:
    try:
        return _with_graph(_settings(), work)
    except InvalidFilter as e:
        raise _fail(e.message, code=2) from e


@app.command("gap-map")
def gap_map_command(
    rows: Annotated[
        Dimension, typer.Option(help="The dimension of the rows (any but year).")
    ] = Dimension.INTERVENTION,
    cols: Annotated[
        Dimension, typer.Option(help="A different dimension for the columns (any but year).")
    ] = Dimension.OUTCOME,
    csv_output: Annotated[bool, typer.Option("--csv", help="Write CSV to stdout.")] = False,
) -> None:
    """The evidence-and-gap map: case studies per cell, empty cells shown as '.'."""
    from rich.table import Table

    from graph import evidence
    from graph.evidence_csv import gap_map_csv
    from graph.queries.evidence import GAP_MAP_DIMENSIONS

    allowed = [d.value for d in GAP_MAP_DIMENSIONS]
    if rows not in allowed or cols not in allowed or rows == cols:
        raise _fail(f"--rows and --cols must be two different ones of: {', '.join(allowed)}.", 2)
    settings = _settings()

    async def work(db: Db) -> evidence.GapMap:
        return await evidence.gap_map(
            db,
            evidence.EvidenceFilter(),
            rows,
            cols,
        )

    result = _with_graph(settings, work)
    if csv_output:
        sys.stdout.write(gap_map_csv(result))
        return
    table = Table("", *(b.name for b in result.col_values))
    counts: dict[tuple[object, object], int] = {
        (c.row, c.col): c.case_studies for c in result.cells
    }
    for row in result.row_values:
        cells = [str(counts[(row.key, col.key)] or ".") for col in result.col_values]
        table.add_row(row.name, *cells)
    out.print(table)


@keys_app.command("create")
def keys_create(
    organisation: Annotated[str, typer.Option(help="The id of the organisation it belongs to.")],
    scope: Annotated[Scope, typer.Option(help="What the key may do.")] = Scope.CONTRIBUTE,
    label: Annotated[str, typer.Option(help="What the key is for.")] = "",
) -> None:
    """Create a key. It is printed once: store it, it cannot be shown again."""
    from graph import keys, writes
    from graph.model import Kind

    settings = _settings()

    async def work(db: Db) -> str:
        known = await writes.existing_kinds(db, [organisation])
        if known.get(organisation) is not Kind.ORGANISATION:
            raise _fail(f"{organisation!r} is not an organisation in the graph.", 2)
        record, secret = await keys.create(
            db,
            organisation=organisation,
            scope=scope,
            label=label,
        )
        return f"{secret}\n(key {record.id}, {record.scope}, for {record.organisation})"

    out.print(_with_graph(settings, work), highlight=False)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    from graph import keys

    settings = _settings()

    async def work(db: Db) -> list[keys.ApiKey]:
        return await keys.all_keys(db)

    for key in _with_graph(settings, work):
        state = f"revoked {key.revoked_at}" if key.revoked_at else "active"
        out.print(f"{key.id}  {key.scope:<10}  {key.organisation:<30}  {state}  {key.label}")


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (from keys list).")],
) -> None:
    """Revoke a key: it stops working at once."""
    from graph import keys

    settings = _settings()

    async def work(db: Db) -> None:
        try:
            await keys.revoke(db, key_id)
        except NotFound as e:
            raise _fail(f"No key has the id {key_id!r} (see connects keys list).", 2) from e

    _with_graph(settings, work)
    out.print(f"Key {key_id} revoked.")


@app.command()
def release(
    keep: Annotated[
        int | None,
        typer.Option(
            "--keep",
            min=1,
            help="Then delete all but the newest KEEP releases (their URLs stop answering).",
        ),
    ] = None,
) -> None:
    """Write the latest load's release (dated dumps that never change, with checksums) into
    the data directory's releases/, served at /releases; one that exists is left as it is."""
    from ontology import releases

    settings = _settings()
    directory = releases.directory_in(settings.data_dir)

    async def work(db: Db) -> releases.Release:
        return await releases.write_release(db, directory, base_uri=settings.public_base_uri)

    made = _with_graph(settings, work)  # no load, or a load came meanwhile: says so, exits 1
    out.print(f"Release {made.id}: /releases/{made.id}.sha256 lists its files.")
    for name in releases.prune(directory, keep) if keep else []:
        out.print(f"Deleted release {name}.")


@app.command()
def backup(
    output: Annotated[Path, typer.Argument(help="The backup file (N-Triples).")],
) -> None:
    """Write the whole graph to a file, with a SHA-256 checksum beside it (FILE.sha256)."""
    from loaders.backup import backup as write_backup

    settings = _settings()

    async def work(db: Db) -> str:
        return await write_backup(db, output, base_uri=settings.public_base_uri)

    digest = _with_graph(settings, work)
    out.print(f"Backed up to {output} (sha256 {digest}).")


@app.command()
def restore(
    source: Annotated[Path, typer.Argument(help="A backup written by `connects backup`.")],
) -> None:
    """Rebuild an empty graph from a backup; the checksum is checked first."""
    from loaders.backup import BackupError
    from loaders.backup import restore as read_backup

    settings = _settings()

    async def work(db: Db) -> str:
        counts = await read_backup(db, source, base_uri=settings.public_base_uri)
        # Embeddings are derived, so backups leave them out: say how to have search by meaning.
        return (
            f"Restored {counts.nodes_created} nodes and {counts.links_created} links. "
            "Run `connects embed` for search by meaning and similar case studies."
        )

    try:
        out.print(_with_graph(settings, work))
    except BackupError as e:
        raise _fail(str(e), code=2) from e
