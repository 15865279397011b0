"""NewsStore: articles, tags and reading state in TinyDB files under one directory.

Layout (all files TinyDB JSON, 0600, in a 0700 directory):
  store.json             schema version and layout
  articles/seg-NNNNNN.json  articles in insertion order, ~1,000 (or 4 MB) per segment:
                            an import appends to the last segment, so it never rewrites the corpus
  state/state-XX.json    tags/read/starred by id hash, 64 shards: a state change rewrites one
                            small file, flat from 1k to 100k articles
  feeds.json             subscriptions
  index.sqlite           derived (list order, id -> segment, state, change feed); rebuildable
Every operation holds an flock (shared to read, exclusive to write) across its whole
read-modify-write, and each write is one atomic commit (store.files)."""

from __future__ import annotations

import contextlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from articles.dates import format_rfc3339, now_utc
from articles.importers.base import Subscription
from articles.model import Article, Entity
from store import fulltext, merges, search, views
from store.care import CareMixin
from store.catch_up import Progress, catch_up
from store.documents import DocumentCache, Session, make_document
from store.errors import StoreError, StoreReadOnly
from store.files import (
    DIR_MODE,
    EMPTY_MANIFEST,
    Manifest,
    StoreLock,
    needs_recovery,
    read_manifest,
    recover,
)
from store.index import LIST_COLUMNS, Index, IndexRow
from store.layout import (
    ARTICLES_DIR,
    FEEDS_FILE,
    INDEX_FILE,
    LOCK_FILE,
    STATE_DIR,
    doc_id,
    is_indexed_file,
    segment_path,
    shard_of,
)
from store.opening import check_schema, open_manifest
from store.query import parse_query
from store.query_nodes import And, Everything, Flag, Match, Node, Not, Or, Query
from store.tables import append_articles, stored_state, write_states
from store.tagging import TaggingMixin
from store.tags import TagError, merge_tags, normalise_tag
from store.values import DEFAULT_STATE, ImportCounts, ListItem, SearchResult, State, StoredArticle, list_item
from store.views import SavedView


