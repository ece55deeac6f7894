"""Bounds on what a config may state, in a module that imports nothing heavy.

Why apart: the command line's flags carry some of them (``--seed`` up to :data:`MAX_SEED`),
and ``trustsim --help`` should not load pydantic to read a number. :mod:`.base` re-exports them.
"""

#: the largest amount of money a config may state: 10 trillion CNY, a thousand times the bundled
#: deal. Even that amount moved every day for twenty years (7.3e18 fen) stays inside int64 fen
#: (9.2e18), which the log, the loan book's arrays and Parquet use.
MAX_FEN = 10**15
#: seeds are logged and stored as signed 64-bit integers; numpy's SeedSequence takes any of them
MAX_SEED = 2**63 - 1
#: bounds on spans of time: far beyond any contract's, small enough that no date leaves the calendar's reach
MAX_BUSINESS_DAYS = 250   # about a year
MAX_DAYS = 3660           # about ten years
MAX_MONTHS = 240          # twenty years
