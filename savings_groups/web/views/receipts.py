"""Members' receipts after a meeting as short texts the treasurer sends from their own phone."""

from dataclasses import dataclass

from babel.dates import format_skeleton
from babel.numbers import get_currency_symbol
from flask import Blueprint, abort
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups.core.gsm import SmsLength, is_gsm7, plain_spaces, sms_length
from savings_groups.core.money import format_amount
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports import receipts as receipt_report
from savings_groups.reports.receipts import Receipt
from savings_groups.store.models import Meeting
from savings_groups.web.i18n import render_printed

bp = Blueprint("receipts", __name__, url_prefix="/groups/<int:group_id>/meetings/<int:meeting_id>")


@dataclass(frozen=True)
class ReceiptText:
    receipt: Receipt
    text: str
    length: SmsLength

    @property
    def length_text(self) -> str:
        segments = ngettext("%(num)d SMS", "%(num)d SMS", self.length.segments)
        return _(
            "%(characters)s characters in %(encoding)s: %(segments)s",
            characters=self.length.characters,
            encoding=self.length.encoding,
            segments=segments,
        )


def receipt_text(group, meeting, receipt: Receipt) -> str:
    """A member's receipt in a few words, in the page's language: amounts without their
    currency, named once at the end, and plain spaces, so that a phone can send it in GSM-7
    (one SMS of 160 characters) when its letters allow."""
    locale = str(get_locale())

    def money(amount: int) -> str:
        return format_amount(amount, group.currency, locale, with_symbol=False)

    def day(when) -> str:  # day and month only: a receipt speaks of the weeks around it
        return format_skeleton("Md", when, locale=locale)

    row = receipt.figures
    paid = [
        text
        for amount, text in (
            (row.savings, _("shares %(amount)s", amount=money(row.savings))),
            (row.social_fund, _("social fund %(amount)s", amount=money(row.social_fund))),
            (row.fines, _("fines %(amount)s", amount=money(row.fines))),
            (row.repaid, _("repaid %(amount)s", amount=money(row.repaid))),
        )
        if amount
    ]
    parts = [
        _(
            "%(group)s %(date)s, %(name)s.",
            group=group.name,
            date=day(meeting.held_on),
            name=row.member.full_name,
        ),
        _("Paid: %(what)s.", what=", ".join(paid)) if paid else _("Nothing paid."),
        _("Savings %(amount)s.", amount=money(row.savings_to_date)),
    ]
    if row.loan_received:
        parts.append(_("Borrowed %(amount)s.", amount=money(row.loan_received)))
    for position in receipt.loans:
        parts.append(_("Still to repay %(amount)s.", amount=money(position.outstanding)))
        if position.arrears:
            parts.append(_("Late %(amount)s.", amount=money(position.arrears)))
        if position.next_due_on is not None and position.next_amount:
            parts.append(
                _(
                    "Next %(amount)s on %(date)s.",
                    amount=money(position.next_amount),
                    date=day(position.next_due_on),
                )
            )
        elif position.next_amount:
            parts.append(_("Due now %(amount)s.", amount=money(position.next_amount)))
    parts.append(_("(%(currency)s)", currency=currency_said(group.currency, locale)))
    return plain_spaces(" ".join(parts))


def currency_said(currency: str, locale: str) -> str:
    """The currency's symbol where a phone sends it in GSM-7 (F CFA), else its code (NGN, not
    the naira sign, which would make the whole message UCS-2)."""
    symbol = plain_spaces(get_currency_symbol(currency, locale))
    return symbol if is_gsm7(symbol) else currency


def receipt_texts(group, meeting) -> list[ReceiptText]:
    result = []
    for receipt in receipt_report.receipts(meeting):
        text = receipt_text(group, meeting, receipt)
        result.append(ReceiptText(receipt, text, sms_length(text)))
    return result


@bp.route("/texts")
@login_required
def texts(group_id: int, meeting_id: int):
    group = access.group_for(current_user.user, group_id, Action.VIEW_GROUP)
    meeting = Meeting.get_or_none((Meeting.id == meeting_id) & (Meeting.group == group))
    if meeting is None:
        abort(404)
    return render_printed(
        "receipts/texts.html", group, meeting=meeting, texts=receipt_texts(group, meeting)
    )
