"""The README's table of what `fasthtml.X` exports and what `htmxws_nb.X` has is true (FastHTML asked live)."""

from __future__ import annotations

import importlib
import json
import re
import subprocess

from compat_support import fasthtml_python
from conftest import ROOT

MODULES = ["common", "components", "svg", "xtend", "js", "pico", "fastapp"]
# The names each FastHTML module gives `import *` (fasthtml.common has no __all__: what dir() shows,
# less modules and fastcore.utils' generic helpers, which the README counts apart).
LIST_NAMES = f"""
MODULES = {MODULES!r}
import importlib, json, types
import fastcore.utils
generic = {{n for n in dir(fastcore.utils) if not n.startswith('_')}}
out = {{'generic': sorted(generic)}}
for name in MODULES:
    module = importlib.import_module('fasthtml.' + name)
    names = getattr(module, '__all__', None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith('_')
                 and not isinstance(getattr(module, n), types.ModuleType) and n not in generic]
    out[name] = sorted(names)
print(json.dumps(out))
"""


def fasthtml_exports() -> dict[str, list[str]]:
    result = subprocess.run([str(fasthtml_python()), "-c", LIST_NAMES], capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout)


def table_rows() -> dict[str, tuple[int, int, list[str]]]:
    """module → (FastHTML's names, how many we have, the names we lack), computed."""
    theirs = fasthtml_exports()
    rows = {}
    for name in MODULES:
        ours = importlib.import_module(f"htmxws_nb.{name}")
        have = {n for n in theirs[name] if hasattr(ours, n) and (n in getattr(ours, "__all__", ()) or
                                                                   name == "components")}
        rows[name] = (len(theirs[name]), len(have), sorted(set(theirs[name]) - have))
    return rows


def readme_rows() -> dict[str, tuple[int, int, list[str]]]:
    text = (ROOT / "README.md").read_text()
    rows = {}
    for module, total, have, lacking in re.findall(
            r"^\| `fasthtml\.(\w+)` \| (\d+) \| (\d+) \| (.*) \|$", text, flags=re.M):
        rows[module] = (int(total), int(have), re.findall(r"`(\w+)`", lacking))
    return rows


def test_readme_table_of_exports_is_true() -> None:
    computed, written = table_rows(), readme_rows()
    lines = "\n".join(f"| `fasthtml.{m}` | {t} | {h} | {', '.join(f'`{n}`' for n in lack) or '—'} |"
                      for m, (t, h, lack) in computed.items())
    assert written == computed, f"update the README's table to:\n{lines}"
