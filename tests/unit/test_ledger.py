"""The ledger: double entry, no overdraft, no trust money out without an instruction."""

import pytest

from trustsim.ledger import COLLECTION_ACCOUNT, TRUST_ACCOUNT, Ledger, LedgerError


def test_a_posting_moves_money_and_external_totals_record_it():
    led = Ledger()
    led.post(COLLECTION_ACCOUNT, "obligors", 1_000, "obligor payments")
    led.post(TRUST_ACCOUNT, COLLECTION_ACCOUNT, 1_000, "collections sweep")
    led.post("tax_authority", TRUST_ACCOUNT, 300, "taxes", instruction="I000001")
    assert led.balances[TRUST_ACCOUNT] == 700
    assert led.total_in() - led.total_out() == led.total_held() == 700


def test_trust_money_cannot_leave_without_a_trustee_instruction():
    led = Ledger()
    led.post(TRUST_ACCOUNT, "investors:sub", 500, "proceeds")
    with pytest.raises(LedgerError, match="without a trustee instruction"):
        led.post("originator", TRUST_ACCOUNT, 100, "purchase")


def test_no_internal_account_can_be_overdrawn():
    led = Ledger()
    with pytest.raises(LedgerError, match="cannot pay"):
        led.post("originator", TRUST_ACCOUNT, 1, "purchase", instruction="I1")


@pytest.mark.parametrize("amount", [0, -5, 1.5])
def test_amounts_are_positive_integer_fen(amount):
    with pytest.raises(LedgerError):
        Ledger().post(COLLECTION_ACCOUNT, "obligors", amount, "x")
