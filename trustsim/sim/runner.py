"""Running a deal: wire the actors, run to termination, write the run folder atomically.

``simulate(deal) -> Result`` writes ``config.json`` (the resolved deal), ``events.jsonl``
(the audit log) and ``summary.json`` into a temporary folder beside the target and
renames it into place only when the run has finished, so a failed run leaves nothing
half-written. ``run_deal`` is the in-memory core (tests and benchmarks).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from trustsim.actors.custodian import Custodian
from trustsim.actors.originator import Originator
from trustsim.actors.servicer import Servicer
from trustsim.actors.trustee import Trustee
from trustsim.atomic import atomic_dir
from trustsim.config.models import DealConfig
from trustsim.contract.dues import step_up_accrual
from trustsim.contract.triggers import PPM
from trustsim.incidents import IncidentDesk
from trustsim.ledger import COLLECTION_ACCOUNT, INTERNAL_ACCOUNTS
from trustsim.money import fen_from_wan
from trustsim.pool.base import PoolBalances
from trustsim.sim import clock
from trustsim.sim.assumptions import calendar_summary
from trustsim.sim.environment import TrustEnvironment
from trustsim.sim.exposure import Exposure


@dataclass
class Parties:
    originator: Originator
    servicer: Servicer
    trustee: Trustee
    custodian: Custodian
    desk: IncidentDesk | None = None
    commingling: Exposure | None = None
    pool_at_revolving_end: PoolBalances | None = None   # at 24:00 of the revolving period's last day
    cash_at_revolving_end: int = 0                      # the trust's accounts then
    step_up: FeeStepUp | None = None                    # a successor's fee step-up, if the deal has one


@dataclass
class FeeStepUp:
    """What a successor servicer's fee step-up (``servicing.successor_fee_step_up_pct_per_year``)
    added to the trust's fees over the life: on each payment date, the step-up's rate on the
    fee's basis at the period's start (the notes outstanding at 24:00 of the previous payment
    date, or the pool then for a pct_of_pool fee) for the days from the later of the period's
    start and the takeover — the part of the fee above what the original servicer's would have
    been (owed; the audit recomputes it, ``servicer_replacement_cost``)."""

    fee: str
    base: tuple[dt.date, int, int] | None = None    # period start, notes then, pool then
    fen: int = 0

    def close(self, day: dt.date, trustee: Trustee) -> None:
        """24:00 of ``day``: on a payment date, accrue the period it ended and start the next."""
        if trustee.dues.last_payment_date != day:
            return
        self.accrue_to(day, trustee)
        self.base = (day, sum(n.outstanding_fen for n in trustee.notes.values()),
                     trustee.dues.pool_at_last_fen)

    def accrue_to(self, day: dt.date, trustee: Trustee) -> None:
        step = trustee.dues.step_ups.get(self.fee)
        if self.base is None or step is None or day <= self.base[0]:
            return
        start, notes, pool = self.base
        self.fen += step_up_accrual(trustee.deal.fee(self.fee), step, start, day, notes, pool)
        self.base = (day, notes, pool)   # accrued to ``day``: never twice


@dataclass
class Result:
    summary: dict[str, Any]
    out_dir: Path | None = None

    @property
    def events_path(self) -> Path | None:
        return self.out_dir / "events.jsonl" if self.out_dir else None


def build(deal: DealConfig, stream: IO[bytes] | None, seed: int | None = None) -> tuple[TrustEnvironment, Parties]:
    """A ready-to-run environment with the four parties connected."""
    env = TrustEnvironment(deal, stream, seed)
    env.log.emit("environment", "run_started", deal=deal.name,
                 seed=deal.run.seed if seed is None else seed, pool=deal.pool.kind,
                 initial_pool_fen=env.pool.balances().outstanding_fen,
                 calendar=deal.calendar.record(env.calendar))
    p = Parties(Originator(env), Servicer(env), Trustee(env), Custodian(env))
    # each party gets the others' addresses, never the others themselves
    p.originator.connect(p.trustee.inbox, p.custodian.inbox)
    p.servicer.connect(p.trustee.inbox, p.originator.inbox, p.custodian.inbox)
    p.trustee.connect(p.custodian.inbox, p.servicer.inbox, p.originator.inbox)
    p.custodian.connect(p.trustee.inbox, p.servicer.inbox)
    p.desk = IncidentDesk(env, p)
    p.commingling = Exposure(env.ledger)
    s = deal.servicing
    if s.fee is not None and s.successor_fee_step_up_pct_per_year:
        p.step_up = FeeStepUp(s.fee)
    env.process(_day_closer(env, p, p.commingling))
    return env, p


def _day_closer(env: TrustEnvironment, p: Parties, exposure: Exposure):
    """24:00 of every calendar day: the money held at the servicer (:mod:`trustsim.sim.exposure`),
    to the end of the run; the pool by status at the close of the day the revolving period
    ended (the summary's ``pool_at_revolving_end``); and each business day until the trust
    terminates, the environment's snapshot of every balance (``day_closed``)."""
    is_business_day = env.calendar.is_business_day
    trustee = p.trustee
    day, one = env.origin, dt.timedelta(days=1)
    while True:
        yield env.until(day, clock.DAY_CLOSED)
        business = is_business_day(day)
        exposure.close(day, business)
        if p.step_up is not None:
            p.step_up.close(day, trustee)
        if p.pool_at_revolving_end is None and trustee.revolving_end == day:
            p.pool_at_revolving_end = env.pool.balances()
            p.cash_at_revolving_end = env.ledger.total_held()
        day += one
        if not business or trustee.terminated:
            continue
        b = env.pool.balances()
        accounts = env.ledger.balances
        cutoff = trustee.initial_cutoff_fen
        at_servicer = accounts[COLLECTION_ACCOUNT]
        env.log.emit(
            "environment", "day_closed", period=trustee.period,
            **{f"{a}_fen": accounts[a] for a in INTERNAL_ACCOUNTS},

            pool_performing_fen=b.performing_fen, pool_overdue_fen=b.overdue_fen,
            pool_non_performing_fen=b.non_performing_fen, pool_charged_off_fen=b.charged_off_fen,
            pool_outstanding_fen=b.outstanding_fen, pool_loans=b.loans,
            pool_npl_fees_fen=b.npl_fees_fen,
            pool_overdue_1_30_fen=b.overdue_1_30_fen, pool_overdue_31_60_fen=b.overdue_31_60_fen,
            pool_overdue_61_90_fen=b.overdue_61_90_fen, pool_prepaid_fen=b.prepaid_fen,
            pool_scheduled_principal_fen=b.scheduled_fen, pool_bought_fen=b.bought_fen,
            npl_ratio_ppm=b.non_performing_fen * PPM // cutoff if cutoff else 0,
            notes_outstanding_fen=sum(n.outstanding_fen for n in trustee.notes.values()),
            commingling_at_risk_fen=at_servicer,
            **({"reserve_accounts_fen": {r.name: accounts[r.name] for r in env.deal.accounts.reserves}}
               if env.deal.accounts.reserves else {}),
        )


def _day_ticker(env: TrustEnvironment, on_day: Callable[[int], None], horizon: int):
    """Call ``on_day(d)`` as each calendar day ``d`` begins (progress bars, tape snapshots).

    Why a process and not ``env.run(until=d)`` day by day: the run must stop exactly when
    the trust terminates, so that what is logged after (``run_finished``) is stamped the
    same whether anyone watches the days or not. The ticker only reads.
    """
    for day in range(1, horizon + 1):
        yield env.timeout(1)
        on_day(day)


def run_deal(deal: DealConfig, stream: IO[bytes] | None = None, seed: int | None = None,
             on_day: Callable[[int], None] | None = None, *,
             log: bool = True,
             on_env: Callable[[TrustEnvironment], None] | None = None,
             ) -> tuple[TrustEnvironment, Parties, dict]:
    """Run ``deal`` to trust termination, writing its log to ``stream``; return the summary.

    ``log=False`` (and no stream) runs with the event log's no-op sink: the same run, its
    events counted but not written — for searches and Monte Carlo paths.
    """
    if stream is None and log:
        stream = io.BytesIO()
    env, parties = build(deal, stream, seed)
    if on_env is not None:  # e.g. the --tape-at hook, which reads the pool
        on_env(env)
    horizon = (env.timetable.legal_maturity - env.origin).days + 30
    if on_day is not None:
        env.process(_day_ticker(env, on_day, horizon))
    env.run(until=env.terminated)
    if not env.terminated.triggered:
        raise RuntimeError("the trust did not terminate by legal maturity")
    summary = summarize(env, parties, seed)
    summary["calendar"] = calendar_summary(summary, deal.calendar.record(env.calendar))
    env.log.emit("environment", "run_finished",
                 termination_date=summary["trust_termination_date"],
                 total_in_fen=env.ledger.total_in(), total_out_fen=env.ledger.total_out(),
                 held_fen=env.ledger.total_held())
    return env, parties, summary


def summarize(env: TrustEnvironment, p: Parties, seed: int | None) -> dict[str, Any]:
    t = p.trustee
    out = env.ledger.outflows
    notes: dict[str, dict[str, Any]] = {}
    sizes = {c.name: fen_from_wan(c.size_wan) for c in env.deal.classes}
    for name, n in t.notes.items():
        notes[name] = {
            "principal_fen": sizes[name],            # the class's size [Table 2]
            "principal_issued_fen": n.original_fen,  # every series issued, added up
            "principal_paid_fen": n.principal_paid_fen,
            "interest_paid_fen": n.interest_paid_fen,
            "interest_unpaid_fen": n.interest_unpaid_fen,
            "loss_fen": n.outstanding_fen,
            "paid_in_full": n.outstanding_fen == 0,
        }
    if t.rolling is not None:
        notes[t.rolling]["series_issued"] = list(t.notes[t.rolling].series_issued)
    maturities = env.timetable.series_maturities
    for name, n in t.notes.items():
        if n.issues:
            notes[name]["series"] = [
                {"series": i.number, "issued_on": i.issued_on.isoformat(),
                 "expected_maturity": maturities[i.number - 1].isoformat(),
                 "issued_fen": i.issued_fen, "repaid_fen": i.repaid_fen,
                 "outstanding_fen": i.outstanding_fen,
                 "repaid_on": i.repaid_on.isoformat() if i.repaid_on else None}
                for i in n.issues.values()]
    fees = env.deal.fees
    tax_payees = list(dict.fromkeys(f.payee for f in fees if f.basis == "pct_of_income"))
    fee_payees = list(dict.fromkeys(f.payee for f in fees if f.basis != "pct_of_income"))
    b = env.pool.balances()
    return {
        "deal": env.deal.name,
        "seed": env.deal.run.seed if seed is None else seed,
        "pool_kind": env.deal.pool.kind,
        "notes": notes,
        "revolving_end": {"date": t.revolving_end.isoformat() if t.revolving_end else None,
                          "cause": t.revolving_end_cause},
        "pool_at_revolving_end": _pool_record(p.pool_at_revolving_end, p.cash_at_revolving_end),
        "trust_termination_date": t.termination_date.isoformat() if t.termination_date else None,
        "termination_cause": t.termination_cause,
        "triggers": [{"kind": f.kind, "clause": f.clause, "date": f.date.isoformat(),
                      "figures": f.figures, **({"name": f.name} if f.name else {})} for f in t.fired],
        "cash": {
            "collections_fen": env.ledger.inflows.get("obligors", 0),
            "revolving_purchases_fen": t.purchases_fen,
            "revolving_purchases_principal_fen": t.purchases_principal_fen,
            "taxes_fen": sum(out.get(k, 0) for k in tax_payees),
            "fees_fen": sum(out.get(k, 0) for k in fee_payees),
            "note_proceeds_fen": sum(v for k, v in env.ledger.inflows.items()
                                     if k.startswith("investors:")),
            "investment_income_fen": env.ledger.inflows.get("investment_income", 0),
        },
        "incidents": p.desk.records if p.desk else [],
        "reconciliation": {"breaks": t.breaks.summary()},   # every break, how long it stayed open
        "commingling": _commingling(env, p),
        "servicer_replacement": _replacement(env, p),
        "pool": {"initial_fen": t.initial_cutoff_fen, "bought_fen": b.bought_fen,
                 "collected_fen": b.collected_fen, "charged_off_fen": b.charged_off_fen,
                 "prepaid_fen": b.prepaid_fen, "scheduled_principal_fen": b.scheduled_fen,
                 "released_at_termination_fen": t.pool_released_fen,
                 "sold_at_liquidation_fen": t.liquidation_principal_fen,
                 "liquidation_price_fen": t.liquidation_price_fen or 0},
        "ledger": {"held_fen": env.ledger.total_held(), "in_fen": env.ledger.total_in(),
                   "out_fen": env.ledger.total_out(),
                   "in_by_counterparty_fen": dict(sorted(env.ledger.inflows.items())),
                   "out_by_counterparty_fen": dict(sorted(env.ledger.outflows.items()))},
        "waterfall_paid_fen": dict(sorted(t.waterfall_paid.items())),   # by step id, over the life
        "dues_unpaid_fen": [{"item": item, "part": part, "fen": fen}   # fees, period income owed at the end
                            for (item, part), fen in sorted(t.dues.carried.items()) if fen],
        "unpaid_at_liquidation_fen": dict(t.unpaid_at_liquidation),
        "events": dict(sorted(env.log.counts.items())),
        **({"reserve_accounts_fen": {r.name: env.ledger.balances[r.name]
                                     for r in env.deal.accounts.reserves}}
           if env.deal.accounts.reserves else {}),
    }


def _pool_record(b: PoolBalances | None, cash_fen: int) -> dict[str, int] | None:
    """The pool by status at 24:00 of the revolving period's last day, and the cash the
    trust's accounts held then (None: revolving never ended)."""
    if b is None:
        return None
    return {"performing_fen": b.performing_fen, "overdue_fen": b.overdue_fen,
            "non_performing_fen": b.non_performing_fen, "charged_off_fen": b.charged_off_fen,
            "outstanding_fen": b.outstanding_fen, "cash_held_fen": cash_fen}


def _commingling(env: TrustEnvironment, p: Parties) -> dict[str, Any]:
    """The exposure at the servicer over calendar days, and what its estate kept."""
    lost = env.ledger.outflows.get("servicer_estate", 0) - env.ledger.inflows.get("servicer_estate", 0)
    if p.commingling is None:
        return {"peak_fen": 0, "peak_date": None, "lost_fen": lost}
    return p.commingling.summary(lost)


def _replacement(env: TrustEnvironment, p: Parties) -> dict[str, int]:
    """What replacing the servicer cost the trust (docs/risk.md, "Servicer replacement"):
    how many termination events and takeovers; the successor's fee step-up (owed over the
    life); what obligors paid late while the servicing was transferred (deferred), what the
    successor collected of it before the trust ended, and the rest, never collected."""
    counts = env.log.counts
    t = p.trustee
    if p.step_up is not None and t.dues.last_payment_date is not None:
        p.step_up.accrue_to(t.dues.last_payment_date, t)   # the last payment date's period
    deferred, collected = p.servicer.deferred_total_fen, p.servicer.arrears_collected_fen
    return {"terminations": counts.get("servicer_termination_event", 0),
            "takeovers": counts.get("servicing_taken_over", 0),
            "fee_step_up_fen": p.step_up.fen if p.step_up is not None else 0,
            "deferred_fen": deferred, "deferred_collected_fen": collected,
            "collections_lost_fen": deferred - collected}


def _dump(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)


def simulate(deal: DealConfig, out_dir: str | Path | None = None, seed: int | None = None,
             on_day: Callable[[int], None] | None = None,
             tape_at: Sequence[dt.date] = (), out_flag: str | None = None) -> Result:
    """Run ``deal`` and write its run folder atomically; see the module docstring.

    ``tape_at``: dates on which a loan-level pool's holdings are written into the run
    folder (:mod:`trustsim.pool.snapshots`); the pool then keeps its journal.
    ``out_flag`` names where ``out_dir`` came from (``--out``), for error messages.
    """
    out = Path(out_dir if out_dir is not None else deal.run.out)
    if tape_at and deal.pool.kind == "loan_level" and not deal.pool.journal:
        # the movements written beside the holdings need every receivable's exit
        deal = deal.model_copy(update={"pool": deal.pool.model_copy(update={"journal": True})})
    with atomic_dir(out, "run", out_flag) as tmp:
        resolved = deal.model_dump(mode="json")
        if seed is not None:
            resolved["run"]["seed"] = seed
        (tmp / "config.json").write_bytes(_dump(resolved))
        snapshots = None
        if tape_at:
            from trustsim.pool.snapshots import TapeAt

            snapshots = TapeAt(tape_at, tmp, on_day)
            on_day = snapshots
        with open(tmp / "events.jsonl", "wb", buffering=1 << 20) as f:
            _env, parties, summary = run_deal(deal, f, seed, on_day,
                                              on_env=snapshots.bind if snapshots else None)
        if snapshots is not None:
            snapshots.finish()
        (tmp / "summary.json").write_bytes(_dump(summary))
        (tmp / "commingling.csv").write_text(parties.commingling.csv(), encoding="utf-8")
    return Result(summary, out)
