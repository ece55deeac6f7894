"""The disclosure rules as data: which events a market's rules make a trustee disclose, the
threshold that makes an event material, the deadline and where each rule comes from.

Why a file per market (``trustsim/disclosure/markets/<market>.yaml``): the exchanges (Shanghai,
Shenzhen) and the interbank market (NAFMII, the PBOC) publish their own rules for interim
(major-event) reports, and a deal is in one market: the one whose business days its
``calendar.business_days`` counts (``exchange``: trading days; ``interbank``: bank working
days). The files cite their sources and mark what the sources do not say as an assumption
(docs/disclosure.md). Strict models: an unknown key, a threshold that does not fit its
event, a citation of a source the file does not list, each is an error naming the field.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import Field, ValidationError, model_validator

from trustsim.config.base import RATING_SCALE, Strict
from trustsim.config.errors import ConfigError

Market = Literal["exchange", "interbank"]
MARKETS: tuple[str, ...] = ("exchange", "interbank")

#: the events a rule can name, each detected from the log (trustsim.disclosure.desk)
EventKind = Literal[
    "acceleration_event",     # a trigger_fired that is not an event of default
    "event_of_default",       # a trigger_fired of kind default
    "missed_payment",         # a payment date leaves a class's interest unpaid
    "cash_flow_shortfall",    # a payment date's cash short of its dues ahead of principal
    "cumulative_loss",        # cumulative defaults beyond a share of the notes
    "rating_downgrade",       # a party's rating lowered
    "party_insolvency",       # a party becomes insolvent
    "replacement_required",   # a party (servicer, trustee) must be replaced
    "successor_appointed",    # a successor servicer or trustee takes office
]
Party = Literal["originator", "servicer", "trustee"]
#: what each event's threshold may (and must) give
THRESHOLD_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # event -> (required, allowed)
    "missed_payment": (frozenset(), frozenset({"min_shortfall_fen"})),
    "cash_flow_shortfall": (frozenset({"pct"}), frozenset({"pct"})),
    "cumulative_loss": (frozenset({"pct", "of"}), frozenset({"pct", "of"})),
    "rating_downgrade": (frozenset(), frozenset({"min_notches"})),
}
#: events about a party: a rule may name the parties it covers
PARTY_EVENTS = frozenset({"rating_downgrade", "party_insolvency", "replacement_required",
                          "successor_appointed"})

RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$",
                              description="the rule's id: lower case, digits, underscores")]


class Source(Strict):
    """A public text a rule rests on."""

    title: str = Field(min_length=1, description="the text's title, as published")
    issuer: str = Field(min_length=1, description="who published it")
    number: str | None = Field(default=None, description="its document number, if any")
    date: str | None = Field(default=None, description="when it was published or took effect")
    url: str | None = Field(default=None, description="where the copy that was read is")
    status: str | None = Field(default=None, description="in force, superseded (by what), ...")
    read: str = Field(min_length=1, description="what of it was read, and what was not")


class Citation(Strict):
    """A rule's source: a key of the file's ``sources`` and the article relied on."""

    ref: str = Field(min_length=1, description="a key of the file's sources")
    article: str = Field(min_length=1, description="the article (条) and item (项), or 'not read'")


class Deadline(Strict):
    """When the notice is due: so many business or calendar days after the event."""

    days: int = Field(ge=0, le=60, description="days after the event date")
    basis: Literal["business", "calendar"] = Field(
        description="business: the market's business days (exchange trading days, interbank "
                    "working days), as the deal's calendar counts them; calendar: every day")


class Threshold(Strict):
    """What makes an event material: each event takes its own fields (THRESHOLD_FIELDS)."""

    pct: Decimal | None = Field(default=None, ge=0, le=100, description="a share, in percent")
    of: Literal["notes_at_issuance", "notes_outstanding"] | None = Field(
        default=None, description="cumulative_loss: the notes' principal the share is of")
    min_notches: int | None = Field(default=None, ge=1, le=len(RATING_SCALE) - 1,
                                    description="rating_downgrade: notches lowered, at least")
    min_shortfall_fen: int | None = Field(
        default=None, ge=0, description="missed_payment: interest unpaid above this many fen")


class Rule(Strict):
    """One major event a notice must disclose."""

    id: RuleId
    event: EventKind
    title: str = Field(min_length=1, description="what the notice discloses (Chinese, English)")
    parties: tuple[Party, ...] | None = Field(
        default=None, description="party events: the parties covered (default: all)")
    threshold: Threshold | None = Field(default=None, description="what makes it material")
    deadline: Deadline
    sources: list[Citation] = Field(min_length=1, description="the articles it rests on")
    assumption: str | None = Field(default=None,
                                   description="what the sources do not say and the rule assumes")

    @model_validator(mode="after")
    def _fits_event(self) -> Rule:
        required, allowed = THRESHOLD_FIELDS.get(self.event, (frozenset(), frozenset()))
        given = set() if self.threshold is None else {
            k for k in Threshold.model_fields if getattr(self.threshold, k) is not None}
        errors = [f"threshold.{k}: not a threshold of event {self.event}"
                  + (f" (it takes {', '.join(sorted(allowed))})" if allowed else " (it takes none)")
                  for k in sorted(given - allowed)]
        errors += [f"threshold.{k}: required for event {self.event}" for k in sorted(required - given)]
        if self.parties is not None and self.event not in PARTY_EVENTS:
            errors.append(f"parties: event {self.event} is not about a party")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def covers(self, party: str) -> bool:
        return self.parties is None or party in self.parties

    def t(self, name: str, default: Any = None) -> Any:
        """A threshold field, or ``default``."""
        value = None if self.threshold is None else getattr(self.threshold, name)
        return default if value is None else value


class RuleSet(Strict):
    """A market's disclosure rules (one ``trustsim/disclosure/markets/<market>.yaml``)."""

    market: Market
    title: str = Field(min_length=1, description="what these rules are")
    sources: dict[str, Source] = Field(min_length=1, description="the texts cited, by key")
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        errors, seen = [], set()
        for i, r in enumerate(self.rules):
            if r.id in seen:
                errors.append(f"rules[{i}] ({r.id}).id: used twice")
            seen.add(r.id)
            for j, c in enumerate(r.sources):
                if c.ref not in self.sources:
                    errors.append(f"rules[{i}] ({r.id}).sources[{j}].ref: no source {c.ref!r} "
                                  f"in sources ({', '.join(sorted(self.sources))})")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


