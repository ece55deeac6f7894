"""[一.4.4(2)] Each payment date paid in the contract's order; shortfalls carried forward.

Order: a payment date's steps appear in the order of the waterfall it names (the deal's
``waterfalls`` in config.json, each action's step id derived by the deal language's rule:
its ``id``, else what it pays — ``<class>_interest``, ``<fees>_above_cap``,
``residual_to_<class>``...), each with that step's clause. Once a trigger whose effect is
``{use_waterfall: NAME}`` has fired, every later payment date outside the post-default
waterfall uses NAME. Each step is paid
``min(cash left, due)`` — or nothing when a step it waits for (``after_paid_in_full``)
fell short — split pro rata over its payees by the project's one rule
(:func:`trustsim.money.pro_rata`). The cash the waterfall starts from is the trust
account as the trustee's book stands at that moment (the custodian's postings plus the
instructions issued and not yet executed). Every payee paid has exactly one payment
executed for that amount, and the payments execute in the waterfall's order.

Carry forward: a fee-type shortfall (fees, fees above their cap, period income) is presented
again in the same step at the very next payment date whose waterfall has that step; an
interest shortfall the next time that interest is presented; either for at least what
is still unpaid after any payment made to that payee outside a waterfall. A grace
payment (``grace_for``) counts as the next payment date only for the steps it presents.
Principal is carried by the note balance (see ``note_balances_reconciled``); a reserve's
target is recomputed each payment date, so a funding shortfall is not carried.

Through waterfalls: every payment to a noteholder or to a payee of a waterfall step is
made by a step of a payment date — the one exception is a rolling class's series principal
repaid from the next series' proceeds (issuance proceeds account) [一.2] — and no money
moves after ``trust_terminated``.
"""

from __future__ import annotations

from decimal import Decimal

from trustsim.audit.checks.reconciliation import covered_instructions, held_apart_changes
from trustsim.audit.log import TRUST_ACCOUNT, AuditLog, Distribution, Event, StepLine
from trustsim.audit.model import Check, Outcome
from trustsim.audit.terms import SWITCH_KIND, Step
from trustsim.money import pro_rata, round_fen

POST_DEFAULT = "post_default"
AMORTIZATION = "amortization"
#: actions whose shortfall is not a debt carried to the next payment date
NOT_CARRIED = frozenset({"pay_principal", "pay_residual", "retain", "fund_account",
                         "release_account"})


def in_force(log: AuditLog) -> dict[int, tuple[str, str, int | None]]:
    """payment_date seq -> (the waterfall in force, why, the event that put it in force).

    The deal's status decides [一.4.4(2)]: revolving while the period is (``period_changed``),
    post_default once an event of default fired, else amortization — or the waterfall the
    last ``waterfall_switch`` trigger fired names (its ``{use_waterfall: NAME}`` effect)."""
    switches = {t.key: t for t in log.terms.triggers if t.use_waterfall is not None}
    period = "revolving" if log.terms.revolves else AMORTIZATION
    since: int | None = None
    default: Event | None = None
    amortization, switched = AMORTIZATION, ""
    switch_seq: int | None = None
    # a class presented at an issuance failure (interest.at_issuance_failure) makes the day
    # an issuance failure ends revolving the revolving period's last payment date
    at_failure = [c.name for c in log.terms.classes if c.interest.get("at_issuance_failure")]
    failed: Event | None = None       # the last issuance_terminated while revolving
    closing: tuple[str, int] | None = None   # (date, seq) revolving ended by that failure
    out: dict[int, tuple[str, str, int | None]] = {}
    for e in log.of("period_changed", "trigger_fired", "payment_date", "issuance_terminated"):
        if e["event"] == "issuance_terminated":
            failed = e if period == "revolving" else None
        elif e["event"] == "period_changed":
            if at_failure and failed is not None and failed["date"] == e["date"] \
                    and e.get("period") != "revolving":
                closing = (str(e["date"]), int(failed["seq"]))
            period, since = str(e.get("period")), int(e["seq"])
        elif closing is not None and e["event"] == "payment_date" and e["date"] == closing[0] \
                and default is None:
            out[int(e["seq"])] = ("revolving", "on the day an issuance failure ended revolving "
                                  f"({', '.join(at_failure)} presented at_issuance_failure)",
                                  closing[1])
        elif e["event"] == "trigger_fired":
            t = switches.get((str(e.get("kind")), str(e.get("clause"))))
            if e.get("kind") == "default" and default is None:
                default = e
            elif e.get("kind") == SWITCH_KIND and t is not None and t.use_waterfall:
                amortization, switch_seq = t.use_waterfall, int(e["seq"])
                switched = f"trigger {t.name} ({t.clause}) switched to the {t.use_waterfall} waterfall"
        elif period == "revolving":
            out[int(e["seq"])] = ("revolving", "in the revolving period", since)
        elif default is not None:
            out[int(e["seq"])] = (POST_DEFAULT, f"after the event of default ({default.get('clause')})",
                                  int(default["seq"]))
        elif switch_seq is not None:
            out[int(e["seq"])] = (amortization, f"after {switched}", switch_seq)
        else:
            out[int(e["seq"])] = (AMORTIZATION, "in amortization", since)
    return out


