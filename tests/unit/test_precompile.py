"""The loan-level kernels compile once per machine, announced, never twice at once (issue 17)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import DEAL_FILE, LOANS_FILE, ROOT
from typer.testing import CliRunner

from trustsim.cli import app
from trustsim.config import load_deal
from trustsim.pool import precompile
from trustsim.pool.scaling import scale_overrides


def test_the_session_left_the_kernels_compiled_and_stamped():
    """conftest compiled them at session start: the stamp beside numba's cache names this
    code, this numba and this CPU, with the seconds that took."""
    stamp = (precompile.cache_dir() / precompile.STAMP).read_text().split()
    assert stamp[0] == precompile.stamp_key()
    assert float(stamp[1]) >= 0
    assert precompile.is_compiled()


def test_a_stamp_for_other_sources_means_not_compiled(tmp_path, monkeypatch):
    monkeypatch.setattr(precompile, "cache_dir", lambda: tmp_path)
    assert not precompile.is_compiled()  # no stamp
    (tmp_path / precompile.STAMP).write_text("0" * 64 + " 25.0\n")
    assert not precompile.is_compiled()
    (tmp_path / precompile.STAMP).write_text(precompile.stamp_key() + " 25.0\n")
    assert precompile.is_compiled()


# Two processes meet a cold cache at once; compiling is replaced by a 1-second sleep that
# leaves a line in a log, so the test sees who compiled without paying the real 25 s.
_RACER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from trustsim.pool import precompile
    folder = Path(sys.argv[1])
    precompile.cache_dir = lambda: folder
    def fake_compile(deal):
        with open(folder / "compiled.log", "a") as fh:
            fh.write("compiled\\n")
        time.sleep(1.0)
    precompile.compile_kernels = fake_compile
    seconds = precompile.ensure_compiled(None, announce=lambda m: print("ANNOUNCED", m))
    print("SECONDS", seconds)
""")


def test_two_processes_on_a_cold_cache_compile_once(tmp_path):
    racers = [subprocess.Popen([sys.executable, "-c", _RACER, str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [r.communicate(timeout=120)[0] for r in racers]
    assert [r.returncode for r in racers] == [0, 0]
    assert (tmp_path / "compiled.log").read_text() == "compiled\n"
    announced = [o for o in outs if "ANNOUNCED compiling the loan-level kernels once, about 25 s" in o]
    assert len(announced) == 1  # the one that compiled said so; the other waited and loaded
    assert sum("SECONDS 0.0" in o for o in outs) == 1


def test_compile_command_says_the_kernels_are_already_compiled():
    result = CliRunner().invoke(app, ["compile", str(LOANS_FILE)])
    assert result.exit_code == 0, result.output
    assert "already compiled" in result.output


def test_compile_command_refuses_a_rep_line_deal():
    result = CliRunner().invoke(app, ["compile", str(DEAL_FILE)])
    assert result.exit_code == 2
    assert "pool.kind: the kernels serve a loan_level pool, not 'rep_line'" in result.output


def test_compile_command_names_a_missing_deal_file(tmp_path):
    result = CliRunner().invoke(app, ["compile", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere.yaml'}: file not found" in result.output


def test_the_kernels_default_deal_is_the_bundled_loan_level_one():
    from trustsim.cli.kernels import DEFAULT_DEAL

    assert Path(LOANS_FILE) == DEFAULT_DEAL


@pytest.mark.parametrize(("scale", "expected"), [(1.0, "0.002"), (0.01, "0.002"), (0.001, "0.001")])
def test_the_warm_up_deal_is_the_deal_at_a_tiny_scale_with_its_tape_generated(scale, expected):
    """Scaling is relative to the deal's own scale: a deal already scaled down is not
    shrunk again below what a tape can hold."""
    base = load_deal(LOANS_FILE)
    deal = load_deal(LOANS_FILE, overrides=scale_overrides(base, scale) if scale != 1.0 else None)
    tiny = precompile.warm_up_deal(deal)
    assert Decimal(str(tiny.pool.scale)) == Decimal(expected)
    assert tiny.pool.tape is None and tiny.pool.journal
    assert [c.size_wan for c in tiny.classes] == [c.size_wan * Decimal(expected) for c in base.classes]


def test_the_warm_up_runs_for_a_deal_already_scaled_down():
    """A benchmark's or test's small deal meeting a cold cache compiles through its own tiny run."""
    base = load_deal(LOANS_FILE)
    precompile.compile_kernels(load_deal(LOANS_FILE, overrides=scale_overrides(base, 0.002)))
