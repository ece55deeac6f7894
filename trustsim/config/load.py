"""Reading deal files and scenario overlays, with errors a user can act on.

Every failure is a :class:`ConfigError` whose lines read ``file: a.b.c: message`` — the
file, the dotted path of the field, and what was expected — so a user can go straight
to the line. A scenario is a YAML overlay deep-merged onto the deal (mappings merge,
lists and scalars replace), then the merged whole is validated once.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from trustsim.calendar import BusinessCalendar, CalendarRangeError, add_months
from trustsim.config.calendar import resolve_holiday_file
from trustsim.config.errors import ConfigError
from trustsim.config.models import DealConfig

#: deepest nesting a config file may have (the bundled deal needs 5; Python's parser recurses)
MAX_DEPTH = 64
#: most values a config file may hold once its aliases are expanded (the bundled deal has ~400)
MAX_VALUES = 100_000


class _StrictConstruction:
    """What the strict loaders build differently from PyYAML's safe constructor: a key given
    twice in one mapping (PyYAML keeps the last value) and a date that does not exist are
    errors that name the line."""

    def construct_yaml_timestamp(self, node):
        """A date that does not exist (2020-13-18, 2020-02-30) names its line, not a traceback."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a date ({exc})", node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    line = first.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:  # an unhashable key: PyYAML's own error follows
                    continue
                if line != key_node.start_mark.line + 1:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r} (first given on line {line}); "
                        "a key may appear once in a mapping", key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_StrictConstruction, yaml.SafeLoader):
    """PyYAML's safe loader, refusing what it would otherwise accept in silence.

    A key given twice in one mapping (PyYAML keeps the last value), and nesting deep
    enough to exhaust Python's recursion (a ``RecursionError`` traceback) are errors that
    name the line.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_yaml_timestamp)

try:  # libyaml's parser, when PyYAML was built with it
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - every wheel of PyYAML we install has it
    _FastLoader: type | None = None
else:
    class _CStrictLoader(_StrictConstruction, CParser, yaml.constructor.SafeConstructor,
                         yaml.resolver.Resolver):
        """:class:`_StrictLoader`'s twin that parses with libyaml (a tenth of the time: 2 ms
        for a deal file instead of 16) and builds with the same constructor."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _CStrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _CStrictLoader.construct_yaml_timestamp)
    _FastLoader = _CStrictLoader


def _within_depth(data: Any, limit: int = MAX_DEPTH, budget: int = MAX_VALUES) -> bool:
    """Whether ``data`` nests at most ``limit`` levels (a value inside the top mapping is at
    level 2, as :class:`_StrictLoader` counts nodes); False also past ``budget`` values."""
    stack = [(data, 1)]
    while stack:
        x, depth = stack.pop()
        budget -= 1
        if depth > limit or budget < 0:
            return False
        if isinstance(x, dict):
            stack.extend((v, depth + 1) for v in x.values())
        elif isinstance(x, list):
            stack.extend((v, depth + 1) for v in x)
    return True


def _parse_yaml(text: str) -> Any:
    """The text's data as :class:`_StrictLoader` reads it.

    Why two loaders: PyYAML's own parser, in Python, takes 16 ms over a deal file, a sixth
    of a rep-line simulation; libyaml's takes 2. A file libyaml reads within the depth limit
    is returned as read (the constructor, and so every value, is the same). Anything else —
    an error, nesting past the limit, a file too large to check — is read again by
    :class:`_StrictLoader`, so that what the user sees is its message, word for word.
    """
    if _FastLoader is not None:
        try:
            data = yaml.load(text, Loader=_FastLoader)
        except Exception:  # the strict loader says what is wrong, in its words
            pass
        else:
            if _within_depth(data):
                return data
    return yaml.load(text, Loader=_StrictLoader)


def _count_values(data: Any, limit: int) -> int:
    """How many values ``data`` holds, counting a shared (aliased) value each time; stops past ``limit``."""
    n, stack = 0, [data]
    while stack and n <= limit:
        x = stack.pop()
        n += 1
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return n


def _read_yaml(path: Path) -> dict[str, Any]:
    """A config file's top-level mapping; every way it can be unreadable is a ConfigError."""
    if not path.is_file():
        raise ConfigError(f"{path}: file not found")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset "
                          f"{exc.start}); save the file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "?"
        raise ConfigError(f"{path}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: (top level): expected a mapping of sections")
    if _count_values(data, MAX_VALUES) > MAX_VALUES:
        raise ConfigError(f"{path}: (top level): more than {MAX_VALUES:,} values once its aliases "
                          "are expanded; a config file is far smaller")
    return data


