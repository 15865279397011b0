"""Stories: the store's service for copies and stories (articles.stories does the placing).

What it keeps: stories.sqlite (store.stories.stories_db: profiles and links, derived) and the
user's corrections in stories.json (store.stories.corrections, committed like every user file).
Assignment (`assign`) runs after an import and its entity extraction, never on the reader's
start path; `rebuild` places every article anew.  The reader's methods:

  links(ids)          id -> (story, copy_of) of placed articles
  annotate(records)   JSON records (list/show/search/export) given "story" and "copy_of"
  stories(query)      stories of two articles or more, newest first, with their articles
  members(story)      the ids of one story, earliest first
  copies_of(id)       the other articles with the same text (to mark read together)
  join(a, b), split(a), corrections(), add_corrections(data), check()"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from articles.dates import to_timestamp
from store.disk.layout import doc_id
from store.errors import StoreError
from store.search.query_nodes import And, Flag, IdIn, Match, Node, Not, Or, Query

if TYPE_CHECKING:
    from articles.stories.features import Profile
    from store.core import StoreCore
    from store.disk.documents import Session
    from store.search.searching import Searching
    from store.stories.stories_db import StoriesDb

# The placing code loads on first use (not with `import store`: the reader's start never needs it).

Progress = Callable[[int, int], object]
_SOURCES = "SELECT id, seg, hash || ':' || ent_hash, published FROM articles"


class Stories:
    """Copies and stories of one store's articles."""

    def __init__(self, core: StoreCore, searching: Searching) -> None:
        self.core = core
        self.searching = searching
        self._db: StoriesDb | None = None
        self._lock = threading.RLock()
        searching.resolve = self.resolve_query

    @property
    def db(self) -> StoriesDb:
        """stories.sqlite (opened on first use)."""
        if self._db is None:
            from store.stories.stories_db import StoriesDb

            self._db = StoriesDb(self.core.root, readonly=self.core.readonly)
        return self._db

    # -- placing ------------------------------------------------------------------------------------
    def assign(self, progress: Progress | None = None) -> int:
        """Place every article not placed yet (and again, each whose text or entities changed);
        forget deleted ones.  Returns how many were placed."""
        from articles.stories.linking import Assigner, order_key
        from store.stories.corrections import read_corrections

        with self.core.writing() as session, self._lock, self.db.connected():
            latest, current, known = self._changed()
            gone = [i for i in known if i not in current]
            todo = [i for i, row in current.items() if known.get(i) != row[1]]
            if not gone and not todo:
                self.db.set_mark(latest)
                return 0
            corrections = read_corrections(session)
            with self.db.batch():
                self.db.forget(gone + [i for i in todo if i in known])
                profiles = self._profiles(session, todo, current)
                self.db.precount(profiles)
                assigner = Assigner(self.db, corrections)
                for done, p in enumerate(sorted(profiles, key=lambda p: order_key(p.id, p.day)), 1):
                    assigner.place(p)
                    if progress is not None and (done % 500 == 0 or done == len(profiles)):
                        progress(done, len(profiles))
                self.db.set_versions({p.id: current[p.id][1] for p in profiles})
                self.db.set_mark(latest)
            return len(profiles)

    def _changed(self) -> tuple[int, dict[str, tuple[Any, ...]], dict[str, str]]:
        """(the change feed's latest, the stored articles to compare, what stories.sqlite has of
        them): only those the change feed touched since the last assignment, when it can tell,
        else every article."""
        catalogue = self.core.catalogue
        mark = self.db.mark()
        latest, ids = catalogue.changes_since(mark, strict=True) if mark is not None else (0, None)
        if ids is None or mark is None or mark > latest:
            latest = catalogue.last_change()
            return latest, {r[0]: r[1:] for r in catalogue.connection.execute(_SOURCES)}, self.db.versions()
        current: dict[str, tuple[Any, ...]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            sql = f"{_SOURCES} WHERE id IN ({','.join('?' * len(chunk))})"
            current.update({r[0]: r[1:] for r in catalogue.connection.execute(sql, chunk)})
        return latest, current, self.db.versions(ids)

    def rebuild(self, progress: Progress | None = None) -> int:
        """Place every article anew (the corrections kept); returns how many."""
        from articles.stories.rebuild import rebuild
        from store.stories.corrections import read_corrections

        with self.core.writing() as session, self._lock, self.db.connected():
            latest = self.core.catalogue.last_change()
            current = {r[0]: r[1:] for r in self.core.catalogue.connection.execute(_SOURCES)}
            corrections = read_corrections(session)
            profiles = self._profiles(session, sorted(current, key=lambda i: current[i][0]), current)
            links, memory = rebuild(profiles, corrections, progress)
            days = {p.id: p.day for p in profiles}
            keys = [(key, days[i], i) for key, by_day in memory.postings.items() for ids in by_day.values() for i in ids]
            band_rows = [(band, i) for band, ids in memory.band_index.items() for i in ids]
            versions = {p.id: current[p.id][1] for p in profiles}
            with self.db.batch():
                self.db.load(profiles, links, versions, keys, band_rows, memory.doc_freq)
                self.db.set_mark(latest)
            return len(profiles)

    def _profiles(self, session: Session, ids: Sequence[str], current: Mapping[str, tuple[Any, ...]]) -> list[Profile]:
        from articles.stories.features import day_of, profile

        made = []
        for article_id in ids:
            seg, _version, published = current[article_id]
            record = session.get_doc(self.core.segment_path(seg), "articles", doc_id(article_id))
            if record is None:
                continue
            day = day_of(to_timestamp(published))
            made.append(
                profile(article_id, record.get("title") or "", record.get("body") or "", day, record.get("entities"))
            )
        return made

    # -- corrections --------------------------------------------------------------------------------
    def join(self, a: str, b: str) -> str:
        """Put two articles (and so their stories) in one story; returns its id.  Earlier splits
        between the two stories are dropped: the user's latest word holds."""
        from articles.stories.linking import order_key
        from store.stories.corrections import read_corrections, write_corrections

        with self.core.writing() as session, self._lock, self.db.connected():
            links = self.db.links([a, b])
            missing = [i for i in (a, b) if i not in links]
            if missing:
                raise StoreError(f"{missing[0]}: not placed in a story yet (`newsdesk stories rebuild` places it)")
            side_a, side_b = set(self.db.members(links[a][0])), set(self.db.members(links[b][0]))
            corrections = read_corrections(session)
            corrections.cannot = {p for p in corrections.cannot if not (p & side_a and p & side_b)}
            corrections.join(a, b)
            write_corrections(session, corrections)
            session.commit()
            members = side_a | side_b
            known = self.db.profiles(members)
            first = min(members, key=lambda i: order_key(i, known[i].day if i in known else None))
            with self.db.batch():
                self.db.set_links({i: (first, c) for i, (_s, c) in self.db.links(members).items()})
            return first

    def split(self, article_id: str) -> str:
        """Take an article out of its story (it never joins its present companions again);
        returns its story now."""
        from articles.stories.linking import Assigner
        from store.stories.corrections import read_corrections, write_corrections

        with self.core.writing() as session, self._lock, self.db.connected():
            links = self.db.links([article_id])
            if article_id not in links:
                raise StoreError(f"{article_id}: not placed in a story yet (`newsdesk stories rebuild` places it)")
            others = [i for i in self.db.members(links[article_id][0]) if i != article_id]
            corrections = read_corrections(session)
            corrections.split(article_id, others)
            write_corrections(session, corrections)
            session.commit()
            with self.db.batch():
                p = self.db.profiles([article_id])[article_id]
                version = self.db.versions().get(article_id, "")
                self.db.forget([article_id])
                placed = Assigner(self.db, corrections).place(p)
                self.db.set_versions({article_id: version})
            return placed.story

    def corrections(self) -> dict[str, list[list[str]]]:
        from store.stories.corrections import read_corrections

        with self.core.reading() as session:
            return read_corrections(session).to_json()

    def add_corrections(self, data: object) -> int:
        """Add corrections (as `corrections()` gives them, from an export); returns how many
        were new.  They hold from the next `rebuild`."""
        from articles.stories.linking import Corrections
        from store.stories.corrections import read_corrections, write_corrections

        incoming = Corrections.from_json(data)
        with self.core.writing() as session:
            corrections = read_corrections(session)
            before = len(corrections.must) + len(corrections.cannot)
            corrections.must |= incoming.must - corrections.cannot
            corrections.cannot |= incoming.cannot - corrections.must
            added = len(corrections.must) + len(corrections.cannot) - before
            if added:
                write_corrections(session, corrections)
                session.commit()
            return added

    # -- reading ------------------------------------------------------------------------------------
    def links(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        with self.core.reading(), self._lock, self.db.connected():
            return self.db.links(ids)

    def all_links(self) -> dict[str, tuple[str, str | None]]:
        with self.core.reading(), self._lock, self.db.connected():
            return self.db.all_links()

    def corrections_by_article(self) -> dict[str, dict[str, list[str]]]:
        """For an export: each article's correction partners, {"must": [...], "cannot": [...]}
        (a pair is given on both of its articles; `add_corrections` takes either form)."""
        found: dict[str, dict[str, list[str]]] = {}
        for kind, pairs in self.corrections().items():
            for a, b in pairs:
                found.setdefault(a, {"must": [], "cannot": []})[kind].append(b)
                found.setdefault(b, {"must": [], "cannot": []})[kind].append(a)
        return found

    def annotate(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Give each record (a dict with "id") its "story" and "copy_of" (null when none)."""
        found = self.links([r["id"] for r in records if isinstance(r.get("id"), str)])
        for record in records:
            story, copy_of = found.get(record.get("id") or "", (None, None))
            record["story"] = story
            record["copy_of"] = copy_of
        return records

    def members(self, story: str) -> list[str]:
        from articles.stories.linking import order_key

        with self.core.reading(), self._lock, self.db.connected():
            ids = self.db.members(story)
            known = self.db.profiles(ids)
        return sorted(ids, key=lambda i: order_key(i, known[i].day if i in known else None))

    def copies_of(self, article_id: str) -> list[str]:
        with self.core.reading(), self._lock, self.db.connected():
            link = self.db.links([article_id]).get(article_id)
            if link is None:
                return []
            original = link[1] or article_id
            return [i for i in [original, *self.db.copies(original)] if i != article_id]

    def stories(self, query: Query | str = "", *, limit: int | None = None) -> list[dict[str, Any]]:
        """Stories of two articles or more (with one matching `query`, when given), the newest
        coverage first: id, articles (id, title, source, published, copy_of; earliest first),
        sources, first and last date."""
        wanted = None if not str(getattr(query, "text", query)).strip() else set(self.searching.ids_matching(query))
        with self.core.reading(), self._lock, self.db.connected():
            sizes = self.db.story_sizes()
            stories = [s for s, n in sizes.items() if n > 1]
            links = {i: link for i, link in self.db.all_links().items() if link[0] in set(stories)}
            if wanted is not None:
                chosen = {links[i][0] for i in wanted if i in links}
                links = {i: link for i, link in links.items() if link[0] in chosen}
            rows = self.core.catalogue.rows_for(list(links))
        by_story: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for article_id, (story, _copy) in links.items():
            if article_id in rows:
                by_story[story].append(rows[article_id])
        found: list[dict[str, Any]] = []
        for story, members in by_story.items():
            if len(members) < 2:
                continue
            members.sort(key=lambda r: (to_timestamp(r[4]) or float("inf"), r[0]))
            dates = [r[4] for r in members if r[4]]
            found.append({
                "story": story,
                "count": len(members),
                "sources": sorted({r[2] for r in members if r[2]}),
                "first": min(dates, key=lambda d: to_timestamp(d) or 0.0) if dates else None,
                "last": max(dates, key=lambda d: to_timestamp(d) or 0.0) if dates else None,
                "articles": [
                    {"id": r[0], "title": r[1], "source": r[2], "published": r[4], "copy_of": links[r[0]][1]}
                    for r in members
                ],
            })
        found.sort(key=lambda s: (-(to_timestamp(str(s["last"] or "")) or 0.0), str(s["story"])))
        return found[:limit] if limit is not None else found

    def check(self) -> dict[str, Any]:
        """Compare stories.sqlite with the articles: unplaced, gone, and inconsistent links."""
        from store.stories.corrections import read_corrections

        with self.core.reading() as session, self._lock, self.db.connected():
            current = {r[0]: r[2] for r in self.core.catalogue.connection.execute(_SOURCES)}
            known = self.db.versions()
            links = self.db.all_links()
            corrections = read_corrections(session)
        problems = []
        for article_id, (story, copy_of) in links.items():
            if story not in links or links[story][0] != story:
                problems.append(f"{article_id}: its story {story} is not an article of itself")
            if copy_of is not None and (copy_of not in links or links[copy_of][1] is not None):
                problems.append(f"{article_id}: copy of {copy_of}, which is not an original")
        for pair in corrections.must:
            a, b = sorted(pair)
            if a in links and b in links and links[a][0] != links[b][0]:
                problems.append(f"{a} and {b}: joined by the user, in different stories")
        for pair in corrections.cannot:
            a, b = sorted(pair)
            if a in links and b in links and links[a][0] == links[b][0]:
                problems.append(f"{a} and {b}: split by the user, in one story")
        return {
            "placed": len(links),
            "unplaced": sum(1 for i, v in current.items() if known.get(i) != v),
            "gone": sum(1 for i in known if i not in current),
            "corrections": len(corrections.must) + len(corrections.cannot),
            "problems": problems[:50],
        }

    # -- the query language ------------------------------------------------------------------------
    def resolve_query(self, parsed: Query) -> Query:
        """`story:ID` and `is:copy` as the sets of ids they stand for."""
        if not _mentions_stories(parsed.node):
            return parsed
        with self._lock, self.db.connected():
            return Query(self._resolve(parsed.node), parsed.sort, parsed.text)

    def _resolve(self, node: Node) -> Node:
        if isinstance(node, Match) and node.field == "story":
            value = node.value.strip().lower()
            story = self.db.links([value]).get(value, (value, None))[0]
            return IdIn(frozenset(self.db.members(story)), f"story:{node.value}")
        if isinstance(node, Flag) and node.name == "copy":
            return IdIn(frozenset(self.db.copy_ids()), "is:copy")
        if isinstance(node, Not):
            return Not(self._resolve(node.node))
        if isinstance(node, And):
            return And(tuple(self._resolve(n) for n in node.nodes))
        if isinstance(node, Or):
            return Or(tuple(self._resolve(n) for n in node.nodes))
        return node


def _mentions_stories(node: Node) -> bool:
    if isinstance(node, Match):
        return node.field == "story"
    if isinstance(node, Flag):
        return node.name == "copy"
    if isinstance(node, Not):
        return _mentions_stories(node.node)
    if isinstance(node, And | Or):
        return any(_mentions_stories(n) for n in node.nodes)
    return False
