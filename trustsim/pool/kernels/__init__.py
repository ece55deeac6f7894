"""Compiled loops of the loan-level pool (numba), one module per room that uses them.

Why compiled: the loan-level deal buys about 17 million receivables over its revolving
period, and each is originated, screened, transferred, paid on its due dates and
journaled. As numpy chains every such step is a dozen passes of gathers and scatters
over the same rows; a numba loop reads each row once and does all of it. The kernels
take plain arrays and draw either from a ``numpy.random.Generator`` (numba draws from the
generator's own stream) or, in the loan book, from a counter-based function of a seed,
the receivable and the day (:func:`trustsim.pool.kernels.book.uniform`); they are cached
on disk after their first compilation (``cache=True``). The loops over many rows run in parallel chunks on
numba's threads (one unless ``NUMBA_NUM_THREADS`` is set: see :func:`default_threads`);
every draw is a function of the receivable and the day, so a run gives the same figures
on any number of threads.

The kernels hold no policy: which rows are due, what the behaviour parameters are and
what to do with the results stay in the Python modules that call them.
"""

import os
import sys

# Threads that wait for the next parallel loop sleep rather than spin: a spinning thread
# steals the core another process (a Monte Carlo worker, say) needs.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def default_threads() -> None:
    """One thread unless ``NUMBA_NUM_THREADS`` says otherwise. Why: the loops are bound by
    memory, not arithmetic; on the 2-core reference machine two threads ran the full-scale
    deal in 9.8 s against 7.9 s on one (7.6 s with ``OMP_WAIT_POLICY=ACTIVE``, whose
    spinning threads starve other processes), so parallel chunks are there for machines
    with the bandwidth to use them, not the default."""
    if "NUMBA_NUM_THREADS" not in os.environ:
        import numba

        numba.set_num_threads(1)


def one_thread() -> None:
    """Run the compiled loops on one thread: for worker processes that already share the
    machine's cores among themselves (results do not depend on it). Without loading numba
    if it is not loaded yet: a worker running rep-line paths never needs it."""
    if "numba" in sys.modules:
        import numba

        numba.set_num_threads(1)
    else:
        os.environ["NUMBA_NUM_THREADS"] = "1"  # read by numba when (if) it loads
