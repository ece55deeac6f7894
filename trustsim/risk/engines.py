"""Where many runs execute: this process, a pool of local processes, or a Dask cluster.

Why an engine is only a ``map``: every study cuts its work into independent tasks whose
results depend on their inputs alone (a path's randomness comes from its own seed, never
from which worker ran it or when), and gets the results back in task order. So the
engine — and the number of workers — can change without changing a single figure.

* ``local`` with one worker runs the tasks in this process, one after another;
  with more, in a pool of fresh (spawned) processes, each running the loan-level
  pool's compiled loops on one thread (the processes already share the cores).
* ``dask`` sends them to a ``dask.distributed`` cluster: the one at ``scheduler``
  (``tcp://host:8786``), or a :class:`~distributed.LocalCluster` of ``workers`` processes
  started for the job and closed after it. Workers need trustsim installed (same version).
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any, Protocol, TypeVar

from trustsim.pool.kernels import one_thread
from trustsim.risk.workers import die_with_current_parent, init_worker

T = TypeVar("T")
R = TypeVar("R")
ENGINES = ("local", "dask")


class Engine(Protocol):
    name: str
    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            on_done: Callable[[int], None] | None = None) -> list[R]:
        """``[fn(x) for x in items]``, in order; ``on_done(i)`` as each task finishes."""
        ...

    def close(self) -> None: ...


class LocalEngine:
    """This process (one worker) or a pool of spawned processes."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"),
                                             initializer=init_worker, initargs=(os.getpid(),))
        return self._pool

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            on_done: Callable[[int], None] | None = None) -> list[R]:
        results: list[Any] = [None] * len(items)
        if self.workers == 1:
            for i, item in enumerate(items):
                results[i] = fn(item)
                if on_done:
                    on_done(i)
            return results
        pool = self._executor()
        try:
            pending = {pool.submit(fn, item): i for i, item in enumerate(items)}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = pending.pop(fut)
                    results[i] = fut.result()
                    if on_done:
                        on_done(i)
        except BaseException:  # Ctrl-C, SIGTERM, a failed task: stop the workers now
            self.abort()
            raise
        return results

    def abort(self) -> None:
        """Stop at once: pending tasks cancelled, running workers killed (not waited for)."""
        if self._pool is None:
            return
        procs = list((getattr(self._pool, "_processes", None) or {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            if p.is_alive():
                p.kill()
        for p in procs:
            p.join(timeout=5)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


class DaskEngine:
    """A ``dask.distributed`` client: on the cluster at ``scheduler``, or on a LocalCluster."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise RuntimeError("the dask engine needs dask[distributed] (pip install 'dask[distributed]')") from exc
        import logging

        self._cluster = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="20s")
            except OSError as exc:
                raise ValueError(f"a scheduler at {scheduler!r} cannot be reached ({exc})") from None
        else:
            self._cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                         processes=True, dashboard_address=None,
                                         silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
            self._client.run(one_thread)  # the workers already share the cores
            # the cluster's processes die with this one, even if it is killed outright
            self._client.run(die_with_current_parent, nanny=True)
            self._client.run(die_with_current_parent)
        self.workers = len(self._client.scheduler_info().get("workers", {})) or (workers or 1)

    def map(self, fn: Callable[[T], R], items: Sequence[T],
            on_done: Callable[[int], None] | None = None) -> list[R]:
        from dask.distributed import as_completed

        futures = [self._client.submit(fn, item, pure=False) for item in items]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for fut in as_completed(futures):
            i = index[fut.key]
            results[i] = fut.result()
            fut.release()
            if on_done:
                on_done(i)
        return results

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str = "local", workers: int | None = None, scheduler: str | None = None) -> Engine:
    """An engine by name; a clear error for an unknown name or a bad worker count."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r} (known: {', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if scheduler and name != "dask":
        raise ValueError("a scheduler address needs the dask engine")
    if name == "dask":
        return DaskEngine(workers, scheduler)
    return LocalEngine(workers)


def chunks(n: int, workers: int, per_worker: int = 8, largest: int = 200) -> list[range]:
    """Cut ``range(n)`` into contiguous chunks: about ``per_worker`` per worker, each at most ``largest``."""
    if n <= 0:
        return []
    size = max(1, min(largest, -(-n // (workers * per_worker))))
    return [range(i, min(n, i + size)) for i in range(0, n, size)]
