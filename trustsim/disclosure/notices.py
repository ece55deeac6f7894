"""The notices a run's rules required, matched with the ones the trustee issued.

Read from a run folder alone (the log, config.json) and the market's rules file: which
notices were due and by when (:mod:`trustsim.disclosure.desk`), and for each the
``disclosure_issued`` line that issued it — on time, late, or missing. The report writes
this as ``disclosures.json`` and a readable ``disclosures.md`` / ``disclosures.html``; the
audit's ``disclosures_issued_in_time`` check turns each late or missing notice into a
finding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

import orjson

from trustsim.calendar import CalendarRangeError
from trustsim.config.errors import ConfigError
from trustsim.disclosure.desk import Due, detect
from trustsim.disclosure.rules import RuleSet, market_of, rules_for_market

Status = Literal["on time", "late", "missing"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice the rules required, and what became of it."""

    due: Due
    status: Status
    issued_seq: int | None
    issued_on: dt.date | None

    def to_dict(self, rules: RuleSet) -> dict[str, Any]:
        r = rules.rule(self.due.rule)
        return {
            "rule": r.id, "event": r.event, "title": r.title, "subject": self.due.subject,
            "event_date": self.due.event_date.isoformat(), "event_seq": self.due.seq,
            "due_date": self.due.due_date.isoformat(),
            "deadline": f"{r.deadline.days} {r.deadline.basis} days",
            "status": self.status,
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "issued_seq": self.issued_seq, "facts": self.due.facts,
            "sources": [{"title": rules.sources[c.ref].title, "article": c.article,
                         "url": rules.sources[c.ref].url} for c in r.sources],
            "assumption": r.assumption,
        }


@dataclass(frozen=True, slots=True)
class Review:
    """A run's disclosures: the market, its rules, each notice due, and issued lines that
    answer no notice due (``stray``)."""

    market: str
    rules: RuleSet
    notices: tuple[Notice, ...]
    stray: tuple[Mapping[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"trustsim": "disclosures", "market": self.market, "rules": self.rules.title,
                "notices": [n.to_dict(self.rules) for n in self.notices],
                "stray": [{"seq": e.get("seq"), "rule": e.get("rule"), "subject": e.get("subject"),
                           "event_date": e.get("event_date")} for e in self.stray]}


def issued_key(e: Mapping[str, Any]) -> tuple[str, str, str]:
    return str(e.get("rule")), str(e.get("event_date")), str(e.get("subject"))


def reconcile(dues: Sequence[Due], events: Sequence[Mapping[str, Any]]
              ) -> tuple[list[Notice], list[Mapping[str, Any]]]:
    """Each due notice with the first ``disclosure_issued`` line of its rule, event date and
    subject: on time if issued on or before the due date, else late; missing if none."""
    issued: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for e in events:
        if e.get("event") == "disclosure_issued":
            issued.setdefault(issued_key(e), []).append(e)
    out = []
    for d in dues:
        lines = issued.get(d.key)
        if not lines:
            out.append(Notice(d, "missing", None, None))
            continue
        line = lines.pop(0)
        on = dt.date.fromisoformat(str(line["date"]))
        out.append(Notice(d, "on time" if on <= d.due_date else "late", int(line["seq"]), on))
    stray = [e for lines in issued.values() for e in lines]
    return out, sorted(stray, key=lambda e: int(e.get("seq") or 0))


def steps_from_terms(terms: Any) -> dict[str, tuple[str, tuple[str, ...]]]:
    """step id -> (action, targets), from the audit's reading of config.json (``terms.waterfalls``)."""
    return {s.pay: (s.action, tuple(s.targets)) for steps in terms.waterfalls.values() for s in steps}


def review(log: Any) -> Review | None:
    """The disclosures of a run read back (``log``: a :class:`trustsim.audit.AuditLog`);
    None if there are no rules for the deal's market."""
    market = market_of(log.config)
    rules = rules_for_market(market)
    if rules is None or market is None:
        return None
    dues = detect(log.events, rules, log.terms.calendar, steps_from_terms(log.terms), log.config)
    notices, stray = reconcile(dues, log.events)
    return Review(market, rules, tuple(notices), tuple(stray))


# ---------------------------------------------------------------- readable forms
def _facts(facts: Mapping[str, Any]) -> str:
    parts = []
    for k, v in facts.items():
        if k.endswith("_fen") and isinstance(v, int):
            parts.append(f"{k.removesuffix('_fen')} {wan(v)} 万元")
        else:
            parts.append(f"{k} {v}")
    return "; ".join(parts)


def wan(fen: int) -> str:
    """Fen as 万元 with two decimals, exactly (no float)."""
    sign = "-" if fen < 0 else ""
    whole, rest = divmod(abs(fen), 1_000_000)
    cents = (rest + 5_000) // 10_000   # half up, to 0.01 万元
    if cents == 100:
        whole, cents = whole + 1, 0
    return f"{sign}{whole:,}.{cents:02d}"


def _rows(rv: Review) -> list[list[str]]:
    rows = []
    for n in rv.notices:
        r = rv.rules.rule(n.due.rule)
        rows.append([n.due.event_date.isoformat(), r.id, r.title, n.due.subject, _facts(n.due.facts),
                     n.due.due_date.isoformat(), n.issued_on.isoformat() if n.issued_on else "—",
                     n.status])
    return rows


HEAD = ["event date", "rule", "notice", "subject", "figures", "due by", "issued", "status"]


def markdown(rv: Review | None) -> str:
    """The notices as a Markdown section (disclosures.md)."""
    if rv is None:
        return "## Major-event disclosure\n\nNo disclosure rules for this deal's market.\n"
    lines = ["## Major-event disclosure", "",
             f"Market: **{rv.market}** — {rv.rules.title}. Deadlines count "
             f"{'exchange trading' if rv.market == 'exchange' else 'interbank working'} days "
             "as the deal's calendar has them.", ""]
    if not rv.notices:
        lines.append("No major event in this run required a notice.")
    else:
        lines += ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in _rows(rv)]
    if rv.stray:
        lines += ["", f"{len(rv.stray)} notice(s) issued that no rule required: seq "
                  + ", ".join(str(e.get('seq')) for e in rv.stray)]
    lines += ["", "Rules and sources:", ""]
    for r in rv.rules.rules:
        cites = "; ".join(f"{rv.rules.sources[c.ref].title} {c.article}" for c in r.sources)
        lines.append(f"- `{r.id}` ({r.deadline.days} {r.deadline.basis} days): {r.title} — {cites}"
                     + (f" — ASSUMPTION: {r.assumption}" if r.assumption else ""))
    return "\n".join(lines) + "\n"


