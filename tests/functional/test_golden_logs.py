"""Golden logs: the same deal, scenario and seed give the same bytes, commit after commit.

A failure shows the first line that moved. If the change was meant, refresh with
``python -m pytest tests/functional/test_golden_logs.py --refresh-golden`` and say why.
"""

from __future__ import annotations

import pytest
from support import golden


@pytest.mark.parametrize("name", sorted(golden.CASES))
def test_the_log_matches_its_golden_copy(name, request):
    log = golden.CASES[name]()
    if request.config.getoption("--refresh-golden"):
        golden.store(name, log)
    expected = golden.load(name)
    assert expected is not None, f"no golden log for {name}: run with --refresh-golden once"
    actual = golden.digest(log)
    if actual.sha256 != expected.sha256:
        pytest.fail(f"the {name} log moved: {golden.first_difference(expected, actual)}", pytrace=False)
