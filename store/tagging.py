"""Tags and reading state in bulk: by query, renames and deletes, dump and restore (the rules
that tag, in store.user.rules, write through here).  Every change is one durable commit through `rewrite_states`, applied as a function of
each article's current state, so concurrent sessions never lose each other's changes
(read-modify-write under the store's exclusive lock)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from store.disk.tables import write_states
from store.search.query_nodes import Query
from store.tags import TagError, merge_tags, normalise_tag, tag_key
from store.values import State

if TYPE_CHECKING:
    from store.core import StoreCore
    from store.search.searching import Searching

StateChange = Callable[[State], State]


class Tagging:
    """Bulk tag and state operations (see the module docstring)."""

    def __init__(self, core: StoreCore, searching: Searching) -> None:
        self.core = core
        self.searching = searching

    # -- the one write path -------------------------------------------------------------------
    def rewrite_states(self, ids: Iterable[str], change: StateChange) -> list[str]:
        """Apply `change` to the current state of each article, in one durable commit; returns
        the ids whose state changed (ids not in the store are skipped)."""
        return list(self.rewrite_states_detailed(ids, change))

    def rewrite_states_detailed(self, ids: Iterable[str], change: StateChange) -> dict[str, tuple[State, State]]:
        """rewrite_states, returning id -> (state before, state after) of each article changed:
        what an undo needs to write the inverse change."""
        return self._rewrite_each_detailed(dict.fromkeys(ids, change))

    def change_states(
        self,
        ids: Iterable[str],
        *,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        read: bool | None = None,
        starred: bool | None = None,
    ) -> dict[str, tuple[State, State]]:
        """update_state, returning (before, after) per changed article (for undo)."""
        add = [normalise_tag(t) for t in add_tags]
        remove = [normalise_tag(t) for t in remove_tags]

        def change(state: State) -> State:
            return State(
                tags=tuple(merge_tags(state.tags, add, remove)),
                read=state.read if read is None else read,
                starred=state.starred if starred is None else starred,
            )

        return self.rewrite_states_detailed(ids, change)

    def undo_changes(self, changes: Mapping[str, tuple[State, State]]) -> dict[str, tuple[State, State]]:
        """The inverse of a change, as operations on today's state: tags that were added are
        removed, tags that were removed are added back, read/starred set back where they were
        changed — so another session's edits since then are kept.  Returns the changes made
        (which a redo undoes in turn)."""

        def inverse(article_id: str) -> StateChange:
            before, after = changes[article_id]
            added = [t for t in after.tags if tag_key(t) not in {tag_key(b) for b in before.tags}]
            removed = [t for t in before.tags if tag_key(t) not in {tag_key(a) for a in after.tags}]
            return lambda s: State(
                tuple(merge_tags(s.tags, removed, added)),
                before.read if after.read != before.read else s.read,
                before.starred if after.starred != before.starred else s.starred,
            )

        return self._rewrite_each_detailed({i: inverse(i) for i in changes})

    def update_state(
        self,
        ids: Iterable[str],
        *,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        read: bool | None = None,
        starred: bool | None = None,
    ) -> list[str]:
        """Change tags and reading state of articles in one durable commit; returns the ids whose
        state changed.  Tag names are validated first (TagError)."""
        return list(self.change_states(ids, add_tags=add_tags, remove_tags=remove_tags, read=read, starred=starred))

    # -- queries --------------------------------------------------------------------------------
    def tag_query(self, query: Query | str, *, add: Sequence[str] = (), remove: Sequence[str] = ()) -> list[str]:
        """Add and remove tags on every match of a query, in one commit."""
        return self.update_state(self.searching.ids_matching(query), add_tags=add, remove_tags=remove)

    # -- tags -----------------------------------------------------------------------------------
    def tag_counts(self) -> list[dict[str, Any]]:
        """Every tag with its article and unread counts, most used first."""
        sql = (
            "SELECT max(t.tag), count(*), sum(a.read = 0) FROM article_tags t JOIN articles a ON a.n = t.n"
            " GROUP BY t.key ORDER BY count(*) DESC, t.key"
        )
        with self.core.reading():
            rows = self.core.catalogue.connection.execute(sql).fetchall()
        return [{"tag": r[0], "articles": r[1], "unread": r[2]} for r in rows]

    def _ids_with_tag(self, tag: str) -> list[str]:
        sql = "SELECT a.id FROM article_tags t JOIN articles a ON a.n = t.n WHERE t.key = ?"
        with self.core.reading():
            return [r[0] for r in self.core.catalogue.connection.execute(sql, (tag_key(tag),))]

    def rename_tag(self, old: str, new: str) -> list[str]:
        """Rename a tag on every article; onto an existing tag it merges (each article keeps one).
        A change of case or spacing only is a rename too."""
        return list(self.rename_tag_changes(old, new))

    def rename_tag_changes(self, old: str, new: str) -> dict[str, tuple[State, State]]:
        old, new = normalise_tag(old), normalise_tag(new)
        if tag_key(new) != tag_key(old):  # onto an existing tag: a merge, under its spelling
            with self.core.reading():
                row = self.core.catalogue.connection.execute(
                    "SELECT tag FROM article_tags WHERE key = ? LIMIT 1", (tag_key(new),)
                ).fetchone()
            new = row[0] if row else new

        def change(state: State) -> State:
            renamed = [new if tag_key(t) == tag_key(old) else t for t in state.tags]
            return State(tuple(merge_tags(renamed)), state.read, state.starred)

        return self.rewrite_states_detailed(self._ids_with_tag(old), change)

    def delete_tag(self, tag: str) -> list[str]:
        return list(self.delete_tag_changes(tag))

    def delete_tag_changes(self, tag: str) -> dict[str, tuple[State, State]]:
        tag = normalise_tag(tag)
        return self.change_states(self._ids_with_tag(tag), remove_tags=[tag])

    # -- dump and restore -----------------------------------------------------------------------
    def dump_states(self) -> Iterator[dict[str, Any]]:
        """`{"id","url","tags","read","starred"}` of every article with a tag or a non-default state."""
        sql = "SELECT id, url, tags, read, starred FROM articles WHERE tags != '[]' OR read OR starred ORDER BY n DESC"
        with self.core.reading():
            rows = self.core.catalogue.connection.execute(sql).fetchall()
        for r in rows:
            yield {"id": r[0], "url": r[1], "tags": orjson.loads(r[2]), "read": bool(r[3]), "starred": bool(r[4])}

    def restore_states(self, records: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
        """Merge dumped states: tags are unioned, read and starred are set.  Records are matched
        by id, else by url.  Returns (changed ids, problems)."""
        wanted: dict[str, tuple[list[str], bool | None, bool | None]] = {}
        problems: list[str] = []
        records = list(records)
        by_url = self._ids_by_url([r["url"] for r in records if isinstance(r.get("url"), str)])
        with self.core.reading():
            known = set(self.core.catalogue.states_of([r["id"] for r in records if isinstance(r.get("id"), str)]))
        for number, record in enumerate(records, start=1):
            article_id = record.get("id") if record.get("id") in known else by_url.get(record.get("url") or "")
            if article_id is None:
                problems.append(f"line {number}: no such article ({record.get('id') or record.get('url')})")
                continue
            tags = []
            for raw in record.get("tags") or []:
                try:
                    tags.append(normalise_tag(raw))
                except TagError as exc:
                    problems.append(f"line {number}: tag skipped: {exc}")
            read, starred = record.get("read"), record.get("starred")
            wanted[article_id] = (
                tags,
                read if isinstance(read, bool) else None,
                starred if isinstance(starred, bool) else None,
            )

        def change_for(article_id: str) -> StateChange:
            tags, read, starred = wanted[article_id]
            return lambda s: State(
                tuple(merge_tags(s.tags, tags)),
                s.read if read is None else read,
                s.starred if starred is None else starred,
            )

        changed = self.rewrite_each({i: change_for(i) for i in wanted})
        return changed, problems

    def rewrite_each(self, changes: Mapping[str, StateChange]) -> list[str]:
        """Like rewrite_states, with a change of its own for each article (one commit); returns
        the ids whose state changed."""
        return list(self._rewrite_each_detailed(changes))

    def _rewrite_each_detailed(self, changes: Mapping[str, StateChange]) -> dict[str, tuple[State, State]]:
        """The one write path: each article's change applied to its current state under the
        exclusive lock, in one durable commit; id -> (before, after) of the articles changed
        (ids not in the store are skipped)."""
        with self.core.writing() as session:
            new: dict[str, State] = {}
            before: dict[str, State] = {}
            for article_id, state in self.core.catalogue.states_of(list(changes)).items():
                wanted = changes[article_id](state)
                if wanted != state:
                    new[article_id] = wanted
                    before[article_id] = state
            if not new:
                return {}
            write_states(session, new)
            session.commit()
            self.core.record_commit(session, list(new), states=new)
        return {i: (before[i], new[i]) for i in new}

    def _ids_by_url(self, urls: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.core.reading():
            db = self.core.catalogue.connection
            for start in range(0, len(urls), 500):
                chunk = list(urls[start : start + 500])
                marks = ",".join("?" * len(chunk))
                found.update(dict(db.execute(f"SELECT url, id FROM articles WHERE url IN ({marks})", chunk)))
        return found
