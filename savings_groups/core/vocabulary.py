"""The app's vocabulary: every fixed list of values (a Choice enum) and its translatable labels.

Stored as text in the database and passed as plain strings to the pure modules, so it lives here,
below the store: models, pure computations and pages all import the same names.
"""

from enum import StrEnum
from fractions import Fraction

from savings_groups.core.errors import N_, NP_


class Choice(StrEnum):
    """A fixed list of values stored as text; each has a translatable label in its LABELS."""

    @property
    def label(self) -> str:
        return type(self).LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


def labelled(enum: type[Choice], labels: dict) -> type[Choice]:
    """Attach the labels (msgids) to an enum; every member must have one."""
    assert set(labels) == set(enum), enum
    enum.LABELS = labels
    return enum


class Role(Choice):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    RECORDER = "recorder"
    VIEWER = "viewer"


labelled(
    Role,
    {
        Role.ADMIN: N_("Administrator"),
        Role.FACILITATOR: N_("Facilitator"),
        Role.RECORDER: N_("Recorder"),
        Role.VIEWER: N_("Viewer"),
    },
)


class GroupKind(Choice):
    SAVINGS = "savings"
    ROSCA = "rosca"


labelled(
    GroupKind, {GroupKind.SAVINGS: N_("Savings group"), GroupKind.ROSCA: N_("ROSCA (tontine)")}
)


class MeetingFrequency(Choice):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


labelled(
    MeetingFrequency,
    {
        MeetingFrequency.WEEKLY: N_("Every week"),
        MeetingFrequency.FORTNIGHTLY: N_("Every two weeks"),
        MeetingFrequency.MONTHLY: N_("Every month"),
    },
)


class Gender(Choice):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNSTATED = "unstated"


labelled(
    Gender,
    {
        Gender.FEMALE: N_("Woman"),
        Gender.MALE: N_("Man"),
        Gender.OTHER: N_("Other"),
        Gender.UNSTATED: N_("Not stated"),
    },
)


class MemberType(Choice):
    RETURNEE = "returnee"
    COMMUNITY = "community"
    OTHER = "other"


labelled(
    MemberType,
    {
        MemberType.RETURNEE: N_("Returnee"),
        MemberType.COMMUNITY: N_("Community member"),
        MemberType.OTHER: N_("Other"),
    },
)


class GroupRole(Choice):
    CHAIR = "chair"
    SECRETARY = "secretary"
    TREASURER = "treasurer"
    KEY_HOLDER = "key_holder"
    MONEY_COUNTER = "money_counter"
    MEMBER = "member"


labelled(
    GroupRole,
    {
        GroupRole.CHAIR: N_("Chair"),
        GroupRole.SECRETARY: N_("Secretary"),
        GroupRole.TREASURER: N_("Treasurer"),
        GroupRole.KEY_HOLDER: N_("Key holder"),
        GroupRole.MONEY_COUNTER: N_("Money counter"),
        GroupRole.MEMBER: N_("Member"),
    },
)


class ProfitMethod(Choice):
    PROPORTIONAL = "proportional"  # profit in proportion to shares (shareout.compute)
    TIME_WEIGHTED = "time_weighted"  # shares bought earlier earn more


labelled(
    ProfitMethod,
    {
        ProfitMethod.PROPORTIONAL: N_("In proportion to shares"),
        ProfitMethod.TIME_WEIGHTED: N_("By shares and how long each was held"),
    },
)


class LeftoverRule(Choice):
    LARGEST_REMAINDER = "largest_remainder"
    CARRY_OVER = "carry_over"


labelled(
    LeftoverRule,
    {
        LeftoverRule.LARGEST_REMAINDER: N_("Given one by one to the largest remainders"),
        LeftoverRule.CARRY_OVER: N_("All carried over to the next cycle"),
    },
)


class SocialFundRule(Choice):
    KEPT = "kept"
    SPLIT_EQUALLY = "split_equally"


