"""Every tutorial, run top to bottom in a real kernel, ends with pages that work: each page output's
own server still answers, and answers its page (not "Not Found")."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT, output_spec
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def page_outputs(notebook: nbformat.NotebookNode) -> list[dict]:
    specs = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if 'class="htmxws-page"' in html:
                specs.append(output_spec(html))
    return specs


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_run_all_ends_with_working_pages(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))  # the kernel inherits it
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        specs = page_outputs(notebook)
        assert specs, "the tutorial shows its page"
        for spec in specs:
            base = spec["direct"]
            status, server_id = get(base + spec["idPath"])
            assert (status, server_id) == (200, spec["serverId"]), f"the server of {spec['path']} is gone"
            status, page = get(base + spec["path"])
            assert status == 200 and "Not Found" not in page, f"{path.name}: {spec['path']} answers {status}"
