"""Compiling the loan-level kernels once per machine, announced, before anyone waits on them.

Why: numba compiles a kernel on its first call and caches the machine code on disk
(``cache=True``, next to the kernels or in ``NUMBA_CACHE_DIR``). On a fresh clone that
first call is the first loan-level run: some 25 s of compiling with the progress bar
frozen at day 0, and every process that starts meanwhile (test workers, Monte Carlo
workers) compiles everything again. So the compiling is done here, once:

* by ``trustsim compile`` (the README's install command and CI run it);
* otherwise by the first loan-level pool built (:func:`trustsim.pool.build_pool`), which
  says so first (:data:`ESTIMATE_S`) instead of freezing;
* under a file lock beside the cache: a second process waits for the first, then loads
  what it compiled;
* by running the deal itself at a tiny scale, so exactly the signatures a run calls are
  compiled (no list of 41 signatures to keep in step with the code).

A stamp file beside numba's cache records what was compiled: the pool's sources, numba's
version, Python's and the target CPU (numba's own cache key). Any change there, or a
removed cache, compiles again.
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from trustsim.atomic import write_bytes_atomic

#: seconds a cold compile took on the 2-core reference machine (numba 0.68, 41 signatures)
ESTIMATE_S = 25
STAMP = "trustsim-kernels.stamp"
LOCK = "trustsim-kernels.lock"
SCALE = 0.002  # the tiny deal that calls every kernel: about 5,700 receivables

_ready = False  # this process has checked (or made) the cache
_busy = False  # this process is compiling: the tiny run's own pool must not start another


def _stderr(message: str) -> None:
    print(f"{message}; `trustsim compile` does it ahead of time", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    """Where numba keeps the kernels' machine code (the stamp and the lock go there too)."""
    from trustsim.pool.kernels import book

    path = getattr(getattr(book.enter, "_cache", None), "_cache_path", None)
    return Path(path) if path else Path(book.__file__).parent / "__pycache__"


def stamp_key() -> str:
    """What the cached code was compiled from: the pool's sources (they fix the kernels and
    the types they are called with), numba's and Python's versions, and the target CPU."""
    import numba
    from numba.core.registry import cpu_target

    h = hashlib.sha256()
    root = Path(__file__).parent
    for src in sorted(root.rglob("*.py")):
        h.update(str(src.relative_to(root)).encode())
        h.update(src.read_bytes())
    h.update(repr((numba.__version__, sys.version, cpu_target.target_context.codegen().magic_tuple())).encode())
    return h.hexdigest()


def is_compiled() -> bool:
    """The kernels' cache holds what this code and this machine need (the stamp's first
    word; the second is the seconds its compile took, for the curious)."""
    try:
        return (cache_dir() / STAMP).read_text(encoding="utf-8").split()[0] == stamp_key()
    except (OSError, IndexError):
        return False


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` across processes (no lock where ``fcntl`` is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: at worst two processes both compile
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def warm_up_deal(deal: Any) -> Any:
    """``deal`` at :data:`SCALE` of full size (or as it is, if smaller still), its tape
    generated (so the generator's kernels compile too) and its journal on."""
    from decimal import Decimal

    from trustsim.config.load import deep_merge, validate_deal
    from trustsim.pool.scaling import scale_overrides

    # scale_overrides shrinks relative to the deal's own scale
    factor = Decimal(str(SCALE)) / Decimal(str(deal.pool.scale))
    overrides = scale_overrides(deal, factor) if factor < 1 else {}
    overrides.setdefault("pool", {}).update(tape=None, journal=True)
    return validate_deal(deep_merge(deal.model_dump(mode="json"), overrides), "the kernels' warm-up deal")


def compile_kernels(deal: Any) -> None:
    """Call every kernel once, with the types a run of ``deal`` uses: its
    :func:`warm_up_deal` run, the log written to memory."""
    import io

    from trustsim.sim.runner import run_deal

    run_deal(warm_up_deal(deal), io.BytesIO())


def ensure_compiled(deal: Any, announce: Callable[[str], None] | None = _stderr) -> float:
    """Compile the kernels for ``deal`` (a loan-level deal) unless the cache already holds
    them; returns the seconds spent compiling (0 if none). ``announce`` hears why a run
    pauses before it does."""
    global _ready, _busy
    if _ready or _busy:
        return 0.0
    if is_compiled():
        _ready = True
        return 0.0
    folder = cache_dir()
    with _locked(folder / LOCK):
        if is_compiled():  # another process compiled them while this one waited
            _ready = True
            return 0.0
        if announce:
            announce(f"compiling the loan-level kernels once, about {ESTIMATE_S} s "
                     f"(numba's cache: {folder})")
        t0 = time.perf_counter()
        _busy = True
        try:
            compile_kernels(deal)
        finally:
            _busy = False
        seconds = time.perf_counter() - t0
        write_bytes_atomic(folder / STAMP, f"{stamp_key()} {seconds:.1f}\n".encode())
    _ready = True
    return seconds
