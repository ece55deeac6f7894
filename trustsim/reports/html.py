"""The HTML report: one self-contained page that opens offline.

Why self-contained: a trustee report is archived and mailed; it must render the same in
ten years with no network. So there is no CDN, no external script, font or stylesheet:
styles are inline, plots are PNG data URIs, the timeline is inline SVG, and a
Content-Security-Policy forbids the page from loading anything but its own data. One
small inline script counts the images that decoded, so a headless browser (the report's
test) can tell the plots rendered.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from html import escape
from typing import Any

from trustsim.audit.model import AuditReport
from trustsim.reports.data import ReportData
from trustsim.reports.document import wan
from trustsim.reports.fonts import FontSet, font_stack
from trustsim.reports.plots import COLORS

CSP = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
       "script-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")

CSS = """
body{font-family:%(stack)s;margin:2em auto;max-width:1200px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.85em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:right}
td.d{white-space:nowrap}
th{background:#f3f3f3}td.l,th.l{text-align:left}
.pass{color:#2a7a2a;font-weight:bold}.fail{color:#c00;font-weight:bold}.skipped{color:#a60}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}
figcaption{font-size:.9em;color:#555}
details{margin:.4em 0;border:1px solid #ddd;padding:.3em .6em;border-radius:4px}
summary{cursor:pointer;font-weight:600}
.cat{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1em}
"""

SCRIPT = """
window.addEventListener('load', function () {
  var imgs = document.querySelectorAll('img.plot');
  var ok = 0;
  imgs.forEach(function (i) { if (i.complete && i.naturalWidth > 0) { ok += 1; } });
  document.body.setAttribute('data-plots-rendered', String(ok));
  document.body.setAttribute('data-plots-total', String(imgs.length));
  var tl = document.querySelectorAll('#timeline svg circle').length;
  document.body.setAttribute('data-timeline-markers', String(tl));
});
"""


DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")


def _td(value: Any, left: bool) -> str:
    """A cell: left-aligned text, and a date that must not wrap."""
    cls = " ".join(c for c in ("l" if left else "", "d" if DATE.fullmatch(str(value)) else "") if c)
    return f'<td class="{cls}">{escape(str(value))}</td>' if cls else f"<td>{escape(str(value))}</td>"


def _table(head: list[str], rows: list[list[Any]], left: int = 1) -> str:
    h = "".join(f'<th class="l">{escape(c)}</th>' if i < left else f"<th>{escape(c)}</th>"
                for i, c in enumerate(head))
    body = []
    for r in rows:
        cells = "".join(_td(v, i < left) for i, v in enumerate(r))
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{h}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _timeline_svg(rd: ReportData) -> str:
    ms = rd.milestones
    if not ms:
        return "<p>No key events.</p>"
    first = min([m.date for m in ms] + rd.dates[:1])
    last = max([m.date for m in ms] + rd.dates[-1:])
    span = max(1, (last - first).days)
    width, left, right = 1100, 40, 20
    rows = {"period": 30, "issuance": 60, "incident": 90, "trigger": 120}
    parts = [f'<svg role="img" width="100%" '
             f'viewBox="0 0 {width} 160" aria-label="timeline of key events">']
    for cat, y in rows.items():
        parts.append(f'<text x="0" y="{y + 4}" font-size="10">{cat}</text>'
                     f'<line x1="{left + 30}" y1="{y}" x2="{width - right}" y2="{y}" '
                     f'stroke="#ddd"/>')
    year = first.year
    while dt.date(year, 1, 1) <= last:
        d = dt.date(year, 1, 1)
        if d >= first:
            x = left + 30 + (d - first).days / span * (width - left - right - 30)
            parts.append(f'<line x1="{x:.1f}" y1="15" x2="{x:.1f}" y2="135" stroke="#bbb" '
                         f'stroke-dasharray="3,3"/><text x="{x + 2:.1f}" y="150" '
                         f'font-size="10">{year}</text>')
        year += 1
    for m in ms:
        x = left + 30 + (m.date - first).days / span * (width - left - right - 30)
        y = rows.get(m.category, 90)
        parts.append(f'<circle cx="{x:.1f}" cy="{y}" r="5" fill="{COLORS.get(m.category, "#333")}">'
                     f'<title>{escape(m.date.isoformat())} (seq {m.seq}): {escape(m.label)}'
                     f'</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def _img(png: bytes, name: str, title: str) -> str:
    data = base64.b64encode(png).decode()
    return (f'<figure id="plot-{escape(name.removesuffix(".png"))}"><img class="plot" '
            f'alt="{escape(title)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{escape(title)} (also <code>plots/{escape(name)}</code>)"
            f"</figcaption></figure>")


def _trustee_section(reports: list[dict[str, Any]], links: dict[int, list[tuple[str, str]]]) -> str:
    """One row a payment date: what it paid out, the triggers, and its trustee report."""
    head = ["payment date", "waterfall", "available", "left", "principal paid",
            "interest / income paid", "trigger status", "trustee report"]
    rows = []
    for r in reports:
        docs = links.get(r["seq"], [])
        cells = [r["payment_date"], r["waterfall"] + (" (final)" if r["final"] else ""),
                 wan(r["available_fen"]), wan(r["remaining_fen"]),
                 wan(sum(t["principal_paid_fen"] for t in r["tranches"])),
                 wan(sum(t["interest_paid_fen"] for t in r["tranches"])),
                 r["triggers"]["status"]]
        tds = "".join(f'<td class="l d">{escape(str(c))}</td>' if i == 0
                      else f'<td class="l">{escape(str(c))}</td>' if i in (1, 6)
                      else f"<td>{escape(str(c))}</td>" for i, c in enumerate(cells))
        link = " · ".join(f'<a href="{escape(path)}">{escape(label)}</a>' for label, path in docs)
        rows.append(f'<tr class="trustee-report">{tds}<td class="l">{link}</td></tr>')
    ths = "".join(f'<th class="l">{escape(h)}</th>' if i in (0, 1, 6, 7) else f"<th>{escape(h)}</th>"
                  for i, h in enumerate(head))
    return f"<table><thead><tr>{ths}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _servicer_section(months: list[dict[str, Any]]) -> str:
    return _table(
        ["month", "collections", "of which principal", "swept to trust", "late transfers",
         "collection account month end", "collection account peak (date)",
         "largest on a non-business day", "purchased principal", "pool closing",
         "charged off", "NPL ratio"],
        [[m["month"], wan(m["collections_fen"]), wan(m["collections_principal_fen"]),
          wan(m["swept_to_trust_fen"]), m["late_transfers"],
          wan(m["collection_account_month_end_fen"]),
          f'{wan(m["collection_account_peak_fen"])} ({m["collection_account_peak_date"] or "-"})',
          wan(m["collection_account_non_business_day_peak_fen"]),
          wan(m["purchased_principal_fen"]), wan(m["pool_closing_fen"]),
          wan(m["charged_off_fen"]), f"{m['npl_ratio_ppm_month_end'] / 10_000:.4f}%"]
         for m in months])


def _breaks_section(breaks: list[dict[str, Any]]) -> str:
    """Every reconciliation break: what, whose, how much, how long open, what it cost."""
    if not breaks:
        return ""
    rows = [[b["break"], b["cause"], b["party"], f"{b['account']} / {b['counterparty']}",
             wan(b["amount_fen"]), b["opened"], b["resolved"] or "open at the end",
             b["days_open"], b["business_days_open"] if b["business_days_open"] is not None else "",
             wan(b["interest_fen"]), wan(b["shortfall_fen"]), wan(b["loss_fen"])] for b in breaks]
    return (f'<section id="breaks"><h2>Reconciliation breaks ({len(breaks)})</h2>'
            f"<p>Each difference between the trust's accounts and what the trustee was told or "
            f"instructed, found on a statement (<code>reconciliation_breaks</code>): how long it "
            f"stayed open and what it cost (wan).</p>"
            + _table(["break", "cause", "party", "accounts", "amount", "opened", "resolved",
                      "days open", "business days", "interest", "shortfall", "loss"], rows, left=7)
            + "</section>")


def render(rd: ReportData, plots: dict[str, tuple[str, bytes]], audit: AuditReport,
           trustee: list[dict[str, Any]], servicer: list[dict[str, Any]],
           links: dict[int, list[tuple[str, str]]] | None = None, fonts: FontSet | None = None,
           breaks: list[dict[str, Any]] | None = None) -> str:
    """The page. ``links``: payment date seq -> (label, path) of its trustee report's documents;
    ``fonts``: the subset to embed (the page's characters must be in it); ``breaks``: the
    run's reconciliation breaks (:func:`trustsim.audit.checks.reconciliation.break_table`)."""
    body = _body(rd, plots, audit, trustee, servicer, links or {}, breaks or [])
    css = (fonts.css(body) if fonts is not None else "") + CSS.replace("%(stack)s", font_stack())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(rd.deal)}: run report</title><style>{css}</style>
<script>{SCRIPT}</script></head>
{body}</html>
"""


def _body(rd: ReportData, plots: dict[str, tuple[str, bytes]], audit: AuditReport,
          trustee: list[dict[str, Any]], servicer: list[dict[str, Any]],
          links: dict[int, list[tuple[str, str]]], breaks: list[dict[str, Any]]) -> str:
    s = rd.summary
    notes = s.get("notes", {})
    order = [c for c in rd.classes if c in notes] + [c for c in notes if c not in rd.classes]
    summary_rows = [[c, wan(n.get("principal_fen")), wan(n.get("principal_paid_fen")),
                     wan(n.get("interest_paid_fen")), wan(n.get("loss_fen")),
                     "yes" if n.get("paid_in_full") else "no"] for c in order for n in (notes[c],)]
    revolving = s.get("revolving_end") or {}
    cal = s.get("calendar") or {}
    flagged = set(cal.get("flagged_figures") or ())

    def star(name: str) -> str:
        return " *" if name in flagged else ""

    if "notes" in flagged:
        summary_rows = [[f"{r[0]} *", *r[1:]] for r in summary_rows]
    facts = [
        f"Revolving period ended {revolving.get('date')}{star('revolving_end.date')} ({revolving.get('cause')}).",
        f"Trust terminated {s.get('trust_termination_date')}{star('trust_termination_date')} "
        f"({s.get('termination_cause')}).",
        "Triggers: " + (", ".join(f"{t.get('kind')} ({t.get('clause')}) on {t.get('date')}"
                                  for t in s.get("triggers", [])) or "none fired") + ".",
    ]
    top, top_on = rd.exposure.top()
    if top_on is not None:
        close, close_on = rd.exposure.top(business_day=True, at_close=True)
        kind = "a business day" if rd.exposure.business_day[rd.exposure.dates.index(top_on)] \
            else "not a business day"
        facts.append(f"Money at the servicer (commingling exposure, every calendar day): at most "
                     f"{wan(top)} wan, on {top_on}{star('commingling.peak_date')} ({kind}); at "
                     f"most {wan(close)} wan at a business day's close ({close_on}); lost to its "
                     f"estate: {wan(int((s.get('commingling') or {}).get('lost_fen') or 0))} wan.")
    if cal:
        hf = cal.get("holiday_file") or {}
        facts.append(f"Business days: {cal.get('business_days')}, from {cal.get('data')}"
                     + (f" and the holiday file {hf.get('path')} (sha256 {hf.get('sha256')})" if hf else "")
                     + ".")
    if cal.get("assumed_years"):
        facts.append(f"* ASSUMED CALENDAR: {', '.join(map(str, cal['assumed_years']))} have no published "
                     f"holidays; business days assumed {cal.get('unpublished_years')}. Figures resting on "
                     f"them: {', '.join(sorted(flagged)) or 'none'}.")
    audit_rows = [[r.name, r.clause, r.status, r.checked, len(r.findings),
                   ", ".join(str(f.seq) for f in r.findings[:8] if f.seq is not None)]
                  for r in audit.results]
    audit_table = _table(["check", "clause", "result", "checked", "failures", "offending seq"],
                         audit_rows, left=3).replace(
        "<td class=\"l\">pass</td>", '<td class="l pass">pass</td>').replace(
        "<td class=\"l\">fail</td>", '<td class="l fail">fail</td>').replace(
        "<td class=\"l\">skipped</td>", '<td class="l skipped">skipped</td>')
    legend = " ".join(f'<span class="cat" style="background:{c}"></span>{escape(k)}'
                      for k, c in COLORS.items())
    ms_rows = [[m.date.isoformat(), m.category, m.label, m.seq] for m in rd.milestones]
    cats = sorted({c for *_x, f in rd.cash_flows for c in f})
    cf_rows = [[d.isoformat(), w, *[wan(f.get(c, 0)) for c in cats],
                wan(sum(f.values()))] for _seq, d, w, f in rd.cash_flows]
    figures = "".join(_img(png, name, title) for name, (title, png) in plots.items())
    verdict = ('<span class="pass">all checks pass</span>' if audit.passed
               else '<span class="fail">checks failed</span>')
    return f"""<body>
<h1>{escape(rd.deal)}: run report</h1>
<p>Run folder <code>{escape(rd.run_dir)}</code>, seed {escape(str(s.get("seed")))},
{escape(str(s.get("pool_kind")))} pool. Every figure is read from the run's event log.
Amounts in wan (万元, 10k CNY).</p>
<section id="summary"><h2>Summary</h2>
{_table(["class", "principal", "principal paid", "interest / income paid", "loss",
         "paid in full"], summary_rows)}
<ul>{"".join(f"<li>{escape(f)}</li>" for f in facts)}</ul></section>
<section id="audit"><h2>Audit of the log</h2><p>{verdict}
(<code>trustsim audit</code> lists each finding).</p>{audit_table}</section>
<section id="timeline"><h2>Timeline of key events</h2><p>{legend}</p>
{_timeline_svg(rd)}
<details><summary>{len(rd.milestones)} key events</summary>
{_table(["date", "kind", "event", "seq"], ms_rows, left=3)}</details></section>
{_breaks_section(breaks)}
<section id="plots"><h2>Balances, pool and notes</h2>{figures}</section>
<section id="cash-flows"><h2>Cash flow of each payment date (wan)</h2>
{_table(["payment date", "waterfall", *cats, "total paid"], cf_rows, left=2)}</section>
<section id="trustee-reports"><h2>Trustee reports ({len(trustee)} payment dates, wan)</h2>
<p>The trustee report (受托机构报告) of each payment date is a document of its own, in HTML
and PDF; the same figures as <code>trustee/*.csv</code> and <code>trustee/reports.json</code>.</p>
{_trustee_section(trustee, links)}</section>
<section id="servicer-reports"><h2>Servicer reports ({len(servicer)} months, wan)</h2>
<p>Also as <code>servicer/monthly.csv</code> and <code>servicer/monthly.json</code>.</p>
{_servicer_section(servicer)}</section>
</body>"""
