"""A loan in arrears looks like one everywhere: « En retard (n jours) » on the loans list, the
loan's page, the group page, the passbook and the members list, in the warning colour, whose
contrast (and that of links on coloured rows) is at least 4.5:1."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from savings_groups.core.money import format_amount
from tests.core.test_dates import set_clock
from tests.web.views.test_loans import lend, part, text  # noqa: F401  (lend: a fixture)

CSS = Path(__file__).parents[3] / "savings_groups" / "static" / "css" / "app.css"
ROW_COLOURS = {"warning": "#fff3cd", "danger": "#f8d7da", "warning, hovered": "#e6dbb9"}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, two: str) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def rule(selector: str) -> str:
    css = CSS.read_text(encoding="utf-8")
    return re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", css).group(1)


def colour(declarations: str, name: str) -> str:
    return re.search(rf"(?:^|;)\s*{name}:\s*(#[0-9a-f]{{6}})", declarations).group(1)


def test_the_warning_colour_and_links_on_coloured_rows_read_at_4_5_to_1():
    late = rule(".status-late")
    assert round(contrast(colour(late, "color"), colour(late, "background")), 2) == 7.21
    link = colour(rule(".table-warning a:not(.btn)"), "color")
    ratios = {name: round(contrast(link, bg), 2) for name, bg in ROW_COLOURS.items()}
    assert ratios == {"warning": 8.45, "danger": 7.01, "warning, hovered": 6.78}
    # Bootstrap's own link blue would not do on these rows.
    assert contrast("#0d6efd", ROW_COLOURS["warning"]) < 4.5


def test_a_late_loan_says_so_on_every_page_in_french(lend, make_user, web, monkeypatch):  # noqa: F811
    set_clock(monkeypatch, "UTC", datetime(2026, 2, 22, 12, tzinfo=UTC))
    w = lend(savings=(10_000, 10_000))
    loan = w.grant(w.members[0], 3_000, periods=3, on=date(2026, 2, 2))
    make_user("animatrice", groups=[w.group], locale="fr")
    web.login("animatrice")
    # 1,300 XOF fell due on Feb 9 and 1,300 more on Feb 16: 2,600 late, the oldest 13 days.
    late, amount = "En retard (13 jours)", format_amount(2_600, "XOF", "fr")
    pages = {
        "loans": (w.url(), f"loan-{loan.id}"),
        "loan": (w.url(loan.id), "loan-status"),
        "group": (f"/groups/{w.group.id}", "loans-late"),
        "passbook": (
            f"/groups/{w.group.id}/members/{w.members[0].id}/passbook",
            f"passbook-loan-{loan.id}",
        ),
        "members": (f"/groups/{w.group.id}/members", "member-1"),
    }
    for name, (path, element) in pages.items():
        response = web.client.get(path)
        assert response.status_code == 200, name
        shown = part(response, element)
        assert late in shown, (name, shown)
        assert 'class="status-late"' in response.get_data(as_text=True), name
        if name != "loan":
            assert amount in shown or name == "loans", (name, shown)
    assert "En retard" not in part(web.client.get(f"/groups/{w.group.id}/members"), "member-2")
