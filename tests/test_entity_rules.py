"""Consolidation rules fed by data: table rows, the place gazetteer, given names, event words."""
# ruff: noqa: E501

from __future__ import annotations

from articles.entities.consolidate import consolidate
from articles.entities.lexicon import given_names, lookup
from articles.entities.tables import row_names, table_rows
from articles.model import Article, Entity
from newsdesk_testing import spans


def types(entities: list[Entity]) -> dict[str, str]:
    return {e.name: e.type for e in entities}


def test_the_shipped_lists_load() -> None:
    assert lookup("France").strong and lookup("united states").kind == "country"  # type: ignore[union-attr]
    assert lookup("U.S.").kind == "country" and lookup("Texas").kind == "state"  # type: ignore[union-attr]
    assert lookup("Frankfurt").kind == "city" and lookup("Blorptown") is None  # type: ignore[union-attr]
    assert {"James", "Mary", "Harry"} <= given_names() and "Delta" not in given_names()


def test_table_rows_and_their_names() -> None:
    text = "SOCCER - LEEDS BEAT CHELSEA 2-1\nLONDON 1997-03-15\nResults on Saturday:\nCoventry 0 Sheffield Wednesday 0\nSiemens 76.40 +1.25\nThe club said it won 2 games."
    rows = table_rows(text)
    assert [text[s:e] for s, e in rows] == ["Coventry 0 Sheffield Wednesday 0", "Siemens 76.40 +1.25"]
    assert [text[s:e] for s, e in row_names(text, *rows[0])] == ["Coventry", "Sheffield Wednesday"]


def test_names_in_a_results_table_are_teams_people_or_countries() -> None:
    text = "Results:\nCoventry 0 Sheffield Wednesday 0\nJapan 2 Syria 1\nTiger Woods (U.S.) 68 70 71\nThe match was played at Highfield Road."
    mentions = spans(text, ("Coventry 0 Sheffield", "ORG"), ("Japan", "GPE"), ("Syria", "PERSON"), ("Tiger Woods", "PERSON"), ("Highfield Road", "FAC"))
    found = types(consolidate(text, mentions))
    assert found["Coventry"] == found["Sheffield Wednesday"] == "org"
    assert found["Japan"] == found["Syria"] == found["U.S."] == "place"
    assert found["Tiger Woods"] == "person" and found["Highfield Road"] == "place"


def test_the_gazetteer_retypes_weak_calls_only() -> None:
    text = "Protests spread from Normandy to Jordan. Liverpool signed a striker. Chelsea Clinton spoke. Minister Georgia Lane said so."
    mentions = spans(text, ("Normandy", "PERSON"), ("Jordan", "ORG"), ("Liverpool", "ORG"), ("Chelsea Clinton", "PERSON"), ("Georgia Lane", "PERSON"))
    found = types(consolidate(text, mentions))
    assert found["Jordan"] == "place"  # a country whatever the model said
    assert found["Liverpool"] == "org"  # a city the model called an organisation stays one (a club)
    assert found["Chelsea Clinton"] == found["Georgia Lane"] == "person"


def test_given_names_and_event_words() -> None:
    text = "Edward George Honey wrote to the paper. The MTV Video Music Awards were held. Morgan Freeman Foundation gave."
    mentions = spans(text, ("Edward George Honey", "ORG"), ("MTV Video Music Awards", "ORG"), ("Morgan Freeman Foundation", "ORG"))
    found = types(consolidate(text, mentions))
    assert found["Edward George Honey"] == "person"
    assert found["MTV Video Music Awards"] == "other"
    assert found["Morgan Freeman Foundation"] == "org"  # a kind word: not a person


def test_salience_puts_what_the_story_is_about_first() -> None:
    text = "Mayor of Haifa visits Shanghai\n\nYona Yahav, the mayor of Haifa, arrived on Monday. " + "Later that week he met officials at the port and at the university, and talked about trade. " * 5 + "Officials from Beijing and Beijing's port joined. Beijing said more."
    mentions = spans(text, ("Haifa", "GPE"), ("Shanghai", "GPE"), ("Yona Yahav", "PERSON"), ("Beijing", "GPE"))
    entities = consolidate(text, mentions)
    assert [e.name for e in entities][:2] == ["Haifa", "Shanghai"]  # in the title
    found = {e.name: e.salience for e in entities}
    assert found["Haifa"] == max(found.values()) == 0.9  # title, lede, 2 of the most mentions (3)
    assert found["Yona Yahav"] > found["Beijing"] > 0  # the lede outweighs a later name said more often
    assert all(0 <= (s or 0) <= 1 for s in found.values())


