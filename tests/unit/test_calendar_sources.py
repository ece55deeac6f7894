"""The packaged data (chinesecalendar) against a second source (the ``holidays`` package).

For every year both cover, both must give the same bank business days, except the
disagreements listed here, each with the official notice and the source the project
follows (:data:`trustsim.calendar.ERRATA_WORKDAYS` applies the notice).

``holidays`` has no workday category: its China calendar records each make-up working
day as the origin of a substituted day off (``special_public_holidays``), and estimates
any year after the last notice it carries, so only the years up to that notice count.
"""

import datetime as dt

import chinese_calendar
import holidays
from holidays.countries.china import ChinaStaticHolidays

from trustsim.calendar import ERRATA_WORKDAYS, FIRST_YEAR, LAST_YEAR, BusinessCalendar

#: date -> (what the package says, what the notice says, reference); the project follows the notice
DISAGREEMENTS = {
    dt.date(2005, 12, 31): ("a Saturday off", "a make-up working day",
                            "国办发明电〔2005〕35号 (2006 notice): 12月31日(星期六)上班"),
}


def _second_source_years() -> range:
    # "Only checked with the official ... Notice from 2001 onwards"; later years are estimates
    return range(2001, max(ChinaStaticHolidays.special_public_holidays) + 1)


def _second_source_make_up_days() -> set[dt.date]:
    out = set()
    for year, entries in ChinaStaticHolidays.special_public_holidays.items():
        for e in entries:
            if len(e) >= 4 and isinstance(e[2], int):  # (month, day, from_month, from_day[, from_year])
                out.add(dt.date(e[4] if len(e) > 4 else year, e[2], e[3]))
    return out


def _second_source_business_days(year: int, make_up: set[dt.date]) -> set[dt.date]:
    off = holidays.China(years=year)
    d, out = dt.date(year, 1, 1), set()
    while d.year == year:
        if d in make_up or (d.weekday() < 5 and d not in off):
            out.add(d)
        d += dt.timedelta(days=1)
    return out


def test_both_sources_cover_the_years_up_to_the_latest_notice():
    common = set(range(FIRST_YEAR, LAST_YEAR + 1)) & set(_second_source_years())
    assert min(common) == 2004 and max(common) >= 2026


def test_packaged_data_and_second_source_agree_on_every_business_day_they_both_cover():
    make_up = _second_source_make_up_days()
    common = sorted(set(range(FIRST_YEAR, LAST_YEAR + 1)) & set(_second_source_years()))
    cal = BusinessCalendar(dt.date(common[0], 1, 1), dt.date(common[-1], 12, 31))
    differ = {}
    for year in common:
        ours = set(cal.business_days_in(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        theirs = _second_source_business_days(year, make_up)
        differ |= {d: "ours only" for d in ours - theirs} | {d: "theirs only" for d in theirs - ours}
    assert differ == {}, f"the sources disagree on {sorted(differ)}: list each in DISAGREEMENTS"


def test_each_listed_disagreement_is_followed_as_the_notice_says():
    assert set(ERRATA_WORKDAYS) == set(DISAGREEMENTS)
    cal = BusinessCalendar(dt.date(2005, 1, 1), dt.date(2005, 12, 31))
    for d, (package_says, notice_says, reference) in DISAGREEMENTS.items():
        assert not chinese_calendar.is_workday(d), f"the package now has {d}: drop the erratum"
        assert cal.is_business_day(d) == (notice_says == "a make-up working day")
        assert reference in ERRATA_WORKDAYS[d]
        assert package_says == "a Saturday off" and d.weekday() == 5
