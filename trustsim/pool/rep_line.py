"""A representative-line pool driven by the rating agency's four parameters (DEAL.md §11).

Two readings of the monthly payment rate, chosen by ``pool.mpr_basis``:

* ``outstanding`` (default) — each month the pool repays ``mpr`` of its performing
  principal and defaults a further ``h`` of it, with ``h = mpr * wo / (1 - wo)`` so that
  every static pool's cumulative write-off is exactly ``wo`` of its initial amount. The
  report defines MPR on the *initial* static-pool amount; applied literally to a pool
  that revolves daily (next reading), each lot runs off linearly in under five months,
  the pool turns over about five times a year and loses about 5.7% a year — more than
  its 7.15% yield less the senior coupon, which cannot be the agency's model since it
  rates the senior AAA under 5.5x that loss. Applying the average monthly ratio to the
  outstanding balance keeps the reported static-pool write-off and an annual loss of
  about 2.9%, in line with the asset class. A flagged assumption.
* ``initial`` — the literal reading, below.

Literal reading. Every lot of principal that enters the pool (the initial pool on the effective
date, each revolving purchase on its purchase date) is a static pool in the agency's
sense: each month it repays ``mpr`` of its *initial* amount and defaults a further
``write_off / T`` of it, where ``T = (1 - write_off) / mpr`` months is when it is
exhausted, so its cumulative write-off is exactly ``write_off`` of the initial amount.
Performing principal earns ``yield`` a year in fees. Defaulted principal stops paying:
it is overdue for ``npl_after_days``, non-performing until ``charge_off_after_days``,
then charged off. Obligors pay every calendar day; the servicer collects daily.

Purchase rate. The agency defines it as the new eligible assets originated in a month
over the cash available for purchase the month before, and sets it at 100% "because the
business grows fast": at 100% (or more) supply never binds and every fen available is
reinvested. Below 100% the originator's supply on a base date is the purchase rate times
the cash the pool paid over the trailing 30 days, less what it already offered in those
days; cash it cannot spend stays idle in the trust account (negative carry), so at the
AAA stress's 55% about 45% of the cash idles and the pool shrinks against the notes.

Eligibility criterion (g) (``last_instalment_months``): every receivable's last instalment
falls on or before a date (Dongdao No. 3: 24 months after the effective date). The
originator's book is deep (the purchase rate's premise), so the criterion changes which
receivables the trust buys as the date approaches — ever shorter ones — not how much; what
it changes for the pool is when its receivables end: everything it holds is repaid by that
date. The rep line models that as a floor on each day's repayments, the performing balance
over the days left to the date (at a 20% monthly payment rate it binds from about five
months out); on the date itself whatever is left pays its last instalment. A pool without
the criterion (``null``) amortizes on its rate alone and leaves a tail.

The term mix the criterion leaves (``by_longest_term``, opt-in): the agency's rates are the
whole book's, but a receivable of n instalments bought on a day ends n months later, so (g)
keeps the longest terms out of every purchase (for Dongdao No. 3: 24 instalments from the
start, 12 from 2021-08-19, 6 from 2022-02-19) and shorter receivables repay faster. While n
instalments are the longest that fit, the pool pays that entry's multiples of the deal's
payment rate, yield and write-off (docs/model.md, "Rep line against loan by loan").

Write-off basis (``write_off_basis``). ``each_lot`` (default): every lot defaults from the day
it enters, as above. ``pool_at_revolving_end``: the write-off rate is applied once, to the pool
held when the revolving period ends — nothing defaults while the trust revolves (lots run off
at the payment rate alone, in ``1 / mpr`` months on the initial basis), and from the day after
the end the pool then held is one static pool: on the initial basis one lot of that balance,
on the outstanding basis the same default rate ``h`` from then on; either way it defaults
``write_off`` of that balance over its run-off. The owner of the pool says when revolving ended
(:meth:`RepLinePool.revolving_ended`).

Delinquency buckets and prepayments (docs/model.md, "Pool performance"). Defaulted principal
ages from its default day: the overdue balance is kept in three queues by days past due
(0-30, 31-60, 61 to ``npl_after_days``), each moved on as it ages, so the buckets are the
pool's own ageing, not a split of its total. The scheduled principal of a day is what the
remaining-term mix (``remaining_term_pct``) falls due by itself: each receivable repays its
principal in equal instalments, so one with ``n`` instalments left repays ``1/n`` of it a
month; a bucket's share is spread evenly over its instalment counts (as for over-term
selections), giving a scheduled rate :func:`scheduled_rate` a month of the performing
balance. What the pool repays beyond that (its payment rate, or criterion (g)'s floor, which
is scheduled too) is prepaid; what it repays below it is all scheduled. With Dongdao No. 3's
mix the schedule alone (22.8% a month) exceeds the 20.77% payment rate, so that pool
prepays nothing.

Because each lot runs off linearly, the pool's daily flows are sums of constant rates
that change only when a lot starts or is exhausted: the pool keeps those rates and a
schedule of changes, so a day costs O(1) whatever the number of lots. Amounts are
computed in float and floored to fen on cumulative totals, so no fen is created or lost.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from decimal import Decimal

from trustsim.calendar import add_months
from trustsim.config.models import RepLinePool as RepLineConfig
from trustsim.config.models import TermFactors
from trustsim.money import fen_from_wan, floor_fen, round_fen
from trustsim.pool.base import Collections, Offer, PoolBalances, Selection

_DAYS_PER_MONTH = 365 / 12
SUPPLY_WINDOW_DAYS = 30  # the purchase rate compares a month of new assets with a month of cash
BUCKET_DAYS = (30, 60)   # the overdue buckets' upper bounds in days past due (then to non-performing)


def scheduled_rate(remaining_term_pct: dict[int, float]) -> float:
    """Share of the performing principal falling due by schedule in a month: each receivable
    with ``n`` equal instalments left repays ``1/n`` of its principal; a bucket (upper bound:
    share %) holds its instalment counts ``lo + 1 .. hi`` in equal shares."""
    rate, lo = 0.0, 0
    for hi, pct in sorted((int(k), float(v)) for k, v in remaining_term_pct.items()):
        if hi > lo:
            rate += pct / 100 * sum(1 / n for n in range(lo + 1, hi + 1)) / (hi - lo)
        lo = hi
    return rate


class RepLinePool:
    """The agency's rep line, lot by lot; see the module docstring."""

    kind = "rep_line"

    def __init__(self, cfg: RepLineConfig, effective_date: dt.date) -> None:
        self.cfg = cfg
        self._origin = effective_date
        self._mpr = float(cfg.mpr_pct) / 100
        self._wo = float(cfg.write_off_pct) / 100
        self._yield = float(cfg.yield_pct) / 100
        self.purchase_rate = Decimal(cfg.purchase_rate_pct) / 100
        self._balance_basis = cfg.mpr_basis == "outstanding"
        self._bal_p = self._mpr * 12 / 365                                   # of performing / day
        self._p_rate = self._mpr / _DAYS_PER_MONTH                 # principal / initial / day
        self._default_multiplier = 1.0
        self._bal_mpr, self._bal_wo = self._mpr, self._wo   # the balance basis's (by_longest_term)
        # write_off_basis: pool_at_revolving_end defers every default to the end of revolving
        self._defaulting = cfg.write_off_basis == "each_lot"
        self._ends_on: int | None = None   # the day revolving ended (pool_at_revolving_end)
        self._set_default_rates()
        self._bal_s = scheduled_rate(cfg.remaining_term_pct) * 12 / 365     # scheduled / day
        self._sched = self._bal_s    # ... as the term mix has it now (by_longest_term)
        # prepaid of performing a day (outstanding basis): what the rate repays beyond the schedule
        self._bal_pre = max(0.0, self._bal_p - self._sched)
        self._cum_pre = 0.0
        self._prepaid = 0
        # aggregate per-day rates of active lots, and scheduled changes: day -> weight delta
        self._active_weight = 0.0
        self._changes: dict[int, float] = {}
        self._day = 0  # last day advanced (days since the effective date)
        # float cumulatives (for flooring) and integer tallies
        self._cum_p = self._cum_d = self._cum_i = 0.0
        self._perf = 0.0
        self._collected = self._defaulted = self._income = 0
        self._bought = self._removed = 0
        self._removed_perf = 0  # performing principal that left otherwise than by collection
        self._charged_off = 0
        # overdue principal by days past due, each queue (default day, fen) oldest first:
        # 0-30, 31-60, 61 to npl_after_days
        self._od1: deque[tuple[int, int]] = deque()
        self._od2: deque[tuple[int, int]] = deque()
        self._od3: deque[tuple[int, int]] = deque()
        self._od1_sum = self._od2_sum = self._od3_sum = 0
        self._t1, self._t2 = (min(b, cfg.npl_after_days) for b in BUCKET_DAYS)
        self._npl: deque[tuple[int, int]] = deque()
        self._overdue_sum = self._npl_sum = 0
        self._window: deque[tuple[int, int, int]] = deque()  # (day, cash paid, bought)
        self._window_cash = self._window_bought = 0
        self._lost_rate = float(cfg.lost_pct_per_month) / 100 * 12 / 365   # of performing / day
        self._cum_lost = 0.0
        self._lost_found = 0   # lost principal already selected
        self._term_buckets = sorted((int(k), float(v) / 100) for k, v in cfg.remaining_term_pct.items())
        self._last_day = ((add_months(effective_date, cfg.last_instalment_months) - effective_date).days
                          if cfg.last_instalment_months else None)   # criterion (g)
        self._term_rates = self._term_schedule(effective_date)   # (first day, factors), in order
        self._snapshot: PoolBalances | None = None  # balances() since the last change
        self._add_lot(fen_from_wan(cfg.initial_principal_wan), 0)

    def _term_schedule(self, effective_date: dt.date) -> deque[tuple[int, TermFactors]]:
        """``by_longest_term``: from which day each entry's factors apply. Receivables of n
        instalments bought on a day end n months later, so they fit criterion (g) through n
        months before its date; each day takes the entry of the longest term that still fits
        (after the last fits, the shortest's)."""
        table = self.cfg.by_longest_term
        if not table or not self.cfg.last_instalment_months:
            return deque()
        limit = add_months(effective_date, self.cfg.last_instalment_months)
        ends = {n: (add_months(limit, -n) - effective_date).days + 1 for n in table}  # n no longer fits
        out: deque[tuple[int, TermFactors]] = deque()
        day = 0
        for n in sorted(table, reverse=True):   # the longest first, each until it no longer fits
            if ends[n] > day or n == min(table):
                out.append((day, table[n]))
                day = max(day, ends[n])
        return out

    def _apply_factors(self, f: TermFactors) -> None:
        cfg = self.cfg
        mpr = min(1.0, float(cfg.mpr_pct) / 100 * float(f.mpr_factor))
        wo = float(cfg.write_off_pct) / 100 * float(f.write_off_factor)
        self._yield = float(cfg.yield_pct) / 100 * float(f.yield_factor)
        self._bal_p = mpr * 12 / 365
        self._bal_mpr, self._bal_wo = mpr, wo
        self._set_default_rates()
        # the term mix speeds its schedule up as it does its payment rate: the share of
        # repayments prepaid stays the deal's mix's (docs/model.md, "Pool performance")
        self._sched = self._bal_s * float(f.mpr_factor)
        self._bal_pre = max(0.0, self._bal_p - self._sched)

    def _set_default_rates(self) -> None:
        """Per-day default rates and a lot's life, from the write-off, the multiplier and
        whether the pool defaults yet (see the docstring's write-off basis)."""
        wo = self._wo if self._defaulting else 0.0
        life_months = (1 - wo) / self._mpr
        self._life_days = life_months * _DAYS_PER_MONTH
        m = self._default_multiplier
        self._d_rate = (wo / life_months) / _DAYS_PER_MONTH * m   # default / initial / day
        # the balance basis: the rates by_longest_term has in force
        bwo = self._bal_wo if self._defaulting else 0.0
        self._bal_d = (self._bal_mpr * bwo / (1 - bwo)) * 12 / 365 * m if bwo < 1 else 0.0

    def revolving_ended(self, on: dt.date) -> None:
        """The trust's revolving period ended on ``on``: under ``pool_at_revolving_end`` the pool
        held at the end of that day starts defaulting the next (see the docstring)."""
        if not self._defaulting and self._ends_on is None:
            self._ends_on = (on - self._origin).days

    def _start_defaulting(self, day: int) -> None:
        """The pool at the end of revolving becomes one static pool from ``day``."""
        self._defaulting = True
        self._set_default_rates()
        if not self._balance_basis:
            self._changes.clear()
            self._active_weight = 0.0
            w, full = self._perf, int(self._life_days)
            frac = self._life_days - full
            ch = self._changes
            ch[day] = w
            ch[day + full] = ch.get(day + full, 0.0) - w * (1 - frac)
            ch[day + full + 1] = ch.get(day + full + 1, 0.0) - w * frac

    # ------------------------------------------------------------ lots
    def _add_lot(self, principal_fen: int, day: int) -> None:
        """A lot bought on ``day`` pays from ``day + 1`` for ``life_days`` days."""
        self._snapshot = None
        w = float(principal_fen)
        full = int(self._life_days)
        frac = self._life_days - full
        ch = self._changes
        ch[day + 1] = ch.get(day + 1, 0.0) + w
        ch[day + full + 1] = ch.get(day + full + 1, 0.0) - w * (1 - frac)
        ch[day + full + 2] = ch.get(day + full + 2, 0.0) - w * frac
        self._perf += w
        self._bought += principal_fen

    # ------------------------------------------------------------ Pool interface
    def collect(self, through: dt.date) -> Collections:
        target = (through - self._origin).days
        self._snapshot = None
        p0, i0 = self._collected, self._income
        while self._day < target:
            self._day += 1
            self._advance_one(self._day)
        return Collections(self._collected - p0, self._income - i0)

    def _advance_one(self, day: int) -> None:
        while self._term_rates and self._term_rates[0][0] <= day:   # by_longest_term
            self._apply_factors(self._term_rates.popleft()[1])
        if self._ends_on is not None and not self._defaulting and day > self._ends_on:
            self._start_defaulting(day)
        delta = self._changes.pop(day, None)
        if delta is not None:
            self._active_weight += delta
            if self._active_weight < 1e-6:
                self._active_weight = 0.0
        w = self._active_weight
        # fees accrue on the performing principal at the start of the day
        self._cum_i += self._perf * self._yield / 365
        self._cum_lost += self._perf * self._lost_rate
        if self._balance_basis:
            paid = self._perf * self._bal_p
            floor = 0.0
            if self._last_day is not None and day < self._last_day:
                # criterion (g): what is left must be repaid by its date; a day pays at least
                # the balance over the days left (from about 5 months out at a 20% MPR)
                floor = self._perf / (self._last_day - day + 1)
                if floor > paid:
                    paid = floor
            if self._bal_pre:   # beyond the schedule (and (g)'s floor, scheduled too): prepaid
                pre = paid - max(self._perf * self._sched, floor)
                if pre > 0:
                    self._cum_pre += pre
            dflt = self._perf * self._bal_d
            self._cum_p += paid
            self._cum_d += dflt
            self._perf -= paid + dflt
        elif w > 0:
            paid = min(w * self._p_rate, self._perf)
            pre = paid - self._perf * self._sched
            if pre > 0:
                self._cum_pre += pre
            self._cum_p += paid
            dflt = min(w * self._d_rate, self._perf - paid)
            self._cum_d += dflt
            self._perf -= paid + dflt
        if day == self._last_day and self._perf > 0:   # criterion (g): the last instalments fall due
            self._cum_p += self._perf
            self._perf = 0.0
            self._active_weight = 0.0
            self._changes.clear()
        new_p = math.floor(self._cum_p) - self._collected
        new_d = math.floor(self._cum_d) - self._defaulted
        new_i = math.floor(self._cum_i) - self._income
        if day == self._last_day:   # the last instalments leave no fen of performing principal
            left = (self._bought - self._collected - new_p - self._defaulted - new_d
                    - self._removed_perf)
            if left > 0:
                new_p += left
                self._cum_p += left
        if new_p or new_i:
            self._record_supply(day, new_p + new_i, 0)
            if self._cum_pre > self._prepaid + 1:   # the day's fen prepaid, within what it repaid
                self._prepaid += min(new_p, math.floor(self._cum_pre) - self._prepaid)
        self._collected += new_p
        self._defaulted += new_d
        self._income += new_i
        if new_d:
            self._od1.append((day, new_d))
            self._od1_sum += new_d
            self._overdue_sum += new_d
        self._age_defaults(day)

    def _age_defaults(self, day: int) -> None:
        npl_after, off_after = self.cfg.npl_after_days, self.cfg.charge_off_after_days
        od1, od2, od3 = self._od1, self._od2, self._od3
        while od1 and day - od1[0][0] > self._t1:
            e = od1.popleft()
            self._od1_sum -= e[1]
            od2.append(e)
            self._od2_sum += e[1]
        while od2 and day - od2[0][0] > self._t2:
            e = od2.popleft()
            self._od2_sum -= e[1]
            od3.append(e)
            self._od3_sum += e[1]
        while od3 and day - od3[0][0] > npl_after:
            d0, amt = od3.popleft()
            self._od3_sum -= amt
            self._overdue_sum -= amt
            self._npl.append((d0, amt))
            self._npl_sum += amt
        while self._npl and day - self._npl[0][0] > off_after:
            _, amt = self._npl.popleft()
            self._npl_sum -= amt
            self._charged_off += amt

    def balances(self) -> PoolBalances:
        """The pool by status (kept until it next changes: the parties ask several times a day)."""
        if self._snapshot is None:
            self._snapshot = self._balances()
        return self._snapshot

    def _balances(self) -> PoolBalances:
        performing = self._bought - self._collected - self._defaulted - self._removed_perf
        return PoolBalances(
            performing_fen=performing,
            overdue_fen=self._overdue_sum,
            non_performing_fen=self._npl_sum,
            charged_off_fen=self._charged_off,
            bought_fen=self._bought,
            collected_fen=self._collected,
            removed_fen=self._removed,
            overdue_1_30_fen=self._od1_sum,
            overdue_31_60_fen=self._od2_sum,
            overdue_61_90_fen=self._od3_sum,
            prepaid_fen=self._prepaid,
            scheduled_fen=self._collected - self._prepaid,
        )

    def _supply_fen(self, day: int) -> int:
        """New eligible receivables the originator can still offer: the purchase rate x the
        cash the pool paid over the trailing 30 days, less what the trust bought in them."""
        window = self._window
        while window and day - window[0][0] >= SUPPLY_WINDOW_DAYS:
            _, cash, bought = window.popleft()
            self._window_cash -= cash
            self._window_bought -= bought
        return int(Decimal(self._window_cash) * self.purchase_rate) - self._window_bought

    def eligible_offer(self, base_date: dt.date, budget_fen: int, price_pct: Decimal) -> Offer:
        """Eligible principal up to the budget and the originator's supply (see the docstring)."""
        if budget_fen <= 0:
            return Offer(base_date, 0, 0)
        day = (base_date - self._origin).days
        if self.purchase_rate >= 1:
            spend = budget_fen  # "set at 100% because the business grows fast": never binding
        else:
            spend = min(budget_fen, self._supply_fen(day))
        if spend <= 0:
            return Offer(base_date, 0, 0)
        principal = int(Decimal(spend) * 100 / price_pct)
        price = round_fen(Decimal(principal) * price_pct / 100)
        while price > spend and principal > 0:  # never above the budget
            principal -= 1
            price = round_fen(Decimal(principal) * price_pct / 100)
        self._record_supply(day, 0, price)  # the supply is committed when offered
        return Offer(base_date, principal, price)

    def buy(self, offer: Offer, on: dt.date) -> None:
        if offer.principal_fen > 0:
            day = (on - self._origin).days
            self._add_lot(offer.principal_fen, day)

    def _record_supply(self, day: int, cash: int, bought: int) -> None:
        self._window.append((day, cash, bought))
        self._window_cash += cash
        self._window_bought += bought

    # ------------------------------------------------------------ remedies
    def _share_beyond(self, months: float) -> float:
        """Share of principal whose remaining term exceeds ``months`` (uniform within buckets)."""
        share, lo = 0.0, 0
        for hi, pct in self._term_buckets:
            if months <= lo:
                share += pct
            elif months < hi:
                share += pct * (hi - months) / (hi - lo)
            lo = hi
        return share

    def select(self, kind: str, on: dt.date, cutoff: dt.date | None = None) -> Selection:
        """Rep-line selections: shares of the performing principal, or whole status buckets."""
        b = self.balances()
        if kind == "lost":
            found = min(math.floor(self._cum_lost) - self._lost_found, b.performing_fen)
            return Selection(kind, on, max(0, found), 0, 0)
        if kind == "overdue":
            return Selection(kind, on, 0, b.overdue_fen, 0)
        if kind == "non_performing":
            return Selection(kind, on, 0, 0, b.non_performing_fen)
        if kind == "over_term":
            if cutoff is None:
                raise ValueError("an over_term selection needs a cutoff date")
            months = max(0.0, (cutoff - on).days / _DAYS_PER_MONTH)
            return Selection(kind, on, floor_fen(b.performing_fen * self._share_beyond(months)),
                             0, 0, cutoff=cutoff)
        raise ValueError(f"unknown selection kind {kind!r}")

    def remove(self, selection: Selection, on: dt.date) -> None:
        """Performing principal leaves pro rata across lots; status buckets leave whole."""
        self._snapshot = None
        if selection.kind == "lost":
            self._lost_found += selection.performing_fen
        perf = selection.performing_fen
        if perf:
            current = self._bought - self._collected - self._defaulted - self._removed_perf
            if perf > current:
                raise ValueError(f"removing {perf} fen of performing principal, {current} held")
            keep = 1 - perf / self._perf if self._perf > 0 else 0.0
            self._perf *= keep
            self._active_weight *= keep
            for day in self._changes:
                self._changes[day] *= keep
            self._removed_perf += perf
        if selection.overdue_fen:
            if selection.overdue_fen != self._overdue_sum:
                raise ValueError("a rep-line pool removes its overdue bucket whole")
            self._clear_overdue()
        if selection.non_performing_fen:
            if selection.non_performing_fen != self._npl_sum:
                raise ValueError("a rep-line pool removes its non-performing bucket whole")
            self._npl.clear()
            self._npl_sum = 0
        self._removed += selection.principal_fen

    def _clear_overdue(self) -> None:
        for q in (self._od1, self._od2, self._od3):
            q.clear()
        self._od1_sum = self._od2_sum = self._od3_sum = self._overdue_sum = 0

    def replacement_offer(self, on: dt.date, min_principal_fen: int) -> Offer:
        """The originator's book always holds eligible receivables: an offer of exactly that balance."""
        return Offer(on, min_principal_fen, 0)

    def adjust(self, parameter: str, value: float | None) -> None:
        cfg = self.cfg
        if parameter == "default_multiplier":
            self._default_multiplier = 1.0 if value is None else float(value)
            self._set_default_rates()
        elif parameter == "lost_pct_per_month":
            pct = float(cfg.lost_pct_per_month if value is None else value)
            self._lost_rate = pct / 100 * 12 / 365
        elif parameter == "purchase_rate_pct":
            self.purchase_rate = Decimal(cfg.purchase_rate_pct if value is None else str(value)) / 100
        else:
            raise ValueError(f"a rep-line pool cannot adjust {parameter!r}")

    def release_all(self, on: dt.date) -> PoolBalances:
        """Every remaining lot leaves the trust; the pool is empty afterwards."""
        left = self.balances()
        self._snapshot = None
        self._removed += left.outstanding_fen
        self._removed_perf += left.performing_fen
        self._clear_overdue()
        self._npl.clear()
        self._npl_sum = 0
        self._perf = 0.0
        self._active_weight = 0.0
        self._changes.clear()
        return left