labelled(
    SocialFundRule,
    {
        SocialFundRule.KEPT: N_("Kept for the next cycle"),
        SocialFundRule.SPLIT_EQUALLY: N_("Split equally among the members"),
    },
)


class LoansAtShareOut(Choice):
    REPAY_FIRST = "repay_first"
    DEDUCT = "deduct"


labelled(
    LoansAtShareOut,
    {
        LoansAtShareOut.REPAY_FIRST: N_("All loans must be repaid before the share-out"),
        LoansAtShareOut.DEDUCT: N_("What a member owes is deducted from the payout"),
    },
)


class ExitRule(Choice):
    SAVINGS_ONLY = "savings_only"
    SAVINGS_AND_PROFIT = "savings_and_profit"


labelled(
    ExitRule,
    {
        ExitRule.SAVINGS_ONLY: N_("Savings back only"),
        ExitRule.SAVINGS_AND_PROFIT: N_("Savings with the profit to date"),
    },
)


class MeetingStatus(Choice):
    DRAFT = "draft"
    CLOSED = "closed"


labelled(MeetingStatus, {MeetingStatus.DRAFT: N_("Draft"), MeetingStatus.CLOSED: N_("Closed")})


class AttendanceStatus(Choice):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"
    LATE = "late"
    REPRESENTED = "represented"


labelled(
    AttendanceStatus,
    {
        AttendanceStatus.PRESENT: N_("Present"),
        AttendanceStatus.ABSENT: N_("Absent"),
        AttendanceStatus.EXCUSED: N_("Excused"),
        AttendanceStatus.LATE: N_("Late"),
        AttendanceStatus.REPRESENTED: N_("Represented"),
    },
)


class Fund(Choice):
    LOAN_FUND = "loan_fund"
    SOCIAL_FUND = "social_fund"
    POT = "pot"
    # The group's bank or mobile-money account: the loan fund's money kept outside the box.
    BANK = "bank"


labelled(
    Fund,
    {
        Fund.LOAN_FUND: N_("Loan fund"),
        Fund.SOCIAL_FUND: N_("Social fund"),
        Fund.POT: N_("Pot"),
        Fund.BANK: N_("Bank or mobile-money account"),
    },
)

# The cash boxes a savings group counts at each meeting (the account is counted apart).
BOXES = (Fund.LOAN_FUND, Fund.SOCIAL_FUND)


class Channel(Choice):
    """Where the money of an entry moved: counted in the box, or through an account."""

    CASH = "cash"
    MOBILE_MONEY = "mobile_money"
    BANK = "bank"


labelled(
    Channel,
    {Channel.CASH: N_("Cash"), Channel.MOBILE_MONEY: N_("Mobile money"), Channel.BANK: N_("Bank")},
)


class EntryKind(Choice):
    OPENING_BALANCE = "opening_balance"
    SHARE_PURCHASE = "share_purchase"
    SOCIAL_FUND_CONTRIBUTION = "social_fund_contribution"
    FINE = "fine"
    WELFARE_GRANT = "welfare_grant"
    CASH_DIFFERENCE = "cash_difference"
    LOAN_DISBURSEMENT = "loan_disbursement"
    LOAN_INTEREST = "loan_interest"
    LOAN_PRINCIPAL = "loan_principal"
    LOAN_WRITE_OFF = "loan_write_off"
    # share-out, exits and the next cycle
    SHARE_OUT = "share_out"  # a member's payout at the share-out (- out; + a member paying in)
    SOCIAL_FUND_SHARE_OUT = "social_fund_share_out"  # the social fund split among members
    CARRY_OVER = "carry_over"  # cash moved from a closed cycle (-) to the next one (+)
    EXIT_SETTLEMENT = "exit_settlement"  # paid to a member who leaves during the cycle
    # ROSCAs (fund: pot)
    CONTRIBUTION = "contribution"
    POT_PAYOUT = "pot_payout"
    BID_DISCOUNT = "bid_discount"  # a winning bid's discount shared out to the other members
    LATE_FINE = "late_fine"
    ROTATION_SHARE = "rotation_share"  # what stayed in the pot at the end, shared by hands
    POT_CARRY_OVER = "pot_carry_over"  # what stayed in the pot, moved (-) to the next rotation (+)
    # the group's own money, approved in a meeting (loan fund, social fund or the account)
    GROUP_EXPENSE = "group_expense"  # a padlock, passbooks, a bank fee (- out)
    OTHER_INCOME = "other_income"  # bank interest, a donation (+ in)
    # between the loan fund's box and the account: two entries each, one per fund
    ACCOUNT_DEPOSIT = "account_deposit"  # taken from the box (-) to the account (+)
    ACCOUNT_WITHDRAWAL = "account_withdrawal"  # taken from the account (-) to the box (+)
    COMMISSION = "commission"  # the organiser's commission taken from a round's pot
    DEBT_REPAYMENT = "debt_repayment"  # a member repaying one who paid a contribution for them


