"""The golden event logs: which runs are pinned, how each is made, and how it is stored.

A golden log pins the bytes of a run's ``events.jsonl``: its SHA-256, and its first and
last :data:`EDGE` lines so that a failure can show where the log moved. Each case is a
bundled deal with a bundled scenario (or a small loan-level run); nothing here is tuned.
Refresh on purpose with ``python -m pytest tests/functional/test_golden_logs.py
--refresh-golden`` and say in the commit which logs moved and why.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from support.runs import small_loan_deal
from trustsim.config import load_deal
from trustsim.sim.runner import run_deal

ROOT = Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "tests" / "golden"
DEALS = ROOT / "configs" / "deals"
EDGE = 200


def _rep_line(scenario: str | None) -> Callable[[], bytes]:
    def make() -> bytes:
        deal = load_deal(DEALS / "dongdao3_2020_1.yaml", [scenario] if scenario else ())
        return _log(deal)
    return make


def _loan_level_small() -> bytes:
    return _log(small_loan_deal())


def _log(deal) -> bytes:
    stream = io.BytesIO()
    run_deal(deal, stream)
    return stream.getvalue()


#: name -> how its log is made
CASES: dict[str, Callable[[], bytes]] = {
    "base": _rep_line(None),
    "rollover_fails_series2": _rep_line("rollover_fails_series2"),
    "senior_interest_default_event_a": _rep_line("senior_interest_default_event_a"),
    "servicer_insolvency_commingling": _rep_line("servicer_insolvency_commingling"),
    "npl_spike_trigger_e": _rep_line("npl_spike_trigger_e"),
    "loan_level_1pct": _loan_level_small,
}


@dataclass(frozen=True)
class Golden:
    sha256: str
    head: list[str]
    tail: list[str]
    lines: int


def digest(log: bytes) -> Golden:
    lines = log.decode().splitlines()
    return Golden(hashlib.sha256(log).hexdigest(), lines[:EDGE], lines[-EDGE:], len(lines))


def paths(name: str) -> tuple[Path, Path, Path]:
    return (GOLDEN_DIR / f"{name}.sha256", GOLDEN_DIR / f"{name}.head.jsonl",
            GOLDEN_DIR / f"{name}.tail.jsonl")


def store(name: str, log: bytes) -> None:
    g = digest(log)
    sha, head, tail = paths(name)
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    sha.write_text(f"{g.sha256}  {g.lines} lines\n", encoding="utf-8")
    head.write_text("\n".join(g.head) + "\n", encoding="utf-8")
    tail.write_text("\n".join(g.tail) + "\n", encoding="utf-8")


def load(name: str) -> Golden | None:
    sha, head, tail = paths(name)
    if not sha.exists():
        return None
    value, _, rest = sha.read_text(encoding="utf-8").partition("  ")
    return Golden(value.strip(), head.read_text(encoding="utf-8").splitlines(),
                  tail.read_text(encoding="utf-8").splitlines(), int(rest.split()[0]))


def first_difference(expected: Golden, actual: Golden) -> str:
    """Where the log moved: the first differing line of the head or the tail, or the count."""
    for i, (a, b) in enumerate(zip(expected.head, actual.head, strict=False)):
        if a != b:
            return f"line {i + 1} differs:\n  golden: {a}\n  now:    {b}"
    if expected.lines != actual.lines:
        return f"the log has {actual.lines} lines, the golden log {expected.lines} (first {EDGE} agree)"
    offset = actual.lines - len(actual.tail)
    for i, (a, b) in enumerate(zip(expected.tail, actual.tail, strict=False)):
        if a != b:
            return f"line {offset + i + 1} differs:\n  golden: {a}\n  now:    {b}"
    return (f"the first and last {EDGE} lines agree but the SHA-256 differs: a line in between moved "
            "(run both and diff the events.jsonl)")
