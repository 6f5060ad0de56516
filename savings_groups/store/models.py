"""peewee models: the organization and its users, groups, members, cycles, meetings, the ledger."""

from decimal import Decimal
from uuid import uuid4

from peewee import (
    OP,
    SQL,
    AutoField,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    Expression,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from savings_groups.core.card_codes import new_code
from savings_groups.core.dates import utcnow
from savings_groups.core.vocabulary import (
    Channel,
    ConsentScope,
    DiscountRule,
    EndRule,
    ExitRule,
    Gender,
    GroupKind,
    GroupRole,
    LeftoverRule,
    LoansAtShareOut,
    LoanStatus,
    MeetingStatus,
    ProfitMethod,
    Role,
    SocialFundRule,
)
from savings_groups.store.db import db, written_out


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class Organization(BaseModel):
    """The facilitating organization that runs this installation; there is one."""

    id = AutoField()
    name = CharField(max_length=200)
    default_locale = CharField(max_length=20, default="en")
    created_at = DateTimeField(default=utcnow)
    # Stable identities for group bundles: the organization's (the same on each of its
    # laptops once its key is imported) and this installation's (see bundles.identity).
    uuid = CharField(max_length=36, null=True, default=lambda: str(uuid4()))
    instance_uuid = CharField(max_length=36, null=True, default=lambda: str(uuid4()))


class User(BaseModel):
    """A person who logs in. Never deleted: deactivated, so history keeps who did what."""

    id = AutoField()
    username = CharField(max_length=40, unique=True)
    full_name = CharField(max_length=200)
    role = CharField(max_length=20, choices=[(r.value, r.value) for r in Role])
    locale = CharField(max_length=20, null=True)
    password_hash = CharField(max_length=255)
    # Changed on every password change or deactivation: old sessions stop working.
    session_token = CharField(max_length=64)
    must_change_password = BooleanField(default=False)
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class LoginThrottle(BaseModel):
    """Failed logins per username (known or not) and browser, kept in the database to survive
    restarts: `device` is the signed device cookie of a browser where this username logged in
    before, "" for every other browser (one shared count)."""

    id = AutoField()
    username = CharField(max_length=40)
    device = CharField(max_length=64, default="")
    failures = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_failure_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("username", "device"), True),)


class SavingsGroup(BaseModel):
    """A savings group or a ROSCA supported by the organization."""

    id = AutoField()
    name = CharField(max_length=200)
    kind = CharField(max_length=20, choices=[(k.value, k.value) for k in GroupKind])
    currency = CharField(max_length=3)
    village = CharField(max_length=200, default="")
    district = CharField(max_length=200, default="")
    country = CharField(max_length=2, default="")
    created_at = DateTimeField(default=utcnow)
    created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    # Interest and payouts are rounded to this many minor units (e.g. 25 XOF).
    rounding_unit = BigIntegerField(default=1)
    meeting_frequency = CharField(max_length=20, default="weekly")
    meeting_day = IntegerField(null=True)  # 0 = Monday
    formed_on = DateField(null=True)
    facilitator = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    notes = TextField(default="")
    archived_at = DateTimeField(null=True)
    # A practice group (for training recorders) is never counted in indicators or exports.
    is_practice = BooleanField(default=False)
    # The language of the documents members take home (passbooks, receipts, slips); "" = the
    # language of whoever prints them.
    print_locale = CharField(max_length=20, default="")

    @property
    def kind_enum(self) -> GroupKind:
        return GroupKind(self.kind)


class GroupConsent(BaseModel):
    """A group's decision on what member-level data may leave the app, as recorded.

    Never edited: a new decision is a new row, the latest one holds (no scopes = withdrawn).
    """

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="consents", on_delete="RESTRICT")
    scopes = CharField(max_length=200, default="")  # ConsentScope values, comma-separated
    given_on = DateField()
    given_by = CharField(max_length=200)  # who spoke for the group, in their words
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "id"), False),)

    @property
    def scope_set(self) -> frozenset:
        return frozenset(ConsentScope(value) for value in self.scopes.split(",") if value)