labelled(
    EntryKind,
    {
        EntryKind.OPENING_BALANCE: N_("Opening balance"),
        EntryKind.SHARE_PURCHASE: N_("Shares bought"),
        EntryKind.SOCIAL_FUND_CONTRIBUTION: N_("Social fund contribution"),
        EntryKind.FINE: N_("Fine"),
        EntryKind.WELFARE_GRANT: N_("Welfare grant"),
        EntryKind.CASH_DIFFERENCE: N_("Cash difference"),
        EntryKind.LOAN_DISBURSEMENT: N_("Loan paid out"),
        EntryKind.LOAN_INTEREST: N_("Loan interest paid"),
        EntryKind.LOAN_PRINCIPAL: N_("Loan repaid"),
        EntryKind.LOAN_WRITE_OFF: N_("Loan written off"),
        EntryKind.SHARE_OUT: N_("Share-out payout"),
        EntryKind.SOCIAL_FUND_SHARE_OUT: N_("Social fund shared out"),
        EntryKind.CARRY_OVER: N_("Carried over"),
        EntryKind.EXIT_SETTLEMENT: N_("Paid to a member leaving"),
        EntryKind.CONTRIBUTION: N_("Contribution"),
        EntryKind.POT_PAYOUT: N_("Pot paid out"),
        EntryKind.BID_DISCOUNT: N_("Share of a winning bid"),
        EntryKind.LATE_FINE: N_("Late fine"),
        EntryKind.ROTATION_SHARE: N_("Share of what stayed in the pot"),
        EntryKind.POT_CARRY_OVER: N_("Carried over to the next rotation"),
        EntryKind.GROUP_EXPENSE: N_("Group expense"),
        EntryKind.OTHER_INCOME: N_("Other income"),
        EntryKind.ACCOUNT_DEPOSIT: N_("Taken to the account"),
        EntryKind.ACCOUNT_WITHDRAWAL: N_("Brought back from the account"),
        EntryKind.COMMISSION: N_("Organiser's commission"),
        EntryKind.DEBT_REPAYMENT: N_("Repaid to a member who paid for another"),
    },
)


class LoanStatus(Choice):
    ACTIVE = "active"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"


labelled(
    LoanStatus,
    {
        LoanStatus.ACTIVE: N_("Being repaid"),
        LoanStatus.REPAID: N_("Repaid"),
        LoanStatus.WRITTEN_OFF: N_("Written off"),
    },
)


class LoanPurpose(Choice):
    BUSINESS = "business"
    EDUCATION = "education"
    HEALTH = "health"
    HOUSEHOLD = "household"
    REPAY_DEBT = "repay_debt"
    OTHER = "other"


labelled(
    LoanPurpose,
    {
        LoanPurpose.BUSINESS: N_("Business"),
        LoanPurpose.EDUCATION: N_("Education"),
        LoanPurpose.HEALTH: N_("Health"),
        LoanPurpose.HOUSEHOLD: N_("Household"),
        LoanPurpose.REPAY_DEBT: N_("Repaying another debt"),
        LoanPurpose.OTHER: N_("Other"),
    },
)


