"""[servicing] A servicer that fails: what the deal's ``servicing`` section says happens next.

Read from config.json's ``servicing`` section (docs/deal-language.md, "Servicing") and the
log, never from the simulator; each rule is re-derived here:

* ``redirection_notice_within_lag`` — an insolvent servicer's account is frozen (the
  servicer's ``collection_account_frozen``); the trustee's notice redirecting obligors to the
  trust account (``obligors_notified``, the perfection event) goes out on or after that day
  and no later than ``redirection.notice_after_business_days`` business days after it (the
  trust's operating days; 0: that day, or the next business day), with the deal's parameters
  — unless the trust ended first.
* ``frozen_collections_at_risk`` — from the freeze nothing leaves the collection account for
  the trust: its balance then (replayed from the postings) and every obligor payment into it
  afterwards are at risk. Until the notice every payment lands there (none reaches the trust
  account, ``collections_redirected``); from the notice each day's payments split, the frozen
  share being ``still_paying_old_account_pct`` on the notice day, falling linearly to none
  over ``decay_days`` calendar days (to the ppm, rounded down), applied to principal and to
  income to the fen, half up. The account passes to the servicer's estate
  (``collections_commingled``) with everything it took in, on the first day that share is
  none (or the day the trust terminates, if sooner); the estate gives back the incident's
  ``recovery_rate`` of it (half up), ``recovery_delay_days`` after the insolvency or the day
  after the account closed, whichever is later.
* ``successor_takes_over_on_time`` — each servicer termination event
  (``servicer_termination_event``) activates the successor (``backup_servicer_activated``)
  for the incident's ``successor_after_days`` calendar days later, else the deal's backup
  servicer's ``takeover_business_days`` business days later; the successor takes over
  (``servicing_taken_over``, ``successor_appointed``) that day, if the trust lasts to it.
* ``successor_fee_from_takeover`` — the successor's fee steps up (``servicer_fee_stepped_up``)
  on the first takeover day, at the deal's rates, and never again (a successor's successor
  keeps the stepped-up fee); on every payment date the fee's payee is owed
  what the fee carried plus the fee at its rate on the notes outstanding at the period's
  start (the previous payment date's 24:00 ``day_closed``), plus the step-up's rate for the
  days from the takeover — never before it. Recomputed for a ``pct_of_notes`` fee with a payee
  of its own and no cap (otherwise noted).
* ``servicer_replacement_cost`` — ``summary.json``'s ``servicer_replacement`` (what the Monte
  Carlo reads) agrees with the log: the termination events and takeovers counted; the fee
  step-up, each payment date's step-up rate on the notes at the period's start for the days
  from the first takeover (a ``pct_of_notes`` fee; otherwise noted); what obligors paid late
  during each transfer (each ``servicing_taken_over``'s deferred principal and income, and
  for a transfer the trust ended first the ``deferred_*`` of its days' collections); what
  the successor collected of it (the postings of obligor arrears paid to the successor);
  and the rest, never collected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from trustsim.audit.log import COLLECTION_ACCOUNT, TRUST_ACCOUNT, AuditLog, Event
from trustsim.audit.model import Check, Outcome
from trustsim.money import round_fen

PPM = 1_000_000
ESTATE = "servicer_estate"
OBLIGORS = "obligors"
DAY_BASIS = {"ACT/365F": 365, "ACT/360": 360}


# ---------------------------------------------------------------- the deal's servicing terms
@dataclass(frozen=True, slots=True)
class ServicingTerms:
    fee: str | None
    step_up_pct: Decimal
    backup_kind: str | None
    backup_lag_bd: int | None
    notice_lag_bd: int
    still_paying_pct: Decimal
    decay_days: int


def _dec(v: Any) -> Decimal | None:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def servicing_terms(log: AuditLog) -> ServicingTerms | str:
    """The deal's servicing section, or why it cannot be read."""
    s = log.config.get("servicing")
    if not isinstance(s, dict):
        return "config.json has no servicing section (a run before servicer failures were modelled)"
    r = s.get("redirection") or {}
    b = s.get("backup")
    step, still = _dec(s.get("successor_fee_step_up_pct_per_year", 0)), _dec(
        r.get("still_paying_old_account_pct"))
    lag, decay = r.get("notice_after_business_days"), r.get("decay_days")
    if step is None or still is None or not isinstance(lag, int) or not isinstance(decay, int):
        return "config.json: servicing.redirection is incomplete"
    backup_lag = b.get("takeover_business_days") if isinstance(b, dict) else None
    return ServicingTerms(s.get("fee"), step, b.get("kind") if isinstance(b, dict) else None,
                          backup_lag if isinstance(backup_lag, int) else None, lag, still, decay)


