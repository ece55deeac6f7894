"""The command line's own cost: ``trustsim --help``, and a rep-line ``trustsim run`` end to end
beside the simulation it runs.

Each command runs as a user runs it (a fresh ``trustsim`` process, its run folder written to
disk), interleaved with the in-process simulation of the same deal (the log written to
memory, as ``bench_rep_line`` times it) and with a bare ``python -c pass`` (the interpreter's
own start, which no change here can remove). Targets (issue 17): ``--help`` at most 150 ms;
``run`` at most 3x the simulation's own time.

Where the rest goes, timed in the same rounds: the imports a quiet rep-line run makes, in a
fresh interpreter (the libraries alone — typer, pydantic, PyYAML, SimPy, orjson,
chinesecalendar — and then with trustsim's own modules), and ``run`` as a user types it, with
its progress bar and table (rich).
``--baseline DIR`` times another checkout's commands too, interleaved with these (before and
after figures of a change; its ``trustsim`` is imported from DIR), and its own simulation of
the deal (a process that runs the deal once to warm up, then reports the second run's time):
the baseline's ratio is to its own simulation, which a change may have made faster or slower.

Both checkouts' modules are byte-compiled first (``compileall``): a user's install writes
them on its first run, while a fresh checkout, or ``PYTHONDONTWRITEBYTECODE`` (set on the
reference machine), would have every start compile trustsim's sources again (~50 ms).
Usage: ``python benchmarks/bench_cli.py [--repeats N] [--baseline DIR] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import ROOT, Figure, Sample, interleaved, median, pair_ratios, show, spread, write_json

from trustsim.config import load_deal
from trustsim.sim.runner import run_deal

DEAL = ROOT / "configs" / "deals" / "dongdao3_2020_1.yaml"
TRUSTSIM = str(Path(sys.executable).with_name("trustsim"))
HELP_TARGET_S, RUN_TARGET_X = 0.150, 3.0
ENTRY = "import sys; sys.argv[0] = 'trustsim'; from trustsim.cli import main; main()"
#: what a quiet rep-line run imports: the libraries, then with trustsim's own modules
LIBRARIES = ("import typer, yaml, simpy, orjson, chinese_calendar, pydantic.main, pydantic.types; "
             "from pydantic import TypeAdapter")
RUN_IMPORTS = f"{LIBRARIES}; import trustsim.cli.deal, trustsim.config.load, trustsim.sim.runner"
#: a checkout's own simulation of the deal, warm, timed inside a process of its own
SIMULATION = ("import io, sys, time; from trustsim.config import load_deal; from trustsim.sim.runner import run_deal; "
              "d = load_deal(sys.argv[1]); run_deal(d, io.BytesIO()); w, c = time.perf_counter(), time.process_time(); "
              "run_deal(d, io.BytesIO()); print(time.perf_counter() - w, time.process_time() - c)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout to time beside this one")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    for checkout in (ROOT, args.baseline):
        if checkout is not None:
            compileall.compile_dir(checkout / "trustsim", quiet=1)
    deal = load_deal(DEAL)
    run_deal(deal, io.BytesIO())  # warm this process's caches
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    counter = iter(range(10**6))

    def cli(*argv: str, checkout: Path | None = None) -> None:
        if checkout is None:
            subprocess.run([TRUSTSIM, *argv], check=True, stdout=subprocess.DEVNULL)
        else:  # the same entry point, imported from the other checkout
            subprocess.run([sys.executable, "-c", ENTRY, *argv], check=True, stdout=subprocess.DEVNULL,
                           cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)})

    def cli_run(checkout: Path | None = None, quiet: bool = True) -> None:
        deal_file = DEAL if checkout is None else checkout / DEAL.relative_to(ROOT)  # each reads its own
        cli("run", str(deal_file), *(["--quiet"] if quiet else []), "--out", str(work / f"run{next(counter)}"),
            checkout=checkout)

    def python(code: str) -> None:
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

    fns = {"python": lambda: python("pass"),
           "help": lambda: cli("--help"),
           "run": cli_run,
           "simulation": lambda: run_deal(deal, io.BytesIO()),
           "libraries": lambda: python(LIBRARIES),
           "imports": lambda: python(RUN_IMPORTS),
           "run, not quiet": lambda: cli_run(quiet=False)}
    base_sim: list[Sample] = []

    def baseline_simulation() -> None:
        done = subprocess.run([sys.executable, "-c", SIMULATION, str(args.baseline / DEAL.relative_to(ROOT))],
                              check=True, capture_output=True, text=True, cwd=args.baseline,
                              env={**os.environ, "PYTHONPATH": str(args.baseline)})
        base_sim.append(Sample(*map(float, done.stdout.split())))

    if args.baseline:
        fns["baseline help"] = lambda: cli("--help", checkout=args.baseline)
        fns["baseline run"] = lambda: cli_run(args.baseline)
        fns["baseline simulation"] = baseline_simulation
    try:
        cli_run()  # the OS's file cache warm for both
        t = interleaved(fns, args.repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    wall = {k: [s.wall for s in v] for k, v in t.items()}
    cpu = {k: [s.cpu for s in v] for k, v in t.items()}
    ratios = pair_ratios(t["run"], t["simulation"])
    cpu_ratios = pair_ratios(t["run"], t["simulation"], cpu=True)
    print(f"command line, {args.repeats} interleaved repeats (median (min-max)):")
    figures = [
        show(Figure("cli", "trustsim --help", median(wall["help"]) * 1000, "ms",
                    f"<= {HELP_TARGET_S * 1000:.0f} ms", median(wall["help"]) <= HELP_TARGET_S,
                    f"wall {spread(wall['help'], 1000, '.0f')} ms, CPU {spread(cpu['help'], 1000, '.0f')} ms; "
                    f"python -c pass {spread(wall['python'], 1000, '.0f')} ms")),
        show(Figure("cli", "trustsim run (rep-line) / simulation", median(ratios), "x",
                    f"<= {RUN_TARGET_X:g}x", median(ratios) <= RUN_TARGET_X,
                    f"run {spread(wall['run'], 1000, '.0f')} ms wall, {spread(cpu['run'], 1000, '.0f')} ms CPU; "
                    f"simulation {spread(wall['simulation'], 1000, '.0f')} ms wall; ratio {spread(ratios)}, "
                    f"in CPU {spread(cpu_ratios)}")),
        show(Figure("cli", "imports of a quiet rep-line run, fresh interpreter", median(wall["imports"]) * 1000,
                    "ms", detail=f"wall {spread(wall['imports'], 1000, '.0f')} ms, CPU "
                                 f"{spread(cpu['imports'], 1000, '.0f')} ms; of which the libraries alone "
                                 f"(typer, pydantic, PyYAML, SimPy, orjson, chinesecalendar) wall "
                                 f"{spread(wall['libraries'], 1000, '.0f')} ms, CPU "
                                 f"{spread(cpu['libraries'], 1000, '.0f')} ms")),
        show(Figure("cli", "trustsim run, progress bar and table / simulation",
                    median(pair_ratios(t["run, not quiet"], t["simulation"])), "x",
                    detail=f"run {spread(wall['run, not quiet'], 1000, '.0f')} ms wall, "
                           f"{spread(cpu['run, not quiet'], 1000, '.0f')} ms CPU")),
    ]
    if args.baseline:
        base_ratios = pair_ratios(t["baseline run"], base_sim)
        figures += [
            show(Figure("cli", "baseline: trustsim --help", median(wall["baseline help"]) * 1000, "ms",
                        detail=f"{args.baseline}; wall {spread(wall['baseline help'], 1000, '.0f')} ms, "
                               f"CPU {spread(cpu['baseline help'], 1000, '.0f')} ms")),
            show(Figure("cli", "baseline: trustsim run (rep-line) / simulation", median(base_ratios), "x",
                        detail=f"run {spread(wall['baseline run'], 1000, '.0f')} ms wall, "
                               f"{spread(cpu['baseline run'], 1000, '.0f')} ms CPU; its simulation "
                               f"{spread([s.wall for s in base_sim], 1000, '.0f')} ms wall, "
                               f"{spread([s.cpu for s in base_sim], 1000, '.0f')} ms CPU; ratio in CPU "
                               f"{spread(pair_ratios(t['baseline run'], base_sim, cpu=True))}")),
        ]
    write_json(args.json, figures)


if __name__ == "__main__":
    main()
