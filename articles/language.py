"""Cheap language detection: function-word counts for common news languages, scripts for the rest."""

from __future__ import annotations

import re
import unicodedata

# The most frequent function words of each language; distinctive enough at 50+ words of text.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is that for it was on with as by at from his are be this have an".split()),
    "de": frozenset("der die und das ist nicht mit sich des ein eine dem den auf auch für von zu im".split()),
    "fr": frozenset("le la les et des est une pour dans que qui du en au pas sur ce avec sont par".split()),
    "es": frozenset("el la los las y que del en un una por con para es se su al lo como más".split()),
    "it": frozenset("il di che la per non una sono della le gli del con è da nel alla anche più".split()),
    "pt": frozenset("o de que e do da em um para com não uma os no se na por mais as dos".split()),
    "nl": frozenset("de het een en van is dat op te zijn met voor niet aan er ook als bij".split()),
    "sv": frozenset("och att det som en på är av för med till den har inte om ett var jag".split()),
}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SCRIPTS = (
    ("zh", ("CJK UNIFIED",)),
    ("ja", ("HIRAGANA", "KATAKANA")),
    ("ko", ("HANGUL",)),
    ("ru", ("CYRILLIC",)),
    ("ar", ("ARABIC",)),
    ("he", ("HEBREW",)),
    ("el", ("GREEK",)),
)


def detect_language(text: str, sample: int = 4000) -> str | None:
    """An ISO 639-1 code for the text, or None when it is too short or unclear to tell."""
    head = text[:sample]
    letters = [ch for ch in head if ch.isalpha()]
    if len(letters) < 20:
        return None
    non_latin = _script_language(letters)
    if non_latin:
        return non_latin
    words = [w.lower() for w in _WORD.findall(head)]
    if len(words) < 8:
        return None
    scores = {lang: sum(1 for w in words if w in stop) for lang, stop in _STOPWORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < max(2, len(words) // 25) or ranked[0] < ranked[1] * 1.3:
        return None
    return best


def _script_language(letters: list[str]) -> str | None:
    counts: dict[str, int] = {}
    for ch in letters[:2000]:
        if ch < "\u0250":  # Latin letters decide nothing here
            continue
        name = unicodedata.name(ch, "")
        for lang, prefixes in _SCRIPTS:
            if name.startswith(prefixes):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    # Japanese text mixes kana with kanji: any kana makes it Japanese.
    if counts.get("ja", 0) * 10 >= sum(counts.values()):
        counts["ja"] += counts.pop("zh", 0)
    lang, hits = max(counts.items(), key=lambda item: item[1])
    return lang if hits * 2 >= len(letters[:2000]) else None