def _where(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic error location as the file has it: ``rules[2] (missed_payment).threshold``."""
    out, node = "", data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if 0 <= part < len(node) else None
            rid = item.get("id") if isinstance(item, dict) else None
            out += f"[{part}]" + (f" ({rid})" if isinstance(rid, str) else "")
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def parse_rules(data: Any, source: str) -> RuleSet:
    """Validate a rules mapping; a :class:`ConfigError` names the file and each field."""
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = _where(tuple(err["loc"]), data)
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}")
        raise ConfigError("\n".join(lines)) from None


#: the bundled rules: package data (``trustsim/disclosure/markets/<market>.yaml``), so an
#: installed ``trustsim`` finds them wherever it runs; the one copy of them
MARKETS_PACKAGE = "trustsim.disclosure"
MARKETS_DIR = "markets"


def rules_dir() -> Traversable:
    """The bundled rules' folder in the installed package (importlib.resources)."""
    return resources.files(MARKETS_PACKAGE) / MARKETS_DIR


def rules_path(market: str) -> Path:
    """The bundled rules file of ``market`` as a path (the package is installed as files)."""
    return Path(str(rules_dir() / f"{market}.yaml"))


def _safe_load(text: str) -> Any:
    """``yaml.safe_load``, parsed by libyaml when PyYAML has it (a tenth of the time: the rules
    are read on every run); a file libyaml refuses is read again by PyYAML, whose words the
    error keeps."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except Exception:  # PyYAML says what is wrong
            pass
    return yaml.safe_load(text)


@lru_cache(maxsize=16)
def _load(path: str) -> RuleSet:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read the disclosure rules ({exc.strerror})") from None
    try:
        data = _safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{p}: not valid YAML ({exc})") from None
    return parse_rules(data, str(p))


def load_rules(path: str | Path) -> RuleSet:
    """A rules file, read and validated once per process (the models are frozen)."""
    return _load(str(Path(path).resolve()))


def market_of(config: Any) -> str | None:
    """The market a resolved deal (config.json, or the deal's model dump) is in: the business
    days its calendar counts; None if it says neither."""
    cal = config.get("calendar") if isinstance(config, dict) else None
    kind = (cal or {}).get("business_days", "interbank") if isinstance(cal or {}, dict) else None
    return kind if kind in MARKETS else None


def rules_for_market(market: str | None) -> RuleSet | None:
    """The bundled rules of ``market`` (package data); None if there is no file for it."""
    return None if market is None else _bundled(market)


@lru_cache(maxsize=8)
def _bundled(market: str) -> RuleSet | None:
    f = rules_dir() / f"{market}.yaml"
    if not f.is_file():
        return None
    source = f"trustsim/disclosure/{MARKETS_DIR}/{market}.yaml"
    try:
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML ({exc})") from None
    return parse_rules(data, source)