def test_salience_is_stored_and_old_entities_still_load() -> None:
    new = Entity("Haifa", "place", 3, ("Hefa",), 0.85)
    assert new.to_dict()["salience"] == 0.85 and Entity.from_dict(new.to_dict()) == new
    old = {"name": "Haifa", "type": "place", "mentions": 3, "aliases": []}
    assert Entity.from_dict(old).salience is None and "salience" not in Entity.from_dict(old).to_dict()
    for bad in ("high", 7, -1, True, None):
        assert Entity.from_dict(old | {"salience": bad}).salience is None


def test_a_venue_and_a_known_town_by_where_they_sit() -> None:
    text = "England beat Australia at Twickenham on Saturday. Twickenham was full. Troops crossed in Remagen."
    mentions = spans(text, ("Twickenham", "PERSON"), ("Remagen", "ORG"))
    found = types(consolidate(text, mentions))
    assert found["Twickenham"] == "place"  # the stadium, read as a person by the model
    assert found["Remagen"] == "place"
    text = "The award went to Harry Kane at Wembley on Sunday. Kane said thanks."
    found = types(consolidate(text, spans(text, ("Harry Kane", "PERSON"), ("Kane", "PERSON"))))
    assert found == {"Harry Kane": "person"}


def test_a_title_then_a_given_name_make_a_person_of_a_town_name() -> None:
    text = "Dr Beatriz Conceição, of the Instituto Paulista de Materiais, said so."
    assert types(consolidate(text, spans(text, ("Conceição", "PERSON")))) == {"Conceição": "person"}


