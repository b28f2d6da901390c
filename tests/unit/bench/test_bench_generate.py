"""The synthetic corpus: reproducible from its seed, and shaped like the real data."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from bench import generate
from loaders.case_studies import CASE_STUDY_COLUMNS


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    first = generate.write(tmp_path / "a", 500, seed=7).read_bytes()
    again = generate.write(tmp_path / "b", 500, seed=7).read_bytes()
    other = generate.write(tmp_path / "c", 500, seed=8).read_bytes()
    assert first == again
    assert first != other


def test_sizes_are_the_issue_s_m_and_l() -> None:
    assert generate.SIZES == {"S": 1_000, "M": 10_000, "L": 100_000}


def test_rows_use_the_loaders_columns_and_the_bundled_names(tmp_path: Path) -> None:
    rows = read(generate.write(tmp_path, 2_000))
    assert len(rows) == 2_000
    assert tuple(rows[0]) == CASE_STUDY_COLUMNS
    assert len({r["id"] for r in rows}) == 2_000
    outcomes = [o for r in rows for o in r["outcomes"].split(";")]
    assert set(outcomes) <= set(generate.OUTCOMES)
    assert 2.0 < len(outcomes) / len(rows) < 3.0  # about 2.5 evidence claims per study
    assert {r["region"] for r in rows} <= set(generate.REGIONS)
    assert {t for r in rows for t in r["themes"].split(";")} <= set(generate.THEMES)


def test_partners_are_skewed_a_few_in_many_studies_most_in_few(tmp_path: Path) -> None:
    rows = read(generate.write(tmp_path, 5_000))
    partners = Counter(p for r in rows for p in r["partners"].split(";") if p)
    top = partners.most_common(1)[0][1]
    assert top > 0.1 * len(rows)
    typical = sorted(partners.values())[len(partners) // 2]
    assert typical <= 3  # the median partner is in a handful of studies
    assert len({r["organisation"] for r in rows}) >= 150  # organisations in the hundreds here
