"""The loan-level pool: the trust's receivables one by one, behind the :class:`Pool` interface.

Why: a trustee must be able to say which receivables the trust holds on any day and why
each one entered (initial transfer, revolving purchase, replacement) or left (repaid,
prepaid, charged off, lost and replaced, repurchased, sold to the servicer, released).
This pool holds the tape in a :class:`~trustsim.pool.book.LoanBook` (the trust's
receivables, advanced day by day), the originator's new business in a
:class:`~trustsim.pool.newbusiness.NewBusiness` inventory, and screens every purchase
and replacement with the eligibility criteria (:mod:`trustsim.pool.eligibility`).

The tape describes the pool at its as-of date (the report's 2020-07-27); the trust
receives it on the effective date (2020-08-18). Origination dates are moved forward by
the days between the two, so the pool delivered has the report's seasoning, remaining
terms and balances (ASSUMPTION: the report's simulated pool stands for the pool
delivered).

Offers carry loan ids; the offered receivables leave the originator's inventory and are
held for the trust until it buys them (or the offer lapses), so they stay valid however
the inventory is compacted between a base date and its purchase date. Selections carry
book rows with their loan ids (a row is recycled only after its receivable has left,
which its loan id tells).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from trustsim.money import FEN_PER_CNY
from trustsim.pool import eligibility
from trustsim.pool.base import Collections, Offer, PoolBalances, Selection
from trustsim.pool.behaviour import LOST_WINDOW_DAYS, Behaviour
from trustsim.pool.book import FREE, LoanBook, next_due_table
from trustsim.pool.kernels import originator as kernels
from trustsim.pool.memory import keep_freed_memory
from trustsim.pool.newbusiness import NewBusiness, Screening
from trustsim.pool.tape import (
    CURRENT,
    ENTRY_REASONS,
    EXIT_REASONS,
    LOST,
    NON_PERFORMING,
    NOTEHOLDERS,
    ORIGINATOR,
    OVERDUE,
    REPURCHASED,
    SERVICER,
    SOLD,
    TRUST,
    Tape,
    add_months_days,
    date_of,
    day_number,
    read_tape,
    to_table,
)

INITIAL, REVOLVING_PURCHASE, REPLACEMENT = 0, 1, 2
RESERVATION_DAYS = 20  # an offer's receivables are held back this long for its settlement
PPM = 1_000_000


@dataclass(frozen=True)
class Lots:
    """The receivables of an offer: loan ids in the originator's inventory, and why they enter."""

    loan_ids: np.ndarray
    entry_reason: int


@dataclass(frozen=True)
class Picked:
    """Receivables of a selection: their book rows and loan ids (rows never move, but may be
    recycled once a receivable has left, which its loan id tells)."""

    rows: np.ndarray
    loan_ids: np.ndarray


def load_tape(cfg, reference_date: dt.date) -> Tape:
    """The tape the config names, or one generated to the report's strata."""
    if cfg.tape:
        return read_tape(Path(cfg.tape), cfg.tape_as_of)
    from trustsim.pool.generator import generate

    return generate(float(cfg.scale), cfg.tape_seed, reference_date)


def price_of(principal: np.ndarray, price_pct: Decimal) -> np.ndarray:
    """Price per receivable: principal x price_pct / 100, rounded half up, in integers."""
    num, den = Decimal(price_pct).as_integer_ratio()
    p = np.asarray(principal, np.int64)
    return (2 * p * num + 100 * den) // (200 * den)