def test_show_json_carries_salience_through_the_store(store, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from tui.cli import main

    article = Article.create(title="Haifa mayor visits", body="Yona Yahav went.", url="https://e.example/sal")
    old = Article.create(title="Old story", body="Nothing new.", url="https://e.example/old")
    store.add_articles([article, old])
    store.set_entities({article.id: [Entity("Haifa", "place", 2, (), 0.9)], old.id: [Entity("Oslo", "place", 1)]})
    store.close()
    assert main(["--store", str(tmp_path / "store"), "show", "--json", article.id]) == 0
    assert json.loads(capsys.readouterr().out)["entities"][0]["salience"] == 0.9
    assert main(["--store", str(tmp_path / "store"), "show", "--json", old.id]) == 0
    assert "salience" not in json.loads(capsys.readouterr().out)["entities"][0]  # stored before salience


def test_an_organisation_word_ends_a_club_read_as_a_place() -> None:
    text = "Leeds United won at home. Fans of Leeds United sang in Leeds."
    found = types(consolidate(text, spans(text, ("Leeds United", "GPE"), ("Leeds", "GPE"))))
    assert found == {"Leeds United": "org", "Leeds": "place"}


def test_a_lone_word_is_no_person_unless_a_full_name_or_a_role_says_so() -> None:
    text = "Konami released the game. Maria Lopez Vega wrote it; Vega said so. Minister Okonjo spoke. Rebecca smiled. The band played in Heydour and Heydour residents came."
    mentions = spans(text, ("Konami", "PERSON"), ("Maria Lopez Vega", "PERSON"), ("Vega", "PERSON"), ("Okonjo", "PERSON"), ("Rebecca", "PERSON"), ("Heydour", "PERSON"))
    found = types(consolidate(text, mentions))
    assert found["Konami"] == "other"  # a lone word the model called a person: not listed as one
    assert found["Maria Lopez Vega"] == "person" and "Vega" not in found  # folded into the full name
    assert found["Okonjo"] == "person"  # a title beside it
    assert found["Rebecca"] == "person"  # a given name
    assert found["Heydour"] == "place"  # what its other mentions said ("in Heydour")


def test_a_designation_then_a_name_is_a_product() -> None:
    text = "The squadron flew the P-51 Mustang and later the F-86 Sabre from Debden."
    mentions = spans(text, ("P-51 Mustang", "PERSON"), ("F-86 Sabre", "ORG"), ("Debden", "GPE"))
    found = types(consolidate(text, mentions))
    assert found["P-51 Mustang"] == found["F-86 Sabre"] == "other" and found["Debden"] == "place"


def test_kind_and_context_modules_speak_for_themselves() -> None:
    from articles.entities.context import at_a_time, context_vote
    from articles.entities.kinds import kind_by_head

    assert kind_by_head("Leeds United", "place") == "org" and kind_by_head("Harbourside Library", "person") == "place"
    assert kind_by_head("Asian Cup", "org") == "other" and kind_by_head("Free Democrats", "other") == "org"
    assert kind_by_head("Leeds", "place") == "place"
    text = "England play at Twickenham on Saturday, said minister Eli Cohen, and the Beatles."
    start = text.index("Twickenham")
    assert at_a_time(text, start, start + len("Twickenham"))
    start = text.index("Eli Cohen")
    assert context_vote(text, start, start + len("Eli Cohen")) == "person"
    start = text.index("Beatles")
    assert context_vote(text, start, start + len("Beatles")) == "not-person"


def test_a_town_the_model_called_a_firm_is_a_place_by_where_it_sits() -> None:
    text = "He played in Ottawa and Halifax before moving to the town of Grantham."
    mentions = spans(text, ("Ottawa", "GPE"), ("Halifax", "ORG"), ("Grantham", "ORG"))
    found = types(consolidate(text, mentions))
    assert found["Halifax"] == "place"  # after "in Ottawa and"
    assert found["Grantham"] == "place"  # after "town of"


def test_words_of_land_and_water_end_places_but_surnames_do_not() -> None:
    text = "The trail follows Sandy Creek to Ayalon Cave. Damon Hill and Tiger Woods watched Nottingham Forest."
    mentions = spans(text, ("Sandy Creek", "PERSON"), ("Ayalon Cave", "ORG"), ("Damon Hill", "PERSON"), ("Tiger Woods", "PERSON"), ("Nottingham Forest", "ORG"))
    found = types(consolidate(text, mentions))
    assert found["Sandy Creek"] == found["Ayalon Cave"] == "place"
    assert found["Damon Hill"] == found["Tiger Woods"] == "person" and found["Nottingham Forest"] == "org"


def test_function_words_are_no_names_and_a_name_then_of_is_its_own() -> None:
    text = "The National Party of Australia grew. The National Party won. In\nthe Dominion of Canada it was known."
    mentions = spans(text, ("National Party of Australia", "ORG"), ("National Party", "ORG"), ("In", "ORG"), ("of Canada", "ORG"))
    found = types(consolidate(text, mentions))
    assert found["National Party"] == found["National Party of Australia"] == "org"  # two names, as CoNLL counts them
    assert "In" not in found and "of Canada" not in found and found["Canada"] == "place"


def test_a_band_or_a_firm_by_the_words_around_it() -> None:
    text = "They toured with the band Deadsy. Velvet Revolver's debut album sold well. Meanwhile Harbin Steel shares fell."
    mentions = spans(text, ("Deadsy", "PERSON"), ("Velvet Revolver", "PERSON"), ("Harbin Steel", "GPE"))
    found = types(consolidate(text, mentions))
    assert found["Deadsy"] == found["Velvet Revolver"] == found["Harbin Steel"] == "org"


def test_clubs_labels_papers_and_works_by_their_last_word() -> None:
    from articles.entities.kinds import kind_by_head

    assert kind_by_head("Sunderland A.F.C.", "place") == "org" and kind_by_head("Hinkley Locomotive Works", "person") == "org"
    assert kind_by_head("Calderwick Herald", "place") == kind_by_head("Warner Records", "person") == "org"


def test_no_dash_is_left_when_trailing_words_go() -> None:
    from articles.entities.consolidate import clean_name

    assert clean_name("Ingall's Road - southbound") == "Ingall's Road" and clean_name("Apple Inc. shares") == "Apple Inc."
