"""Every config file trustsim reads (deal, scenario, stress method, Monte Carlo) is read by one
strict loader: what PyYAML would accept in silence or crash on is an error naming the file and
the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustsim.config import ConfigError, load_deal
from trustsim.risk.credit import load_credit
from trustsim.risk.method import load_method
from trustsim.risk.operational import load_operational

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"


def test_a_seed_given_twice_is_refused_instead_of_the_last_one_winning(tmp_path):
    text = DEAL.read_text(encoding="utf-8").replace("  seed: 20200818\n", "  seed: 20200818\n  seed: 7\n")
    deal = tmp_path / "deal.yaml"
    deal.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  seed: 7") + 1
    with pytest.raises(ConfigError) as err:
        load_deal(deal)
    assert str(err.value) == (f"{deal}: line {line}: not valid YAML (duplicate key 'seed' (first given on "
                              f"line {line - 1}); a key may appear once in a mapping)")


def test_the_same_key_in_two_different_mappings_is_fine():
    deal = load_deal(DEAL)   # name appears under parties.* and at the top level
    assert deal.parties.trustee.name and deal.name == "dongdao3_2020_1"


def test_a_merge_key_may_be_overridden_as_yaml_intends(tmp_path):
    p = tmp_path / "scenario.yaml"
    p.write_text("description: two downgrades\nincidents:\n"
                 "  - &first {kind: originator_downgrade, start: 2021-04-15, rating: A+}\n"
                 "  - {<<: *first, start: 2021-05-17, rating: A}\n", encoding="utf-8")
    first, second = load_deal(DEAL, [p]).incidents
    assert (first.rating, second.rating, second.start.isoformat()) == ("A+", "A", "2021-05-17")


@pytest.mark.parametrize(("loader", "text", "key", "line"), [
    (lambda p: load_deal(DEAL, [p]), "description: x\nincidents: []\nincidents: []\n", "incidents", 3),
    (load_operational, "incidents:\n  credit_shock: {annual_probability: 0.1}\n"
                       "  credit_shock: {annual_probability: 0.2}\n", "credit_shock", 3),
    (load_credit, "write_off: {sigma: 0.1, loading: 0}\nwrite_off: {sigma: 0.2, loading: 0}\n", "write_off", 2),
    (load_method, "ramp_months: 0\nramp_months: 3\n", "ramp_months", 2),
], ids=["scenario", "operational", "credit", "stress method"])
def test_every_config_file_refuses_a_duplicate_key(tmp_path, loader, text, key, line):
    p = tmp_path / "cfg.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"cfg.yaml: line {line}: .*duplicate key '{key}'"):
        loader(p)


def test_a_file_saved_in_latin1_is_named_with_its_bad_byte(tmp_path):
    p = tmp_path / "deal.yaml"
    p.write_bytes("name: café\n".encode("latin-1"))
    with pytest.raises(ConfigError) as err:
        load_deal(p)
    assert str(err.value) == f"{p}: not UTF-8 text (byte 0xe9 at offset 9); save the file as UTF-8"


@pytest.mark.parametrize("text", ["a: " + "[" * 20_000 + "]" * 20_000,
                                  "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 200))],
                         ids=["flow", "block"])
def test_nesting_20000_deep_is_an_error_not_a_recursion_traceback(tmp_path, text):
    p = tmp_path / "deal.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"deal.yaml: line \d+: not valid YAML \(nested more than 64 levels"):
        load_deal(p)


def test_aliases_that_expand_to_a_billion_values_are_refused_before_they_are_copied(tmp_path):
    lines = ["a: &a [" + ", ".join(["x"] * 10) + "]"]
    lines += [f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]" for p, n in zip("abcdefgh", "bcdefghi",
                                                                                   strict=True)]
    p = tmp_path / "deal.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"deal.yaml: \(top level\): more than 100,000 values"):
        load_deal(p)


def test_a_folder_given_as_the_deal_is_not_found(tmp_path):
    with pytest.raises(ConfigError, match=f"{tmp_path}: file not found"):
        load_deal(tmp_path)