CSS = ("body{font-family:%s;margin:2em auto;max-width:1200px;color:#222;"
       "padding:0 1em}table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #ccc;"
       "padding:.25em .5em;text-align:left;white-space:nowrap}td.w{white-space:normal}"
       "th{background:#f3f3f3}.late,.missing{color:#c00;font-weight:bold}"
       ".on-time{color:#2a7a2a}")


def html(rv: Review | None, font_css: str = "", font_family: str = "system-ui,sans-serif") -> str:
    """The notices as a self-contained HTML page (disclosures.html); ``font_css``: an
    ``@font-face`` embedding the page's characters (the report's packaged CJK font)."""
    md_intro = "No disclosure rules for this deal's market." if rv is None else \
        f"Market: {rv.market} — {rv.rules.title}."
    body = [f"<h1>Major-event disclosure</h1><p>{escape(md_intro)}</p>"]
    if rv is not None:
        if rv.notices:
            head = "".join(f"<th>{escape(h)}</th>" for h in HEAD)
            rows = []
            for row in _rows(rv):
                cls = row[-1].replace(" ", "-")
                cells = "".join(
                    f'<td class="w">{escape(c)}</td>' if i in (2, 4) else f"<td>{escape(c)}</td>"
                    for i, c in enumerate(row[:-1]))
                rows.append(f'<tr>{cells}<td class="{cls}">{escape(row[-1])}</td></tr>')
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        else:
            body.append("<p>No major event in this run required a notice.</p>")
        items = []
        for r in rv.rules.rules:
            cites = "; ".join(
                f"{escape(rv.rules.sources[c.ref].title)} {escape(c.article)}" for c in r.sources)
            extra = f" <em>ASSUMPTION: {escape(r.assumption)}</em>" if r.assumption else ""
            items.append(f"<li><code>{escape(r.id)}</code> ({r.deadline.days} {r.deadline.basis} "
                         f"days): {escape(r.title)} — {cites}{extra}</li>")
        body.append(f"<h2>Rules and sources</h2><ul>{''.join(items)}</ul>")
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; font-src data:; "
            "style-src 'unsafe-inline'\"><title>Major-event disclosure</title>"
            f"<style>{font_css}{CSS % font_family}</style></head><body>{''.join(body)}</body></html>\n")


