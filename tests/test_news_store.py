"""NewsStore behaviour: dedup and re-import, ids, round trips, layout, corruption, the index."""

from __future__ import annotations

import os
import stat
import time
import zlib
from pathlib import Path

import orjson
import pytest

from articles.importers import read_source
from articles.importers.records import export_record, parse_records
from articles.model import Article, article_id
from newsdesk_testing import shared_path
from store import NewsStore, StoreCorrupt, StoreError
from store.disk import opening as opening_module
from store.disk import tables as tables_module


def make(n: int, **changes: object) -> Article:
    fields: dict[str, object] = {
        "title": f"Story {n}",
        "body": f"Body of story {n}.",
        "url": f"https://news.example/{n}",
        "published": f"2024-06-{(n % 28) + 1:02d}T08:00:00+00:00",
        "source": "Example",
    }
    fields.update(changes)
    return Article.create(**fields)  # type: ignore[arg-type]


def wikinews() -> list[Article]:
    return [i for i in read_source(str(shared_path("wikinews", "articles.jsonl"))) if isinstance(i, Article)]


def test_wikinews_repeated_urls_are_deduplicated(store: NewsStore) -> None:
    counts = store.add_articles(wikinews())
    assert counts.imported == 163
    assert store.count() == 163
    again = store.add_articles(wikinews())
    assert (again.imported, again.updated) == (0, 0)
    assert store.count() == 163


def test_reimport_updates_changed_content_and_keeps_state(store: NewsStore) -> None:
    store.add_articles([make(1), make(2)])
    target = make(1).id
    store.update_state([target], add_tags=["Energy"], read=True, starred=True)
    counts = store.add_articles([make(1, body="Corrected body of story 1."), make(2)])
    assert (counts.imported, counts.updated, counts.duplicates) == (0, 1, 1)
    stored = store.get(target)
    assert stored is not None
    assert stored.article.body == "Corrected body of story 1."
    assert stored.state.tags == ("Energy",)
    assert stored.state.read and stored.state.starred
    assert store.count() == 2


def test_reimport_adds_record_tags_but_keeps_stored_state(store: NewsStore) -> None:
    store.add_articles([make(1, tags=["Ports"])])
    store.update_state([make(1).id], read=True)
    store.add_articles([make(1, tags=["ports", "Shipping"], read=False, starred=True)])
    state = store.get(make(1).id).state  # type: ignore[union-attr]
    assert state.tags == ("Ports", "Shipping")  # compared case-insensitively, first spelling kept
    assert state.read is True and state.starred is False


def test_ids_are_stable_across_stores(tmp_path: Path) -> None:
    with NewsStore(tmp_path / "a") as a, NewsStore(tmp_path / "b") as b:
        a.add_articles([make(3)])
        b.add_articles([make(9), make(3)])
        assert {i.id for i in a.list()} <= {i.id for i in b.list()}
    assert make(3).id == article_id("url:news.example/3")
    assert len(make(3).id) == 12 and int(make(3).id, 16) >= 0


def test_id_ignores_tracking_parameters_and_scheme() -> None:
    plain = Article.create(title="t", url="https://www.Example.org/a/b/?x=1")
    tracked = Article.create(title="t", url="http://example.org/a/b?x=1&utm_source=rss#top")
    assert plain.id == tracked.id


def test_guid_wins_over_url_and_text_is_the_last_resort() -> None:
    assert Article.create(title="t", guid="tag:x,2024:1", url="https://a.example/1").key == "guid:tag:x,2024:1"
    assert Article.create(title="A  Title", body="Body").key == Article.create(title="a title", body="body").key


