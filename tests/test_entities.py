"""Entity extraction: consolidation rules on crafted spans, the seed through the real model, the
language gate, storing entities (index, search, catch-up) and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from articles.entities.consolidate import RawMention, clean_name, consolidate
from articles.entities.extract import article_text, extractable, load_model, model_available
from articles.importers import read_sources
from articles.model import Article, Entity
from newsdesk_testing import shared_path, spans
from store import NewsStore
from tui.cli import main
from tui.extracting import extract_entities

SEED_PEOPLE = {"Ying Yong", "Eli Cohen", "Ofir Akunis", "Ami Appelbaum", "Yona Yahav", "Cai Weiming", "Eyal Propper"}


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    return {e.name: e for e in entities}


# -- consolidation rules (no model) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Shanghai International Port Co’s", "Shanghai International Port Co"),
        ("Ying Yong(third", "Ying Yong"),
        ("the Ministry of Economy", "Ministry of Economy"),
        ("“Acme Corp.”", "Acme Corp."),
        ("Ministry of Science, Technology and", "Ministry of Science, Technology"),
        ("Reuters'", "Reuters"),
        ("Apple Inc.", "Apple Inc."),
        ("the U.S.", "U.S."),
        ("A European Commission", "European Commission"),
        ("minister", ""),
        ("Embassy", ""),
        ("42", ""),
        ("X", ""),
    ],
)
def test_clean_name(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_a_leading_possessor_that_is_a_name_is_dropped() -> None:
    assert clean_name("Shanghai’s Aowei Technology’s", ["Shanghai"]) == "Aowei Technology"
    assert clean_name("McDonald's Corp", ["Shanghai"]) == "McDonald's Corp"


def test_short_forms_resolve_to_the_full_name_in_the_article() -> None:
    text = "Mayor Ana Lima met Eli Cohen. Lima said Cohen agreed. Later Cohen left; Ana smiled."
    labelled = [
        ("Ana Lima", "PERSON"),
        ("Eli Cohen", "PERSON"),
        ("Lima", "PERSON"),
        ("Cohen", "ORG"),
        ("Ana", "PERSON"),
    ]
    found = by_name(consolidate(text, spans(text, *labelled)))
    assert set(found) == {"Ana Lima", "Eli Cohen"}
    assert found["Eli Cohen"].mentions == 3 and found["Eli Cohen"].aliases == ("Cohen",)
    assert found["Eli Cohen"].type == "person"  # the full form's vote beats the short form's ORG
    assert found["Ana Lima"].mentions == 3 and set(found["Ana Lima"].aliases) == {"Lima", "Ana"}


def test_an_ambiguous_short_form_stays_apart() -> None:
    text = "Ana Lima and Rui Lima spoke. Lima left."
    found = by_name(consolidate(text, spans(text, ("Ana Lima", "PERSON"), ("Rui Lima", "PERSON"), ("Lima", "PERSON"))))
    assert set(found) == {"Ana Lima", "Rui Lima", "Lima"}
    text = "Ana Lima flew to Lima. Lima was warm."  # a place that shares a word with a person
    found = by_name(consolidate(text, spans(text, ("Ana Lima", "PERSON"), ("Lima", "GPE"))))
    assert found["Lima"].type == "place" and found["Ana Lima"].mentions == 1


def test_type_by_vote_and_role_words() -> None:
    text = "Haifa grew. Yahav said Haifa welcomes trade. The mayor of Haifa, Yona Yahav, spoke in Haifa."
    mentions = spans(text, ("Yona Yahav", "PERSON"), ("Yahav", "PERSON"))
    mentions += [RawMention("Haifa", "GPE", 0, 5), RawMention("Haifa", "PERSON", 23, 28)]
    start = text.find("Haifa,")
    mentions.append(RawMention("Haifa", "PERSON", start, start + 5))  # "mayor of Haifa": a place
    start = text.rfind("Haifa")
    mentions.append(RawMention("Haifa", "GPE", start, start + 5))
    found = by_name(consolidate(text, mentions))
    assert found["Haifa"].type == "place" and found["Haifa"].mentions == 4
    assert found["Yona Yahav"].type == "person"


def test_a_role_in_apposition_makes_a_person() -> None:
    text = "Talks went on. Eyal Propper, Israel consul-general to Shanghai, attended."
    found = by_name(consolidate(text, spans(text, ("Eyal Propper", "ORG"), ("Shanghai", "GPE"))))
    assert found["Eyal Propper"].type == "person"


def test_ties_go_to_the_corpus_then_a_fixed_order() -> None:
    text = "Jordan won. Jordan lost."
    mentions = [RawMention("Jordan", "GPE", 0, 6), RawMention("Jordan", "PERSON", 12, 18)]
    assert consolidate(text, mentions)[0].type == "place"  # an even vote: not the person label
    assert consolidate(text, mentions, {"jordan": {"person": 5}})[0].type == "person"


def test_acronyms_prefixes_and_runaway_spans() -> None:
    text = (
        "The United States Air Force said USAF jets flew. The Ministry of Economy and Industry of "
        "Israel and Space and Ministry of Economy and Industry met. Reports came on June 5 from 3 sources."
    )
    found = by_name(
        consolidate(
            text,
            spans(
                text,
                ("United States Air Force", "ORG"),
                ("USAF", "ORG"),
                ("Ministry of Economy and Industry of Israel", "ORG"),
                ("Space and Ministry of Economy and Industry", "ORG"),
                ("June 5", "DATE"),
                ("3", "CARDINAL"),
            ),
        )
    )
    # an acronym is a name of its own (as in CoNLL and wikigold), listed beside its long form
    assert set(found) == {"United States Air Force", "USAF", "Ministry of Economy and Industry of Israel"}
    assert found["USAF"].type == "org" and found["United States Air Force"].aliases == ()
    assert found["Ministry of Economy and Industry of Israel"].aliases == ()  # the runaway span is not a name


def test_nationalities_and_events_are_other_and_sorted_by_mentions() -> None:
    text = "Israeli firms joined the Olympics. Israeli and Chinese teams."
    entities = consolidate(text, spans(text, ("Israeli", "NORP"), ("Olympics", "EVENT"), ("Chinese", "NORP")))
    assert [(e.name, e.type, e.mentions) for e in entities][0] == ("Israeli", "other", 2)
    assert {e.type for e in entities} == {"other"}


# -- the model ----------------------------------------------------------------------------------
needs_model = pytest.mark.skipif(not model_available(), reason="spaCy model not installed (pip install -e .)")


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return load_model()


def seed_article() -> Article:
    items = [a for a in read_sources([str(shared_path("seed"))]) if isinstance(a, Article)]
    assert len(items) == 1
    return items[0]


@needs_model
def test_the_seed_lists_its_seven_people_and_no_one_else(nlp) -> None:  # type: ignore[no-untyped-def]
    from articles.entities.extract import extract_texts

    article = seed_article()
    entities = extract_texts(nlp, [article_text(article)])[0]
    people = {e.name for e in entities if e.type == "person"}
    assert people == SEED_PEOPLE
    kinds = {e.name: e.type for e in entities}
    assert kinds["Haifa"] == kinds["Shanghai"] == kinds["Israel"] == "place"
    assert kinds["Shanghai International Port Co"] == "org"
    assert not any("’s" in e.name or "'s" in e.name or "(" in e.name for e in entities)
    ying = next(e for e in entities if e.name == "Ying Yong")
    assert ying.mentions >= 10 and "Ying" in ying.aliases


def test_the_language_gate() -> None:
    english = Article.create(
        title="Mayor visits port", body="The mayor of the city visited the port on Monday.", url="https://e.example/1"
    )
    german = Article.create(
        title="Bürgermeister besucht Hafen",
        body="Der Bürgermeister der Stadt hat am Montag den Hafen besucht und mit den Arbeitern gesprochen.",
        url="https://e.example/2",
    )
    tagged = Article.create(
        title="Mayor visits port", body="The mayor visited.", url="https://e.example/3", language="fr"
    )
    assert extractable(english) and not extractable(german) and not extractable(tagged)


# -- storing ------------------------------------------------------------------------------------
def test_stored_entities_are_searchable_counted_and_seen_by_other_handles(store: NewsStore) -> None:
    a = Article.create(
        title="Port deal", body="Ana Lima signed.", url="https://e.example/a", published="2026-01-02T00:00:00Z"
    )
    b = Article.create(
        title="Port strike", body="Workers left.", url="https://e.example/b", published="2026-01-03T00:00:00Z"
    )
    store.add_articles([a, b])
    other = NewsStore(store.root)
    assert other.search("has:entities").count == 0
    assert store.without_entities() == [b.id, a.id]
    changed = store.set_entities(
        {a.id: [Entity("Ana Lima", "person", 2, ("Lima",)), Entity("Harbour Board", "org", 1)], b.id: []}
    )
    assert set(changed) == {a.id, b.id}
    assert (
        store.set_entities({a.id: [Entity("Ana Lima", "person", 2, ("Lima",)), Entity("Harbour Board", "org", 1)]})
        == []
    )
    for handle in (store, other):  # the other handle catches up from the files
        assert [i.id for i in handle.search("person:lima").items] == [a.id]
        assert [i.id for i in handle.search('org:"harbour board"').items] == [a.id]
        assert handle.search("has:entities").count == 2
        assert handle.without_entities() == []
        got = handle.get(a.id)
        assert got is not None and got.article.entities[0].aliases == ("Lima",)
    assert store.entity_counts() == [
        {"name": "Ana Lima", "type": "person", "articles": 1, "mentions": 2},
        {"name": "Harbour Board", "type": "org", "articles": 1, "mentions": 1},
    ]
    assert store.entity_counts("strike") == []
    assert store.entity_counts(kind="org") == [{"name": "Harbour Board", "type": "org", "articles": 1, "mentions": 1}]
    store.reindex()
    assert [i.id for i in store.search("person:lima").items] == [a.id]
    other.close()


@needs_model
def test_cli_import_extracts_and_entities_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path / "s")
    assert main(["--store", root, "import", str(shared_path("seed")), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["entities"] == 1
    assert main(["--store", root, "entities", "--type", "person", "--json"]) == 0
    people = json.loads(capsys.readouterr().out)
    assert {p["name"] for p in people} == SEED_PEOPLE
    assert main(["--store", root, "search", "person:cohen", "--count"]) == 0
    assert capsys.readouterr().out.strip() == "1"


@needs_model
def test_entities_extract_fills_in_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path / "s")
    assert main(["--store", root, "import", "--no-entities", str(shared_path("seed"))]) == 0
    capsys.readouterr()
    assert main(["--store", root, "search", "has:entities", "--count"]) == 0
    assert capsys.readouterr().out.strip() == "0"
    assert main(["--store", root, "entities", "extract", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"extracted": 1, "checked": 1}
    assert main(["--store", root, "entities", "extract", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"extracted": 0, "checked": 0}


@needs_model
def test_extraction_skips_other_languages(store: NewsStore) -> None:
    german = Article.create(
        title="Bürgermeister besucht Hafen",
        body="Der Bürgermeister der Stadt hat am Montag den Hafen besucht und mit den Arbeitern gesprochen.",
        url="https://e.example/de",
    )
    store.add_articles([german])
    assert extract_entities(store, [german.id], processes=1) == {"extracted": 0, "skipped": 1}
    assert store.get(german.id).article.entities is None


# -- the demo -----------------------------------------------------------------------------------
@needs_model
def test_the_shipped_demo_entities_are_what_extraction_gives() -> None:
    from tui.demo import DEMO_ENTITIES, extract_demo

    shipped = json.loads(DEMO_ENTITIES.read_text(encoding="utf-8"))["articles"]
    assert extract_demo() == shipped, "run: python -m tui.demo"
    assert not [e for found in shipped.values() for e in found if e["name"] == "3D"]  # "3D printers": no firm


def test_the_demo_store_has_entities_without_spacy(store: NewsStore) -> None:
    from tui.demo import fill_demo_store

    fill_demo_store(store)
    assert store.search("has:entities").count == store.count() == 27
    people = {e["name"] for e in store.entity_counts(kind="person")}
    assert people >= SEED_PEOPLE


def test_where_a_name_sits_says_place() -> None:
    text = "Flooding in Calderwick closed roads. Calderwick residents waited."
    mentions = spans(text, ("Calderwick", "PERSON"))
    assert consolidate(text, mentions)[0].type == "place"


def test_weak_local_evidence_yields_to_the_corpus() -> None:
    from articles.entities.consolidate import corpus_retype

    once = Entity("Oslo", "org", 1)
    lone_person = Entity("Calderwick", "person", 3)
    full_person = Entity("Ana Lima", "person", 2)  # named twice in full: the article knows better
    votes = {"oslo": {"place": 4, "org": 1}, "calderwick": {"place": 2}, "ana lima": {"place": 5}}
    retyped = corpus_retype([once, lone_person, full_person], votes)
    assert [e.type for e in retyped] == ["place", "place", "person"]
    assert corpus_retype([once], {"oslo": {"place": 1}}) == [once]  # one other article is not enough
    assert corpus_retype([Entity("Oslo", "org", 2)], votes)[0].type == "org"  # said twice here: kept


def test_kind_words_titles_and_longer_short_forms() -> None:
    text = "Harbourside Library reopened. Councillor Petra Morrow and Carolina Vaz Pinto came; Vaz Pinto spoke."
    labelled = [("Harbourside Library", "PERSON"), ("Councillor Petra Morrow", "ORG"), ("Carolina Vaz Pinto", "PERSON")]
    labelled += [("Vaz Pinto", "PERSON")]
    found = by_name(consolidate(text, spans(text, *labelled)))
    assert found["Harbourside Library"].type == "place"  # a library is not a person
    assert found["Petra Morrow"].type == "person"  # the title is stripped and says person
    assert found["Carolina Vaz Pinto"].mentions == 2 and found["Carolina Vaz Pinto"].aliases == ("Vaz Pinto",)
    assert "Vaz Pinto" not in found


def test_merge_and_unmerge_apply_everywhere(store: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    a = Article.create(title="Jets fly", body="USAF jets flew.", url="https://e.example/m1", published="2026-01-02")
    b = Article.create(title="Air base", body="The air force base.", url="https://e.example/m2", published="2026-01-03")
    store.add_articles([a, b])
    store.set_entities({a.id: [Entity("USAF", "org", 2)], b.id: [Entity("United States Air Force", "org", 1)]})
    root = str(store.root)
    assert main(["--store", root, "entities", "merge", "USAF", "United States Air Force"]) == 0
    assert {i.id for i in store.search('org:"united states air force"').items} == {a.id, b.id}
    assert {i.id for i in store.search("org:usaf").items} == {a.id, b.id}
    shown = store.get(a.id).article.entities
    assert [(e.name, e.mentions, e.aliases) for e in shown] == [("United States Air Force", 2, ("USAF",))]
    assert store.entity_counts() == [{"name": "United States Air Force", "type": "org", "articles": 2, "mentions": 3}]
    later = Article.create(title="More jets", body="USAF again.", url="https://e.example/m3", published="2026-01-04")
    store.add_articles([later])
    store.set_entities({later.id: [Entity("USAF", "org", 1)]})  # imported after the merge
    assert store.search('org:"united states air force"').count == 3
    capsys.readouterr()
    assert main(["--store", root, "entities", "unmerge", "usaf"]) == 0
    assert {i.id for i in store.search('org:"united states air force"').items} == {b.id}
    assert store.get(a.id).article.entities[0].name == "USAF"
    assert main(["--store", root, "entities", "unmerge", "usaf"]) == 1
    assert main(["--store", root, "entities", "merge", "only-one"]) == 2


def merged_us_store(store: NewsStore) -> dict[str, str]:
    """Four articles naming the United States three ways, one of them two ways; "U.S." and "US"
    merged into "United States".  Returns the ids by letter."""
    made = {
        letter: Article.create(
            title=f"Trade {letter}", body="Tariffs.", url=f"https://e.example/us-{letter}", published=f"2026-01-0{i}"
        )
        for i, letter in enumerate("abcd", start=1)
    }
    store.add_articles(list(made.values()))
    store.set_entities(
        {
            made["a"].id: [Entity("U.S.", "place", 2), Entity("US", "place", 1)],  # both names: one article
            made["b"].id: [Entity("United States", "place", 3)],
            made["c"].id: [Entity("US", "place", 1), Entity("Ana Lima", "person", 1)],
            made["d"].id: [Entity("US", "org", 1), Entity("Ana Lima", "person", 1)],  # another type
        }
    )
    store.merge_entity("U.S.", "United States")
    store.merge_entity("US", "United States")
    return {letter: article.id for letter, article in made.items()}


def test_merged_entity_counts_distinct_articles(store: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    merged_us_store(store)
    opened = store.search('place:"United States"').count
    assert opened == 3
    places = store.entity_counts(kind="place")
    assert places == [{"name": "United States", "type": "place", "articles": 3, "mentions": 7}]
    everything = {(e["type"], e["name"]): e["articles"] for e in store.entity_counts()}
    assert everything == {("place", "United States"): 3, ("person", "Ana Lima"): 2, ("org", "United States"): 1}
    assert store.search('org:"United States"').count == 1
    # the filter finds the entity by any of its names, and counts all of it
    for text in ("united", "u.s", "us"):
        found = [e for e in store.entity_counts(kind="place", contains=text)]
        assert [(e["name"], e["articles"]) for e in found] == [("United States", 3)], text
    assert store.entity_counts("tariffs", kind="place", limit=1)[0]["articles"] == 3
    assert main(["--store", str(store.root), "entities", "--type", "place", "--json"]) == 0
    assert [(e["name"], e["articles"]) for e in json.loads(capsys.readouterr().out)] == [("United States", 3)]
    assert main(["--store", str(store.root), "entities", "--type", "place"]) == 0
    assert capsys.readouterr().out.split() == ["3", "place", "United", "States"]


def test_related_articles_see_merged_names_as_one_entity(store: NewsStore) -> None:
    ids = merged_us_store(store)
    related = {item.id: score for item, score in store.related(ids["b"])}
    # b names "United States"; a ("U.S." and "US") and c ("US") name it too, each once: 1/3
    assert related == {ids["a"]: pytest.approx(1 / 3), ids["c"]: pytest.approx(1 / 3)}
    related = {item.id: score for item, score in store.related(ids["c"])}
    assert related == {ids["a"]: pytest.approx(1 / 3), ids["b"]: pytest.approx(1 / 3), ids["d"]: pytest.approx(1 / 2)}


def test_line_breaks_numbers_and_indices_end_names() -> None:
    text = "Macbook\n\nApple Computer made it. The FTSE 100 fell; the NASDAQ index rose. The Beatles sang."
    mentions = [RawMention("Macbook\n\nApple Computer", "ORG", 0, 23)]
    mentions += spans(text, ("FTSE 100", "ORG"), ("NASDAQ", "ORG"), ("Beatles", "PERSON"))
    found = by_name(consolidate(text, mentions))
    assert set(found) == {"Macbook", "Apple Computer", "Beatles"}
    assert found["Beatles"].type == "org"


def test_the_corpus_breaks_an_articles_tie() -> None:
    from articles.entities.consolidate import corpus_break_ties

    text = "Dacia grew. Dacia sold cars."
    mentions = [RawMention("Dacia", "PERSON", 0, 5), RawMention("Dacia", "ORG", 12, 17)]
    ties: dict[str, tuple[str, ...]] = {}
    entities = consolidate(text, mentions, ties=ties)
    assert entities[0].type == "org" and set(ties["Dacia"]) == {"org", "person"}
    assert corpus_break_ties(entities, ties, {"dacia": {"person": 3, "org": 1}})[0].type == "person"
    assert corpus_break_ties(entities, ties, {"dacia": {"place": 9}})[0].type == "org"  # not a tied type
    assert corpus_break_ties(entities, {}, {"dacia": {"person": 9}})[0].type == "org"  # no tie: kept


def test_a_merged_entity_keeps_the_larger_salience_and_sorts_by_it(
    store: NewsStore, capsys: pytest.CaptureFixture[str]
) -> None:
    article = Article.create(title="U.S. talks", body="The U.S. and the United States. Lisbon, Lisbon, Lisbon.", url="https://e.example/m")
    store.add_articles([article])
    store.set_entities(
        {
            article.id: [
                Entity("Lisbon", "place", 3, salience=0.3),
                Entity("U.S.", "place", 1, salience=0.7),
                Entity("United States", "place", 1, salience=0.2),
            ]
        }
    )
    assert main(["--store", str(store.root), "entities", "merge", "U.S.", "United States"]) == 0
    capsys.readouterr()
    stored = store.get(article.id)
    assert stored is not None and stored.article.entities is not None
    assert [(e.name, e.mentions, e.salience) for e in stored.article.entities] == [
        ("United States", 2, 0.7),
        ("Lisbon", 3, 0.3),
    ]