class DisclosureReport:
    """What ``trustsim report`` writes for the disclosures: ``disclosures.json``, ``.md`` and
    a self-contained ``.html`` in the report's font. ``text``: every character the pages
    use (the report's font subset must hold them). A rules file that cannot be read, or a
    due date beyond the calendar, is said in each, as the audit's check says it."""

    def __init__(self, log: Any) -> None:
        self.error: str | None = None
        self.review: Review | None = None
        try:
            self.review = review(log)
        except (ConfigError, CalendarRangeError) as exc:
            self.error = str(exc)
        if self.error is not None:
            self.markdown = f"## Major-event disclosure\n\nThe disclosures cannot be worked out: {self.error}\n"
        else:
            self.markdown = markdown(self.review)
        self.text = self.markdown + html(self.review)

    def files(self, fonts: Any = None) -> dict[str, bytes]:
        """The files; ``fonts``: the report's :class:`trustsim.reports.fonts.FontSet`."""
        rv = self.review
        if self.error is not None:
            data: dict[str, Any] = {"trustsim": "disclosures", "error": self.error}
            page = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Major-event "
                    f"disclosure</title></head><body><pre>{escape(self.markdown)}</pre></body></html>\n")
        else:
            data = rv.to_dict() if rv is not None else {
                "trustsim": "disclosures", "market": None, "rules": None, "notices": [], "stray": []}
            page = html(rv)
            if fonts is not None and fonts.covers(page):
                from trustsim.reports.fonts import font_stack

                page = html(rv, fonts.css(page), font_stack())
        return {"disclosures.json": orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n",
                "disclosures.md": self.markdown.encode(), "disclosures.html": page.encode()}


def report_files(log: Any) -> dict[str, bytes]:
    """The disclosure files without the report's font (see :class:`DisclosureReport`)."""
    return DisclosureReport(log).files()


# ---------------------------------------------------------------- the trustee report's section
SECTION_TEXT: dict[str, dict[str, Any]] = {
    "zh": {"title": "重大事项临时披露", "head": ["事件日期", "事项", "对象", "披露截止日", "披露日", "状态"],
           "none": "本期无须临时披露的重大事项。", "on time": "按时", "late": "逾期", "missing": "未披露",
           "rules": "披露规则：{title}；期限为事件发生后{days}个{basis}。"},
    "en": {"title": "Major-event disclosure",
           "head": ["event date", "event", "subject", "due by", "issued", "status"],
           "none": "No major event in the period required a notice.", "on time": "on time",
           "late": "late", "missing": "missing",
           "rules": "Rules: {title}; notices are due {days} {basis} days after the event."},
}
_BASIS = {"zh": {"business": "工作日", "calendar": "自然日"}, "en": {"business": "business", "calendar": "calendar"}}
_REVIEWS: dict[int, tuple[Any, Review | None]] = {}


def _review_once(log: Any) -> Review | None:
    """The log's review, computed once for all the payment dates' sections."""
    held = _REVIEWS.get(id(log))
    if held is None or held[0] is not log:
        _REVIEWS.clear()
        try:
            held = (log, review(log))
        except (ConfigError, CalendarRangeError):
            held = (log, None)
        _REVIEWS[id(log)] = held
    return held[1]


def _title(rule_title: str, lang: str) -> str:
    zh, _, en = rule_title.partition(" — ")
    return (zh if lang == "zh" else en or zh).strip()


def trustee_section(log: Any, report: Mapping[str, Any], lang: str) -> Any:
    """The trustee report's section (trustsim.reports.build.TRUSTEE_SECTIONS): the notices
    whose events fall in the payment date's period, with their due and issue dates."""
    from trustsim.reports.document import Para, Section, Table

    rv = _review_once(log)
    if rv is None:
        return None
    words = SECTION_TEXT.get(lang, SECTION_TEXT["en"])
    end = str(report.get("payment_date"))
    start = report.get("period_from")
    rows = [[n.due.event_date.isoformat(), _title(rv.rules.rule(n.due.rule).title, lang),
             n.due.subject, n.due.due_date.isoformat(),
             n.issued_on.isoformat() if n.issued_on else "—", words[n.status]]
            for n in rv.notices
            if (start is None or str(start) < n.due.event_date.isoformat()) and n.due.event_date.isoformat() <= end]
    first = rv.rules.rules[0].deadline
    note = Para(words["rules"].format(title=rv.rules.title, days=first.days,
                                      basis=_BASIS.get(lang, _BASIS["en"])[first.basis]), note=True)
    blocks: list[Any] = [Table(words["head"], rows, left=3)] if rows else [Para(words["none"])]
    return Section("disclosure", words["title"], [*blocks, note])
