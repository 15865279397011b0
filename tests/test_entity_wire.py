"""Wire copy: a headline in capitals, a dateline, score lines, standings and scorecards."""
# ruff: noqa: E501

from __future__ import annotations

from articles.entities.consolidate import consolidate
from articles.entities.wire import caps_lines, datelines
from articles.model import Entity
from newsdesk_testing import spans


def types(entities: list[Entity]) -> dict[str, str]:
    return {e.name.casefold(): e.type for e in entities}


def test_a_headline_in_capitals_names_what_the_body_names() -> None:
    """The model's spans in the capitals ("JAPAN GET LUCKY WIN" an organisation) are dropped; the
    headline's words count as mentions of the names the body uses, and of countries."""
    text = "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\n\nAL-AIN , United Arab Emirates 1996-12-06\nJapan began the defence of their title with a lucky 2-1 win against Syria on Friday ."
    mentions = spans(text, ("JAPAN GET LUCKY WIN", "ORG"), ("CHINA", "GPE"), ("United Arab Emirates", "GPE"), ("Japan", "GPE"), ("Syria", "GPE"))
    found = consolidate(text, mentions)
    kinds = types(found)
    assert "japan get lucky win" not in kinds
    assert kinds["japan"] == kinds["china"] == kinds["syria"] == "place"
    assert kinds["al-ain"] == kinds["united arab emirates"] == "place"  # the dateline
    japan = next(e for e in found if e.name == "Japan")
    assert japan.mentions == 2 and japan.salience and japan.salience >= 0.7  # the headline is its title
    assert {e.name for e in found} >= {"Al-Ain", "China"}  # shown in mixed case


def test_caps_lines_and_datelines() -> None:
    text = "RUGBY UNION - ENGLAND BEAT ITALY\n\nLONDON 1996-11-23\nEngland beat Italy at Twickenham on Saturday .\nThe home side scored six tries to two in front of a crowd of 60,000 .\nEASTERN CONFERENCE\nNEW YORK 10 4 .714 -"
    lines = [text[s:e] for s, e in caps_lines(text)]
    assert lines[0] == "RUGBY UNION - ENGLAND BEAT ITALY" and "EASTERN CONFERENCE" in lines
    assert [[text[s:e] for s, e in names] for _, _, names in datelines(text)] == [["LONDON"]]
    assert caps_lines("MAYOR OPENS BRIDGE\nTHE MAYOR OF CALDERWICK OPENED THE NEW BRIDGE ON MONDAY .") == []  # all capitals
    found = types(consolidate(text, spans(text, ("RUGBY UNION", "ORG"), ("England", "GPE"), ("Italy", "GPE"), ("Twickenham", "PERSON"), ("EASTERN CONFERENCE", "ORG"))))
    assert found["twickenham"] == "place" and found["london"] == "place"
    assert "rugby union" not in found and "eastern conference" not in found


def test_score_lines_are_teams_and_scorecards_are_people() -> None:
    text = (
        "SOCCER - ENGLISH LEAGUE RESULTS .\n\nLONDON 1996-11-23\n"
        "Nottingham Forest 1 West Ham 1\nCoventry 1 Leeds 2\nNewcastle 14 9 3 2 27 14 30\n"
        "PSV Eindhoven 3 ( Luc Nilis 20 , Wim Jonk 55 ) NAC Breda 0 . Halftime 1-0 . Attendance 28,000\n"
        "N. Hussain c Saeed Anwar b Wasim Akram 12\nI. Salisbury not out 4\n"
        "Boris Becker ( Germany ) beat Magnus Larsson ( Sweden ) 6-4 6-4\n"
        "BALTIMORE 74 62 .544 -\n278 Tom Lehman 68 70 72 68\nScorers : Ronaldo 34 , Bebeto 67"
    )
    mentions = spans(text, ("Nottingham Forest", "PERSON"), ("West Ham", "GPE"), ("Leeds", "GPE"), ("I. Salisbury", "ORG"), ("Halftime", "PERSON"))
    found = types(consolidate(text, mentions))
    for team in ("baltimore", "nottingham forest", "west ham", "coventry", "leeds", "newcastle", "psv eindhoven", "nac breda"):
        assert found[team] == "org", team
    for person in ("luc nilis", "wim jonk", "n. hussain", "saeed anwar", "wasim akram", "i. salisbury", "boris becker", "magnus larsson", "tom lehman", "ronaldo", "bebeto"):
        assert found[person] == "person", person
    assert found["germany"] == found["sweden"] == "place"
    assert "halftime" not in found and "attendance" not in found
