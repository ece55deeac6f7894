"""Outputs are written under a temporary name and renamed: a failure leaves nothing behind,
and nothing trustsim did not write is ever deleted or replaced."""

import json
import os
import subprocess
import sys

import pytest

from trustsim.atomic import (
    MARKER,
    OutputError,
    atomic_dir,
    atomic_file,
    folder_kind,
    remove_stale_temporaries,
    write_bytes_atomic,
    write_json_output,
)


def test_a_folder_appears_only_when_complete_and_replaces_an_earlier_output_of_its_kind(tmp_path):
    out = tmp_path / "run"
    with atomic_dir(out, "run") as tmp:
        (tmp / "old.txt").write_text("old")
    with atomic_dir(out, "run") as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (out / "new.txt").exists()
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "new.txt"]
    assert folder_kind(out) == "run"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_users_folder_is_never_deleted(tmp_path):
    out = tmp_path / "mywork"
    out.mkdir()
    (out / "thesis.txt").write_text("work")
    with pytest.raises(OutputError, match=r"--out .*mywork: the folder exists and was not written "
                                          r"by trustsim \(it holds thesis.txt\)"), \
            atomic_dir(out, "run", "--out"):
        pytest.fail("the body must not run")
    assert (out / "thesis.txt").read_text() == "work"
    assert [p.name for p in tmp_path.iterdir()] == ["mywork"]


def test_a_users_file_is_never_replaced_by_a_folder_or_a_file(tmp_path):
    target = tmp_path / "notes.json"
    target.write_text('{"mine": true}')
    with pytest.raises(OutputError, match="exists and is not a folder"), atomic_dir(target, "run"):
        pass
    with pytest.raises(OutputError, match="not an earlier trustsim stress output"):
        write_json_output(target, "stress", {"results": []})
    assert target.read_text() == '{"mine": true}'


def test_an_output_of_another_kind_is_not_replaced(tmp_path):
    out = tmp_path / "study"
    with atomic_dir(out, "montecarlo") as tmp:
        (tmp / "summary.json").write_text("{}")
    with pytest.raises(OutputError, match="holds a trustsim montecarlo output, not a run"), \
            atomic_dir(out, "run"):
        pass
    assert (out / "summary.json").exists()


def test_an_empty_folder_may_receive_the_output(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    with atomic_dir(out, "run") as tmp:
        (tmp / "x").write_text("x")
    assert (out / "x").read_text() == "x"


def test_a_json_output_replaces_only_an_earlier_one_of_its_kind(tmp_path):
    path = tmp_path / "stress.json"
    write_json_output(path, "stress", {"results": [1]})
    write_json_output(path, "stress", {"results": [2]})
    doc = json.loads(path.read_text())
    assert doc == {"trustsim": {"kind": "stress", "writer": "trustsim"}, "results": [2]}
    with pytest.raises(OutputError):
        write_json_output(path, "audit", {})


def test_a_failed_folder_leaves_nothing_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "run"
    with atomic_dir(out, "run") as tmp:
        (tmp / "kept.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(out, "run") as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("crash")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "kept.txt"]


def test_a_failed_file_leaves_nothing(tmp_path):
    with pytest.raises(ValueError), atomic_file(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("crash")
    assert list(tmp_path.iterdir()) == []
    write_bytes_atomic(tmp_path / "x.bin", b"whole")
    assert (tmp_path / "x.bin").read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]


def test_an_empty_path_is_refused():
    with pytest.raises(OutputError, match="--out: is empty"), atomic_dir("", "run", "--out"):
        pass


def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def test_a_killed_writers_temporaries_are_removed_by_the_next_write(tmp_path):
    out = tmp_path / "run"
    dead = _dead_pid()
    stale = tmp_path / f".run.tmp-{dead}-0123abcd"
    stale.mkdir()
    (stale / MARKER).write_text('{"kind": "run"}')
    stale_file = tmp_path / f".run.tmp-{dead}-89abcdef"
    stale_file.write_text("half")
    live = tmp_path / f".run.tmp-{os.getpid()}-00000000"   # a writer still running: kept
    live.mkdir()
    (live / MARKER).write_text('{"kind": "run"}')
    lookalike = tmp_path / f".run.tmp-{dead}-fedcba98"    # no marker and not empty: not provably ours
    lookalike.mkdir()
    (lookalike / "something.txt").write_text("?")
    unmarked_empty = tmp_path / f".run.tmp-{dead}-0000abcd"   # killed before marking: nothing to lose
    unmarked_empty.mkdir()
    probe = tmp_path / f".run.probe-{dead}-1111abcd"          # killed while probing the target
    probe.mkdir()
    with atomic_dir(out, "run") as tmp:
        (tmp / "x").write_text("x")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["run", live.name, lookalike.name])
    assert remove_stale_temporaries(out) == []


def test_once_asked_to_stop_no_output_is_put_in_place(tmp_path, monkeypatch):
    """A SIGTERM whose exception Python swallowed (in a finalizer) still stops the output."""
    import trustsim.atomic as atomic

    monkeypatch.setattr(atomic, "_stop_signal", 15)
    with pytest.raises(SystemExit) as stopped, atomic_dir(tmp_path / "run", "run") as tmp:
        (tmp / "x").write_text("x")
    assert stopped.value.code == 143
    assert list(tmp_path.iterdir()) == []


def test_a_users_file_put_inside_an_earlier_output_is_not_deleted_by_the_rerun(tmp_path):
    out = tmp_path / "run"
    with atomic_dir(out, "run") as tmp:
        (tmp / "events.jsonl").write_text("old")
        (tmp / "plots").mkdir()
        (tmp / "plots" / "a.png").write_text("png")
    (out / "my_notes.txt").write_text("precious")
    (out / "mysub").mkdir()
    with pytest.raises(OutputError, match=r"also holds what trustsim did not write there "
                                          r"\(my_notes.txt, mysub\)"), atomic_dir(out, "run"):
        pass
    assert (out / "my_notes.txt").read_text() == "precious" and (out / "mysub").is_dir()


def test_trustsim_outputs_nested_in_an_earlier_output_go_with_it(tmp_path):
    out = tmp_path / "run"
    with atomic_dir(out, "run") as tmp:
        (tmp / "events.jsonl").write_text("old")
    with atomic_dir(out / "report", "report") as tmp:   # trustsim report RUN writes RUN/report
        (tmp / "report.html").write_text("<html>")
    write_json_output(out / "audit.json", "audit", {"passed": True})
    with atomic_dir(out, "run") as tmp:
        (tmp / "events.jsonl").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "events.jsonl"]


def test_a_hand_made_marker_does_not_make_a_folder_trustsims(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / MARKER).write_text('{"kind": "run"}')
    (out / "a.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"\(a.txt\)"), atomic_dir(out, "run"):
        pass
    assert (out / "a.txt").exists()


def test_the_current_folder_is_not_replaced_from_inside(tmp_path, monkeypatch):
    out = tmp_path / "run"
    with atomic_dir(out, "run") as tmp:
        (tmp / "x").write_text("x")
    monkeypatch.chdir(out)
    with pytest.raises(OutputError, match="is the current folder or holds it"), atomic_dir(".", "run"):
        pass
