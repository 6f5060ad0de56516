"""The paged, searchable, sortable list of groups a user may see, each with its key figures.

Filters and sorting are checked here (a bad value raises BadFilter, a clear message); the
figures and warnings of a page come from a constant number of queries (figures.py).
Practice groups are listed to their users, marked, and left out of the counts.
"""

from dataclasses import dataclass, field
from datetime import date

from peewee import JOIN, fn

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import GroupKind
from savings_groups.groups.operations import COUNTRY_CODES
from savings_groups.org import access
from savings_groups.oversight.figures import Figures, figures_for
from savings_groups.oversight.warnings import Thresholds, Warning, warnings_for
from savings_groups.store.models import Cycle, Meeting, SavingsGroup, User

PAGE_SIZE = 25
SORTS = ("name", "last_meeting", "savings", "loans", "par30", "attendance", "warnings")
CYCLE_STATES = ("open", "closed", "none")
ARCHIVED = ("no", "yes", "all")


class BadFilter(DomainError):
    """A filter, a sort or a page that is not one the list knows."""


@dataclass(frozen=True)
class Filters:
    q: str = ""
    country: str = ""
    district: str = ""
    facilitator: int | None = None
    kind: str = ""
    cycle: str = ""
    archived: str = "no"
    sort: str = "name"
    descending: bool = False
    page: int = 1
    # Other values the page's links keep (the dashboard's own filters), as (name, value) pairs.
    keep: tuple = ()

    @classmethod
    def parse(cls, args) -> "Filters":
        """The filters of a query string; BadFilter names the first value that is wrong."""
        get = lambda name: (args.get(name) or "").strip()  # noqa: E731
        country = get("country").upper()
        if country and country not in COUNTRY_CODES:
            raise BadFilter(N_("Unknown country: “%(value)s”."), "country", value=country)
        kind = get("kind")
        if kind and kind not in {k.value for k in GroupKind}:
            raise BadFilter(N_("Unknown kind of group: “%(value)s”."), "kind", value=kind)
        cycle = get("cycle")
        if cycle and cycle not in CYCLE_STATES:
            raise BadFilter(N_("Unknown cycle status: “%(value)s”."), "cycle", value=cycle)
        archived = get("archived") or "no"
        if archived not in ARCHIVED:
            raise BadFilter(N_("Unknown archive choice: “%(value)s”."), "archived", value=archived)
        sort = get("sort") or "name"
        descending = sort.startswith("-")
        if sort.lstrip("-") not in SORTS:
            raise BadFilter(N_("Unknown sort: “%(value)s”."), "sort", value=sort)
        facilitator = get("facilitator")
        if facilitator and not facilitator.isdigit():
            raise BadFilter(
                N_("Unknown facilitator: “%(value)s”."), "facilitator", value=facilitator
            )
        page = get("page") or "1"
        if not page.isdigit() or int(page) < 1:
            raise BadFilter(
                N_("The page must be a whole number from 1: “%(value)s”."), "page", value=page
            )
        return cls(
            q=get("q")[:100],
            country=country,
            district=get("district")[:200],
            facilitator=int(facilitator) if facilitator else None,
            kind=kind,
            cycle=cycle,
            archived=archived,
            sort=sort.lstrip("-"),
            descending=descending,
            page=int(page),
        )

    def args(self, **changes) -> dict:
        """The query string of these filters with some changed (for page and sort links)."""
        values = {
            "q": self.q,
            "country": self.country,
            "district": self.district,
            "facilitator": self.facilitator or "",
            "kind": self.kind,
            "cycle": self.cycle,
            "archived": "" if self.archived == "no" else self.archived,
            "sort": ("-" if self.descending else "") + self.sort
            if self.sort != "name" or self.descending
            else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        values.update((k, v) for k, v in self.keep if values.get(k) in ("", None))
        return {k: v for k, v in values.items() if v not in ("", None)}


@dataclass
class Row:
    group: SavingsGroup
    figures: Figures
    warnings: list[Warning] = field(default_factory=list)


@dataclass
class Page:
    rows: list[Row]
    number: int
    pages: int
    total: int
    filters: Filters
    moved: bool = False  # the page asked for was past the last one: this is the last
    practice: int = 0  # practice groups among the total, not counted in it

    @property
    def numbers(self) -> list[int]:
        """The page links to show: the first, the last and two either side of this one."""
        near = set(range(max(1, self.number - 2), min(self.pages, self.number + 2) + 1))
        return sorted({1, self.pages, *near})


def filtered(user: User, filters: Filters):
    """The groups the user may see that match the filters (a query, not run)."""
    query = access.visible_groups(user)
    if filters.q:
        query = query.where(
            fn.LOWER(SavingsGroup.name).contains(filters.q.lower())
            | fn.LOWER(SavingsGroup.village).contains(filters.q.lower())
        )
    if filters.country:
        query = query.where(SavingsGroup.country == filters.country)
    if filters.district:
        query = query.where(fn.LOWER(SavingsGroup.district) == filters.district.lower())
    if filters.facilitator:
        query = query.where(SavingsGroup.facilitator == filters.facilitator)
    if filters.kind:
        query = query.where(SavingsGroup.kind == filters.kind)
    if filters.archived == "no":
        query = query.where(SavingsGroup.archived_at.is_null())
    elif filters.archived == "yes":
        query = query.where(SavingsGroup.archived_at.is_null(False))
    if filters.cycle:
        open_cycle = Cycle.select(Cycle.group).where(Cycle.closed_at.is_null())
        any_cycle = Cycle.select(Cycle.group)
        if filters.cycle == "open":
            query = query.where(SavingsGroup.id.in_(open_cycle))
        elif filters.cycle == "closed":
            query = query.where(SavingsGroup.id.in_(any_cycle) & SavingsGroup.id.not_in(open_cycle))
        else:
            query = query.where(SavingsGroup.id.not_in(any_cycle))
    return query


def _key(sort: str):
    def none_last(value):
        return (value is None, value if value is not None else 0)

    return {
        "savings": lambda r: none_last(r.figures.savings),
        "loans": lambda r: none_last(r.figures.loans_outstanding),
        "par30": lambda r: none_last(r.figures.par30),
        "attendance": lambda r: none_last(r.figures.attendance),
        "warnings": lambda r: (len(r.warnings),),
    }[sort]


def group_page(
    user: User, filters: Filters, on: date, limits: Thresholds, size: int = PAGE_SIZE
) -> Page:
    """One page of the list: its rows with their figures and warnings, in a constant number
    of queries (a count, the page's groups, the figures' four, the warnings' three)."""
    return page_of(filtered(user, filters), filters, on, limits, size)


def page_of(query, filters: Filters, on: date, limits: Thresholds, size: int = PAGE_SIZE) -> Page:
    """One page of the groups of a query (not run), sorted and paged as `filters` say; the
    dashboard passes the groups its indicators count."""
    practice = query.where(SavingsGroup.is_practice).count()
    if filters.sort in ("name", "last_meeting"):
        total = query.count()
        pages = max(1, -(-total // size))
        number = min(filters.page, pages)
        if filters.sort == "last_meeting":
            last = (
                Meeting.select(Meeting.group, fn.MAX(Meeting.held_on).alias("last"))
                .where(Meeting.status == "closed")
                .group_by(Meeting.group)
            )
            query = (
                query.join(last, on=(last.c.group_id == SavingsGroup.id), join_type=JOIN.LEFT_OUTER)
                .order_by(None)
                .order_by(
                    last.c.last.is_null(not filters.descending),
                    last.c.last.desc() if filters.descending else last.c.last,
                    SavingsGroup.name,
                    SavingsGroup.id,
                )
            )
        elif filters.descending:
            query = query.order_by(None).order_by(SavingsGroup.name.desc(), SavingsGroup.id.desc())
        groups = list(query.paginate(number, size))
        figures = figures_for([g.id for g in groups], on)
        warnings = warnings_for(groups, figures, on, limits)
        rows = [Row(g, figures[g.id], warnings[g.id]) for g in groups]
    else:
        groups = list(query)
        total = len(groups)
        pages = max(1, -(-total // size))
        number = min(filters.page, pages)
        figures = figures_for([g.id for g in groups], on)
        if filters.sort == "warnings":
            warnings = warnings_for(groups, figures, on, limits)
        else:
            warnings = {g.id: [] for g in groups}
        rows = [Row(g, figures[g.id], warnings[g.id]) for g in groups]
        key = _key(filters.sort)
        present = [r for r in rows if filters.sort == "warnings" or key(r)[0] is False]
        kept = {r.group.id for r in present}
        absent = [r for r in rows if r.group.id not in kept]
        present.sort(key=lambda r: (key(r), r.group.name.casefold()), reverse=filters.descending)
        rows = (present + absent)[(number - 1) * size : number * size]
        if filters.sort != "warnings":  # the page's warnings
            shown = [r.group for r in rows]
            warnings = warnings_for(shown, figures, on, limits)
            rows = [Row(r.group, r.figures, warnings[r.group.id]) for r in rows]
    return Page(rows, number, pages, total - practice, filters, number < filters.page, practice)
