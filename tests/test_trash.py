"""Retention and the trash (issue 14, item 1): the README's sample config once pruned a whole
Wikinews import in the same command.  Retention counts from when an article entered this store
(`added`, the store's own time), or from its publication date when asked by name; whatever
retention or delete removes goes to a trash on disk that `undelete` empties."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import orjson
import pytest

from articles.model import Article
from newsdesk_testing import REPO, settle, shared_path, wait_until
from store import NewsStore
from store.disk.documents import plain_bytes
from tui.app import NewsdeskApp
from tui.cli import main
from tui.config import load_settings
from tui.screens.main import MainScreen
from tui.widgets.article_list import ArticleList

DAY = 86_400
WIKINEWS_ARTICLES = 163


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def readme_config() -> str:
    """The TOML block of the README's Configuration section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```toml\n(.*?)```", section, re.S)
    assert found, "the Configuration section has a toml block"
    return found.group(1)


def count(capsys: pytest.CaptureFixture[str], store: str) -> int:
    code, out, _ = run(capsys, "--store", store, "search", "--count", "")
    assert code == 0
    return int(out)


def story(n: int, published: str = "2020-01-01") -> Article:
    return Article.create(
        title=f"Trash story {n}", body=f"Kelp body {n}.", url=f"https://t.example/{n}", published=published
    )