def trustee_book(log: AuditLog, account: str = TRUST_ACCOUNT) -> dict[int, int]:
    """payment_date seq -> the trustee's book of ``account`` just before that event."""
    posted = apart = 0
    pending: dict[str, int] = {}
    out: dict[int, int] = {}
    held = held_apart_changes(log, account)   # money a break holds apart from the book
    for e in log.events:
        name = e["event"]
        apart += held.get(e["seq"], 0)
        if name == "payment_date":
            out[e["seq"]] = posted + sum(pending.values()) - apart
        elif name == "instruction_issued":
            delta = 0
            if e.get("to_account") == account:
                delta += int(e.get("amount_fen", 0))
            if e.get("from_account") == account:
                delta -= int(e.get("amount_fen", 0))
            if delta:
                pending[str(e.get("instruction"))] = delta
        elif name == "instruction_failed":
            pending.pop(str(e.get("instruction")), None)
        if e.get("debit") is not None:
            if e.get("instruction"):
                pending.pop(str(e["instruction"]), None)
            if e["debit"] == account:
                posted += int(e["amount_fen"])
            if e["credit"] == account:
                posted -= int(e["amount_fen"])
    return out


def _step_payments(log: AuditLog, d: Distribution, s: StepLine, window_end: int,
                   out: Outcome) -> list[tuple[int, str]]:
    """(execution seq, payee) of the step's payments; records missing or wrong ones."""
    found: list[tuple[int, str]] = []
    seq = s.event["seq"]
    if log.instructions:
        breaks = covered_instructions(log)
        by_payee: dict[str, list] = {}
        for ins in s.instructions:
            by_payee.setdefault(str(ins.get("to_account")), []).append(ins)
        for payee, (_due, paid) in s.payees.items():
            if paid <= 0:
                continue
            issued = by_payee.pop(payee, [])
            if len(issued) != 1 or int(issued[0].get("amount_fen", -1)) != paid:
                amounts = [i.get("amount_fen") for i in issued]
                out.fail(seq, d.date, f"{s.pay}: {payee} is paid {paid} fen, the trustee "
                                      f"instructs {amounts or 'nothing'}")
                continue
            ins = issued[0]
            ex = log.executions.get(str(ins.get("instruction")), [])
            brk = breaks.get(str(ins.get("instruction")))
            if brk is not None:   # late, deferred, misdirected or misstated: reconciliation's
                out.notes.append(f"{s.pay}: the payment of {paid} fen to {payee} (instruction "
                                 f"{ins.get('instruction')}) is reconciliation break {brk.id}'s")
                continue
            if not ex:
                out.fail(seq, d.date, f"{s.pay}: the payment of {paid} fen to {payee} "
                         f"(instruction {ins.get('instruction')}) is never made", ins["seq"])
                continue
            if int(ex[0]["amount_fen"]) != paid or ex[0]["debit"] != payee \
                    or ex[0]["credit"] != TRUST_ACCOUNT:
                out.fail(ex[0]["seq"], ex[0]["date"], f"{s.pay}: the waterfall pays {paid} fen "
                         f"to {payee} from the trust account; the custodian paid "
                         f"{ex[0]['amount_fen']} fen to {ex[0]['debit']} from {ex[0]['credit']}",
                         seq)
            found.append((ex[0]["seq"], payee))
        for payee, extra in by_payee.items():
            for ins in extra:
                out.fail(ins["seq"], ins["date"], f"{s.pay}: instruction to pay {payee} "
                         f"{ins.get('amount_fen')} fen that the step does not pay", seq)
        return found
    # older logs: no instruction_issued; match postings by reason within the payment date
    reason = f"{s.pay} ({s.event.get('clause')})"
    posts = [p for p in log.postings if d.seq < p["seq"] < window_end
             and p.get("reason") == reason and p["date"] == d.date]
    for payee, (_due, paid) in s.payees.items():
        if paid <= 0:
            continue
        match = [p for p in posts if p["debit"] == payee]
        if len(match) != 1 or int(match[0]["amount_fen"]) != paid:
            out.fail(seq, d.date, f"{s.pay}: {payee} is paid {paid} fen, the custodian paid "
                                  f"{[p['amount_fen'] for p in match] or 'nothing'}")
            continue
        found.append((match[0]["seq"], payee))
    return found


