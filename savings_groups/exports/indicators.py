"""The indicator table, one row a group, as CSV or XLSX (exports/files.py).

Columns follow the order of the SAVIX MIS group data collection form (group, place, dates,
membership, attendance, savings, loans, write-offs, funds, profit; see docs/indicators.md), then
the ratios the SAVIX computes from them. Amounts are in major units of the group's currency
(one currency column per row: never added across currencies). Titles are translated by the
`gettext` the caller passes (the web layer's, in the reader's language).
"""

from collections.abc import Callable
from decimal import Decimal

from savings_groups.core.errors import N_
from savings_groups.core.money import to_major
from savings_groups.exports import files
from savings_groups.indicators import reports

# (title msgid, how to read the value from a group's counters and figures)
COLUMNS = (
    (N_("Group"), lambda c, f, m: c.group.name),
    (N_("Country"), lambda c, f, m: c.group.country),
    (N_("District"), lambda c, f, m: c.group.district),
    (N_("Village"), lambda c, f, m: c.group.village),
    (N_("Date formed"), lambda c, f, m: c.group.formed_on),
    (N_("Cycle"), lambda c, f, m: c.cycle.number if c.cycle else None),
    (N_("Date the cycle started"), lambda c, f, m: c.cycle.start_date if c.cycle else None),
    (N_("Currency"), lambda c, f, m: c.group.currency),
    (N_("Members at the start of the cycle"), lambda c, f, m: c.n["members_start", "all"]),
    (N_("Members"), lambda c, f, m: f["members"].get()),
    (N_("Women"), lambda c, f, m: c.n["women", "all"]),
    (N_("Returnees"), lambda c, f, m: c.n["members", "returnee"]),
    (N_("Members who left this cycle"), lambda c, f, m: c.n["left", "all"]),
    (N_("Attendance, this cycle"), lambda c, f, m: f["attendance_cycle"].get()),
    (N_("Attendance, last four meetings"), lambda c, f, m: f["attendance_last4"].get()),
    (N_("Savings this cycle"), lambda c, f, m: m["savings"].get()),
    (N_("Loans outstanding"), lambda c, f, m: f["loans_outstanding_count"].get()),
    (N_("Value of loans outstanding"), lambda c, f, m: m["loans_outstanding_value"].get()),
    (N_("Value of loans written off"), lambda c, f, m: c.n["written_off", "all"]),
    (N_("Cash in the loan fund"), lambda c, f, m: m["cash"].get()),
    (N_("Social fund balance"), lambda c, f, m: m["social_fund"].get()),
    (N_("Net profit this cycle"), lambda c, f, m: m["net_profit"].get()),
    (N_("Drop-out rate"), lambda c, f, m: f["dropout"].get()),
    (N_("Members with a loan"), lambda c, f, m: f["members_with_loan"].get()),
    (N_("Loan fund utilisation"), lambda c, f, m: m["utilisation"].get()),
    (N_("Portfolio at risk (PAR>30)"), lambda c, f, m: m["par30"].get()),
    (N_("Return on savings"), lambda c, f, m: m["return_on_savings"].get()),
    (N_("Annualised return on assets"), lambda c, f, m: m["return_on_assets"].get()),
)
MONEY_TITLES = frozenset(
    {
        N_("Savings this cycle"),
        N_("Value of loans outstanding"),
        N_("Value of loans written off"),
        N_("Cash in the loan fund"),
        N_("Social fund balance"),
        N_("Net profit this cycle"),
    }
)


def group_rows(result: reports.Indicators) -> list[list]:
    """One row a group: counts as int, ratios as Decimal (0.1234), amounts in minor units."""
    rows = []
    for counter in result.groups:
        counts, money = reports.group_indicators(counter)
        rows.append([read(counter, counts, money) for _title, read in COLUMNS])
    return rows


def group_table(result: reports.Indicators, gettext: Callable[[str], str]) -> files.Table:
    """The indicator table for a spreadsheet: amounts in major units of each row's currency."""
    currency_at = [t for t, _r in COLUMNS].index(N_("Currency"))
    money_at = [i for i, (t, _r) in enumerate(COLUMNS) if t in MONEY_TITLES]
    rows = []
    for row in group_rows(result):
        row = list(row)
        for i in money_at:
            if row[i] is not None:
                row[i] = to_major(row[i], row[currency_at])
        rows.append(row)
    title = gettext(N_("Indicators")) + " " + result.as_of.isoformat()
    return files.Table(title, [gettext(t) for t, _r in COLUMNS], rows)


def as_decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)
