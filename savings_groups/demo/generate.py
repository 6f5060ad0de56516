"""A realistic organization, generated as rows with the rules the domain applies.

Each group is a story drawn from a random generator seeded by the demo's seed and the group's
number: its members, its cycles and their rules, every meeting (attendance, social fund, shares,
fines, welfare grants, loans granted and repaid, the cash counted), members who leave with a
settlement, the share-out at each cycle's end and the next cycle carrying over; or, for a ROSCA,
its rotations and rounds. Nothing is read from the database while generating: the books are
kept in Python, and every entry is written as the domain writes it (same kinds, funds, signs,
dates, notes), from the same pure functions where the domain has them (loan schedules, the
share-out's split, the lottery draw, the cycle's rules).
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from savings_groups.core.card_codes import new_code
from savings_groups.core.dates import add_periods
from savings_groups.core.vocabulary import (
    BOXES,
    AttendanceStatus,
    Channel,
    ConsentScope,
    ContributionStatus,
    EntryKind,
    Fund,
    Gender,
    GroupKind,
    GroupRole,
    LoanMethod,
    LoanPurpose,
    LoanStatus,
    MeetingFrequency,
    MeetingStatus,
    MemberType,
    RatePeriod,
    Role,
    RotationOrder,
    SocialFundRule,
)
from savings_groups.cycles.operations import CycleRules, FineInput
from savings_groups.demo.names import COUNTRIES, FACILITATORS, GROUP_WORDS
from savings_groups.demo.rows import Rows, stamp
from savings_groups.loans.compute import period_rate
from savings_groups.loans.requests import plan
from savings_groups.money import currency_digits
from savings_groups.rosca import compute as rosca
from savings_groups.shareout.arithmetic import compute, split_social_fund
from savings_groups.shareout.next_cycle import CARRY_NOTE, REINVEST_NOTE
from savings_groups.shareout.operations import english_note
from savings_groups.store.models import (
    Attendance,
    AuditEntry,
    CashCount,
    Contribution,
    Cycle,
    CycleShareOut,
    Entry,
    FineType,
    GroupAssignment,
    GroupConsent,
    Hand,
    HandHolder,
    Loan,
    LoanInstallment,
    Meeting,
    Member,
    MemberExit,
    Rotation,
    Round,
    RoundEntry,
    SavingsGroup,
    ShareOutLine,
    User,
)

SHARE_OUT_REPAYMENT_NOTE = "Deducted from the share-out"  # shareout.operations.finalise's
DRAFT_KEYS = ("member_id", "attendance", "shares", "social_fund", "fines", "welfare", "repayment")
GROUPS_PER_FACILITATOR = 40
# The attendance values as plain text (read at every line of every meeting).
PRESENT, ABSENT, EXCUSED, LATE, REPRESENTED = (
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.ABSENT.value,
    AttendanceStatus.EXCUSED.value,
    AttendanceStatus.LATE.value,
    AttendanceStatus.REPRESENTED.value,
)


@dataclass(frozen=True)
class Options:
    groups: int = 5
    years: int = 1
    seed: int = 1
    weekly_share: float = 0.7  # of the savings groups, those meeting every week
    end: date = field(default_factory=date.today)  # the last day with data (today)


@dataclass
class Actors:
    """Who the rows say did things: the administrator and the facilitators (user ids)."""

    admin: int
    facilitators: list[int]


def audit(rows: Rows, actor: int, action: str, model, object_id, group, at, **details) -> None:
    """An audit row as org.audit.record writes it."""
    rows.append(
        AuditEntry,
        (
            rows.new_id(AuditEntry),
            at,
            actor,
            action,
            model.__name__,
            object_id,
            group,
            json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        ),
    )


def facilitator_users(
    options: Options, rows: Rows, existing: dict[str, int], password_hash: str, admin: int
) -> list[int]:
    """One facilitator per 40 groups (at least one); usernames facilitator1, facilitator2...;
    one already in the database is used as it is."""
    count = max(1, -(-options.groups // GROUPS_PER_FACILITATOR))
    rng = random.Random(f"{options.seed}:users")
    ids = []
    for index in range(count):
        username = f"facilitator{index + 1}"
        if username in existing:
            ids.append(existing[username])
            continue
        name, locale = FACILITATORS[index % len(FACILITATORS)]
        if index >= len(FACILITATORS):
            name = f"{name} ({index // len(FACILITATORS) + 1})"
        at = stamp(options.end - timedelta(days=365 * options.years + 60), 9)
        user = rows.add(
            User,
            username=username,
            full_name=name,
            role=Role.FACILITATOR.value,
            locale=locale,
            password_hash=password_hash,
            session_token=f"{rng.getrandbits(128):032x}",
            created_at=at,
        )
        audit(
            rows,
            admin,
            "user.create",
            User,
            user,
            None,
            at,
            username=username,
            role=Role.FACILITATOR.value,
        )
        ids.append(user)
    return ids


def generate(options: Options, rows: Rows, actors: Actors, flush=None) -> None:
    """All the groups of the demo. A few are ROSCAs (one in twelve, at least one from three
    groups); the first savings group with a cycle open today keeps its latest meeting as a
    draft. `flush(rows)` is
    called after each group, to write what was generated so far."""
    roscas = 0 if options.groups < 3 else max(1, options.groups // 12)
    rosca_numbers = set(range(options.groups - roscas, options.groups))
    draft_left = True
    for number in range(options.groups):
        rng = random.Random(f"{options.seed}:group:{number}")
        facilitator = actors.facilitators[
            number // GROUPS_PER_FACILITATOR % len(actors.facilitators)
        ]
        if number in rosca_numbers:
            RoscaStory(rng, options, rows, actors.admin, facilitator, number).run()
        else:
            story = SavingsStory(rng, options, rows, actors.admin, facilitator, number, draft_left)
            story.run()
            draft_left = draft_left and not story.drafted
        if flush is not None:
            flush(rows)


# --- a group and its members ------------------------------------------------------------------


class GroupStory:
    """What every group has: a country, a currency, members, a facilitator."""

    def __init__(self, rng, options, rows, admin, facilitator, number, kind: GroupKind):
        self.rng, self.options, self.rows = rng, options, rows
        self.admin, self.actor = admin, facilitator
        country = rng.choice(sorted(COUNTRIES))
        self.country, names = country, COUNTRIES[country]
        self.currency = names["currency"]
        self.minor = 10 ** currency_digits(self.currency)
        village, district = rng.choice(names["places"])
        self.frequency = (
            MeetingFrequency.WEEKLY.value
            if kind == GroupKind.ROSCA or rng.random() < options.weekly_share
            else MeetingFrequency.MONTHLY.value
        )
        # The group starts some time in the first months of the period, on a day <= 28 (a
        # monthly meeting keeps its day) and on a meeting weekday.
        start = options.end - timedelta(days=365 * options.years) + timedelta(rng.randrange(90))
        start = start.replace(day=min(start.day, 28))
        self.formed_on = start
        self.unit = {"XOF": 25, "NGN": 500, "BDT": 100}.get(self.currency, 1)
        word = rng.choice(GROUP_WORDS[country])
        self.name = f"{word} {village}" if kind == GroupKind.SAVINGS else f"Tontine {word}"
        if kind == GroupKind.ROSCA and country != "SN":
            self.name = f"{word} {'Esusu' if country == 'NG' else 'Samity'}"
        at = stamp(start - timedelta(days=7), 10)
        self.group = rows.add(
            SavingsGroup,
            name=f"{self.name} {number + 1}",
            kind=kind.value,
            currency=self.currency,
            village=village,
            district=district,
            country=country,
            created_at=at,
            created_by=facilitator,
            rounding_unit=self.unit,
            meeting_frequency=self.frequency,
            meeting_day=start.weekday(),
            formed_on=start,
            facilitator=facilitator,
            archived_at=None,
        )
        audit(
            rows,
            facilitator,
            "group.create",
            SavingsGroup,
            self.group,
            self.group,
            at,
            name=f"{self.name} {number + 1}",
            currency=self.currency,
        )
        rows.add(
            GroupAssignment,
            user=facilitator,
            group=self.group,
            assigned_at=at,
            assigned_by=facilitator,
        )
        # The demo's groups agree to everything leaving the app (exports, the API, bundles).
        rows.add(
            GroupConsent,
            group=self.group,
            scopes=",".join(sorted(scope.value for scope in ConsentScope)),
            given_on=start,
            given_by="The members' meeting",
            recorded_by=facilitator,
            recorded_at=at,
        )
        self.members = self._members(rng.randint(15, 30), names, at)

    def money(self, major: float) -> int:
        """An amount in major units as minor units, on the group's rounding unit."""
        value = round(major * self.minor)
        return max(self.unit, value - value % self.unit)

    def _members(self, count: int, names: dict, at) -> list["Person"]:
        rng = self.rng
        roles = [
            GroupRole.CHAIR,
            GroupRole.SECRETARY,
            GroupRole.TREASURER,
            GroupRole.KEY_HOLDER,
            GroupRole.KEY_HOLDER,
            GroupRole.KEY_HOLDER,
            GroupRole.MONEY_COUNTER,
            GroupRole.MONEY_COUNTER,
        ]
        people = []
        for number in range(1, count + 1):
            woman = rng.random() < 0.62
            first = rng.choice(names["women" if woman else "men"])
            full_name = f"{first} {rng.choice(names['families'])}"
            member_type = MemberType.RETURNEE if rng.random() < 0.45 else MemberType.COMMUNITY
            role = roles[number - 1] if number <= len(roles) else GroupRole.MEMBER
            values = {
                "number": number,
                "full_name": full_name,
                "gender": (Gender.FEMALE if woman else Gender.MALE).value,
                "birth_year": self.options.end.year - rng.randint(19, 62),
                "phone": "",
                "member_type": member_type.value,
                "group_role": role.value,
                "joined_on": self.formed_on,
            }
            member = self.rows.new_id(Member)
            audit(self.rows, self.actor, "member.create", Member, member, self.group, at, **values)
            person = Person(member, number, full_name, rng.random())
            person.row = dict(id=member, group=self.group, created_at=at, **values)
            people.append(person)
        return people

    def finish(self) -> None:
        """The rows written last: the members as they stand (some have left), each with a card
        drawn from the seed."""
        cards = random.Random(f"{self.options.seed}:cards:{self.group}")
        for person in self.members:
            self.rows.add(
                Member,
                left_on=person.left_on,
                left_reason=person.left_reason,
                card_code=new_code(cards.choice),
                **person.row,
            )


