"""The order in which `make bench` loads with the raw driver and the loader, and exports."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.suite import export_passes, load_sequence


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


def test_the_reads_alone_run_before_and_after_every_format() -> None:
    # Each format's ratio is to the reads' median: the reads on both sides of it, so a steady
    # drift of the machine's speed cancels out of it as out of the loads'.
    passes = [(tool, rdf_format) for tool, rdf_format, _ in export_passes("{}", Path("d.nt"))]
    reads = ("graph reads only", "-")
    assert passes[0] == passes[-1] == reads
    assert set(passes[1:-1]) == {("connects export", f) for f in ("ntriples", "turtle")}
