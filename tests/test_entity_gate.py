"""The language gate: English short on function words (results tables, market reports) goes
through the English model; prose in another language does not, and says why."""
# ruff: noqa: E501  (article texts read better unbroken)

from __future__ import annotations

import json
from pathlib import Path

import pytest

from articles.entities.gate import extractable, gate_text, skip_reason, verdict
from articles.language import detect_language
from articles.model import Article
from tui.cli import main

RESULTS_TABLE = Article.create(
    title="SOCCER - ENGLISH PREMIER LEAGUE RESULTS AND STANDINGS",
    body="""LONDON 1997-03-15
English Premier League results, Saturday:
Arsenal 2 Blackburn 0
Chelsea 1 Leeds United 1
Coventry 0 Sheffield Wednesday 0
Everton 1 Derby 1
Leicester 3 Middlesbrough 1
Liverpool 0 Nottingham Forest 1
Manchester United 2 Sunderland 1
Southampton 2 Newcastle 2
Tottenham 1 West Ham 0
Wimbledon 1 Aston Villa 3
Standings (played, won, drawn, lost, goals scored, conceded, points):
Manchester United 28 16 8 4 55 32 56
Liverpool 29 15 8 6 50 26 53
Arsenal 29 14 9 6 48 27 51
Newcastle 27 14 7 6 52 32 49
Aston Villa 29 14 6 9 38 29 48
Chelsea 28 12 10 6 46 42 46
Scorers: Dennis Bergkamp 23, Ian Wright 67 (Arsenal); Ole Gunnar Solskjaer 12 (Manchester United); Alan Shearer 40 pen, Les Ferdinand 75 (Newcastle).""",
    url="https://sport.example/results/1997-03-15",
)

MARKET_REPORT = Article.create(
    title="Frankfurt stocks close firmer; Siemens, Daimler-Benz lead",
    body="""FRANKFURT 1996-08-22
DAX 2,553.45 +18.32
IBIS DAX 2,558.10 +20.11
Siemens 76.40 +1.25
Daimler-Benz 78.90 +0.85
Deutsche Bank 71.30 -0.20
Bayer 53.15 +0.40
Hoechst 51.90 +0.65
Volkswagen 518.50 +6.50
Lufthansa 19.80 -0.10
Allianz 2,695.00 +35.00
Volume thin, traders said. Dresdner Bank analyst Klaus Weber: Bundesbank comments due Thursday, Siemens results Friday.
-- Frankfurt newsroom +49 69 756525""",
    url="https://markets.example/frankfurt/1996-08-22",
)

FRENCH = Article.create(
    title="Le maire visite le port",
    body="Le maire de la ville a visité le port lundi et il a rencontré les dockers qui ont présenté leurs demandes pour la nouvelle année. Il a promis une réponse avant la fin du mois.",
    url="https://fr.example/1",
)
GERMAN = Article.create(
    title="Bürgermeister besucht Hafen",
    body="Der Bürgermeister der Stadt hat am Montag den Hafen besucht und mit den Arbeitern gesprochen. Er will die Pläne für das neue Terminal im Herbst vorstellen.",
    url="https://de.example/1",
)


@pytest.mark.parametrize("article", [RESULTS_TABLE, MARKET_REPORT], ids=["results-table", "market-report"])
def test_english_names_and_numbers_pass_the_gate(article: Article) -> None:
    assert detect_language(gate_text(article)) is None  # the detector cannot tell: too few function words
    assert extractable(article) and skip_reason(article) is None
    # an importer's guess stored with the article does not shut it out either
    guessed = Article.create(title=article.title, body=article.body, url=article.url + "/fr", language="fr")
    assert extractable(guessed)


TABLES_WITH_FOREIGN_NAMES = {
    "spanish-league": (
        "SOCCER - SPANISH FIRST DIVISION RESULTS .",
        "MADRID 1996-09-01\nResults of Spanish first division matches on Sunday :\nReal Madrid 2 Atletico de Madrid 1\n"
        "Deportivo de La Coruna 0 Real Sociedad de San Sebastian 0\nRayo Vallecano 1 Celta de Vigo 2\n"
        "Sevilla 3 Real Betis de Sevilla 1\nEspanyol de Barcelona 1 Real Zaragoza 1\nValencia 2 Athletic de Bilbao 0",
    ),
    "portuguese-league": (
        "SOCCER - PORTUGUESE LEAGUE RESULTS .",
        "LISBON 1996-09-01\nResults of Portuguese first division matches :\nBenfica 2 Sporting 2\nPorto 3 Boavista 0\n"
        "Vitoria de Guimaraes 1 Uniao de Leiria 0\nMaritimo 0 Estrela da Amadora 0\nAcademica de Coimbra 1 Gil Vicente 1",
    ),
    "cricket-scorecard": (
        "CRICKET - SRI LANKA V AUSTRALIA SCOREBOARD .",
        "COLOMBO 1996-08-26\nSri Lanka\nS. Jayasuriya c Healy b McGrath 44\nR. Kaluwitharana b Warne 12\n"
        "A. de Silva not out 83\nA. Ranatunga c Taylor b Reiffel 5\nExtras 10\nTotal ( for 3 wickets ) 154",
    ),
}