def waterfall_order(log: AuditLog) -> Outcome:
    out = Outcome()
    books = trustee_book(log) if log.instructions else {}
    dists = log.distributions
    force = in_force(log)
    reserves = _Reserves(log)
    drift = 0
    for k, d in enumerate(dists):
        out.checked += 1
        window_end = dists[k + 1].seq if k + 1 < len(dists) else len(log.events) + 1
        cfg = log.terms.waterfalls.get(d.waterfall)
        if cfg is None:
            out.fail(d.seq, d.date, f"waterfall {d.waterfall!r} is not one of the deal's "
                                    f"({', '.join(log.terms.waterfalls)})")
            continue
        want, why, cause = force.get(d.seq, (d.waterfall, "", None))
        if d.waterfall != want:
            out.fail(d.seq, d.date, f"the {d.waterfall} waterfall applied {why}: the {want} "
                     f"waterfall is in force", *((cause,) if cause else ()))
        index = {s.pay: (i, s) for i, s in enumerate(cfg)}
        available = int(d.event.get("available_fen", 0))
        if d.seq in books and books[d.seq] - available != drift:
            out.fail(d.seq, d.date, f"the waterfall starts from {available} fen; the trust "
                     f"account holds {books[d.seq]} fen by the trustee's book")
            drift = books[d.seq] - available   # report a wrong posting once, not every date
        left = available
        released = {a.targets[0] for a in cfg if a.action == "release_account"}
        if not d.event.get("grace_for"):
            _reserve_steps_held(d, cfg, reserves, released, out)
        last = -1
        short: set[str] = set()
        short_paid = ""              # the first step paid less than due with cash to pay it
        order: list[tuple[int, int, int, str, str]] = []   # exec seq, step idx, payee idx
        for s in d.steps:
            seq, pay = s.event["seq"], s.pay
            if pay not in index:
                out.fail(seq, d.date, f"step {pay!r} is not in the {d.waterfall} waterfall")
                continue
            i, step = index[pay]
            if i <= last:
                out.fail(seq, d.date, f"{pay} comes after {cfg[last].pay}: not the order of "
                                      f"the {d.waterfall} waterfall")
            last = max(last, i)
            if step.clause and s.event.get("clause") != step.clause:
                out.fail(seq, d.date, f"{pay} cites clause {s.event.get('clause')!r}, the deal "
                                      f"says {step.clause!r}")
            if step.action == "release_account":
                left += _released(log, d, s, step.targets[0], reserves, out, order, i)
                continue
            payees = s.payees
            dues = [v[0] for v in payees.values()]
            paid = [v[1] for v in payees.values()]
            due_fen, paid_fen = sum(dues), sum(paid)
            if (s.event.get("due_fen"), s.event.get("paid_fen"), s.event.get("shortfall_fen")) \
                    != (due_fen, paid_fen, due_fen - paid_fen):
                out.fail(seq, d.date, f"{pay}: due/paid/shortfall "
                         f"{s.event.get('due_fen')}/{s.event.get('paid_fen')}/"
                         f"{s.event.get('shortfall_fen')} disagree with its payees")
            if step.action == "fund_account":
                lacks = reserves.shortfall(step.targets[0], d, released)
                if lacks is not None and due_fen != lacks:
                    out.fail(seq, d.date, f"{pay}: presents {due_fen} fen due; the "
                             f"{step.targets[0]} account lacks {lacks} fen of its target")
            gate = next((g for g in step.after_paid_in_full if g in short), None)
            if step.action == "pay_residual" and gate is None and due_fen != left:
                out.fail(seq, d.date, f"{pay}: residual {due_fen} fen, {left} fen were left")
            expected_total = 0 if gate is not None else min(left, due_fen)
            expected = pro_rata(expected_total, dues)
            if s.event.get("gated_by") != gate:
                out.fail(seq, d.date, f"{pay}: held back by {s.event.get('gated_by')!r}, the "
                                      f"contract holds it back by {gate!r}")
            if paid != expected:
                out.fail(seq, d.date, f"{pay}: pays {paid} of dues {dues} with {left} fen left; "
                                      f"in order and pro rata it pays {expected}")
            elif paid_fen > 0 and short_paid:
                out.fail(seq, d.date, f"{pay} is paid while {short_paid} fell short: a later "
                                      f"step is paid only after the earlier ones in full")
            left -= paid_fen
            if paid_fen < due_fen:
                short.add(pay)
                if gate is None and not short_paid:
                    short_paid = pay
            for p_seq, payee in _step_payments(log, d, s, window_end, out):
                order.append((p_seq, i, list(payees).index(payee), pay, payee))
        if d.event.get("remaining_fen") is not None and int(d.event["remaining_fen"]) != left:
            out.fail(d.seq, d.date, f"remaining {d.event['remaining_fen']} fen, the steps leave "
                                    f"{left} fen")
        order.sort()
        top: tuple[int, int, int, str, str] | None = None
        for item in order:
            if top is not None and item[1:3] < top[1:3]:
                out.fail(item[0], d.date, f"{item[3]} to {item[4]} is paid after {top[3]} to "
                         f"{top[4]} (seq {top[0]}): payments out of the contract's order", top[0])
            elif top is None or item[1:3] > top[1:3]:
                top = item
    return out


