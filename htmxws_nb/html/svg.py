"""SVG elements (`fasthtml.svg`): `Svg` with its namespace and viewBox, the shapes, every SVG tag.

`from htmxws_nb.svg import *` gives only these names. As with FastHTML, it
shadows a few names of `from htmxws_nb import *` (`Text`, `Template`, ...) and
Python's `Path` (an SVG `<path>` here), so import it after the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ft import FT, ft
from .headers import HtmxResponseHeaders, HttpHeader

__all__ = [
    "Svg", "ft_svg", "Rect", "Circle", "Ellipse", "transformd", "Line", "Polyline", "Polygon", "Text",
    "PathFT", "Path", "SvgOob", "SvgInb", "svg_inb", "g", "AltGlyph", "AltGlyphDef", "AltGlyphItem", "Animate",
    "AnimateColor", "AnimateMotion", "AnimateTransform", "ClipPath", "Color_profile", "Cursor", "Defs", "Desc",
    "FeBlend", "FeColorMatrix", "FeComponentTransfer", "FeComposite", "FeConvolveMatrix", "FeDiffuseLighting",
    "FeDisplacementMap", "FeDistantLight", "FeFlood", "FeFuncA", "FeFuncB", "FeFuncG", "FeFuncR",
    "FeGaussianBlur", "FeImage", "FeMerge", "FeMergeNode", "FeMorphology", "FeOffset", "FePointLight",
    "FeSpecularLighting", "FeSpotLight", "FeTile", "FeTurbulence", "Filter", "Font", "Font_face",
    "Font_face_format", "Font_face_name", "Font_face_src", "Font_face_uri", "ForeignObject", "G", "Glyph",
    "GlyphRef", "Hkern", "Image", "LinearGradient", "Marker", "Mask", "Metadata", "Missing_glyph", "Mpath",
    "Pattern", "RadialGradient", "Set", "Stop", "Switch", "Symbol", "TextPath", "Tref", "Tspan", "Use", "View",
    "Vkern", "Template",
]

SVG_NS = "http://www.w3.org/2000/svg"
svg_inb = {"hx_select": "svg>*"}  # attributes for an in-band swap of an SVG's contents


def ft_svg(tag: str, *children: Any, transform: Any = None, opacity: Any = None, clip: Any = None, mask: Any = None,
           filter: Any = None, vector_effect: Any = None, pointer_events: Any = None, **attrs: Any) -> FT:
    """Any SVG element, with the presentation attributes every SVG element takes."""
    return ft(tag, *children, transform=transform, opacity=opacity, clip=clip, mask=mask, filter=filter,
              vector_effect=vector_effect, pointer_events=pointer_events, **attrs)


def _svg_tag(name: str) -> Callable[..., FT]:
    tag = name[0].lower() + name[1:]  # `LinearGradient` → `<linearGradient>`

    def make(*children: Any, **attrs: Any) -> FT:
        return ft(tag, *children, **attrs)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = f"The SVG `<{tag}>` element."
    return make


def Svg(*children: Any, viewBox: str | None = None, h: Any = None, w: Any = None, height: Any = None,
        width: Any = None, xmlns: str = SVG_NS, **attrs: Any) -> FT:
    """`<svg>` with its namespace; `viewBox` defaults to `0 0 width height` when both are given (`w`/`h` too)."""
    height, width = h or height, w or width
    if not viewBox and height and width:
        viewBox = f"0 0 {width} {height}"
    return ft_svg("svg", *children, xmlns=xmlns, viewBox=viewBox, height=height, width=width, **attrs)


def Rect(width: Any, height: Any, x: Any = 0, y: Any = 0, fill: Any = None, stroke: Any = None,
         stroke_width: Any = None, rx: Any = None, ry: Any = None, **attrs: Any) -> FT:
    """`<rect>`."""
    return ft_svg("rect", width=width, height=height, x=x, y=y, fill=fill, stroke=stroke, stroke_width=stroke_width,
                  rx=rx, ry=ry, **attrs)


def Circle(r: Any, cx: Any = 0, cy: Any = 0, fill: Any = None, stroke: Any = None, stroke_width: Any = None,
           **attrs: Any) -> FT:
    """`<circle>`."""
    return ft_svg("circle", r=r, cx=cx, cy=cy, fill=fill, stroke=stroke, stroke_width=stroke_width, **attrs)


def Ellipse(rx: Any, ry: Any, cx: Any = 0, cy: Any = 0, fill: Any = None, stroke: Any = None,
            stroke_width: Any = None, **attrs: Any) -> FT:
    """`<ellipse>`."""
    return ft_svg("ellipse", rx=rx, ry=ry, cx=cx, cy=cy, fill=fill, stroke=stroke, stroke_width=stroke_width,
                  **attrs)


def transformd(translate: Any = None, scale: Any = None, rotate: Any = None, skewX: Any = None, skewY: Any = None,
               matrix: Any = None) -> dict[str, str]:
    """A `transform` attribute as a dict to pass as `**transformd(...)`; tuples are written as Python shows them."""
    funcs = []
    if translate is not None:
        funcs.append(f"translate{translate}")
    if scale is not None:
        funcs.append(f"scale{scale}")
    if rotate is not None:
        funcs.append(f"rotate({','.join(map(str, rotate))})")
    if skewX is not None:
        funcs.append(f"skewX({skewX})")
    if skewY is not None:
        funcs.append(f"skewY({skewY})")
    if matrix is not None:
        funcs.append(f"matrix{matrix}")
    return {"transform": " ".join(funcs)} if funcs else {}


def Line(x1: Any, y1: Any, x2: Any = 0, y2: Any = 0, stroke: Any = None, w: Any = None, stroke_width: Any = None,
         **attrs: Any) -> FT:
    """`<line>`; `w` is the stroke width."""
    return ft_svg("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=w or stroke_width, **attrs)


def _points(args: tuple[Any, ...]) -> str:
    return " ".join(f"{x},{y}" for x, y in args)


def Polyline(*args: Any, points: Any = None, fill: Any = None, stroke: Any = None, stroke_width: Any = None,
             **attrs: Any) -> FT:
    """`<polyline>` through the `(x, y)` pairs given (or `points`)."""
    return ft_svg("polyline", points=_points(args) if points is None else points, fill=fill, stroke=stroke,
                  stroke_width=stroke_width, **attrs)


def Polygon(*args: Any, points: Any = None, fill: Any = None, stroke: Any = None, stroke_width: Any = None,
            **attrs: Any) -> FT:
    """`<polygon>` through the `(x, y)` pairs given (or `points`)."""
    return ft_svg("polygon", points=_points(args) if points is None else points, fill=fill, stroke=stroke,
                  stroke_width=stroke_width, **attrs)


def Text(*children: Any, x: Any = 0, y: Any = 0, font_family: Any = None, font_size: Any = None, fill: Any = None,
         text_anchor: Any = None, dominant_baseline: Any = None, font_weight: Any = None, font_style: Any = None,
         text_decoration: Any = None, **attrs: Any) -> FT:
    """SVG `<text>`."""
    return ft_svg("text", *children, x=x, y=y, font_family=font_family, font_size=font_size, fill=fill,
                  text_anchor=text_anchor, dominant_baseline=dominant_baseline, font_weight=font_weight,
                  font_style=font_style, text_decoration=text_decoration, **attrs)


class PathFT(FT):
    """A `<path>` whose `d` grows by chained commands: `Path().M(0, 0).L(10, 10).Z()`."""

    __slots__ = ()

    def _cmd(self, cmd: str) -> PathFT:
        d = self.attrs.get("d")
        self.attrs["d"] = f"{d} {cmd}" if isinstance(d, str) else cmd
        return self

    def M(self, x: Any, y: Any) -> PathFT:
        return self._cmd(f"M{x} {y}")

    def L(self, x: Any, y: Any) -> PathFT:
        return self._cmd(f"L{x} {y}")

    def H(self, x: Any) -> PathFT:
        return self._cmd(f"H{x}")

    def V(self, y: Any) -> PathFT:
        return self._cmd(f"V{y}")

    def Z(self) -> PathFT:
        return self._cmd("Z")

    def C(self, x1: Any, y1: Any, x2: Any, y2: Any, x: Any, y: Any) -> PathFT:
        return self._cmd(f"C{x1} {y1} {x2} {y2} {x} {y}")

    def S(self, x2: Any, y2: Any, x: Any, y: Any) -> PathFT:
        return self._cmd(f"S{x2} {y2} {x} {y}")

    def Q(self, x1: Any, y1: Any, x: Any, y: Any) -> PathFT:
        return self._cmd(f"Q{x1} {y1} {x} {y}")

    def T(self, x: Any, y: Any) -> PathFT:
        return self._cmd(f"T{x} {y}")

    def A(self, rx: Any, ry: Any, x_axis_rotation: Any, large_arc_flag: Any, sweep_flag: Any, x: Any,
          y: Any) -> PathFT:
        return self._cmd(f"A{rx} {ry} {x_axis_rotation} {large_arc_flag} {sweep_flag} {x} {y}")


def Path(d: str = "", fill: Any = None, stroke: Any = None, stroke_width: Any = None, **attrs: Any) -> PathFT:
    """`<path>`; chain `.M(...)`, `.L(...)`, ... to draw it."""
    plain = ft_svg("path", d=d, fill=fill, stroke=stroke, stroke_width=stroke_width, **attrs)
    return PathFT(plain.tag, plain.children, plain.attrs)


def SvgOob(*children: Any, **attrs: Any) -> FT:
    """SVG shapes wrapped for an out-of-band swap: `<template><svg>…</svg></template>`."""
    return ft("template", Svg(*children, **attrs))


def SvgInb(*children: Any, **attrs: Any) -> tuple[FT, HttpHeader]:
    """SVG shapes for an in-band swap: the `<svg>` and a header telling htmx to take its contents."""
    header = HtmxResponseHeaders(reselect="svg>*")
    assert isinstance(header, HttpHeader)
    return Svg(*children, **attrs), header


g = _svg_tag("G")  # FastHTML also offers the lower-case name


AltGlyph = _svg_tag("AltGlyph")
AltGlyphDef = _svg_tag("AltGlyphDef")
AltGlyphItem = _svg_tag("AltGlyphItem")
Animate = _svg_tag("Animate")
AnimateColor = _svg_tag("AnimateColor")
AnimateMotion = _svg_tag("AnimateMotion")
AnimateTransform = _svg_tag("AnimateTransform")
ClipPath = _svg_tag("ClipPath")
Color_profile = _svg_tag("Color_profile")
Cursor = _svg_tag("Cursor")
Defs = _svg_tag("Defs")
Desc = _svg_tag("Desc")
FeBlend = _svg_tag("FeBlend")
FeColorMatrix = _svg_tag("FeColorMatrix")
FeComponentTransfer = _svg_tag("FeComponentTransfer")
FeComposite = _svg_tag("FeComposite")
FeConvolveMatrix = _svg_tag("FeConvolveMatrix")
FeDiffuseLighting = _svg_tag("FeDiffuseLighting")
FeDisplacementMap = _svg_tag("FeDisplacementMap")
FeDistantLight = _svg_tag("FeDistantLight")
FeFlood = _svg_tag("FeFlood")
FeFuncA = _svg_tag("FeFuncA")
FeFuncB = _svg_tag("FeFuncB")
FeFuncG = _svg_tag("FeFuncG")
FeFuncR = _svg_tag("FeFuncR")
FeGaussianBlur = _svg_tag("FeGaussianBlur")
FeImage = _svg_tag("FeImage")
FeMerge = _svg_tag("FeMerge")
FeMergeNode = _svg_tag("FeMergeNode")
FeMorphology = _svg_tag("FeMorphology")
FeOffset = _svg_tag("FeOffset")
FePointLight = _svg_tag("FePointLight")
FeSpecularLighting = _svg_tag("FeSpecularLighting")
FeSpotLight = _svg_tag("FeSpotLight")
FeTile = _svg_tag("FeTile")
FeTurbulence = _svg_tag("FeTurbulence")
Filter = _svg_tag("Filter")
Font = _svg_tag("Font")
Font_face = _svg_tag("Font_face")
Font_face_format = _svg_tag("Font_face_format")
Font_face_name = _svg_tag("Font_face_name")
Font_face_src = _svg_tag("Font_face_src")
Font_face_uri = _svg_tag("Font_face_uri")
ForeignObject = _svg_tag("ForeignObject")
G = _svg_tag("G")
Glyph = _svg_tag("Glyph")
GlyphRef = _svg_tag("GlyphRef")
Hkern = _svg_tag("Hkern")
Image = _svg_tag("Image")
LinearGradient = _svg_tag("LinearGradient")
Marker = _svg_tag("Marker")
Mask = _svg_tag("Mask")
Metadata = _svg_tag("Metadata")
Missing_glyph = _svg_tag("Missing_glyph")
Mpath = _svg_tag("Mpath")
Pattern = _svg_tag("Pattern")
RadialGradient = _svg_tag("RadialGradient")
Set = _svg_tag("Set")
Stop = _svg_tag("Stop")
Switch = _svg_tag("Switch")
Symbol = _svg_tag("Symbol")
TextPath = _svg_tag("TextPath")
Tref = _svg_tag("Tref")
Tspan = _svg_tag("Tspan")
Use = _svg_tag("Use")
View = _svg_tag("View")
Vkern = _svg_tag("Vkern")
Template = _svg_tag("Template")