# -- the README's config, and retention counted from `added` ------------------------------------
def test_importing_with_the_readmes_sample_config_keeps_every_article(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "readme.toml"
    config.write_text(readme_config(), encoding="utf-8")
    store = str(tmp_path / "s")
    wikinews = str(shared_path("wikinews", "articles.jsonl"))
    code, out, _ = run(capsys, "--store", store, "--config", str(config), "import", "--no-entities", wikinews)
    assert code == 0 and out.startswith(f"imported {WIKINEWS_ARTICLES},")
    assert count(capsys, store) == WIKINEWS_ARTICLES
    assert load_settings(config).keep_days is None  # the sample leaves retention off


def test_retention_never_takes_what_an_import_brought_in(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """keep_days = 365 on an archive published years ago: every article was added just now."""
    config = tmp_path / "c.toml"
    config.write_text("[store]\nkeep_days = 365\n", encoding="utf-8")
    store = str(tmp_path / "s")
    wikinews = str(shared_path("wikinews", "articles.jsonl"))
    code, out, _ = run(capsys, "--store", store, "--config", str(config), "import", "--no-entities", "--json", wikinews)
    assert code == 0
    summary = json.loads(out)
    assert summary["imported"] == WIKINEWS_ARTICLES and summary["pruned"] == 0
    assert count(capsys, store) == WIKINEWS_ARTICLES
    assert run(capsys, "--store", store, "--config", str(config), "prune")[1].startswith("no articles removed")
    assert count(capsys, store) == WIKINEWS_ARTICLES


def test_added_is_set_by_the_store_and_never_by_an_imported_record(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first, second = str(tmp_path / "a"), str(tmp_path / "b")
    before = time.time()
    assert run(capsys, "--store", first, "import", "--no-entities", str(shared_path("seed")))[0] == 0
    code, out, _ = run(capsys, "--store", first, "list", "--json")
    (item,) = json.loads(out)
    added = item["added"]
    assert added.endswith("+00:00") and datetime_ts(added) >= int(before)
    code, out, _ = run(capsys, "--store", first, "show", item["id"], "--json")
    assert json.loads(out)["added"] == added
    code, exported, _ = run(capsys, "--store", first, "export")
    record = json.loads(exported)
    assert record["added"] == added
    record["added"] = "2001-01-01T00:00:00+00:00"  # an export's own time must not set it
    backup = tmp_path / "backup.jsonl"
    backup.write_bytes(orjson.dumps(record) + b"\n")
    assert run(capsys, "--store", second, "import", "--no-entities", str(backup))[0] == 0
    code, out, _ = run(capsys, "--store", second, "list", "--json")
    (again,) = json.loads(out)
    assert again["id"] == item["id"] and datetime_ts(again["added"]) >= int(before)
    assert run(capsys, "--store", first, "import", "--no-entities", str(backup))[0] == 0  # re-import: kept
    code, out, _ = run(capsys, "--store", first, "show", item["id"], "--json")
    assert json.loads(out)["added"] == added


def datetime_ts(value: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(value).timestamp())


def test_retention_counts_from_added_unless_published_is_asked_for(store: NewsStore) -> None:
    store.add_articles([story(n) for n in range(4)])
    store.update_state([story(0).id], starred=True)
    store.update_state([story(1).id], add_tags=["keep"])
    assert store.prune(days=30) == []  # published in 2020, but added just now
    later = time.time() + 31 * DAY
    pruned = store.prune(days=30, now=later)
    assert sorted(d["record"]["id"] for d in pruned) == sorted([story(2).id, story(3).id])
    assert {(e.id, e.why) for e in store.trash()} == {(story(2).id, "retention"), (story(3).id, "retention")}
    assert store.undelete("") and store.count() == 4
    assert store.prune(days=30, by="published", spare=[story(3).id]) and store.count() == 3  # by date, by name
    with pytest.raises(ValueError, match="published"):
        store.prune(days=30, by="fetched")


def test_keep_by_published_is_asked_for_by_name_and_prune_reports_the_trash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[store]\nkeep_days = 365\nkeep_by = "published"\n', encoding="utf-8")
    store = str(tmp_path / "s")
    wikinews = str(shared_path("wikinews", "articles.jsonl"))
    code, out, _ = run(capsys, "--store", store, "--config", str(config), "import", "--no-entities", wikinews)
    assert code == 0 and count(capsys, store) == WIKINEWS_ARTICLES  # the import keeps what it brought in
    code, out, _ = run(capsys, "--store", store, "--config", str(config), "prune")
    assert code == 0
    assert out.startswith(f"moved {WIKINEWS_ARTICLES} articles to the trash (retention: published more than 365")
    assert "newsdesk undelete -- QUERY" in out
    assert count(capsys, store) == 0
    code, out, _ = run(capsys, "--store", store, "trash", "--json")
    trashed = json.loads(out)
    assert len(trashed) == WIKINEWS_ARTICLES and {t["why"] for t in trashed} == {"retention"}
    assert run(capsys, "--store", store, "undelete", "--", "airbus")[0] == 0
    assert 0 < count(capsys, store) < WIKINEWS_ARTICLES
    bad = tmp_path / "bad.toml"
    bad.write_text('[store]\nkeep_by = "date"\ntrash_days = 0\n', encoding="utf-8")
    warnings = load_settings(bad).warnings
    assert any(f"{bad}:2: key 'keep_by'" in w for w in warnings), warnings
    assert any(f"{bad}:3: key 'trash_days'" in w for w in warnings), warnings


# -- the trash ------------------------------------------------------------------------------------
def test_delete_goes_to_the_trash_and_undelete_brings_tags_and_state_back(
    capsys: pytest.CaptureFixture[str], store: NewsStore
) -> None:
    store.add_articles([story(n) for n in range(5)])
    store.update_state([story(1).id], add_tags=["follow-up"], read=True, starred=True)
    root = str(store.root)
    code, out, _ = run(capsys, "--store", root, "delete", "--", '"trash story 1" OR "trash story 2"')
    assert code == 0
    assert out.strip() == "moved 2 articles to the trash for 30 days; `newsdesk undelete -- QUERY` brings them back"
    assert store.count() == 3
    code, out, _ = run(capsys, "--store", root, "trash", "--json")
    entries = json.loads(out)
    assert {e["id"] for e in entries} == {story(1).id, story(2).id}
    first = next(e for e in entries if e["id"] == story(1).id)
    assert first["why"] == "delete" and first["tags"] == ["follow-up"] and first["read"] and first["starred"]
    code, out, _ = run(capsys, "--store", root, "trash")
    assert "Trash story 1" in out and "2 articles in the trash" in out
    code, out, err = run(capsys, "--store", root, "undelete", "--", "nothing-like-this")
    assert code == 1 and "nothing in the trash matches" in err
    code, out, _ = run(capsys, "--store", root, "undelete", "--json", "--", "tag:follow-up")
    assert code == 0 and json.loads(out) == {"undeleted": 1}
    back = store.get(story(1).id)
    assert back is not None and back.state.tags == ("follow-up",) and back.state.read and back.state.starred
    assert store.search("kelp tag:follow-up is:starred").count == 1  # reindexed, words and state
    code, out, _ = run(capsys, "--store", root, "undelete", "--", f"id:{story(2).id}")
    assert code == 0 and "Trash story 2" in out and store.count() == 5
    assert run(capsys, "--store", root, "trash")[1].strip() == "the trash is empty"


def test_the_trash_survives_a_restart_and_is_purged_after_trash_days(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(3)])
        store.delete_articles([story(0).id])
    assert (store_root / "trash.json").exists()
    with NewsStore(store_root) as store:
        assert [e.id for e in store.trash()] == [story(0).id]
        assert store.purge_trash(30) == 0
        assert store.check()["index"] == "ok"  # the trash is a store file like the others
        assert store.purge_trash(30, now=time.time() + 31 * DAY) == 1
        assert store.trash() == []
        store.delete_articles([story(1).id], trash_days=30, now=time.time() - 40 * DAY)
        store.delete_articles([story(2).id], trash_days=30)  # a deletion drops what is past its time
        assert [e.id for e in store.trash()] == [story(2).id]


def test_a_store_from_before_added_is_not_pruned_at_once(store_root: Path) -> None:
    """Articles stored before `added` existed count from the first open by a newsdesk that
    records it (store.json's added_since), never from their publication date."""
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(3)])
    for path in [*store_root.glob("articles/seg-*.json"), store_root / "store.json"]:
        data = orjson.loads(plain_bytes(path, path.read_bytes()))  # written back as plain JSON, as then
        for table in data.values():
            for doc in table.values():
                doc.pop("added", None)
                doc.pop("added_since", None)
        path.write_bytes(orjson.dumps(data))
    (store_root / "index.sqlite").unlink()
    opened = time.time()
    with NewsStore(store_root) as store:
        assert store.list()[0].added is None  # unknown, and said so
        assert store.prune(days=1, now=opened + DAY / 2) == []
        assert len(store.prune(days=1, now=opened + 2 * DAY)) == 3


