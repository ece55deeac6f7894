"""trustsim: an event-driven simulator of how a securitization trust is administered.

The public entry point is :func:`trustsim.sim.runner.simulate`; the command line is
``trustsim`` (see :mod:`trustsim.cli`).
"""

__version__ = "0.1.0"
