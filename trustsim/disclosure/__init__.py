"""Major-event (interim) disclosure: the markets' rules as data, the events they name
detected from facts or a run's log, and the notices with their due dates.

* :mod:`.rules` — ``trustsim/disclosure/markets/<market>.yaml`` read into strict models;
* :mod:`.desk` — facts in, notices due out: the trustee's desk and the log's reader;
* :mod:`.notices` — a run folder's notices due, matched with those issued (report, audit).

Nothing here imports the simulator: the audit reads it to recompute what was due.
"""

from __future__ import annotations

from trustsim.disclosure.desk import Desk, Due, LogReader, detect, notes_at_issuance_fen
from trustsim.disclosure.rules import RuleSet, load_rules, market_of, rules_for_market, rules_path

__all__ = ["Desk", "Due", "LogReader", "RuleSet", "detect", "load_rules", "market_of",
           "notes_at_issuance_fen", "rules_for_market", "rules_path"]