def old_account_ppm(t: ServicingTerms, days_since_notice: int) -> int:
    """The share still paying the frozen account: the deal's share falling linearly to none."""
    if days_since_notice < 0:
        return PPM
    if t.decay_days == 0 or days_since_notice >= t.decay_days:
        return 0
    start = int(t.still_paying_pct * 10_000)
    return start * (t.decay_days - days_since_notice) // t.decay_days


def _half_up(amount: int, ppm: int) -> int:
    return (amount * ppm + PPM // 2) // PPM


def _ended(log: AuditLog) -> dt.date | None:
    """The day the trust terminated (the servicer is told to remit that day)."""
    for e in log.of("run_finished"):
        if e.get("termination_date"):
            return dt.date.fromisoformat(str(e["termination_date"]))
    for e in log.of("trust_terminated"):
        return log.day(e)
    return None


def _last_day(log: AuditLog) -> dt.date:
    return log.day(log.events[-1])


# ---------------------------------------------------------------- insolvency episodes
@dataclass(slots=True)
class Episode:
    """One insolvency: the freeze, the notice, what the frozen account took in, its closing."""

    frozen: Event
    replayed_balance: int
    notice: Event | None = None
    taken_in: int = 0                                   # opening balance + frozen receipts
    frozen_by_day: dict[dt.date, Event] = field(default_factory=dict)     # after the notice
    direct_by_day: dict[dt.date, Event] = field(default_factory=dict)     # daily redirected
    early_direct: list[Event] = field(default_factory=list)               # before the notice
    swept: list[Event] = field(default_factory=list)                      # to the trust account
    closed: Event | None = None
    recovery: Event | None = None


def episodes(log: AuditLog) -> list[Episode]:
    out: list[Episode] = []
    balance = 0
    current: Episode | None = None
    for e in log.events:
        name = e["event"]
        if name == "collection_account_frozen":
            current = Episode(e, balance, taken_in=balance)
            out.append(current)
        elif current is not None and name == "obligors_notified" and current.notice is None:
            current.notice = e
        elif current is not None and name == "collections_redirected" \
                and e.get("old_account_share_ppm") is not None:   # not the successor's arrears
            if current.notice is None:
                current.early_direct.append(e)
            elif current.closed is None:
                current.direct_by_day[log.day(e)] = e
        elif name == "transfer_received" and e.get("credit") == ESTATE:
            for ep in out:
                if ep.closed is not None and ep.recovery is None:
                    ep.recovery = e
                    break
        if e.get("debit") is None:
            continue
        amount = int(e.get("amount_fen") or 0)
        if e["debit"] == COLLECTION_ACCOUNT:
            balance += amount
            if current is not None and current.closed is None:
                current.taken_in += amount
                if current.notice is not None:
                    current.frozen_by_day[log.day(e)] = e
        elif e["credit"] == COLLECTION_ACCOUNT:
            balance -= amount
            if current is not None and current.closed is None:
                if e["debit"] == ESTATE:
                    current.closed = e
                else:
                    current.swept.append(e)
    return out


def _insolvencies(log: AuditLog) -> tuple[Outcome, ServicingTerms | None, list[Episode]]:
    """The servicer's insolvency episodes and the deal's servicing terms to check them by.

    Without terms, the outcome already says why the episodes could not be checked.
    """
    out, terms, eps = Outcome(), servicing_terms(log), episodes(log)
    if isinstance(terms, str):
        if eps:
            out.skipped = terms
        return out, None, eps
    return out, terms, eps


def redirection_notice_within_lag(log: AuditLog) -> Outcome:
    out, terms, eps = _insolvencies(log)
    if terms is None:
        return out
    cal, ended = log.calendar, _ended(log)
    for ep in eps:
        out.checked += 1
        d = log.day(ep.frozen)
        deadline = cal.add_business_days(d, terms.notice_lag_bd)
        n = ep.notice
        if n is None:
            if ended is not None and ended <= deadline:
                out.notes.append(f"the servicer's insolvency on {d} (seq {ep.frozen['seq']}): the "
                                 f"trust terminated on {ended}, before the notice's deadline {deadline}")
            elif _last_day(log) >= deadline:
                out.fail(ep.frozen["seq"], ep.frozen["date"],
                         f"no notice redirects the obligors after the servicer's insolvency on {d}; "
                         f"it was due by {deadline} ({terms.notice_lag_bd} business days)")
            continue
        sent = log.day(n)
        if not d <= sent <= deadline:
            out.fail(n["seq"], n["date"], f"the notice to obligors goes out on {sent}; the servicer "
                     f"became insolvent on {d} and the notice was due by {deadline} "
                     f"({terms.notice_lag_bd} business days)", ep.frozen["seq"])
        stated = (n.get("notice_after_business_days"), _dec(n.get("still_paying_old_account_pct")),
                  n.get("decay_days"), n.get("pay_to"))
        if stated != (terms.notice_lag_bd, terms.still_paying_pct, terms.decay_days, TRUST_ACCOUNT):
            out.fail(n["seq"], n["date"], f"the notice states {stated}; the deal's redirection is "
                     f"({terms.notice_lag_bd}, {terms.still_paying_pct}, {terms.decay_days}, "
                     f"{TRUST_ACCOUNT})")
    return out


def _incident(log: AuditLog, kind: str, on: dt.date) -> Event | None:
    return next((e for e in log.of("incident_started")
                 if e.get("kind") == kind and log.day(e) == on), None)


def frozen_collections_at_risk(log: AuditLog) -> Outcome:
    out, terms, eps = _insolvencies(log)
    if terms is None:
        return out
    ended, last = _ended(log), _last_day(log)
    for ep in eps:
        f = ep.frozen
        d = log.day(f)
        out.checked += 1
        if int(f.get("balance_fen") or 0) != ep.replayed_balance:
            out.fail(f["seq"], f["date"], f"the frozen account is said to hold {f.get('balance_fen')} "
                     f"fen; its postings leave {ep.replayed_balance} fen in it")
        for e in ep.swept:
            out.fail(e["seq"], e["date"], f"{e['amount_fen']} fen leave the frozen collection "
                     f"account for {e['debit']} (frozen since {d}, seq {f['seq']})")
        for e in ep.early_direct:
            out.fail(e["seq"], e["date"], f"obligors pay the trust account on {e['date']}, before "
                     f"any notice redirected them (frozen since {d})")
        notice = log.day(ep.notice) if ep.notice is not None else None
        if notice is not None:
            _check_split(log, out, terms, ep, notice)
        c = ep.closed
        due = None
        if notice is not None:
            due = notice + dt.timedelta(days=terms.decay_days if terms.still_paying_pct > 0 else 0)
        if c is None:
            if ep.taken_in and (ended is not None or (due is not None and last >= due)):
                out.fail(f["seq"], f["date"], f"the collection account frozen on {d} never passes "
                         f"to the servicer's estate ({ep.taken_in} fen at risk)")
            continue
        closed = log.day(c)
        if int(c["amount_fen"]) != ep.taken_in:
            out.fail(c["seq"], c["date"], f"{c['amount_fen']} fen pass to the estate; the frozen "
                     f"account took in {ep.taken_in} fen from {d} (its balance then and every "
                     f"payment into it since)", f["seq"])
        if not (closed == due or (ended is not None and closed == ended and (due is None or ended < due))):
            out.fail(c["seq"], c["date"], f"the frozen account closes on {closed}; obligors stop "
                     f"paying it on {due} (notice {notice}, decay {terms.decay_days} days)"
                     + (f", the trust terminates on {ended}" if ended else ""))
        out.notes.append(f"servicer insolvent {d} (seq {f['seq']}): {ep.taken_in} fen at risk "
                         f"({ep.replayed_balance} frozen that day), passed to the estate on {closed}")
        inc = _incident(log, "servicer_insolvency", d)
        if inc is None:
            continue
        rate = _dec(inc.get("recovery_rate")) or Decimal(0)
        delay = int(inc.get("recovery_delay_days") or 0)
        when = max(d + dt.timedelta(days=delay), closed + dt.timedelta(days=1))
        owed = round_fen(Decimal(ep.taken_in) * rate)
        r = ep.recovery
        if r is None:
            if owed > 0 and last >= when and (ended is None or ended > when):
                out.fail(c["seq"], c["date"], f"the estate owes a recovery of {owed} fen "
                         f"({rate} of {ep.taken_in}) on {when}; none is received")
            continue
        if int(r["amount_fen"]) != owed or log.day(r) != when:
            out.fail(r["seq"], r["date"], f"the estate gives back {r['amount_fen']} fen on {r['date']}; "
                     f"{rate} of the {ep.taken_in} fen it took is {owed} fen, due on {when} (the "
                     f"later of {delay} days after the insolvency and the day after the account "
                     f"closed)", c["seq"])
    return out


def _check_split(log: AuditLog, out: Outcome, terms: ServicingTerms, ep: Episode,
                 notice: dt.date) -> None:
    """Each day from the notice: the frozen share of the day's payments is the deal's."""
    for day in sorted(set(ep.direct_by_day) | set(ep.frozen_by_day)):
        direct, frozen = ep.direct_by_day.get(day), ep.frozen_by_day.get(day)
        share = old_account_ppm(terms, (day - notice).days)
        if direct is not None and direct.get("old_account_share_ppm") != share:
            out.fail(direct["seq"], direct["date"], f"{direct.get('old_account_share_ppm')} ppm of "
                     f"obligors are said to pay the frozen account {(day - notice).days} days after "
                     f"the notice; the deal's share then is {share} ppm")
        parts = {}
        for part in ("principal_fen", "income_fen"):
            old = int(frozen.get(part) or 0) if frozen is not None else 0
            new = int(direct.get(part) or 0) if direct is not None else 0
            parts[part] = (old, _half_up(old + new, share))
        wrong = {k: v for k, v in parts.items() if v[0] != v[1]}
        if wrong:
            seq = (frozen or direct or {}).get("seq")
            out.fail(seq, day.isoformat(), "the frozen account's share of the day's payments is "
                     + ", ".join(f"{k} {v[0]} (expected {v[1]} at {share} ppm)" for k, v in wrong.items()))


# ---------------------------------------------------------------- the successor
def successor_takes_over_on_time(log: AuditLog) -> Outcome:
    out = Outcome()
    terms = servicing_terms(log)
    events = log.of("servicer_termination_event")
    if isinstance(terms, str):
        if events and log.of("backup_servicer_activated"):
            out.skipped = terms
        return out
    cal, last, ended = log.calendar, _last_day(log), _ended(log)
    activations = log.of("backup_servicer_activated")
    takeovers = log.of("servicing_taken_over")
    appointed = [e for e in log.of("successor_appointed") if e.get("role") == "servicer"]
    for e in events:
        out.checked += 1
        d = log.day(e)
        inc = _incident(log, str(e.get("cause")), d)
        days = inc.get("successor_after_days") if inc is not None else None
        if isinstance(days, int):
            due, who = d + dt.timedelta(days=days), "successor"
        elif terms.backup_lag_bd is not None:
            due, who = cal.add_business_days(d, terms.backup_lag_bd), str(terms.backup_kind)
        else:
            out.fail(e["seq"], e["date"], "a servicer termination event, and neither the incident "
                     "(successor_after_days) nor the deal (servicing.backup) names a successor")
            continue
        act = next((a for a in activations if a["seq"] > e["seq"] and log.day(a) == d), None)
        if act is None:
            out.fail(e["seq"], e["date"], f"no successor is activated after the servicer "
                     f"termination event of {d}")
            continue
        if (act.get("takeover_date"), act.get("backup")) != (due.isoformat(), who):
            out.fail(act["seq"], act["date"], f"the {act.get('backup')} successor is to take over on "
                     f"{act.get('takeover_date')}; the deal gives the {who} successor {due}", e["seq"])
        if last < due or (ended is not None and ended < due):
            continue
        took = next((t for t in takeovers if t["seq"] > act["seq"]), None)
        if took is None or log.day(took) != due:
            out.fail(took["seq"] if took else act["seq"], took["date"] if took else act["date"],
                     f"the successor takes over on {took['date'] if took else 'no day'}; it was "
                     f"due on {due}")
            continue
        if not any(a["seq"] > took["seq"] and log.day(a) == due for a in appointed):
            out.fail(took["seq"], took["date"], "the successor took over; the trustee records no "
                     "successor_appointed (role servicer) that day")
    return out


def _fee(log: AuditLog, name: str) -> dict[str, Any] | None:
    return next((f for f in log.config.get("fees") or [] if f.get("name") == name), None)


def successor_fee_from_takeover(log: AuditLog) -> Outcome:
    out = Outcome()
    terms = servicing_terms(log)
    steps = log.of("servicer_fee_stepped_up")
    takeovers = log.of("servicing_taken_over")
    if isinstance(terms, str):
        if steps:
            out.skipped = terms
        return out
    fee = _fee(log, terms.fee) if terms.fee else None
    if terms.fee is None or fee is None or not terms.step_up_pct:
        for s in steps:
            out.fail(s["seq"], s["date"], "a fee steps up though the deal names no successor "
                                          "fee step-up (servicing.fee, successor_fee_step_up_pct_per_year)")
        return out
    since: dt.date | None = None
    for t in takeovers:
        out.checked += 1
        step: Event | None = next((x for x in steps if log.day(x) == log.day(t) and x["seq"] > t["seq"]),
                                  None)
        if since is not None:     # a successor's successor: the fee is stepped up once
            if step is not None:
                out.fail(step["seq"], step["date"], f"the fee steps up again on {step['date']}; it "
                         f"stepped up once, from {since}")
            continue
        stated = (step.get("fee"), _dec(step.get("pct_per_year")),
                  _dec(step.get("step_up_pct_per_year"))) if step else None
        want = (terms.fee, _dec(fee.get("pct_per_year")), terms.step_up_pct)
        if stated != want:
            out.fail(step["seq"] if step else t["seq"], t["date"], f"the successor took over on "
                     f"{t['date']}: its fee steps up {stated or 'nowhere'}; the deal says {want}")
        since = log.day(t)
    for s in steps:
        if not any(log.day(t) == log.day(s) and t["seq"] < s["seq"] for t in takeovers):
            out.fail(s["seq"], s["date"], "the fee steps up on a day no successor takes over")
    if not takeovers:
        return out
    payee = str(fee.get("payee"))
    shared = [f.get("name") for f in log.config.get("fees") or []
              if f.get("payee") == payee and f.get("name") != terms.fee]
    if fee.get("basis") != "pct_of_notes" or fee.get("cap_cny_per_year") is not None or shared:
        out.notes.append(f"{terms.fee}'s dues not recomputed: a {fee.get('basis')} fee"
                         + (", capped" if fee.get("cap_cny_per_year") is not None else "")
                         + (f", its payee shared with {shared}" if shared else ""))
        return out
    _recompute_fee(log, out, fee, payee, terms.step_up_pct, since)
    return out


def _recompute_fee(log: AuditLog, out: Outcome, fee: dict[str, Any], payee: str,
                   step_pct: Decimal, since: dt.date | None) -> None:
    """Each payment date's due to ``payee``: carried + the fee on the period's notes + the
    step-up from ``since`` (the takeover)."""
    pct = _dec(fee.get("pct_per_year")) or Decimal(0)
    basis = DAY_BASIS.get(str(fee.get("day_count") or "ACT/365F"), 365)
    closes = {e["date"]: int(e.get("notes_outstanding_fen") or 0) for e in log.of("day_closed")}
    fee_steps = {s.pay for steps in log.terms.waterfalls.values() for s in steps
                 if s.action == "pay_fees"}
    start = log.terms.effective_date
    carried = 0
    for dist in log.distributions:
        line = next((s for s in dist.steps if s.pay in fee_steps and payee in s.payees), None)
        grace = dist.event.get("grace_for") is not None
        d = dt.date.fromisoformat(dist.date)
        if line is not None and not grace:
            notes = closes.get(start.isoformat())
            due = line.payees[payee][0]
            if notes is None:
                out.notes.append(f"payment date {d}: no 24:00 figures on {start}, the period's start")
            else:
                days = (d - start).days
                want = carried + _accrue(notes, pct, days, basis)
                if since is not None and since < d:
                    want += _accrue(notes, step_pct, (d - max(start, since)).days, basis)
                if due != want:
                    out.fail(line.event["seq"], dist.date, f"{payee} is owed {due} fen; {carried} "
                             f"carried, {pct}% a year on {notes} fen of notes for {days} days"
                             + (f" and {step_pct}% from the takeover on {since}" if since and since < d
                                else "") + f" make {want} fen")
                out.checked += 1
        if line is not None:
            due, paid = line.payees[payee]
            carried = due - paid
        if not grace:
            start = d


ARREARS_REASON = "obligor arrears paid to the successor"


def _step_up_owed(log: AuditLog, fee: dict[str, Any], step_pct: Decimal, since: dt.date) -> int:
    """The step-up's part of the fee over the life: on each payment date the fee is
    presented, ``step_pct`` a year on the notes at the period's start for the days from the
    takeover ``since`` (as :func:`_recompute_fee` counts it)."""
    basis = DAY_BASIS.get(str(fee.get("day_count") or "ACT/365F"), 365)
    closes = {e["date"]: int(e.get("notes_outstanding_fen") or 0) for e in log.of("day_closed")}
    payee = str(fee.get("payee"))
    fee_steps = {s.pay for steps in log.terms.waterfalls.values() for s in steps
                 if s.action == "pay_fees"}
    start, total = log.terms.effective_date, 0
    for dist in log.distributions:
        if dist.event.get("grace_for") is not None:
            continue
        d = dt.date.fromisoformat(dist.date)
        line = next((s for s in dist.steps if s.pay in fee_steps and payee in s.payees), None)
        if line is not None and since < d:
            total += _accrue(closes.get(start.isoformat(), 0), step_pct, (d - max(start, since)).days,
                             basis)
        start = d
    return total


def servicer_replacement_cost(log: AuditLog) -> Outcome:
    out = Outcome()
    stated = (log.summary or {}).get("servicer_replacement")
    events = log.of("servicer_termination_event")
    takeovers = log.of("servicing_taken_over")
    if not isinstance(stated, dict):
        if events:
            out.skipped = "summary.json has no servicer_replacement (a run before it was reported)"
        return out
    out.checked += 1
    want: dict[str, Any] = {"terminations": len(events), "takeovers": len(takeovers)}
    deferred = sum(int(t.get("deferred_principal_fen") or 0) + int(t.get("deferred_income_fen") or 0)
                   for t in takeovers)
    last_event = events[-1]["seq"] if events else None
    if last_event is not None and not any(t["seq"] > last_event for t in takeovers):
        # the trust ended while the servicing was being transferred: the days it paid late
        deferred += sum(int(e.get("deferred_principal_fen") or 0) + int(e.get("deferred_income_fen") or 0)
                        for e in log.events if e["seq"] > last_event
                        and e["event"] in ("collections_received", "collections_redirected"))
    collected = sum(int(e.get("amount_fen") or 0) for e in log.events
                    if e["event"] in ("collections_received", "transfer_received")
                    and e.get("reason") == ARREARS_REASON)
    want.update(deferred_fen=deferred, deferred_collected_fen=collected,
                collections_lost_fen=deferred - collected)
    terms = servicing_terms(log)
    fee = _fee(log, terms.fee) if not isinstance(terms, str) and terms.fee else None
    if isinstance(terms, str) or fee is None or not terms.step_up_pct or not takeovers:
        want["fee_step_up_fen"] = 0
    elif fee.get("basis") == "pct_of_notes" and fee.get("cap_cny_per_year") is None:
        want["fee_step_up_fen"] = _step_up_owed(log, fee, terms.step_up_pct, log.day(takeovers[0]))
    else:
        out.notes.append(f"fee_step_up_fen not recomputed: {terms.fee} is a {fee.get('basis')} fee"
                         + (", capped" if fee.get("cap_cny_per_year") is not None else ""))
    for key, value in want.items():
        if stated.get(key) != value:
            out.fail(None, None, f"summary.json servicer_replacement.{key} = {stated.get(key)}; "
                                 f"the log gives {value}")
    return out


def _accrue(balance: int, pct: Decimal, days: int, basis: int) -> int:
    if balance <= 0 or days <= 0 or pct == 0:
        return 0
    return round_fen(Decimal(balance) * pct * days / (100 * basis))


REDIRECTION = Check("redirection_notice_within_lag", "servicing.redirection / 权利完善事件",
                    "the notice redirecting obligors goes out within its lag of the insolvency",
                    redirection_notice_within_lag)
AT_RISK = Check("frozen_collections_at_risk", "servicing.redirection / 一.4.1",
                "what the frozen account holds and takes in until obligors are redirected passes "
                "to the estate, less the recovery", frozen_collections_at_risk)
TAKEOVER = Check("successor_takes_over_on_time", "servicing.backup / 一.4.4(1)(b)",
                 "the successor takes the servicing over on the day the backup's lag or the "
                 "incident gives", successor_takes_over_on_time)
SUCCESSOR_FEE = Check("successor_fee_from_takeover", "servicing.fee",
                      "the successor's fee steps up from the takeover date, not before",
                      successor_fee_from_takeover)
REPLACEMENT_COST = Check("servicer_replacement_cost", "servicing",
                         "summary.json's servicer replacement figures (fee step-up, collections "
                         "deferred and lost in the transfer) agree with the log",
                         servicer_replacement_cost)
