"""Building a report folder: the HTML page, its PNG plots, the trustee and servicer reports.

Layout of the folder (written under a temporary name, renamed when complete)::

    report.html                 self-contained: opens offline
    plots/*.png                 the plots the page shows
    trustee/reports.json        one trustee report per payment date
    trustee/<date>-<seq>.json   the same, one file per payment date
    trustee/<lang>/<date>-<seq>.html, .pdf
                                the trustee report (受托机构报告) of each payment date as a
                                document, in Chinese (zh) and/or English (en)
    trustee/tranches.csv        per payment date and class: balances and payments
    trustee/waterfall.csv       per payment date and step: due, paid, shortfall
    trustee/summary.csv         per payment date: pool performance, purchases, triggers
    servicer/monthly.json       one servicer report per month
    servicer/monthly.csv        the same, flat
    disclosures.json            each major-event notice due, its due date and whether it was
                                issued in time (trustsim.disclosure); .md and .html: readable
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trustsim.atomic import atomic_dir
from trustsim.audit.checks.reconciliation import break_table
from trustsim.audit.engine import audit
from trustsim.audit.log import AuditLog
from trustsim.disclosure.notices import DisclosureReport, trustee_section
from trustsim.reports import html, periodic, plots
from trustsim.reports.data import collect
from trustsim.reports.document import Document, Section, to_html, to_pdf
from trustsim.reports.fonts import FontSet, use_in_matplotlib
from trustsim.reports.i18n import LANGS
from trustsim.reports.trustee_doc import build_document

Step = Callable[[str, int, int], None]
#: sections other parts of trustsim add to every trustee report (a disclosure section, say):
#: each is called with the log, the payment date's report dict and the language, and returns
#: its section or None; they appear after the parties' duties, in this list's order
TRUSTEE_SECTIONS: list[Callable[[AuditLog, dict[str, Any], str], Section | None]] = [trustee_section]


@dataclass(frozen=True)
class ReportResult:
    folder: Path
    html: Path
    plots: tuple[Path, ...]
    trustee_count: int
    servicer_count: int
    documents: tuple[Path, ...] = ()     # the trustee reports as HTML and PDF


def _csv(rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return buf.getvalue().encode()


def _json(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n"


def _trustee_tables(reports: list[dict[str, Any]]) -> dict[str, bytes]:
    tranches, steps, summary = [], [], []
    for r in reports:
        for t in r["tranches"]:
            tranches.append({"payment_date": r["payment_date"], **t})
        for s in r["waterfall_steps"]:
            steps.append({"payment_date": r["payment_date"], "waterfall": r["waterfall"], **s})
        summary.append({"payment_date": r["payment_date"], "waterfall": r["waterfall"],
                        "available_fen": r["available_fen"], "remaining_fen": r["remaining_fen"],
                        **r["pool_performance"],
                        **{f"purchases_{k}": v for k, v in r["revolving_purchases"].items()},
                        **{f"dq_{k}": v for k, v in r["delinquency"].items()},
                        "triggers": r["triggers"]["status"],
                        "assumed_calendar": r.get("assumed_calendar", False)})
    return {"tranches.csv": _csv(tranches), "waterfall.csv": _csv(steps),
            "summary.csv": _csv(summary)}


def _servicer_rows(months: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flat = []
    for m in months:
        row = {k: v for k, v in m.items() if k != "delinquency_month_end"}
        row.update({f"dq_{k}": v for k, v in m["delinquency_month_end"].items()})
        flat.append(row)
    return flat


def _flag_assumed_calendar(log: AuditLog, trustee: list[dict[str, Any]], servicer: list[dict[str, Any]]) -> None:
    """Mark each report whose period reaches a year of assumed business days (docs/calendar.md)."""
    started = log.of("run_started")
    cal = (started[0].get("calendar") if started else None) or {}
    first = min(cal.get("assumed_years") or [10_000])
    for r in trustee:
        r["assumed_calendar"] = int(r["payment_date"][:4]) >= first
    for m in servicer:
        m["assumed_calendar"] = int(m["month"][:4]) >= first


def trustee_documents(log: AuditLog, reports: list[dict[str, Any]],
                      langs: tuple[str, ...] = LANGS) -> dict[tuple[int, str], Document]:
    """(payment date seq, language) -> the trustee report of that date as a document."""
    out: dict[tuple[int, str], Document] = {}
    for r in reports:
        for lang in langs:
            extra = [s for f in TRUSTEE_SECTIONS if (s := f(log, r, lang)) is not None]
            out[(r["seq"], lang)] = build_document(r, lang, extra)
    return out


def document_path(report: dict[str, Any], lang: str, ext: str) -> str:
    """Where a trustee report's document lies in the report folder."""
    return f"trustee/{lang}/{report['payment_date']}-{report['seq']}.{ext}"


