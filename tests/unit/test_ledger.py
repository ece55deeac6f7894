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


def test_a_posting_is_returned_as_recorded():
    led = Ledger()
    p = led.post(COLLECTION_ACCOUNT, "obligors", 1_000, "obligor payments", instruction="I000007")
    assert (p.debit, p.credit, p.amount_fen, p.reason, p.instruction) == (
        COLLECTION_ACCOUNT, "obligors", 1_000, "obligor payments", "I000007")


def test_balances_and_counterparty_totals_accumulate():
    led = Ledger()
    led.post(COLLECTION_ACCOUNT, "obligors", 1_000, "obligor payments")
    led.post(COLLECTION_ACCOUNT, "obligors", 250, "obligor payments")
    led.post(TRUST_ACCOUNT, COLLECTION_ACCOUNT, 600, "collections sweep")
    led.post(TRUST_ACCOUNT, COLLECTION_ACCOUNT, 400, "collections sweep")
    led.post("tax_authority", TRUST_ACCOUNT, 300, "taxes", instruction="I1")
    led.post("tax_authority", TRUST_ACCOUNT, 200, "taxes", instruction="I2")
    assert led.balances[COLLECTION_ACCOUNT] == 250
    assert led.balances[TRUST_ACCOUNT] == 500
    assert led.inflows == {"obligors": 1_250}
    assert led.outflows == {"tax_authority": 500}


def test_refusals_name_the_posting():
    with pytest.raises(LedgerError, match=r"^posting amount must be a positive int of fen, got 0$"):
        Ledger().post(COLLECTION_ACCOUNT, "obligors", 0, "x")
    with pytest.raises(LedgerError, match=f"^posting from {TRUST_ACCOUNT} to itself$"):
        Ledger().post(TRUST_ACCOUNT, TRUST_ACCOUNT, 5, "x", instruction="I1")
