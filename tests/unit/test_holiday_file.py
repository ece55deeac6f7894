"""The user's holiday file: checked row by row, read into the deal, recorded with its hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest
import yaml
from support.shifted import write_shifted_deal
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import ConfigError, load_deal

HOLIDAY_FILE = Path(__file__).resolve().parents[1] / "data" / "holidays_2027_2029.yaml"

GOOD_2027 = {"holidays": ["2027-01-01", "2027-02-08", "2027-10-01"], "workdays": ["2027-02-20"]}
GOOD_2027_MONDAY, GOOD_2027_SATURDAY = dt.date(2027, 2, 8), dt.date(2027, 2, 20)


def write_holidays(folder: Path, years: dict) -> Path:
    path = folder / "holidays.yaml"
    path.write_text(yaml.safe_dump({"source": "test", "years": years}), encoding="utf-8")
    return path


def load_with(tmp_path: Path, years: dict):
    hf = write_holidays(tmp_path, years)
    deal = write_shifted_deal(tmp_path, 6, {"holiday_file": hf.name})
    return load_deal(deal), hf


BAD_FILES = {
    "a date both holiday and working day": (
        {2027: {**GOOD_2027, "workdays": ["2027-02-20", "2027-02-08"]}},
        "years.2027.workdays[1]: 2027-02-08 is both a holiday and a working day (also years.2027.holidays[1])"),
    "a year half covered": (
        {2027: {"holidays": ["2027-01-01", "2027-02-08"]}},
        "years.2027: the holidays do not include 2027-10-01 (National Day): a year in a holiday file "
        "must be covered whole"),
    "an ordinary weekday declared a make-up working day": (
        {2027: {**GOOD_2027, "workdays": ["2027-02-17"]}},
        "years.2027.workdays[0]: 2027-02-17 is a Wednesday: a make-up working day is a Saturday or Sunday"),
    "a date filed under another year": (
        {2027: {**GOOD_2027, "holidays": [*GOOD_2027["holidays"], "2028-01-01"]}},
        "years.2027.holidays[3]: 2028-01-01 is not in 2027"),
    "a date that is no date": (
        {2027: {**GOOD_2027, "holidays": [*GOOD_2027["holidays"], "2027-02-30"]}},
        "years.2027.holidays[3]: '2027-02-30' is not a date (YYYY-MM-DD)"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_holiday_file_is_refused_naming_the_file_and_the_row(tmp_path, case):
    years, expected = BAD_FILES[case]
    with pytest.raises(ConfigError) as err:
        load_with(tmp_path, years)
    assert f"{tmp_path / 'holidays.yaml'}: {expected}" in str(err.value)


def last_expected_maturity(deal):
    return max(c.final_expected_maturity for c in deal.classes)


def test_the_test_holiday_file_covers_2027_to_2029(tmp_path):
    shutil.copy(HOLIDAY_FILE, tmp_path / "h.yaml")
    deal = load_deal(write_shifted_deal(tmp_path, 6, {"holiday_file": "h.yaml"}))
    assert sorted(deal.calendar.years) == [2027, 2028, 2029]
    assert deal.calendar.holiday_file == str(tmp_path / "h.yaml")  # relative to the deal file
    assert deal.calendar.holiday_file_sha256 == hashlib.sha256(HOLIDAY_FILE.read_bytes()).hexdigest()
    cal = deal.calendar.build(deal.dates.trust_effective_date, last_expected_maturity(deal))
    assert cal.sources[2028] == "holiday_file"
    assert not cal.is_business_day(deal.calendar.years[2028].holidays[21])  # 2028-05-29, a Monday


def test_a_recorded_hash_that_no_longer_matches_is_refused(tmp_path):
    hf = write_holidays(tmp_path, {2027: GOOD_2027})
    deal = write_shifted_deal(tmp_path, 6, {"holiday_file": hf.name, "holiday_file_sha256": "0" * 64,
                                            "unpublished_years": "weekends_only"})
    with pytest.raises(ConfigError, match=r"calendar.holiday_file_sha256: .*holidays.yaml has changed"):
        load_deal(deal)


def test_holidays_given_both_inline_and_in_a_file_are_refused(tmp_path):
    hf = write_holidays(tmp_path, {2027: GOOD_2027})
    deal = write_shifted_deal(tmp_path, 6, {"holiday_file": hf.name, "years": {2027: GOOD_2027}})
    with pytest.raises(ConfigError, match=r"either in calendar\.years or in calendar\.holiday_file, not both"):
        load_deal(deal)


def test_a_missing_holiday_file_is_named(tmp_path):
    deal = write_shifted_deal(tmp_path, 6, {"holiday_file": "nope.yaml"})
    with pytest.raises(ConfigError, match=r"calendar.holiday_file: .*nope.yaml: file not found"):
        load_deal(deal)


def test_cli_holiday_file_flag_with_a_bad_file_exits_2_and_writes_nothing(tmp_path):
    hf = write_holidays(tmp_path, {2027: {**GOOD_2027, "workdays": ["2027-02-17"]}})
    deal = write_shifted_deal(tmp_path, 6)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(deal), "--holiday-file", str(hf), "--out", str(out), "-q"])
    assert result.exit_code == 2
    assert "years.2027.workdays[0]: 2027-02-17 is a Wednesday" in " ".join(result.output.split())
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deal.yaml", "holidays.yaml"]


def test_cli_unpublished_years_flag_takes_only_the_known_choices(tmp_path):
    deal = write_shifted_deal(tmp_path, 6)
    result = CliRunner().invoke(app, ["validate", str(deal), "--unpublished-years", "guess"])
    assert result.exit_code == 2
    assert "--unpublished-years: 'guess' is not one of refuse, weekends_only, fixed_date_holidays" in result.output
    ok = CliRunner().invoke(app, ["validate", str(deal), "--unpublished-years", "weekends_only"])
    assert ok.exit_code == 0
    assert "2027, 2028, 2029 assumed weekends_only" in ok.output


def test_holidays_given_inline_get_the_same_checks(tmp_path):
    bad = {2027: {**GOOD_2027, "workdays": ["2027-02-17"]}}
    with pytest.raises(ConfigError, match=r"calendar: .*years\.2027\.workdays\[0\]: 2027-02-17 is a Wednesday"):
        load_deal(write_shifted_deal(tmp_path, 6, {"years": bad, "unpublished_years": "weekends_only"}))
    deal = load_deal(write_shifted_deal(tmp_path, 6, {"years": {2027: GOOD_2027},
                                                      "unpublished_years": "weekends_only"}))
    cal = deal.calendar.build(deal.dates.trust_effective_date, last_expected_maturity(deal))
    assert cal.sources[2027] == "holiday_file" and cal.assumed_years == (2028,)
    assert not cal.is_business_day(GOOD_2027_MONDAY) and cal.is_business_day(GOOD_2027_SATURDAY)
