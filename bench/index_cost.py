"""What index maintenance costs a load: the same corpus loaded with and without each index.

Not part of `make bench`; run it to isolate why loads got slower. Each variant gets a fresh
engine in its own folder (the bundled data loaded first, as the suite does), then the raw
driver's load and the loader's, each timed as in bench/raw_load.py and bench/loader_load.py.
Variants alternate within each run, so a noisy machine slows all of them alike:

- `all`: every index, as the product has them;
- `no-full-text`: without the full-text index on names and descriptions (graph/engine_schema.py);
- `no-kind-id`: without the per-kind id indexes (graph/queries/schema.py KIND_ID_INDEXES);
- `none`: without either (the unique id constraints stay: links are merged by id);
- `full-text-after`: without the full-text index during the loads, built once afterwards (its
  build time is reported on its own);
- `no-versions`: every index, but no :Version kept (graph/versions.py copy-on-write): what
  keeping history costs a load, since the raw baseline keeps none.

Each load's wall-clock seconds, and the engine's CPU seconds over it (`*_engine_cpu`): on a
shared machine the CPU figure is the one to compare.

    .venv/bin/python -m bench.index_cost CORPUS.csv --runs 3 --ports 17731,18731 --work DIR
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.settings import ApiSettings
from bench import peak, raw_load
from graph import engine, engine_schema, versions
from graph.db import open_db
from graph.queries import schema as schema_q
from loaders.pipeline import load_paths

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = ("all", "no-full-text", "no-kind-id", "none", "full-text-after", "no-versions")
_FULL_TEXT, _KIND_ID = engine_schema.FULL_TEXT_DDL, schema_q.KIND_ID_INDEXES
_VERSION_WRITES = {name: getattr(versions, name) for name in ("keep", "removed")}


async def _nothing(*_: Any, **__: Any) -> None:
    return None


def _versions(variant: str) -> None:
    """Leave out the writing (and reading back) of versions, for this measurement only."""
    for name, write in _VERSION_WRITES.items():
        setattr(versions, name, _nothing if variant == "no-versions" else write)


def _indexes(variant: str) -> None:
    """Leave out the variant's indexes from what the engine start and `open_db` create."""
    full_text = variant in ("all", "no-kind-id", "no-versions")
    # Final in the product; replaced here on purpose, for this measurement only.
    engine_schema.FULL_TEXT_DDL = _FULL_TEXT if full_text else ()  # type: ignore[misc,assignment]
    schema_q.KIND_ID_INDEXES = _KIND_ID if variant in ("all", "no-full-text", "no-versions") else ()


async def _timed(settings: ApiSettings, load: Callable[..., Any], path: Path) -> float:
    async with open_db(settings) as db:
        started = time.perf_counter()
        await load(db, path)
        return time.perf_counter() - started


def run_variant(
    variant: str, corpus: Path, settings: ApiSettings, modes: list[str]
) -> dict[str, float]:
    """Raw driver and loader, each into a fresh engine without the variant's indexes."""
    out: dict[str, float] = {}
    loads = {"raw": raw_load.load, "loader": _loader}
    for mode in modes:
        load = loads[mode]
        folder = Path(tempfile.mkdtemp(prefix=f"index-cost-{variant}-", dir=settings.data_dir))
        here = settings.model_copy(update={"data_dir": folder})
        _indexes(variant)
        _versions(variant)
        engine.start(here)
        try:
            asyncio.run(_timed(here, _loader, ROOT / "data"))
            pid = engine.status(here).pid or 0
            cpu = peak.process_cpu_seconds(pid)
            out[mode] = asyncio.run(_timed(here, load, corpus))
            # The engine's CPU for the load alone: what index upkeep costs, whoever else runs.
            out[f"{mode}_engine_cpu"] = peak.process_cpu_seconds(pid) - cpu
            if variant == "full-text-after":
                engine_schema.FULL_TEXT_DDL = _FULL_TEXT  # type: ignore[misc]
                started = time.perf_counter()
                engine.start(here)  # running already: only makes the missing index, and waits
                out[f"{mode}_build"] = time.perf_counter() - started
        finally:
            engine.stop(here)
            shutil.rmtree(folder, ignore_errors=True)
    return out


async def _loader(db: Any, path: Path) -> None:
    await load_paths(db, [path])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--modes", default="raw,loader", help="raw, loader or both")
    parser.add_argument("--ports", default="17731,18731", help="Bolt and HTTP port, a,b")
    parser.add_argument("--work", type=Path, required=True, help="a folder for the engines")
    args = parser.parse_args()
    bolt, http = (int(p) for p in args.ports.split(","))
    args.work.mkdir(parents=True, exist_ok=True)
    settings = ApiSettings(data_dir=args.work, bolt_port=bolt, http_port=http)
    variants = args.variants.split(",")
    seen: dict[str, list[dict[str, float]]] = {v: [] for v in variants}
    for run in range(args.runs):
        for variant in variants:
            seen[variant].append(run_variant(variant, args.corpus, settings, args.modes.split(",")))
            print(json.dumps({"run": run + 1, "variant": variant, **seen[variant][-1]}), flush=True)  # noqa: T201
    for variant, rows in seen.items():
        medians = {key: round(statistics.median(r[key] for r in rows), 2) for key in rows[0]}
        print(json.dumps({"median_of": len(rows), "variant": variant, **medians}))  # noqa: T201


if __name__ == "__main__":
    main()
