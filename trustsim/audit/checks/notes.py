"""[一.2, Table 2] Note balances reconciled with what was issued and what was paid.

A class's outstanding principal is what its holders paid in (``proceeds_received``)
less the principal paid to them (payments to ``<class>_noteholders`` of kind
principal). That figure must agree with every ``day_closed`` snapshot of the notes, with
what each principal step of a waterfall presents as due, with the balances logged at
trust termination, and with the classes' lines in ``summary.json``; no class is repaid
more than it owes; each senior series issued is the one paid in.
"""

from __future__ import annotations

from trustsim.audit.log import NOTE_CLASSES, AuditLog
from trustsim.audit.model import Check, Outcome

PRINCIPAL_STEPS = {f"{c}_principal": c for c in NOTE_CLASSES}


def note_balances_reconciled(log: AuditLog) -> Outcome:
    out = Outcome()
    issued = dict.fromkeys(NOTE_CLASSES, 0)
    repaid = dict.fromkeys(NOTE_CLASSES, 0)
    income = dict.fromkeys(NOTE_CLASSES, 0)
    payments = {p.seq: p for p in log.payments if p.note_class is not None}
    steps = {s.event["seq"]: s for d in log.distributions for s in d.steps}
    series_paid_in: dict[int, int] = {}
    for e in log.events:
        seq, name = e["seq"], e["event"]
        if name == "proceeds_received" and e.get("note_class") in issued:
            issued[e["note_class"]] += int(e["amount_fen"])
            if e.get("series") is not None:
                series_paid_in[int(e["series"])] = int(e["amount_fen"])
        elif seq in payments:
            p = payments[seq]
            c = p.note_class or ""
            if p.kind == "principal":
                out.checked += 1
                if p.amount_fen > issued[c] - repaid[c]:
                    out.fail(seq, e["date"], f"{c} repaid {p.amount_fen} fen, "
                                             f"{issued[c] - repaid[c]} fen outstanding")
                repaid[c] += p.amount_fen
            else:
                income[c] += p.amount_fen
        elif seq in steps and steps[seq].pay in PRINCIPAL_STEPS:
            out.checked += 1
            c = PRINCIPAL_STEPS[steps[seq].pay]
            due = sum(v[0] for v in steps[seq].payees.values())
            if due != issued[c] - repaid[c]:
                out.fail(seq, e["date"], f"{steps[seq].pay} presents {due} fen due; the {c} "
                         f"notes owe {issued[c] - repaid[c]} fen by the log")
        elif name == "day_closed" and isinstance(e.get("notes_outstanding_fen"), int):
            out.checked += 1
            total = sum(issued[c] - repaid[c] for c in NOTE_CLASSES)
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
        for c in NOTE_CLASSES:
            line = summary.get(c)
            if not isinstance(line, dict):
                continue
            out.checked += 1
            figures = {"principal_fen": issued[c], "principal_paid_fen": repaid[c],
                       "interest_paid_fen": income[c], "loss_fen": issued[c] - repaid[c]}
            for key, value in figures.items():
                if key in line and line[key] != value:
                    out.fail(None, None, f"summary.json notes.{c}.{key} = {line[key]}; the log "
                                         f"gives {value}")
    return out


CHECK = Check("note_balances_reconciled", "一.2",
              "note balances reconciled with issuance and payments",
              note_balances_reconciled)
