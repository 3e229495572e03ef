"""The pub/sub benchmark at tiny sizes: every row gets numbers (real uvicorn workers, a real redis-server)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_pubsub_benchmark_prints_a_full_table() -> None:
    done = subprocess.run([sys.executable, "benchmarks/pubsub.py", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=110)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "setup" not in line]
    assert [row.split("|")[1].strip() for row in rows] == ["in memory, 1 process", "Redis, 1 worker",
                                                            "Redis, 2 workers"]
    for row in rows:
        clients, p50, p90 = (cell.strip() for cell in row.split("|")[2:5])
        assert sum(int(n) for n in clients.split(" / ")) == 20, row
        assert re.fullmatch(r"\d+\.\d ms", p50) and re.fullmatch(r"\d+\.\d ms", p90), row
