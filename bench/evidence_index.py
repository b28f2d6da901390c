"""The evidence routes at scale, over HTTP against `connects serve`, and the index's build.

Run against a graph already loaded (the bundled data plus a generated corpus), with the
engine started (`connects db start`) so this script's loads and the server share it:

    .venv/bin/python -m bench.evidence_index --runs 12 --corpus /tmp/corpus-L/case-studies.csv

Each kind of request is timed `runs` times, rotating over several values (outcomes, themes,
regions, evidence types, text), and its median reported. "first" is the first facet or gap-map
request after a load (the index is rebuilt); the load is one case study of the corpus written
again with another evidence type, alternately, so each is a real change. With
CONNECTS_EVIDENCE_INDEX_MAX_CLAIMS=0 the server answers from the Cypher statements alone.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import statistics
import tempfile
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

import httpx2

from api.settings import ApiSettings
from bench.queries import serving
from graph import changes
from graph.db import open_db
from graph.evidence_index import build
from loaders.pipeline import load_paths

OUTCOMES = ("Inclusion", "Data", "Services", "Value", "Connectivity", "Ethics")
THEMES = (
    "Service design and transformation",
    "Leadership, diversity and skills",
    "Regeneration, sustainability and connectivity",
)
REGIONS = ("Wales", "North West", "London", "Scotland")
TYPES = ("news-report", "independent-evaluation", "peer-reviewed", "internal-evaluation")
TERMS = ("council tax", "school", "front door", "sandford")


def requests() -> dict[str, list[str]]:
    def each(name: str, values: tuple[str, ...], path: str = "/evidence") -> list[str]:
        return [f"{path}?{urlencode({name: v})}" for v in values]

    return {
        "evidence: no filter": ["/evidence"],
        "evidence: outcome": each("outcome", OUTCOMES),
        "evidence: theme": each("theme", THEMES),
        "evidence: region": each("region", REGIONS),
        "evidence: evidence_type": each("evidence_type", TYPES),
        "evidence: q": each("q", TERMS),
        "evidence: year_from": each("year_from", ("2018", "2021", "2023")),
        "evidence: min_strength": each("min_strength", ("2", "3", "4")),
        "evidence: outcome+theme": [
            f"/evidence?{urlencode({'outcome': o, 'theme': t})}"
            for o, t in zip(OUTCOMES, THEMES * 2, strict=True)
        ],
        "what-works: outcome": each("outcome", OUTCOMES, "/what-works"),
        "facets (repeated)": [
            "/evidence/facets?outcome=Inclusion&group_by=region&group_by=evidence_type"
        ],
        "gap map (repeated)": ["/evidence/gap-map?rows=outcome&cols=theme"],
    }


FIRST = {
    "facets (first after a load)": (
        "/evidence/facets?outcome=Inclusion&group_by=region&group_by=evidence_type"
    ),
    "gap map (first after a load)": "/evidence/gap-map?rows=outcome&cols=theme",
}


def timed(http: httpx2.Client, path: str) -> float:
    started = time.perf_counter()
    response = http.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


async def change(settings: ApiSettings, corpus: Path, flip: int, scratch: Path) -> None:
    """Load one case study again with another evidence type: a real load, a new version."""
    with corpus.open(newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    row["evidence_type"] = ("news-report", "peer-reviewed")[flip % 2]
    path = scratch / "case-studies.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    async with open_db(settings) as db:
        await load_paths(db, [path], base_uri=settings.public_base_uri)


async def build_cost(settings: ApiSettings) -> dict[str, float]:
    async with open_db(settings) as db:
        version = (await changes.load_state(db)).version
        started = time.perf_counter()
        index = await build(db, version, max_claims=10_000_000)
        seconds = time.perf_counter() - started
        tracemalloc.start()
        index = await build(db, version, max_claims=10_000_000)
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "build s": seconds,
        "held MB": held / 1e6,
        "case studies": len(index.ids),
        "claims": index.claims,
    }


def report(name: str, samples: list[float]) -> None:
    print(  # noqa: T201 - a report
        f"{name:34} median {statistics.median(samples):9.1f} ms  "
        f"min {min(samples):9.1f}  max {max(samples):9.1f}  n={len(samples)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--first-runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=17712)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--scratch", type=Path, default=None, help="default: a temporary dir")
    parser.add_argument("--build", action="store_true", help="also time the index build")
    args = parser.parse_args()
    settings = ApiSettings()
    args.scratch = args.scratch or Path(tempfile.mkdtemp(prefix="bench-evidence-index-"))
    results: dict[str, list[float]] = {}
    with serving(settings, args.port) as base, httpx2.Client(base_url=base, timeout=600) as http:
        for name, paths in requests().items():
            for path in paths[:2]:  # warm: the index, connections, query plans
                http.get(path).raise_for_status()
            results[name] = [timed(http, paths[i % len(paths)]) for i in range(args.runs)]
            report(name, results[name])
        for name, path in FIRST.items():
            results[name] = []
            for flip in range(args.first_runs):
                asyncio.run(change(settings, args.corpus, flip, args.scratch))
                results[name].append(timed(http, path))
            report(name, results[name])
    if args.build:
        for key, value in asyncio.run(build_cost(settings)).items():
            print(f"{key:34} {value:.3f}")  # noqa: T201 - a report


if __name__ == "__main__":
    main()