class IndicatorSnapshot(BaseModel):
    """A group's indicators at the end of a quarter, frozen: never recomputed (migration 0023)."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="+", on_delete="RESTRICT")
    quarter = CharField(max_length=7)  # "2026Q3"
    as_of = DateField()  # the quarter's last day
    currency = CharField(max_length=3)
    figures = TextField()  # JSON: indicator key -> value (int, "0.1234" or null)
    frozen_by = ForeignKeyField(User, on_delete="RESTRICT")
    frozen_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("quarter", "group"), True),)


class GroupAssignment(BaseModel):
    """A user may see and work on a group they are assigned to (admins see all groups)."""

    id = AutoField()
    user = ForeignKeyField(User, backref="assignments", on_delete="CASCADE")
    group = ForeignKeyField(SavingsGroup, backref="assignments", on_delete="CASCADE")
    assigned_at = DateTimeField(default=utcnow)
    assigned_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("user", "group"), True),)


class AuditEntry(BaseModel):
    """One write: who, when, what. Written in the same transaction as the write itself."""

    id = AutoField()
    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    action = CharField(max_length=60)
    object_type = CharField(max_length=40)
    object_id = IntegerField(null=True)
    group = ForeignKeyField(SavingsGroup, null=True, on_delete="RESTRICT")
    details = TextField(default="{}")

    class Meta:
        # The audit log's filters, newest first (migration 0018).
        indexes = ((("group", "id"), False), (("actor", "id"), False), (("action", "id"), False))


class DecimalText(CharField):
    """A Decimal kept as text: SQLite would store a DECIMAL column as a float."""

    def db_value(self, value):
        return None if value is None else str(Decimal(value))

    def python_value(self, value):
        return None if value is None else Decimal(value)


class Member(BaseModel):
    """A member of a group. No identity document is ever asked for."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="members", on_delete="RESTRICT")
    number = IntegerField()
    full_name = CharField(max_length=200)
    gender = CharField(max_length=20, default=Gender.UNSTATED.value)
    birth_year = IntegerField(null=True)
    phone = CharField(max_length=40, default="")
    member_type = CharField(max_length=20)
    group_role = CharField(max_length=20, default=GroupRole.MEMBER.value)
    joined_on = DateField()
    left_on = DateField(null=True)
    left_reason = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)
    # The identifier on the member's card ("SG-" and nine characters, core.card_codes): opaque,
    # unique in the database, replaced when the card is re-issued.
    card_code = CharField(max_length=20, unique=True, default=new_code)

    class Meta:
        indexes = ((("group", "number"), True),)


class MemberPhoto(BaseModel):
    """A member's photo for their card, when one was added (JPEG or PNG, checked on upload);
    in a table of its own so that reading members never loads it."""

    id = AutoField()
    member = ForeignKeyField(Member, unique=True, backref="+", on_delete="RESTRICT")
    content_type = CharField(max_length=20)
    data = BlobField()
    uploaded_by = ForeignKeyField(User, on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)


class Cycle(BaseModel):
    """A cycle of an accumulating group and the rules (constitution) the members voted for it."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="cycles", on_delete="RESTRICT")
    number = IntegerField()
    start_date = DateField()
    planned_end = DateField()
    share_value = BigIntegerField()
    min_shares = IntegerField(default=1)
    max_shares = IntegerField(default=5)
    social_fund_contribution = BigIntegerField(default=0)
    # The most a loan may charge (and the rate a request starts with), e.g. 0.10, per
    # `loan_rate_period` (a RatePeriod: "month"); empty: per meeting period (the group's).
    loan_rate = DecimalText(max_length=20, default="0")
    loan_rate_period = CharField(max_length=20, null=True)
    loan_method = CharField(max_length=40, default="flat")  # the one a request starts with
    # The methods a loan may use, comma-separated LoanMethod values; empty: loan_method alone.
    loan_methods = CharField(max_length=200, null=True)
    loan_max_multiple = DecimalText(max_length=20, default="3")  # of the member's savings
    loan_max_periods = IntegerField(default=3)
    one_loan_at_a_time = BooleanField(default=True)
    guarantor_threshold = BigIntegerField(null=True)
    debt_warning_ratio = DecimalText(max_length=20, default="2")
    # The share-out and exit rules (see ProfitMethod, LeftoverRule, ...).
    profit_method = CharField(max_length=20, default=ProfitMethod.PROPORTIONAL.value)
    leftover_rule = CharField(max_length=20, default=LeftoverRule.LARGEST_REMAINDER.value)
    social_fund_rule = CharField(max_length=20, default=SocialFundRule.KEPT.value)
    loans_at_share_out = CharField(max_length=20, default=LoansAtShareOut.DEDUCT.value)
    exit_rule = CharField(max_length=20, default=ExitRule.SAVINGS_ONLY.value)
    follows = ForeignKeyField("self", null=True, on_delete="RESTRICT")  # the cycle before it
    rules_fixed_at = DateTimeField(null=True)  # set when the first meeting is closed
    closed_at = DateTimeField(null=True)  # set when the share-out is finalised
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "number"), True),)


class FineType(BaseModel):
    """A fine the group's rules list, with its amount (late, absent, forgot the passbook...)."""

    id = AutoField()
    cycle = ForeignKeyField(Cycle, backref="fine_types", on_delete="RESTRICT")
    name = CharField(max_length=100)
    amount = BigIntegerField()


