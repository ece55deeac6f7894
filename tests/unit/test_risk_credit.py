"""Credit draws: lognormal factors with median 1 around the deal's base, tied by one economy."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT

from trustsim.config import ConfigError
from trustsim.risk.credit import CreditConfig, draw_pool, load_credit


def draws(cfg, deal, n=4000):
    rng = np.random.default_rng(11)
    return [draw_pool(cfg, deal, rng) for _ in range(n)]


def test_medians_are_the_base_and_a_bad_economy_is_bad_on_every_count(deal):
    cfg = load_credit(ROOT / "configs" / "montecarlo" / "credit.yaml")
    d = draws(cfg, deal)
    wo = np.array([x["write_off_pct"] for x in d])
    mpr = np.array([x["mpr_pct"] for x in d])
    z = np.array([x["economy_z"] for x in d])
    assert abs(np.median(wo) / 1.15 - 1) < 0.03
    assert abs(np.median(mpr) / 20.77 - 1) < 0.01
    assert np.corrcoef(z, np.log(wo))[0, 1] == pytest.approx(0.8, abs=0.03)
    assert np.corrcoef(z, np.log(mpr))[0, 1] == pytest.approx(-0.6, abs=0.03)
    # the write-off tail the calibration aims at: P(> 2.3x base) about 3%
    assert 0.02 < np.mean(wo > 2.3 * 1.15) < 0.045
    assert {x["purchase_rate_pct"] for x in d} == {100.0}   # sigma 0: the base holds


def test_zero_sigma_is_the_base_and_caps_hold(deal):
    flat = CreditConfig.model_validate({p: {"sigma": 0, "loading": 0}
                                        for p in ("write_off", "mpr", "yield", "purchase_rate")})
    x = draw_pool(flat, deal, np.random.default_rng(0))
    assert (x["write_off_pct"], x["mpr_pct"], x["yield_pct"], x["purchase_rate_pct"]) == (1.15, 20.77, 7.15, 100.0)
    wild = CreditConfig.model_validate({p: {"sigma": 3, "loading": 1}
                                        for p in ("write_off", "mpr", "yield", "purchase_rate")})
    xs = draws(wild, deal, 500)
    assert max(x["write_off_pct"] for x in xs) == 99.0
    assert max(x["purchase_rate_pct"] for x in xs) == 100.0


def test_bad_values_name_the_field(tmp_path):
    p = tmp_path / "credit.yaml"
    p.write_text("write_off: {sigma: -0.2, loading: 0.5}\nmpr: {sigma: 0.1, loading: 0}\n"
                 "yield: {sigma: 0.1, loading: 0}\npurchase_rate: {sigma: 0, loading: 0}\n")
    with pytest.raises(ConfigError, match=r"credit.yaml: write_off.sigma: Input should be greater than or equal to 0"):
        load_credit(p)
    p.write_text("write_off: {sigma: 0.2, loading: 1.5}\n")
    with pytest.raises(ConfigError, match=r"write_off.loading: Input should be less than or equal to 1"):
        load_credit(p)
