"""The order in which `make bench` loads with the raw driver and the loader."""

from __future__ import annotations

import pytest

from bench.suite import load_sequence


@pytest.mark.parametrize("raw_runs", [1, 2, 3])
def test_the_loader_runs_first_last_and_between_raw_runs(raw_runs: int) -> None:
    sequence = load_sequence(raw_runs)
    assert sequence.count("raw") == raw_runs
    assert sequence.count("loader") == raw_runs + 1
    # The last loader run's graph stays up for the queries: no engine idles beside a timed load.
    assert sequence[0] == sequence[-1] == "loader"
    assert all(a != b for a, b in zip(sequence, sequence[1:], strict=False))


def test_a_steady_drift_cancels_out_of_the_ratio() -> None:
    # Turn i of the sequence runs at time i: with a speed drifting steadily, each side's
    # mean time is the same, so the ratio of the two is the drift-free one.
    for raw_runs in (1, 2, 3):
        sequence = load_sequence(raw_runs)
        at = {mode: [i for i, m in enumerate(sequence) if m == mode] for mode in sequence}
        assert sum(at["raw"]) / len(at["raw"]) == sum(at["loader"]) / len(at["loader"])