class RuleDecision(BaseModel):
    """A change of a cycle's rules after they were fixed: decided by the group, recorded."""

    id = AutoField()
    cycle = ForeignKeyField(Cycle, backref="rule_decisions", on_delete="RESTRICT")
    decided_on = DateField()
    reason = TextField()
    changes = TextField(default="{}")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)


class Meeting(BaseModel):
    """A meeting of a group: a draft while it is entered, then closed and read-only."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="meetings", on_delete="RESTRICT")
    cycle = ForeignKeyField(Cycle, backref="meetings", on_delete="RESTRICT")
    held_on = DateField()
    status = CharField(max_length=20, default=MeetingStatus.DRAFT.value)
    # Raised at every save: a save based on an older version is refused (two tabs).
    version = IntegerField(default=0)
    draft = TextField(default="{}")
    notes = TextField(default="")
    closed_at = DateTimeField(null=True)
    closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "held_on"), True),)


class Attendance(BaseModel):
    id = AutoField()
    meeting = ForeignKeyField(Meeting, backref="attendance", on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")
    status = CharField(max_length=20)

    class Meta:
        indexes = (
            (("meeting", "member"), True),
            (("meeting", "status", "member"), False),  # the dashboard's counts (0030)
        )


class Entry(BaseModel):
    """One movement of money, the single source of truth. Never updated nor deleted: reversed."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
    cycle = ForeignKeyField(Cycle, null=True, on_delete="RESTRICT")
    meeting = ForeignKeyField(Meeting, null=True, backref="entries", on_delete="RESTRICT")
    member = ForeignKeyField(Member, null=True, backref="entries", on_delete="RESTRICT")
    kind = CharField(max_length=40)
    fund = CharField(max_length=20)
    amount = BigIntegerField()  # minor units; + into the box, - out of it
    shares = IntegerField(default=0)
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)
    # The day the money moved: its meeting's date, or the day of an exit, a share-out...
    # Balances "as of" a meeting order entries by it, not by when they were typed.
    effective_on = DateField()
    channel = CharField(max_length=20, default=Channel.CASH.value)
    # A group expense or other income: the member who approved it (None: the meeting itself).
    approved_by = ForeignKeyField(
        Member,
        null=True,
        backref="approved_entries",
        column_name="approved_by_id",
        on_delete="RESTRICT",
    )
    reverses = ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
    loan = DeferredForeignKey("Loan", null=True, on_delete="RESTRICT")  # loan entries only

    class Meta:
        indexes = (
            (("member", "kind"), False),
            (("group", "effective_on"), False),
            (("group", "id"), False),  # a group's history by id (migration 0021)
            # Read from the index alone by the dashboard (migration 0030, which replaced
            # (group, fund) by the first).
            (("group", "fund", "effective_on", "amount"), False),
            (("cycle", "kind", "effective_on", "fund", "member", "amount"), False),
            (("loan", "kind", "effective_on", "amount"), False),
        )


class CashCount(BaseModel):
    """The cash counted in a box when a meeting closes, beside what the ledger says it holds."""

    id = AutoField()
    meeting = ForeignKeyField(Meeting, backref="cash_counts", on_delete="RESTRICT")
    fund = CharField(max_length=20)
    counted = BigIntegerField()
    computed = BigIntegerField()

    class Meta:
        indexes = ((("meeting", "fund"), True),)


