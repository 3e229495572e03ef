# ruff: noqa: UP031  (%-formatting keeps the JavaScript's braces readable)
"""The small script helpers of `fasthtml.xtend`: scripts run on htmx events, out-of-band scripts, templated files.

`Surreal`, `On`, `Prev`, `Now`, `AnyNow` and `HtmxOn` write code for
surreal.js (`me()`, `any()`, `domReadyExecute`), which FastHTML puts in every
page from a CDN; our pages do not load it: add it to `hdrs` if you use them.
"""

from __future__ import annotations

import json
import re
import string
import sys
from pathlib import Path
from typing import Any

from .ft import FT
from .tags import Link, Script, Style

__all__ = [
    "AnyNow", "HtmxOn", "Now", "On", "Prev", "ScriptX", "StyleX", "Surreal", "double_braces", "jsd", "loose_format",
    "replace_css_vars", "run_js", "undouble_braces", "upload_pb_attrs",
]


def double_braces(s: str) -> str:
    """Double the braces of code (next to spaces, quotes, `:` `;` or line ends), so `format` keeps them."""
    s = re.sub(r"{(?=[\s:;'\"]|$)", "{{", s)
    return re.sub(r"(^|[\s:;'\"])}", r"\1}}", s)


def undouble_braces(s: str) -> str:
    """The reverse of `double_braces`."""
    s = re.sub(r"\{\{(?=[\s:;'\"]|$)", "{", s)
    return re.sub(r"(^|[\s:;'\"])\}\}", r"\1}", s)


class _Lenient(string.Formatter):
    """`str.format` that leaves `{unknown}` fields as they are."""

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "{" + str(key) + "}") if isinstance(key, str) else super().get_value(key, args, kwargs)


def loose_format(s: str, **kw: Any) -> str:
    """Fill `{name}` fields from `kw`, leaving code braces and unknown fields alone."""
    if not kw:
        return s
    return undouble_braces(_Lenient().format(double_braces(s), **kw))


def ScriptX(fname: str | Path, src: str | None = None, nomodule: Any = None, type: str | None = None,
            _async: Any = None, defer: Any = None, charset: str | None = None, crossorigin: str | None = None,
            integrity: str | None = None, **kw: Any) -> FT:
    """A `<script>` with the text of file `fname`, its `{fields}` filled from `kw`."""
    code = loose_format(Path(fname).read_text(), **kw)
    return Script(code, src=src, nomodule=nomodule, type=type, _async=_async, defer=defer, charset=charset,
                  crossorigin=crossorigin, integrity=integrity)


def replace_css_vars(css: str, pre: str = "tpl", **kwargs: Any) -> str:
    """Replace `var(--tpl-name)` with `kwargs['name']` where given."""
    if not kwargs:
        return css

    def replace(m: re.Match[str]) -> str:
        return str(kwargs.get(m.group(1).replace("-", "_"), m.group(0)))

    return re.sub(rf"var\(--{pre}-([\w-]+)\)", replace, css)


def StyleX(fname: str | Path, **kw: Any) -> FT:
    """A `<style>` with the text of file `fname`, its `var(--tpl-...)` filled from `kw`."""
    style_attrs = {k: kw.pop(k) for k in ("type", "media", "scoped", "title", "nonce", "integrity", "crossorigin")
                   if k in kw}
    return Style(replace_css_vars(Path(fname).read_text(), **kw), **style_attrs)


def Surreal(code: str) -> FT:
    """surreal.js code run once the page is ready, with `m` (this script's parent) and `p` (its previous sibling)."""
    return Script("""
{
    const m=me();
    const _p = document.currentScript.previousElementSibling;
    const p = _p ? me(_p) : null;
    domReadyExecute(() => {
        %s
    });
}""" % code)


def On(code: str, event: str = "click", sel: str = "", me: bool = True) -> FT:
    """surreal.js: run `code` on `event` of the parent (or `sel`; `-` is the previous sibling)."""
    finder = "me" if me else "any"
    target = "p" if sel == "-" else f'{finder}("{sel}", m)' if sel else "m"
    return Surreal("""
%s.on("%s", async ev=>{
    let e = me(ev);
    %s
});""" % (target, event, code))


def Prev(code: str, event: str = "click") -> FT:
    """`On` for the previous sibling."""
    return On(code, event=event, sel="-")


def Now(code: str, sel: str = "") -> FT:
    """surreal.js: run `code` now on `me(sel)`."""
    target = f'"{sel}"' if sel else ""
    return Script("(async (ee = me(%s)) => {\nlet e = me(ee);\n%s\n})()\n" % (target, code))


def AnyNow(sel: str, code: str) -> FT:
    """surreal.js: run `code` now on `any(sel)`."""
    return Script('(async (e = any("%s")) => {\n%s\n})()\n' % (sel, code))


def run_js(js: str, id: str | None = None, **kw: Any) -> FT:
    """An out-of-band `<script>` running `js`, its `{fields}` filled with JSON of `kw`; `id`: the caller's name."""
    if not id:
        id = sys._getframe(1).f_code.co_name
    return Script(js.format(**{k: json.dumps(v) for k, v in kw.items()}), id=id, hx_swap_oob="true")


def _camel(name: str) -> str:
    words = re.split(r"[-_ ]+", name)
    return words[0][:1].lower() + words[0][1:] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", re.sub(r"[_ ]+", "-", name)).lower()


def HtmxOn(eventname: str, code: str) -> FT:
    """Run `code` on htmx event `eventname`, under its htmx 2 (`htmx:camelCase`) and htmx 4 (`htmx-kebab`) names."""
    return Script("""domReadyExecute(function() {
["htmx:%s","htmx-%s"].forEach(evt => document.body.addEventListener(evt, function(event) { %s }))
})""" % (_camel(eventname), _kebab(eventname), code))


def jsd(org: str, repo: str, root: str, path: str, prov: str = "gh", typ: str = "script", ver: str | None = None,
        esm: bool = False, **attrs: Any) -> Any:
    """A jsdelivr `<script>` (`typ='script'`), stylesheet `<link>` (`'css'`), or just the URL (anything else)."""
    url = f"https://cdn.jsdelivr.net/{prov}/{org}/{repo}{'@' + ver if ver else ''}/{root}/{path}"
    if esm:
        url += "/+esm"
    if typ == "script":
        return Script(src=url, **attrs)
    return Link(rel="stylesheet", href=url, **attrs) if typ == "css" else url


def upload_pb_attrs(id: str = "uploadprog") -> dict[str, str]:
    """Form attributes showing upload progress in the hidden `<progress id=...>`: `Form(..., upload_pb_attrs())`."""
    js = ("""{ const p=document.getElementById('%s');
        if(event.detail.total) {p.classList.remove('hidden'); """
          """p.value=event.detail.loaded/event.detail.total*100} }""" % id)
    return {"hx-on::xhr:progress": js}
