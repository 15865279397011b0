"""Stories, the algorithm (articles.stories): copies of generated reprints, story assignment on
the labelled set, corrections kept by a rebuild."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from articles.stories.features import profile, resemblance
from articles.stories.linking import Assigner, Corrections
from articles.stories.memory import InMemory
from articles.stories.rebuild import clusters, rebuild

ROOT = Path(__file__).resolve().parent.parent
WIKINEWS = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"

BODY = (
    "The city council of Calderwick voted on Tuesday to approve the Crosstown tram line, a project "
    "linking Harbourside and Eastfield. Mayor Ana Ribeiro said construction would begin next spring "
    "and that the line would carry forty thousand passengers a day. Opponents on the council warned "
    "about the cost of the Eastfield depot and asked for a review of the budget before any contract "
    "is signed. The vote was twelve to seven."
)


def test_a_reprint_is_a_copy_whatever_its_title_wrapping_and_boilerplate() -> None:
    original = profile("a", "Council backs tram", BODY, 100.0)
    wrapped = BODY.replace(". ", ".\n\n")
    trimmed = BODY.rsplit(" The vote", 1)[0]
    reprint = profile("b", "UPDATE: Tram line approved", "CALDERWICK (Wire) — " + wrapped + "\n\n© Wire", 100.2)
    shorter = profile("c", "Tram vote", trimmed + " Subscribe to our newsletter.", 100.5)
    other = profile("d", "Council backs tram", "A different text about the weather in Eastfield and rain.", 100.0)
    assert resemblance(original.signature, reprint.signature) >= 0.5
    assert resemblance(original.signature, shorter.signature) >= 0.5
    links, _ = rebuild([original, reprint, shorter, other])
    assert links["b"] == ("a", "a") and links["c"] == ("a", "a")
    assert links["a"] == ("a", None)
    assert links["d"][1] is None


def test_the_earliest_copy_is_the_original_whatever_the_order_of_arrival() -> None:
    memory = InMemory()
    assigner = Assigner(memory)
    assigner.place(profile("late", "Tram", BODY, 101.0))
    placed = assigner.place(profile("early", "Tram", BODY + " More.", 100.0))
    assert placed.story == "early" and placed.copy_of is None
    assert memory.link["late"] == ("early", "early")


def test_undated_articles_are_placed_by_text_and_names_alone() -> None:
    links, _ = rebuild([profile("a", "Council backs tram", BODY, None), profile("b", "Tram", BODY, None)])
    assert links["b"] == ("a", "a")


@pytest.mark.skipif(not WIKINEWS.exists(), reason="needs ../shared/data/wikinews")
def test_the_labelled_set_scores_as_recorded() -> None:
    """The score part of bench/bench_stories.py's labelled set, without entities: at least what
    docs/benchmarks.md records (a guard against getting worse; the figures are there)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import bench_stories  # noqa: PLC0415

    items = [i for i in bench_stories.labelled_set() if bench_stories.part_of(i.event) == "score"]
    result = bench_stories.score_part(items)
    assert result["stories_precision"] >= 0.95 and result["stories_recall"] >= 0.85
    assert result["copies_precision"] >= 0.98 and result["copies_recall"] >= 0.95


def test_corrections_survive_a_rebuild() -> None:
    a = profile("a", "Council backs tram", BODY, 100.0)
    b = profile("b", "Tram approved", BODY.replace("twelve to seven", "by a majority") + " Extra words here.", 100.1)
    c = profile("c", "Harbour kelp recovers", "Kelp forests off the estuary are recovering fast, divers say.", 100.0)
    links, _ = rebuild([a, b, c])
    assert links["a"][0] == links["b"][0] and links["c"][0] == "c"
    corrections = Corrections()
    corrections.split("b", ["a"])
    corrections.join("c", "a")
    links, _ = rebuild([a, b, c], corrections)
    assert links["b"][0] == "b"
    assert links["a"][0] == links["c"][0] == "a"
    again = Corrections.from_json(corrections.to_json())
    assert rebuild([c, b, a], again)[0] == links
    assert clusters(links, 0)["c"] == "a"


def test_the_store_places_what_arrives_and_forgets_what_is_deleted(tmp_path: Path) -> None:
    from articles.model import Article
    from store import NewsStore

    original = Article.create(title="Council backs tram", body=BODY, source="Bulletin", url="https://a.invalid/1",
                              published="2026-11-05T10:00:00Z")
    other = Article.create(title="Kelp recovers", body="Kelp forests off the estuary recover fast, divers say.",
                           source="Science", url="https://a.invalid/2", published="2026-11-05T11:00:00Z")
    reprint = Article.create(title="UPDATE: Tram line approved", body="(Wire) " + BODY + " Subscribe now.",
                             source="Wire", url="https://b.invalid/9", published="2026-11-05T12:00:00Z")
    with NewsStore(tmp_path / "s") as store:
        store.add_articles([original, other])
        assert store.stories.assign() == 2 and store.stories.assign() == 0
        store.add_articles([reprint])
        assert store.stories.assign() == 1
        assert store.stories.links([reprint.id])[reprint.id] == (original.id, original.id)
        assert store.stories.copies_of(original.id) == [reprint.id]
        assert store.search("is:copy").items[0].id == reprint.id
        store.delete_articles([original.id])
        store.stories.assign()
        assert store.stories.links([reprint.id, original.id]) == {reprint.id: (reprint.id, None)}
        assert store.stories.check()["problems"] == [] and store.stories.check()["gone"] == 0