class Loan(BaseModel):
    """A loan from the group's fund to a member, with the terms it was granted on.

    The money is in the ledger (entries with this loan); the row keeps the terms, the state and
    what the current schedule does not cover: after a rescheduling, `baseline_principal` and
    `baseline_interest` were paid before it and `carried_interest` was owed and carried into it.
    """

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="loans", on_delete="RESTRICT")
    cycle = ForeignKeyField(Cycle, backref="loans", on_delete="RESTRICT")
    member = ForeignKeyField(Member, backref="loans", on_delete="RESTRICT")
    meeting = ForeignKeyField(Meeting, null=True, backref="loans", on_delete="RESTRICT")
    principal = BigIntegerField()
    rate = DecimalText(max_length=20)  # as agreed, per `rate_period`, e.g. 0.10
    # A RatePeriod ("month"); empty: per meeting period of `frequency`. The schedule's exact rate
    # per meeting period is loans.compute.period_rate(rate, rate_period, frequency).
    rate_period = CharField(max_length=20, null=True)
    method = CharField(max_length=40)
    periods = IntegerField()
    unit = BigIntegerField(default=1)  # the group's rounding unit when granted
    frequency = CharField(max_length=20)  # the group's meeting frequency when granted
    purpose = CharField(max_length=20)
    status = CharField(max_length=20, default=LoanStatus.ACTIVE.value)
    granted_on = DateField()
    granted_by = ForeignKeyField(User, on_delete="RESTRICT")
    closed_on = DateField(null=True)
    rescheduled_on = DateField(null=True)  # the current schedule starts then
    written_off = BigIntegerField(default=0)
    baseline_principal = BigIntegerField(default=0)
    baseline_interest = BigIntegerField(default=0)
    carried_interest = BigIntegerField(default=0)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("group", "status"), False), (("member", "status"), False))


class LoanInstallment(BaseModel):
    """One period of a loan's schedule. A rescheduling marks the old ones `replaced_on` (kept
    as history) and adds the new ones with the next `version`. `interest` is empty for a
    period of a flexible loan whose charge is not fixed yet (it depends on the balance then)."""

    id = AutoField()
    loan = ForeignKeyField(Loan, backref="installments", on_delete="RESTRICT")
    version = IntegerField(default=0)
    number = IntegerField()
    due_on = DateField()
    principal = BigIntegerField()
    interest = BigIntegerField(null=True)
    replaced_on = DateField(null=True)

    class Meta:
        indexes = ((("loan", "version", "number"), True),)


class LoanGuarantor(BaseModel):
    """A member who stands surety for a loan."""

    id = AutoField()
    loan = ForeignKeyField(Loan, backref="guarantors", on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")

    class Meta:
        indexes = ((("loan", "member"), True),)


class LoanFlag(BaseModel):
    """A safeguard warning shown before a loan was granted, and who acknowledged it, when."""

    id = AutoField()
    loan = ForeignKeyField(Loan, backref="flags", on_delete="RESTRICT")
    code = CharField(max_length=40)
    details = TextField(default="{}")
    acknowledged_by = ForeignKeyField(User, on_delete="RESTRICT")
    acknowledged_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("loan", "code"), True),)


class CycleShareOut(BaseModel):
    """A finalised share-out: the figures the group was shown and paid, kept as they were.

    The money is in the ledger (share_out, social_fund_share_out and loan entries of the
    cycle); these rows keep the sheet the members signed, with the rules it applied.
    """

    id = AutoField()
    cycle = ForeignKeyField(Cycle, unique=True, backref="share_outs", on_delete="RESTRICT")
    held_on = DateField()
    cash = BigIntegerField()  # the loan fund's cash before the payouts, the account's included
    bank = BigIntegerField(default=0)  # of `cash`, what was in the account (brought to the box)
    owed = BigIntegerField()  # principal and interest still owed, deducted from payouts
    value_per_share = DecimalText(max_length=40)
    carry_over = BigIntegerField()  # loan fund cash left for the next cycle
    social_fund = BigIntegerField()  # the social fund's cash before the share-out
    social_fund_carry_over = BigIntegerField()  # social fund cash left for the next cycle
    profit_method = CharField(max_length=20)
    leftover_rule = CharField(max_length=20)
    social_fund_rule = CharField(max_length=20)
    loans_at_share_out = CharField(max_length=20)
    finalised_by = ForeignKeyField(User, on_delete="RESTRICT")
    finalised_at = DateTimeField(default=utcnow)


