"""The two pools' turnover: each realises, in its log, the payment rate and yield of what it holds.

Why the rep-line and loan-level runs of Dongdao No. 3 collect 1.5x apart (docs/model.md,
"Rep line against loan by loan"): the rep line applies the report's Table 12 (20.77% a
month, 7.15% a year) to whatever it holds; the loan-level pool's behaviour reproduces
Table 12 on static pools of the originator's whole book (every term, 24 instalments
included: tests/unit/test_pool_calibration.py), but criterion (g) [一.3] lets the trust buy
only receivables whose last instalment falls by 2022-08-18 — no 24-instalment receivable
after the effective date, no 12-instalment one after 2021-08-18, no 6-instalment one after
2022-02-18 — and shorter receivables repay faster and, their fee being on the original
principal, earn more on their balance. So each pool is held to what it should realise:

* the rep line: the deal's ``mpr_pct`` and ``yield_pct`` on its performing balance;
* the loan-level pool: in each span in which (g) lets the same terms in, the figures of
  static pools of new business of those terms (the same behaviour, the same generator);
* the rep line given that term mix (``pool.by_longest_term``, scenario ``rep_line_term_mix``):
  in each span the deal's rates times the span's factors — and then it collects and buys
  what the loan-level pool does.

Realised from the log alone: principal (income) of ``collections_received`` over the span
/ the sum over its calendar days of the performing balance at the start of the day (the
last ``day_closed`` before it), times 365/12 (times 365). The spans start a month after
the terms last changed (the effective date: the tape's first month) and end the day before
they next change. Bound: 10% of the static pools' figure — the trust's pool is not a
steady state of one span's purchases (it still holds what it bought under the wider terms
before, and the tape's rest); the whole book's payment rate lies 25% and more away. The
yield is held to the bound in spans of at least five months only: in the two months from
2022-03-19 the pool still earns on the 6-instalment receivables bought before, whose fee on
the original principal is large against their late balances (10.2% against 8.5%); in every
span it is above the whole book's.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.runs import LOANS_FILE, small_loan_events
from trustsim.calendar import add_months
from trustsim.config import load_deal
from trustsim.config.errors import ConfigError
from trustsim.pool import static_pool
from trustsim.pool.behaviour import Behaviour
from trustsim.pool.generator import generate
from trustsim.pool.tape import Tape
from trustsim.sim.runner import run_deal

REP_FILE = Path(__file__).resolve().parents[2] / "configs" / "deals" / "dongdao3_2020_1.yaml"
BOUND = 0.10


def realised(events: list[dict[str, Any]], first: dt.date, last: dt.date) -> tuple[float, float]:
    """(monthly payment rate %, annual yield %) realised over [first, last], from the log."""
    closes = {e["date"]: e["pool_performing_fen"] for e in events if e["event"] == "day_closed"}
    paid: dict[str, tuple[int, int]] = {}
    for e in events:
        if e["event"] == "collections_received":
            p, i = paid.get(e["date"], (0, 0))
            paid[e["date"]] = (p + e["principal_fen"], i + e["income_fen"])
    day, start_of_day = dt.date.fromisoformat(events[0]["date"]), 0
    balance_days = principal = income = 0
    while day <= last:
        if day >= first:
            balance_days += start_of_day
            p, i = paid.get(day.isoformat(), (0, 0))
            principal += p
            income += i
        start_of_day = closes.get(day.isoformat(), start_of_day)
        day += dt.timedelta(days=1)
    return 100 * principal / balance_days * 365 / 12, 100 * income / balance_days * 365


def spans(effective: dt.date, months: int, terms: list[int]) -> list[tuple[dt.date, dt.date, list[int]]]:
    """The spans in which (g) lets the same terms in, each from a month after the terms last
    changed to the day before they next change, with the terms it lets in."""
    limit = add_months(effective, months)
    # a receivable of n instalments bought on day d ends on add_months(d, n): eligible
    # through add_months(limit, -n), so the term drops out the day after
    drops = sorted({add_months(limit, -n) + dt.timedelta(days=1) for n in terms} | {effective})
    out = []
    for a, b in itertools.pairwise(drops):
        first, last = add_months(a, 1), b - dt.timedelta(days=1)
        if first <= last:
            out.append((first, last, [n for n in terms if add_months(last, n) <= limit]))
    return out


@pytest.fixture(scope="module")
def rep_events() -> list[dict[str, Any]]:
    stream = io.BytesIO()
    run_deal(load_deal(REP_FILE), stream)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


TAPE = generate(0.01, load_deal(LOANS_FILE).pool.tape_seed)  # the small loan deal's tape
TERMS = sorted(int(n) for n in np.unique(TAPE.columns["instalments"]))  # the whole book's


@pytest.fixture(scope="module")
def loan_spans() -> list[tuple[dt.date, dt.date, list[int]]]:
    deal = load_deal(LOANS_FILE)
    revolving_end = next(dt.date.fromisoformat(e["date"]) for e in small_loan_events()
                         if e["event"] == "period_changed" and e["period"] != "revolving")
    return [s for s in spans(deal.dates.trust_effective_date,
                             deal.pool.eligibility.last_instalment_months, TERMS)
            if s[1] <= revolving_end]  # purchases only in revolving


def _static_pools(terms: list[int]) -> dict[str, float]:
    """Static pools of new business of these terms only (the tape's mix among them)."""
    deal = load_deal(LOANS_FILE)
    tape = TAPE
    keep = np.isin(tape.columns["instalments"], terms)
    sub = Tape(tape.as_of, {k: v[keep] for k, v in tape.columns.items()}, tape.regions)
    return static_pool.run(sub, Behaviour.from_config(deal.pool.behaviour), vintages=4,
                           vintage_fen=1_000_000_000, seed=1).figures()


def test_the_rep_line_realises_the_deals_payment_rate_and_yield_on_its_balance(rep_events):
    deal = load_deal(REP_FILE)
    # revolving, before criterion (g)'s floor binds (about five months before its date)
    mpr, yld = realised(rep_events, dt.date(2020, 9, 18), dt.date(2022, 2, 17))
    assert mpr == pytest.approx(float(deal.pool.mpr_pct), rel=0.01)
    assert yld == pytest.approx(float(deal.pool.yield_pct), rel=0.01)


def test_criterion_g_s_spans_for_the_bundled_deal(loan_spans):
    """24 instalments out from the start, 12 from 2021-08-19, 6 from 2022-02-19 (and 3
    from 2022-05-19, after revolving)."""
    assert loan_spans == [
        (dt.date(2020, 9, 19), dt.date(2021, 8, 18), [1, 3, 6, 12]),
        (dt.date(2021, 9, 19), dt.date(2022, 2, 18), [1, 3, 6]),
        (dt.date(2022, 3, 19), dt.date(2022, 5, 18), [1, 3]),
    ]


@pytest.mark.parametrize("span", [0, 1, 2])
def test_the_loan_level_pool_realises_the_figures_of_the_terms_criterion_g_lets_it_buy(loan_spans, span):
    first, last, terms = loan_spans[span]
    mpr, yld = realised(small_loan_events(), first, last)
    eligible = _static_pools(terms)
    assert mpr == pytest.approx(eligible["mpr_pct"], rel=BOUND)
    if (last - first).days >= 150:
        assert yld == pytest.approx(eligible["yield_pct"], rel=BOUND)
    whole_book = _static_pools(TERMS)
    assert mpr > 1.25 * whole_book["mpr_pct"] and yld > whole_book["yield_pct"]


# ---------------------------------------------------------------- the rep line given the term mix
def _rep_events(scenarios: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    stream = io.BytesIO()
    _env, _parties, summary = run_deal(load_deal(REP_FILE, scenarios), stream)
    return [json.loads(line) for line in stream.getvalue().splitlines()], summary


@pytest.fixture(scope="module")
def term_mix_run() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    return _rep_events(["rep_line_term_mix"])


def test_by_longest_term_pays_each_entry_s_multiples_while_its_term_is_the_longest_that_fits(
        term_mix_run, loan_spans):
    """pool.by_longest_term: 12 instalments the longest the trust may buy through 2021-08-18,
    6 through 2022-02-18, 3 after; in each span the rep line realises the deal's rate and
    yield times that entry's factors."""
    deal = load_deal(REP_FILE, ["rep_line_term_mix"])
    table = deal.pool.by_longest_term
    assert table is not None
    events, _ = term_mix_run
    for first, last, terms in loan_spans[:2]:  # before (g)'s floor binds
        f = table[max(terms)]
        mpr, yld = realised(events, first, last)
        assert mpr == pytest.approx(float(deal.pool.mpr_pct * f.mpr_factor), rel=0.01)
        assert yld == pytest.approx(float(deal.pool.yield_pct * f.yield_factor), rel=0.01)


def _per_initial(events: list[dict[str, Any]], event: str, field: str) -> float:
    """The sum of ``field`` over ``event``s, over the pool's principal on the effective date."""
    initial = next(e for e in events if e["event"] == "day_closed")["pool_outstanding_fen"]
    return sum(e[field] for e in events if e["event"] == event) / initial


def test_given_the_term_mix_the_rep_line_turns_over_as_the_loan_level_pool(term_mix_run):
    """Collections and purchases, over the pool's initial principal, within 10% of the
    loan-level run's (1% of the pool); without the term mix the rep line's are a third lower."""
    loans, events = small_loan_events(), term_mix_run[0]
    for event, field in (("collections_received", "amount_fen"), ("receivables_transferred", "principal_fen")):
        assert _per_initial(events, event, field) == pytest.approx(_per_initial(loans, event, field), rel=BOUND)
    base, _ = _rep_events([])
    assert (_per_initial(base, "collections_received", "amount_fen")
            < 0.75 * _per_initial(loans, "collections_received", "amount_fen"))


@pytest.mark.parametrize("overrides,message", [
    ({"last_instalment_months": None}, "by_longest_term needs last_instalment_months"),
    ({"mpr_basis": "initial"}, "by_longest_term applies to mpr_basis: outstanding only"),
])
def test_by_longest_term_without_what_it_needs_is_refused_naming_the_field(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load_deal(REP_FILE, ["rep_line_term_mix"], {"pool": overrides})


def test_an_empty_by_longest_term_is_refused():
    with pytest.raises(ConfigError, match="by_longest_term: give at least one term, or null"):
        load_deal(REP_FILE, [], {"pool": {"by_longest_term": {}}})