def test_export_import_round_trip(tmp_path: Path) -> None:
    with NewsStore(tmp_path / "src") as src:
        src.add_articles([make(i) for i in range(30)] + wikinews()[:20])
        first = src.list()[0].id
        src.update_state([first], add_tags=["Keep me", "Second"], starred=True)
        src.update_state([src.list()[5].id], read=True)
        lines = [
            orjson.dumps(export_record(s.article, list(s.state.tags), s.state.read, s.state.starred))
            for s in src.iter_articles()
        ]
        before = [s.to_json() for s in src.iter_articles()]
    records = ((f"line {n}", orjson.loads(line)) for n, line in enumerate(lines, 1))
    imported = [a for a in parse_records(records, source_name="export", fetched="2030-01-01T00:00:00+00:00")]
    with NewsStore(tmp_path / "dst") as dst:
        dst.add_articles(imported)  # type: ignore[arg-type]
        after = [s.to_json() for s in dst.iter_articles()]
    # `added` is when this store took the article in, set by the store alone: an export's own
    # times do not set it, so the copy's is its own import's (a later second, on a slow machine)
    added_before = [record.pop("added") for record in before]
    added_after = [record.pop("added") for record in after]
    assert after == before
    assert all(new is not None and old is not None and new >= old for old, new in zip(added_before, added_after))


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_files_are_private(tmp_path: Path, umask: int) -> None:
    """Used as a library, in a process whose umask newsdesk does not set: every directory it
    makes (the parents of a new store's included) is 0700 and every file 0600, tantivy's in
    text-index/ too (they are made with the umask, then made private)."""
    previous = os.umask(umask)
    try:
        with NewsStore(tmp_path / "made" / "by" / "store") as store:
            store.add_articles([make(1)])
            store.update_state([make(1).id], add_tags=["x"])
            assert store.sync_text()
            store.snapshot()
    finally:
        os.umask(previous)
    text = tmp_path / "made" / "by" / "store" / "text-index"
    assert [p for p in text.iterdir() if p.suffix == ".idx"]  # tantivy's own files are there
    for path in [tmp_path / "made", *(tmp_path / "made").rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_schema_version_is_recorded_and_newer_is_refused(store_root: Path) -> None:
    NewsStore(store_root).close()
    data = orjson.loads((store_root / "store.json").read_bytes())
    assert data["meta"]["1"]["schema"] == opening_module.SCHEMA_VERSION
    data["meta"]["1"]["schema"] = 99
    (store_root / "store.json").write_bytes(orjson.dumps(data))
    with pytest.raises(StoreError, match="newer newsdesk"):
        NewsStore(store_root)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00" * 64,
        b'{"articles": {"1": {',
        b'{"articles": {}} trailing',
        b"[1, 2]",
        b'{"articles": {"abc": {}}}',
        b"\xff\xfe\xfa not utf-8",
    ],
    ids=["empty", "nul-padded", "truncated", "trailing-garbage", "wrong-type", "bad-key", "invalid-utf8"],
)
def test_corrupt_segment_is_named_and_never_overwritten(store_root: Path, content: bytes) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(1)])
    segment = store_root / "articles" / "seg-000001.json"
    segment.write_bytes(content)
    (store_root / "index.sqlite").unlink()  # force a re-read of the files
    with pytest.raises(StoreCorrupt) as raised, NewsStore(store_root) as store:
        store.add_articles([make(2)])
    assert "seg-000001.json" in str(raised.value)
    assert segment.read_bytes() == content


def test_index_is_rebuilt_from_tinydb_when_lost(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(5)])
        store.update_state([make(2).id], add_tags=["kept"])
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (store_root / name).unlink(missing_ok=True)
    with NewsStore(store_root) as store:
        assert store.count() == 5
        assert store.get(make(2).id).state.tags == ("kept",)  # type: ignore[union-attr]


def test_garbage_index_is_set_aside_and_rebuilt(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(3)])
    for name in ("index.sqlite-wal", "index.sqlite-shm"):
        (store_root / name).unlink(missing_ok=True)
    (store_root / "index.sqlite").write_bytes(b"this is not sqlite" * 100)
    with NewsStore(store_root) as store:
        assert store.count() == 3


def test_reindex_matches(store: NewsStore) -> None:
    store.add_articles([make(i) for i in range(40)])
    store.update_state([make(7).id], add_tags=["a"], starred=True)
    before = [i.to_json() for i in store.list()]
    assert store.reindex() == 40
    assert [i.to_json() for i in store.list()] == before