class _Reserves:
    """The deal's reserve accounts as the trustee's book has them at each payment date, and
    what each lacks of its target: ``pct_of_notes`` of the notes outstanding before the
    date's payments, never below ``floor_wan``, nothing once the notes are repaid."""

    def __init__(self, log: AuditLog) -> None:
        self.log = log
        self.terms = {r.name: r for r in log.terms.reserves}
        self._books: dict[str, dict[int, int]] = {}
        self._notes: dict[int, int] | None = None

    def book(self, account: str, d: Distribution) -> int | None:
        if not self.log.instructions:
            return None
        if account not in self._books:
            self._books[account] = trustee_book(self.log, account)
        return self._books[account].get(d.seq)

    def notes_outstanding(self, d: Distribution) -> int:
        if self._notes is None:
            self._notes = {}
            classes = set(self.log.class_names)
            principal = {p.seq: p.amount_fen for p in self.log.payments
                         if p.note_class is not None and p.kind == "principal"}
            total = 0
            for e in self.log.events:
                if e["event"] == "proceeds_received" and e.get("note_class") in classes:
                    total += int(e["amount_fen"])
                elif e["seq"] in principal:
                    total -= principal[e["seq"]]
                elif e["event"] == "payment_date":
                    self._notes[int(e["seq"])] = total
        return self._notes.get(d.seq, 0)

    def shortfall(self, account: str, d: Distribution, released: set[str]) -> int | None:
        """What ``account`` lacks of its target at ``d``; the final distribution funds no
        reserve (the trust ends: its accounts are paid out)."""
        if d.event.get("final"):
            return 0
        r = self.terms.get(account)
        held = 0 if account in released else self.book(account, d)
        if r is None or held is None:
            return None
        notes = self.notes_outstanding(d)
        target = 0 if notes == 0 else max(r.floor_fen,
                                          round_fen(Decimal(notes) * r.pct_of_notes / 100))
        return max(0, target - held)


