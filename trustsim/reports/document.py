"""A filed document as data — title, sections of paragraphs, facts and tables — and its
two renderings: a self-contained HTML page and a PDF.

Why one model and two renderers: the HTML and the PDF of a trustee report must say the
same thing, to the fen. Both are drawn from one :class:`Document`, so a figure cannot be
in one and not the other; the tests read the model, the HTML and the PDF's text.

The PDF is drawn by fpdf2 (pure Python, maintained by the py-pdf organisation; fonts are
embedded as subsets through fontTools), not by converting the HTML: WeasyPrint needs the
system's Pango, and a browser's print-to-PDF needs a browser that PyPI cannot install
here (playwright downloads its browsers from elsewhere). A report must build on any
machine the project installs on (docs/reports.md).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

from trustsim.reports.fonts import CSS_FAMILY, FontSet, font_stack

CSP = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")


def wan(fen: int | None) -> str:
    """Fen as 万元 with two decimals, rounded half up, exactly (no float)."""
    if fen is None:
        return ""
    value = (Decimal(fen) / 1_000_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value:,}"


@dataclass
class Table:
    head: list[str]
    rows: list[list[str]]
    left: int = 1                    # leading columns aligned left (text), the rest right
    widths: list[float] | None = None   # relative column widths in the PDF
    emphasis: set[int] = field(default_factory=set)   # rows shown as sub-rows (series)
    caption: str | None = None


@dataclass
class Para:
    text: str
    note: bool = False


@dataclass
class Facts:
    """Label-value pairs, two columns."""

    items: list[tuple[str, str]]


Block = Table | Para | Facts


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    lang: str                 # "zh" or "en"
    title: str
    subtitle: str
    sections: list[Section]
    footer: str = ""
    date: str = "2000-01-01"  # the document's date (the PDF's creation date: same input, same bytes)

    def text(self) -> str:
        """Every character the document shows (for the font subset)."""
        parts = [self.title, self.subtitle, self.footer]
        for s in self.sections:
            parts.append(s.title)
            for b in s.blocks:
                if isinstance(b, Table):
                    parts += b.head + [c for r in b.rows for c in r] + [b.caption or ""]
                elif isinstance(b, Para):
                    parts.append(b.text)
                else:
                    parts += [x for kv in b.items for x in kv]
        return "".join(parts)


# ---------------------------------------------------------------- HTML
CSS = """
body{font-family:%(stack)s;margin:1.5em auto;max-width:1180px;color:#1a1a1a;padding:0 1em;
font-size:14px;line-height:1.45}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.1em;border-bottom:2px solid #1f4e79;
color:#1f4e79;padding-bottom:.15em;margin-top:1.6em}
.subtitle{color:#444}
table{border-collapse:collapse;margin:.4em 0 .8em;font-size:.86em}
th,td{border:1px solid #bbb;padding:.2em .45em;text-align:right;white-space:nowrap}
th{background:#e8eef5;font-weight:600;white-space:normal;min-width:3.5em}td.l,th.l{text-align:left}
tr.ser td{color:#333;background:#fafafa}tr.ser td.l{padding-left:1.6em}
table.facts td.l{background:#f5f7fa;font-weight:600}
caption{caption-side:top;text-align:left;font-weight:600;padding:.2em 0}
p.note{color:#555;font-size:.85em}
footer{margin-top:2em;color:#666;font-size:.8em;border-top:1px solid #ddd;padding-top:.5em}
"""


def _html_table(t: Table) -> str:
    head = "".join(f'<th class="l">{escape(c)}</th>' if i < t.left else f"<th>{escape(c)}</th>"
                   for i, c in enumerate(t.head))
    rows = []
    for n, r in enumerate(t.rows):
        cells = "".join(f'<td class="l">{escape(v)}</td>' if i < t.left
                        else f"<td>{escape(v)}</td>" for i, v in enumerate(r))
        rows.append(f'<tr class="ser">{cells}</tr>' if n in t.emphasis else f"<tr>{cells}</tr>")
    cap = f"<caption>{escape(t.caption)}</caption>" if t.caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html_block(b: Block) -> str:
    if isinstance(b, Table):
        return _html_table(b)
    if isinstance(b, Para):
        return f'<p class="note">{escape(b.text)}</p>' if b.note else f"<p>{escape(b.text)}</p>"
    rows = "".join(f'<tr><td class="l">{escape(k)}</td><td class="l">{escape(v)}</td></tr>'
                   for k, v in b.items)
    return f'<table class="facts"><tbody>{rows}</tbody></table>'


def to_html(doc: Document, fonts: FontSet, font_text: str | None = None) -> str:
    """A self-contained page: styles inline, the font a data URI, nothing fetched.

    ``font_text``: the characters to embed (default: the document's own); documents
    given the same (all of one language, say) share one subset, cut once."""
    lang = "zh-CN" if doc.lang == "zh" else "en"
    body = "".join(f'<section id="{escape(s.id)}"><h2>{escape(s.title)}</h2>'
                   + "".join(_html_block(b) for b in s.blocks) + "</section>"
                   for s in doc.sections)
    css = fonts.css(font_text if font_text is not None else doc.text()) \
        + CSS.replace("%(stack)s", font_stack())
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(doc.title)} {escape(doc.subtitle)}</title><style>{css}</style>"
            f'</head><body><header><h1>{escape(doc.title)}</h1>'
            f'<p class="subtitle">{escape(doc.subtitle)}</p></header>{body}'
            f"<footer>{escape(doc.footer)}</footer></body></html>\n")


# ---------------------------------------------------------------- PDF
BLUE = (31, 78, 121)
HEAD_FILL = (232, 238, 245)
SUB_FILL = (250, 250, 250)


def to_pdf(doc: Document, fonts: FontSet) -> bytes:
    """The document on A4 landscape pages, its font embedded as a subset."""
    from fpdf import FPDF

    with tempfile.TemporaryDirectory(prefix="trustsim-font-") as tmp:
        font_file = Path(tmp) / "report.ttf"
        font_file.write_bytes(fonts.otf)
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_creation_date(dt.datetime.fromisoformat(doc.date).replace(tzinfo=dt.UTC))
        pdf.set_title(f"{doc.title} {doc.subtitle}")
        pdf.set_lang("zh-CN" if doc.lang == "zh" else "en")
        pdf.add_font(CSS_FAMILY, fname=str(font_file))
        pdf.set_margins(12, 12, 12)
        pdf.c_margin = PAD
        pdf.set_auto_page_break(True, 14)
        footer = doc.footer

        def page_footer() -> None:
            pdf.set_y(-10)
            pdf.set_font(CSS_FAMILY, size=7)
            pdf.set_text_color(110, 110, 110)
            pdf.cell(0, 4, f"{footer}  {pdf.page_no()}", align="R")
            pdf.set_text_color(0, 0, 0)

        pdf.footer = page_footer
        pdf.add_page()
        pdf.set_font(CSS_FAMILY, size=16)
        pdf.set_text_color(*BLUE)
        pdf.multi_cell(0, 8, doc.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(CSS_FAMILY, size=9.5)
        pdf.set_text_color(60, 60, 60)
        pdf.multi_cell(0, 5, doc.subtitle, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        for s in doc.sections:
            if pdf.will_page_break(24):
                pdf.add_page()
            pdf.ln(3)
            pdf.set_font(CSS_FAMILY, size=11.5)
            pdf.set_text_color(*BLUE)
            pdf.cell(0, 6, s.title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_draw_color(*BLUE)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.set_draw_color(0, 0, 0)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1.5)
            for b in s.blocks:
                if isinstance(b, Para):
                    pdf.set_font(CSS_FAMILY, size=7.5 if b.note else 8.5)
                    if b.note:
                        pdf.set_text_color(80, 80, 80)
                    pdf.multi_cell(0, 4, b.text, new_x="LMARGIN", new_y="NEXT")
                    pdf.set_text_color(0, 0, 0)
                    pdf.ln(1)
                    continue
                if isinstance(b, Facts):
                    table = Table(["", ""], [[k, v] for k, v in b.items], left=2, widths=[1, 3])
                    head = False
                else:
                    table, head = b, True
                if table.caption:
                    pdf.set_font(CSS_FAMILY, size=8.5)
                    pdf.cell(0, 5, table.caption, new_x="LMARGIN", new_y="NEXT")
                _pdf_table(pdf, table, head)
                pdf.ln(2)
        return bytes(pdf.output())


PAD = 1.2          # mm either side of a cell's text
LINE = 4.0         # mm a line of table text
MIN_PT = 5.5


def _pdf_table(pdf, table: Table, head: bool) -> None:
    """A table drawn cell by cell (one line a cell; the header's cells may wrap).

    Columns are as wide as their longest value (and the longest word of their heading);
    a table wider than the page is set in a smaller type, down to 5.5 pt."""
    usable = pdf.w - pdf.l_margin - pdf.r_margin
    size = 7.5
    while True:
        pdf.set_font(CSS_FAMILY, size=size)
        widths = _widths(pdf, table, head)
        if sum(widths) <= usable or size <= MIN_PT:
            break
        size = max(MIN_PT, size * usable / sum(widths))
    if table.widths is not None:           # given shares of the page's width
        total = sum(table.widths)
        widths = [usable * w / total for w in table.widths]
    left = [i < table.left for i in range(len(widths))]

    def header() -> None:
        lines = [pdf.multi_cell(w, LINE, c, dry_run=True, output="LINES")
                 for w, c in zip(widths, table.head, strict=True)]
        height = max(len(x) for x in lines) * LINE + 0.8
        x0, y0 = pdf.l_margin, pdf.get_y()
        pdf.set_fill_color(*HEAD_FILL)
        x = x0
        for w, ls, is_left in zip(widths, lines, left, strict=True):
            pdf.rect(x, y0, w, height, style="DF")
            for k, line in enumerate(ls):
                pdf.set_xy(x, y0 + 0.4 + k * LINE)
                pdf.cell(w, LINE, line, align="L" if is_left else "R")
            x += w
        pdf.set_xy(x0, y0 + height)

    if head:
        header()
    for k, r in enumerate(table.rows):
        if pdf.will_page_break(LINE + 0.6):
            pdf.add_page()
            pdf.set_font(CSS_FAMILY, size=size)
            if head:
                header()
        fill = k in table.emphasis
        if fill:
            pdf.set_fill_color(*SUB_FILL)
        pdf.set_x(pdf.l_margin)
        for i, (w, v) in enumerate(zip(widths, r, strict=True)):
            text = ("   " + v) if fill and i == 0 else v
            pdf.cell(w, LINE + 0.6, text, border=1, align="L" if left[i] else "R", fill=fill)
        pdf.ln(LINE + 0.6)


def _widths(pdf, table: Table, head: bool) -> list[float]:
    """Each column as wide as its longest value, and its heading's longest word."""
    out = []
    for i in range(len(table.head)):
        values = [r[i] for r in table.rows]
        w = max([pdf.get_string_width(("   " + v) if k in table.emphasis and i == 0 else v)
                 for k, v in enumerate(values)] or [0])
        if head:
            words = table.head[i].replace("/", "/ ").split() or [""]
            if any(ord(ch) > 0x2E7F for ch in table.head[i]):   # CJK wraps anywhere: 6 a line
                words = [table.head[i][:6]]
            w = max([w] + [pdf.get_string_width(x) for x in words])
        out.append(w + 2 * PAD + 0.4)
    return out
