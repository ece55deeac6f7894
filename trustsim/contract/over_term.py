"""The over-term repurchase after a series' issuance failure (the deal's ``remedies``).

When series i of the rolling class cannot be issued, receivables whose last instalment
falls after the last calculation date before series i-1's expected maturity could not be
repaid before the notes' expected maturities: the originator repurchases them at no less
than their fair value as at the repurchase start date (the day of the issuance failure),
and pays the price within ``over_term_pay_within_business_days`` business days of the
trustee's notice of the price. The premise is the failed issuance, not the revolving
period: a failure on a roll date after another trigger has already ended revolving still
calls for the repurchase.

Delivery against payment: the repurchased assets stay in the trust's pool — and what they
pay is the trust's — until the custodian credits the price to the trust account; they leave
it that day, as they then stand. The notice prices them as at the start date (its price is
the fair value of the principal then); what of them was collected or fell overdue before the
price is paid is the trust's and is not delivered, so the price paid is the same rate on the
principal delivered (ASSUMPTION: the originator pays for what it receives, and the trust
gains nothing and loses nothing from the days it waited for the price).

The rules as functions the trustee calls: which date is the cutoff, what the price is, by
when it is due, and which clause the log cites.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from trustsim.calendar import BusinessCalendar
from trustsim.config.models import DealConfig
from trustsim.contract.schedule import DealSchedule
from trustsim.money import round_fen


def repurchase_applies(deal: DealConfig) -> bool:
    """The deal has the originator repurchase over-term assets after an issuance failure."""
    return deal.remedies.over_term_repurchase


def clause(deal: DealConfig) -> str:
    """The clause the repurchase's log events cite (required by the deal language)."""
    c = deal.remedies.over_term_clause
    assert c is not None   # validation: required when over_term_repurchase is true
    return c


def cutoff(schedule: DealSchedule, maturing_series: int, origin: dt.date) -> dt.date:
    """The last revolving calculation date before the maturing series' (i-1's) expected
    maturity: receivables whose last instalment falls after it are over-term. No such
    calculation date: the effective date."""
    maturity = schedule.series_maturities[maturing_series - 1]
    calcs = [p.calculation_date for p in schedule.revolving_payment_dates
             if p.calculation_date is not None and p.calculation_date < maturity]
    return max(calcs) if calcs else origin


def price(deal: DealConfig, principal_fen: int) -> int:
    """The price of over-term receivables of ``principal_fen``: the deal's share of their
    principal (its reading of "no less than fair value"), rounded half up to the fen."""
    return round_fen(Decimal(principal_fen) * deal.remedies.over_term_price_pct_of_principal / 100)


def pay_by(deal: DealConfig, cal: BusinessCalendar, noticed: dt.date) -> dt.date:
    """The last day the price may reach the trust account: N business days after the notice."""
    return cal.add_business_days(noticed, deal.remedies.over_term_pay_within_business_days)
