"""What every benchmark here shares: figures a noisy machine cannot fool.

Why: the reference machine is shared, and a figure timed once, or two timed one after the
other, moves with whatever else runs (one ratio went from 0.76x to 2.90x between two
runs). So the things compared are timed *interleaved* (A B A B ...), a ratio is taken
within each pair and the median of the pairs reported with its spread (min-max); CPU
seconds are printed beside wall seconds (a loaded machine stretches wall time, not CPU
time); and the machine's 1-minute load average is printed with each figure.

Each benchmark prints its figures as it goes and, with ``--json PATH``, writes them as a
list of :class:`Figure` for ``benchmarks/run.py`` to gather into one table.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    """One timing: wall seconds, and CPU seconds (this process's and its reaped children's)."""

    wall: float
    cpu: float


@dataclass
class Figure:
    """A figure for the table: its value, the target and whether it is met (None: no target)."""

    bench: str
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None
    detail: str = ""
    load: float = field(default_factory=lambda: load_average())


def load_average() -> float:
    """The machine's 1-minute load average (how many runnable processes shared the cores)."""
    try:
        return os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on this platform
        return float("nan")


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children already waited for."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def process_cpu(pids: Sequence[int]) -> float:
    """CPU seconds so far of other live processes (Monte Carlo workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def children() -> list[int]:
    """This process's live child processes (Monte Carlo workers), from /proc."""
    me, kids = str(os.getpid()), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[1] == me:
                kids.append(int(stat.parent.name))
        except (OSError, IndexError):
            continue
    return kids


def measure(fn: Callable[[], object]) -> Sample:
    """Time one call of ``fn``."""
    c0, t0 = cpu_seconds(), time.perf_counter()
    fn()
    return Sample(time.perf_counter() - t0, cpu_seconds() - c0)


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[Sample]]:
    """Each of ``fns`` timed ``repeats`` times, in turn (A B A B ...), so a change of load
    falls on all of them alike."""
    out: dict[str, list[Sample]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            out[name].append(measure(fn))
    return out


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], scale: float = 1.0, fmt: str = ".2f") -> str:
    """``median (min-max)`` of ``values`` times ``scale``."""
    return (f"{median(values) * scale:{fmt}} ({min(values) * scale:{fmt}}-"
            f"{max(values) * scale:{fmt}})")


def pair_ratios(a: Sequence[Sample], b: Sequence[Sample], cpu: bool = False) -> list[float]:
    """``a[i] / b[i]`` for each interleaved pair (wall seconds, or CPU seconds)."""
    return [(x.cpu / y.cpu) if cpu else (x.wall / y.wall) for x, y in zip(a, b, strict=True)]


def number(value: float) -> str:
    """Three significant figures, without exponents: 0.642, 3.66, 246, 1,913."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def show(fig: Figure) -> Figure:
    """Print one figure's line (value, target, status, load) and return it."""
    status = "" if fig.ok is None else ("met" if fig.ok else "NOT met")
    target = f"; target {fig.target}: {status}" if fig.target else ""
    print(f"  {fig.name}: {number(fig.value)} {fig.unit}{target}  [{fig.detail}; load {fig.load:.2f}]",
          flush=True)
    return fig


def write_json(path: str | None, figures: Sequence[Figure]) -> None:
    """Write the figures for ``benchmarks/run.py`` (nothing without ``--json``)."""
    if path:
        Path(path).write_text(json.dumps([asdict(f) for f in figures], indent=1))
