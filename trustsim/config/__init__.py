"""Deal configuration: strict models (:mod:`.models`) and the loader (:mod:`.load`)."""

from trustsim.config.load import ConfigError, deep_merge, legal_maturity, load_deal, validate_deal
from trustsim.config.models import DealConfig

__all__ = ["ConfigError", "DealConfig", "deep_merge", "legal_maturity", "load_deal", "validate_deal"]