def build_report(log: AuditLog, out: Path, on_step: Step | None = None,
                 langs: tuple[str, ...] = LANGS, pdf: bool = True) -> ReportResult:
    """Write the report folder for ``log`` at ``out`` (replacing it atomically): the page,
    its plots, the JSON/CSV reports, and each payment date's trustee report in ``langs``
    as HTML (and PDF unless ``pdf`` is False)."""
    bad = [x for x in langs if x not in LANGS]
    if bad or not langs:
        raise ValueError(f"languages {', '.join(bad) or '(none)'}: each must be one of "
                         f"{', '.join(LANGS)}")
    total = 5 + len(plots.PLOTS)
    done = 0

    def step(what: str) -> None:
        nonlocal done
        if on_step is not None:
            on_step(what, done, total)
        done += 1

    step("reading the log")
    rd = collect(log)
    step("auditing the log")
    verdict = audit(log)
    step("trustee and servicer reports")
    trustee = periodic.trustee_reports(log)
    servicer = periodic.servicer_reports(log)
    _flag_assumed_calendar(log, trustee, servicer)
    images: dict[str, tuple[str, bytes]] = {}
    use_in_matplotlib()     # every plot in the packaged CJK font
    for name, (title, draw) in plots.PLOTS.items():
        step(f"plotting {name}")
        images[name] = (plots.title(title, rd), draw(rd))
    step("trustee reports as documents")
    docs = trustee_documents(log, trustee, langs)
    names = {"zh": "中文", "en": "English"}
    links = {r["seq"]: [(f"{names[lang]}{' ' + ext.upper() if ext == 'pdf' else ''}",
                         document_path(r, lang, ext))
                        for lang in langs for ext in (("html", "pdf") if pdf else ("html",))]
             for r in trustee}
    page = html.render(rd, images, verdict, trustee, servicer, links=links)
    disclosures = DisclosureReport(log)
    fonts = FontSet("".join(d.text() for d in docs.values()) + page + disclosures.text)
    step("writing the page")
    page = html.render(rd, images, verdict, trustee, servicer, links=links, fonts=fonts,
                       breaks=break_table(log))
    files: dict[str, bytes] = {"report.html": page.encode()}
    by_seq = {r["seq"]: r for r in trustee}
    per_lang = {lang: "".join(d.text() for (_s, x), d in docs.items() if x == lang)
                for lang in langs}
    for n, ((seq, lang), doc) in enumerate(docs.items()):
        if on_step is not None and n % 8 == 0:
            on_step(f"trustee report {by_seq[seq]['payment_date']} ({lang})", done, total)
        files[document_path(by_seq[seq], lang, "html")] = to_html(doc, fonts,
                                                                  per_lang[lang]).encode()
        if pdf:
            files[document_path(by_seq[seq], lang, "pdf")] = to_pdf(doc, fonts)
    files.update({f"plots/{name}": png for name, (_t, png) in images.items()})
    files["trustee/reports.json"] = _json(trustee)
    for r in trustee:
        files[f"trustee/{r['payment_date']}-{r['seq']}.json"] = _json(r)
    files.update({f"trustee/{k}": v for k, v in _trustee_tables(trustee).items()})
    files["servicer/monthly.json"] = _json(servicer)
    files["servicer/monthly.csv"] = _csv(_servicer_rows(servicer))
    files.update(disclosures.files(fonts))
    _write_folder(out, files)
    if on_step is not None:
        on_step("done", total, total)
    return ReportResult(out, out / "report.html",
                        tuple(out / "plots" / n for n in images), len(trustee), len(servicer),
                        tuple(out / k for k in files if k.startswith("trustee/")
                              and k.endswith((".html", ".pdf"))))


def _write_folder(out: Path, files: dict[str, bytes]) -> None:
    with atomic_dir(out, "report", "--out") as tmp:
        for rel, data in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
