"""Rich tables for what works: readable in a terminal, honest about weak and mixed evidence."""

from __future__ import annotations

from rich.table import Table

from graph.approaches import InterventionPage, WhatWorks
from graph.evidence import EvidencePage
from graph.rating_rule import STRENGTH_NAMES
from graph.synthesis import EvidenceCard

MOST_NAMED = 3
"""Studies against named per approach; the rest are counted."""


def directions(card: EvidenceCard) -> str:
    """'6 positive, 3 not stated': every direction with studies, never folding one into another."""
    parts = [f"{n} {d.words}" for d, n in card.directions.items() if n]
    return ", ".join(parts) or "-"


def best(card: EvidenceCard) -> str:
    level = card.best_strength
    return f"{level.strength} {level.name}" if level else "-"


def did_not_work(card: EvidenceCard) -> str:
    names = [s.title for s in card.did_not_work[:MOST_NAMED]]
    more = card.did_not_work_total - len(names)
    return "\n".join(names + ([f"and {more} more"] if more > 0 else [])) or "-"


def approaches_table(page: WhatWorks) -> Table:
    """The ranking: rating, the clause that gave it, studies, strength, directions, against."""
    table = Table(
        "approach",
        "rating",
        "why (rule clause)",
        "studies",
        "best strength",
        "directions",
        "did not work",
        show_lines=True,
    )
    for item in page.items:
        card, ref = item.card, item.intervention
        family = f"\n[dim]{ref.family.name}[/]" if ref.family else ""
        table.add_row(
            f"{ref.name}{family}",
            card.rating.name,
            card.rule,
            str(card.studies),
            best(card),
            directions(card),
            did_not_work(card),
        )
    return table


def interventions_table(page: InterventionPage) -> Table:
    """Every approach: its family, case studies (all, and in scope), rating and clause."""
    table = Table(
        "family",
        "approach",
        "case studies",
        "in scope",
        "rating",
        "why (rule clause)",
        "directions",
        show_lines=True,
    )
    for item in page.items:
        card = item.card
        table.add_row(
            item.family.name if item.family else "-",
            f"{item.name}\n[dim]{item.id}[/]",
            str(item.case_studies),
            str(card.studies),
            card.rating.name,
            card.rule,
            directions(card),
        )
    return table


def case_studies_table(page: EvidencePage) -> Table:
    """The evidence list: each case study, its strength, year and why it matched."""
    table = Table("strength", "case study", "year", "why it matched", show_lines=True)
    for row in page.items:
        name = STRENGTH_NAMES[row.strength]
        table.add_row(
            f"{row.strength} {name}", row.title, str(row.year_end or "?"), "\n".join(row.matched)
        )
    return table
