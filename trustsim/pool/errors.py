"""The loan-level pool's user-facing errors, in a module that imports nothing heavy.

Why apart: the command line catches them around every run, and importing them from
:mod:`trustsim.pool.generator`, :mod:`trustsim.pool.tape` or :mod:`trustsim.pool.snapshots`
would load numba, llvmlite and pyarrow for a rep-line deal that never needs them. Those
modules re-export them, so either import works.
"""

from __future__ import annotations


class GeneratorError(ValueError):
    """The requested tape cannot be generated (e.g. a scale too small to hold a receivable)."""


class TapeError(ValueError):
    """A tape that cannot be used; the message names the file, row and column."""


class TapeAtError(ValueError):
    """A ``--tape-at`` request the run cannot honour (not a loan-level pool, date out of range)."""
