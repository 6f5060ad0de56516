# ruff: noqa: E501
"""Each indicator's name, one-line definition and unit (msgids, translated where shown).

The order is the dashboard's; the export follows the SAVIX group data form (exports/indicators).
"""

from dataclasses import dataclass

from savings_groups.core.errors import N_


@dataclass(frozen=True)
class Definition:
    key: str
    section: str
    label: str
    definition: str
    unit: str  # count | share | money | decimal
    split: bool = False  # shown for returnees and community members side by side
    money: bool = False  # per currency


OUTREACH = N_("Outreach")
MEMBERSHIP = N_("Membership")
SAVINGS = N_("Savings")
LOANS = N_("Loans")
RETURNS = N_("Returns")
ROSCAS = N_("ROSCAs")

DEFINITIONS = (
    Definition(
        "groups", OUTREACH, N_("Groups"), N_("Groups counted (practice groups never are)."), "count"
    ),
    Definition(
        "groups_active",
        OUTREACH,
        N_("Active groups"),
        N_("Not dissolved, with a cycle or a rotation running on the day."),
        "count",
    ),
    Definition(
        "groups_graduated",
        OUTREACH,
        N_("Graduated groups"),
        N_("Not dissolved, with at least one cycle shared out by the day."),
        "count",
    ),
    Definition(
        "groups_dissolved",
        OUTREACH,
        N_("Dissolved groups"),
        N_("Groups archived on or before the day."),
        "count",
    ),
    Definition(
        "members",
        OUTREACH,
        N_("Members"),
        N_("Members who had joined and not left on the day."),
        "count",
        split=True,
    ),
    Definition("women", OUTREACH, N_("Women"), N_("Women among the members."), "share", split=True),
    Definition("returnees", OUTREACH, N_("Returnees"), N_("Returnees among the members."), "share"),
    Definition(
        "members_per_facilitator",
        OUTREACH,
        N_("Members per facilitator"),
        N_("Members divided by the facilitators named on the groups."),
        "decimal",
    ),
    Definition(
        "attendance_last4",
        MEMBERSHIP,
        N_("Attendance, last four meetings"),
        N_(
            "Members present (or late) over members expected, at the group's last four closed meetings."
        ),
        "share",
        split=True,
    ),
    Definition(
        "attendance_represented_last4",
        MEMBERSHIP,
        N_("Present or represented, last four meetings"),
        N_("As above, counting a member represented by someone else as there."),
        "share",
        split=True,
    ),
    Definition(
        "attendance_cycle",
        MEMBERSHIP,
        N_("Attendance, this cycle"),
        N_("Members present (or late) over members expected, at the closed meetings of the cycle."),
        "share",
        split=True,
    ),
    Definition(
        "attendance_represented_cycle",
        MEMBERSHIP,
        N_("Present or represented, this cycle"),
        N_("As above, counting a member represented by someone else as there."),
        "share",
        split=True,
    ),
    Definition(
        "dropout",
        MEMBERSHIP,
        N_("Drop-out rate"),
        N_("Members who left during the cycle over members at its start."),
        "share",
        split=True,
    ),
    Definition(
        "savings",
        SAVINGS,
        N_("Savings this cycle"),
        N_("Value of the shares bought in the cycle, up to the day."),
        "money",
        split=True,
        money=True,
    ),
    Definition(
        "savings_per_member",
        SAVINGS,
        N_("Savings per member"),
        N_("Savings this cycle divided by the members."),
        "money",
        split=True,
        money=True,
    ),
    Definition(
        "social_fund",
        SAVINGS,
        N_("Social fund balance"),
        N_("Cash in the social fund on the day."),
        "money",
        money=True,
    ),
    Definition(
        "cash",
        SAVINGS,
        N_("Cash in the loan fund"),
        N_("Cash in the box and the group's account (social fund apart) on the day."),
        "money",
        money=True,
    ),
    Definition(
        "loans_outstanding_count",
        LOANS,
        N_("Loans outstanding"),
        N_("Loans with principal still owed on the day."),
        "count",
        split=True,
    ),
    Definition(
        "loans_outstanding_value",
        LOANS,
        N_("Value of loans outstanding"),
        N_("Principal still owed on the day."),
        "money",
        split=True,
        money=True,
    ),
    Definition(
        "members_with_loan",
        LOANS,
        N_("Members with a loan"),
        N_("Members owing principal on the day, over the members."),
        "share",
        split=True,
    ),
    Definition(
        "average_loan",
        LOANS,
        N_("Average loan size"),
        N_("Principal of the loans granted in the cycle, divided by their number."),
        "money",
        split=True,
        money=True,
    ),
    Definition(
        "utilisation",
        LOANS,
        N_("Loan fund utilisation"),
        N_("Principal outstanding over principal outstanding plus cash in the loan fund."),
        "share",
        money=True,
    ),
    Definition(
        "par30",
        LOANS,
        N_("Portfolio at risk (PAR>30)"),
        N_(
            "Principal outstanding of loans with principal due more than 30 days ago unpaid, over all principal outstanding."
        ),
        "share",
        money=True,
    ),
    Definition(
        "write_off",
        LOANS,
        N_("Write-off ratio"),
        N_("Principal written off in the cycle over principal lent in the cycle."),
        "share",
        money=True,
    ),
    Definition(
        "net_profit",
        RETURNS,
        N_("Net profit this cycle"),
        N_(
            "Interest, fines and other income less expenses, cash differences and write-offs, in the cycle."
        ),
        "money",
        money=True,
    ),
    Definition(
        "return_on_savings",
        RETURNS,
        N_("Return on savings"),
        N_("Net profit this cycle over savings this cycle."),
        "share",
        money=True,
    ),
    Definition(
        "return_on_assets",
        RETURNS,
        N_("Annualised return on assets"),
        N_(
            "Net profit over assets (loan fund cash plus principal outstanding), times 52 over the weeks since the cycle started."
        ),
        "share",
        money=True,
    ),
    Definition(
        "rotations_running",
        ROSCAS,
        N_("Rotations running"),
        N_("ROSCA rotations started and not finished on the day."),
        "count",
    ),
    Definition(
        "contributions_on_time",
        ROSCAS,
        N_("Contributions on time"),
        N_("Contributions due up to the day that were paid on time, over all due."),
        "share",
    ),
    Definition(
        "served_in_arrears",
        ROSCAS,
        N_("Members in arrears after being served"),
        N_("Members who received the pot and then missed or part-paid a contribution."),
        "count",
    ),
)
BY_KEY = {d.key: d for d in DEFINITIONS}
SECTIONS = (OUTREACH, MEMBERSHIP, SAVINGS, LOANS, RETURNS, ROSCAS)
PURPOSES_LABEL = N_("Loans outstanding by purpose")
PURPOSES_DEFINITION = N_("Number and principal outstanding of loans, by the purpose given.")
