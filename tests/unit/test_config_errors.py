"""Bad input exits non-zero with a message naming the file and the field, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import ConfigError, load_deal

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"


def write_variant(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(DEAL.read_text(encoding="utf-8"))
    change(data)
    p = tmp_path / "deal.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


CASES = {
    "unknown key": (lambda d: d["pool"].update(mpr_pcts=20), "pool.mpr_pcts"),
    "wrong type": (lambda d: d["classes"][0].update(coupon_pct="seven"),
                   "classes[0] (senior).coupon_pct: Input should be a valid decimal"),
    "negative amount": (lambda d: d["fees"][1].update(cny_per_year=-1),
                        "fees[1] (trustee_counsel_fees).cny_per_year: Input should be greater than or equal to 0"),
    "class named twice": (lambda d: d["classes"][2].update(name="mezz"),
                          "classes[2]: the name 'mezz' is used twice"),
    "date outside the calendar": (
        lambda d: d["classes"][2].update(expected_maturity="2029-09-12"),
        "outside the business-day calendar"),
    "liquidation paid later than the contract's last calculation date": (
        lambda d: d["termination"]["liquidation"].update(sale_lag_business_days=3),
        "termination.liquidation.sale_lag_business_days"),
    "no liquidation terms": (lambda d: d["termination"].pop("liquidation"),
                             "termination.liquidation"),
    "gate names no earlier step": (
        lambda d: d["waterfalls"]["amortization"][1].update(after_paid_in_full=["sub_principal"]),
        "waterfalls.amortization[1] (pay_fees: trustee_counsel_fees).after_paid_in_full: "
        "'sub_principal' is not an earlier step (earlier: taxes)"),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_deal_names_file_and_field(tmp_path, case):
    change, expected = CASES[case]
    path = write_variant(tmp_path, change)
    with pytest.raises(ConfigError) as err:
        load_deal(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)
    # a rule across sections names its own field path: no pydantic prefix before it
    assert "Value error" not in str(err.value) and "(top level)" not in str(err.value)


@pytest.mark.parametrize("case", CASES)
def test_cli_run_on_a_bad_deal_exits_2_and_writes_nothing(tmp_path, case):
    change, expected = CASES[case]
    path = write_variant(tmp_path, change)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert expected.split(":")[0] in result.output
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["deal.yaml"]


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = CliRunner().invoke(app, ["run", str(missing), "--quiet"])
    assert result.exit_code == 2
    assert "nope.yaml: file not found" in result.output


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"no such scenario.*base"):
        load_deal(DEAL, ["no_such_scenario"])


def test_a_failed_run_leaves_no_half_written_folder(tmp_path, deal, monkeypatch):
    from trustsim.sim import runner

    def boom(*a, **k):
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(runner, "run_deal", boom)
    with pytest.raises(RuntimeError):
        runner.simulate(deal, tmp_path / "run")
    assert list(tmp_path.iterdir()) == []
