"""[一.4.2] The price of a pool sold whole: each status at its own percentage, each rounded."""

from decimal import Decimal

from trustsim.config.models import Liquidation
from trustsim.contract.sale import pool_price
from trustsim.pool.base import PoolBalances


def balances(performing: int, overdue: int, non_performing: int) -> PoolBalances:
    return PoolBalances(performing, overdue, non_performing, charged_off_fen=0, bought_fen=0,
                        collected_fen=0, removed_fen=0)


def test_liquidation_price_is_each_status_at_its_percentage_rounded_half_up_to_the_fen():
    """The bundled deal's flagged 95 / 50 / 10 on the receivables left when event of
    default (b) winds up liquidation_after_default_b_mezz_unpaid: 1,886,319,233.35 +
    24,869,850.5 + 6,846,728 fen -> 1,886,319,233 + 24,869,851 + 6,846,728."""
    terms = Liquidation(price_pct_of_performing=Decimal(95), price_pct_of_overdue=Decimal(50),
                        price_pct_of_non_performing=Decimal(10), sale_lag_business_days=2)
    assert pool_price(balances(1_985_599_193, 49_739_701, 68_467_280), terms) == 1_918_035_812


def test_nothing_left_sells_for_nothing():
    terms = Liquidation(price_pct_of_performing=Decimal(95), price_pct_of_overdue=Decimal(50),
                        price_pct_of_non_performing=Decimal(10), sale_lag_business_days=0)
    assert pool_price(balances(0, 0, 0), terms) == 0