@dataclass
class Person:
    id: int
    number: int
    name: str
    habit: float  # 0..1: how reliably they come and repay (higher: more reliable)
    left_on: date | None = None
    left_reason: str = ""
    last_loan_closed: date | None = None


# --- savings groups ---------------------------------------------------------------------------


@dataclass
class LoanBook:
    """A loan as the domain's loans.book sees it: its schedule and what was paid."""

    id: int
    member: Person
    cycle: int
    principal: int
    installments: list  # (due_on, principal, interest)
    granted_on: date
    status: str = LoanStatus.ACTIVE.value
    interest_paid: int = 0
    principal_paid: int = 0
    written_off: int = 0
    closed_on: date | None = None
    bad: bool = False

    @property
    def outstanding(self) -> int:
        return self.principal - self.principal_paid - self.written_off

    def due(self, on: date) -> tuple[int, int]:
        """(interest, principal) fallen due by `on` and not paid (loans.book.Book.due)."""
        if self.status != LoanStatus.ACTIVE.value:
            return 0, 0
        interest = principal = 0
        for due_on, part, charge in self.installments:
            if due_on > on:
                break
            interest += charge
            principal += part
        return (
            max(0, interest - self.interest_paid),
            min(max(0, principal - self.principal_paid), self.outstanding),
        )


