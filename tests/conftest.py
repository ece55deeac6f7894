"""Shared fixtures: the bundled deal, and whole runs computed once per test session."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from trustsim.config import DealConfig, load_deal
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[1]
DEAL_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
LOANS_FILE = ROOT / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the loan-level kernels once, announced, before any test does: on a cold cache
    the tests (and the processes they start) would otherwise each compile them as they go."""
    from trustsim.pool.precompile import ensure_compiled

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    ensure_compiled(load_deal(LOANS_FILE), announce=reporter.write_line if reporter else None)


@pytest.fixture(scope="session")
def deal() -> DealConfig:
    return load_deal(DEAL_FILE)


class Run:
    """A finished in-memory run: parties, summary and the parsed event log."""

    def __init__(self, deal: DealConfig) -> None:
        stream = io.BytesIO()
        self.env, self.parties, self.summary = run_deal(deal, stream)
        self.raw = stream.getvalue()
        self.events = [json.loads(line) for line in self.raw.splitlines()]

    def of(self, *names: str) -> list[dict]:
        return [e for e in self.events if e["event"] in names]


@pytest.fixture(scope="session")
def base_run(deal: DealConfig) -> Run:
    return Run(deal)


@pytest.fixture(scope="session")
def stress_run() -> Run:
    return Run(load_deal(DEAL_FILE, ["stress_aaa_series2_fails"]))


SCENARIO_DIR = ROOT / "configs" / "scenarios"
SCENARIOS = sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


@pytest.fixture(scope="session")
def scenario_run():
    """Run a bundled scenario (plus optional overrides) once per session: ``scenario_run(name)``."""
    cache: dict[str, Run] = {}

    def get(name: str, overrides: dict | None = None) -> Run:
        key = f"{name}:{json.dumps(overrides, sort_keys=True, default=str)}"
        if key not in cache:
            cache[key] = Run(load_deal(DEAL_FILE, [name], overrides))
        return cache[key]

    return get


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--refresh-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ from this checkout's runs (on purpose only)")