class NewsStore(TaggingMixin, CareMixin):
    """The store directory.  Safe to call from several threads and several processes."""

    def __init__(self, root: Path | str, *, readonly: bool = False, create: bool = True) -> None:
        self.root = Path(root)
        if not self.root.exists():
            if readonly or not create:
                raise StoreError(f"{self.root}: no store here")
            try:
                self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)  # another process may race us
            except OSError as exc:
                raise StoreError(f"{self.root}: cannot create the store ({exc.strerror})") from exc
        elif not self.root.is_dir():
            raise StoreError(f"{self.root}: not a directory")
        self.readonly = readonly or not os.access(self.root, os.W_OK)
        self._cache = DocumentCache()
        self._lock = StoreLock(self.root / LOCK_FILE, readonly=self.readonly)
        try:
            with self._lock.hold(exclusive=not self.readonly):
                manifest, rebuilt = open_manifest(self.root, readonly=self.readonly)
                check_schema(self.root, self._cache, manifest, readonly=self.readonly)
                self._index = Index(self.root / INDEX_FILE, readonly=self.readonly)
                if rebuilt:
                    self._index.forget_files()
        except BaseException:
            self._lock.close()
            raise

    # -- paths -------------------------------------------------------------------------------
    def _segment_path(self, seg: int) -> Path:
        return segment_path(self.root, seg)

    def wait_for_writes(self) -> None:
        """Return once no commit of this process is in flight (for a process about to end)."""
        with self._lock.hold(exclusive=not self.readonly):
            pass

    def close(self) -> None:
        with self._lock.hold(exclusive=False):
            self._index.close()
        self._lock.close()

    def __enter__(self) -> NewsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- locking and catching up ----------------------------------------------------------------
    def _current_manifest(self) -> Manifest:
        return read_manifest(self.root) or EMPTY_MANIFEST

    def _recovered_manifest(self) -> Manifest:
        """The manifest, after finishing a commit whose writer died past its commit point.
        Call with the shared lock held."""
        manifest = self._current_manifest()
        if not self.readonly and needs_recovery(self.root, manifest):
            with self._lock.hold(exclusive=True):
                manifest = self._current_manifest()
                recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
        return manifest

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._lock.hold(exclusive=False):
            session = Session(self.root, self._cache, self._recovered_manifest(), writable=False)
            self._sync(session)
            yield session

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        if self.readonly:
            raise StoreReadOnly(f"{self.root}: the store is read-only")
        with self._lock.hold(exclusive=True):
            manifest = self._current_manifest()
            # Finish or discard whatever a killed writer left (cheap: three directory listings).
            recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
            self._sync(Session(self.root, self._cache, manifest, writable=False))
            session = Session(self.root, self._cache, manifest, writable=True)
            try:
                yield session
            except BaseException:
                session.abort()
                raise

    def reindex(self, progress: Progress | None = None) -> int:
        """Rebuild the derived index from the TinyDB files; returns the number of articles."""
        with self._writing() as session:
            with self._index.batch() as db:
                db.execute("DELETE FROM articles")
                db.execute("DELETE FROM article_tags")
                db.execute("DELETE FROM article_entities")
                fulltext.clear(db)
                db.execute("DELETE FROM files")
            self._cache = DocumentCache()
            self._sync(Session(self.root, self._cache, session.manifest, writable=False), progress)
            return self._index.count()

    def _sync(self, session: Session, progress: Progress | None = None) -> list[str]:
        return catch_up(self._index, session, progress)

    def _record_commit(
        self,
        session: Session,
        touched: Iterable[str],
        rows: Sequence[tuple[IndexRow, State, int]] = (),
        states: dict[str, State] | None = None,
        deleted: Sequence[str] = (),
    ) -> None:
        """Apply our own commit to the index (the files are already durable)."""
        written = {
            rel: str(gen)
            for rel, gen in session.manifest.files.items()
            if gen == session.manifest.gen and is_indexed_file(rel)
        }
        with self._index.batch() as db:
            if deleted:
                Index.delete(db, deleted)
            Index.upsert(db, rows)
            if states:
                Index.set_states(db, states)
            Index.set_file_gens(db, written)
            Index.record_changes(db, touched)
        self._index.prune_changes()

    # -- writing -----------------------------------------------------------------------------
    def add_articles(self, articles: Iterable[Article]) -> ImportCounts:
        """Import one batch as one commit: new articles appended, changed ones updated in place,
        identical ones counted as duplicates; stored tags and state are kept, record tags added."""
        batch: dict[str, Article] = {}
        carried: dict[str, list[str]] = defaultdict(list)
        counts = ImportCounts()
        for article in articles:
            if article.id in batch:
                counts.duplicates += 1  # the same item twice in one batch: the later one wins
            batch[article.id] = article
            for raw in article.tags:
                try:
                    carried[article.id].append(normalise_tag(raw))
                except TagError as exc:
                    counts.problems.append(f"{article.id}: tag skipped: {exc}")
        if not batch:
            return counts
        now = format_rfc3339(now_utc())
        with self._writing() as session:
            located = self._index.locate(list(batch))
            appended: list[dict[str, Any]] = []
            updated_by_seg: dict[int, list[dict[str, Any]]] = defaultdict(list)
            written: dict[str, dict[str, Any]] = {}  # id -> the record committed for it
            for article_id, article in batch.items():
                record = article.to_record()
                record["fetched"] = record["fetched"] or now
                if article_id not in located:
                    appended.append(record)
                    written[article_id] = record
                    counts.imported += 1
                    continue
                seg, old_hash = located[article_id]
                if old_hash == record["hash"]:
                    old = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id)) or {}
                    if record["entities"] is None or old.get("entities") == record["entities"]:
                        counts.duplicates += 1
                        continue
                    # The same content, now with entities (an export of an extracted store): take them.
                    record = {**old, "entities": record["entities"]}
                    updated_by_seg[seg].append(record)
                    written[article_id] = record
                    counts.updated += 1
                    continue
                old = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id)) or {}
                record["fetched"] = old.get("fetched") or record["fetched"]
                record["updated"] = now
                if article.entities is None and (old.get("title"), old.get("body")) == (
                    record["title"],
                    record["body"],
                ):
                    record["entities"] = old.get("entities")
                updated_by_seg[seg].append(record)
                written[article_id] = record
                counts.updated += 1
            placed: dict[str, int] = {}
            for seg, records in updated_by_seg.items():
                table = session.table(self._segment_path(seg), "articles")
                for record in records:
                    table.update(record, doc_ids=[doc_id(record["id"])])
                    placed[record["id"]] = seg
            placed.update(append_articles(session, appended))
            states = self._carry_states(session, batch, carried, located)
            session.commit()
            rows = [
                (
                    IndexRow.from_record(written[article_id], seg),
                    states.get(article_id) or stored_state(session, article_id),
                    shard_of(article_id),
                )
                for article_id, seg in placed.items()
            ]
            state_only = {i: s for i, s in states.items() if i not in placed}
            counts.ids = list(placed)
            self._record_commit(session, [*placed, *state_only], rows, state_only)
        self.apply_rules(counts.ids)  # tag rules see new and changed articles
        return counts

    def _carry_states(
        self,
        session: Session,
        batch: dict[str, Article],
        carried: dict[str, list[str]],
        located: dict[str, tuple[int, str]],
    ) -> dict[str, State]:
        """Tags and state that imported records carry: tags are added; read/starred are taken
        only for articles new to this store (stored state is kept)."""
        changes: dict[str, State] = {}
        for article_id, article in batch.items():
            is_new = article_id not in located
            if not carried.get(article_id) and not (is_new and (article.read or article.starred)):
                continue
            current = stored_state(session, article_id)
            wanted = State(
                tags=tuple(merge_tags(current.tags, carried.get(article_id, ()))),
                read=current.read or bool(is_new and article.read),
                starred=current.starred or bool(is_new and article.starred),
            )
            if wanted != current:
                changes[article_id] = wanted
        write_states(session, changes)
        return changes

    def set_entities(self, found: dict[str, Sequence[Entity]]) -> list[str]:
        """Store extracted entities (an empty list: extraction ran and found none) in one commit;
        returns the ids whose entities changed.  Ids no longer in the store are skipped."""
        if not found:
            return []
        with self._writing() as session:
            located = self._index.locate(list(found))
            written: dict[str, tuple[dict[str, Any], int]] = {}
            for article_id, entities in found.items():
                if article_id not in located:
                    continue
                seg = located[article_id][0]
                path = self._segment_path(seg)
                doc = session.get_doc(path, "articles", doc_id(article_id))
                value = [e.to_dict() for e in entities]
                if doc is None or doc.get("entities") == value:
                    continue
                record = {**doc, "entities": value}
                session.table(path, "articles").update(record, doc_ids=[doc_id(article_id)])
                written[article_id] = (record, seg)
            if not written:
                return []
            session.commit()
            states = self._index.states_of(list(written))
            rows = [
                (IndexRow.from_record(record, seg), states.get(i, DEFAULT_STATE), shard_of(i))
                for i, (record, seg) in written.items()
            ]
            self._record_commit(session, list(written), rows)
        self.apply_rules(list(written))  # rules on entity fields match once entities are stored
        return list(written)

    def add_subscriptions(self, subscriptions: Iterable[Subscription]) -> int:
        """Remember feeds; returns how many were new."""
        subs = {s.url: s for s in subscriptions}
        if not subs:
            return 0
        added = 0
        with self._writing() as session:
            path = self.root / FEEDS_FILE
            existing = {d.get("url") for d in session.load(path).get("feeds", {}).values()}
            table = session.table(path, "feeds")
            new_docs = []
            for url, sub in subs.items():
                if url in existing:
                    continue
                doc_id = int(Article.create(title="-", url=url).id, 16)
                new_docs.append(
                    make_document(
                        {
                            "url": url,
                            "title": sub.title,
                            "category": sub.category,
                            "origin": sub.origin,
                            "added": format_rfc3339(now_utc()),
                            "paused": False,
                        },
                        doc_id,
                    )
                )
                added += 1
            if new_docs:
                table.insert_multiple(new_docs)
                session.commit()
        return added

    # -- saved views and search history ---------------------------------------------------------
    def saved_views(self) -> list[SavedView]:
        with self._reading() as session:
            return views.read_views(session)

    def save_view(self, name: str, query: str, *, replace: bool = False) -> SavedView:
        """Save a query under a name (ViewError if the name is taken and not `replace`; QueryError
        if the query is malformed)."""
        name = views.normalise_name(name)
        parse_query(query)
        with self._writing() as session:
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
        with self._writing() as session:
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
        with self._writing() as session:
            saved = views.read_views(session)
            at = views.find(saved, name)
            if at is None:
                return False
            views.write_views(session, [v for i, v in enumerate(saved) if i != at])
            session.commit()
            return True

    def search_history(self) -> list[str]:
        """Queries searched in the reader, oldest first."""
        with self._reading() as session:
            return views.read_history(session)

    def add_search_history(self, query: str) -> None:
        text = " ".join(query.split())
        if not text:
            return
        with self._writing() as session:
            entries = views.read_history(session)
            if entries and entries[-1] == text:
                return
            views.write_history(session, [e for e in entries if e != text] + [text])
            session.commit()

    # -- reading -----------------------------------------------------------------------------
    def _plan(self, parsed: Query) -> search.Plan:
        """The query's plan, with entity names expanded by the stored merges (call while reading)."""
        if not any(
            isinstance(n, Match) and n.field in ("person", "org", "place", "entity") for n in _nodes(parsed.node)
        ):
            return search.plan(parsed)
        with self._reading() as session:
            found = merges.read_merges(session)
        return search.plan(parsed, (lambda value: merges.group_of(found, value)) if found else None)

    # -- entity merges ---------------------------------------------------------------------------
    def merge_entity(self, alias: str, name: str) -> None:
        """From now on `alias` is another name of `name`, in every article (MergeError if not)."""
        alias, name = " ".join(alias.split()), " ".join(name.split())
        if not alias or not name or merges.key(alias) == merges.key(name):
            raise merges.MergeError("merge needs two different names")
        with self._writing() as session:
            written = merges.read_written(session)
            if merges.key(name) in written:
                name = written[merges.key(name)][1]  # merging into an alias: into its entity
            if merges.key(alias) in {merges.key(n) for _, n in written.values()}:
                raise merges.MergeError(f"{alias!r} has aliases of its own; unmerge them first")
            written[merges.key(alias)] = (alias, name)
            merges.write_merges(session, written)
            session.commit()

    def unmerge_entity(self, alias: str) -> bool:
        with self._writing() as session:
            written = merges.read_written(session)
            if written.pop(merges.key(alias), None) is None:
                return False
            merges.write_merges(session, written)
            session.commit()
            return True

    def entity_merges(self) -> list[dict[str, str]]:
        with self._reading() as session:
            return [{"alias": a, "name": n} for a, n in sorted(merges.read_written(session).values())]

    def count(self) -> int:
        with self._reading():
            return self._index.count()

    def list(self, limit: int | None = None, offset: int = 0) -> list[ListItem]:
        """Articles newest first (published, else fetched time)."""
        with self._reading():
            return [list_item(r) for r in self._index.list_rows(limit, offset)]

    def search(self, query: Query | str, *, limit: int | None = None, offset: int = 0) -> SearchResult:
        """Articles matching a query (store.query; QueryError if malformed), with the exact count."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            split = search.tag_split(parsed)
            done = split and search.run_tag_split(db, split, sort=parsed.sort, limit=limit, offset=offset)
            if done:
                total, keys = done
                rows = self._index.rows_by_key(keys)
                return SearchResult(total, [list_item(rows[n]) for n in keys if n in rows], parsed.sort, False)
            plan = self._plan(parsed)
            total = search.count(db, plan)
            ranked = parsed.sort == "rel" and plan.rank is not None and total <= search.RANK_LIMIT
            found = (
                search.rows(db, plan, LIST_COLUMNS, sort=parsed.sort, ranked=ranked, limit=limit, offset=offset)
                if total > offset and limit != 0
                else []
            )
            return SearchResult(total, [list_item(r) for r in found], parsed.sort, ranked)

    def entity_counts(
        self, query: Query | str = "", *, kind: str | None = None, contains: str = "", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Entities of the articles matching `query`: name, type, articles, mentions; most
        articles first."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        conditions, params = [], []
        with self._reading() as session:
            db = self._index.connection
            if not isinstance(parsed.node, Everything):
                plan = self._plan(parsed)
                conditions.append(f"e.n IN (SELECT {plan.key} FROM {plan.source} WHERE {plan.where})")
                params.extend(plan.params)
            if kind:
                conditions.append("e.type = ?")
                params.append(kind)
            if contains:
                conditions.append("substr(e.key, instr(e.key, ':') + 1) LIKE ? ESCAPE '\\'")
                escaped = contains.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                params.append(f"%{escaped}%")
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            sql = (
                "SELECT max(e.name), e.type, count(*) AS articles, sum(e.mentions) AS mentions"
                f" FROM article_entities e {where} GROUP BY e.key"
                " ORDER BY articles DESC, mentions DESC, max(e.name) LIMIT ?"
            )
            merged = merges.read_merges(session)
            found = db.execute(sql, (*params, -1 if limit is None or merged else limit)).fetchall()
        counts = [{"name": r[0], "type": r[1], "articles": r[2], "mentions": r[3]} for r in found]
        if merged:  # names merged into one entity count as one (an article naming both, twice)
            folded: dict[str, dict[str, Any]] = {}
            for entry in counts:
                name = merged.get(merges.key(entry["name"]), entry["name"])
                seen = folded.setdefault(merges.key(name), {**entry, "name": name, "articles": 0, "mentions": 0})
                seen["articles"] += entry["articles"]
                seen["mentions"] += entry["mentions"]
            counts = sorted(folded.values(), key=lambda e: (-e["articles"], -e["mentions"], e["name"]))[:limit]
        return counts

    def histogram(self, query: Query | str) -> list[tuple[str, int]]:
        """(YYYY-MM, articles) of the articles matching `query`, oldest month first; months
        without articles are left out (the caller fills gaps)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            plan = self._plan(parsed)
            sql = (
                f"SELECT strftime('%Y-%m', a.sort_ts, 'unixepoch') AS month, count(*) FROM {plan.source}"
                f" WHERE {plan.where} AND a.sort_ts > 0 GROUP BY month ORDER BY month"
            )
            return [(r[0], r[1]) for r in self._index.connection.execute(sql, plan.params)]

    def related(self, article_id: str, limit: int = 30) -> list[tuple[ListItem, float]]:
        """Articles sharing entities with this one, most related first: each shared entity weighs
        1 / (articles that name it), so a rare shared name counts more than a common one."""
        with self._reading():
            db = self._index.connection
            row = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return []
            sql = (
                "WITH mine AS (SELECT key FROM article_entities WHERE n = ?),"
                " df AS (SELECT key, count(*) AS c FROM article_entities WHERE key IN (SELECT key FROM mine)"
                " GROUP BY key HAVING c > 1)"
                " SELECT e.n, sum(1.0 / df.c) AS score FROM article_entities e JOIN df ON df.key = e.key"
                " WHERE e.n != ? GROUP BY e.n ORDER BY score DESC, e.n DESC LIMIT ?"
            )
            scored = db.execute(sql, (row[0], row[0], limit)).fetchall()
            rows = self._index.rows_by_key([n for n, _ in scored])
            return [(list_item(rows[n]), score) for n, score in scored if n in rows]

    def entity_type_votes(self, names: Iterable[str]) -> dict[str, dict[str, int]]:
        """casefolded name -> {type: number of articles that give the name that type}."""
        keys = [f"{kind}:{name.casefold()}" for name in set(names) for kind in ("person", "org", "place", "other")]
        votes: dict[str, dict[str, int]] = {}
        with self._reading():
            db = self._index.connection
            for start in range(0, len(keys), 400):
                chunk = keys[start : start + 400]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, type, count(*) FROM article_entities WHERE key IN ({marks}) GROUP BY key"
                for key, kind, count in db.execute(sql, chunk):
                    votes.setdefault(key.split(":", 1)[1], {})[kind] = count
        return votes

    def without_entities(self, query: Query | str = "") -> list[str]:
        """Ids of the articles matching `query` that extraction has not run on, newest first."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        parsed = Query(And((parsed.node, Not(Flag("entities")))), "new", parsed.text)
        with self._reading():
            plan = self._plan(parsed)
            found = search.rows(self._index.connection, plan, "id", sort="new", ranked=False, limit=None, offset=0)
        return [r[0] for r in found]

    def count_matching(self, query: Query | str) -> int:
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            split = search.tag_split(parsed)
            done = split and search.run_tag_split(db, split, sort="new", limit=0, offset=0)
            return done[0] if done else search.count(db, self._plan(parsed))

    def search_position(self, query: Query | str, article_id: str) -> int | None:
        """Where an article stands in a date-ordered result (None: not a match, or ranked)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            plan = self._plan(parsed)
            if parsed.sort == "rel" and plan.rank is not None and search.count(db, plan) <= search.RANK_LIMIT:
                return None
            return search.position(db, plan, article_id, sort=parsed.sort)

    def position(self, article_id: str) -> int | None:
        """Where an article stands in `list()` order, so a view can keep it under the cursor."""
        with self._reading():
            return self._index.position(article_id)

    def list_items(self, ids: Sequence[str]) -> dict[str, ListItem]:
        with self._reading():
            return {i: list_item(r) for i, r in self._index.rows_for(ids).items()}

    def resolve(self, id_or_prefix: str) -> str | None:
        """A full id for an id or a unique prefix of at least 4 characters."""
        text = id_or_prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,12}", text):
            return None
        with self._reading():
            matches = self._index.ids_with_prefix(text)
        if len(text) == 12:
            return text if text in matches else None
        return matches[0] if len(matches) == 1 else None

    def get(self, article_id: str) -> StoredArticle | None:
        with self._reading() as session:
            located = self._index.locate([article_id])
            if article_id not in located:
                return None
            seg = located[article_id][0]
            doc = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id))
            if doc is None:
                return None
            state = self._index.states_of([article_id]).get(article_id, DEFAULT_STATE)
            article = Article.from_record(doc)
            found = merges.read_merges(session)
            if found and article.entities:
                article = replace(article, entities=merges.apply(article.entities, found))
            return StoredArticle(article, state)

    def iter_articles(self, chunk: int = 2000, *, query: Query | str | None = None) -> Iterator[StoredArticle]:
        """Every article (or those matching `query`) with its state, newest first (or oldest, for
        sort:old), reading each segment once per chunk."""
        with self._reading():
            if query is None:
                order = list(self._index.ordered_locations())
            else:
                parsed = query if isinstance(query, Query) else parse_query(query)
                plan = self._plan(parsed)
                db = self._index.connection
                found = search.rows(db, plan, "id, seg", sort=parsed.sort, ranked=False, limit=None, offset=0)
                order = [(r[0], r[1]) for r in found]
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            by_segment: dict[int, list[str]] = defaultdict(list)
            for article_id, seg in part:
                by_segment[seg].append(article_id)
            by_id: dict[str, StoredArticle] = {}
            with self._reading() as session:
                states = self._index.states_of([article_id for article_id, _ in part])
                for seg, ids in by_segment.items():
                    docs = session.load(self._segment_path(seg)).get("articles", {})
                    for article_id in ids:
                        doc = docs.get(str(doc_id(article_id)))
                        if doc is not None:
                            state = states.get(article_id, DEFAULT_STATE)
                            by_id[article_id] = StoredArticle(Article.from_record(doc), state)
            for article_id, _ in part:
                if article_id in by_id:
                    yield by_id[article_id]

    def subscriptions(self) -> list[dict[str, Any]]:
        with self._reading() as session:
            docs = session.load(self.root / FEEDS_FILE).get("feeds", {})
            return sorted((dict(d) for d in docs.values()), key=lambda d: d.get("url", ""))

    def changes_since(self, seq: int) -> tuple[int, list[str] | None]:
        """The change feed: (latest seq, ids changed since `seq`, or None if too far behind)."""
        with self._reading():
            return self._index.changes_since(seq)

    def last_change(self) -> int:
        with self._reading():
            return self._index.last_change()


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, And | Or):
        for child in node.nodes:
            yield from _nodes(child)
    elif isinstance(node, Not):
        yield from _nodes(node.node)
