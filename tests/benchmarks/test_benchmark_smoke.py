"""The benchmark suite at tiny sizes: every row of the table gets numbers from both servers.

The full benchmark (`make bench`) is not part of the test run; this checks
that it still runs end to end from the one command, in a few seconds.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"^\d[\d,]*(\.\d+)? \S+$")  # "165 µs", "6,599 msg/s", "0.23 s"


def table_rows(output: str) -> dict[str, list[str]]:
    """The table's data rows: label -> the other cells."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("| metric"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            rows[cells[0]] = cells[1:]
    return rows


@pytest.mark.slow
def test_quick_benchmark_prints_a_full_table(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--json", str(results)],
                          cwd=ROOT, capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr[-3000:]
    output = done.stdout
    assert "WARNING" not in output, output
    rows = table_rows(output)
    saved = json.loads(results.read_text())["rows"]
    assert len(rows) == len(saved) >= 16, output

    for key, row in saved.items():
        cells = rows[row["label"]]
        assert not row["errors"], (key, row["errors"])
        assert NUMBER.match(cells[0]), (row["label"], cells)  # ours
        if key.startswith("nb_"):
            continue  # the notebook rows have no raw side
        assert NUMBER.match(cells[1]), (row["label"], cells)  # raw
        assert re.fullmatch(r"\d+\.\d\dx", cells[2]), (row["label"], cells)  # the ratio
        assert row["ratio"] > 0
