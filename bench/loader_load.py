"""One run of the project's loader, timed in-process like bench/raw_load.py, printing JSON.

.venv/bin/python -m bench.loader_load /tmp/corpus-M/case-studies.csv
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from api.settings import ApiSettings
from bench import peak
from graph.db import open_db
from loaders.pipeline import load_paths


async def load(settings: ApiSettings, path: Path) -> dict[str, float]:
    async with open_db(settings) as db:
        started = time.perf_counter()
        # Without the embedding stage: the raw driver (bench/raw_load.py) computes none, and
        # bench/search_recall.py measures what the stage costs per node, apart.
        report = await load_paths(db, [path], embed=False)
        seconds = time.perf_counter() - started
    counts = report.counts
    return {
        "seconds": seconds,
        "nodes": counts.nodes_created + counts.nodes_updated,
        "links": counts.links_created + counts.links_updated,
        "peak_rss_mb": peak.own_peak_mb(),
    }


def main() -> None:
    print(json.dumps(asyncio.run(load(ApiSettings(), Path(sys.argv[1])))))  # noqa: T201


if __name__ == "__main__":
    main()
