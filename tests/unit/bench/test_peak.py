"""The bench's peak memory is the measured process's own, not the peak of whoever started it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import peak

ROOT = Path(__file__).resolve().parents[3]
PARENT_MB = 400
CHILD_MB = 60

# A child that touches CHILD_MB and reports its peak as the bench's children do.
CHILD = f"""
import json
from bench import peak
block = bytearray({CHILD_MB} * 1024 * 1024)
block[::4096] = b"x" * len(block[::4096])
print(json.dumps(peak.own_peak_mb()))
"""


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    block = bytearray(PARENT_MB * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])  # resident, not only reserved
    assert peak.own_peak_mb() >= PARENT_MB
    done = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, check=True
    )
    reported = json.loads(done.stdout)
    # The interpreter and the bench package take some tens of MB of their own.
    assert CHILD_MB <= reported < CHILD_MB + 100
    del block


def test_another_process_is_measured_by_pid() -> None:
    with subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE) as child:  # noqa: S603
        try:
            assert 0 < peak.process_peak_mb(child.pid) < 100
        finally:
            child.communicate(b"\n")
    assert peak.process_peak_mb(child.pid) == 0.0  # gone
