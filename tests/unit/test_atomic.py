"""Outputs are written under a temporary name and renamed: a failure leaves nothing behind."""

import pytest

from trustsim.atomic import atomic_dir, atomic_file, write_bytes_atomic


def test_a_folder_appears_only_when_complete_and_replaces_the_old_one(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    with atomic_dir(out) as tmp:
        (tmp / "new.txt").write_text("new")
        assert not (out / "new.txt").exists()
    assert [p.name for p in out.iterdir()] == ["new.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_a_failed_folder_leaves_nothing_and_keeps_the_old_one(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "kept.txt").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(out) as tmp:
        (tmp / "half.txt").write_text("half")
        raise RuntimeError("crash")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert [p.name for p in out.iterdir()] == ["kept.txt"]


def test_a_failed_file_leaves_nothing(tmp_path):
    with pytest.raises(ValueError), atomic_file(tmp_path / "x.bin") as tmp:
        tmp.write_bytes(b"half")
        raise ValueError("crash")
    assert list(tmp_path.iterdir()) == []
    write_bytes_atomic(tmp_path / "x.bin", b"whole")
    assert (tmp_path / "x.bin").read_bytes() == b"whole"
    assert [p.name for p in tmp_path.iterdir()] == ["x.bin"]
