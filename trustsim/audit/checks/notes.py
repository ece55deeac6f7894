"""[一.2, Table 2] Note balances reconciled with what was issued and what was paid.

A class's outstanding principal is what its holders paid in (``proceeds_received``)
less the principal paid to them (payments to ``<class>_noteholders`` of kind
principal). That figure must agree with every ``day_closed`` snapshot of the notes, with
what each principal step of a waterfall presents as due, with the balances logged at
trust termination, and with the classes' lines in ``summary.json``; no class is repaid
more than it owes; each series of a rolling class issued is the one paid in.

The classes are the deal's (``classes`` in config.json), in order of seniority. A principal
step of a waterfall (a ``pay_principal`` action, of one class or a pro-rata group)
presents each class's outstanding principal as its holders' due.

The summary's ``principal_fen`` is the class's size (``classes[i].size_wan`` in the
deal), not the rolled series added up: what was issued is ``principal_issued_fen``, and
each series' issued, repaid and outstanding amounts (``series``) agree with the log —
series are repaid in the order they were issued (series i-1 from series i's proceeds).
"""

from __future__ import annotations

from trustsim.audit.checks.reconciliation import covered_instructions
from trustsim.audit.log import AuditLog, Payment, StepLine
from trustsim.audit.model import Check, Outcome


def _principal_due(log: AuditLog, step: StepLine, targets: tuple[str, ...]
                   ) -> list[tuple[str, tuple[str, ...], int]]:
    """(what, classes, due) a principal step presents: per class when its payees are the
    classes' holders, else the step's total for all the classes it names."""
    by_class = {log.terms.class_of_payee(p): v[0] for p, v in step.payees.items()}
    if by_class and None not in by_class and set(by_class) <= set(targets):
        return [(f"{step.pay} ({c})" if len(targets) > 1 else step.pay, (str(c),), due)
                for c, due in by_class.items()]
    return [(step.pay, targets, sum(v[0] for v in step.payees.values()))]


def note_balances_reconciled(log: AuditLog) -> Outcome:
    out = Outcome()
    classes = log.class_names
    principal_steps = {s.pay: s for steps in log.terms.waterfalls.values() for s in steps
                       if s.action == "pay_principal"}
    issued = dict.fromkeys(classes, 0)
    repaid = dict.fromkeys(classes, 0)
    income = dict.fromkeys(classes, 0)
    payments = {p.seq: p for p in log.payments if p.note_class is not None}
    # a payment a reconciliation break delayed, misdirected or misstated: the notes are paid
    # as the trustee instructed, when it instructed (the break is reconciliation_breaks')
    covered = covered_instructions(log)
    if covered:
        late = _instructed(log, set(covered))
        payments = {k: p for k, p in payments.items() if p.instruction not in covered}
        payments.update(late)
    steps = {s.event["seq"]: s for d in log.distributions for s in d.steps}
    series_paid_in: dict[int, int] = {}
    by_series: dict[str, dict[int, list[int]]] = {c: {} for c in classes}  # [issued, repaid]
    for e in log.events:
        seq, name = e["seq"], e["event"]
        if name == "proceeds_received" and e.get("note_class") in issued:
            issued[e["note_class"]] += int(e["amount_fen"])
            if e.get("series") is not None:
                series_paid_in[int(e["series"])] = int(e["amount_fen"])
                by_series[e["note_class"]][int(e["series"])] = [int(e["amount_fen"]), 0]
        elif seq in payments:
            p = payments[seq]
            c = p.note_class or ""
            if p.kind == "principal":
                out.checked += 1
                if p.amount_fen > issued[c] - repaid[c]:
                    out.fail(seq, e["date"], f"{c} repaid {p.amount_fen} fen, "
                                             f"{issued[c] - repaid[c]} fen outstanding")
                repaid[c] += p.amount_fen
                _repay_in_order(by_series[c], p.amount_fen)
            else:
                income[c] += p.amount_fen
        elif seq in steps and steps[seq].pay in principal_steps:
            action = principal_steps[steps[seq].pay]
            for what, owing, due in _principal_due(log, steps[seq], action.targets):
                out.checked += 1
                owed = sum(issued[c] - repaid[c] for c in owing if c in issued)
                if due != owed:
                    out.fail(seq, e["date"], f"{what} presents {due} fen due; the "
                             f"{' and '.join(owing)} notes owe {owed} fen by the log")
        elif name == "day_closed" and isinstance(e.get("notes_outstanding_fen"), int):
            out.checked += 1
            total = sum(issued[c] - repaid[c] for c in classes)
            if e["notes_outstanding_fen"] != total:
                out.fail(seq, e["date"], f"notes outstanding {e['notes_outstanding_fen']} fen at "
                         f"the close; issued less principal paid is {total} fen")
        elif name == "series_issued":
            out.checked += 1
            s = e.get("series")
            if s is not None and s in series_paid_in and series_paid_in[s] != e.get("amount_fen"):
                out.fail(seq, e["date"], f"series {s} issued for {e.get('amount_fen')} fen, "
                                         f"{series_paid_in[s]} fen paid in")
        elif name == "trust_terminated" and isinstance(e.get("notes_outstanding_by_class_fen"), dict):
            for c, v in e["notes_outstanding_by_class_fen"].items():
                out.checked += 1
                if c in issued and v != issued[c] - repaid[c]:
                    out.fail(seq, e["date"], f"{c} outstanding {v} fen at termination; issued "
                                             f"less repaid is {issued[c] - repaid[c]} fen")
    for e in log.of("series_issued"):
        s = e.get("series")
        if s is not None and s not in series_paid_in:
            out.fail(e["seq"], e["date"], f"series {s} issued but its proceeds never paid in")
    summary = (log.summary or {}).get("notes")
    if isinstance(summary, dict):
        for c in classes:
            line = summary.get(c)
            if not isinstance(line, dict):
                continue
            out.checked += 1
            figures = {"principal_issued_fen": issued[c], "principal_paid_fen": repaid[c],
                       "interest_paid_fen": income[c], "loss_fen": issued[c] - repaid[c]}
            size = log.terms.class_sizes_fen.get(c)
            if size is not None:
                figures["principal_fen"] = size
            for key, value in figures.items():
                if key in line and line[key] != value:
                    what = "the deal's class size is" if key == "principal_fen" else "the log gives"
                    out.fail(None, None, f"summary.json notes.{c}.{key} = {line[key]}; {what} "
                                         f"{value}")
            _series_lines(out, c, line.get("series"), by_series[c])
    return out


