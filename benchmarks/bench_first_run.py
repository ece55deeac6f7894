"""The first loan-level run on a fresh machine, after the README's install command, against
a warm run.

A fresh clone is stood for by an empty numba cache (``NUMBA_CACHE_DIR`` pointed at a new
folder): nothing is compiled. Then, each a fresh ``trustsim`` process as a user types it:

1. ``trustsim run`` of the loan-level deal straight away, with no compile step: it compiles
   the kernels itself, announced (what the README's command avoids; for reference);
2. a second empty cache: ``trustsim compile`` (the install command's step), timed apart;
3. the first ``trustsim run`` after it, then ``--repeats`` warm runs.

Target (issue 17): the first run after the install command at most 2x a warm run. The
deal runs at ``--scale`` of full size (notes and fees scaled with it) so the table stays
affordable; compiling does not depend on the scale.
Usage: ``python benchmarks/bench_first_run.py [--scale S] [--repeats N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from harness import ROOT, Figure, measure, median, show, spread, write_json

from trustsim.config import load_deal
from trustsim.pool.scaling import scale_overrides

DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"
TRUSTSIM = str(Path(sys.executable).with_name("trustsim"))
TARGET_X = 2.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-first-run-"))
    runs = iter(range(10**6))
    try:
        overlay = work / "scale.yaml"
        overlay.write_text(yaml.safe_dump(scale_overrides(load_deal(DEAL), args.scale)))

        def trustsim(cache: Path, *argv: str) -> None:
            subprocess.run([TRUSTSIM, *argv], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "NUMBA_CACHE_DIR": str(cache)})

        def run(cache: Path) -> None:
            trustsim(cache, "run", str(DEAL), "--scenario", str(overlay), "--quiet",
                     "--out", str(work / f"r{next(runs)}"))

        no_step = measure(lambda: run(work / "cache-a"))
        step = measure(lambda: trustsim(work / "cache-b", "compile"))
        first = measure(lambda: run(work / "cache-b"))
        warm = [measure(lambda: run(work / "cache-b")) for _ in range(args.repeats)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    w = median([s.wall for s in warm])
    print(f"first loan-level run on an empty numba cache (deal at scale {args.scale:g}; "
          f"warm: median (min-max) of {args.repeats}):")
    print(f"  trustsim compile (the install command's step): wall {step.wall:.1f} s, CPU {step.cpu:.1f} s")
    print(f"  warm run: wall {spread([s.wall for s in warm], fmt='.1f')} s, "
          f"CPU {spread([s.cpu for s in warm], fmt='.1f')} s")
    figures = [
        show(Figure("first_run", "first run after the install command / warm run", first.wall / w, "x",
                    f"<= {TARGET_X:g}x", first.wall / w <= TARGET_X,
                    f"first {first.wall:.1f} s wall, {first.cpu:.1f} s CPU; scale {args.scale:g}")),
        show(Figure("first_run", "first run with no compile step / warm run", no_step.wall / w, "x",
                    detail=f"{no_step.wall:.1f} s wall, {no_step.cpu:.1f} s CPU, compiling announced; "
                           f"scale {args.scale:g}")),
        show(Figure("first_run", "trustsim compile", step.wall, "s", detail=f"CPU {step.cpu:.1f} s")),
    ]
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
