"""Which articles go through the English model, and why the others do not (cheap: no spaCy).

An article goes through unless it is plainly written in another language: a script that tells
the language (Chinese, Cyrillic, Arabic …), or prose whose function words are another language's.
Text short on function words — a results table, a market report, a list of names and numbers —
is not plainly anything, and an article of Latin letters that is not plainly another language
(nor prose with almost no English function words: Polish, Turkish …) goes through: the English model finds the names in it or finds none, which the sidebar says.
A language stored with the article (a feed's declaration, or what the importer detected) is
trusted when the text does not say otherwise, except that a text in Latin letters which the
stored language's own words do not plainly fill is read as well: importers store what the
detector guessed, and a table of English names can look French to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from articles.language import SAMPLE, language_evidence, latin_share
from articles.model import Article

_WORD = re.compile(r"[^\W\d_]+")
LATIN_SHARE = 0.8
"""Share of Latin letters from which an article of no clear language is read by the model."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an article goes through the English model; if not, the language and the reason."""

    extract: bool
    language: str | None
    reason: str | None = None
    """Why it does not (for the sidebar), e.g. 'language “fr”'; None when it does."""


def gate_text(article: Article) -> str:
    return f"{article.title}\n{article.summary}\n{article.body}"


def verdict(article: Article) -> Verdict:
    """The language gate for one article."""
    stored = (article.language or "").lower().split("-")[0] or None
    text = gate_text(article)
    evidence = language_evidence(text)
    if stored == "en" or evidence.confident("en"):
        return Verdict(True, "en")
    if evidence.script and evidence.language and evidence.language != "en":
        return _skip(evidence.language)
    if evidence.language and evidence.language != "en" and evidence.confident(evidence.language):
        return _skip(evidence.language)
    if stored and stored != "en":
        if evidence.confident(stored) or (not evidence.counts and evidence.words < 8):
            return _skip(stored)  # the text says so, or is too short to say anything
    if _prose_without_english(text, evidence.words, evidence.counts.get("en", 0)):
        return Verdict(False, stored, f"language “{stored}”" if stored else "language not recognised")
    share = latin_share(text)
    if share >= LATIN_SHARE:
        return Verdict(True, evidence.language or stored)
    language = evidence.language or stored
    if language:
        return _skip(language)
    return Verdict(False, None, "no language told (too few Latin letters)" if share else "no text")


def _prose_without_english(text: str, words: int, english: int) -> bool:
    """Running prose (most words in lower case, unlike a table of names) with almost no English
    function words: a language the detector does not know (Polish, Turkish …), not English."""
    if words < 20 or english * 20 >= words:
        return False
    head = _WORD.findall(text[:SAMPLE])
    return sum(1 for w in head if w[0].islower()) * 2 >= len(head)


def _skip(language: str) -> Verdict:
    return Verdict(False, language, f"language “{language}”")


def extractable(article: Article) -> bool:
    """Whether the article goes through the English model (see `verdict`)."""
    return verdict(article).extract


def skip_reason(article: Article) -> str | None:
    """Why extraction does not run on the article (None: it does, or will)."""
    return verdict(article).reason
