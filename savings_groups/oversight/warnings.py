"""Early warnings about a group, each with its reason in words, from the figures of figures.py.

Read by the groups list (a count per row) and the facilitator's home page (the list itself);
the thresholds come from the configuration (config.py, OVERSIGHT_*), passed in as Thresholds.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from savings_groups.core.errors import N_, Amount, Number
from savings_groups.core.vocabulary import GroupKind, MeetingFrequency
from savings_groups.oversight.figures import (
    Figures,
    overdue_cycles,
    served_arrears,
)

# Days a group may go without a meeting, by its frequency, before the grace days.
MEETING_GAP_DAYS = {
    MeetingFrequency.WEEKLY.value: 7,
    MeetingFrequency.FORTNIGHTLY.value: 14,
    MeetingFrequency.MONTHLY.value: 31,
}


@dataclass(frozen=True)
class Thresholds:
    par30: Decimal = Decimal("0.10")  # PAR>30 above this share
    attendance_drop: Decimal = Decimal("0.10")  # last four meetings below the four before by
    arrears_meetings: int = 2  # a member in arrears for more than this many meetings
    debt_to_savings: Decimal = Decimal("2")  # a member's debt over their savings above this
    meeting_grace_days: int = 3  # beyond the frequency's gap

    @classmethod
    def from_config(cls, config) -> "Thresholds":
        return cls(
            par30=Decimal(str(config.get("OVERSIGHT_PAR30_THRESHOLD", cls.par30))),
            attendance_drop=Decimal(
                str(config.get("OVERSIGHT_ATTENDANCE_DROP", cls.attendance_drop))
            ),
            arrears_meetings=int(config.get("OVERSIGHT_ARREARS_MEETINGS", cls.arrears_meetings)),
            debt_to_savings=Decimal(
                str(config.get("OVERSIGHT_DEBT_TO_SAVINGS", cls.debt_to_savings))
            ),
            meeting_grace_days=int(
                config.get("OVERSIGHT_MEETING_GRACE_DAYS", cls.meeting_grace_days)
            ),
        )


def percent(share: Decimal) -> Number:
    """A share (0.1234) as a percentage to one place (12.3), written the reader's way."""
    return Number((share * 100).quantize(Decimal("0.1")))


@dataclass(frozen=True)
class Warning:
    """One warning: a code, and an English msgid with its fields, translated where shown."""

    group_id: int
    code: str
    message: str
    params: dict


def warnings_for(groups, figures: dict[int, Figures], on: date, limits: Thresholds):
    """The warnings of each group (a dict by group id), in two more queries for all of them
    (one when none is a ROSCA or none a savings group, none when neither)."""
    result = {g.id: [] for g in groups}
    savings_ids = [g.id for g in groups if g.kind == GroupKind.SAVINGS.value]
    late_cycles = overdue_cycles(savings_ids, on)
    served_behind = served_arrears([g.id for g in groups if g.kind == GroupKind.ROSCA.value], on)
    for group in groups:
        f = figures[group.id]
        found = result[group.id]

        def add(code, message, found=found, group_id=group.id, **params):
            found.append(Warning(group_id, code, message, params))

        gap = MEETING_GAP_DAYS.get(group.meeting_frequency, 7) + limits.meeting_grace_days
        if f.last_meeting is not None and f.last_meeting < on - timedelta(days=gap):
            add(
                "no_meeting",
                N_("No meeting recorded for %(days)s days (since %(day)s)."),
                days=(on - f.last_meeting).days,
                day=f.last_meeting,
            )
        if f.cash_difference:
            add(
                "cash_difference",
                N_("The cash counted at the last meeting differs from the books by %(amount)s."),
                amount=Amount(f.cash_difference, group.currency),
            )
        if f.par30 is not None and f.par30 > limits.par30:
            add(
                "par30",
                N_("PAR>30 is %(value)s%%, above %(limit)s%%."),
                value=percent(f.par30),
                limit=percent(limits.par30),
            )
        if (
            f.attendance is not None
            and f.attendance_before is not None
            and f.attendance_before - f.attendance > limits.attendance_drop
        ):
            add(
                "attendance",
                N_("Attendance fell from %(before)s%% to %(now)s%% over the last four meetings."),
                before=percent(f.attendance_before),
                now=percent(f.attendance),
            )
        debts: dict[int, int] = {}
        names: dict[int, str] = {}
        for line in f.loans:
            debts[line.member_id] = debts.get(line.member_id, 0) + line.outstanding
            names[line.member_id] = line.member_name
            if line.meetings_since > limits.arrears_meetings:
                add(
                    "arrears",
                    N_("%(member)s has been in arrears for %(meetings)s meetings."),
                    member=line.member_name,
                    meetings=line.meetings_since,
                )
        for member_id, debt in debts.items():
            savings = f.borrower_savings.get(member_id, 0)
            if debt > 0 and (savings <= 0 or Decimal(debt) / savings > limits.debt_to_savings):
                add(
                    "debt_ratio",
                    N_("%(member)s owes %(debt)s against savings of %(savings)s."),
                    member=names[member_id],
                    debt=Amount(debt, group.currency),
                    savings=Amount(savings, group.currency),
                )
        if group.id in late_cycles:
            add(
                "cycle_overdue",
                N_("The cycle was planned to end on %(day)s and has no share-out yet."),
                day=late_cycles[group.id],
            )
        for line in served_behind.get(group.id, ()):
            add(
                "rosca_served_arrears",
                N_(
                    "Contributions missed by %(member)s since taking the pot in round "
                    "%(round)s: %(missed)s."
                ),
                member=line.member_name,
                round=line.served_round,
                missed=line.missed,
            )
    return result
