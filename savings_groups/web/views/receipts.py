"""Members' receipts after a meeting as short texts the treasurer sends from their own phone."""

from dataclasses import dataclass

from flask import Blueprint, abort, render_template
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from savings_groups.core.gsm import SmsLength, plain_spaces, sms_length
from savings_groups.core.money import format_amount
from savings_groups.org import access
from savings_groups.org.access import Action
from savings_groups.reports import receipts as receipt_report
from savings_groups.reports.receipts import Receipt
from savings_groups.store.models import Meeting

bp = Blueprint("receipts", __name__, url_prefix="/groups/<int:group_id>/meetings/<int:meeting_id>")


@dataclass(frozen=True)
class ReceiptText:
    receipt: Receipt
    text: str
    length: SmsLength

    @property
    def length_text(self) -> str:
        segments = ngettext(
            "%(num)d SMS", "%(num)d SMS", self.length.segments, num=self.length.segments
        )
        return _(
            "%(characters)s characters in %(encoding)s: %(segments)s",
            characters=self.length.characters,
            encoding=self.length.encoding,
            segments=segments,
        )


def receipt_text(group, meeting, receipt: Receipt) -> str:
    """A member's receipt in a few words, in the page's language, with plain spaces so that
    a phone can send it in GSM-7 when its letters allow."""
    locale = str(get_locale())

    def money(amount: int) -> str:
        return format_amount(amount, group.currency, locale)

    row = receipt.figures
    paid = [
        text
        for amount, text in (
            (row.savings, _("shares %(amount)s", amount=money(row.savings))),
            (row.social_fund, _("social fund %(amount)s", amount=money(row.social_fund))),
            (row.fines, _("fines %(amount)s", amount=money(row.fines))),
            (row.repaid, _("loan repaid %(amount)s", amount=money(row.repaid))),
        )
        if amount
    ]
    parts = [
        _(
            "%(group)s %(date)s. %(name)s:",
            group=group.name,
            date=format_date(meeting.held_on, "short"),
            name=row.member.full_name,
        ),
        _("paid %(what)s.", what=", ".join(paid)) if paid else _("nothing paid."),
        _(
            "Savings %(amount)s (%(shares)s shares).",
            amount=money(row.savings_to_date),
            shares=row.shares_to_date,
        ),
    ]
    if row.loan_received:
        parts.append(_("Loan received %(amount)s.", amount=money(row.loan_received)))
    for position in receipt.loans:
        parts.append(_("Loan balance %(amount)s.", amount=money(position.outstanding)))
        if position.arrears:
            parts.append(_("Late %(amount)s.", amount=money(position.arrears)))
        if position.next_due_on is not None and position.next_amount:
            parts.append(
                _(
                    "Next %(amount)s on %(date)s.",
                    amount=money(position.next_amount),
                    date=format_date(position.next_due_on, "short"),
                )
            )
        elif position.next_amount:
            parts.append(_("Due now %(amount)s.", amount=money(position.next_amount)))
    return plain_spaces(" ".join(parts))


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
    return render_template(
        "receipts/texts.html", group=group, meeting=meeting, texts=receipt_texts(group, meeting)
    )