# -- the reader --------------------------------------------------------------------------------------
async def test_the_reader_deletes_into_the_trash_and_undeletes_from_it(store: NewsStore) -> None:
    from tui.screens.trash import TrashScreen

    store.add_articles([story(n, f"2026-05-0{n + 1}T08:00:00Z") for n in range(4)])
    store.update_state([story(3).id], add_tags=["keep"], starred=True)
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        assert listing.item_at(0).id == story(3).id
        await pilot.press("D")  # the newest, tagged and starred
        await settle(pilot)
        assert store.count() == 3 and [e.id for e in store.trash()] == [story(3).id]
        await pilot.press("u")  # undo puts it back and takes it out of the trash
        await settle(pilot)
        assert store.count() == 4 and store.trash() == []
        await pilot.press("j", "D")  # now the second newest, then the newest
        await settle(pilot)
        await pilot.press("k", "D")
        await settle(pilot)
        assert store.count() == 2 and len(store.trash()) == 2
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"trash")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TrashScreen) and app.screen.entries)
        trash = app.screen
        assert isinstance(trash, TrashScreen)
        assert [e.id for e in trash.entries] == [story(3).id, story(2).id]  # most recently deleted first
        await pilot.press("u")
        await wait_until(pilot, lambda: len(trash.entries) == 1)
        back = store.get(story(3).id)
        assert back is not None and back.state.tags == ("keep",) and back.state.starred
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and listing.total == 3)
        assert listing.item_at(0).id == story(3).id
