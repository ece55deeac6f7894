"""[二.1(4)] The pool's performance as each business day's close reports it, consistent with itself.

The trustee report's pool section (delinquency buckets, defaults, prepayments and the
conditional prepayment rate) is read from the ``day_closed`` snapshots, so the snapshots
must hang together (definitions in docs/model.md, "Pool performance"):

* the overdue balance by days past due — ``pool_overdue_1_30_fen``, ``_31_60_fen``,
  ``_61_90_fen`` — is never negative and adds up to ``pool_overdue_fen``; the 90+ bucket is
  ``pool_non_performing_fen``, the figure the NPL trigger reads, and the logged
  ``npl_ratio_ppm`` is that balance over the initial cut-off balance (ppm, floored);
* the pool's outstanding balance is its performing, overdue and non-performing principal;
* the cumulative figures — principal prepaid (``pool_prepaid_fen``), fallen due by schedule
  (``pool_scheduled_principal_fen``), charged off, and entered (``pool_bought_fen``) — never
  fall;
* what entered the pool is the initial pool (``run_started.initial_pool_fen``) plus every
  purchase (``receivables_transferred``) and replacement (``lost_assets_replaced.added_fen``)
  logged before the close.

A log written before the buckets were reported (no ``pool_overdue_1_30_fen``) is skipped.
"""

from __future__ import annotations

from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome

BUCKETS = ("pool_overdue_1_30_fen", "pool_overdue_31_60_fen", "pool_overdue_61_90_fen")
CUMULATIVE = ("pool_prepaid_fen", "pool_scheduled_principal_fen", "pool_charged_off_fen",
              "pool_bought_fen")
PPM = 1_000_000


def pool_performance_reported(log: AuditLog) -> Outcome:
    out = Outcome()
    closes = log.of("day_closed")
    if not any(BUCKETS[0] in e for e in closes):
        out.skipped = "the log's closes do not report the pool by days past due"
        return out
    cutoff = log.initial_cutoff_fen
    started = log.of("run_started")
    entered = int(started[0].get("initial_pool_fen") or 0) if started else 0
    additions = [(e["seq"], int(e.get("principal_fen") or 0))
                 for e in log.of("receivables_transferred")]
    additions += [(e["seq"], int(e.get("added_fen") or 0)) for e in log.of("lost_assets_replaced")]
    additions.sort()
    k = 0
    prev: dict[str, int] = {}
    for e in closes:
        seq, date = e["seq"], e["date"]
        out.checked += 1
        fig = {f: int(e.get(f) or 0) for f in (*BUCKETS, *CUMULATIVE, "pool_overdue_fen",
                                               "pool_performing_fen", "pool_non_performing_fen",
                                               "pool_outstanding_fen")}
        buckets = [fig[f] for f in BUCKETS]
        if min(buckets) < 0:
            out.fail(seq, date, f"a delinquency bucket is negative: {buckets}")
        if sum(buckets) != fig["pool_overdue_fen"]:
            out.fail(seq, date, f"the buckets 1-30, 31-60, 61-90 add up to {sum(buckets)} fen, "
                     f"the overdue balance is {fig['pool_overdue_fen']}")
        npl = fig["pool_non_performing_fen"]
        if cutoff and "npl_ratio_ppm" in e and int(e["npl_ratio_ppm"]) != npl * PPM // cutoff:
            out.fail(seq, date, f"NPL ratio {e['npl_ratio_ppm']} ppm, but the 90+ bucket "
                     f"{npl} fen over the initial {cutoff} fen is {npl * PPM // cutoff} ppm")
        total = fig["pool_performing_fen"] + fig["pool_overdue_fen"] + npl
        if total != fig["pool_outstanding_fen"]:
            out.fail(seq, date, f"outstanding {fig['pool_outstanding_fen']} fen is not performing"
                     f" + overdue + non-performing = {total}")
        for f in CUMULATIVE:
            if f in prev and fig[f] < prev[f]:
                out.fail(seq, date, f"{f} fell from {prev[f]} to {fig[f]}")
        while k < len(additions) and additions[k][0] < seq:
            entered += additions[k][1]
            k += 1
        if "pool_bought_fen" in e and fig["pool_bought_fen"] != entered:
            out.fail(seq, date, f"{fig['pool_bought_fen']} fen entered the pool, the initial "
                     f"pool, purchases and replacements logged say {entered}")
        prev = fig
    return out


CHECK = Check("pool_performance_reported", "二.1(4)",
              "the pool's delinquency buckets add up to its overdue balance, 90+ is the NPL "
              "figure, cumulative prepaid, scheduled, charged-off and entered principal never "
              "fall, and what entered is what was transferred", pool_performance_reported)