class RotationOrder(Choice):
    FIXED = "fixed"
    LOTTERY = "lottery"
    BIDDING = "bidding"


labelled(
    RotationOrder,
    {
        RotationOrder.FIXED: N_("Fixed order agreed by the group"),
        RotationOrder.LOTTERY: N_("Lottery draw at each round"),
        RotationOrder.BIDDING: N_("Bidding at each round"),
    },
)


class DiscountRule(Choice):
    SHARED = "shared"
    KEPT = "kept"


labelled(
    DiscountRule,
    {
        DiscountRule.SHARED: N_("Shared among the other members"),
        DiscountRule.KEPT: N_("Kept as a group fund"),
    },
)


class EndRule(Choice):
    """What becomes of what stayed in a rotation's pot (kept discounts, late fines, leftovers)
    once its last round is paid out."""

    SHARED = "shared"
    CARRIED = "carried"


labelled(
    EndRule,
    {
        EndRule.SHARED: N_("Shared among the members, by their hands"),
        EndRule.CARRIED: N_("Carried over to the next rotation"),
    },
)


class ContributionStatus(Choice):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    COVERED = "covered"  # paid by another member on the holder's behalf
    PARTIAL = "partial"  # the holder paid part of it; the rest comes later


labelled(
    ContributionStatus,
    {
        ContributionStatus.ON_TIME: N_("Paid on time"),
        ContributionStatus.LATE: N_("Paid late"),
        ContributionStatus.MISSING: N_("Not paid"),
        ContributionStatus.COVERED: N_("Paid by another member"),
        ContributionStatus.PARTIAL: N_("Paid in part"),
    },
)


class LoanMethod(Choice):
    FLAT = "flat"
    DECLINING_EQUAL_INSTALLMENT = "declining_equal_installment"
    DECLINING_EQUAL_PRINCIPAL = "declining_equal_principal"
    FLEXIBLE = "flexible"


labelled(
    LoanMethod,
    {
        LoanMethod.FLAT: N_("Flat: interest on the amount lent, each period"),
        LoanMethod.DECLINING_EQUAL_INSTALLMENT: N_("Declining balance, equal installments"),
        LoanMethod.DECLINING_EQUAL_PRINCIPAL: N_("Declining balance, equal principal"),
        LoanMethod.FLEXIBLE: N_("Flexible: interest on what is owed, principal repaid by the end"),
    },
)


class RatePeriod(Choice):
    """The period an interest rate is said for ("10 % a month"), whatever the meeting frequency."""

    WEEK = "week"
    TWO_WEEKS = "two_weeks"
    FOUR_WEEKS = "four_weeks"
    MONTH = "month"


labelled(
    RatePeriod,
    {
        RatePeriod.WEEK: N_("a week"),
        RatePeriod.TWO_WEEKS: N_("per 2 weeks"),
        RatePeriod.FOUR_WEEKS: N_("per 4 weeks"),
        RatePeriod.MONTH: N_("a month"),
    },
)

# A rate with its period named, for display: "10% a month" (the percent already formatted).
RATE_PHRASES = {
    RatePeriod.WEEK: N_("%(percent)s%% a week"),
    RatePeriod.TWO_WEEKS: N_("%(percent)s%% per 2 weeks"),
    RatePeriod.FOUR_WEEKS: N_("%(percent)s%% per 4 weeks"),
    RatePeriod.MONTH: N_("%(percent)s%% a month"),
}

# The length of each rate period in weeks, exactly: a month is a twelfth of 52 weeks (13/3), the
# way groups count ("10 % a month" at weekly meetings is 10 × 12/52 % a week).
WEEKS = {
    RatePeriod.WEEK: Fraction(1),
    RatePeriod.TWO_WEEKS: Fraction(2),
    RatePeriod.FOUR_WEEKS: Fraction(4),
    RatePeriod.MONTH: Fraction(52, 12),
}