#: keys of which a mapping holds one: an overlay giving one of them replaces the others
#: (a monthly amortization schedule over one in business days, a pool of another kind)
ALTERNATIVES = (
    frozenset({"every_business_days", "every_months"}),
    frozenset({"calculation_dates", "every_n_calculation_dates"}),
)


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Overlay onto base: mappings merge key by key; lists of named items (classes, fees,
    triggers: mappings with a ``name``) merge item by item, a new name appended; anything
    else replaces. So a scenario says ``classes: [{name: senior, coupon_pct: 4.00}]``.

    A mapping that is one of several shapes takes the overlay's shape: a key of
    :data:`ALTERNATIVES` drops its alternatives, and a different ``kind`` (a pool, a
    trigger) replaces the whole mapping.
    """
    if "kind" in overlay and "kind" in base and overlay["kind"] != base["kind"]:
        return copy.deepcopy(overlay)
    out = copy.deepcopy(base)
    for group in ALTERNATIVES:
        given = group.intersection(overlay)
        for other in group - given if given else ():
            out.pop(other, None)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        elif _named(value) and _named(out.get(key)):
            merged = {item["name"]: item for item in out[key]}
            for item in value:
                old = merged.get(item["name"])
                merged[item["name"]] = deep_merge(old, item) if old else copy.deepcopy(item)
            out[key] = list(merged.values())
        else:
            out[key] = copy.deepcopy(value)
    return out


def _named(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(v, dict) and isinstance(v.get("name"), str) for v in value)


#: the tags of the language's unions told apart by their keys (config.models, config.structure)
SHAPE_TAGS = frozenset({"business_days", "months", "word", "dates", "every_n"})


def field_path(loc: tuple[Any, ...], data: Any) -> str:
    """A pydantic error location as the user wrote the file: list items by index and, when
    they have one, by name (``fees[1] (counsel)``); a union's internal tag left out."""
    out: list[str] = []
    node = data
    for part in loc:
        text = str(part)
        if text.startswith("function-"):
            continue
        if isinstance(node, list) and isinstance(part, int):
            item = node[part] if 0 <= part < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            out.append(f"[{part}]" + (f" ({name})" if isinstance(name, str) else ""))
            node = item
        elif isinstance(node, dict) and text in node:
            out.append(f".{text}" if out else text)
            node = node[text]
        elif text in SHAPE_TAGS or (isinstance(node, dict) and text in (node.get("kind"), node.get("basis"))):
            continue   # a union member's tag, not a field of the file
        else:
            out.append(f".{text}" if out else text)
            node = None
    return "".join(out)


def format_validation_error(source: str, exc: ValidationError, data: Any = None) -> str:
    lines = []
    for err in exc.errors():
        loc = field_path(tuple(err["loc"]), data) if data is not None else ".".join(
            str(p) for p in err["loc"] if not str(p).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        # a rule across sections names its own field path in the message
        lines.append(f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}")
    return "\n".join(lines)


def validate_deal(data: dict[str, Any], source: str, base_dir: Path | None = None) -> DealConfig:
    """Validate a merged mapping; raise ConfigError naming ``source`` and each field.

    ``base_dir``: where a relative ``calendar.holiday_file`` is (the deal file's folder).
    """
    try:
        data = resolve_holiday_file(data, base_dir or Path.cwd(), source, _read_yaml)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        deal = DealConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(source, exc, data)) from None
    check_calendar_span(deal, source)
    return deal


def legal_maturity(deal: DealConfig) -> dt.date:
    return deal.legal_maturity_unadjusted


#: days a run simulates after legal maturity (its last payment may fall after it)
RUN_MARGIN = dt.timedelta(days=60)


def deal_calendar(deal: DealConfig) -> BusinessCalendar:
    """The business days a run of ``deal`` operates on, to legal maturity + the margin (its
    ``env.calendar``; the deal's ``calendar`` section says which days they are)."""
    return deal.calendar.build(deal.dates.trust_effective_date, legal_maturity(deal) + RUN_MARGIN)


