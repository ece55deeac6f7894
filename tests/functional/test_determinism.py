"""Same inputs and seed give a byte-identical audit log; outputs are written atomically."""

import json

from trustsim.sim.runner import simulate


def test_same_seed_same_bytes(deal, tmp_path):
    a = simulate(deal, tmp_path / "a")
    b = simulate(deal, tmp_path / "b")
    assert (a.out_dir / "events.jsonl").read_bytes() == (b.out_dir / "events.jsonl").read_bytes()
    assert json.loads((a.out_dir / "summary.json").read_text()) == a.summary


def test_run_folder_holds_config_log_and_summary(deal, tmp_path):
    r = simulate(deal, tmp_path / "run")
    assert sorted(p.name for p in r.out_dir.iterdir()) == [".trustsim-output", "commingling.csv",
                                                           "config.json", "events.jsonl", "summary.json"]
    rows = (r.out_dir / "commingling.csv").read_text().splitlines()
    assert rows[0] == "date,business_day,collection_account_fen,collection_account_peak_fen"
    peak = max(int(x.split(",")[3]) for x in rows[1:])
    assert peak == r.summary["commingling"]["peak_fen"]
    first = json.loads((r.out_dir / "events.jsonl").read_text().splitlines()[0])
    assert list(first)[:5] == ["seq", "day", "date", "actor", "event"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary left behind
