"""The group page and the home page lead to today's meeting; the preview's money affixes."""

import re
from datetime import timedelta

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Role
from savings_groups.store.models import Meeting
from savings_groups.web.views.meetings import money_affixes


def test_the_group_page_opens_todays_meeting_then_leads_back_to_it(
    web, conn, make_user, make_group, make_member, make_cycle
):
    group = make_group("Benkadi")
    make_member(group)
    make_cycle(
        group,
        start_date=dates.today() - timedelta(days=10),
        planned_end=dates.today() + timedelta(days=100),
    )
    make_user("rec", role=Role.RECORDER, groups=[group])
    web.login("rec")
    page = web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert re.search(r"Record today(&#39;|')s meeting", page)
    # The button is the first control of the page's content.
    content = page[page.index('id="main"') :]
    first = re.search(
        r'<(?:a|button|select|textarea)\b[^>]*>|<input(?![^>]*type="hidden")[^>]*>', content
    )
    assert f'id="today-meeting-{group.id}"' in first.group(0)
    answer = web.post(
        f"/groups/{group.id}/meetings/new",
        {"held_on": dates.today().isoformat()},
        form_path=f"/groups/{group.id}",
    )
    assert answer.status_code == 302
    meeting = Meeting.get(Meeting.group == group)
    assert meeting.held_on == dates.today()
    for path in (f"/groups/{group.id}", "/"):
        page = web.client.get(path).get_data(as_text=True)
        assert f'href="/groups/{group.id}/meetings/{meeting.id}"' in page
        assert "Continue the meeting of" in page


def test_money_affixes_are_babels():
    for locale in ("en", "fr"):
        affixes = money_affixes("XOF", locale)
        text = format_amount(930_200, "XOF", locale)
        number = format_amount(930_200, "XOF", locale, with_symbol=False)
        assert affixes["prefix"] + number + affixes["suffix"] == text
        negative = format_amount(-930_200, "XOF", locale)
        assert affixes["neg-prefix"] + number + affixes["neg-suffix"] == negative
    assert money_affixes("XOF", "en")["prefix"] == "F\u202fCFA"
    assert money_affixes("USD", "en") == {
        "prefix": "$",
        "suffix": "",
        "neg-prefix": "-$",
        "neg-suffix": "",
    }
