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


def reference_evidence(text: str) -> tuple[str | None, bool, int, dict[str, int]]:
    """language_evidence as it was written first, a Python loop over every word and letter (the
    fast one must tell the same from the same text): (language, script, words, counts)."""
    import re
    import unicodedata
    from collections import Counter

    from articles.language import _LANGUAGES_OF, _SCRIPTS, SAMPLE

    word_re = re.compile(r"[^\W\d_]+")
    head = text[:SAMPLE]
    if not head.isascii():
        scripts: dict[str, int] = {}
        letters = 0
        for ch in head:
            if ch.isalpha():
                letters += 1
                name = unicodedata.name(ch, "") if ch >= "\u0250" else ""
                lang = next((lang for lang, prefixes in _SCRIPTS if name and name.startswith(prefixes)), None)
                if lang:
                    scripts[lang] = scripts.get(lang, 0) + 1
        if scripts and letters >= 10:
            if scripts.get("ja", 0) * 10 >= sum(scripts.values()):
                scripts["ja"] += scripts.pop("zh", 0)
            lang, hits = max(scripts.items(), key=lambda item: item[1])
            if hits * 2 >= letters:
                return lang, True, 0, {}
    words = word_re.findall(head)
    if len(words) < 8:
        return None, False, len(words), {}
    prose: list[str] = []
    for line in head.splitlines():
        found = word_re.findall(line)
        if sum(1 for w in found if w[0].islower()) * 2 >= len(found):
            prose.extend(w.lower() for w in found if len(w) > 1 or w.islower())
    counts: dict[str, int] = {}
    for word, times in Counter(prose).items():
        for lang in _LANGUAGES_OF.get(word, ()):
            counts[lang] = counts.get(lang, 0) + times
    if not counts:
        return None, False, len(words), {}
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if hits < max(2, len(words) // 25) or hits < runner_up * 1.15:
        return None, False, len(words), counts
    return best, False, len(words), counts


def told(text: str) -> tuple[str | None, bool, int, dict[str, int]]:
    from articles.language import language_evidence

    found = language_evidence(text)
    return found.language, found.script, found.words, dict(found.counts)


def test_the_fast_counting_tells_what_the_word_loop_told() -> None:
    """On the shared feeds, Wikinews and the seed (titles, bodies, both), and on random text of
    mixed case, scripts, digits, initials and line breaks."""
    import random

    from articles.importers import read_source
    from articles.model import Article
    from newsdesk_testing import shared_path

    texts: list[str] = []
    for folder in ("feeds", "wikinews", "seed"):
        for item in read_source(str(shared_path(folder))):
            if isinstance(item, Article):
                texts += [item.title, item.body, f"{item.title}\n{item.body}", item.body[700:]]
    assert len(texts) > 900
    pieces = [
        "the", "The", "of", "A", "a", "I", "y", "Y", "de", "De", "la", "é", "è", "È", "Über", "und",
        "Madrid", "1", "²", "½", "Ⅸ", "K", "’", "—", " ", " ", " ", "\n", "\r\n", "\x0b", "\u2028", ".",
        ",", "市", "か", "Мэр", "и", "_", "x1", "ß", "İ",
    ]
    rng = random.Random(18)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(5000)]
    for text in texts:
        assert told(text) == reference_evidence(text), text
