"""Cheap language detection on real-looking text."""
# ruff: noqa: E501  (sentences in several languages read better unbroken)

from __future__ import annotations

import pytest

from articles.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The mayor of the city said on Monday that the new tram line would be built by the end of the decade.", "en"),
        (
            "Der Bürgermeister sagte am Montag, dass die neue Straßenbahn bis zum Ende des Jahrzehnts gebaut wird und nicht teurer ist.",
            "de",
        ),
        (
            "Le maire de la ville a déclaré lundi que la nouvelle ligne de tramway sera construite avant la fin de la décennie.",
            "fr",
        ),
        (
            "Il sindaco della città ha detto che la nuova linea del tram sarà costruita entro la fine del decennio per tutti.",
            "it",
        ),
        (
            "O prefeito da cidade disse que a nova linha de bonde será construída até o fim da década para os moradores.",
            "pt",
        ),
        ("市长周一表示，新的有轨电车线路将在本十年结束前建成，并将连接港口和火车站。", "zh"),
        ("市長は月曜日、新しい路面電車の路線は十年以内に完成すると述べました。", "ja"),
        ("Мэр города заявил в понедельник, что новая линия трамвая будет построена до конца десятилетия.", "ru"),
        ("Short", None),
        ("1234 5678 9999", None),
    ],
)
def test_detect_language(text: str, expected: str | None) -> None:
    assert detect_language(text) == expected
