"""The deal's ``calendar:`` section and the user's holiday file (docs/calendar.md).

Why the holiday file's days are copied into the section: the resolved deal
(``config.json``) then carries every day the run used, with the file's path and content
hash, so a run folder is reproduced and audited without the file. The same checks run
on the file (errors name the file and the row) and on the copy.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from trustsim.calendar import BusinessCalendar, YearDays, year_ranges
from trustsim.config.base import Strict

Kind = Literal["interbank", "exchange"]
#: the contract's business-day rules a deal may count on another kind of day than its own
Family = Literal["payment_dates", "collections", "purchases", "events_of_default"]
FAMILIES: dict[str, str] = {
    "payment_dates": "[一.4.2, 一.4.4(2)] revolving end, payment dates, series rolls, amortization every N "
                     "business days, legal maturity",
    "collections": "[一.4.1] the sweep of collections to the trust account",
    "purchases": "[一.4.3] purchase dates, the reserve delay and the request grace",
    "events_of_default": "events of default (a), (b): the interest and principal grace",
}
Policy = Literal["refuse", "weekends_only", "fixed_date_holidays"]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: a year in a holiday file must be covered whole: these fixed-date holidays must be in it
WHOLE_YEAR_MARKERS = ((1, 1, "New Year's Day"), (10, 1, "National Day"))


class YearEntry(Strict):
    holidays: list[dt.date] = Field(description="days off: weekdays, and weekend days of a holiday period")
    workdays: list[dt.date] = Field(default_factory=list,
                                    description="make-up working days (调休上班): Saturdays or Sundays worked")


def year_errors(year: int, holidays: list[dt.date], workdays: list[dt.date], where: str) -> list[str]:
    """What is wrong with one year of holiday data (``where``: the row prefix, e.g. ``years.2027``)."""
    errors = []
    seen: dict[dt.date, str] = {}
    for name, dates in (("holidays", holidays), ("workdays", workdays)):
        for i, d in enumerate(dates):
            row = f"{where}.{name}[{i}]"
            if d.year != year:
                errors.append(f"{row}: {d.isoformat()} is not in {year}")
            if d in seen:
                again = "listed twice" if seen[d].split("[")[0].endswith(name) else "both a holiday and a working day"
                errors.append(f"{row}: {d.isoformat()} is {again} (also {seen[d]})")
            else:
                seen[d] = row
            if name == "workdays" and d.weekday() < 5:
                errors.append(f"{row}: {d.isoformat()} is a {WEEKDAYS[d.weekday()]}: a make-up working "
                              "day is a Saturday or Sunday (an ordinary weekday is a working day already)")
    listed = set(holidays)
    missing = [f"{dt.date(year, m, d).isoformat()} ({what})" for m, d, what in WHOLE_YEAR_MARKERS
               if dt.date(year, m, d) not in listed]
    if missing:
        errors.append(f"{where}: the holidays do not include {' or '.join(missing)}: a year in a holiday "
                      "file must be covered whole (it replaces the packaged data for that year)")
    return errors


class CalendarSection(Strict):
    """Which business days the deal's rules count, and where the holidays come from."""

    business_days: Kind = Field(
        default="interbank",
        description="interbank: bank days (make-up weekend days worked); exchange: trading days (no weekend)")
    rules: dict[Family, Kind] = Field(
        default_factory=dict,
        description="rule families counting another kind of day than business_days (docs/calendar.md)")
    holiday_file: str | None = Field(
        default=None, description="YAML holiday file; relative to the deal file's folder")
    holiday_file_sha256: str | None = Field(
        default=None, description="the file's content hash (recorded; if given, the file must match)")
    years: dict[int, YearEntry] = Field(
        default_factory=dict, description="holidays by year: the holiday file's copy (or given inline)")
    unpublished_years: Policy = Field(
        default="refuse",
        description="a year nobody has published: refuse, or assume weekends_only / fixed_date_holidays")

    @model_validator(mode="after")
    def _years(self) -> CalendarSection:
        errors = [f"rules.{family}: interbank days include make-up weekend days, on which a trust "
                  "keeping exchange days (business_days: exchange) does not operate"
                  for family, kind in self.rules.items() if kind == "interbank" and self.business_days == "exchange"]
        for y, e in sorted(self.years.items()):
            errors += year_errors(y, e.holidays, e.workdays, f"years.{y}")
        if errors:
            raise ValueError("; ".join(errors))
        return self

    def year_days(self) -> dict[int, YearDays]:
        return {y: YearDays(frozenset(e.holidays), frozenset(e.workdays)) for y, e in self.years.items()}

    def build(self, start: dt.date, end: dt.date) -> BusinessCalendar:
        """The business calendar this section describes, loaded for [start, end]."""
        return BusinessCalendar(start, end, kind=self.business_days, years=self.year_days(),
                                unpublished=self.unpublished_years)

    def build_rules(self, start: dt.date, end: dt.date) -> RuleCalendars:
        """The trust's operating days and each rule family's, loaded for [start, end]."""
        default = self.build(start, end)
        kinds = {default.kind: default}
        for kind in set(self.rules.values()) - {default.kind}:
            kinds[kind] = BusinessCalendar(start, end, kind=kind, years=self.year_days(),
                                           unpublished=self.unpublished_years)
        rules: dict[str, Kind] = {str(f): k for f, k in self.rules.items()}
        return RuleCalendars(default, {f: kinds[rules.get(f, default.kind)] for f in FAMILIES})

    def record(self, cal: BusinessCalendar) -> dict[str, Any]:
        """What the run's log says about its calendar: enough to reproduce and to flag it.

        The days themselves are pinned by ``days_sha256`` (the operating days loaded), not
        by the package's version: a new release that adds a year leaves a run's log alone.
        """
        hf = None
        if self.holiday_file is not None or self.years:
            hf = {"path": self.holiday_file, "sha256": self.holiday_file_sha256, "years": sorted(self.years)}
        return {"business_days": self.business_days, "rules": dict(self.rules),
                "package_years": year_ranges(y for y, src in cal.sources.items() if src == "package"),
                "holiday_file": hf, "unpublished_years": self.unpublished_years,
                "assumed_years": list(cal.assumed_years), "days_sha256": cal.days_sha256()}


