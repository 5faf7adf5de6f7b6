"""What the law asks each office to declare and publish (docs/domain.md §5; ADR 0030).

Pure rules without database access, so they can be tested exhaustively with frozen dates:

* elected representatives (raadslid, Statenlid, AB-lid) publish all their other functions and
  the income from them *immediately* after appointment or acceptance (Gemeentewet art. 12);
* full-time executives (wethouder, gedeputeerde, burgemeester, …) publish their side functions
  and, per calendar year, the income from them no later than **1 April** of the next year
  (Gemeentewet art. 41b/67);
* part-time executives publish their side functions, not the income;
* officials in a designated function have their side activities published by the employer,
  never their income (Ambtenarenwet 2017 art. 8);
* other employees are registered, never published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from vib.disclosures.models import Office

# "Immediately" is read as: within this many days of appointment (or of taking up a function).
IMMEDIATE_DAYS = 7
# Full-time executives publish income for year Y by 1 April of year Y + 1.
INCOME_DEADLINE_MONTH_DAY = (4, 1)


class IncomeRule(StrEnum):
    NONE = "none"  # never published
    IMMEDIATE = "immediate"  # published with the function, as soon as it is known
    YEARLY = "yearly"  # per calendar year, by 1 April of the next year


@dataclass(frozen=True)
class Rule:
    published: bool
    income: IncomeRule
    declare_immediately: bool


RULES: dict[str, Rule] = {
    Office.EMPLOYEE: Rule(published=False, income=IncomeRule.NONE, declare_immediately=False),
    Office.DESIGNATED_OFFICIAL: Rule(True, IncomeRule.NONE, declare_immediately=False),
    Office.REPRESENTATIVE: Rule(True, IncomeRule.IMMEDIATE, declare_immediately=True),
    Office.EXECUTIVE_FULL_TIME: Rule(True, IncomeRule.YEARLY, declare_immediately=True),
    Office.EXECUTIVE_PART_TIME: Rule(True, IncomeRule.NONE, declare_immediately=True),
}

PUBLISHED_OFFICES = tuple(office for office, rule in RULES.items() if rule.published)
INCOME_OFFICES = tuple(office for office, rule in RULES.items() if rule.income != IncomeRule.NONE)


def rule_for(office: str) -> Rule:
    return RULES[office]


def income_deadline(year: int) -> date:
    """The day by which a full-time executive publishes the income of ``year``."""
    month, day = INCOME_DEADLINE_MONTH_DAY
    return date(year + 1, month, day)


def declaration_deadline(appointed_on: date) -> date:
    return appointed_on + timedelta(days=IMMEDIATE_DAYS)


def overlaps_year(start: date, end: date | None, year: int) -> bool:
    return start <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def income_years_due(
    *, office: str, start: date, end: date | None, in_office_from: date, today: date
) -> list[int]:
    """Calendar years for which income of a paid activity must have been published by ``today``.

    Yearly rule: every year the activity (and the office) ran whose 1 April deadline has passed.
    Immediate rule: the years the activity ran up to the current one, once the grace period
    after taking it up (or after appointment) has passed.
    """
    rule = RULES[office]
    first = max(start, in_office_from)
    if rule.income == IncomeRule.YEARLY:
        years = range(first.year, today.year)
        return [y for y in years if overlaps_year(start, end, y) and income_deadline(y) < today]
    if rule.income == IncomeRule.IMMEDIATE:
        if declaration_deadline(first) >= today:
            return []
        last = min(today.year, end.year if end else today.year)
        return [y for y in range(first.year, last + 1) if overlaps_year(start, end, y)]
    return []


def income_visible(*, office: str, year: int, today: date) -> bool:
    """Whether an income record of ``year`` belongs on the public page (when one exists)."""
    rule = RULES[office]
    if rule.income == IncomeRule.NONE:
        return False
    # Yearly: published once declared; a year that is still running has no figure yet.
    return not (rule.income == IncomeRule.YEARLY and year >= today.year)