@pytest.mark.parametrize("name", sorted(TABLES_WITH_FOREIGN_NAMES))
def test_tables_of_foreign_names_are_not_a_foreign_language(name: str) -> None:
    """The "de" and "da" inside club names ("Vitoria de Guimaraes") are no Portuguese prose: the
    detector does not count the function words of lines of names, and the gate passes the table
    whatever language an importer guessed for it."""
    title, body = TABLES_WITH_FOREIGN_NAMES[name]
    assert detect_language(f"{title}\n{body}") in (None, "en")
    for stored in (None, "fr", "es", "pt"):
        article = Article.create(title=title, body=body, url=f"https://wire.example/{name}/{stored}", language=stored)
        assert extractable(article) and skip_reason(article) is None, stored


def test_other_languages_are_gated_with_a_reason() -> None:
    assert not extractable(FRENCH) and skip_reason(FRENCH) == "language “fr”"
    assert not extractable(GERMAN) and skip_reason(GERMAN) == "language “de”"
    chinese = Article.create(title="市长访问港口", body="市长周一表示，新的有轨电车线路将在本十年结束前建成，并将连接港口和火车站。", url="https://zh.example/1")
    assert verdict(chinese).language == "zh" and skip_reason(chinese) == "language “zh”"
    polish = Article.create(
        title="Burmistrz odwiedził port",
        body="Burmistrz miasta odwiedził w poniedziałek port i rozmawiał z pracownikami o nowych planach rozbudowy nabrzeża oraz o inwestycjach, które mają się zacząć w przyszłym roku.",
        url="https://pl.example/1",
    )
    assert not extractable(polish) and skip_reason(polish) == "language not recognised"  # not in the detector's list
    declared = Article.create(title="Mayor visits port", body="The mayor visited.", url="https://e.example/3", language="fr")
    assert skip_reason(declared) == "language “fr”"  # too short to contradict what the feed said


def _model_available() -> bool:
    from articles.entities.extract import model_available

    return model_available()


needs_model = pytest.mark.skipif(not _model_available(), reason="spaCy model not installed")


@needs_model
def test_a_table_and_a_report_get_entities_and_old_skips_are_extracted_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Articles the old gate skipped carry `entities: null`, like articles never extracted:
    `entities extract` picks them up and, the gate passing them now, extracts them."""
    source = tmp_path / "news.jsonl"
    source.write_text(
        "\n".join(
            json.dumps({"title": a.title, "body": a.body, "url": a.url, "language": lang})
            for a, lang in ((RESULTS_TABLE, "fr"), (MARKET_REPORT, None), (FRENCH, None))
        ),
        encoding="utf-8",
    )
    root = str(tmp_path / "store")
    assert main(["--store", root, "import", "--no-entities", str(source)]) == 0
    capsys.readouterr()
    assert main(["--store", root, "entities", "extract", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"extracted": 2, "checked": 3}
    from store import NewsStore

    with NewsStore(root, readonly=True) as store:
        table = store.get(RESULTS_TABLE.id).article.entities
        report = store.get(MARKET_REPORT.id).article.entities
        assert store.get(FRENCH.id).article.entities is None
    names = {(e.name, e.type) for e in table or ()}
    assert ("Alan Shearer", "person") in names and ("Ian Wright", "person") in names
    assert {("Arsenal", "org"), ("Sheffield Wednesday", "org"), ("Manchester United", "org")} <= names  # table rows
    report_names = {(e.name, e.type) for e in report or ()}
    assert ("Frankfurt", "place") in report_names and ("Klaus Weber", "person") in report_names
    assert {("Siemens", "org"), ("Hoechst", "org"), ("Allianz", "org")} <= report_names
