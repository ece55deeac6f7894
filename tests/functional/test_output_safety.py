"""No command deletes or replaces what the user did not ask trustsim to write.

Each case is what a user would have lost before this was fixed: an existing folder or file
given as an output is left exactly as it was, the command exits 2 naming it and saying
what to do, and nothing half-written is left beside it. An earlier trustsim output of
the same kind is replaced, as re-running a study should. A read-only or full file system
is a message naming the output, never a traceback.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from support.mounts import tmpfs
from support.processes import ROOT, start_cli, temporaries

DEAL = str(ROOT / "configs/deals/dongdao3_2020_1.yaml")
LOANS = str(ROOT / "configs/deals/dongdao3_2020_1_loans.yaml")


def cli(tmp_path, *args: str, timeout: float = 600) -> tuple[int, str]:
    proc = start_cli(*args, cwd=tmp_path)
    _out, err = proc.communicate(timeout=timeout)
    text = err.decode()
    assert "Traceback" not in text, text
    return proc.returncode, text


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    where = tmp_path_factory.mktemp("run")
    code, err = cli(where, "run", "-q", DEAL, "--out", "run")
    assert code == 0, err
    return where / "run"


def _users_folder(tmp_path):
    folder = tmp_path / "mywork"
    folder.mkdir()
    (folder / "thesis.txt").write_text("three years of work", encoding="utf-8")
    return folder


FOLDER_OUTPUTS = {
    "run": lambda run: ["run", "-q", DEAL, "--out", "mywork"],
    "montecarlo": lambda run: ["montecarlo", DEAL, "--paths", "2", "--workers", "1", "--out", "mywork"],
    "breakeven": lambda run: ["breakeven", DEAL, "--out", "mywork", "--case", "issuance_fails",
                              "--rating", "BBB+", "--dimension", "write_off", "--no-grid", "--workers", "1"],
    "audit --parquet": lambda run: ["audit", str(run), "-q", "--parquet", "mywork"],
    "report --out": lambda run: ["report", str(run), "-q", "--out", "mywork"],
    "pool curves": lambda run: ["pool", "curves", "--deal", LOANS, "--out", "mywork", "--scale", "0.002",
                                "--vintages", "1", "--vintage-scale", "0.001", "--months", "2"],
}


@pytest.mark.parametrize("command", sorted(FOLDER_OUTPUTS))
def test_a_users_folder_given_as_output_is_kept_whole(tmp_path, run_dir, command):
    folder = _users_folder(tmp_path)
    code, err = cli(tmp_path, *FOLDER_OUTPUTS[command](run_dir))
    assert code == 2
    assert "mywork: the folder exists and was not written by trustsim (it holds thesis.txt)" in err
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    assert (folder / "thesis.txt").read_text(encoding="utf-8") == "three years of work"
    assert temporaries(tmp_path) == []


def _users_parquet(path):
    pq.write_table(pa.table({"x": [1, 2]}), path)


FILE_OUTPUTS = {
    "run --out FILE": (["run", "-q", DEAL, "--out", "mine.json"], "exists and is not a folder"),
    "stress --json": (["stress", DEAL, "--rating", "AAA", "--case", "issuance_ok", "--json", "mine.json"],
                      "is not an earlier trustsim stress output"),
    "audit --json": (["audit", "RUN", "-q", "--json", "mine.json"], "is not an earlier trustsim audit output"),
    "pool generate": (["pool", "generate", "--scale", "0.001", "--out", "mine.parquet"],
                      "is not an earlier trustsim tape output"),
}


@pytest.mark.parametrize("command", sorted(FILE_OUTPUTS))
def test_a_users_file_given_as_output_is_not_replaced(tmp_path, run_dir, command):
    args, message = FILE_OUTPUTS[command]
    args = [str(run_dir) if a == "RUN" else a for a in args]
    (tmp_path / "mine.json").write_text('{"mine": true}', encoding="utf-8")
    _users_parquet(tmp_path / "mine.parquet")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code, err = cli(tmp_path, *args)
    assert code == 2
    assert message in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_rerunning_a_study_replaces_its_own_earlier_output(tmp_path):
    assert cli(tmp_path, "run", "-q", DEAL, "--out", "run")[0] == 0
    (tmp_path / "run" / "summary.json").write_text("stale", encoding="utf-8")
    assert cli(tmp_path, "run", "-q", DEAL, "--out", "run")[0] == 0
    assert (tmp_path / "run" / "summary.json").read_text(encoding="utf-8") != "stale"
    assert cli(tmp_path, "stress", DEAL, "--rating", "AAA", "--case", "issuance_ok", "--json", "s.json")[0] == 0
    assert cli(tmp_path, "stress", DEAL, "--rating", "AAA", "--case", "issuance_ok", "--json", "s.json")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "s.json"]


def test_an_empty_output_path_is_refused_not_read_as_the_current_folder(tmp_path):
    (tmp_path / "keep.txt").write_text("x", encoding="utf-8")
    code, err = cli(tmp_path, "run", "-q", DEAL, "--out", "")
    assert code == 2 and "--out" in err and "empty" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


WRITERS = {
    "run": ["run", "-q", DEAL, "--out", "FS/out"],
    "montecarlo": ["montecarlo", DEAL, "--paths", "2", "--workers", "1", "--out", "FS/out"],
    "stress --json": ["stress", DEAL, "--rating", "AAA", "--case", "issuance_ok", "--json", "FS/out.json"],
    "pool generate": ["pool", "generate", "--scale", "0.01", "--out", "FS/out.parquet"],
}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_a_read_only_file_system_is_a_clear_error(tmp_path, command):
    with tmpfs(tmp_path / "ro", readonly=True) as fs:
        code, err = cli(tmp_path, *[a.replace("FS", str(fs)) for a in WRITERS[command]])
        assert code == 2
        assert "cannot write the output: Read-only file system; nothing was written" in err
        assert str(fs / "out") in err


@pytest.mark.parametrize("command", ["run", "montecarlo", "pool generate"])
def test_a_full_disk_is_a_clear_error_and_leaves_nothing(tmp_path, command):
    with tmpfs(tmp_path / "full", size="96k") as fs:
        code, err = cli(tmp_path, *[a.replace("FS", str(fs)) for a in WRITERS[command]])
        assert code == 2
        assert "cannot write the output: No space left on device; nothing was written" in err
        assert list(fs.iterdir()) == []
