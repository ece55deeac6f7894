"""[一.4.1, 二.1(4), issue 13] What a party acts on, it was told: sweeps and pool changes.

Two checks, each read from the log alone:

* **sweeps instructed, executed and advised** [一.4.1] — the servicer's sweep is a payment
  instruction to the custodian (``sweep_instructed``), never a posting of its own: every
  posting out of the collection account into the trust account, and every sweep's excess
  from the servicer's own funds (``collections_swept``, ``sweep_corrected``,
  ``sweep_overpaid``), names an instruction the servicer gave earlier in the log
  (``sweep``), the same day; each instruction is executed in full — its postings add up to
  its amount, unless the collection account is frozen — and the custodian then advises the
  trustee of it (``sweep_advised``) for the amount that arrived. A log that carries no
  sweep instruction and whose sweeps name none was written before sweeps went through the
  custodian: skipped;
* **pool changes confirmed first, removals against payment** [二.1(4)] — every change of the
  pool for lost assets (``lost_assets_replaced``, ``lost_assets_compensated``,
  ``lost_assets_written_off``) follows a proposal (``pool_change_proposed``) and the
  trustee's ``pool_change_confirmed`` of that change, of that kind and size, citing the
  deal's ``remedies.clause``; a confirmation obeys the rule of its kind (a replacement of
  no lower balance, compensation equal to the lost assets' balance); a removal against
  payment — a compensation, the servicer's purchase (``servicer_purchase_completed`` after
  ``servicer_purchase_confirmed``) — comes after the custodian's ``transfer_received`` of
  its price (``ref``: the change or the request) on or before the removal's date, for the
  full price. A confirmed change that never takes effect by the end of the log is a finding.
"""

from __future__ import annotations

from trustsim.audit.log import COLLECTION_ACCOUNT, TRUST_ACCOUNT, AuditLog, Event
from trustsim.audit.model import Check, Outcome

SWEEP_POSTINGS = ("collections_swept", "sweep_corrected", "sweep_overpaid")
#: the pool-change effect events and the kind of change each carries out
EFFECTS = {"lost_assets_replaced": "replacement", "lost_assets_compensated": "compensation",
           "lost_assets_written_off": "write_off"}


def sweeps_instructed_and_advised(log: AuditLog) -> Outcome:
    out = Outcome()
    instructed = {str(e.get("sweep")): e for e in log.of("sweep_instructed")}
    postings = log.of(*SWEEP_POSTINGS)
    if not instructed and not any("sweep" in p for p in postings):
        out.skipped = "no sweep instruction in the log (sweeps posted by the servicer itself)"
        return out
    frozen = [log.day(e) for e in log.of("collection_account_frozen")]
    posted: dict[str, int] = {}
    for p in postings:
        out.checked += 1
        ins = instructed.get(str(p.get("sweep")))
        if ins is None or int(ins["seq"]) > int(p["seq"]):
            out.fail(p["seq"], p["date"], f"{p['event']} moves {p['amount_fen']} fen into the "
                     f"trust account on no sweep instruction the servicer gave before it "
                     f"(sweep {p.get('sweep')})")
            continue
        if p["date"] != ins["date"] or p.get("debit") != TRUST_ACCOUNT:
            out.fail(p["seq"], p["date"], f"sweep {ins['sweep']} instructed {ins['date']} is "
                     f"executed {p['date']} into {p.get('debit')}", int(ins["seq"]))
        posted[str(ins["sweep"])] = posted.get(str(ins["sweep"]), 0) + int(p["amount_fen"])
    for p in log.postings:
        if p.get("credit") == COLLECTION_ACCOUNT and p.get("debit") == TRUST_ACCOUNT \
                and p["event"] not in SWEEP_POSTINGS:
            out.checked += 1
            out.fail(p["seq"], p["date"], f"{p['event']}: {p['amount_fen']} fen leave the "
                     f"collection account for the trust account outside a sweep instruction")
    advised: dict[str, Event] = {}
    for a in log.of("sweep_advised"):
        sweep = str(a.get("sweep"))
        out.checked += 1
        ins = instructed.get(sweep)
        if ins is None or sweep in advised:
            out.fail(a["seq"], a["date"], f"the custodian advises sweep {sweep}, "
                     + ("advised already" if ins is not None else "which was never instructed"))
            continue
        advised[sweep] = a
        if int(a["amount_fen"]) != posted.get(sweep, 0):
            out.fail(a["seq"], a["date"], f"sweep {sweep}: advised {a['amount_fen']} fen, "
                     f"{posted.get(sweep, 0)} fen posted", int(ins["seq"]))
    last = log.events[-1]["date"] if log.events else ""
    for sweep, ins in instructed.items():
        out.checked += 1
        moved, amount = posted.get(sweep, 0), int(ins["amount_fen"])
        adv = advised.get(sweep)
        if adv is None:
            if ins["date"] < last:
                out.fail(ins["seq"], ins["date"], f"sweep {sweep} ({amount} fen) instructed and "
                         f"never advised to the trustee")
            continue
        if int(adv["seq"]) < int(ins["seq"]):
            out.fail(adv["seq"], adv["date"], f"sweep {sweep} advised before it was instructed",
                     int(ins["seq"]))
        if moved != amount and not any(f <= log.day(ins) for f in frozen):
            out.fail(ins["seq"], ins["date"], f"sweep {sweep}: {amount} fen instructed, {moved} "
                     f"fen executed", int(adv["seq"]))
    return out


