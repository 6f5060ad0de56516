"""The figures stored while a meeting closes in another process are never read as the figures
of the books after the close (store/stored_figures.py reads the books' version first)."""

from savings_groups.core.dates import today
from savings_groups.indicators import reports
from savings_groups.meetings import operations as meetings
from savings_groups.oversight import figures
from savings_groups.store.models import SavingsGroup, StoredFigures
from tests.races.test_races import M1, SAVED, no_crash, racer, repeat, savings  # noqa: F401


def test_figures_read_while_a_meeting_closes_follow_the_close(race, admin, savings):  # noqa: F811
    day = today()

    def read(group):
        query = SavingsGroup.select().where(SavingsGroup.id == group.id)
        counters = reports._dump(reports.counters(query, day)[0])
        return counters, figures._dump(figures.figures_for([group.id], day)[group.id])

    def once():
        group, _cycle, _people = savings()
        meeting = meetings.open_meeting(admin, group, M1)
        read(group)  # stored before the close: the reader may find them, or compute
        reading, closed = race(
            racer("read_figures", group=group.id, on=day),
            racer(
                "close", actor=admin.id, meeting=meeting.id, loan_fund=3 * SAVED + 3_000, shares=1
            ),
        )
        no_crash(reading, closed)
        assert closed.ok, str(closed)
        stored = read(group)
        StoredFigures.delete().where(StoredFigures.group_id == group.id).execute()
        assert stored == read(group), "figures read from the store differ from the books"
        assert stored[1]["last_meeting"] == M1.isoformat()
        return "ok"

    repeat("figures read vs close", once)
