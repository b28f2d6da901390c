"""Checks across records: ids defined once, and every link joining kinds it may join."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from graph.model import ENDPOINTS, Kind, allowed
from loaders.items import Item
from loaders.parsing import Where
from loaders.report import LoadReport


class FirstSeen(NamedTuple):
    """Where an id was first defined: enough to report a duplicate, without keeping the node.

    A tuple of plain values, which Python's cyclic collector stops tracking: a large load keeps
    one per node, and rescanning hundreds of thousands of tracked objects as they grew took a
    third of the time of a 100k case-study load.
    """

    file: str
    line: int | None
    shared: bool


def with_article(word: str) -> str:
    """`word` after "a" or "an", as an English sentence would have it: "an Outcome"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def check(
    items: Iterable[Item],
    known: dict[str, Kind],
    seen: dict[str, FirstSeen],
    report: LoadReport,
) -> None:
    """Report ids defined twice (`seen` holds every id defined so far, and is updated) and
    links whose target is unknown or of a kind the relationship cannot join (`known` holds the
    kind of every id defined so far and of the link targets already in the graph)."""
    for item in items:
        node = item.node
        other = seen.get(node.id)
        if other is not None and not (item.shared and other.shared):
            at = f"{other.file}:{other.line}"
            report.issues.append(
                item.where.issue(
                    f"{item.field_prefix}.id" if item.framework else "id",
                    f"Duplicate id {node.id!r}: also defined at {at}.",
                )
            )
        if other is None:
            seen[node.id] = FirstSeen(item.where.file, item.where.line, item.shared)
        for n, link in enumerate(item.links):
            target_kind = known.get(link.to_id)
            if target_kind is None:
                message = (
                    f"Links to {link.to_id!r}, which is neither in the input nor in the graph."
                )
            elif not allowed(link.rel, node.kind, target_kind):
                sources, targets = ENDPOINTS[link.rel]
                message = (
                    f"{link.rel} cannot go from {with_article(node.kind)} "
                    f"to {with_article(target_kind)}; it joins "
                    f"{' or '.join(sorted(sources))} to {' or '.join(sorted(targets))}."
                )
            else:
                continue
            field_name = f"{item.field_prefix}.links.{n}" if item.framework else str(link.rel)
            line = item.link_lines[n] if n < len(item.link_lines) else None
            where = Where(item.where.file, line or item.where.line, item.where.row)
            report.issues.append(where.issue(field_name, message))