def test_segments_roll_over_and_imports_only_touch_the_tail(
    store: NewsStore, store_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables_module, "SEGMENT_MAX_DOCS", 10)
    store.add_articles([make(i) for i in range(25)])
    segments = sorted((store_root / "articles").iterdir())
    assert [p.name for p in segments] == ["seg-000001.json", "seg-000002.json", "seg-000003.json"]
    first_two = [p.stat().st_mtime_ns for p in segments[:2]]
    store.add_articles([make(i) for i in range(25, 28)])
    assert [p.stat().st_mtime_ns for p in segments[:2]] == first_two
    assert store.count() == 28


def test_state_change_rewrites_one_small_shard(store: NewsStore, store_root: Path) -> None:
    store.add_articles([make(i) for i in range(50)])

    def files() -> list[Path]:  # the TinyDB files, not the derived full-text index
        return [p for p in store_root.rglob("*.json") if "text-index" not in p.parts]

    before = {p: p.stat().st_mtime_ns for p in files()}
    changed = store.update_state([make(4).id], add_tags=["x"])
    assert changed == [make(4).id]
    after = {p: p.stat().st_mtime_ns for p in files()}
    rewritten = sorted(str(p.relative_to(store_root)) for p in after if before.get(p) != after[p])
    assert len(rewritten) == 2 and rewritten[0] == "manifest.json" and rewritten[1].startswith("state/")
    assert (store_root / "manifest.json").stat().st_size < 4096  # the commit record stays small


def test_update_state_reports_only_real_changes(store: NewsStore) -> None:
    store.add_articles([make(1), make(2)])
    ids = [make(1).id, make(2).id, "000000000000"]
    assert sorted(store.update_state(ids, read=True)) == sorted(ids[:2])
    assert store.update_state(ids, read=True) == []
    assert store.update_state(ids, add_tags=[" Spaced   tag "]) != []
    assert store.get(make(1).id).state.tags == ("Spaced tag",)  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="comma"):
        store.update_state(ids, add_tags=["a,b"])


def test_stray_temp_files_are_removed_on_open(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(1)])
    stray = store_root / "articles" / "seg-000001.json.tmp-deadbeef"
    stray.write_bytes(b"{}")
    NewsStore(store_root).close()
    assert not stray.exists()


def test_list_order_newest_first_and_prefix_lookup(store: NewsStore) -> None:
    store.add_articles([make(1), make(20), make(9)])
    assert [i.title for i in store.list()] == ["Story 20", "Story 9", "Story 1"]
    assert [i.title for i in store.list(limit=1, offset=1)] == ["Story 9"]
    full = make(9).id
    assert store.resolve(full[:6]) == full
    assert store.resolve("zz") is None


def test_change_feed_reports_other_writers(store_root: Path) -> None:
    with NewsStore(store_root) as reader, NewsStore(store_root) as writer:
        writer.add_articles([make(1)])
        seq, _ = reader.changes_since(0)
        writer.update_state([make(1).id], add_tags=["seen"])
        new_seq, ids = reader.changes_since(seq)
        assert new_seq > seq and ids == [make(1).id]
        assert reader.get(make(1).id).state.tags == ("seen",)  # type: ignore[union-attr]


def test_read_only_store_reads_and_refuses_writes(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(1), make(2)])
    with NewsStore(store_root, readonly=True) as store:
        assert store.count() == 2
        assert [i.id for i in store.search(make(1).title).items] == [make(1).id]
        # tantivy opens its lock file for writing even to search: a read-only store searches a
        # private copy of the full-text index, and removes it at close
        copy = store.text_sync.index.private_copy
        assert copy is not None and copy.is_dir() and store.pending_text() == 0
        with pytest.raises(StoreError, match="read-only"):
            store.update_state([make(1).id], read=True)
    assert not copy.exists()