class LoanLevelPool:
    """See the module docstring."""

    kind = "loan_level"

    def __init__(self, cfg, effective_date: dt.date, rng_streams, tape: Tape | None = None,
                 reference_date: dt.date | None = None) -> None:
        self.cfg = cfg
        keep_freed_memory()  # the engine's daily buffers are not handed back and faulted in again
        tape = tape if tape is not None else load_tape(cfg, reference_date or effective_date)
        self.behaviour = Behaviour.from_config(cfg.behaviour)
        self.effective_day = day_number(effective_date)
        self.purchase_rate = Decimal(cfg.purchase_rate_pct) / 100
        self.regions = list(tape.regions)
        e = cfg.eligibility
        self.rules = eligibility.Rules(
            min_age_days=e.min_age_days, max_obligor_fen=int(e.max_obligor_cny * FEN_PER_CNY),
            max_worst_dpd=e.max_worst_dpd_days, credit_levels=tuple(e.credit_levels),
            last_instalment_months=e.last_instalment_months)
        c = tape.columns
        max_obligor = int(c["obligor_id"].max()) if len(c["obligor_id"]) else 0
        # obligors after the tape's are the originator's new users, one receivable each: the
        # book need not keep their balances (see LoanBook.obligor_fen)
        self.book = LoanBook(self.behaviour, rng_streams["credit"], rng_streams["prepayment"],
                             rng_streams["returns"], self.effective_day, journal=cfg.journal,
                             tracked_obligors=max_obligor + 1)
        held = (c["holder"] == TRUST) & np.isin(c["status"], (CURRENT, OVERDUE, NON_PERFORMING))
        # the tape's own columns when it holds only the trust's receivables (no copy of the
        # whole tape: memory touched is time on a small machine)
        cols = dict(c) if held.all() else {k: v[held] for k, v in c.items()}
        shift = self.effective_day - day_number(tape.as_of)
        cols["origination_day"] = (cols["origination_day"] + shift).astype(np.int32)
        cols["lost_day"] = self._initial_returns(cols, rng_streams["returns"])
        self.initial_fen = self._enter(cols, self.effective_day, INITIAL)
        self.initial_loans = len(cols["loan_id"])
        daily = int(Decimal(self.initial_fen) * cfg.new_business.daily_pct_of_initial / 100)
        self.static = eligibility.compiled(self.rules, self.effective_day)
        self.new_business = NewBusiness(
            tape, cfg.new_business, self.behaviour.lost_first_month, rng_streams["origination"],
            daily, first_loan_id=int(c["loan_id"].max()) + 1, first_obligor_id=max_obligor + 1,
            offerable=self._offerable, static=self.static)

    def _offerable(self, cols: dict[str, np.ndarray]) -> np.ndarray:
        """New receivables that pass every criterion whose answer cannot change (eligibility.STATIC)."""
        ctx = self._context(self.effective_day)
        ok = np.ones(len(cols["loan_id"]), bool)
        for test in eligibility.STATIC:
            ok &= test(cols, ctx)
        return ok

    # ------------------------------------------------------------------ entering and leaving
    def _initial_returns(self, cols: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
        """Returns still possible for receivables younger than 30 days on delivery."""
        n = len(cols["loan_id"])
        u = rng.random(n)  # one draw each, then a second each (the stream as it always was)
        age = self.effective_day - cols["origination_day"].astype(np.int64)
        young = np.flatnonzero((age < LOST_WINDOW_DAYS) & (cols["status"] == CURRENT))
        left = np.minimum(LOST_WINDOW_DAYS - age[young], LOST_WINDOW_DAYS)
        p = self.behaviour.lost_first_month * left / LOST_WINDOW_DAYS
        lost = u[young] < p
        rng.random(out=u)
        when = self.effective_day + 1 + np.floor(u[young[lost]] * np.maximum(left[lost], 1))
        out = np.full(n, -1, np.int64)
        out[young[lost]] = when
        return out

    def _enter(self, cols: dict[str, np.ndarray], day: int, reason: int) -> int:
        returned = (cols["lost_day"] >= 0) & (cols["lost_day"] <= self.book.day)
        if returned.any():  # returned between the base date and the purchase
            cols["status"] = np.where(returned, LOST, cols["status"]).astype(np.int8)
        return self.book.add(cols, day, reason)

    # ------------------------------------------------------------------ Pool interface
    def collect(self, through: dt.date) -> Collections:
        f = self.book.advance(day_number(through))
        return Collections(f.principal_fen, f.income_fen)

    def balances(self) -> PoolBalances:
        b = self.book
        return PoolBalances(
            performing_fen=b.performing, overdue_fen=b.overdue, non_performing_fen=b.npl,
            charged_off_fen=b.charged_off, bought_fen=b.bought, collected_fen=b.collected,
            removed_fen=b.removed, npl_fees_fen=b.npl_fees(b.day), loans=b.loans,
            **dict(zip(("overdue_1_30_fen", "overdue_31_60_fen", "overdue_61_90_fen"),
                       b.buckets(), strict=True)),
            prepaid_fen=b.prepaid, scheduled_fen=b.scheduled)

    def npl_ratio_ppm(self, basis: str = "principal") -> int:
        """Asset NPL ratio (DEAL.md §6): non-performing payable balance / initial cut-off balance.

        ``basis``: ``principal`` or ``principal_plus_fees`` (adds accrued unpaid fees and
        late fees of the non-performing receivables). At the initial cut-off every
        receivable is current, so the denominator is its principal either way.
        """
        b = self.balances()
        npl = b.non_performing_fen + (b.npl_fees_fen if basis == "principal_plus_fees" else 0)
        return npl * PPM // self.initial_fen if self.initial_fen else 0

    def _context(self, day: int) -> eligibility.Context:
        return eligibility.Context(day, self.effective_day, self.rules,
                                   obligor_balance=self.obligor_balances)

    def obligor_balances(self, ids: np.ndarray) -> np.ndarray:
        """Each obligor's payable balance in the trust (principal of its live receivables)."""
        ids = np.asarray(ids, np.int64)
        owed = self.book.obligor_fen
        out = np.zeros(len(ids), np.int64)
        known = ids < len(owed)
        out[known] = owed[ids[known]]
        return out

    def _screened(self, day: int, target: int, price_pct: Decimal | None) -> Screening:
        """Eligible receivables of the originator taken oldest first, screened on ``day``: with
        a price, each that still fits in the budget ``target`` (its price, principal x
        price_pct / 100 half up); without one, as many as reach a principal of ``target``.
        The originator shows more of its book (tops up) while it falls short.

        The screening stops as soon as it has what it wants, and tests each candidate once:
        criterion (d) counts the receivables already taken by this screening. New business
        is offered to it as it is originated (see :meth:`NewBusiness.screen`).
        """
        inv = self.new_business
        s = inv.screening_for(day, target, price_pct, self.static, self.book.obligor_fen)
        try:
            inv.screen(s, lag=self.rules.min_age_days)
            for _ in range(12):
                if s.satisfied:
                    break
                # the originator shows more of its book: receivables just old enough to
                # qualify, as many as the share found eligible so far says it takes
                drawn = inv.originated_loans
                inv.top_up(day - self.rules.min_age_days,
                           int(1.2 * (target - s.got) / max(0.05, s.share)) + 100_000)
                if inv.originated_loans == drawn:
                    break  # it has nothing more to show
        finally:
            inv.finish(s)
        return s

    def eligible_offer(self, base_date: dt.date, budget_fen: int, price_pct) -> Offer:
        """Eligible new receivables, oldest first, priced within purchase_rate x the budget.

        Oldest first while they fit; then later ones that still fit in what is left, so the
        budget is not stranded by one receivable too large.
        """
        spend = int(Decimal(budget_fen) * self.purchase_rate) if budget_fen > 0 else 0
        if spend <= 0:
            return Offer(base_date, 0, 0, 0, Lots(np.zeros(0, np.int64), REVOLVING_PURCHASE))
        day = day_number(base_date)
        s = self._screened(day, spend, Decimal(price_pct))
        cols = self.new_business.reserve(s, day + RESERVATION_DAYS)
        k = len(cols["loan_id"])
        return Offer(base_date, int(cols["principal_fen"].sum()), s.got, k,
                     Lots(cols["loan_id"], REVOLVING_PURCHASE),
                     evidence=self._evidence(s.fig, s.levels, day) if k else None)

    @staticmethod
    def _evidence(fig: np.ndarray, counts: np.ndarray, day: int) -> dict:
        """The offered receivables' eligibility figures, as at the base date, for the audit log:
        the worst of each criterion an auditor can check from the log alone (DEAL.md §7)."""
        levels = np.flatnonzero(counts)
        return {
            "max_obligor_balance_fen": int(fig[kernels.F_MAX_BALANCE]),
            "overdue_loans": int(fig[kernels.F_OVERDUE]),
            "max_worst_overdue_days": int(fig[kernels.F_MAX_WORST]),
            "credit_levels": {str(int(k)): int(counts[k]) for k in levels},
            # the inventory's own figure: its last instalment's day
            "max_last_instalment": date_of(int(fig[kernels.F_MAX_LAST_DUE])).isoformat(),
            "min_days_since_use": int(day - fig[kernels.F_MAX_ORIGINATION]),
        }

    def replacement_offer(self, on: dt.date, min_principal_fen: int) -> Offer:
        """Eligible receivables whose balance together is no lower than ``min_principal_fen``.

        The originator's oldest eligible receivables, as few as reach the balance; if its
        inventory cannot reach it, everything eligible (the originator then pays cash).
        """
        day = day_number(on)
        if min_principal_fen <= 0:
            return Offer(on, 0, 0, 0, Lots(np.zeros(0, np.int64), REPLACEMENT))
        s = self._screened(day, min_principal_fen, None)
        cols = self.new_business.reserve(s, day + RESERVATION_DAYS)
        return Offer(on, s.got, 0, len(cols["loan_id"]), Lots(cols["loan_id"], REPLACEMENT))

    def revolving_ended(self, on: dt.date) -> None:
        """Loans behave the same whether the trust revolves or not."""

    def adjust(self, parameter: str, value: float | None) -> None:
        """An incident changes behaviour from today; ``None`` restores the deal's.

        ``default_multiplier`` scales every level's chance of missing an instalment (so
        delinquencies, and those that roll to non-performing, multiply); ``lost_pct_per_month``
        sets the share of new receivables returned or cancelled within their first 30 days
        (receivables already in the pool keep the returns drawn when they were originated);
        ``purchase_rate_pct`` caps the originator's eligible supply.
        """
        if parameter == "default_multiplier":
            m = 1.0 if value is None else float(value)
            self.book.b = replace(self.behaviour, miss_by_level=np.minimum(
                1.0, self.behaviour.miss_by_level * m))
        elif parameter == "lost_pct_per_month":
            self.new_business.lost = (self.behaviour.lost_first_month if value is None
                                      else float(value) / 100)
        elif parameter == "purchase_rate_pct":
            pct = self.cfg.purchase_rate_pct if value is None else Decimal(str(value))
            self.purchase_rate = Decimal(pct) / 100
        else:
            raise ValueError(f"a loan-level pool cannot adjust {parameter!r}")

    def buy(self, offer: Offer, on: dt.date) -> None:
        lots: Lots = offer.lots
        if lots is None or not len(lots.loan_ids):
            return
        cols = self.new_business.sell(lots.loan_ids)
        got = int(cols["principal_fen"].sum())
        if got != offer.principal_fen:
            raise ValueError(f"offer of {offer.principal_fen} fen holds {got} fen of receivables")
        self._enter(cols, day_number(on), lots.entry_reason)

    # ------------------------------------------------------------------ remedies
    def _rows_of(self, p: Picked) -> np.ndarray:
        """The rows a selection's receivables occupy now (their loan ids tell if they moved)."""
        c = self.book.c
        return p.rows[c["loan_id"][p.rows] == p.loan_ids]

    def _pick(self, rows: np.ndarray) -> tuple[Picked, int, int, int, int]:
        c = self.book.c
        st, p = c["status"][rows], c["principal_fen"][rows]
        perf = int(p[(st == CURRENT) | (st == LOST)].sum())
        od = int(p[st == OVERDUE].sum())
        npl = int(p[st == NON_PERFORMING].sum())
        return Picked(rows, c["loan_id"][rows].copy()), perf, od, npl, len(rows)

    def select(self, kind: str, on: dt.date, cutoff: dt.date | None = None) -> Selection:
        c = self.book.c
        if kind == "lost":
            rows = self._lost_rows()
        elif kind in ("overdue", "non_performing"):
            rows = self.book.live()
            rows = rows[c["status"][rows] == (OVERDUE if kind == "overdue" else NON_PERFORMING)]
        elif kind == "over_term":
            if cutoff is None:
                raise ValueError("an over_term selection needs a cutoff date")
            rows = self.book.live()
            rows = rows[c["status"][rows] != LOST]
            rem = c["remaining_instalments"][rows].astype(np.int64)
            nxt = next_due_table(self.book.day)[c["dom"][rows]]
            last = add_months_days(nxt, np.maximum(rem - 1, 0))
            rows = rows[(rem > 0) & (last > day_number(cutoff))]
        else:
            raise ValueError(f"unknown selection kind {kind!r}")
        lots, perf, od, npl, n = self._pick(rows)
        return Selection(kind, on, perf, od, npl, n, lots, cutoff)

    def _lost_rows(self) -> np.ndarray:
        """Returned receivables still in the trust, from the book's list (no scan)."""
        c = self.book.c
        kept, found = [], []
        for rows, ids in self.book.lost_pending:
            ok = (c["loan_id"][rows] == ids) & (c["status"][rows] == LOST) & (
                c["holder"][rows] == TRUST)
            if ok.any():
                kept.append((rows[ok], ids[ok]))
                found.append(rows[ok])
        self.book.lost_pending = kept
        return np.concatenate(found) if found else np.zeros(0, np.int64)

    def remove(self, selection: Selection, on: dt.date) -> None:
        """Selected receivables leave the trust: lost ones back to the originator (extinguished),
        overdue / non-performing ones sold to the servicer, over-term ones repurchased."""
        status, holder = {"lost": (None, ORIGINATOR), "overdue": (SOLD, SERVICER),
                          "non_performing": (SOLD, SERVICER),
                          "over_term": (REPURCHASED, ORIGINATOR)}[selection.kind]
        p: Picked | None = selection.lots
        if p is None or not len(p.rows):
            return
        c = self.book.c
        rows = self._rows_of(p)
        rows = rows[(c["holder"][rows] == TRUST) & np.isin(
            c["status"][rows], (CURRENT, OVERDUE, NON_PERFORMING, LOST))]
        if len(rows):
            self.book.remove_rows(rows, status, holder, day_number(on))
        if selection.kind == "lost":
            self._lost_rows()

    def release_all(self, on: dt.date) -> PoolBalances:
        """Everything left leaves the trust (distribution in kind); returns what left."""
        left = self.balances()
        rows = self.book.live()
        if len(rows):
            self.book.remove_rows(rows, None, NOTEHOLDERS, day_number(on))
        self.book.lost_pending = []
        return left

    # ------------------------------------------------------------------ the trustee's records
    def holdings(self) -> pa.Table:
        """Every receivable the trust holds now, as a tape with why and when it entered."""
        rows = self.book.live()
        today = self.book.day
        c = self.book.c
        names = ("loan_id", "obligor_id", "origination_day", "instalments",
                 "remaining_instalments", "annual_fee_rate", "credit_level", "region",
                 "principal_fen", "original_principal_fen", "worst_dpd", "status", "holder",
                 "flags", "late_since", "entered_day", "entry_reason")
        order = rows[np.argsort(c["loan_id"][rows], kind="stable")]
        cols = {name: c[name][order] for name in names}
        late = cols["late_since"] >= 0
        cols["dpd"] = np.where(late, today - cols["late_since"], 0).astype(np.int16)
        tape = Tape(date_of(today), cols, self.regions)
        extra = {
            "entered_on": pa.array(cols["entered_day"].astype("datetime64[D]"), pa.date32()),
            "entry_reason": pa.DictionaryArray.from_arrays(
                pa.array(cols["entry_reason"], pa.int8()), pa.array(list(ENTRY_REASONS))),
        }
        return to_table(tape, extra)

    def movement_batches(self):
        """Every receivable that entered the trust — when and why it entered, and left (if it
        did) — as record batches in the order they left (the ones still held last)."""
        if not self.cfg.journal:
            raise ValueError("the pool keeps no journal of receivables that left: set pool.journal "
                             "(trustsim run --tape-at does)")
        c = self.book.c
        in_arena = np.flatnonzero(c["holder"][: self.book.end] != FREE)
        entry = pa.array(list(ENTRY_REASONS))
        exits = pa.array(list(EXIT_REASONS))
        for part in [*self.book.journal, self.book.journal_rows(in_arena)]:
            left = part["left_day"] >= 0
            yield pa.record_batch({
                "loan_id": pa.array(part["loan_id"], pa.int64()),
                "entered_on": pa.array(part["entered_day"].astype("datetime64[D]"), pa.date32()),
                "entry_reason": pa.DictionaryArray.from_arrays(
                    pa.array(part["entry_reason"].astype(np.int8)), entry),
                "left_on": pa.array(part["left_day"].astype("datetime64[D]"), pa.date32(),
                                    mask=~left),
                "exit_reason": pa.DictionaryArray.from_arrays(
                    pa.array(part["exit_reason"].astype(np.int8)), exits),
                "principal_at_exit_fen": pa.array(np.where(left, part["principal_fen"], 0),
                                                  pa.int64()),
            })

    def movements(self) -> pa.Table:
        """:meth:`movement_batches` as one table, by loan id."""
        table = pa.Table.from_batches(list(self.movement_batches()))
        return table.take(pa.array(np.argsort(table.column("loan_id").to_numpy(),
                                              kind="stable")))
