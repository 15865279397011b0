"""Rules that tag, mark read, star or delete (issue 19): ids and actions, the rules of an older
store read as tag rules, one commit per run whatever the number of rules, delete rules that spare
starred and tagged articles, `rules apply --dry-run` — the commands as real processes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from articles.model import Article, Entity
from newsdesk_testing import newsdesk
from store import NewsStore
from store.disk.layout import VIEWS_FILE


def story(n: int, title: str, source: str = "Harbour Post", **fields: Any) -> dict[str, Any]:
    return {
        "title": title,
        "body": f"{title}. More words about it.",
        "url": f"https://rules.test/{n}",
        "source": source,
        "date": f"2026-03-{n:02d}T09:00:00+00:00",
        **fields,
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def by_title(store: Path) -> dict[str, dict[str, Any]]:
    listed = newsdesk(store, "list", "--json")
    assert listed.returncode == 0, listed.stderr
    return {r["title"]: r for r in json.loads(listed.stdout)}


def test_a_killfile_and_a_delete_rule_at_import_as_processes(tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = write_jsonl(tmp_path / "first.jsonl", [story(1, "Harbour reopens"), story(2, "Old gossip", "Daily Mail")])
    assert newsdesk(root, "import", "--no-entities", str(first)).returncode == 0

    added = newsdesk(root, "rules", "add", "--action", "read", "--", 'source:"Daily Mail"')
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("rule 1 added: read for source:\"Daily Mail\"; 1 article marked read")
    assert by_title(root)["Old gossip"]["read"] is True  # `add` runs the new rule over the store
    spam = newsdesk(root, "rules", "add", "--json", "--action", "delete", "--", "casino")
    assert spam.returncode == 0, spam.stderr
    assert json.loads(spam.stdout) == {"id": 2, "action": "delete", "tag": None, "query": "casino", "changed": 0}
    assert newsdesk(root, "rules", "add", "keep", "casino", "review").returncode == 0  # a tag rule, as before

    listed = json.loads(newsdesk(root, "rules", "list", "--json").stdout)
    assert [(r["id"], r["action"], r["tag"]) for r in listed] == [(1, "read", None), (2, "delete", None), (3, "tag", "keep")]

    second = write_jsonl(
        tmp_path / "second.jsonl",
        [
            story(3, "More gossip", "Daily Mail"),
            story(4, "Casino opens on the pier"),
            story(5, "Casino review: the pier's new hall"),  # tagged by rule 3: spared
            story(6, "Casino night for the lifeboat", tags=["charity"]),  # tagged: spared
            story(7, "Harbour tides"),
        ],
    )
    done = newsdesk(root, "import", "--no-entities", "--json", str(second))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["imported"], summary["trashed"]) == (5, 1)  # imported counts it; trashed says where it went
    titles = by_title(root)
    assert titles["More gossip"]["read"] is True
    assert "Casino opens on the pier" not in titles
    assert titles["Casino review: the pier's new hall"]["tags"] == ["keep"]
    assert "Casino night for the lifeboat" in titles and titles["Harbour tides"]["read"] is False
    trash = json.loads(newsdesk(root, "trash", "--json").stdout)
    assert [(t["title"], t["why"]) for t in trash] == [("Casino opens on the pier", "rule")]
    third = write_jsonl(tmp_path / "third.jsonl", [story(8, "Casino on the prom"), story(9, "Harbour fog")])
    human = newsdesk(root, "import", "--no-entities", str(third))
    assert human.stdout.splitlines()[1:] == ["1 of them moved to the trash by a delete rule at once (`newsdesk trash` lists it)"]

    # A starred article is spared too, when `rules apply` runs over the whole store.
    assert newsdesk(root, "mark", "starred", "--", "lifeboat").returncode == 0
    assert newsdesk(root, "tag", "-charity", "--", "lifeboat").returncode == 0
    plan = newsdesk(root, "rules", "apply", "--dry-run", "--json")
    assert plan.returncode == 0, plan.stderr
    assert json.loads(plan.stdout)["deleted"] == 0
    assert newsdesk(root, "mark", "unstarred", "--", "lifeboat").returncode == 0
    plan = newsdesk(root, "rules", "apply", "--dry-run", "--json")
    planned = json.loads(plan.stdout)
    assert planned["changed"] == 0 and planned["deleted"] == 1
    assert [r["changed"] for r in planned["rules"]] == [0, 1, 0]
    assert "Casino night for the lifeboat" in by_title(root)  # a dry run changes nothing
    human = newsdesk(root, "rules", "apply", "--dry-run")
    assert "   2  delete for casino: 1 article would be moved to the trash" in human.stdout
    applied = newsdesk(root, "rules", "apply", "--json")
    assert json.loads(applied.stdout)["deleted"] == 1
    assert "Casino night for the lifeboat" not in by_title(root)

    removed = newsdesk(root, "rules", "remove", "2")
    assert removed.returncode == 0 and removed.stdout.startswith("rule 2 removed: delete for casino")
    assert newsdesk(root, "rules", "remove", "keep").returncode == 0  # a tag rule by its tag, as before
    assert newsdesk(root, "rules", "remove", "2").returncode == 1
    again = newsdesk(root, "rules", "add", "--action", "star", "--", "harbour", "--json")
    assert again.returncode == 2 and "'--json' is an option of rules" in again.stderr
    star = newsdesk(root, "rules", "add", "--json", "--action", "star", "--", "harbour")
    assert json.loads(star.stdout)["id"] == 4  # an id once given is never given again


def test_usage_errors(tmp_path: Path) -> None:
    root = tmp_path / "store"
    for words, said in (
        (["rules", "add", "--action", "read", "--"], "needs a query"),
        (["rules", "add", "lonely"], "needs a tag and a query"),
        (["rules", "list", "--action", "read"], "--action goes with"),
        (["rules", "add", "x", "y", "--dry-run"], "--dry-run goes with"),
        (["rules", "add", "--action", "delete", "--", '"open'], "malformed query"),
    ):
        done = newsdesk(root, *words)
        assert done.returncode == 2 and said in done.stderr, (words, done.stderr)


def test_rules_of_an_older_store_are_tag_rules_with_ids(store: NewsStore) -> None:
    with store.core.writing() as session:  # as an older newsdesk wrote them: no id, no action
        session.table(store.root / VIEWS_FILE, "rules").insert_multiple(
            [{"tag": "floods", "query": "flood"}, {"tag": "ports", "query": "harbour"}]
        )
        session.commit()
    assert [(r.id, r.action, r.tag, r.query) for r in store.rules.list()] == [
        (1, "tag", "floods", "flood"),
        (2, "tag", "ports", "harbour"),
    ]
    store.add_articles([Article.create(title="Flood at the harbour", url="https://rules.test/a")])
    got = store.get(Article.create(title="x", url="https://rules.test/a").id)
    assert got is not None and got.state.tags == ("floods", "ports")
    assert store.rules.remove("1") is not None
    rule = store.rules.add("tide", action="read")
    assert [(r.id, r.action) for r in store.rules.list()] == [(2, "tag"), (3, "read")] and rule.id == 3


def test_one_commit_per_batch_whatever_the_number_of_rules(store: NewsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    for tag in ("a", "b", "c", "d"):
        store.rules.add("harbour", tag=tag)
    store.rules.add("harbour", action="read")
    store.rules.add("harbour", action="star")
    commits: list[int] = []
    record = store.core.record_commit
    monkeypatch.setattr(store.core, "record_commit", lambda *a, **k: (commits.append(1), record(*a, **k))[1])
    store.add_articles([Article.create(title=f"Harbour news {n}", url=f"https://rules.test/h{n}") for n in range(5)])
    assert len(commits) == 2  # the batch, then every rule's change at once
    got = store.get(Article.create(title="x", url="https://rules.test/h0").id)
    assert got is not None and got.state.tags == ("a", "b", "c", "d") and got.state.read and got.state.starred


def test_rules_run_when_entities_are_stored(store: NewsStore) -> None:
    article = Article.create(title="A visit", url="https://rules.test/v")
    store.add_articles([article])
    store.rules.add("person:lima", action="star")
    store.set_entities({article.id: [Entity("Ana Lima", "person", 1)]})
    got = store.get(article.id)
    assert got is not None and got.state.starred
