"""The order in which `make bench` loads with the raw driver and the loader."""

from __future__ import annotations

import pytest

from bench.suite import load_order


@pytest.mark.parametrize("runs", [2, 4, 6])
def test_each_side_loads_first_as_often_as_the_other(runs: int) -> None:
    order = [load_order(run) for run in range(runs)]
    firsts = [pair[0] for pair in order]
    assert firsts.count("raw") == firsts.count("loader") == runs // 2
    assert all(sorted(pair) == ["loader", "raw"] for pair in order)


def test_an_even_count_of_runs_ends_with_the_loader() -> None:
    # The last loader run's graph stays up for the queries: no engine idles beside a timed load.
    assert [load_order(run)[1] for run in (1, 3, 5)] == ["loader"] * 3


def test_the_order_alternates_abba() -> None:
    sequence = [mode for run in range(4) for mode in load_order(run)]
    assert sequence == ["loader", "raw", "raw", "loader", "loader", "raw", "raw", "loader"]
