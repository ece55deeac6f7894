"""The loan tape: its schema, the round trip through Parquet, and the rejection of bad tapes.

Every bad tape is refused by every command that reads it, naming the row and the column,
with exit status 2 and nothing written.
"""

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.pool.tape import (
    CURRENT,
    TRUST,
    TapeError,
    read_tape,
    tape_from_records,
    write_tape,
)

AS_OF = dt.date(2020, 7, 27)
GOOD = {
    "loan_id": 1, "obligor_id": 10, "origination_date": "2020-05-10", "instalments": 12,
    "remaining_instalments": 10, "annual_fee_rate": 0.072, "credit_level": 2,
    "region": "Beijing", "principal_fen": 100_000, "dpd": 0, "worst_dpd": 0,
    "status": "current", "holder": "trust",
}


def rows(*changes: dict) -> list[dict]:
    out = []
    for i, ch in enumerate(changes, start=1):
        r = {**GOOD, "loan_id": i, "obligor_id": 10 + i}
        r.update(ch)
        out.append({k: v for k, v in r.items() if v is not ...})
    return out


def write_raw(path, records, as_of=AS_OF):
    table = pa.Table.from_pylist(records)
    table = table.replace_schema_metadata({b"trustsim.as_of": as_of.isoformat().encode()})
    pq.write_table(table, path)
    return path


def test_a_tape_round_trips_through_parquet_with_its_date(tmp_path):
    tape = tape_from_records(rows({}, {"instalments": 1, "remaining_instalments": 1,
                                       "annual_fee_rate": 0.0}), AS_OF)
    path = write_tape(tape, tmp_path / "t.parquet")
    back = read_tape(path)
    assert back.as_of == AS_OF
    assert back["principal_fen"].tolist() == [100_000, 100_000]
    assert back["status"].tolist() == [CURRENT, CURRENT] and back["holder"].tolist() == [TRUST] * 2
    # the contract principal defaults to the balance scaled back to all instalments
    assert back["original_principal_fen"].tolist() == [120_000, 100_000]
    assert back.regions == ["Beijing"]


@pytest.mark.parametrize("column", [
    "loan_id", "obligor_id", "origination_date", "instalments", "remaining_instalments",
    "annual_fee_rate", "credit_level", "region", "principal_fen", "dpd", "worst_dpd", "status",
    "holder"])
def test_a_tape_without_a_required_column_is_refused_naming_it(tmp_path, column):
    path = write_raw(tmp_path / "bad.parquet", rows({column: ...}))
    with pytest.raises(TapeError, match=f"missing column\\(s\\): {column}$"):
        read_tape(path)


@pytest.mark.parametrize(("change", "row", "column", "words"), [
    ({"principal_fen": -5}, 2, "principal_fen", "negative balance -5"),
    ({"principal_fen": 2**31, "original_principal_fen": 2**31}, 2, "principal_fen",
     "more than a consumer receivable can hold"),
    ({"credit_level": 7}, 2, "credit_level", "unknown credit level 7"),
    ({"loan_id": 1}, 2, "loan_id", "duplicate loan id 1 (also row 1)"),
    ({"instalments": 5, "remaining_instalments": 5}, 2, "instalments", "5 is out of range"),
    ({"origination_date": "2020-02-30"}, 2, "origination_date", "is not a date"),
    ({"status": "paid"}, 2, "status", "unknown status 'paid'"),
    ({"remaining_instalments": 13}, 2, "remaining_instalments", "13 is out of range 0..12"),
    ({"origination_date": "2020-08-01"}, 2, "origination_date", "after the tape's as-of date"),
    ({"status": "overdue", "dpd": 0}, 2, "dpd", "status overdue is past due"),
    ({"status": "non_performing", "dpd": 0}, 2, "dpd", "status non_performing is past due"),
])
def test_a_bad_row_is_rejected_naming_its_row_and_column(tmp_path, change, row, column, words):
    path = write_raw(tmp_path / "bad.parquet", rows({}, change))
    with pytest.raises(TapeError) as err:
        read_tape(path)
    msg = str(err.value)
    assert f"row {row}" in msg and f"column {column}" in msg and words in msg


def test_a_csv_tape_is_read_with_the_same_rules(tmp_path):
    header = ",".join(GOOD)
    good = ",".join(str(v) for v in GOOD.values())
    bad = ",".join(str(v) for v in {**GOOD, "loan_id": 2, "origination_date": "10/05/2020"}.values())
    path = tmp_path / "t.csv"
    path.write_text(f"{header}\n{good}\n{bad}\n", encoding="utf-8")
    with pytest.raises(TapeError, match=r"row 2 \(loan_id 2\): column origination_date"):
        read_tape(path, AS_OF)
    path.write_text(f"{header}\n{good}\n", encoding="utf-8")
    assert len(read_tape(path, AS_OF)) == 1


@pytest.mark.parametrize("command", ["validate", "strats"])
def test_cli_rejects_a_bad_tape_with_status_2(tmp_path, command):
    path = write_raw(tmp_path / "bad.parquet", rows({}, {"principal_fen": -1}))
    result = CliRunner().invoke(app, ["pool", command, str(path)])
    assert result.exit_code == 2
    assert "row 2" in result.output and "principal_fen" in result.output


def test_run_with_a_bad_tape_exits_2_and_writes_no_run_folder(tmp_path):
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "configs/deals/dongdao3_2020_1_loans.yaml").read_text())
    bad = write_raw(tmp_path / "bad.parquet", rows({}, {"credit_level": 0}))
    data["pool"]["tape"] = str(bad)
    deal = tmp_path / "deal.yaml"
    deal.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", str(deal), "--out", str(out), "--quiet"])
    assert result.exit_code == 2
    assert "row 2" in result.output and "credit_level" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.parquet", "deal.yaml"]


def test_generate_with_a_bad_flag_exits_2_and_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["pool", "generate", "--scale", "0", "--out",
                                      str(tmp_path / "t.parquet")])
    assert result.exit_code == 2 and "--scale" in result.output
    result = CliRunner().invoke(app, ["pool", "generate", "--scale", "0.001", "--out",
                                      str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "--out" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("change", "column", "words"), [
    ({"principal_fen": "100000"}, "principal_fen", "expected integers, but the file stores string (row 1: '100000')"),
    ({"principal_fen": 100000.0}, "principal_fen", "expected integers, but the file stores double"),
    ({"dpd": "0"}, "dpd", "expected integers, but the file stores string"),
    ({"annual_fee_rate": "0.072"}, "annual_fee_rate", "expected numbers, but the file stores string"),
    ({"region": 11}, "region", "expected text, but the file stores int64"),
    ({"encumbered": 1}, "encumbered", "expected booleans, but the file stores int64"),
])
def test_a_parquet_column_of_the_wrong_type_is_refused_naming_it_not_parsed(tmp_path, change, column, words):
    path = write_raw(tmp_path / "typed.parquet", rows(change, change))
    with pytest.raises(TapeError) as err:
        read_tape(path)
    assert str(err.value).startswith(f"{path}: column {column}: {words}")


def test_a_parquet_tape_may_keep_its_dates_as_iso_text(tmp_path):
    path = write_raw(tmp_path / "t.parquet", rows({"origination_date": "2020-05-10"}))
    assert read_tape(path)["origination_day"].tolist() == [(dt.date(2020, 5, 10) - dt.date(1970, 1, 1)).days]