def _released(log: AuditLog, d: Distribution, s: StepLine, account: str, reserves: _Reserves,
              out: Outcome, order: list[tuple[int, int, int, str, str]], i: int) -> int:
    """A ``release_account`` step: the account's whole balance by the trustee's book, moved
    by one executed instruction into the trust account. Returns what it adds to the cash."""
    seq = s.event["seq"]
    amount = int(s.event.get("released_fen") or 0)
    book = reserves.book(account, d)
    if book is not None and amount != book:
        out.fail(seq, d.date, f"{s.pay}: releases {amount} fen; {account} holds {book} fen "
                              f"by the trustee's book")
    moves = [ins for ins in s.instructions if ins.get("from_account") == account]
    if log.instructions and amount > 0:
        if len(moves) != 1 or int(moves[0].get("amount_fen", -1)) != amount:
            out.fail(seq, d.date, f"{s.pay}: releases {amount} fen, the trustee instructs "
                     f"{[m.get('amount_fen') for m in moves] or 'nothing'}")
        else:
            ex = log.executions.get(str(moves[0].get("instruction")), [])
            if not ex:
                out.fail(seq, d.date, f"{s.pay}: the release of {amount} fen from {account} "
                         f"is never made", moves[0]["seq"])
            else:
                order.append((int(ex[0]["seq"]), i, 0, s.pay, account))
    return amount


def _reserve_steps_held(d: Distribution, cfg: tuple[Step, ...], reserves: _Reserves,
                        released: set[str], out: Outcome) -> None:
    """A reserve action logs a step only when it moves money: one missing while the account
    held a balance to release, or lacked part of its target, is a finding."""
    logged = {s.pay for s in d.steps}
    for a in cfg:
        if a.pay in logged or a.action not in ("release_account", "fund_account"):
            continue
        account = a.targets[0]
        if a.action == "release_account":
            book = reserves.book(account, d)
            if book:
                out.fail(d.seq, d.date, f"{a.pay}: {account} holds {book} fen but the "
                                        f"{d.waterfall} waterfall released nothing")
        else:
            want = reserves.shortfall(account, d, released)
            if want:
                out.fail(d.seq, d.date, f"{a.pay}: {account} lacks {want} fen of its target "
                                        f"but the {d.waterfall} waterfall funded nothing")


def _outside_payments(log: AuditLog) -> list[tuple[int, str, int, str]]:
    """(seq, payee, amount, kind) of payments made outside any payment date's waterfall."""
    return [(p.seq, p.payee, p.amount_fen, p.kind) for p in log.payments
            if p.distribution_seq is None]


