"""The trustee report of one payment date as a document (受托机构报告), in Chinese or English.

Structured as the reports filed in the market are: the deal and its parties; each class
(and each series of a rolling class) with its balances, payments per 100 CNY of face,
note factor, coupon and expected maturity; the date's waterfall; the accounts; the pool's
performance, delinquency and revolving purchases with their eligibility evidence; every
trigger clause against its threshold; the parties' performance of their duties; the next
payment date. Every figure comes from the report dict of
:func:`trustsim.reports.periodic.trustee_reports` — nothing is computed here but its
formatting, so the HTML and PDF say what the JSON says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from trustsim.reports.document import Document, Facts, Para, Section, Table, wan
from trustsim.reports.i18n import Labels

ROLES = ("originator", "servicer", "trustee", "custodian")


def _opt(v: Any) -> str:
    return "-" if v is None else str(v)


def _basics(r: dict[str, Any], L: Labels) -> Section:
    d = r["deal"]
    period = f"period_{d.get('period')}"
    pool = f"pool_{d.get('pool_kind')}"
    covered = L("period_from_to", a=r["period_from"], b=r["payment_date"]) if r["period_from"] \
        else L("period_start", b=r["payment_date"])
    items = [(L("deal"), _opt(d.get("name"))), (L("source"), _opt(d.get("source"))),
             (L("effective"), d["trust_effective_date"])]
    if d.get("scheduled_revolving_end"):
        items.append((L("revolving_end"), d["scheduled_revolving_end"]))
    items += [(L("legal_maturity"), d["legal_maturity"]),
              (L("pool_kind"), L.get(pool, _opt(d.get("pool_kind")))),
              (L("payment_date"), r["payment_date"]), (L("calculation_date"), r["calculation_date"]),
              (L("period_covered"), covered),
              (L("period_now"), L.get(period, _opt(d.get("period")))),
              (L("waterfall"), r["waterfall"] + (f" ({L('final')})" if r["final"] else "")),
              (L("next_payment_date"), r["next_payment_date"] or L("none_final"))]
    blocks: list[Any] = [Facts(items), Para(L("units"), note=True)]
    if r.get("assumed_calendar"):
        blocks.append(Para(L("assumed_calendar"), note=True))
    return Section("basics", L("basics"), blocks)


def _parties(r: dict[str, Any], L: Labels) -> Section:
    rows = []
    roles = [x for x in ROLES if x in r["parties"]] + [x for x in r["parties"] if x not in ROLES]
    for role in roles:
        p = r["parties"][role]
        extra = [f"{L.get(k, k)}: {v}" for k, v in p.items() if k != "name" and v is not None]
        rows.append([L.get(f"role_{role}", role), _opt(p.get("name"))
                     + (f" ({'; '.join(extra)})" if extra else "")])
    return Section("parties", L("parties"), [Table([L("role"), L("name")], rows, left=2)])


def _notes(r: dict[str, Any], L: Labels) -> Section:
    head = [L("class"), L("rating"), L("coupon"), L("expected_maturity"), L("opening"),
            L("issued"), L("interest_paid"), L("interest_shortfall"), L("principal_paid"),
            L("closing"), L("interest_per_100"), L("principal_per_100"), L("factor")]
    rows: list[list[str]] = []
    sub: set[int] = set()
    notes: list[Para] = []
    for c in r["classes"]:
        coupon = c["coupon_pct"] or "-"
        if c.get("period_income_cap_pct") is not None:
            coupon = L("period_income", cap=c["period_income_cap_pct"])
        rolling = c["rolling"]
        rows.append([c["class"], _opt(c["rating"]), coupon, _opt(c["expected_maturity"]),
                     wan(c["opening_fen"]), wan(c["issued_fen"]), wan(c["interest_paid_fen"]),
                     wan(c["interest_shortfall_fen"]), wan(c["principal_paid_fen"]),
                     wan(c["closing_fen"]),
                     "" if rolling else _opt(c["interest_per_100_cny"]),
                     "" if rolling else _opt(c["principal_per_100_cny"]), _opt(c["note_factor"])])
        for s in c["series"]:
            sub.add(len(rows))
            rows.append([f"{c['class']} {L('series_row', n=s['series'])}", "", "",
                         _opt(s["expected_maturity"]), wan(s["opening_fen"]), wan(s["issued_fen"]),
                         wan(s["interest_paid_fen"]), "", wan(s["principal_paid_fen"]),
                         wan(s["closing_fen"]), _opt(s["interest_per_100_cny"]),
                         _opt(s["principal_per_100_cny"]), _opt(s["note_factor"])])
        if rolling:
            notes.append(Para(L("rolling_note", cls=c["class"], face=wan(c["face_fen"])), note=True))
            repaid = [s for s in c["series"] if s["principal_paid_fen"] and not s["closing_fen"]]
            new = [s for s in c["series"] if s["issued_fen"]]
            if repaid and new:
                notes.append(Para(L("roll_note", cls=c["class"],
                                    old="、".join(str(s["series"]) for s in repaid)
                                    if L.lang == "zh" else ", ".join(str(s["series"]) for s in repaid),
                                    new=new[0]["series"],
                                    paid=wan(sum(s["principal_paid_fen"] for s in repaid)),
                                    issued=wan(sum(s["issued_fen"] for s in new)))))
    return Section("notes", L("notes"), [Table(head, rows, left=2, emphasis=sub), *notes])


def _waterfall(r: dict[str, Any], L: Labels) -> Section:
    facts = Facts([(L("available"), wan(r["available_fen"])),
                   (L("remaining"), wan(r["remaining_fen"]))])
    if not r["waterfall_steps"]:
        return Section("waterfall", L("waterfall_section"), [facts, Para(L("no_steps"))])
    rows = [[s["pay"], _opt(s["clause"]), wan(s["due_fen"]), wan(s["paid_fen"]),
             wan(s["shortfall_fen"]), s["gated_by"] or ""] for s in r["waterfall_steps"]]
    return Section("waterfall", L("waterfall_section"), [
        facts, Table([L("step"), L("clause"), L("due"), L("paid"), L("shortfall"),
                      L("held_back")], rows, left=2)])


def _accounts(r: dict[str, Any], L: Labels) -> Section:
    a = r["accounts"]
    names = list(a["before"]) + [x for x in a["after"] if x not in a["before"]]
    rows = [[L.get(f"acct_{n}", n), wan(a["before"].get(n)), wan(a["after"].get(n))] for n in names]
    return Section("accounts", L("accounts"), [
        Table([L("account"), L("before", d=_opt(a["before_date"])),
               L("after", d=_opt(a["after_date"]))], rows)])


def _prepayment_rows(p: dict[str, Any], L: Labels) -> list[list[str]]:
    """Prepayments of the period, what the rate is computed on, SMM and CPR."""
    if p["prepayments_fen"] is None:
        return [[L("prepayments"), L("not_in_log")]]

    def rate(v: str | None) -> str:
        return f"{v}%" if v is not None else "-"

    return [[L("prepayments"), wan(p["prepayments_fen"])],
            [L("scheduled_principal"), wan(p["scheduled_principal_fen"])],
            [L("prepayment_base"), wan(p["prepayment_base_fen"])],
            [L("smm"), rate(p["smm_pct"])],
            [L("cpr", n=p["period_days"]), rate(p["cpr_pct"])]]


def _pool(r: dict[str, Any], L: Labels) -> Section:
    p = r["pool_performance"]
    init = p["initial_pool_fen"]

    def share(fen: int) -> str:
        from trustsim.reports.trustee import pct

        out = pct(fen, p["pool_outstanding_fen"] or 0, 2)
        return f"{out}%" if out is not None else "-"

    perf = Table([L("item"), L("value")], [
        [L("coll_principal"), wan(p["collections_principal_fen"])],
        [L("coll_income"), wan(p["collections_income_fen"])],
        [L("defaulted_period"), wan(p["defaulted_in_period_fen"])],
        [L("defaulted_cum"), wan(p["cumulative_defaulted_fen"])],
        [L("cdr"), f"{p['cumulative_default_rate_pct']}%" if p["cumulative_default_rate_pct"]
         is not None else "-"],
        [L("charged_off"), wan(p["charged_off_in_period_fen"])],
        [L("initial_pool"), wan(init)],
        [L("pool_out"), wan(p["pool_outstanding_fen"])],
        [L("npl"), f"{p['npl_ratio_ppm'] / 10_000:.4f}%"],
        [L("pool_notes"), f"{p['pool_vs_notes_pct']}%" if p["pool_vs_notes_pct"] is not None
         else "-"],
        *_prepayment_rows(p, L)], widths=None)
    dq_rows = [[L.get(f"dq_{k}", k), wan(v),
                share(v) if not k.startswith(("charged off", "npl fees")) else "-"]
               for k, v in r["delinquency"].items()]
    dq = Table([L("bucket"), "万元", L("share")], dq_rows, caption=L("delinquency"))
    pu = r["revolving_purchases"]
    purch = Table([L("item"), L("value")], [
        [L("requests"), str(pu["requests"])], [L("rejected"), str(pu["rejected"])],
        [L("settled"), str(pu["settled"])], [L("purchase_principal"), wan(pu["principal_fen"])],
        [L("purchase_price"), wan(pu["price_fen"])],
        [L("loans"), str(pu["loans"]) if pu["loans"] is not None else L("n_a_rep_line")]],
        caption=L("purchases"))
    blocks: list[Any] = [perf, dq, Para(L("dq_note"), note=True), purch]
    el = r["eligibility"]
    if el.get("evidence"):
        rows = []
        for c in el["criteria"]:
            if "limit_fen" in c:
                limit, worst = wan(c["limit_fen"]), wan(c["worst_fen"])
            else:
                limit, worst = _opt(c["limit"]), _opt(c["worst"])
            rows.append([L(f"crit_{c['criterion']}"), limit, worst])
        blocks += [Table([L("criterion"), L("limit"), L("worst")], rows, left=1,
                         caption=L("eligibility")),
                   Para(L("evidence", n=el["purchases"], bad=el["with_findings"]), note=True)]
    elif el.get("purchases"):
        blocks.append(Para(L("no_evidence", n=el["purchases"]), note=True))
    return Section("pool", L("pool"), blocks)


def _metric(t: dict[str, Any], L: Labels) -> tuple[str, str]:
    """The metric's name and today's value for one trigger row."""
    m = t["metric"]
    party = L.get(f"role_{t.get('party')}", str(t.get("party"))) if t.get("party") else ""
    if m == "npl_ratio" or m == "pool_to_notes":
        return L(f"m_{m}", n=t["count"], k=t["required"]), t["value"]
    if m == "interest_arrears":
        since = f" ({t['since']})" if t.get("since") else ""
        return L("m_interest_arrears", c=", ".join(t["classes"])), f"{wan(t['value_fen'])}{since}"
    if m == "days_to_legal_maturity":
        return L("m_days_to_legal_maturity"), wan(t["value_fen"])
    if m in ("days_without_successor", "insolvent", "rating"):
        return L(f"m_{m}", p=party), t["value"]
    key = f"m_{m}"
    return L.get(key, m), _opt(t["value"])


def _triggers(r: dict[str, Any], L: Labels) -> Section:
    table = r["trigger_table"]
    if not table:
        return Section("triggers", L("triggers"), [Para(L("no_triggers"))])
    rows = []
    for t in table:
        effect = L("eff_waterfall_switch", w=t["use_waterfall"]) if t["use_waterfall"] \
            else L.get(f"eff_{t['effect']}", t["effect"])
        if t["status"] == "fired":
            status = L("st_fired", d=t["fired_on"], s=t["fired_seq"])
        elif t["status"] == "held":
            status = L("st_held", d=t["condition_held_on"])
        else:
            status = L("st_not_met")
        if not t["recomputed"]:
            status += " " + L("not_recomputed")
        metric, value = _metric(t, L)
        rows.append([t["clause"], t["name"], effect, metric, t["threshold"], value, t["distance"],
                     status])
    day = r["accounts"]["after_date"] or r["payment_date"]
    return Section("triggers", L("triggers"), [
        Table([L("clause"), L("trigger"), L("effect"), L("metric"), L("threshold"), L("today"),
               L("distance"), L("status")], rows, left=4),
        Para(L("trigger_note", d=day), note=True)])


def _duties(r: dict[str, Any], L: Labels) -> Section:
    d = r["duties"]
    s, o, t, c = d["servicer"], d["originator"], d["trustee"], d["custodian"]
    rows = [[L("d_collections"), f"{s['collections']}; {wan(s['collections_fen'])}"],
            [L("d_sweeps"), f"{s['sweeps']}; {wan(s['swept_fen'])}"],
            [L("d_late_sweeps"), str(s["late_sweeps"])],
            [L("d_notices"), str(s["available_funds_notices"])],
            [L("d_requests"), f"{o['purchase_requests']} ({o['late_requests']})"],
            [L("d_rejected"), str(o["rejected"])], [L("d_transfers"), str(o["transfers"])],
            [L("d_instructions"), str(t["instructions_issued"])],
            [L("d_executed"), f"{c['instructions_executed']} ({c['executed_after_value_date']})"]]
    blocks: list[Any] = [Table([L("duty"), L("count")], rows)]
    if d["incidents"]:
        blocks.append(Table([L("date"), L("event"), L("detail"), "seq"],
                            [[i["date"], i["event"], i["what"], str(i["seq"])]
                             for i in d["incidents"]], left=3, caption=L("incidents")))
    else:
        blocks.append(Para(L("no_incidents")))
    return Section("duties", L("duties"), blocks)


def build_document(r: dict[str, Any], lang: str, extra: Sequence[Section] = ()) -> Document:
    """The trustee report ``r`` (one payment date) as a document in ``lang`` ("zh" or "en").

    ``extra`` sections (a disclosure section, say) come after the parties' duties and
    before the next payment date."""
    L = Labels(lang)
    deal = str(r["deal"].get("name") or "")
    sections = [_basics(r, L), _parties(r, L), _notes(r, L), _waterfall(r, L), _accounts(r, L),
                _pool(r, L), _triggers(r, L), _duties(r, L), *extra,
                Section("next", L("next"), [Para(r["next_payment_date"] or L("none_final"))])]
    return Document(lang, L("title"), L("subtitle", deal=deal, date=r["payment_date"]), sections,
                    L("footer", deal=deal, seq=r["seq"]), r["payment_date"])
