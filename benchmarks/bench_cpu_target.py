"""Does compiling the kernels for a generic CPU cost anything? Host CPU against ``generic``.

Why it matters: numba keys its cache by the CPU it compiled for, so machine code built for
this CPU is useless on another (a CI cache restored elsewhere, a container image, a moved
VM), while code built for ``generic`` x86-64 runs anywhere. The loan-level loops are bound
by memory, not arithmetic, so the wider vector instructions a host target allows should
buy little; this measures it.

The loan-level benchmark (``bench_loan_level``) runs in a fresh process per target,
interleaved (host, generic, host, generic, ...), each target with its own numba cache
(compiled before timing). Compared within each pair: the deal's ratio to the numpy floor
(the floor does not depend on the target, so it cancels the machine's load) and its CPU
seconds. Usage: ``python benchmarks/bench_cpu_target.py [--scale S] [--repeats N] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import Figure, median, show, spread, write_json

HERE = Path(__file__).resolve().parent
TARGETS = {"host": {}, "generic": {"NUMBA_CPU_NAME": "generic"}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=0.25)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-cpu-target-"))
    got: dict[str, list[dict]] = {t: [] for t in TARGETS}
    try:
        for _ in range(args.repeats):
            for target, env in TARGETS.items():
                out = work / f"{target}.json"
                subprocess.run([sys.executable, str(HERE / "bench_loan_level.py"), "--scale", str(args.scale),
                                "--repeats", "1", "--json", str(out)], check=True, stdout=subprocess.DEVNULL,
                               env={**os.environ, **env, "NUMBA_CACHE_DIR": str(work / f"cache-{target}")})
                got[target].append({f["name"]: f for f in json.loads(out.read_text())})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    to_floor = [g["deal life / numpy floor"]["value"] / h["deal life / numpy floor"]["value"]
                for h, g in zip(got["host"], got["generic"], strict=True)]
    cpu = [g["deal life, CPU"]["value"] / h["deal life, CPU"]["value"]
           for h, g in zip(got["host"], got["generic"], strict=True)]
    wall = {t: [r["deal life"]["value"] for r in got[t]] for t in TARGETS}
    print(f"kernels compiled for the host CPU or for a generic one (loan-level deal at scale {args.scale:g}, "
          f"{args.repeats} interleaved pairs, median (min-max)):")
    print(f"  deal life: host {spread(wall['host'], fmt='.2f')} s, generic {spread(wall['generic'], fmt='.2f')} s "
          f"(wall)")
    fig = show(Figure("cpu_target", "generic / host CPU target (deal life to floor)", median(to_floor), "x",
                      detail=f"pairs {spread(to_floor, fmt='.3f')}; in CPU seconds {spread(cpu, fmt='.3f')}; "
                             f"scale {args.scale:g}"))
    write_json(args.json, [fig])


if __name__ == "__main__":
    main()