def shortfalls_carried_forward(log: AuditLog) -> Outcome:
    out = Outcome()
    dists = log.distributions
    outside = _outside_payments(log)
    for k, d in enumerate(dists):
        for s in d.steps:
            action = log.terms.step(s.pay)
            if action is None or action.action in NOT_CARRIED:
                continue
            for payee, (due, paid) in s.payees.items():
                owed = due - paid
                if owed <= 0:
                    continue
                out.checked += 1
                interest = action.action == "pay_interest"
                # a grace payment presents arrears up to the grace's classes' interest only:
                # a step it leaves out waits for the next payment date
                later = [x for x in dists[k + 1:] if not x.event.get("grace_for")
                         or any(t.pay == s.pay for t in x.steps)]
                if not later:
                    continue
                if interest:
                    nxt = next((x for x in later if any(t.pay == s.pay for t in x.steps)), None)
                else:
                    nxt = next((x for x in later if s.pay in {st.pay for st in
                               log.terms.waterfalls.get(x.waterfall, ())}), None)
                    if nxt is not later[0]:
                        out.notes.append(f"{s.pay} shortfall of {owed} fen to {payee} (seq "
                                         f"{s.event['seq']}): the next payment date's "
                                         f"{later[0].waterfall} waterfall has no such step")
                        continue
                stop = nxt.seq if nxt is not None else len(log.events) + 1
                cured = sum(a for q, who, a, _ in outside
                            if who == payee and s.event["seq"] < q < stop)
                still = owed - cured
                if still <= 0:
                    continue
                if nxt is None:
                    out.fail(s.event["seq"], d.date, f"{s.pay}: {still} fen owed to {payee} "
                             f"are never presented again")
                    continue
                again = next((t for t in nxt.steps if t.pay == s.pay), None)
                due_next = again.payees.get(payee, (0, 0))[0] if again else 0
                if due_next < still:
                    cite = again.event["seq"] if again else nxt.seq
                    out.fail(cite, nxt.date, f"{s.pay}: {still} fen owed to {payee} since seq "
                             f"{s.event['seq']} but only {due_next} fen presented",
                             s.event["seq"])
    return out


ORDER = Check("waterfall_order", "一.4.4(2)",
              "each payment date paid in the contract's order, pro rata within a step",
              waterfall_order)
CARRY = Check("shortfalls_carried_forward", "一.4.4(2)",
              "shortfalls carried to the next payment date in the same step",
              shortfalls_carried_forward)


ROLL_ACCOUNT = "issuance_proceeds_account"


def payments_through_waterfalls(log: AuditLog) -> Outcome:
    out = Outcome()
    payees = {c.noteholders for c in log.terms.classes}
    for d in log.distributions:
        for s in d.steps:
            payees.update(s.payees)
    for p in log.payments:
        if p.payee not in payees:
            continue
        out.checked += 1
        if p.distribution_seq is not None:
            continue
        if p.kind == "principal" and p.from_account == ROLL_ACCOUNT and p.note_class:
            continue   # series i-1 repaid from series i's proceeds, outside the waterfall
        out.fail(p.seq, p.date, f"{p.amount_fen} fen paid to {p.payee} ({p.reason!r}) outside "
                 f"any payment date's waterfall: a payment ahead of the steps that rank "
                 f"before it")
    ended = next(iter(log.of("trust_terminated")), None)
    if ended is not None:
        for e in log.events:
            if e["seq"] > ended["seq"] and (e.get("debit") is not None
                                            or e["event"] == "payment_date"):
                out.checked += 1
                out.fail(e["seq"], e["date"], f"{e['event']} after the trust terminated "
                         f"(seq {ended['seq']})", ended["seq"])
    return out


THROUGH = Check("payments_through_waterfalls", "一.4.4(2)",
                "every payment to a noteholder or fee payee made by a payment date's "
                "waterfall; nothing after termination", payments_through_waterfalls)