def test_a_damaged_stories_file_is_set_aside_and_made_anew(tmp_path: Path) -> None:
    from articles.model import Article
    from store import NewsStore

    article = Article.create(title="Council backs tram", body=BODY, source="Bulletin", url="https://a.invalid/1")
    with NewsStore(tmp_path / "s") as store:
        store.add_articles([article])
        store.stories.assign()
    (tmp_path / "s" / "stories.sqlite").write_bytes(b"not a database at all" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "s" / f"stories.sqlite{suffix}").unlink(missing_ok=True)
    with NewsStore(tmp_path / "s") as store:
        assert store.stories.assign() == 1
        assert store.stories.links([article.id]) == {article.id: (article.id, None)}
    assert list((tmp_path / "s").glob("stories.sqlite.corrupt-*"))


def test_a_join_after_a_split_leaves_no_contradiction(tmp_path: Path) -> None:
    from articles.model import Article
    from store import NewsStore

    made = [
        Article.create(title=f"Council backs tram {n}", body=BODY + f" Report number {n} from the desk.",
                       source=f"Paper {n}", url=f"https://a.invalid/{n}", published=f"2026-11-0{n + 1}T10:00:00Z")
        for n in range(3)
    ]
    with NewsStore(tmp_path / "s") as store:
        store.add_articles(made)
        store.stories.assign()
        ids = [a.id for a in made]
        assert len({store.stories.links([i])[i][0] for i in ids}) == 1
        store.stories.split(ids[2])
        assert store.stories.links([ids[2]])[ids[2]][0] == ids[2]
        assert store.stories.join(ids[2], ids[0]) == ids[0]
        assert {store.stories.links([i])[i][0] for i in ids} == {ids[0]}
        assert store.stories.check()["problems"] == []
        store.stories.rebuild()
        assert {store.stories.links([i])[i][0] for i in ids} == {ids[0]}


def test_a_rarer_shared_name_counts_for_more() -> None:
    from articles.stories.linking import NAME_WEIGHT, RARE_IDF, name_bonus

    idf = {RARE_IDF: 5.0, "n:calderwick": 5.0, "n:europe": 2.0}
    assert name_bonus(["calderwick", "tram"], ["calderwick"], idf) == pytest.approx(NAME_WEIGHT)
    assert name_bonus(["europe"], ["europe"], idf) == pytest.approx(NAME_WEIGHT * 0.4)
    assert name_bonus(["europe"], ["calderwick"], idf) == 0.0


def test_name_counts_are_kept_as_articles_come_and_go_and_made_for_an_older_file(tmp_path: Path) -> None:
    """stories.sqlite counts the articles each name is in (`n:name` in df), as a rebuild does;
    a file made before names were counted gets them when opened."""
    import sqlite3

    from articles.model import Article
    from store import NewsStore

    def made(n: int, published: str) -> Article:
        return Article.create(title=f"Calderwick council backs tram {n}", body=BODY, source="Bulletin",
                              url=f"https://a.invalid/{n}", published=published)

    def name_counts() -> dict[str, int]:
        db = sqlite3.connect(tmp_path / "s" / "stories.sqlite")
        try:
            return dict(db.execute("SELECT term, n FROM df WHERE term LIKE 'n:%' AND n > 0"))
        finally:
            db.close()

    first, second = made(1, "2026-11-05T10:00:00Z"), made(2, "2026-11-06T10:00:00Z")
    with NewsStore(tmp_path / "s") as store:
        store.add_articles([first])
        store.stories.assign()
        store.add_articles([second])
        store.stories.assign()
    placed = name_counts()
    assert placed["n:calderwick"] == 2
    with NewsStore(tmp_path / "s") as store:
        store.stories.rebuild()
    assert name_counts() == placed
    db = sqlite3.connect(tmp_path / "s" / "stories.sqlite")
    with db:
        db.execute("DELETE FROM df WHERE term LIKE 'n:%'")
        db.execute("DELETE FROM meta WHERE key = 'name_counts'")
    db.close()
    with NewsStore(tmp_path / "s") as store:
        store.delete_articles([first.id])
        store.stories.assign()
    assert name_counts() == {k: n - 1 for k, n in placed.items() if n > 1}
