"""A study that would not fit in memory is refused before it starts, naming the flag, the estimate
and the limit — ``--paths 10**12`` grew to gigabytes in seconds, without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from trustsim.risk import budget
from trustsim.risk.budget import StudyTooLarge, check_fits, deep_size
from trustsim.risk.credit import load_credit
from trustsim.risk.montecarlo import check_study, path_bytes
from trustsim.risk.operational import load_operational
from trustsim.risk.paths import Chunk, Study, run_chunk

ROOT = Path(__file__).resolve().parents[2]
MC = ROOT / "configs" / "montecarlo"
GB = 1024**3


@pytest.fixture(scope="module")
def study(deal) -> Study:
    return Study(deal, load_credit(MC / "credit.yaml"), load_operational(MC / "operational.yaml", deal), 11)


def test_the_message_names_the_flag_the_estimate_the_limit_and_what_fits():
    with pytest.raises(StudyTooLarge) as err:
        check_fits("--paths", 1_000, "paths", 4_096, "its row", available=2 * 1024**2)
    assert str(err.value) == (
        "--paths: 1,000 paths would keep about 3.9 MB of results in memory (4.0 KB each: its row), more than "
        "the 1.0 MB a study may use (50% of the 2.0 MB available now); at most 256 paths fit - ask for fewer")


def test_a_study_within_half_the_available_memory_goes_ahead():
    check_fits("--paths", 256, "paths", 4_096, "its row", available=2 * 1024**2)


def test_a_trillion_paths_are_refused_before_any_path_runs(study, monkeypatch):
    monkeypatch.setattr(budget, "available_memory", lambda: 8 * GB)
    with pytest.raises(StudyTooLarge, match=r"^--paths: 1,000,000,000,000 is more than 100,000,000$"):
        check_study(study, 10**12)
    with pytest.raises(StudyTooLarge) as err:
        check_study(study, 10**8)
    fit = 4 * GB // path_bytes(study)
    assert str(err.value).startswith("--paths: 100,000,000 paths would keep about ")
    assert f"(50% of the 8.0 GB available now); at most {fit:,} paths fit" in str(err.value)
    check_study(study, fit)


def test_the_estimate_covers_what_a_real_path_keeps(study):
    rows = run_chunk(Chunk(study, 0, 3))
    kept = max(deep_size(row) + deep_size(contributions) for row, contributions in rows)
    assert kept <= path_bytes(study) <= 4 * kept


def test_the_memory_available_is_read_from_the_system():
    available = budget.available_memory()
    assert available is not None and available > 0
