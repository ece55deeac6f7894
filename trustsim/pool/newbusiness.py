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
asks after that day — and only the last ``inventory_days`` days are kept: older
receivables the trust did not buy stay with the originator and are forgotten, so the
inventory does not grow.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from trustsim.pool.behaviour import LOST_WINDOW_DAYS
from trustsim.pool.book import fee_per_instalment
from trustsim.pool.tape import (
    CURRENT,
    FLAG_BITS,
    INSTALMENT_CHOICES,
    LOST,
    ORIGINATOR,
    TRUST,
    Tape,
    add_months_days,
)

TEMPLATE_FIELDS = ("instalments", "original_principal_fen", "annual_fee_rate", "credit_level",
                   "region", "worst_dpd", "obligor_id")


class NewBusiness:
    """The originator's inventory of unsold receivables; see the module docstring."""

    def __init__(self, tape: Tape, cfg, lost_first_month: float, rng: np.random.Generator,
                 daily_fen: int, first_loan_id: int, first_obligor_id: int,
                 offerable: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None) -> None:
        self.cfg = cfg
        self.offerable = offerable  # receivables failing a static criterion are never offered
        self.rng = rng
        self.daily_fen = daily_fen
        self.lost = lost_first_month
        self.window = cfg.inventory_days
        self.next_loan_id = first_loan_id
        self.next_obligor_id = first_obligor_id
        by_term = np.argsort(tape.columns["instalments"], kind="stable")
        self.templates = {k: tape.columns[k][by_term] for k in TEMPLATE_FIELDS}
        n = self.templates["instalments"]
        self.terms = np.unique(n)
        self.term_start = np.searchsorted(n, self.terms)
        self.term_end = np.searchsorted(n, self.terms, side="right")
        self.mean_principal = float(self.templates["original_principal_fen"].mean())
        self._terms_by_day: dict[int, tuple[bool, ...]] = {}
        self._rows_by_terms: dict[tuple[bool, ...], np.ndarray] = {}
        # columns with spare capacity; rows [0, size) in loan id order
        self._cols = {k: np.zeros(0, t) for k, t in INVENTORY.items()}
        self.size = 0
        self.generated_through: int | None = None
        self.originated_fen = 0
        self.originated_loans = 0

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name][: self.size]

    @property
    def reserved_until(self) -> np.ndarray:
        return self["reserved_until"]

    # ------------------------------------------------------------------ origination
    def originate(self, day: int, fen: int | None = None) -> dict[str, np.ndarray]:
        """New receivables of about ``fen`` (default: a day's volume) originated on ``day``."""
        rng, t = self.rng, self.templates
        fen = self.daily_fen if fen is None else fen
        if fen <= 0:
            return {k: np.zeros(0, d) for k, d in INVENTORY.items()}
        k = max(1, int(fen / self.mean_principal * 1.1) + 16)
        offerable = self._terms_offerable(day)
        pick = offerable[rng.integers(0, len(offerable), k)]
        principal = t["original_principal_fen"][pick]
        cut = int(np.searchsorted(np.cumsum(principal), fen)) + 1
        pick, principal = pick[:cut], principal[:cut]
        k = len(pick)
        cfg = self.cfg
        level = t["credit_level"][pick].copy()
        level[rng.random(k) < float(cfg.level5_pct) / 100] = 5
        worst = t["worst_dpd"][pick].copy()
        bad = rng.random(k) < float(cfg.worst_dpd_over_30_pct) / 100
        worst[bad] = rng.integers(31, 181, int(bad.sum()))
        flags = np.zeros(k, np.uint8)
        breach = float(cfg.warranty_breach_pct) / 100
        if breach > 0:  # each warranty breached independently: how many, then which ones
            for bit in FLAG_BITS.values():
                flags[rng.choice(k, rng.binomial(k, breach), replace=False)] |= bit
        repeat = rng.random(k) < float(cfg.repeat_obligor_pct) / 100
        obligor = t["obligor_id"][pick].copy()
        fresh = np.flatnonzero(~repeat)
        obligor[fresh] = self.next_obligor_id + np.arange(len(fresh))
        self.next_obligor_id += len(fresh)
        lost = rng.random(k) < self.lost
        lost_day = np.where(lost, day + rng.integers(1, LOST_WINDOW_DAYS + 1, k), -1)
        ids = self.next_loan_id + np.arange(k, dtype=np.int64)
        self.next_loan_id += k
        n = t["instalments"][pick]
        fee = t["annual_fee_rate"][pick]
        orig = np.full(k, day, np.int32)
        self.originated_fen += int(principal.sum())
        self.originated_loans += k
        choices = np.array(INSTALMENT_CHOICES)
        last = add_months_days(np.full(len(choices), day), choices)[np.searchsorted(choices, n)]
        cols = {
            "loan_id": ids, "obligor_id": obligor, "origination_day": orig,
            "instalments": n, "annual_fee_rate": fee, "credit_level": level,
            "region": t["region"][pick], "principal_fen": principal,
            "fee_fen": fee_per_instalment(principal, fee), "worst_dpd": worst, "flags": flags,
            "lost_day": lost_day, "last_due_day": last,
        }
        if self.offerable is not None:
            keep = self.offerable(cols)
            if not keep.all():
                cols = {name: v[keep] for name, v in cols.items()}
            cols["static_ok"] = np.ones(len(cols["loan_id"]), bool)
        return cols

    def _terms_offerable(self, day: int) -> np.ndarray:
        """Template rows whose term could be offered on ``day``.

        Whether a term can be offered that day does not depend on anything else (criterion
        (g): a 24-instalment receivable originated after the effective date ends too late), so
        the originator's receivables of the other terms — which it could never sell to the
        trust — are not drawn at all. The mix among the offerable terms is the tape's.
        """
        ok = self._terms_by_day.get(day)
        if ok is None:
            ok = (True,) * len(self.terms)
            if self.offerable is not None:
                k = len(self.terms)
                days = np.full(k, day, np.int32)
                probe = {"loan_id": np.arange(k), "origination_day": days,
                         "instalments": self.terms, "credit_level": np.ones(k, np.int8),
                         "worst_dpd": np.zeros(k, np.int16), "flags": np.zeros(k, np.uint8),
                         "last_due_day": add_months_days(days, self.terms.astype(np.int64))}
                ok = tuple(self.offerable(probe).tolist())
            self._terms_by_day[day] = ok
        rows = self._rows_by_terms.get(ok)
        if rows is None:
            parts = [np.arange(a, z) for a, z, good in
                     zip(self.term_start, self.term_end, ok, strict=True) if good]
            if not parts:
                raise ValueError("no term of the originator's business can be offered")
            rows = self._rows_by_terms[ok] = np.concatenate(parts)
        return rows

    def ensure(self, through: int) -> None:
        """Originate every day up to ``through`` (incl.) that is still inside the window."""
        first = through - self.window + 1
        if self.generated_through is not None:
            first = max(first, self.generated_through + 1)
        for d in range(first, through + 1):
            self.hold(self.originate(d))
        self.generated_through = max(through, self.generated_through or through)
        self._expire(through)

    def top_up(self, day: int, fen: int) -> None:
        """More receivables originated on ``day``: the originator's book is far larger than the
        trust's needs (purchase rate 100%, DEAL.md §5), so it can always show more."""
        self.hold(self.originate(day, fen))

    def hold(self, new: dict[str, np.ndarray]) -> None:
        """Receivables join the originator's inventory (its own originations, or a user's)."""
        k = len(new["loan_id"])
        need = self.size + k
        cap = len(self._cols["loan_id"])
        if need > cap:
            new_cap = max(need, 2 * cap, 4096)
            for name, arr in self._cols.items():
                grown = np.zeros(new_cap, arr.dtype)
                grown[: self.size] = arr[: self.size]
                self._cols[name] = grown
        defaults = {"status": CURRENT, "late_since": -1, "holder": ORIGINATOR,
                    "reserved_until": -1}
        for name, arr in self._cols.items():
            arr[self.size: need] = new[name] if name in new else defaults.get(name, 0)
        self.size = need

    def _alive(self, today: int) -> np.ndarray:
        return (self["holder"] == ORIGINATOR) & ((self["origination_day"] > today - self.window)
                                                 | (self["reserved_until"] >= today))

    def _expire(self, today: int) -> None:
        """Forget receivables sold or older than the window (unless offered and unsettled),
        once they are half the inventory."""
        alive = self._alive(today)
        dead = self.size - int(alive.sum())
        if dead * 2 <= self.size:
            return
        k = int(alive.sum())
        for arr in self._cols.values():
            arr[:k] = arr[: self.size][alive]
        self.size = k

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

    def rows_of(self, loan_ids: np.ndarray) -> np.ndarray:
        ids = self["loan_id"]
        rows = np.searchsorted(ids, loan_ids)
        if (rows >= len(ids)).any() or (ids[np.minimum(rows, len(ids) - 1)] != loan_ids).any():
            raise KeyError("offered receivables are no longer in the originator's inventory")
        return rows

    def take(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Receivables leave the inventory (sold to the trust); their columns."""
        if (self["holder"][rows] != ORIGINATOR).any():
            raise ValueError("a receivable was sold twice")
        cols = {k: self[k][rows] for k in TRANSFERRED}
        cols["remaining_instalments"] = cols["instalments"]  # nothing has fallen due yet
        cols["original_principal_fen"] = cols["principal_fen"]
        self["holder"][rows] = TRUST
        return cols


#: inventory-only columns: return day (or -1), last instalment day, offer reservation
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
#: ... and those the criteria that can change read (eligibility.DYNAMIC)
SCREENED_DYNAMIC = ("origination_day", "status", "late_since", "flags")
