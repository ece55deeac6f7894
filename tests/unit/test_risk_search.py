"""The break-even root finder on known functions: bracket from the rating's level, then bisect."""

from __future__ import annotations

from trustsim.risk.breakeven import Space, search

SPACE = Space(0.0, 40.0, 0.5, 0.01)


class Counted:
    """A pass/fail oracle that counts its evaluations (each is a whole run in real use)."""

    def __init__(self, passes) -> None:
        self.passes, self.calls = passes, []

    def __call__(self, x: float) -> dict[str, bool]:
        self.calls.append(x)
        return {"senior": self.passes(x)}


def test_passing_at_the_start_it_steps_up_then_bisects():
    f = Counted(lambda x: x <= 7.3)
    value, fails_at = search(f, "senior", 5.5, SPACE)
    assert 7.29 <= value <= 7.3 < fails_at <= value + 0.01
    assert f.calls[:4] == [5.5, 6.0, 7.0, 9.0]     # doubling steps: +0.5, +1, +2
    assert len(f.calls) <= 12


def test_failing_at_the_start_it_steps_down():
    f = Counted(lambda x: x <= 3.12)
    value, fails_at = search(f, "senior", 5.5, SPACE)
    assert 3.11 <= value <= 3.12 < fails_at <= value + 0.01
    assert f.calls[:4] == [5.5, 5.0, 4.0, 2.0]


def test_censored_at_either_end():
    assert search(Counted(lambda x: True), "senior", 5.5, SPACE) == (40.0, None)
    assert search(Counted(lambda x: False), "senior", 5.5, SPACE) == (None, 0.0)
    assert search(Counted(lambda x: x < 0.2), "senior", 0.13, Space(0, 1, 0.05, 0.0025))[1] <= 0.2025


def test_the_first_failure_above_the_start_not_a_later_island():
    """Survival need not be monotone: the search answers for the failure nearest the rating."""
    value, fails_at = search(Counted(lambda x: x <= 6.2 or 9 <= x <= 12), "senior", 5.5, SPACE)
    assert 6.19 <= value <= 6.2 < fails_at
