"""One SPARQL query in a child process of its own: killed at the deadline, bounded in memory,
and unable to open files or sockets.

pyoxigraph cannot cancel a query, and some queries (ORDER BY, aggregates, a large OFFSET, a
filter that rejects everything) produce nothing until they finish. In a thread such a query
would run on after its deadline; in a child it is killed. The child is forked, so it reads the
snapshot the server already holds (copy-on-write) instead of loading one.

The child may not open any new file descriptor, so nothing a query does can reach the network
or the disk: a SERVICE call that got past the check in ontology/sparql/guard.py fails in the
child.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import math
import os
import resource
import select
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ontology.sparql.errors import (
    EVALUATION_ERRORS,
    QueryFailed,
    QueryTimedOut,
    QueryTooLarge,
    SparqlError,
)
from ontology.sparql.evaluate import Triples, evaluate, serialize_results, serialize_triples
from ontology.sparql.graphs import Dataset
from ontology.sparql.guard import prepare
from ontology.sparql.limits import SparqlLimits
from ontology.sparql.media import Formats, wrong_family

_GRACE = 0.25
"""Seconds past the deadline the child has to report its own timeout before it is killed."""


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


def run_in_child(
    store: ox.Store, text: str, formats: Formats, limits: SparqlLimits, dataset: Dataset
) -> Answer:
    """Evaluate and serialise `text` in a forked child. Blocks: call it from a worker thread.

    Raises:
        SparqlError: refused, failed, too long, too many results or too much memory.
        NotAcceptable: the answer would be in a family of formats the client does not accept.
    """
    prepare()
    deadline = time.monotonic() + limits.seconds
    size = _virtual_bytes()  # the child's size at the fork: what it may grow from
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(store, text, dataset, formats, limits, deadline, size, write_end)
    os.close(write_end)
    try:
        data = _read_all(read_end, deadline + _GRACE)
    finally:
        os.close(read_end)
    if data is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise QueryTimedOut(limits.seconds)
    _, status = os.waitpid(pid, 0)
    if not data:
        # Killed before it could answer: the memory limit (allocation failed and the engine
        # aborted) or the CPU limit; either way the query asked for more than it may have.
        raise QueryTooLarge(limits.memory_bytes) if os.WIFSIGNALED(status) else QueryFailed()
    return decode(data)


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything the child writes, or None if it is still writing at the deadline."""
    chunks: list[bytes] = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def decode(data: bytes) -> Answer:
    """The child's report: its answer, or the error it met (raised here)."""
    head, _, body = data.partition(b"\n")
    try:
        message = json.loads(head)
    except ValueError:
        raise QueryFailed() from None  # cut off mid-write (a resource limit): no answer
    if "media_type" in message:
        if len(body) != message["length"]:
            raise QueryFailed()
        return Answer(message["media_type"], body)
    if "family" in message:
        raise wrong_family(message["family"])
    error = EVALUATION_ERRORS.get(message["error"], QueryFailed)
    # Rebuilt without its __init__: the child already wrote the message the client will read.
    exception = error.__new__(error)
    exception.args = (message["message"],)
    raise exception


def _child(
    store: ox.Store,
    text: str,
    dataset: Dataset,
    formats: Formats,
    limits: SparqlLimits,
    deadline: float,
    size: int | None,
    out: int,
) -> None:
    head: dict[str, str | int] = {}
    body = b""
    try:
        _confine(limits, size)
        outcome = evaluate(store, text, limits, deadline, dataset)
        if isinstance(outcome, Triples):
            if formats.rdf is None:
                head = {"family": "rdf"}
            else:
                head = {"media_type": formats.rdf.media_type}
                body = serialize_triples(outcome, formats.rdf)
        elif formats.results is None:
            head = {"family": "results"}
        else:
            head = {"media_type": formats.results[0]}
            body = serialize_results(outcome, formats.results[1])
    except SparqlError as e:
        head = {"error": type(e).__name__, "message": str(e)}
    except MemoryError:
        head = {"error": QueryTooLarge.__name__, "message": str(QueryTooLarge(limits.memory_bytes))}
    except BaseException:  # noqa: BLE001 - the child reports everything, then exits
        head = {"error": QueryFailed.__name__, "message": str(QueryFailed())}
    finally:
        with contextlib.suppress(BaseException):
            if "media_type" in head:
                head["length"] = len(body)  # so that a cut-off answer is never taken as whole
            _write_all(out, json.dumps(head).encode() + b"\n" + body)
        os._exit(0)


def _confine(limits: SparqlLimits, size: int | None) -> None:
    # Signals meant for the server (Ctrl-C, a stop) end the child at once, not the server's way.
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    faulthandler.disable()  # an aborted child (out of memory) is reported by its parent
    # No new descriptors: every number from the lowest free one up is over the limit.
    lowest = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, lowest))
    # Memory: what the server had at the fork, plus the query's allowance.
    if size is not None:
        resource.setrlimit(resource.RLIMIT_AS, (size + limits.memory_bytes,) * 2)
    # Should the server die first, the child still stops: it may not use the CPU for long.
    cpu = math.ceil(limits.seconds) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def _virtual_bytes() -> int | None:
    """This process's virtual memory size (Linux); None where /proc does not say."""
    try:
        pages = Path("/proc/self/statm").read_text(encoding="ascii").split()[0]
    except OSError:
        return None
    return int(pages) * resource.getpagesize()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
