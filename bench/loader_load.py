"""One run of the project's loader, timed in-process like bench/raw_load.py, printing JSON.

A load of more than 10,000 case studies is checked whole before anything is written
(loaders/writing.py): `check_s` is how long that took, within `seconds`.

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
    checked: list[float] = []

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "check" and done == total:
            checked.append(time.perf_counter())

    async with open_db(settings) as db:
        started = time.perf_counter()
        # Without the embedding stage: the raw driver (bench/raw_load.py) computes none, and
        # bench/search_recall.py measures what the stage costs per node, apart.
        report = await load_paths(db, [path], embed=False, progress=progress)
        seconds = time.perf_counter() - started
    counts = report.counts
    result = {
        "seconds": seconds,
        "nodes": counts.nodes_created + counts.nodes_updated,
        "links": counts.links_created + counts.links_updated,
        "peak_rss_mb": peak.own_peak_mb(),
    }
    if checked:  # a load large enough to be checked whole before its first write
        result["check_s"] = checked[-1] - started
    return result


def main() -> None:
    print(json.dumps(asyncio.run(load(ApiSettings(), Path(sys.argv[1])))))  # noqa: T201


if __name__ == "__main__":
    main()
