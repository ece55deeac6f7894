"""The originator's new business: Baitiao receivables originated daily, held until sold.

Why: a revolving purchase buys receivables the originator has *originated since* (the
purchase rate is new eligible assets over the cash available, DEAL.md §5), and a
replacement needs receivables of no lower balance on the day a lost asset is found. So
the originator keeps an inventory of its own recent receivables, screened by the
eligibility criteria when the trust asks.

What a new receivable looks like: the terms of a receivable of the tape drawn at random
("the tape's mix": instalments, contract principal, fee rate, credit level, province,
the obligor's worst overdue), originated that day with all its instalments to come. Its
obligor is the template's (a repeat Baitiao user) with probability
``repeat_obligor_pct``, else a new user. A share of the originator's book is not
eligible (Level5 users, users once more than 30 days overdue, warranty breaches), so the
criteria have something to refuse; a receivable's return or cancellation day, if any, is
drawn at origination.

The inventory is generated lazily — a day's originations are drawn when the trust first
asks after that day (a screening draws only the days old enough to qualify, and offers
each new receivable to itself first: most are bought as they are originated) — and only
the last ``inventory_days`` days are kept: older receivables the trust did not buy stay
with the originator and are forgotten, so the inventory does not grow. Offered
receivables leave the inventory, held for the trust until it buys them or the offer
lapses.

The loops (origination, screening) are compiled: :mod:`trustsim.pool.kernels.originator`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from trustsim.pool.behaviour import LOST_WINDOW_DAYS
from trustsim.pool.book import fee_per_instalment
from trustsim.pool.kernels import originator as kernels
from trustsim.pool.tape import (
    CURRENT,
    FLAG_BITS,
    LOST,
    ORIGINATOR,
    TRUST,
    Tape,
    add_months_days,
)

TEMPLATE_FIELDS = ("instalments", "original_principal_fen", "annual_fee_rate", "credit_level",
                   "region", "worst_dpd", "obligor_id")


@dataclass(frozen=True)
class Templates:
    """The tape's receivables as the origination draws them, at random (so each should cost
    one read of memory, and fit in the processor's cache if it can).

    *Compact* (when every value fits): one int64 each — principal (bits 0-25), index of the
    fee rate in ``rates`` (26-31), instalments (32-36), credit level (37-39), region
    (40-47), worst overdue (48-63) — and the obligors apart (read for repeat users only);
    the fee per instalment is computed from the principal and ``rate_e6`` as
    :func:`book.fee_per_instalment` does. Otherwise *wide*: four int64 words each —
    principal, obligor, fee per instalment (the fee rate's index above bit 40, unless
    ``rate_by_row``: rates by template row), and instalments | level << 8 | worst overdue
    << 16 | region << 32.
    """

    compact: bool
    packed: np.ndarray      # int64: (n,) compact, or (n, 4) wide
    obligor: np.ndarray     # int64 by template (compact; empty if wide)
    rates: np.ndarray       # float64 annual fee rates, by index (or by row)
    rate_e6: np.ndarray     # int64 rates in 1/1,000,000 (compact)
    rate_by_row: bool


def pack_templates(t: dict[str, np.ndarray], wide: bool = False,
                   order: np.ndarray | None = None) -> Templates:
    """:class:`Templates` of the columns ``t``, rows in ``order`` (default: as given);
    compact if every value fits, unless ``wide``."""
    if order is None:
        order = np.arange(len(t["instalments"]))
    k = len(order)
    rate = np.ascontiguousarray(t["annual_fee_rate"], np.float64)
    bits, index = kernels.distinct(rate.view(np.int64), 64)  # exact, sign of zero kept
    if not wide and len(bits):  # at most 64 rates: compact words, if every value fits
        rates = bits.view(np.float64)
        rate_e6 = np.round(rates * 1_000_000).astype(np.int64)  # as book.fee_per_instalment
        packed, obligor = np.empty(k, np.int64), np.empty(k, np.int64)
        if kernels.pack_compact(order, t["original_principal_fen"], index, rate_e6,
                                t["instalments"], t["credit_level"], t["region"],
                                t["worst_dpd"], t["obligor_id"], packed, obligor):
            return Templates(True, packed, obligor, rates, rate_e6, False)
    t = {name: np.asarray(t[name])[order] for name in TEMPLATE_FIELDS}
    principal = np.asarray(t["original_principal_fen"], np.int64)
    fee = fee_per_instalment(principal, t["annual_fee_rate"])
    if k and int(fee.max()) > kernels.FEE_MASK:
        raise ValueError("a fee per instalment too large for the originator's templates")
    rate = np.ascontiguousarray(t["annual_fee_rate"], np.float64)
    bits, index = np.unique(rate.view(np.int64), return_inverse=True)  # exact, sign of zero kept
    index = index.astype(np.int64).reshape(-1)
    rates = bits.view(np.float64)
    rate_e6 = np.round(rates * 1_000_000).astype(np.int64)  # as book.fee_per_instalment
    small = {name: np.asarray(t[name]).astype(np.int64)
             for name in ("instalments", "credit_level", "worst_dpd", "region")}
    by_row = len(bits) >= 1 << (63 - kernels.FEE_BITS)
    tpl = np.empty((k, 4), np.int64)
    tpl[:, kernels.T_PRINCIPAL] = principal
    tpl[:, kernels.T_OBLIGOR] = t["obligor_id"]
    tpl[:, kernels.T_FEE] = fee if by_row else fee | (index << kernels.FEE_BITS)
    masked = {name: v & 0xFFFF for name, v in small.items()}
    tpl[:, kernels.T_TERMS] = ((masked["instalments"] & 0xFF) | ((masked["credit_level"] & 0xFF) << 8)
                               | (masked["worst_dpd"] << 16) | (masked["region"] << 32))
    return Templates(False, tpl, np.zeros(0, np.int64), rate if by_row else rates, rate_e6, by_row)


class Screening:
    """One screening of the originator's receivables for an offer, under way: what it wants
    and what it has taken (see :meth:`NewBusiness.screen` and :func:`kernels.originator.screen`).

    ``target``: the budget (with ``price_pct``: each receivable that still fits at its
    price is taken) or, without a price, the principal to reach. ``static``: the criteria
    as ``eligibility.compiled`` gives them; ``owed``: each obligor's balance in the trust
    (by obligor id; ids past its end owe nothing).
    """

    def __init__(self, day: int, target: int, price_pct: Decimal | None, static, owed: np.ndarray,
                 capacity: int = 0):
        self.day = day
        self.target = target
        self.reach = price_pct is None
        self.num, self.den = Decimal(100 if price_pct is None else price_pct).as_integer_ratio()
        # the value of a receivable is its price, unless that is its principal (at par)
        self.by_price = not self.reach and self.num != 100 * self.den
        self.static = static
        self.owed = owed
        self.fig = np.zeros(5, np.int64)        # the offer's eligibility figures (kernels.F_*)
        self.levels = np.zeros(256, np.int64)   # ... and its receivables by credit level
        self.got = 0    # value taken
        self.seen = 0   # value of the candidates old enough seen
        self.crossed = False  # (with a budget) a receivable did not fit in what was left
        self.done = False     # the budget is spent, or the principal reached
        self.rows = np.zeros(0, np.int64)  # inventory rows taken (their columns are in ``cols``)
        # the receivables taken, oldest first: rows [0, n) (room for ``capacity``, grown as needed)
        self.cols = {name: np.empty(capacity, INVENTORY[name]) for name in TRANSFERRED}
        self.n = 0

    @property
    def satisfied(self) -> bool:
        """Nothing more to take: done, or (with a budget) the inventory had more than enough."""
        return self.done or self.crossed

    @property
    def share(self) -> float:
        """The share of the value seen that was taken (how much of new business qualifies)."""
        return self.got / self.seen if self.seen else 0.5


class NewBusiness:
    """The originator's inventory of unsold receivables; see the module docstring.

    ``offerable`` (vectorized, eligibility.STATIC) and ``static`` (the same criteria for the
    compiled origination, ``eligibility.compiled``) come together: with them the originator
    keeps only receivables that pass every static criterion (``static_ok``).
    """

    def __init__(self, tape: Tape, cfg, lost_first_month: float, rng: np.random.Generator,
                 daily_fen: int, first_loan_id: int, first_obligor_id: int,
                 offerable: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None,
                 static=None) -> None:
        if (offerable is None) != (static is None):
            raise ValueError("the static criteria come both vectorized and compiled, or not at all")
        self.cfg = cfg
        self.offerable = offerable  # receivables failing a static criterion are never offered
        self.static = static
        self.rng = rng
        self.daily_fen = daily_fen
        self.lost = lost_first_month
        self.window = cfg.inventory_days
        self.next_loan_id = first_loan_id
        by_term = np.argsort(tape.columns["instalments"], kind="stable")
        self.templates = pack_templates(tape.columns, order=by_term)
        n = tape.columns["instalments"][by_term]
        self.terms = np.unique(n)
        self.term_start = np.searchsorted(n, self.terms)
        self.term_end = np.searchsorted(n, self.terms, side="right")
        principal = tape.columns["original_principal_fen"][by_term]
        self.mean_principal = float(principal.mean())
        self._term_fen = np.add.reduceat(principal.astype(np.float64),
                                         self.term_start) if len(n) else np.zeros(0)
        #: obligor ids from here on are new users, each with one receivable (and only the
        #: originator gives them out): the obligor limit (d) need not look them up
        obligors = tape.columns["obligor_id"]
        self.unique_from = max(first_obligor_id, int(obligors.max()) + 1 if len(n) else 0)
        self.next_obligor_id = self.unique_from
        self._days: dict[int, tuple[tuple[bool, ...], np.ndarray]] = {}
        self._rows_by_terms: dict[tuple[bool, ...], tuple[np.ndarray, np.ndarray, float]] = {}
        # columns with spare capacity; rows [0, size) in loan id order
        self._cols = {k: np.zeros(0, t) for k, t in INVENTORY.items()}
        self.size = 0
        self._keep = np.zeros(0, np.int64)  # scratch of _expire
        b = kernels.BLOCK  # scratch of the origination kernel: a block of templates
        self._block = (np.empty(b), np.empty((b, 4), np.int64), np.empty(b, np.int64),
                       np.empty(b, bool))
        self._taken = np.zeros(0, np.int64)  # scratch of a screening: obligor id -> fen taken
        self._value_taken = self.mean_principal  # value of a receivable taken, of late
        self._none = Screening(0, 0, None, None, np.zeros(0, np.int64))  # for draws not offered
        #: the screening under way (offered each receivable originated meanwhile first)
        self.screening: Screening | None = None
        #: offered receivables held for the trust: first loan id -> (loan ids, columns, until)
        self._offered: dict[int, tuple[np.ndarray, dict[str, np.ndarray], int]] = {}
        self.generated_through: int | None = None
        self.originated_fen = 0
        self.originated_loans = 0

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name][: self.size]

    # ------------------------------------------------------------------ origination
    def originate(self, day: int, fen: int | None = None) -> dict[str, np.ndarray]:
        """New receivables of about ``fen`` (default: a day's volume) originated on ``day``,
        as columns (the inventory is not changed)."""
        cols = {k: np.zeros(0, t) for k, t in INVENTORY.items()}
        k = self._draw(day, self.daily_fen if fen is None else fen, cols, 0, None)
        return {name: arr[:k] for name, arr in cols.items()}

    def _draw(self, day: int, fen: int, cols: dict[str, np.ndarray], at: int,
              s: Screening | None) -> int:
        """Originate receivables of about ``fen`` on ``day`` into ``cols`` from row ``at``
        (grown as needed, in place), each offered to the screening ``s`` first (if any);
        returns the rows used."""
        if fen <= 0:
            return at
        cfg = self.cfg
        ok, last_by_n = self._day(day)
        ends, skips, mean_fen = self._ranges(ok)
        breach = float(cfg.warranty_breach_pct) / 100
        log_q = _log_q([float(cfg.level5_pct) / 100, float(cfg.worst_dpd_over_30_pct) / 100,
                        *[breach] * len(FLAG_BITS), float(self.lost)])
        if self.static is not None:
            rule, levels_ok, filt = self.static.rule, self.static.levels_ok, True
        else:
            rule, levels_ok, filt = np.zeros(kernels.N_RULE, np.int64), np.ones(256, bool), False
        tp = self.templates
        left = fen
        while left > 0:
            offering = s is not None and not s.done
            t = s if offering else self._none
            est = int(left / mean_fen * 1.2) + 64
            _grow(cols, at, at + est)
            if offering:
                _grow(t.cols, t.n, t.n + est)
            c, o = cols, t.cols
            (at, t.n, got, drawn, self.next_loan_id, self.next_obligor_id, value, seen, crossed,
             done, finished) = kernels.originate(
                self.rng, tp.compact, tp.packed.reshape(-1), tp.obligor, tp.rates, tp.rate_e6,
                tp.rate_by_row, ends, skips, mean_fen,
                left, day, last_by_n, log_q, float(cfg.repeat_obligor_pct) / 100, FLAG_ARRAY,
                LOST_WINDOW_DAYS, filt, rule, levels_ok,
                c["loan_id"], c["obligor_id"], c["origination_day"], c["instalments"],
                c["annual_fee_rate"], c["credit_level"], c["region"], c["principal_fen"],
                c["fee_fen"], c["worst_dpd"], c["flags"], c["status"], c["late_since"],
                c["lost_day"], c["last_due_day"], c["reserved_until"], c["holder"],
                c["static_ok"], at, len(c["loan_id"]), self.next_loan_id, self.next_obligor_id,
                offering, t.day, self.window, t.reach, t.target - t.got, t.num, t.den,
                t.by_price, t.owed, self._scratch(), self.unique_from, t.fig, t.levels,
                o["loan_id"], o["obligor_id"], o["origination_day"], o["instalments"],
                o["annual_fee_rate"], o["credit_level"], o["region"], o["principal_fen"],
                o["fee_fen"], o["worst_dpd"], o["flags"], o["status"], o["lost_day"], t.n,
                len(o["loan_id"]), *self._block)
            self.originated_fen += got
            self.originated_loans += drawn
            left -= got
            if offering:
                t.got += value
                t.seen += seen
                t.crossed |= crossed
                t.done |= done
            if finished:
                break
        return at

    def _day(self, day: int) -> tuple[tuple[bool, ...], np.ndarray]:
        """Which terms could be offered on ``day``, and each term's last instalment day
        (by number of instalments) for receivables originated that day.

        Whether a term can be offered that day does not depend on anything else (criterion
        (g): a 24-instalment receivable originated after the effective date ends too late), so
        the originator's receivables of the other terms — which it could never sell to the
        trust — are not drawn at all. The mix among the offerable terms is the tape's.
        Computed for 64 days at a time.
        """
        got = self._days.get(day)
        if got is None:
            k = len(self.terms)
            days = np.repeat(np.arange(day, day + 64, dtype=np.int32), k)
            terms = np.tile(self.terms, 64)
            last = add_months_days(days, terms.astype(np.int64))
            ok = np.ones(len(days), bool)
            if self.offerable is not None:
                probe = {"loan_id": np.arange(len(days)), "origination_day": days,
                         "instalments": terms, "credit_level": np.ones(len(days), np.int8),
                         "worst_dpd": np.zeros(len(days), np.int16),
                         "flags": np.zeros(len(days), np.uint8), "last_due_day": last}
                ok = self.offerable(probe)
            for i in range(64):
                last_by_n = np.zeros(256, np.int32)
                last_by_n[self.terms] = last[i * k: (i + 1) * k]
                self._days[day + i] = (tuple(ok[i * k: (i + 1) * k].tolist()), last_by_n)
            got = self._days[day]
        return got

    def _ranges(self, ok: tuple[bool, ...]) -> tuple[np.ndarray, np.ndarray, float]:
        """The template rows of the terms ``ok``, as ranges (templates are sorted by term):
        their cumulative lengths, and the rows skipped after each but the last (the first
        range's start last; see kernels.originator._template); and their mean principal."""
        ranges = self._rows_by_terms.get(ok)
        if ranges is None:
            good = np.flatnonzero(ok)
            if not len(good):
                raise ValueError("no term of the originator's business can be offered")
            starts, stops = self.term_start[good], self.term_end[good]
            ends = np.cumsum(stops - starts).astype(np.int64)
            skips = np.r_[starts[1:] - stops[:-1], starts[0]].astype(np.int64)
            mean = float(self._term_fen[good].sum()) / max(1, int(ends[-1]))
            ranges = self._rows_by_terms[ok] = (ends, skips, max(1.0, mean))
        return ranges

    def ensure(self, through: int, lag: int = 0) -> None:
        """Originate every day up to ``through - lag`` (incl.) that is still inside the window
        of ``through``, each receivable offered first to the screening under way (if any).
        Once that screening has what it wants, later days wait for the next one that needs
        them (a day's business is drawn when first needed, as any; a day that leaves the
        window undrawn would have been forgotten unsold)."""
        self._expire(through)
        first = through - self.window + 1
        if self.generated_through is not None:
            first = max(first, self.generated_through + 1)
        for d in range(first, through - lag + 1):
            if self.screening is not None and self.screening.satisfied:
                break
            self.size = self._draw(d, self.daily_fen, self._cols, self.size, self.screening)
            self.generated_through = d

    def top_up(self, day: int, fen: int) -> None:
        """More receivables originated on ``day`` (offered first to the screening under way):
        the originator's book is far larger than the trust's needs (purchase rate 100%,
        DEAL.md §5), so it can always show more."""
        self.size = self._draw(day, fen, self._cols, self.size, self.screening)

    def hold(self, new: dict[str, np.ndarray]) -> None:
        """Receivables join the originator's inventory (its own originations, or a user's)."""
        k = len(new["loan_id"])
        need = self.size + k
        _grow(self._cols, self.size, need)
        defaults = {"status": CURRENT, "late_since": -1, "holder": ORIGINATOR,
                    "reserved_until": -1}
        for name, arr in self._cols.items():
            arr[self.size: need] = new[name] if name in new else defaults.get(name, 0)
        self.size = need
        if k and int(np.max(new["obligor_id"])) >= self.unique_from:  # not a new user's, then
            self.unique_from = int(np.max(new["obligor_id"])) + 1
            self.next_obligor_id = max(self.next_obligor_id, self.unique_from)

    def _expire(self, today: int) -> None:
        """Forget receivables offered or older than the window, once they are half the
        inventory (a screening passes over them quickly), and offers whose reservation has
        lapsed unsettled (their receivables are older than the window by then)."""
        c = self._cols
        if len(self._keep) < self.size:
            self._keep = np.empty(len(c["loan_id"]), np.int64)
        k = kernels.alive_rows(self.size, today, self.window, c["holder"], c["origination_day"],
                               c["reserved_until"], self._keep)
        if 2 * k < self.size:  # at least as many rows gone as kept: moving the kept ones pays
            keep = self._keep[:k]
            first = int(np.argmax(keep != np.arange(k))) if k and keep[-1] != k - 1 else k
            for arr in c.values():  # rows before ``first`` stay where they are
                arr[first:k] = arr[keep[first:]]
            self.size = k
        for key in [key for key, (_ids, _cols, until) in self._offered.items() if until < today]:
            del self._offered[key]

    # ------------------------------------------------------------------ screening
    def screening_for(self, day: int, target: int, price_pct: Decimal | None, static,
                      owed: np.ndarray) -> Screening:
        """A :class:`Screening` with room for about as many receivables as it will take."""
        room = int(target / max(1.0, self._value_taken) * 1.25) + 1024
        return Screening(day, target, price_pct, static, owed, room)

    def _scratch(self) -> np.ndarray:
        """The screening's scratch (obligor id -> fen taken), covering ids below ``unique_from``."""
        if len(self._taken) < self.unique_from:
            grown = np.zeros(self.unique_from, np.int64)
            grown[: len(self._taken)] = self._taken
            self._taken = grown
        return self._taken

    def screen(self, s: Screening, lag: int = 0) -> None:
        """Screening ``s`` takes receivables oldest first: from the inventory, then from the
        days' new business not yet originated up to ``lag`` days before its day, each offered
        to it as it is originated. It stays under way (``self.screening``, offered what
        :meth:`top_up` originates) until :meth:`finish`."""
        if self.screening is not None:
            raise RuntimeError("a screening is already under way")
        self.screening = s
        self._expire(s.day)
        c = self._cols
        if len(self._keep) < self.size:
            self._keep = np.empty(len(c["loan_id"]), np.int64)
        out = self._keep  # rows taken (copied to ``s.rows`` before the scratch is used again)
        taken = self._scratch()
        _end, n, got, seen, crossed, done = kernels.screen(
            0, self.size, s.day, self.window, s.reach, s.target, s.num, s.den, s.by_price,
            c["obligor_id"], c["origination_day"], c["principal_fen"], c["credit_level"],
            c["status"], c["late_since"], c["worst_dpd"], c["flags"], c["lost_day"],
            c["last_due_day"], c["reserved_until"], c["holder"], c["static_ok"], s.static.rule,
            s.static.levels_ok, s.owed, taken, self.unique_from, out, s.fig, s.levels)
        s.rows = out[:n].copy()
        if n:
            _grow(s.cols, 0, n)
            for name, col in s.cols.items():
                kernels.gather(c[name], s.rows, col)
        s.n = n
        s.got, s.seen, s.crossed, s.done = got, seen, crossed, done
        self.ensure(s.day, lag)

    def finish(self, s: Screening) -> None:
        """The screening is over: the scratch is zero again (for the obligors it took)."""
        if self.screening is s:
            self.screening = None
        kernels.forget(self._taken, s.cols["obligor_id"], s.n, self.unique_from)
        if s.n:
            self._value_taken = s.got / s.n

    # ------------------------------------------------------------------ views
    def candidate_rows(self, day: int, start: int = 0) -> np.ndarray:
        """Unsold, unreserved, unexpired receivables (rows from ``start``), seen on ``day``."""
        orig = self["origination_day"][start:]
        return start + np.flatnonzero(
            (self["holder"][start:] == ORIGINATOR) & (self["reserved_until"][start:] < day)
            & (orig <= day) & (orig > day - self.window))

    def view(self, rows: np.ndarray, day: int,
             names: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
        """The columns the criteria read (or only ``names``), for ``rows``, as on ``day``
        (returned ones are lost)."""
        cols = {k: self[k][rows] for k in (SCREENED if names is None else names)}
        if "instalments" in cols:
            cols["remaining_instalments"] = cols["instalments"]
        lost_day = self["lost_day"][rows]
        returned = (lost_day >= 0) & (lost_day <= day)
        if returned.any():
            cols["status"] = np.where(returned, LOST, cols["status"]).astype(np.int8)
        return cols

    def candidates(self, day: int, start: int = 0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Candidate rows and their screened columns (see :meth:`candidate_rows`)."""
        rows = self.candidate_rows(day, start)
        return rows, self.view(rows, day)

    # ------------------------------------------------------------------ offers and sales
    def reserve(self, s: Screening, until: int) -> dict[str, np.ndarray]:
        """The receivables screening ``s`` took leave the inventory, held for the trust until
        day ``until`` (the offer's settlement) or until it buys them; their columns, oldest
        first."""
        cols = {name: col[: s.n] for name, col in s.cols.items()}
        self._cols["holder"][s.rows] = TRUST  # out of the inventory (dropped at an expiry)
        if s.n:
            self._offered[int(cols["loan_id"][0])] = (cols["loan_id"], cols, until)
        return cols

    def sell(self, loan_ids: np.ndarray) -> dict[str, np.ndarray]:
        """The receivables of an offer are sold to the trust: their columns."""
        key = int(loan_ids[0]) if len(loan_ids) else None
        held = self._offered.get(key)
        if held is None or not np.array_equal(held[0], loan_ids):
            raise KeyError("offered receivables are no longer in the originator's inventory")
        del self._offered[key]
        cols = dict(held[1])
        cols["remaining_instalments"] = cols["instalments"]  # nothing has fallen due yet
        cols["original_principal_fen"] = cols["principal_fen"]
        return cols


def _log_q(p: list[float]) -> np.ndarray:
    """log(1 - p) of each probability (0 for never, -inf for certain)."""
    out = np.zeros(len(p))
    for i, q in enumerate(p):
        out[i] = 0.0 if q <= 0 else (-np.inf if q >= 1 else np.log1p(-q))
    return out


def _grow(cols: dict[str, np.ndarray], used: int, need: int) -> None:
    """Columns of capacity at least ``need`` (doubling), their first ``used`` rows kept."""
    cap = len(cols["loan_id"])
    if need <= cap:
        return
    new_cap = max(need, 2 * cap, 4096)
    for name, arr in cols.items():
        grown = np.empty(new_cap, arr.dtype)  # rows past those used are never read
        grown[:used] = arr[:used]
        cols[name] = grown


#: the inventory's columns: a new receivable's terms, and what the originator tracks
INVENTORY = {
    "loan_id": np.int64, "obligor_id": np.int64, "origination_day": np.int32,
    "instalments": np.int8, "annual_fee_rate": np.float64, "credit_level": np.int8,
    "region": np.int16, "principal_fen": np.int64, "fee_fen": np.int64, "worst_dpd": np.int16,
    "flags": np.uint8, "status": np.int8, "late_since": np.int32,
    "lost_day": np.int64, "last_due_day": np.int32, "reserved_until": np.int64, "holder": np.int8,
    "static_ok": np.bool_,  # known to pass every eligibility.STATIC criterion (checked at origination)
}
#: columns that go to the trust's book with a receivable
TRANSFERRED = ("loan_id", "obligor_id", "origination_day", "instalments", "annual_fee_rate",
               "credit_level", "region", "principal_fen", "fee_fen", "worst_dpd", "flags",
               "status", "lost_day")
#: columns the eligibility screening reads
SCREENED = ("loan_id", "obligor_id", "origination_day", "instalments", "credit_level",
            "principal_fen", "status", "late_since", "worst_dpd", "flags", "last_due_day")
#: the warranty flags' bits, in bit order (for the origination kernel)
FLAG_ARRAY = np.array(list(FLAG_BITS.values()), np.uint8)
