"""``trustsim compile``: compile the loan-level kernels now, so no run waits on them.

The README's install command and CI run it once after ``pip install``; a loan-level run
that finds the cache cold compiles too, but says so first (:mod:`trustsim.pool.precompile`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from trustsim import cli
from trustsim.cli import app, fail
from trustsim.config import ConfigError

#: the bundled loan-level deal (in a source checkout, beside the package)
DEFAULT_DEAL = Path(__file__).resolve().parents[2] / "configs" / "deals" / "dongdao3_2020_1_loans.yaml"


@app.command("compile")
def compile_(
    config: Annotated[Path | None, typer.Argument(
        help="a loan-level deal file (default: the bundled one); it runs at a tiny scale")] = None,
) -> None:
    """Compile the loan-level kernels into numba's cache (once per machine, about 25 s)."""
    from trustsim.config import load_deal
    from trustsim.pool.precompile import cache_dir, ensure_compiled

    path = config or DEFAULT_DEAL
    if config is None and not path.is_file():
        raise fail(f"the bundled deal {path} is not here (an installed copy?): give a loan-level "
                   "deal file, e.g. trustsim compile configs/deals/dongdao3_2020_1_loans.yaml")
    try:
        deal = load_deal(path)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    if deal.pool.kind != "loan_level":
        raise fail(f"{path}: pool.kind: the kernels serve a loan_level pool, not {deal.pool.kind!r}")
    t0 = time.perf_counter()
    seconds = ensure_compiled(deal, announce=lambda m: cli.console.print(m, highlight=False, soft_wrap=True))
    if seconds:
        cli.console.print(f"compiled in {seconds:.1f} s", highlight=False)
    else:
        cli.console.print(f"already compiled ({time.perf_counter() - t0:.1f} s to check; numba's cache: "
                          f"{cache_dir()})", highlight=False, soft_wrap=True)
