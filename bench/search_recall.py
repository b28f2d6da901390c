"""Recall@10 of each search mode over the labelled questions, and search latency, printing JSON.

bench/search_questions.yaml holds researchers' and officers' questions with the case studies a
person would expect, written before hybrid search was tuned. Each question is asked in each
mode (case studies only, as the labels are); recall@10 is the share of a question's expected
case studies among its first ten hits, averaged over the questions. Latency is the median
in-process time of `graph.hybrid.find` per question, the model already loaded.

    .venv/bin/python -m bench.search_recall   # the graph of CONNECTS_* settings, data loaded
    .venv/bin/python -m bench.search_recall --graph-only   # a large graph, already embedded
"""

from __future__ import annotations

import asyncio
import csv
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from api.settings import ApiSettings
from graph.db import Db, open_db
from graph.embedder import Embedder, default_embedder, model_file
from graph.hybrid import SearchMode, find
from graph.model import Kind

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = Path(__file__).with_name("search_questions.yaml")
TOP = 10


def questions() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(QUESTIONS.read_text())["questions"]
    return loaded


async def measure(db: Db) -> dict[str, Any]:
    """Recall@10 by mode (over every question and over the paraphrased ones) and latencies."""
    embedder = default_embedder()
    asked = questions()
    result: dict[str, Any] = {"questions": len(asked), "recall_at_10": {}, "latency_ms": {}}
    result["paraphrased"] = sum(1 for q in asked if q.get("paraphrase"))
    for mode in SearchMode:
        recalls, paraphrased, times = [], [], []
        for question in asked:
            started = time.perf_counter()
            hits = await find(
                db,
                question["q"],
                mode=mode,
                limit=TOP,
                kinds=frozenset({Kind.CASE_STUDY}),
                embedder=embedder,
            )
            times.append((time.perf_counter() - started) * 1000)
            expected = set(question["expect"])
            recall = len(expected & {h.node.id for h in hits}) / len(expected)
            recalls.append(recall)
            if question.get("paraphrase"):
                paraphrased.append(recall)
        result["recall_at_10"][mode.value] = {
            "all": round(statistics.fmean(recalls), 3),
            "paraphrased": round(statistics.fmean(paraphrased), 3),
        }
        result["latency_ms"][mode.value] = round(statistics.median(times), 1)
    return result


async def run(settings: ApiSettings) -> dict[str, Any]:
    async with open_db(settings) as db:
        return await measure(db)


def embedding_cost() -> dict[str, float]:
    """Milliseconds per text to embed the bundled case studies with an empty cache: what the
    load's embedding stage adds per node it embeds (bench/loader_load.py leaves it out, so
    the loader is compared with the raw driver on the same work)."""
    texts = [
        f"{row['title']}. {row['summary']}"
        for path in sorted((ROOT / "data" / "case-studies").glob("*.csv"))
        for row in csv.DictReader(path.open(encoding="utf-8"))
    ]
    fresh = Embedder(model_file())
    started = time.perf_counter()
    fresh.embed(texts)
    seconds = time.perf_counter() - started
    return {"texts": len(texts), "ms_per_text": round(seconds * 1000 / len(texts), 1)}


def main() -> None:
    """With `--graph-only`, the questions alone (for a large graph, where they are asked among
    every other case study); otherwise the embedding stage's cost too."""
    result = asyncio.run(run(ApiSettings()))
    if "--graph-only" not in sys.argv[1:]:
        result["embedding"] = embedding_cost()
    print(json.dumps(result))  # noqa: T201 - one line: bench/suite.py reads the last


if __name__ == "__main__":
    main()
