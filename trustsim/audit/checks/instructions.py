"""[DEAL §1, design rule] The custodian moves trust money only on a trustee instruction.

Every posting that takes money out of an account the custodian keeps for the trust (the
trust account, the issuance proceeds account, the eligible investments) must execute an
instruction the trustee issued *earlier in the log*, for the same amount, from the same
account to the same payee, on the instruction's value date, and only once. An
instruction due by the end of the log but never executed nor reported failed is lost.

A cash error of the custodian's — an instruction executed late, deferred past its cut-off,
for another amount or to another payee — is a reconciliation break the trustee logged naming
the instruction: :mod:`.reconciliation` checks it and its correction (the custodian's
``payment_corrected`` postings), so it is noted here, not failed.
"""

from __future__ import annotations

from trustsim.audit.checks.reconciliation import correction_seqs, covered_instructions
from trustsim.audit.log import AuditLog
from trustsim.audit.model import Check, Outcome

#: postings that record a loss the trust suffered, not a payment the custodian made
LOSS_EVENTS = frozenset({"investment_written_down"})


def custodian_payments_instructed(log: AuditLog) -> Outcome:
    out = Outcome()
    issued = log.instructions
    done: dict[str, int] = {}
    breaks = covered_instructions(log)
    corrections = correction_seqs(log)
    for p in log.postings:
        if p["credit"] not in log.trust_held and not p.get("instruction"):
            continue
        if p["seq"] in corrections:
            continue     # a break's correction: checked by reconciliation_breaks
        if p["event"] in LOSS_EVENTS:
            out.notes.append(f"{p['amount_fen']} fen lost from {p['credit']} at seq {p['seq']} "
                             f"({p['event']}): a loss, not a payment")
            continue
        out.checked += 1
        seq, date, ins_id = p["seq"], p["date"], p.get("instruction")
        if not ins_id:
            out.fail(seq, date, f"{p['amount_fen']} fen leave {p['credit']} for {p['debit']} "
                                f"without a trustee instruction")
            continue
        ins = issued.get(str(ins_id))
        if ins is None or ins["seq"] > seq:
            out.fail(seq, date, f"the custodian pays {p['amount_fen']} fen to {p['debit']} on "
                                f"instruction {ins_id}, which the trustee has not issued"
                                + (" before" if ins is not None else ""),
                     *((ins["seq"],) if ins is not None else ()))
            continue
        if ins_id in done:
            out.fail(seq, date, f"instruction {ins_id} executed a second time (first at seq "
                                f"{done[ins_id]})", done[ins_id])
            continue
        done[ins_id] = seq
        wrong = []
        if int(ins.get("amount_fen", -1)) != p["amount_fen"]:
            wrong.append(f"amount {p['amount_fen']} fen, instructed {ins.get('amount_fen')} fen")
        if ins.get("from_account") not in (None, p["credit"]):
            wrong.append(f"paid from {p['credit']}, instructed from {ins.get('from_account')}")
        if ins.get("to_account") not in (None, p["debit"]):
            wrong.append(f"paid to {p['debit']}, instructed to {ins.get('to_account')}")
        if ins.get("value_date") not in (None, date):
            wrong.append(f"executed {date}, value date {ins.get('value_date')}")
        if wrong and ins_id in breaks:
            out.notes.append(f"instruction {ins_id}: " + "; ".join(wrong) + f" — reconciliation "
                             f"break {breaks[ins_id].id} (seq {breaks[ins_id].event['seq']})")
        elif wrong:
            out.fail(seq, date, f"instruction {ins_id}: " + "; ".join(wrong), ins["seq"])
    failed = {str(e.get("instruction")) for e in log.of("instruction_failed")}
    last = log.events[-1]["date"] if log.events else ""
    for ins_id, ins in issued.items():
        if ins_id in done or ins_id in failed:
            continue
        if str(ins.get("value_date") or ins["date"]) <= last:
            out.fail(ins["seq"], ins["date"], f"instruction {ins_id} ({ins.get('amount_fen')} "
                     f"fen to {ins.get('to_account')}) never executed nor reported failed")
    return out


CHECK = Check("custodian_payments_instructed", "DEAL §1 custodian",
              "every custodian payment preceded by a trustee instruction of the same amount",
              custodian_payments_instructed)