def _price_paid(log: AuditLog, ref: str, price: int, effect: Event, out: Outcome) -> None:
    """The removal ``effect`` must follow the receipt of its full price (``ref``)."""
    paid = [t for t in log.of("transfer_received") if t.get("ref") == ref
            and int(t["seq"]) < int(effect["seq"]) and t["date"] <= effect["date"]]
    got = sum(int(t["amount_fen"]) for t in paid)
    if got < price:
        out.fail(effect["seq"], effect["date"], f"{effect['event']} ({ref}): the assets leave "
                 f"the pool with {got} fen of the price {price} fen received before it")


def pool_changes_confirmed_first(log: AuditLog) -> Outcome:
    out = Outcome()
    proposed = {str(e.get("change")): e for e in log.of("pool_change_proposed")}
    confirmed = {str(e.get("change")): e for e in log.of("pool_change_confirmed")}
    done: dict[str, Event] = {}
    old_style = 0
    for name, kind in EFFECTS.items():
        for e in log.of(name):
            if "change" not in e:
                old_style += 1
                continue
            out.checked += 1
            change = str(e["change"])
            c = confirmed.get(change)
            if c is None or int(c["seq"]) > int(e["seq"]):
                done.setdefault(change, e)
                out.fail(e["seq"], e["date"], f"{name} ({change}) takes effect before the "
                         f"trustee confirmed the change" if c is not None else
                         f"{name} ({change}): the trustee never confirmed the change",
                         *((int(c["seq"]),) if c is not None else ()))
                continue
            if change in done:
                out.fail(e["seq"], e["date"], f"pool change {change} takes effect twice",
                         int(done[change]["seq"]))
                continue
            done[change] = e
            if c.get("kind") != kind or int(c.get("removed_fen", -1)) != int(e["removed_fen"]):
                out.fail(e["seq"], e["date"], f"{name} ({change}) removes {e['removed_fen']} fen; "
                         f"the trustee confirmed a {c.get('kind')} of {c.get('removed_fen')} fen",
                         int(c["seq"]))
            if kind == "compensation":
                _price_paid(log, change, int(c.get("price_fen") or 0), e, out)
    remedies = log.config.get("remedies") if isinstance(log.config, dict) else None
    clause = remedies.get("clause") if isinstance(remedies, dict) else None
    for change, c in confirmed.items():
        out.checked += 1
        if c.get("clause") != clause:
            out.fail(c["seq"], c["date"], f"pool change {change} confirmed under clause "
                     f"{c.get('clause')}; the deal's remedies clause is {clause}")
        p = proposed.get(change)
        if p is None or int(p["seq"]) > int(c["seq"]):
            out.fail(c["seq"], c["date"], f"the trustee confirms pool change {change}, which "
                     f"the originator had not proposed")
        removed, added, price = (int(c.get(k) or 0) for k in ("removed_fen", "added_fen", "price_fen"))
        kind = str(c.get("kind"))
        if kind == "replacement" and added < removed:
            out.fail(c["seq"], c["date"], f"replacement {change} confirmed with {added} fen for "
                     f"lost assets of {removed} fen (no lower balance)")
        if kind == "compensation" and price != removed:
            out.fail(c["seq"], c["date"], f"compensation {change} confirmed at {price} fen for "
                     f"lost assets of {removed} fen (cash of equal value)")
        if change not in done and c["date"] < (log.events[-1]["date"] if log.events else ""):
            out.fail(c["seq"], c["date"], f"pool change {change} ({kind}) confirmed and never "
                     f"carried out")
    purchases = {str(e.get("request")): e for e in log.of("servicer_purchase_confirmed")}
    for e in log.of("servicer_purchase_completed"):
        out.checked += 1
        req = str(e.get("request"))
        c = purchases.get(req)
        if c is None or int(c["seq"]) > int(e["seq"]):
            out.fail(e["seq"], e["date"], f"servicer purchase {req} completed before the trustee "
                     f"confirmed it")
            continue
        if "paid_fen" in e:   # a log from before delivery against payment has no paid_fen
            _price_paid(log, req, int(e.get("price_fen") or 0), e, out)
    if old_style:
        out.notes.append(f"{old_style} pool change(s) carry no change id: a log written before the "
                         f"trustee confirmed pool changes, not checked")
    if not out.checked:
        out.skipped = "no pool change for lost assets and no servicer purchase in the log"
    return out


SWEEPS = Check("sweeps_instructed_and_advised", "一.4.1",
               "every sweep a servicer instruction the custodian executed and advised to the trustee",
               sweeps_instructed_and_advised)
POOL_CHANGES = Check("pool_changes_confirmed_first", "二.1(4)",
                     "every pool change confirmed by the trustee before it takes effect; each "
                     "removal's price received on or before the removal", pool_changes_confirmed_first)
