"""Browser libraries for a page (`fasthtml.js`): markdown, code highlighting, sortable lists, diagrams.

These load their library from jsdelivr, as FastHTML's do: the program asks
for an outside library, so the page fetches it (nothing here is vendored).
`proc_htmx` (run a function on matching elements now and after each htmx
swap) comes from FastHTML's default script; our scripts define it themselves.
"""

from __future__ import annotations

from .ft import FT
from .scripts import jsd
from .tags import Script, Style

__all__ = ["HighlightJS", "MarkdownJS", "MermaidJS", "SortableJS", "dark_media", "light_media", "marked_imp", "npmcdn"]

npmcdn = "https://cdn.jsdelivr.net/npm/"
marked_imp = 'import { marked } from "https://cdn.jsdelivr.net/npm/marked/lib/marked.esm.js";\n'
# FastHTML's `proc_htmx(sel, f)`: `f` on every element matching `sel`, now and in content htmx swaps in later.
PROC_HTMX = """const proc_htmx = window.proc_htmx || ((sel, f) => htmx.onLoad(elt => {
  const found = Array.from(htmx.findAll(elt, sel));
  if (elt.matches && elt.matches(sel)) found.unshift(elt);
  found.forEach(f);
}));
"""


def light_media(css: str) -> FT:
    """CSS for the light colour scheme only."""
    return Style("@media (prefers-color-scheme: light) {%s}" % css)  # noqa: UP031


def dark_media(css: str) -> FT:
    """CSS for the dark colour scheme only."""
    return Style("@media (prefers-color-scheme:  dark) {%s}" % css)  # noqa: UP031


def MarkdownJS(sel: str = ".marked") -> FT:
    """Render the text of elements matching `sel` as markdown, in the browser (marked)."""
    code = f"proc_htmx('{sel}', e => e.innerHTML = marked.parse(e.textContent));"
    return Script(marked_imp + PROC_HTMX + code, type="module")


def SortableJS(sel: str = ".sortable", ghost_class: str = "blue-background-class") -> FT:
    """Make elements matching `sel` drag-and-drop sortable (SortableJS)."""
    code = f"""
import {{Sortable}} from 'https://cdn.jsdelivr.net/npm/sortablejs/+esm';
{PROC_HTMX}proc_htmx('{sel}', e => Sortable.create(e, {{ghostClass: '{ghost_class}'}}));
"""
    return Script(code, type="module")


def MermaidJS(sel: str = ".language-mermaid", theme: str = "base") -> FT:
    """Draw Mermaid diagrams from the text of elements matching `sel`."""
    code = f"""
import mermaid from 'https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs';
mermaid.initialize({{startOnLoad: false, theme: '{theme}'}});
{PROC_HTMX}proc_htmx('{sel}', async e => {{ await mermaid.run({{nodes: [e]}}); }});
"""
    return Script(code, type="module")


def HighlightJS(sel: str = 'pre code:not([data-highlighted="yes"])', langs: str | list[str] = "python",
                light: str = "atom-one-light", dark: str = "atom-one-dark") -> list[FT]:
    """Syntax highlighting (highlight.js, with a copy button) for code matching `sel`, light and dark themes."""
    hjs = ("highlightjs", "cdn-release", "build")
    copy = ("arronhunt", "highlightjs-copy", "dist")
    code = f"""
hljs.addPlugin(new CopyButtonPlugin());
hljs.configure({{'cssSelector': '{sel}'}});
htmx.onLoad(hljs.highlightAll);"""
    languages = [langs] if isinstance(langs, str) else list(langs)
    return [jsd(*hjs, f"styles/{dark}.css", typ="css", media="(prefers-color-scheme: dark)"),
            jsd(*hjs, f"styles/{light}.css", typ="css", media="(prefers-color-scheme: light)"),
            jsd(*hjs, "highlight.min.js"),
            jsd(*copy, "highlightjs-copy.min.js"),
            jsd(*copy, "highlightjs-copy.min.css", typ="css"),
            *(jsd(*hjs, f"languages/{lang}.min.js") for lang in languages),
            Script(code, type="module")]
