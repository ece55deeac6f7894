"""The report's font: Noto Sans SC, shipped by a PyPI package, embedded in every output.

Why a packaged font: a machine without Chinese fonts (a fresh Debian, a CI box) shows
every Chinese character as an empty box. The font comes with the project's install
(``pylopdf-fonts-zh-cn``, a dependency in pyproject.toml: Noto Sans SC Regular from
notofonts/noto-cjk, SIL Open Font License 1.1; docs/reports.md), never from the machine:

* HTML: an ``@font-face`` whose source is a data URI of a WOFF subset holding only the
  characters the page uses (the page stays self-contained and small);
* PNG plots: matplotlib is given the font file and draws with it first;
* PDF: the same subset, embedded by fpdf2 (which subsets it again to the glyphs used).

The whole font (8 MB, 30,000 glyphs) is parsed once per process for the subset of every
character a report build needs; each document then subsets that small font (fast).
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

#: the CSS family name of the embedded subset (any name: it never reaches the machine)
CSS_FAMILY = "TrustsimCJK"
#: the family name inside the font file (what matplotlib looks it up by)
FONT_FAMILY = "Noto Sans SC"
#: always in a subset: printable ASCII, Latin-1, and the punctuation reports use
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0xA0, 0x100)) \
    + "–—‘’“”…→−×·、。，：；（）《》【】％～"


class FontMissingError(RuntimeError):
    """The packaged CJK font is not installed."""


def font_path() -> Path:
    """The packaged Noto Sans SC (OpenType, CFF outlines)."""
    try:
        from pylopdf_fonts_zh_cn import sans_path
    except ImportError:
        raise FontMissingError(
            "the report's Chinese font is not installed: pip install 'pylopdf-fonts-zh-cn>=0.1.1' "
            "(a dependency of trustsim; reinstall with pip install -e .)") from None
    path = Path(sans_path())
    if not path.is_file():
        raise FontMissingError(f"the report's Chinese font {path} is missing: reinstall "
                               f"pylopdf-fonts-zh-cn")
    return path


def subset(text: str, flavor: str | None = None, source: bytes | None = None) -> bytes:
    """The font cut down to the characters of ``text`` (and :data:`BASE_CHARS`).

    ``flavor`` "woff" for a web font, None for OpenType; ``source`` a font already
    subset (default: the packaged font, parsed once per call)."""
    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(source) if source is not None else font_path(),
                  recalcTimestamp=False)
    opts = ftsubset.Options()
    opts.layout_features = []       # plain text: no shaping features (and a fast closure)
    opts.name_IDs = ["*"]           # keep the names and the licence notice (OFL 1.1)
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.flavor = flavor
    sub = ftsubset.Subsetter(opts)
    sub.populate(text="".join(sorted(set(text + BASE_CHARS))))
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def to_truetype(otf: bytes) -> bytes:
    """The font with its cubic (CFF) outlines turned quadratic (TrueType ``glyf``).

    Why: embedding a CFF font in a PDF makes fpdf2 re-run every charstring to compile its
    subset (about 0.7 s a document here); TrueType outlines are copied as they are. The
    curves move by at most 1 unit of the 1,000-unit em (cu2qu's tolerance): invisible."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    font = TTFont(io.BytesIO(otf), recalcTimestamp=False)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


class FontSet:
    """One subset for every character a report build writes, cut again per document."""

    def __init__(self, text: str) -> None:
        self.chars = "".join(sorted(set(text + BASE_CHARS)))
        self.otf = to_truetype(subset(self.chars))     # TrueType outlines (see to_truetype)
        self._css: dict[str, str] = {}

    def covers(self, text: str) -> bool:
        return set(text) <= set(self.chars) | {"\n", "\t"}

    def woff(self, text: str) -> bytes:
        return subset(text, "woff", self.otf)

    def css(self, text: str) -> str:
        """An ``@font-face`` rule embedding the characters of ``text`` (the same characters:
        the same rule, cut once)."""
        key = "".join(sorted(set(text)))
        if key not in self._css:
            data = base64.b64encode(self.woff(key)).decode()
            self._css[key] = (f'@font-face{{font-family:"{CSS_FAMILY}";font-style:normal;'
                              f'font-weight:400;src:url(data:font/woff;base64,{data}) '
                              f'format("woff")}}')
        return self._css[key]


def font_stack() -> str:
    """The CSS font-family of every page: the embedded font first."""
    return f'"{CSS_FAMILY}","{FONT_FAMILY}",sans-serif'


@lru_cache(maxsize=1)
def use_in_matplotlib() -> str:
    """Make matplotlib draw with the packaged font first (DejaVu Sans after it); its family."""
    import matplotlib
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [FONT_FAMILY, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return FONT_FAMILY
