"""The user's own things kept in the store: saved views, search history and entity merges,
and reader preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.search.query import parse_query
from store.user import merges, views
from store.user.views import SavedView

if TYPE_CHECKING:
    from store.core import StoreCore


class UserData:
    """Saved views, search history, preferences, entity merges (each change one commit)."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    # -- saved views and search history ---------------------------------------------------------
    def saved_views(self) -> list[SavedView]:
        with self.core.reading() as session:
            return views.read_views(session)

    def save_view(self, name: str, query: str, *, replace: bool = False) -> SavedView:
        """Save a query under a name (ViewError if the name is taken and not `replace`; QueryError
        if the query is malformed)."""
        name = views.normalise_name(name)
        parse_query(query)
        with self.core.writing() as session:
            saved = views.read_views(session)
            at = views.find(saved, name)
            if at is not None and not replace:
                raise views.ViewError(f"a view named {saved[at].name!r} exists already")
            view = views.SavedView(name, " ".join(query.split()))
            saved = [v for i, v in enumerate(saved) if i != at] + [view]
            views.write_views(session, saved)
            session.commit()
        return view

    def rename_view(self, old: str, new: str) -> SavedView:
        new = views.normalise_name(new)
        with self.core.writing() as session:
            saved = views.read_views(session)
            at = views.find(saved, old)
            if at is None:
                raise views.ViewError(f"no view named {old!r}")
            clash = views.find(saved, new)
            if clash is not None and clash != at:
                raise views.ViewError(f"a view named {saved[clash].name!r} exists already")
            saved[at] = views.SavedView(new, saved[at].query)
            views.write_views(session, saved)
            session.commit()
            return saved[at]

    def delete_view(self, name: str) -> bool:
        with self.core.writing() as session:
            saved = views.read_views(session)
            at = views.find(saved, name)
            if at is None:
                return False
            views.write_views(session, [v for i, v in enumerate(saved) if i != at])
            session.commit()
            return True

    def search_history(self) -> list[str]:
        """Queries searched in the reader, oldest first."""
        with self.core.reading() as session:
            return views.read_history(session)

    def add_search_history(self, query: str) -> None:
        text = " ".join(query.split())
        if not text:
            return
        with self.core.writing() as session:
            entries = views.read_history(session)
            if entries and entries[-1] == text:
                return
            views.write_history(session, [e for e in entries if e != text] + [text])
            session.commit()

    def preferences(self) -> dict[str, Any]:
        with self.core.reading() as session:
            return views.read_preferences(session)

    def set_preference(self, key: str, value: Any) -> None:
        """Remember one value (a function of the current file: other keys stay)."""
        with self.core.writing() as session:
            current = views.read_preferences(session)
            if current.get(key) == value:
                return
            views.write_preferences(session, {**current, key: value})
            session.commit()

    # -- entity merges ---------------------------------------------------------------------------
    def merge_entity(self, alias: str, name: str) -> None:
        """From now on `alias` is another name of `name`, in every article (MergeError if not)."""
        alias, name = " ".join(alias.split()), " ".join(name.split())
        if not alias or not name or merges.key(alias) == merges.key(name):
            raise merges.MergeError("merge needs two different names")
        with self.core.writing() as session:
            written = merges.read_written(session)
            if merges.key(name) in written:
                name = written[merges.key(name)][1]  # merging into an alias: into its entity
            if merges.key(alias) in {merges.key(n) for _, n in written.values()}:
                raise merges.MergeError(f"{alias!r} has aliases of its own; unmerge them first")
            written[merges.key(alias)] = (alias, name)
            merges.write_merges(session, written)
            session.commit()

    def unmerge_entity(self, alias: str) -> bool:
        with self.core.writing() as session:
            written = merges.read_written(session)
            if written.pop(merges.key(alias), None) is None:
                return False
            merges.write_merges(session, written)
            session.commit()
            return True

    def entity_merges(self) -> list[dict[str, str]]:
        with self.core.reading() as session:
            return [{"alias": a, "name": n} for a, n in sorted(merges.read_written(session).values())]
