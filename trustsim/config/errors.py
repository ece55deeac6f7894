"""The configuration's user-facing error, in a module that imports nothing heavy.

Why apart: every command catches it, and the models behind :func:`trustsim.config.load_deal`
take a tenth of a second to build (pydantic), which ``trustsim --help`` should not pay.
"""

from __future__ import annotations


class ConfigError(ValueError):
    """A deal or scenario file is missing, unreadable or invalid."""