@dataclass
class CycleBooks:
    id: int
    number: int
    start: date
    planned_end: date
    values: dict
    fines: dict  # name -> (fine type id, amount)
    boxes: dict = field(default_factory=lambda: dict.fromkeys(BOXES, 0))
    shares: dict = field(default_factory=dict)  # member id -> shares bought
    savings: dict = field(default_factory=dict)  # member id -> amount saved
    exited: set = field(default_factory=set)
    fixed_at: object = None


class SavingsStory(GroupStory):
    def __init__(self, rng, options, rows, admin, facilitator, number, keeps_draft):
        super().__init__(rng, options, rows, admin, facilitator, number, GroupKind.SAVINGS)
        self.keeps_draft = keeps_draft
        self.drafted = False
        self.loans: dict[int, LoanBook] = {}  # active loans by member id (one at a time)
        self.months = rng.choice((6, 9, 12, 12))
        self.exit_cycle = 1 if rng.random() < 0.3 else None
        self.pending_cycles = []  # (books, row): a cycle's row is written once it is known

    # the cycles -------------------------------------------------------------------------------

    def run(self) -> None:
        self._cycles()
        self._close_cycle_rows()
        for loan in self.loans.values():  # still being repaid today
            self.rows.add(
                Loan, status=LoanStatus.ACTIVE.value, closed_on=None, written_off=0, **loan.row
            )
        self.finish()

    def _cycles(self) -> None:
        first_meeting, cycle, follows = self.formed_on, None, None
        while first_meeting <= self.options.end:
            count = self._meetings_in_cycle()
            last = add_periods(first_meeting, count - 1, self.frequency)
            start = first_meeting if follows is None else follows[1] + timedelta(days=1)
            cycle = self._start_cycle(start, last, follows)
            days = [add_periods(first_meeting, k, self.frequency) for k in range(count)]
            held = [day for day in days if day <= self.options.end]
            exit_at = None
            if self.exit_cycle == cycle.number and len(held) > 6:
                exit_at = held[self.rng.randrange(len(held) // 3, 2 * len(held) // 3)]
            for index, day in enumerate(held):
                if self.keeps_draft and day == held[-1] and len(held) < len(days):
                    self._draft(cycle, day)
                    self.drafted = True
                    break
                self._meeting(cycle, day, index, last_of_cycle=index == count - 1)
                if day == exit_at:
                    self._exit(cycle, day)
            if len(held) < len(days):
                return  # the cycle still open today
            follows = (cycle, last)
            self._share_out(cycle, last)
            first_meeting = add_periods(last, 1, self.frequency)
            if first_meeting > self.options.end:
                self._next_cycle(cycle, last)  # started, no meeting yet
                return

    def _meetings_in_cycle(self) -> int:
        if self.frequency == MeetingFrequency.WEEKLY.value:
            return {6: 26, 9: 39, 12: 52}[self.months]
        return self.months

    def _rules(self, start: date, end: date) -> CycleRules:
        rng, money = self.rng, self.money
        scale = {"XOF": 1, "NGN": 1.5, "BDT": 0.2}[self.currency]
        share = money(rng.choice((200, 500, 500, 1000)) * scale)
        weekly = self.frequency == MeetingFrequency.WEEKLY.value
        return CycleRules(
            start_date=start,
            planned_end=end,
            share_value=share if weekly else share * 4,
            min_shares=1,
            max_shares=5,
            social_fund_contribution=money(100 * scale) * (1 if weekly else 4),
            loan_rate_percent=Decimal(rng.choice((5, 10, 10))),
            loan_rate_period=RatePeriod.MONTH,
            loan_method=LoanMethod.FLAT,
            loan_methods=(
                LoanMethod.FLAT,
                LoanMethod.DECLINING_EQUAL_INSTALLMENT,
                LoanMethod.DECLINING_EQUAL_PRINCIPAL,
            ),
            loan_max_multiple=Decimal(3),
            loan_max_periods=12 if weekly else 4,
            debt_warning_ratio=Decimal(2),
            fines=(
                FineInput("Late", money(100 * scale)),
                FineInput("Absent without excuse", money(200 * scale)),
                FineInput("Forgot the passbook", money(50 * scale)),
            ),
            social_fund_rule=rng.choice(
                (SocialFundRule.KEPT, SocialFundRule.KEPT, SocialFundRule.SPLIT_EQUALLY)
            ),
        )

    def _start_cycle(self, start: date, end: date, follows) -> CycleBooks:
        """cycles.start_cycle: the cycle's row with its checked rules, its fines, the audit."""
        values = self._rules(start, end).clean(self.currency, "en", self.frequency)
        fines = values.pop("fines")
        number = 1 if follows is None else follows[0].number + 1
        at = stamp(start, 9)
        cycle_id = self.rows.new_id(Cycle)
        books = CycleBooks(cycle_id, number, start, end, values, {})
        self._cycle_row = dict(
            id=cycle_id,
            group=self.group,
            number=number,
            follows=follows[0].id if follows else None,
            created_at=at,
            **values,
        )
        self.pending_cycles.append((books, self._cycle_row))
        for _id, name, amount in fines:
            fine = self.rows.add(FineType, cycle=cycle_id, name=name, amount=amount)
            books.fines[name] = (fine, amount)
        details = {k: _plain(v) for k, v in values.items()}
        audit(
            self.rows,
            self.actor,
            "cycle.start",
            Cycle,
            cycle_id,
            self.group,
            at,
            number=number,
            **({"follows": follows[0].id} if follows else {}),
            **details,
            fines=[[name, amount] for _id, name, amount in fines],
        )
        if follows is not None:
            self._next_cycle_money(follows[0], books, follows[1])
        return books

    def _close_cycle_rows(self) -> None:
        for books, row in self.pending_cycles:
            self.rows.add(
                Cycle,
                rules_fixed_at=books.fixed_at,
                closed_at=getattr(books, "closed_at", None),
                **row,
            )
        self.pending_cycles = []

    # one meeting ------------------------------------------------------------------------------

    def current(self, day: date) -> list[Person]:
        return [p for p in self.members if p.left_on is None or p.left_on > day]

    def _attendance(self, person: Person) -> str:
        x = self.rng.random() * (0.6 + 0.4 * person.habit)
        if x < 0.02:
            return ABSENT
        if x < 0.035:
            return EXCUSED
        if x < 0.06:
            return REPRESENTED
        if x < 0.11:
            return LATE
        return PRESENT

    def _meeting(self, cycle: CycleBooks, day: date, index: int, last_of_cycle: bool) -> None:
        rows, rng, values = self.rows, self.rng, cycle.values
        meeting = rows.new_id(Meeting)
        opened, closed = stamp(day, 17), stamp(day, 19)
        recorded = stamp(day, 18)
        away = (ABSENT, EXCUSED)
        lines, social, shares, fined, grants, money_lines = [], [], [], [], [], []
        expenses = []
        entry = self._entry
        box = dict(cycle.boxes)
        pending_savings = {}
        for person in self.current(day):
            status = self._attendance(person)
            line = dict.fromkeys(DRAFT_KEYS, 0)
            line["member_id"], line["attendance"], line["fines"] = person.id, status, []
            if status not in away:
                line["social_fund"] = values["social_fund_contribution"]
                top = values["max_shares"] if person.habit > 0.5 else 3
                line["shares"] = rng.randint(values["min_shares"], top)
            if status == LATE and rng.random() < 0.7:
                line["fines"].append("Late")
            elif status == ABSENT and rng.random() < 0.5:
                line["fines"].append("Absent without excuse")
            if status not in away and rng.random() < 0.01:
                line["fines"].append("Forgot the passbook")
            lines.append((person, line))
        for person, line in lines:
            if line["social_fund"]:
                social.append(
                    (
                        person.id,
                        EntryKind.SOCIAL_FUND_CONTRIBUTION,
                        Fund.SOCIAL_FUND,
                        line["social_fund"],
                        0,
                        "",
                    )
                )
            if line["shares"]:
                amount = line["shares"] * values["share_value"]
                shares.append(
                    (
                        person.id,
                        EntryKind.SHARE_PURCHASE,
                        Fund.LOAN_FUND,
                        amount,
                        line["shares"],
                        "",
                    )
                )
                pending_savings[person.id] = amount
            for name in line["fines"]:
                fine_id, amount = cycle.fines[name]
                fined.append((person.id, EntryKind.FINE, Fund.LOAN_FUND, amount, 0, name))
            line["fines"] = [cycle.fines[name][0] for name in line["fines"]]
        social_cash = box[Fund.SOCIAL_FUND] + sum(p[3] for p in social)
        for person, line in lines:  # a welfare grant, now and then, from the social fund
            grant = values["social_fund_contribution"] * rng.choice((5, 10, 15))
            if rng.random() < 0.004 and grant <= social_cash:
                line["welfare"] = grant
                social_cash -= grant
                grants.append((person.id, EntryKind.WELFARE_GRANT, Fund.SOCIAL_FUND, -grant, 0, ""))
        if index == 0 and cycle.number == 1:  # the padlocked box and the passbooks
            cost = self.money(2500 * {"XOF": 1, "NGN": 1.5, "BDT": 0.2}[self.currency])
            cash = box[Fund.LOAN_FUND] + sum(p[3] for p in shares + fined)
            if cost <= cash:
                purpose = "Cash box, padlocks and passbooks"
                money_lines.append(
                    {
                        "kind": "expense",
                        "fund": Fund.LOAN_FUND.value,
                        "amount": cost,
                        "channel": Channel.CASH.value,
                        "approved_by": None,
                        "purpose": purpose,
                    }
                )
                expenses = [(None, EntryKind.GROUP_EXPENSE, Fund.LOAN_FUND, -cost, 0, purpose)]
        postings = social + shares + fined + grants + expenses
        # repayments typed in the grid (posted at closing, after the sheet's entries)
        repayments = []
        for person, line in lines:
            loan = self.loans.get(person.id)
            if loan is None or line["attendance"] in away:
                continue
            amount = self._repayment(loan, day)
            if amount:
                line["repayment"] = amount
                repayments.append((loan, amount))
        for posting in postings:
            box[posting[2]] += posting[3]
        box[Fund.LOAN_FUND] += sum(amount for _loan, amount in repayments)
        # loans granted while the meeting is a draft (after its draft was saved)
        granted = []
        if not last_of_cycle:
            granted = self._grant_loans(cycle, day, meeting, box, pending_savings, lines)
        version = 1 + len(granted) + 1 if granted else 1  # save, each loan, close
        for loan in granted:
            entry(
                cycle.id,
                meeting,
                loan.member.id,
                EntryKind.LOAN_DISBURSEMENT,
                Fund.LOAN_FUND,
                -loan.principal,
                0,
                "",
                recorded,
                day,
                loan=loan.id,
            )
        for member, kind, fund, amount, count, note in postings:
            entry(cycle.id, meeting, member, kind, fund, amount, count, note, closed, day)
        for loan, amount in repayments:
            self._repay(loan, amount, day, cycle.id, meeting, closed, "")
        for person, line in lines:
            rows.append(
                Attendance, (rows.new_id(Attendance), meeting, person.id, line["attendance"])
            )
        for fund in BOXES:
            rows.append(
                CashCount, (rows.new_id(CashCount), meeting, fund.value, box[fund], box[fund])
            )
        cycle.boxes = box
        for member, amount in pending_savings.items():
            cycle.savings[member] = cycle.savings.get(member, 0) + amount
        for person, line in lines:
            if line["shares"]:
                cycle.shares[person.id] = cycle.shares.get(person.id, 0) + line["shares"]
        sheet = {
            "lines": [line for _p, line in lines],
            "notes": "",
            "group_money": money_lines,
            "transfers": [],
        }
        rows.add(
            Meeting,
            id=meeting,
            group=self.group,
            cycle=cycle.id,
            held_on=day,
            status=MeetingStatus.CLOSED.value,
            version=version,
            draft=json.dumps(sheet),
            notes="",
            closed_at=closed,
            closed_by=self.actor,
            created_at=opened,
        )
        if cycle.fixed_at is None:
            cycle.fixed_at = closed
        audit(
            rows,
            self.actor,
            "meeting.open",
            Meeting,
            meeting,
            self.group,
            opened,
            held_on=day,
            cycle=cycle.number,
        )
        if granted:
            audit(
                rows,
                self.actor,
                "meeting.save_draft",
                Meeting,
                meeting,
                self.group,
                opened,
                version=0,
            )
        audit(
            rows,
            self.actor,
            "meeting.close",
            Meeting,
            meeting,
            self.group,
            closed,
            held_on=day,
            counted={f.value: box[f] for f in BOXES},
            computed={f.value: box[f] for f in BOXES},
            difference_note="",
            entries_changed=len(postings) + len(repayments),
        )

    def _draft(self, cycle: CycleBooks, day: date) -> None:
        """The meeting being entered today: a saved draft, nothing posted yet."""
        opened = stamp(day, 17)
        lines = []
        for person in self.current(day):
            line = dict.fromkeys(DRAFT_KEYS, 0)
            line["member_id"], line["attendance"], line["fines"] = person.id, "present", []
            line["social_fund"] = cycle.values["social_fund_contribution"]
            line["shares"] = self.rng.randint(1, 3)
            lines.append(line)
        draft = {
            "lines": lines,
            "notes": "",
            "group_money": [],
            "transfers": [],
            "counted": {},
            "difference_note": "",
        }
        meeting = self.rows.add(
            Meeting,
            group=self.group,
            cycle=cycle.id,
            held_on=day,
            status=MeetingStatus.DRAFT.value,
            version=1,
            draft=json.dumps(draft),
            notes="",
            closed_at=None,
            closed_by=None,
            created_at=opened,
        )
        audit(
            self.rows,
            self.actor,
            "meeting.open",
            Meeting,
            meeting,
            self.group,
            opened,
            held_on=day,
            cycle=cycle.number,
        )
        audit(
            self.rows,
            self.actor,
            "meeting.save_draft",
            Meeting,
            meeting,
            self.group,
            opened,
            version=0,
        )

    def _entry(
        self,
        cycle,
        meeting,
        member,
        kind,
        fund,
        amount,
        shares,
        note,
        at,
        day,
        loan=None,
        channel=Channel.CASH.value,
    ):
        """One ledger row as ledger.post writes it."""
        self.rows.append(
            Entry,
            (
                self.rows.new_id(Entry),
                self.group,
                cycle,
                meeting,
                member,
                kind.value,
                fund.value,
                amount,
                shares,
                note,
                self.actor,
                at,
                day,
                channel,
                None,
                None,
                loan,
            ),
        )

    # loans ------------------------------------------------------------------------------------

    def _grant_loans(self, cycle, day, meeting, box, pending_savings, lines) -> list[LoanBook]:
        """A few members borrow, within every rule of loans.requests.check_request and with no
        safeguard raised (so no warning to acknowledge): at most twice... their savings (the
        debt warning ratio), the cash in the box, one loan at a time, never right after a loan,
        the last installment by the cycle's planned end."""
        rng, values, granted = self.rng, cycle.values, []
        present = [p for p, line in lines if line["attendance"] in ("present", "late")]
        frequency = self.frequency
        for person in present:
            if person.id in self.loans or rng.random() > 0.08:
                continue
            if person.last_loan_closed is not None and day <= add_periods(
                person.last_loan_closed, 1, frequency
            ):
                continue
            savings = cycle.savings.get(person.id, 0) + pending_savings.get(person.id, 0)
            most = min(int(Decimal(values["debt_warning_ratio"]) * savings), box[Fund.LOAN_FUND])
            most = min(most, int(values["loan_max_multiple"] * savings))
            periods = rng.randint(2, values["loan_max_periods"])
            while periods > 1 and add_periods(day, periods, frequency) > cycle.planned_end:
                periods -= 1
            if add_periods(day, periods, frequency) > cycle.planned_end:
                continue
            principal = int(most * rng.uniform(0.4, 1.0))
            principal -= principal % (values["share_value"] or 1)
            if principal <= 0:
                continue
            method = rng.choice(
                (
                    LoanMethod.FLAT.value,
                    LoanMethod.FLAT.value,
                    LoanMethod.DECLINING_EQUAL_INSTALLMENT.value,
                    LoanMethod.DECLINING_EQUAL_PRINCIPAL.value,
                )
            )
            loan = self._loan(cycle, person, day, meeting, principal, periods, method)
            box[Fund.LOAN_FUND] -= principal
            granted.append(loan)
        return granted

    def _loan(self, cycle, person, day, meeting, principal, periods, method) -> LoanBook:
        """lending.grant_loan: the loan's row, its schedule, the audit (the disbursement entry
        is written with the meeting's)."""
        values, rows = cycle.values, self.rows
        rate = Decimal(values["loan_rate"])
        rate_period = RatePeriod(values["loan_rate_period"]).value
        exact = period_rate(rate, rate_period, self.frequency)
        schedule = plan(principal, exact, periods, method, self.unit)
        purpose = self.rng.choice([p for p in LoanPurpose if p != LoanPurpose.REPAY_DEBT])
        loan_id = rows.new_id(Loan)
        installments = []
        for item in schedule:
            due = add_periods(day, item.number, self.frequency)
            installments.append((due, item.principal, item.interest))
            rows.append(
                LoanInstallment,
                (
                    rows.new_id(LoanInstallment),
                    loan_id,
                    0,
                    item.number,
                    due,
                    item.principal,
                    item.interest,
                    None,
                ),
            )
        loan = LoanBook(
            loan_id, person, cycle.id, principal, installments, day, bad=person.habit < 0.06
        )
        loan.row = dict(
            id=loan_id,
            group=self.group,
            cycle=cycle.id,
            member=person.id,
            meeting=meeting,
            principal=principal,
            rate=rate,
            rate_period=rate_period,
            method=method,
            periods=periods,
            unit=self.unit,
            frequency=self.frequency,
            purpose=purpose.value,
            granted_on=day,
            granted_by=self.actor,
            rescheduled_on=None,
            created_at=stamp(day, 18),
        )
        self.loans[person.id] = loan
        audit(
            rows,
            self.actor,
            "loan.grant",
            Loan,
            loan_id,
            self.group,
            stamp(day, 18),
            member=person.id,
            principal=principal,
            rate=str(rate),
            rate_period=rate_period,
            method=method,
            periods=periods,
            purpose=purpose.value,
            guarantors=[],
            acknowledged=[],
        )
        return loan

    def _repayment(self, loan: LoanBook, day: date) -> int:
        """What the member pays today: what is due, mostly; late payers skip; a few repay all."""
        interest, principal = loan.due(day)
        most = interest + loan.outstanding
        if loan.bad:
            return interest if self.rng.random() < 0.2 else 0
        if loan.member.habit < 0.2 and self.rng.random() < 0.35:
            return 0  # late this time: arrears
        if self.rng.random() < 0.02:
            return most  # repaid early
        return min(interest + principal, most)

    def _repay(self, loan: LoanBook, amount, day, cycle, meeting, at, note) -> None:
        """lending.record_repayment: interest due first, then principal; repaid when cleared."""
        interest_due, _principal = loan.due(day)
        interest = min(amount, interest_due)
        principal = amount - interest
        if principal > loan.outstanding:
            raise AssertionError("a repayment above what is owed")
        for kind, part in (
            (EntryKind.LOAN_INTEREST, interest),
            (EntryKind.LOAN_PRINCIPAL, principal),
        ):
            if part:
                self._entry(
                    cycle,
                    meeting,
                    loan.member.id,
                    kind,
                    Fund.LOAN_FUND,
                    part,
                    0,
                    note,
                    at,
                    day,
                    loan=loan.id,
                )
        repaid = principal == loan.outstanding and interest == interest_due
        loan.interest_paid += interest
        loan.principal_paid += principal
        if repaid:
            self._close_loan(loan, LoanStatus.REPAID.value, day)
        audit(
            self.rows,
            self.actor,
            "loan.repay",
            Loan,
            loan.id,
            self.group,
            at,
            amount=amount,
            interest=interest,
            principal=principal,
            on=day,
            repaid=repaid,
        )

    def _close_loan(self, loan: LoanBook, status: str, day: date) -> None:
        loan.status, loan.closed_on = status, day
        loan.member.last_loan_closed = day
        del self.loans[loan.member.id]
        self.rows.add(Loan, status=status, closed_on=day, written_off=loan.written_off, **loan.row)

    def _write_off_bad(self, cycle: CycleBooks, day: date) -> None:
        """lending.write_off of a loan given up on, at the end of the cycle, by the group."""
        for loan in list(self.loans.values()):
            if loan.bad and loan.cycle == cycle.id:
                interest_due, _p = loan.due(day)
                outstanding = loan.outstanding
                reason = "The group decided the loan cannot be recovered"
                loan.written_off += outstanding
                self._entry(
                    cycle.id,
                    None,
                    loan.member.id,
                    EntryKind.LOAN_WRITE_OFF,
                    Fund.LOAN_FUND,
                    0,
                    0,
                    reason,
                    stamp(day, 19, 30),
                    day,
                    loan=loan.id,
                )
                self._close_loan(loan, LoanStatus.WRITTEN_OFF.value, day)
                audit(
                    self.rows,
                    self.actor,
                    "loan.write_off",
                    Loan,
                    loan.id,
                    self.group,
                    stamp(day, 19, 30),
                    principal=outstanding,
                    interest_forgone=interest_due,
                    on=day,
                    reason=reason,
                )

    # a member leaving -------------------------------------------------------------------------

    def _exit(self, cycle: CycleBooks, day: date) -> None:
        """shareout.exits.settle by "savings back only", for a member with no loan, after the
        meeting of the day (an entry outside a meeting dated a meeting's day counts after it)."""
        candidates = [
            p
            for p in self.current(day)
            if p.id not in self.loans and cycle.savings.get(p.id, 0) > 0 and p.number > 8
        ]
        if not candidates:
            return
        person = self.rng.choice(candidates)
        saved = cycle.savings.get(person.id, 0)
        if saved > cycle.boxes[Fund.LOAN_FUND]:
            return
        at = stamp(day, 20)
        reason = self.rng.choice(
            ("Moved to the city for work", "Left for the regional capital", "Family reasons")
        )
        self._entry(
            cycle.id,
            None,
            person.id,
            EntryKind.EXIT_SETTLEMENT,
            Fund.LOAN_FUND,
            -saved,
            0,
            reason,
            at,
            day,
        )
        cycle.boxes[Fund.LOAN_FUND] -= saved
        cycle.exited.add(person.id)
        settled = self.rows.add(
            MemberExit,
            member=person.id,
            cycle=cycle.id,
            settled_on=day,
            rule=cycle.values["exit_rule"],
            shares=cycle.shares.get(person.id, 0),
            saved=saved,
            profit=0,
            deducted=0,
            payout=saved,
            recorded_by=self.actor,
            recorded_at=at,
        )
        person.left_on, person.left_reason = day, reason
        audit(
            self.rows,
            self.actor,
            "member.leave",
            Member,
            person.id,
            self.group,
            at,
            left_on=[None, day],
            left_reason=["", reason],
        )
        audit(
            self.rows,
            self.actor,
            "member.exit",
            MemberExit,
            settled,
            self.group,
            at,
            member=person.id,
            cycle=cycle.id,
            on=day,
            rule=cycle.values["exit_rule"],
            shares=cycle.shares.get(person.id, 0),
            saved=saved,
            profit=0,
            deducted=0,
            payout=saved,
            loans=[],
        )

    # the share-out and the next cycle ------------------------------------------------------------

    def _share_out(self, cycle: CycleBooks, on: date) -> None:
        """shareout.operations.finalise with the rules `deduct` and proportional shares."""
        self._write_off_bad(cycle, on)
        rows, at = self.rows, stamp(on, 20)
        members = sorted(
            (
                p
                for p in self.members
                if p.id not in cycle.exited and (cycle.shares.get(p.id) or p.id in self.loans)
            ),
            key=lambda p: p.number,
        )
        owed_loans = sorted(self.loans.values(), key=lambda loan: (loan.member.number, loan.id))
        owed, clearing = {}, []
        for loan in owed_loans:
            interest, _principal = loan.due(on)
            total = interest + loan.outstanding
            owed[loan.member.id] = owed.get(loan.member.id, 0) + total
            clearing.append((loan, total))
        shares = {p.id: cycle.shares.get(p.id, 0) for p in members}
        cash = cycle.boxes[Fund.LOAN_FUND]
        result = compute(cash, owed, shares, self.unit, cycle.values["leftover_rule"])
        for loan, total in clearing:
            self._repay(loan, total, on, cycle.id, None, at, SHARE_OUT_REPAYMENT_NOTE)
        social = dict.fromkeys(shares, 0)
        social_fund = cycle.boxes[Fund.SOCIAL_FUND]
        social_carry = social_fund
        if cycle.values["social_fund_rule"] == SocialFundRule.SPLIT_EQUALLY.value:
            holders = [member for member, count in shares.items() if count > 0]
            parts, social_carry = split_social_fund(social_fund, holders, self.unit)
            social.update(parts)
        note = english_note(self.currency)
        lines = []
        for person in members:
            payout, deducted = result.payouts[person.id], owed.get(person.id, 0)
            gross = payout + deducted
            if gross:
                text = note(payout, deducted) if deducted else ""
                self._entry(
                    cycle.id,
                    None,
                    person.id,
                    EntryKind.SHARE_OUT,
                    Fund.LOAN_FUND,
                    -gross,
                    0,
                    text,
                    at,
                    on,
                )
            if social[person.id]:
                self._entry(
                    cycle.id,
                    None,
                    person.id,
                    EntryKind.SOCIAL_FUND_SHARE_OUT,
                    Fund.SOCIAL_FUND,
                    -social[person.id],
                    0,
                    "",
                    at,
                    on,
                )
            saved = cycle.savings.get(person.id, 0)
            lines.append(
                (
                    person,
                    shares[person.id],
                    saved,
                    payout + deducted - saved,
                    deducted,
                    social[person.id],
                    payout,
                )
            )
        cycle.boxes[Fund.LOAN_FUND] = result.carry_over
        cycle.boxes[Fund.SOCIAL_FUND] = social_carry
        cycle.payouts = {person.id: payout for person, *_rest, payout in lines}
        final = rows.add(
            CycleShareOut,
            cycle=cycle.id,
            held_on=on,
            cash=cash,
            bank=0,
            owed=sum(owed.values()),
            value_per_share=result.value_per_share,
            carry_over=result.carry_over,
            social_fund=social_fund,
            social_fund_carry_over=social_carry,
            profit_method=cycle.values["profit_method"],
            leftover_rule=cycle.values["leftover_rule"],
            social_fund_rule=cycle.values["social_fund_rule"],
            loans_at_share_out=cycle.values["loans_at_share_out"],
            finalised_by=self.actor,
            finalised_at=at,
        )
        for person, count, saved, profit, deducted, part, payout in lines:
            rows.add(
                ShareOutLine,
                share_out=final,
                member=person.id,
                shares=count,
                saved=saved,
                profit=profit,
                deducted=deducted,
                social_fund=part,
                payout=payout,
            )
        cycle.closed_at = at
        audit(
            rows,
            self.actor,
            "cycle.share_out",
            CycleShareOut,
            final,
            self.group,
            at,
            cycle=cycle.id,
            on=on,
            cash=cash,
            bank=0,
            owed=sum(owed.values()),
            paid_out=sum(line[-1] for line in lines),
            carry_over=result.carry_over,
            social_fund=social_fund,
            social_fund_paid=sum(line[5] for line in lines),
            social_fund_carry_over=social_carry,
        )
        self._close_cycle_rows()
        self.closed_cycle = cycle

    def _next_cycle_money(self, old: CycleBooks, new: CycleBooks, share_out_day: date) -> None:
        """next_cycle.start_next_cycle: each box's balance carried over (- in the old cycle, +
        in the new, dated its first day), and reinvested shares bought from the payouts."""
        at = stamp(new.start, 10)
        carried = {}
        for fund in BOXES:
            amount = old.boxes[fund]
            carried[fund.value] = amount
            if amount:
                note = CARRY_NOTE % {"number": old.number}
                for into, moving in ((old.id, -amount), (new.id, amount)):
                    self._entry(
                        into, None, None, EntryKind.CARRY_OVER, fund, moving, 0, note, at, new.start
                    )
                old.boxes[fund] -= amount
                new.boxes[fund] += amount
        reinvested = {}
        share_value = new.values["share_value"]
        for person in sorted(self.current(new.start), key=lambda p: p.number):
            payout = getattr(old, "payouts", {}).get(person.id, 0)
            most = max(payout, 0) // share_value
            if most >= new.values["min_shares"] and self.rng.random() < 0.5:
                count = self.rng.randint(new.values["min_shares"], min(most, 10))
                amount = count * share_value
                self._entry(
                    new.id,
                    None,
                    person.id,
                    EntryKind.SHARE_PURCHASE,
                    Fund.LOAN_FUND,
                    amount,
                    count,
                    REINVEST_NOTE % {"number": old.number},
                    at,
                    new.start,
                )
                new.boxes[Fund.LOAN_FUND] += amount
                new.shares[person.id] = count
                new.savings[person.id] = amount
                reinvested[str(person.id)] = count
        audit(
            self.rows,
            self.actor,
            "cycle.next",
            Cycle,
            new.id,
            self.group,
            at,
            follows=old.id,
            carried=carried,
            reinvested=reinvested,
            left=[],
        )

    def _next_cycle(self, old: CycleBooks, last: date) -> None:
        start = last + timedelta(days=1)
        end = add_periods(last, self._meetings_in_cycle(), self.frequency)
        self._start_cycle(start, end, (old, last))


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    return value


# --- ROSCAs -----------------------------------------------------------------------------------


class RoscaStory(GroupStory):
    """Rotations one after the other, one whole hand per member, in a fixed order or by lot;
    every round's contributions (mostly on time, some late) and its payout."""

    def __init__(self, rng, options, rows, admin, facilitator, number):
        super().__init__(rng, options, rows, admin, facilitator, number, GroupKind.ROSCA)

    def run(self) -> None:
        rng, rows, start, number = self.rng, self.rows, self.formed_on, 0
        scale = {"XOF": 1, "NGN": 1.5, "BDT": 0.2}[self.currency]
        while start <= self.options.end:
            number += 1
            order = rng.choice((RotationOrder.FIXED, RotationOrder.LOTTERY))
            contribution = self.money(rng.choice((1000, 2000, 5000)) * scale)
            at = stamp(start - timedelta(days=1), 10)
            rotation = rows.new_id(Rotation)
            count = len(self.members)
            hands = {}
            positions = list(range(1, count + 1))
            rng.shuffle(positions)
            for person, position in zip(self.members, positions, strict=True):
                hand = rows.add(
                    Hand,
                    rotation=rotation,
                    number=person.number,
                    position=position if order == RotationOrder.FIXED else None,
                )
                rows.add(HandHolder, hand=hand, member=person.id, half=False)
                hands[person.number] = (hand, person, position)
            pot = contribution * count
            finished = None
            waiting = sorted(hands)
            for round_number in range(1, count + 1):
                due = add_periods(start, round_number - 1, self.frequency)
                if due > self.options.end:
                    break
                round_id = rows.new_id(Round)
                lines = []
                for hand_number in sorted(hands):
                    hand, person, _position = hands[hand_number]
                    status = (
                        ContributionStatus.LATE
                        if rng.random() * (0.5 + person.habit) < 0.05
                        else ContributionStatus.ON_TIME
                    )
                    entry = rows.new_id(Entry)
                    self._pot_entry(
                        entry,
                        person.id,
                        EntryKind.CONTRIBUTION,
                        contribution,
                        f"Round {round_number}",
                        stamp(due, 18),
                        due,
                    )
                    rows.append(RoundEntry, (rows.new_id(RoundEntry), round_id, entry))
                    rows.add(
                        Contribution,
                        round=round_id,
                        hand=hand,
                        member=person.id,
                        amount=contribution,
                        status=status.value,
                        paid_by=None,
                        entry=entry,
                        fine_entry=None,
                        replaces=None,
                        recorded_by=self.actor,
                        recorded_at=stamp(due, 18),
                    )
                    lines.append(
                        {
                            "member": person.number,
                            "status": status.value,
                            "paid_by": None,
                            "amount": contribution,
                        }
                    )
                audit(
                    rows,
                    self.actor,
                    "round.contributions",
                    Round,
                    round_id,
                    self.group,
                    stamp(due, 18),
                    rotation=number,
                    round=round_number,
                    lines=lines,
                    reason="",
                )
                seed = ""
                if order == RotationOrder.FIXED:
                    winner = next(n for n, (_h, _p, pos) in hands.items() if pos == round_number)
                elif len(waiting) == 1:
                    winner = waiting[0]
                else:
                    seed = " ".join(str(rng.randint(1, 99)) for _ in range(3))
                    winner = rosca.draw(seed, round_number, waiting)
                waiting.remove(winner)
                hand, person, _position = hands[winner]
                paid_at = stamp(due, 19)
                entry = rows.new_id(Entry)
                self._pot_entry(
                    entry,
                    person.id,
                    EntryKind.POT_PAYOUT,
                    -pot,
                    f"Round {round_number}, pot",
                    paid_at,
                    due,
                )
                rows.append(RoundEntry, (rows.new_id(RoundEntry), round_id, entry))
                rows.add(
                    Round,
                    id=round_id,
                    rotation=rotation,
                    number=round_number,
                    due_on=due,
                    pot=pot,
                    recipient=hand,
                    seed=seed,
                    discount=0,
                    paid_out_on=due,
                    paid_out_by=self.actor,
                    paid_out_at=paid_at,
                    created_at=stamp(due, 18),
                )
                if round_number == count:
                    finished = paid_at
                audit(
                    rows,
                    self.actor,
                    "round.pay_out",
                    Round,
                    round_id,
                    self.group,
                    paid_at,
                    rotation=number,
                    round=round_number,
                    hand=winner,
                    payout=pot,
                    discount=0,
                    kept_in_pot=0,
                    commission=0,
                    seed=seed,
                    tied=[],
                    bids={},
                    finished=round_number == count,
                )
            rows.add(
                Rotation,
                id=rotation,
                group=self.group,
                number=number,
                contribution=contribution,
                frequency=self.frequency,
                start_date=start,
                order=order.value,
                created_by=self.actor,
                created_at=at,
                started_at=at,
                finished_at=finished,
                organiser=None,
            )
            audit(
                rows,
                self.actor,
                "rotation.create",
                Rotation,
                rotation,
                self.group,
                at,
                contribution=contribution,
                frequency=self.frequency,
                start_date=start,
                order=order.value,
            )
            audit(rows, self.actor, "rotation.start", Rotation, rotation, self.group, at)
            start = add_periods(start, count + 1, self.frequency)
        self.finish()

    def _pot_entry(self, entry_id, member, kind, amount, note, at, day) -> None:
        self.rows.append(
            Entry,
            (
                entry_id,
                self.group,
                None,
                None,
                member,
                kind.value,
                Fund.POT.value,
                amount,
                0,
                note,
                self.actor,
                at,
                day,
                Channel.CASH.value,
                None,
                None,
                None,
            ),
        )