# The period of a meeting frequency, the one a rate "per meeting period" was said for.
MEETING_PERIOD = {
    MeetingFrequency.WEEKLY: RatePeriod.WEEK,
    MeetingFrequency.FORTNIGHTLY: RatePeriod.TWO_WEEKS,
    MeetingFrequency.MONTHLY: RatePeriod.MONTH,
}


class LoanWarning(Choice):
    """Safeguards: shown before a loan is granted, not blocking, recorded when acknowledged."""

    ARREARS = "arrears"
    REPAY_DEBT = "repay_debt"
    DEBT_RATIO = "debt_ratio"
    THIRD_CONSECUTIVE = "third_consecutive"
    PAST_CYCLE_END = "past_cycle_end"


labelled(
    LoanWarning,
    {
        LoanWarning.ARREARS: N_("The member is late repaying a loan"),
        LoanWarning.REPAY_DEBT: N_("The loan is to repay another debt"),
        LoanWarning.DEBT_RATIO: N_("Debt high compared with savings"),
        LoanWarning.THIRD_CONSECUTIVE: N_("Third loan in a row without a break"),
        LoanWarning.PAST_CYCLE_END: N_("Repaid after the cycle's planned end"),
    },
)


# Words about a member that languages such as French agree with the member's gender: « présente »,
# « présidente », « migrante de retour », « servie ». Where the member's gender is known they are
# looked up in its context (msgctxt "female" or "male"), otherwise as the plain message (French
# then writes both forms, « président/présidente »). The web layer's `gendered` does the lookup.
GENDER_CONTEXTS = {Gender.FEMALE.value: "female", Gender.MALE.value: "male"}
SERVED = N_("served")  # a ROSCA member whose hand has taken the pot
NET_CREDITOR = N_("net creditor")  # a ROSCA member who has paid in more than received
NET_DEBTOR = N_("net debtor")  # a ROSCA member who has received more than paid in
GENDERED = frozenset(
    {
        NP_("female", "Returnee"),
        NP_("male", "Returnee"),
        NP_("female", "Chair"),
        NP_("male", "Chair"),
        NP_("female", "Treasurer"),
        NP_("male", "Treasurer"),
        NP_("female", "Key holder"),
        NP_("male", "Key holder"),
        NP_("female", "Money counter"),
        NP_("male", "Money counter"),
        NP_("female", "Present"),
        NP_("male", "Present"),
        NP_("female", "Absent"),
        NP_("male", "Absent"),
        NP_("female", "Excused"),
        NP_("male", "Excused"),
        NP_("female", "Represented"),
        NP_("male", "Represented"),
        NP_("female", "served"),
        NP_("male", "served"),
        NP_("female", "net creditor"),
        NP_("male", "net creditor"),
        NP_("female", "net debtor"),
        NP_("male", "net debtor"),
    }
)


class BackupReason(Choice):
    """Why a backup was taken; it is part of the backup's file name."""

    START = "start"
    DAILY = "daily"
    MIGRATION = "migration"
    SHAREOUT = "shareout"
    MANUAL = "manual"
    REPLACED = "replaced"  # the database a restore replaced, kept aside


labelled(
    BackupReason,
    {
        BackupReason.START: N_("App started"),
        BackupReason.DAILY: N_("Daily"),
        BackupReason.MIGRATION: N_("Before an upgrade of the database"),
        BackupReason.SHAREOUT: N_("Before a share-out"),
        BackupReason.MANUAL: N_("Made by hand"),
        BackupReason.REPLACED: N_("Replaced by a restore"),
    },
)


class ConsentScope(Choice):
    """What member-level data (names, phones, per-member figures) a group lets leave the app."""

    MEMBER_EXPORTS = "member_exports"
    API = "api"
    BUNDLES = "bundles"


labelled(
    ConsentScope,
    {
        ConsentScope.MEMBER_EXPORTS: N_("Member lists and each member's figures in exported files"),
        ConsentScope.API: N_("Member data through the organization's API"),
        ConsentScope.BUNDLES: N_("The group's books copied to the organization's other computers"),
    },
)
