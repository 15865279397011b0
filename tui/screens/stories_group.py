"""`S` (view.group_stories): the article list grouped by story, per view and remembered in the
store's preferences as `H` is (tui.screens.hide_read).  A grouped listing is one row per story,
under its newest article, with how many sources and how many unread; copies of one text are one
row.  The grouping is read in the listing's workers (store.stories.links over the listing's ids);
the screen keeps the groups of the listing shown to page through them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from tui.screens.view_flags import ViewFlags
from tui.widgets.story_row import StoryRow

if TYPE_CHECKING:
    from store import ListItem, NewsStore, Query

OWN_STORY = float("inf")
"""The score of the related list's (`r`) articles of the article's own story: they come first."""
PREFERENCE = "group_stories"
"""The preferences key (tui.screens.view_flags)."""
BULK = 20_000
"""A listing of more ids than this reads every story link at once (one scan beats 20k lookups)."""

Group = tuple[str, tuple[str, ...], bool]
"""A row of a grouped listing: (story id, its articles in the listing newest first, copies only)."""


@dataclass
class GroupedListing(Message):
    """A grouped listing's groups and the story rows of its first page (then ListingLoaded)."""

    generation: int
    groups: list[Group]
    rows: dict[str, StoryRow]


@dataclass
class GroupRowsLoaded(Message):
    """Rows of a grouped listing fetched for the list (RowsWanted), with their story rows."""

    offset: int
    items: list[ListItem]
    rows: dict[str, StoryRow]
    generation: int


def group(ids: list[str], links: dict[str, tuple[str, str | None]]) -> list[Group]:
    """`ids` (newest first) as groups in the order of their newest article: one per story (an
    article not placed yet is alone)."""
    members: dict[str, list[str]] = {}
    for article_id in ids:
        story = links.get(article_id, (article_id, None))[0]
        members.setdefault(story, []).append(article_id)
    found: list[Group] = []
    for story, ids_of in members.items():
        originals = {links.get(i, (i, None))[1] or i for i in ids_of}
        found.append((story, tuple(ids_of), len(ids_of) > 1 and len(originals) == 1))
    return found


def summarise(store: NewsStore, groups: list[Group]) -> tuple[list[ListItem], dict[str, StoryRow]]:
    """In a worker: each group's row (its newest article) and, for groups of more than one
    article, its story row."""
    wanted = [i for _story, members, _copies in groups for i in (members if len(members) > 1 else members[:1])]
    items = store.list_items(wanted)
    rows: list[ListItem] = []
    story_rows: dict[str, StoryRow] = {}
    for story, members, copies in groups:
        present = [items[i] for i in members if i in items]
        if not present:
            continue
        rows.append(present[0])
        if len(members) > 1:
            unread = frozenset(item.id for item in present if not item.read)
            sources = len({item.source for item in present if item.source}) or 1
            story_rows[present[0].id] = StoryRow(story, members, sources, unread, copies)
    return rows, story_rows


Related = list[tuple["ListItem", float]]


def story_first(store: NewsStore, article_id: str, related: Related) -> Related:
    """In a worker: `related` (the related list's rows) after the other articles of the
    article's own story, earliest first, scored OWN_STORY."""
    try:
        link = store.stories.links([article_id]).get(article_id)
        members = [i for i in store.stories.members(link[0]) if i != article_id] if link else []
    except Exception:  # stories are a help: the related articles are still listed
        members = []
    items = store.list_items(members) if members else {}
    own = [(items[i], OWN_STORY) for i in members if i in items]
    return own + [row for row in related if row[0].id not in items]


class StoryGroups(ViewFlags):
    """The views grouped by story (`views`, read from the store once, in a worker) and the
    groups of the listing shown (None when it is not grouped)."""

    def __init__(self, store: NewsStore) -> None:
        super().__init__(store, PREFERENCE)
        self.pending: dict[int, GroupedListing] = {}
        """Listing load -> its groups, until its rows are shown."""
        self.current: list[Group] | None = None
        """The groups of the listing shown (None: not grouped)."""
        self.articles = 0
        """How many articles the groups shown hold (what the change feed's counts compare with)."""

    def grouped(self, view: str) -> bool:
        return self.is_on(view)

    def loaded(self, generation: int) -> dict[str, StoryRow]:
        """A listing load arrived: its groups (if grouped) are the ones shown; returns the story
        rows of its first page."""
        grouped = self.pending.pop(generation, None)
        self.pending = {g: listing for g, listing in self.pending.items() if g > generation}
        self.current = grouped.groups if grouped is not None else None
        self.articles = sum(len(g[1]) for g in self.current) if self.current is not None else 0
        return grouped.rows if grouped is not None else {}

    def load(self, store: NewsStore, query: Query, follow: str | None) -> tuple[list[Group], int | None]:
        """In the listing worker: the listing's groups, and the row of the group holding
        `follow` (when given and listed).  Without stories.sqlite, every article is its own row."""
        ids = store.ids_matching(query)
        try:
            links = store.stories.all_links() if len(ids) > BULK else store.stories.links(ids)
        except Exception:  # stories are a help; the articles are still listed
            links = {}
        groups = group(ids, links)
        row = next((n for n, g in enumerate(groups) if follow in g[1]), None) if follow else None
        return groups, row
