"""The baseline the loader is measured against: the raw driver writing the same graph.

What someone would write without the project: read the CSV with the csv module, map each row
straight to nodes and links (names looked up in a dict, no validation, no provenance, no
idempotency checks), and send the loader's own statements (`CREATE_NODES` and `MERGE_LINKS`
from `graph/queries/writes.py`: batched `UNWIND ... CREATE` for nodes into an empty graph,
which return each node's element id, and `UNWIND ... MERGE` for links between element ids,
kept in a dict from the start) in the same batches, committing every STUDIES_PER_TRANSACTION
case studies (the loader does so above STUDIES_IN_ONE_PASS; up to that it writes one
transaction, to roll back whole). Prints JSON.

    .venv/bin/python -m bench.raw_load /tmp/corpus-M/case-studies.csv
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from neo4j import AsyncTransaction

from api.settings import ApiSettings
from bench import peak
from graph.db import Db, open_db
from graph.model import Kind, Rel
from graph.queries import writes as writes_q
from graph.writes import BATCH_SIZE
from loaders.writing import STUDIES_PER_TRANSACTION

NAMES = """
MATCH (n:Entity)
WHERE n:Outcome OR n:PolicyTheme OR n:Region OR n:EvidenceType
OPTIONAL MATCH (n)-[:DEFAULT_LEVEL]->(level:EvidenceLevel)
RETURN n.name AS name, n.id AS id, level.id AS level, level.strength AS strength
"""

Rows = dict[Any, list[dict[str, Any]]]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


async def load(db: Db, path: Path) -> dict[str, float]:
    # The raw driver on purpose: this is the baseline the loader's own helpers are measured by.
    driver, database = db.driver, db.database
    records, _, _ = await driver.execute_query(NAMES, database_=database)
    ids = {r["name"]: r["id"] for r in records}
    levels = {r["id"]: (r["level"], r["strength"]) for r in records if r["level"]}
    existing, _, _ = await driver.execute_query(
        "MATCH (n:Entity) RETURN n.id AS id, elementId(n) AS element", database_=database
    )
    # Every node's element id by id: the bundled data's, then each one created.
    elements: dict[str, str] = {r["id"]: r["element"] for r in existing}
    seen = set(elements)  # places and organisations the bundled data has already
    nodes = links = 0
    started = time.perf_counter()
    async with driver.session(database=database) as session:
        tx = await session.begin_transaction()
        for number, chunk in enumerate(_chunks(path, STUDIES_PER_TRANSACTION // 10)):
            node_rows: Rows = defaultdict(list)
            link_rows: Rows = defaultdict(list)
            for row in chunk:
                map_row(row, ids, levels, seen, node_rows, link_rows)
            nodes += await _send_nodes(tx, node_rows, elements)
            links += await _send_links(tx, link_rows, elements)
            if (number + 1) % 10 == 0:
                await tx.commit()
                tx = await session.begin_transaction()
        await tx.commit()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "nodes": nodes,
        "links": links,
        "peak_rss_mb": peak.own_peak_mb(),
    }


def _chunks(path: Path, size: int) -> Iterator[list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        chunk: list[dict[str, str]] = []
        for row in csv.DictReader(f):
            chunk.append(row)
            if len(chunk) == size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def map_row(
    row: dict[str, str],
    ids: dict[str, str],
    levels: dict[str, tuple[str, int]],
    seen: set[str],
    nodes: Rows,
    links: Rows,
) -> None:
    cs, source = row["id"], "case-studies.csv"

    def node(kind: Kind, props: dict[str, Any]) -> bool:
        if props["id"] in seen:
            return False
        seen.add(props["id"])
        nodes[kind].append({"props": {k: v for k, v in props.items() if v}})
        return True

    def link(rel: Rel, a: str, b: str) -> None:
        links[rel].append({"from_id": a, "to_id": b, "source": source})

    org, place = slug(row["organisation"]), f"locality-{slug(row['place'])}"
    node(
        Kind.ORGANISATION,
        {
            "id": org,
            "name": row["organisation"],
            "source": source,
            "organisation_type": row["organisation_type"],
        },
    )
    if node(Kind.PLACE, {"id": place, "name": row["place"], "source": source}):
        link(Rel.IN_REGION, place, ids[row["region"]])
    node(
        Kind.CASE_STUDY,
        {
            "id": cs,
            "name": row["title"],
            "description": row["summary"],
            "source": row["source_url"],
            "source_file": source,
            "source_urls": [row["source_url"]],
            "reported_results": [row["reported_result"]] if row["reported_result"] else [],
            "place_ids": [place],
            "region_ids": [ids[row["region"]]],
            "year_start": int(row["year"]),
            "year_end": int(row["year_end"] or row["year"]),
        },
    )
    link(Rel.LED_BY, cs, org)
    link(Rel.LOCATED_IN, cs, place)
    for partner in filter(None, row["partners"].split(";")):
        node(Kind.ORGANISATION, {"id": slug(partner), "name": partner, "source": source})
        link(Rel.WITH_PARTNER, cs, slug(partner))
    for theme in filter(None, row["themes"].split(";")):
        link(Rel.ADDRESSES, cs, ids[theme])
    type_id = row["evidence_type"].replace("_", "-")
    level, strength = levels[type_id]
    for outcome in filter(None, row["outcomes"].split(";")):
        claim = f"claim-{cs}-{ids[outcome]}"
        node(
            Kind.EVIDENCE_CLAIM,
            {
                "id": claim,
                "name": f"{row['title']}: {outcome}",
                "source": row["source_url"],
                "description": row["evidence_note"] or f"Evidence for {outcome}.",
                "strength": strength,
                "level": level,
                "evidence_type": type_id,
                "direction": row["direction"],
            },
        )
        link(Rel.HAS_CLAIM, cs, claim)
        link(Rel.FOR_OUTCOME, claim, ids[outcome])
        link(Rel.AT_LEVEL, claim, level)
        link(Rel.OF_TYPE, claim, type_id)


async def _send_nodes(tx: AsyncTransaction, rows: Rows, elements: dict[str, str]) -> int:
    sent = 0
    for kind, items in rows.items():
        for start in range(0, len(items), BATCH_SIZE):
            batch = items[start : start + BATCH_SIZE]
            result = await tx.run(writes_q.CREATE_NODES[kind], rows=batch)
            record = await result.single(strict=True)
            elements.update((node_id, element) for node_id, element in record["elements"])
            sent += len(batch)
    return sent


async def _send_links(tx: AsyncTransaction, rows: Rows, elements: dict[str, str]) -> int:
    sent = 0
    for rel, items in rows.items():
        for start in range(0, len(items), BATCH_SIZE):
            batch = [
                {
                    "from_element": elements[row["from_id"]],
                    "to_element": elements[row["to_id"]],
                    "source": row["source"],
                }
                for row in items[start : start + BATCH_SIZE]
            ]
            await (await tx.run(writes_q.MERGE_LINKS[rel], rows=batch, load="raw")).consume()
            sent += len(batch)
    return sent


def main() -> None:
    settings = ApiSettings()
    path = Path(sys.argv[1])

    async def run() -> dict[str, float]:
        async with open_db(settings) as db:
            return await load(db, path)

    print(json.dumps(asyncio.run(run())))  # noqa: T201


if __name__ == "__main__":
    main()