def check_calendar_span(deal: DealConfig, source: str) -> None:
    """Every business day the contract may need must be known (docs/calendar.md).

    That is to legal maturity and on to its last deadline: the principal's grace after
    legal maturity [event of default (b)], the sweep of that day's collections [一.4.1], or
    the amortization date the trustee computes before settling on legal maturity [一.4.4(2)].
    """
    legal = legal_maturity(deal)
    dates = deal.dates
    graces = [t.grace_business_days for t in deal.triggers
              if t.kind in ("interest_unpaid", "principal_unpaid_at_legal_maturity")]
    sched = dates.amortization_schedule
    every = getattr(sched, "every_business_days", 0)
    after_legal = max([*graces, dates.sweep_after_business_days, every + dates.payment_lag_business_days])
    where = "dates.legal_maturity_months_after_last_expected"
    i, last_class = max(enumerate(deal.classes), key=lambda ic: (ic[1].final_expected_maturity, -ic[0]))
    last_field = (f"classes[{i}] ({last_class.name})."
                  + ("rolling_series.expected_maturities[-1]" if last_class.rolling_series
                     else "expected_maturity"))
    checks = {
        "dates.trust_effective_date": (deal.dates.trust_effective_date, 0),
        last_field: (last_class.final_expected_maturity, 0),
        f"{where} (legal maturity)": (legal, 0),
        f"{where} (legal maturity + {after_legal} business days, the last deadline after it)":
            (legal, after_legal),
    }
    cal = None
    for field, (d, n) in checks.items():
        try:
            cal = cal or deal_calendar(deal)
            cal.add_business_days(cal.following(d), n)
        except CalendarRangeError as exc:
            raise ConfigError(f"{source}: {field}: {exc}") from None
    revolving_end = add_months(deal.dates.trust_effective_date, deal.dates.revolving_months)
    if deal.revolves and revolving_end >= legal:
        raise ConfigError(
            f"{source}: dates.revolving_months: revolving would end on {revolving_end.isoformat()}, not "
            f"before the legal maturity {legal.isoformat()}; the notes must have time to amortize"
        )
    last_day = legal + RUN_MARGIN
    for i, t in enumerate(deal.triggers):
        if t.kind not in ("interest_unpaid", "principal_unpaid_at_legal_maturity"):
            continue
        n, name = t.grace_business_days, f"[{i}] ({t.name}).grace_business_days"
        ends = cal.add_business_days(cal.following(legal), n)
        if ends > last_day:  # the run stops at last_day: the event of default could never be called
            raise ConfigError(
                f"{source}: triggers{name}: {n} business days of grace after the legal maturity {legal.isoformat()} "
                f"end on {ends.isoformat()}, after {last_day.isoformat()}, the last day a run of this deal "
                f"simulates ({RUN_MARGIN.days} days after legal maturity)"
            )


def resolve_scenario(name_or_path: str, search_dir: Path) -> Path:
    """A scenario given as a file path, or as a bare name looked up in ``search_dir``."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    candidate = search_dir / f"{name_or_path}.yaml"
    if candidate.exists():
        return candidate
    known = sorted(x.stem for x in search_dir.glob("*.yaml")) if search_dir.is_dir() else []
    raise ConfigError(f"{name_or_path}: no such scenario (known: {', '.join(known) or 'none'})")


def check_applies(applies_to: Any, deal_name: Any, spath: Path) -> None:
    """A scenario's ``applies_to`` (deal names; absent: every deal) must name the deal."""
    if applies_to is None:
        return
    if not isinstance(applies_to, list) or not all(isinstance(n, str) for n in applies_to):
        raise ConfigError(f"{spath}: applies_to: expected a list of deal names, got {applies_to!r}")
    if deal_name not in applies_to:
        raise ConfigError(f"{spath}: this scenario applies to {', '.join(applies_to)}, "
                          f"not to deal {deal_name!r} (its dates and names are theirs)")


def load_deal(
    path: str | Path,
    scenarios: Sequence[str | Path] = (),
    overrides: dict[str, Any] | None = None,
) -> DealConfig:
    """Load a deal file, apply scenario overlays in order, then ``overrides``; validate."""
    path = Path(path)
    data = _read_yaml(path)
    sources = [str(path)]
    scen_dir = path.parent.parent / "scenarios"
    for s in scenarios:
        spath = resolve_scenario(str(s), scen_dir)
        overlay = _read_yaml(spath)
        overlay.pop("description", None)
        check_applies(overlay.pop("applies_to", None), data.get("name"), spath)
        data = deep_merge(data, overlay)
        sources.append(str(spath))
    if overrides:
        data = deep_merge(data, overrides)
    return validate_deal(data, " + ".join(sources), path.parent)