class ShareOutLine(BaseModel):
    """One member's line of a finalised share-out (negative payout: the member paid in)."""

    id = AutoField()
    share_out = ForeignKeyField(CycleShareOut, backref="lines", on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")
    shares = IntegerField()
    saved = BigIntegerField()
    profit = BigIntegerField()
    deducted = BigIntegerField()
    social_fund = BigIntegerField(default=0)
    payout = BigIntegerField()

    class Meta:
        indexes = ((("share_out", "member"), True),)


class MemberExit(BaseModel):
    """The settlement of a member who left during a cycle, by the cycle's exit rule."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="exits", on_delete="RESTRICT")
    cycle = ForeignKeyField(Cycle, backref="exits", on_delete="RESTRICT")
    settled_on = DateField()
    rule = CharField(max_length=20)
    shares = IntegerField()
    saved = BigIntegerField()
    profit = BigIntegerField()
    deducted = BigIntegerField()
    payout = BigIntegerField()  # negative: the member paid in what savings did not cover
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "cycle"), True),)


class Rotation(BaseModel):
    """A ROSCA's rotation: a contribution per hand each round, paid to one hand per round."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, backref="rotations", on_delete="RESTRICT")
    number = IntegerField()
    contribution = BigIntegerField()  # per hand and round, minor units
    frequency = CharField(max_length=20)  # MeetingFrequency
    start_date = DateField()
    order = CharField(max_length=20)  # RotationOrder
    discount_rule = CharField(max_length=20, default=DiscountRule.SHARED.value)
    late_fine = BigIntegerField(default=0)
    end_rule = CharField(max_length=20, default=EndRule.SHARED.value)  # what stays in the pot
    notes = TextField(default="")
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    started_at = DateTimeField(null=True)  # hands and order fixed from then on
    finished_at = DateTimeField(null=True)
    # The organiser's commission per round, taken from the pot: an amount, or a share of the
    # pot in hundredths of a percent (250 = 2.5 %); paid to `organiser` when a member.
    commission_amount = BigIntegerField(default=0)
    commission_share = IntegerField(default=0)
    organiser = ForeignKeyField(Member, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("group", "number"), True),)


class Hand(BaseModel):
    """A stake in a rotation: it pays the contribution each round and takes the pot once.

    Held by one member, or by two members as half hands (each pays half, they share the pot).
    `position` is its place in a fixed order (empty for lottery and bidding).
    """

    id = AutoField()
    rotation = ForeignKeyField(Rotation, backref="hands", on_delete="RESTRICT")
    number = IntegerField()
    position = IntegerField(null=True)

    class Meta:
        indexes = ((("rotation", "number"), True),)


class HandHolder(BaseModel):
    """A member holding a hand, whole or half (a half hand has two holders)."""

    id = AutoField()
    hand = ForeignKeyField(Hand, backref="holders", on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")
    half = BooleanField(default=False)

    class Meta:
        indexes = ((("hand", "member"), True),)


class Round(BaseModel):
    """One round of a rotation: the contributions come in, then the pot is paid out, once.

    Written when the round is first recorded. The payout fills `recipient` (unique: a hand is
    served once), `discount` (a winning bid's) and who paid it out when; `seed` is the lottery
    seed of a lottery round or of a tie of bids, printed so that anyone can re-run the draw.
    The money itself is in the ledger (see RoundEntry).
    """

    id = AutoField()
    rotation = ForeignKeyField(Rotation, backref="rounds", on_delete="RESTRICT")
    number = IntegerField()
    due_on = DateField()
    pot = BigIntegerField()  # contribution x hands: the pot before any discount
    recipient = ForeignKeyField(Hand, null=True, unique=True, on_delete="RESTRICT")
    seed = CharField(max_length=200, default="")
    discount = BigIntegerField(default=0)
    paid_out_on = DateField(null=True)
    paid_out_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    paid_out_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("rotation", "number"), True),)


class Bid(BaseModel):
    """A hand's offer at a bidding round: the discount on the pot it would give up."""

    id = AutoField()
    round = ForeignKeyField(Round, backref="bids", on_delete="RESTRICT")
    hand = ForeignKeyField(Hand, on_delete="RESTRICT")
    discount = BigIntegerField()
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("round", "hand"), True),)