def _instructed(log: AuditLog, covered: set[str]) -> dict[int, Payment]:
    """issue seq -> the payment an instruction named by a break makes to a class's holders,
    of the instructed amount (its kind from the postings that made it, else its reason)."""
    made = {p.instruction: p for p in log.payments if p.instruction in covered and p.note_class}
    out: dict[int, Payment] = {}
    for ins_id in covered:
        ins = log.instructions.get(ins_id)
        if ins is None:
            continue
        payee = str(ins.get("to_account"))
        c = log.terms.class_of_payee(payee)
        if c is None:
            continue
        p = made.get(ins_id)
        reason = str(ins.get("reason") or "")
        kind = p.kind if p is not None else ("principal" if "principal" in reason else "interest")
        out[int(ins["seq"])] = Payment(int(ins["seq"]), str(ins["date"]), payee,
                                       str(ins.get("from_account")), int(ins.get("amount_fen") or 0),
                                       reason, ins_id, None, None, c, kind)
    return out


def _repay_in_order(series: dict[int, list[int]], amount: int) -> None:
    """Principal repays the earliest series still outstanding first."""
    for number in sorted(series):
        line = series[number]
        take = min(amount, line[0] - line[1])
        line[1] += take
        amount -= take
        if not amount:
            return


def _series_lines(out: Outcome, c: str, lines: object, series: dict[int, list[int]]) -> None:
    if not isinstance(lines, list):
        return
    reported = {int(x["series"]): x for x in lines if isinstance(x, dict) and "series" in x}
    for number in sorted(set(reported) | set(series)):
        out.checked += 1
        if number not in reported or number not in series:
            where = "summary.json" if number not in reported else "the log"
            out.fail(None, None, f"{c} series {number} is missing from {where}")
            continue
        issued_fen, repaid_fen = series[number]
        expect = {"issued_fen": issued_fen, "repaid_fen": repaid_fen,
                  "outstanding_fen": issued_fen - repaid_fen}
        for key, value in expect.items():
            if reported[number].get(key) != value:
                out.fail(None, None, f"summary.json notes.{c}.series {number} {key} = "
                         f"{reported[number].get(key)}; the log gives {value}")


CHECK = Check("note_balances_reconciled", "一.2",
              "note balances reconciled with issuance and payments",
              note_balances_reconciled)