class RuleCalendars:
    """The operating days (``default``: daily processes, trigger counts) and each rule family's."""

    def __init__(self, default: BusinessCalendar, families: dict[str, BusinessCalendar]) -> None:
        self.default, self._families = default, families

    def of(self, family: str) -> BusinessCalendar:
        return self._families[family]


def _date(value: Any, row: str, errors: list[str]) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{row}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def parse_holiday_file(data: dict[str, Any], source: str) -> dict[int, dict[str, list[dt.date]]]:
    """A holiday file's years, checked; raise ValueError with one ``source: row: message`` a line."""
    errors: list[str] = []
    unknown = sorted(set(data) - {"source", "years"})
    if unknown:
        errors.append(f"{unknown[0]}: unknown key (expected source, years)")
    years = data.get("years")
    if not isinstance(years, dict) or not years:
        errors.append("years: expected a mapping of year -> {holidays: [...], workdays: [...]}")
        years = {}
    out: dict[int, dict[str, list[dt.date]]] = {}
    for key, entry in years.items():
        where = f"years.{key}"
        if not isinstance(key, int) or not 1900 <= key <= 2200:
            errors.append(f"{where}: {key!r} is not a year")
            continue
        if not isinstance(entry, dict) or "holidays" not in entry:
            errors.append(f"{where}: expected a mapping with holidays (and workdays)")
            continue
        extra = sorted(set(entry) - {"holidays", "workdays"})
        if extra:
            errors.append(f"{where}.{extra[0]}: unknown key (expected holidays, workdays)")
        lists = {}
        for name in ("holidays", "workdays"):
            raw = entry.get(name) or []
            if not isinstance(raw, list):
                errors.append(f"{where}.{name}: expected a list of dates")
                raw = []
            lists[name] = [d for i, v in enumerate(raw)
                           if (d := _date(v, f"{where}.{name}[{i}]", errors)) is not None]
        errors += year_errors(key, lists["holidays"], lists["workdays"], where)
        out[key] = lists
    if errors:
        raise ValueError("\n".join(f"{source}: {e}" for e in errors))
    return out


def resolve_holiday_file(data: dict[str, Any], base_dir: Path, source: str,
                         read_yaml) -> dict[str, Any]:
    """Read the holiday file a deal names into its ``calendar`` section (path, hash, years).

    ``read_yaml(path) -> dict`` is the loader's reader (its errors name the file).
    """
    cal = data.get("calendar")
    if not isinstance(cal, dict) or not cal.get("holiday_file"):
        return data
    pinned = cal.get("holiday_file_sha256")
    if cal.get("years") and pinned:
        return data  # already read: a recorded config.json, a Monte Carlo path's deal
    if cal.get("years"):
        raise ValueError(f"{source}: calendar: give the holidays either in calendar.years or in "
                         "calendar.holiday_file, not both")
    path = Path(str(cal["holiday_file"]))
    if not path.is_absolute():
        path = base_dir / path
    if not path.is_file():
        raise ValueError(f"{source}: calendar.holiday_file: {path}: file not found")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    if pinned and pinned != sha:
        raise ValueError(f"{source}: calendar.holiday_file_sha256: {path} has changed since it was "
                         f"recorded (sha256 {pinned}, now {sha})")
    years = parse_holiday_file(read_yaml(path), str(path))
    data = {**data, "calendar": {**cal, "holiday_file": str(path), "holiday_file_sha256": sha,
                                 "years": years}}
    return data