class Contribution(BaseModel):
    """What a holder of a hand did about their part of a round's pot.

    Never edited: a change is a new row that `replaces` the old one (whose entries are
    reversed in the ledger), so the current row is the one nothing replaces. `entry` is the
    money paid in (by the holder, or by `paid_by` for the holder); `fine_entry` a late fine.
    """

    id = AutoField()
    round = ForeignKeyField(Round, backref="contributions", on_delete="RESTRICT")
    hand = ForeignKeyField(Hand, on_delete="RESTRICT")
    member = ForeignKeyField(Member, on_delete="RESTRICT")  # the holder it is due from
    amount = BigIntegerField()  # the holder's part (0 when not paid)
    status = CharField(max_length=20)  # ContributionStatus
    paid_by = ForeignKeyField(Member, null=True, backref="+", on_delete="RESTRICT")
    entry = ForeignKeyField(Entry, null=True, unique=True, on_delete="RESTRICT")
    fine_entry = ForeignKeyField(Entry, null=True, unique=True, backref="+", on_delete="RESTRICT")
    replaces = ForeignKeyField("self", null=True, unique=True, backref="+", on_delete="RESTRICT")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("round", "hand", "member"), False),
            (("member", "status", "round"), False),  # the dashboard's (migration 0030)
        )


class RoundEntry(BaseModel):
    """Ties a ledger entry (contribution, fine, payout, discount share) to its round, so that a
    rotation's money is read from the ledger even when a group runs several; a reversal
    belongs to the round of the entry it reverses."""

    id = AutoField()
    round = ForeignKeyField(Round, backref="entries", on_delete="RESTRICT")
    entry = ForeignKeyField(Entry, unique=True, on_delete="RESTRICT")


class TurnSwap(BaseModel):
    """Two hands of a started fixed rotation, both still waiting, exchanged their turns (their
    holders agreed): the positions each had before, who recorded it and why."""

    id = AutoField()
    rotation = ForeignKeyField(Rotation, backref="swaps", on_delete="RESTRICT")
    first_hand = ForeignKeyField(Hand, backref="+", on_delete="RESTRICT")
    second_hand = ForeignKeyField(Hand, backref="+", on_delete="RESTRICT")
    first_position = IntegerField()  # the first hand's position before the swap
    second_position = IntegerField()
    note = TextField(default="")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)


class RotationEnd(BaseModel):
    """What became of what stayed in a finished rotation's pot: shared among the members by
    hands, or carried over to `carried_to`; `left` is what was too small to share (it stays
    in the pot). shared + carried + left = remainder."""

    id = AutoField()
    rotation = ForeignKeyField(Rotation, unique=True, backref="+", on_delete="RESTRICT")
    rule = CharField(max_length=20)  # EndRule
    remainder = BigIntegerField()
    shared = BigIntegerField()
    carried = BigIntegerField()
    left = BigIntegerField()
    carried_to = ForeignKeyField(Rotation, null=True, backref="+", on_delete="RESTRICT")
    held_on = DateField()
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)


class RotationEntry(BaseModel):
    """Ties a pot entry to a rotation outside its rounds: the shares of what stayed in the pot at
    the end, and a carry-over out of one rotation (-) and into the next (+)."""

    id = AutoField()
    rotation = ForeignKeyField(Rotation, backref="+", on_delete="RESTRICT")
    entry = ForeignKeyField(Entry, unique=True, on_delete="RESTRICT")


class DebtRepayment(BaseModel):
    """A member repaying another who paid a contribution for them: the money goes through the
    pot (+ from the debtor, - to the creditor, two entries of kind debt_repayment)."""

    id = AutoField()
    rotation = ForeignKeyField(Rotation, backref="repayments", on_delete="RESTRICT")
    debtor = ForeignKeyField(Member, backref="+", on_delete="RESTRICT")
    creditor = ForeignKeyField(Member, backref="+", on_delete="RESTRICT")
    amount = BigIntegerField()
    paid_on = DateField()
    debtor_entry = ForeignKeyField(Entry, unique=True, backref="+", on_delete="RESTRICT")
    creditor_entry = ForeignKeyField(Entry, unique=True, backref="+", on_delete="RESTRICT")
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("rotation", "debtor", "creditor"), False),)


