"""[一.4.2, 一.4.4(2)] After an event of default the trust is liquidated, never handed over in kind.

From config.json and the log alone:

* a trust that terminates after an event of default with a class unpaid hands no
  receivables to a class in kind (``trust_terminated``'s ``pool_released_fen`` and
  ``released_to``): they are sold, and the finding names every class still unpaid that
  ranks ahead of the recipient (every unpaid class, if the recipient is not a class);
* each ``liquidation_sale`` follows an event of default, at the price the deal's
  ``termination.liquidation`` percentages give the sold receivables by status;
* the buyer's price reaches the trust account (a ``transfer_received`` from the buyer of
  that amount) and the next distribution is a final one of the post-default waterfall
  holding it, no later than the 2nd business day after the liquidation completes
  [一.4.2], before ``trust_terminated``.

Seniority is the order of the deal's ``classes`` in config.json.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trustsim.audit.log import AuditLog, Event
from trustsim.audit.model import Check, Outcome

POST_DEFAULT = "post_default"
FINAL_DATE_WITHIN_BD = 2   # [一.4.2] no later than the 2nd business day after liquidation


def _fen(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _price(cfg: dict[str, Any], sale: Event) -> int | None:
    """The sale's price by the deal's percentages; None when config.json has none."""
    liq = ((cfg.get("termination") or {}).get("liquidation")) or None
    if not isinstance(liq, dict):
        return None
    total = 0
    for status in ("performing", "overdue", "non_performing"):
        pct = Decimal(str(liq[f"price_pct_of_{status}"]))
        total += _fen(Decimal(int(sale.get(f"{status}_fen") or 0)) * pct / 100)
    return total


def _nothing_in_kind(log: AuditLog, default: Event, ended: Event, out: Outcome) -> None:
    out.checked += 1
    released = int(ended.get("pool_released_fen") or 0)
    owed = ended.get("notes_outstanding_by_class_fen") or {}
    order = list(log.class_names)
    unpaid = [(c, int(owed.get(c) or 0)) for c in order if int(owed.get(c) or 0) > 0]
    if released <= 0 or not unpaid:
        return
    to = str(ended.get("released_to") or "")
    recipient = next((c for c in order if to.startswith(f"{c}_")), None)
    ahead = [(c, v) for c, v in unpaid
             if recipient is not None and order.index(c) < order.index(recipient)]
    listed = ", ".join(f"{c} ({v} fen)" for c, v in (ahead or unpaid))
    out.fail(ended["seq"], ended["date"],
             f"{released} fen of receivables went in kind to {to or 'a class'} after event of "
             f"default ({default.get('clause')}) while "
             + (f"a class ranking ahead of {recipient} was unpaid: {listed}" if ahead
                else f"unpaid: {listed}")
             + "; they must be sold and the price distributed by the post-default waterfall",
             default["seq"])


def _sale_distributed(log: AuditLog, sale: Event, default: Event | None, ended: Event | None,
                      out: Outcome) -> None:
    out.checked += 1
    if default is None or default["seq"] > sale["seq"]:
        out.fail(sale["seq"], sale["date"], "a liquidation sale without an event of default "
                                            "before it")
        return
    price = int(sale.get("price_fen") or 0)
    want = _price(log.config, sale)
    if want is None:
        out.notes.append("config.json has no termination.liquidation: the sale price is not "
                         "recomputed")
    elif want != price:
        out.fail(sale["seq"], sale["date"], f"liquidation sale at {price} fen; the deal's "
                                            f"percentages give {want} fen")
    if price <= 0:
        return
    buyer = sale.get("buyer")
    end_seq = ended["seq"] if ended is not None else float("inf")
    paid = next((e for e in log.of("transfer_received") if e["seq"] > sale["seq"]
                 and e.get("payer") == buyer and e.get("amount_fen") == price), None)
    if paid is None or paid["seq"] > end_seq:
        out.fail(sale["seq"], sale["date"], f"the buyer's price of {price} fen never reached "
                                            f"the trust account before the trust ended")
        return
    dist = next((e for e in log.of("payment_date") if e["seq"] > paid["seq"]), None)
    if dist is None or dist["seq"] > end_seq:
        out.fail(paid["seq"], paid["date"], f"the sale's {price} fen were not distributed "
                                            f"before the trust ended")
        return
    latest = log.calendar.add_business_days(log.day(paid), FINAL_DATE_WITHIN_BD)
    if dist.get("waterfall") != POST_DEFAULT or int(dist.get("available_fen") or 0) < price:
        out.fail(dist["seq"], dist["date"], f"the sale's {price} fen were distributed by the "
                 f"{dist.get('waterfall')} waterfall holding {dist.get('available_fen')} fen, "
                 f"not by the post-default waterfall", paid["seq"])
    elif log.day(dist) > latest:
        out.fail(dist["seq"], dist["date"], f"the sale's proceeds, received {paid['date']}, "
                 f"distributed after {latest} (the 2nd business day after liquidation)",
                 paid["seq"])


def wind_up_after_default(log: AuditLog) -> Outcome:
    out = Outcome()
    default = next((e for e in log.of("trigger_fired") if e.get("kind") == "default"), None)
    ended = next(iter(log.of("trust_terminated")), None)
    sales = log.of("liquidation_sale")
    if default is None and not sales:
        out.skipped = "no event of default"
        return out
    if default is not None and ended is not None:
        _nothing_in_kind(log, default, ended, out)
    for sale in sales:
        _sale_distributed(log, sale, default, ended, out)
    return out


CHECK = Check("wind_up_after_default", "一.4.2 / 一.4.4(2)",
              "after an event of default the remaining receivables are sold and the price "
              "distributed by the post-default waterfall; nothing goes in kind while a class "
              "is unpaid", wind_up_after_default)