def test_subscriptions_are_remembered_once(store: NewsStore) -> None:
    from articles.importers import Subscription

    assert store.add_subscriptions([Subscription("https://a.example/feed", "A")]) == 1
    assert (
        store.add_subscriptions(
            [Subscription("https://a.example/feed", "A"), Subscription("https://b.example/rss", "B")]
        )
        == 1
    )
    assert [f["url"] for f in store.subscriptions()] == ["https://a.example/feed", "https://b.example/rss"]


def test_opening_does_not_parse_article_files(store_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(20)])
    # Files written in the last seconds are re-checked once (they are "racy", see
    # store.disk.documents.RACY_NS); a store that has been idle is opened without parsing them.
    old = time.time() - 60
    for path in store_root.rglob("*.json"):
        os.utime(path, (old, old))
    NewsStore(store_root).close()
    with NewsStore(store_root) as store:
        store.count()
    opened: list[str] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        opened.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with NewsStore(store_root) as store:
        assert len(store.list(limit=5)) == 5
    assert not [n for n in opened if n.startswith("seg-")]


def test_an_index_of_another_version_is_rebuilt_in_place(store_root: Path) -> None:
    import sqlite3

    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(4)])
        store.update_state([make(1).id], add_tags=["kept"])
    db = sqlite3.connect(store_root / "index.sqlite")
    db.execute("UPDATE meta SET value = '0' WHERE key = 'version'")
    db.commit()
    db.close()
    inode = (store_root / "index.sqlite").stat().st_ino
    with NewsStore(store_root) as store:
        assert store.count() == 4
        assert store.get(make(1).id).state.tags == ("kept",)  # type: ignore[union-attr]
    assert (store_root / "index.sqlite").stat().st_ino == inode  # emptied in place, not replaced


def test_an_index_with_an_older_schema_is_rebuilt_not_fatal(store_root: Path) -> None:
    """An index written by an older newsdesk (here: version 3, whose tables lack today's columns)
    must not stop the store from opening: it is emptied and rebuilt from the TinyDB files."""
    import sqlite3

    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(4)])
        store.update_state([make(1).id], add_tags=["kept"])
    (store_root / "index.sqlite").unlink()
    for suffix in ("-wal", "-shm"):
        (store_root / f"index.sqlite{suffix}").unlink(missing_ok=True)
    db = sqlite3.connect(store_root / "index.sqlite")
    db.executescript(
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES('version', '3');
        CREATE TABLE articles(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sort_ts REAL NOT NULL);
        CREATE TABLE article_tags(tag TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY(tag, id)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE fts USING fts5(title, content='');
        CREATE TABLE files(path TEXT PRIMARY KEY, gen TEXT NOT NULL);
        """
    )
    db.commit()
    db.close()
    with NewsStore(store_root) as store:
        assert store.count() == 4
        assert store.search("tag:kept").count == 1
        assert store.search(make(2).title).count >= 1


def test_a_lost_manifest_is_rebuilt_from_the_files(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(6)])
        store.update_state([make(2).id], starred=True)
    (store_root / "manifest.json").unlink()
    with NewsStore(store_root) as store:
        assert store.count() == 6
        assert store.get(make(2).id).state.starred  # type: ignore[union-attr]
        store.add_articles([make(7)])
        assert store.count() == 7


def test_segments_are_compressed_and_plain_ones_still_read(store_root: Path) -> None:
    """Segments are written zlib-compressed; a segment of plain JSON (as stores made before
    compression have) reads the same, and is written compressed when it next changes."""
    with NewsStore(store_root) as store:
        store.add_articles([make(i) for i in range(3)])
    segment = store_root / "articles" / "seg-000001.json"
    raw = segment.read_bytes()
    assert raw[:1] == b"\x78"
    segment.write_bytes(zlib.decompress(raw))  # the old format, same generation
    (store_root / "index.sqlite").unlink()  # force a re-read of the files
    with NewsStore(store_root) as store:
        assert store.count() == 3 and store.get(make(1).id).article.body == make(1).body  # type: ignore[union-attr]
        store.add_articles([make(3)])
    assert segment.read_bytes()[:1] == b"\x78"
    with NewsStore(store_root) as store:
        assert store.count() == 4