class BundleRow(BaseModel):
    """Which local row a row of an imported bundle became: (origin, table, origin_id) is the
    row's identity where it was first written (the installation's UUID and its id there)."""

    id = AutoField()
    origin = CharField(max_length=36)
    table = CharField(max_length=40, column_name="table_name")
    origin_id = BigIntegerField()
    local_id = BigIntegerField()
    origin_username = CharField(max_length=40, null=True)  # users: the name they log in with

    class Meta:
        indexes = (
            (("origin", "table", "origin_id"), True),
            (("table", "local_id"), False),
        )


class BundleExchange(BaseModel):
    """A group's books sent (export) or brought (import, `instance` = the laptop that wrote
    the bundle) with its sequence, and the local marks then (the group's highest audit and
    entry ids) that tell whether the group changed here since."""

    id = AutoField()
    group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
    direction = CharField(max_length=10)  # "export" or "import"
    instance = CharField(max_length=36)
    sequence = IntegerField()
    fingerprint = CharField(max_length=64)
    at = DateTimeField(default=utcnow)
    by = CharField(max_length=200, default="")
    audit_mark = BigIntegerField(default=0)
    entry_mark = BigIntegerField(default=0)
    counts = TextField(default="{}")

    class Meta:
        indexes = ((("group", "direction", "instance"), False),)


class MemberConsent(BaseModel):
    """A member's own consent to a record of their savings, loans and attendance being printed
    for a lender. The group's consent does not replace it. Never edited: the latest row holds
    (withdrawn = a row with `allows_lender_record` false)."""

    id = AutoField()
    member = ForeignKeyField(Member, backref="consents", on_delete="RESTRICT")
    allows_lender_record = BooleanField(default=True)
    given_on = DateField()
    recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
    recorded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("member", "id"), False),)


class ApiToken(BaseModel):
    """A read-only token of the JSON API, made by an admin. Only its SHA-256 is kept; it covers
    the groups listed in `group_ids` (comma-separated) or all groups when `all_groups`."""

    id = AutoField()
    name = CharField(max_length=200)
    token_hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=12)  # the first characters, to recognise it in the list
    all_groups = BooleanField(default=False)
    group_ids = TextField(default="")
    allows_phones = BooleanField(default=False)
    created_by = ForeignKeyField(User, on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    revoked_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", column_name="revoked_by_id")
    last_used_at = DateTimeField(null=True)

    @property
    def group_id_set(self) -> frozenset[int]:
        return frozenset(int(v) for v in self.group_ids.split(",") if v)


class BooksVersion(BaseModel):
    """How many times a group's books have changed: raised by the database's own triggers on
    every row written to a table the figures are read from (migration 0031), so that no writer
    (a view, the demo loader, a bundle import) can forget it. A group with no row is at 0."""

    group_id = BigIntegerField(primary_key=True)  # not a foreign key: never in the way of a delete
    version = BigIntegerField(default=0)


class StoredFigures(BaseModel):
    """A group's figures as of a day, as computed at a version of its books (JSON): read instead
    of computing them again while the group's books are at that version."""

    group_id = BigIntegerField()
    kind = CharField(max_length=20)  # which figures: "indicators" or "oversight"
    as_of = DateField()
    version = BigIntegerField()
    figures = TextField()

    class Meta:
        primary_key = CompositeKey("group_id", "kind", "as_of")


def groups_among(ids) -> Expression:
    """SavingsGroup.id IN (the ids written out): a query run several times over a thousand ids
    (a page, its count) would build a thousand peewee parameters each time."""
    return Expression(SavingsGroup.id, OP.IN, SQL(f"({written_out(ids)})"))


ALL_MODELS = [
    Organization,
    User,
    LoginThrottle,
    SavingsGroup,
    GroupAssignment,
    AuditEntry,
    Member,
    MemberPhoto,
    Cycle,
    FineType,
    RuleDecision,
    Meeting,
    Attendance,
    Entry,
    CashCount,
    Loan,
    LoanInstallment,
    LoanGuarantor,
    LoanFlag,
    CycleShareOut,
    ShareOutLine,
    MemberExit,
    Rotation,
    Hand,
    HandHolder,
    Round,
    Bid,
    Contribution,
    RoundEntry,
    TurnSwap,
    RotationEnd,
    RotationEntry,
    DebtRepayment,
    BundleRow,
    BundleExchange,
    MemberConsent,
    ApiToken,
    BooksVersion,
    StoredFigures,
]
