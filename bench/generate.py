"""A synthetic case-study corpus in the loaders' own CSV format, the same for the same seed.

Sizes: S (1k case studies), M (10k) and L (100k). The shape follows the real data: each study
has a lead organisation, a place in a region, one to four outcomes (so about 2.5 evidence
claims each, four links per claim), one or two themes and a few partners. Organisations and
places number in the thousands and are skewed like real ones: a few partners appear in many
case studies, most organisations in one or two.

    .venv/bin/python -m bench.generate L /tmp/corpus-L      # writes case-studies.csv there
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from loaders.case_studies import CASE_STUDY_COLUMNS

SIZES = {"S": 1_000, "M": 10_000, "L": 100_000}

# Names as the bundled data (data/) spells them, so every row resolves.
OUTCOMES = (
    "Connectivity",
    "Data",
    "Democracy",
    "Ethics",
    "Inclusion",
    "Leadership",
    "Local productivity",
    "Organisational capability",
    "Partnership",
    "Security and resilience",
    "Services",
    "Value",
)
THEMES = (
    "Regeneration, sustainability and connectivity",
    "Service design and transformation",
    "Modernising ICT service delivery",
    "Ethical, responsible and secure use of technologies and data",
    "Leadership, diversity and skills",
)
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and The Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
    "Wales",
    "Scotland",
    "Northern Ireland",
)
EVIDENCE_TYPES = (
    ("self-reported-case-study", 40),
    ("news-report", 25),
    ("internal-evaluation", 15),
    ("audit-or-inspection", 10),
    ("independent-evaluation", 7),
    ("peer-reviewed", 3),
)
DIRECTIONS = (("positive", 75), ("mixed", 12), ("negative", 8), ("no_effect", 5))
ORGANISATION_TYPES = ("council", "council", "council", "combined_authority", "nhs", "police")
_PREFIXES = ("North", "South", "East", "West", "Upper", "Lower", "Great", "Little", "New", "Old")
_STEMS = (
    "ash",
    "brook",
    "bridge",
    "burn",
    "combe",
    "dale",
    "field",
    "ford",
    "gate",
    "ham",
    "hurst",
    "leigh",
    "mere",
    "mouth",
    "port",
    "stead",
    "stow",
    "thorpe",
    "ton",
    "wick",
    "worth",
)
_ROOTS = (
    "Ald",
    "Bark",
    "Carl",
    "Dun",
    "Elm",
    "Fern",
    "Glen",
    "Hart",
    "Ivy",
    "Kings",
    "Lang",
    "Marl",
    "Nor",
    "Oak",
    "Pen",
    "Ray",
    "Sand",
    "Thorn",
    "Ux",
    "Wey",
    "Yar",
    "Hol",
    "Bram",
    "Cran",
)
_ACTIONS = (
    "Digital front door for",
    "Automated triage of",
    "Shared data platform for",
    "Assistive technology in",
    "Sensor network for",
    "Online booking of",
    "Cyber resilience programme for",
    "Chatbot for",
    "Predictive analytics for",
)
_SERVICES = (
    "adult social care",
    "waste collection",
    "housing repairs",
    "council tax",
    "school meals",
    "parking permits",
    "planning applications",
    "libraries",
    "highways",
    "benefits",
)


def _place_names() -> Iterator[str]:
    """Distinct, plausible place names: Oakford, North Oakford, ..., then numbered."""
    for prefix, root, stem in itertools.product(("", *_PREFIXES), _ROOTS, _STEMS):
        yield f"{prefix} {root}{stem}".strip()
    for n in itertools.count(2):
        for root, stem in itertools.product(_ROOTS, _STEMS):
            yield f"{root}{stem} {n}"


def _zipf_weights(n: int, exponent: float) -> list[float]:
    cumulative, total = [], 0.0
    for rank in range(1, n + 1):
        total += 1 / rank**exponent
        cumulative.append(total)
    return cumulative


def rows(studies: int, seed: int = 2022) -> Iterator[dict[str, str]]:
    """The corpus's CSV rows, one per case study."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    places = list(itertools.islice(_place_names(), max(50, studies // 25)))
    place_region = {place: rng.choice(REGIONS) for place in places}
    councils = [f"{place} Council" for place in places]
    partners = [
        f"{name} {rng.choice(('Digital Ltd', 'Partnership', 'University', 'Trust'))}"
        for name in itertools.islice(_place_names(), max(100, studies // 10))
    ]
    lead_weights = _zipf_weights(len(councils), 0.8)
    partner_weights = _zipf_weights(len(partners), 1.3)  # a few in very many studies, most in one
    outcome_weights = _zipf_weights(len(OUTCOMES), 0.6)
    type_names, type_weights = [t for t, _ in EVIDENCE_TYPES], [w for _, w in EVIDENCE_TYPES]
    direction_names, direction_weights = [d for d, _ in DIRECTIONS], [w for _, w in DIRECTIONS]
    for n in range(studies):
        lead_index = rng.choices(range(len(councils)), cum_weights=lead_weights)[0]
        place = places[lead_index]
        year = rng.randint(2015, 2025)
        outcomes = _distinct(rng, OUTCOMES, outcome_weights, rng.choice((1, 2, 2, 3, 3, 4)))
        action, service = rng.choice(_ACTIONS), rng.choice(_SERVICES)
        yield {
            "id": f"synthetic-{n:06d}",
            "title": f"{action} {service} in {place}",
            "organisation": councils[lead_index],
            "organisation_type": rng.choice(ORGANISATION_TYPES),
            "place": place,
            "region": place_region[place],
            "year": str(year),
            "year_end": str(year + rng.randint(0, 3)) if rng.random() < 0.3 else "",
            "summary": (
                f"{councils[lead_index]} introduced {action.lower()} {service}, working with "
                f"residents and staff to redesign the service around what people need. "
                f"Study {n} of a synthetic corpus used to benchmark Connects Graph."
            ),
            "outcomes": ";".join(outcomes),
            "themes": ";".join(rng.sample(THEMES, rng.choice((1, 1, 2)))),
            "partners": ";".join(
                _distinct(rng, partners, partner_weights, rng.choice((0, 1, 1, 2, 3)))
            ),
            "evidence_type": rng.choices(type_names, weights=type_weights)[0],
            "evidence_level": "",
            "direction": rng.choices(direction_names, weights=direction_weights)[0],
            "evidence_note": "Synthetic evidence note." if rng.random() < 0.5 else "",
            "reported_result": f"{rng.randint(2, 60)}% fewer calls" if rng.random() < 0.4 else "",
            "source_url": f"https://example.org/case-studies/{n}",
            "resources": "",
        }


def _distinct(
    rng: random.Random, population: Sequence[str], cum_weights: list[float], k: int
) -> list[str]:
    chosen: dict[str, None] = {}
    while len(chosen) < min(k, len(population)):
        chosen[rng.choices(population, cum_weights=cum_weights)[0]] = None
    return list(chosen)


def write(directory: Path, studies: int, seed: int = 2022) -> Path:
    """Write `case-studies.csv` for `studies` case studies into `directory`; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "case-studies.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CASE_STUDY_COLUMNS)
        writer.writeheader()
        writer.writerows(rows(studies, seed))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=SIZES, help="S (1k), M (10k) or L (100k case studies)")
    parser.add_argument("directory", type=Path, help="where to write case-studies.csv")
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args()
    path = write(args.directory, SIZES[args.size], args.seed)
    print(f"{path}: {SIZES[args.size]:,} case studies ({path.stat().st_size / 1e6:.1f} MB)")  # noqa: T201


if __name__ == "__main__":
    main()
