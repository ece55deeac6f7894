"""Compiled loops of the loan-level pool (numba), one module per room that uses them.

Why compiled: the loan-level deal buys about 17 million receivables over its revolving
period, and each is originated, screened, transferred, paid on its due dates and
journaled. As numpy chains every such step is a dozen passes of gathers and scatters
over the same rows; a numba loop reads each row once and does all of it. The kernels
take plain arrays and a ``numpy.random.Generator`` (numba draws from the generator's own
stream, so a run is as reproducible as with numpy), and are cached on disk after their
first compilation (``cache=True``).

The kernels hold no policy: which rows are due, what the behaviour parameters are and
what to do with the results stay in the Python modules that call them.
"""
