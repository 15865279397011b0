"""From raw NER spans to what a sidebar should list: one entry per real-world name, with its
type, mention count, salience and the other forms the article used for it.

Raw spaCy output for one article is noisy: "Ying" and "Ying Yong" are two people, "Haifa" is once
a person, "Shanghai International Port Co’s" keeps its possessive, "Akunis" is an organisation.
The rules here are general (no rule names an entity; the lists they read are derived from
GeoNames and the US Census, see lexicon.py):

0. table rows (tables.py) give their own names, typed as a row types them; the model's spans in
   lines in capitals (a wire's headline) are dropped, their words matched against the article's
   names and countries, and a dateline's names are places (wire.py);
1. clean each span: possessives, glued parentheses, stray punctuation and quotes, a leading
   "the", and a leading possessor that is itself a name in the article ("Shanghai’s Aowei");
2. vote on the type of each mention: the NER label, plus a kind word ending it (kinds.py:
   Stadium, University, Creek, Awards), a common given name starting it, and the words around it
   (context.py: "minister Eli Cohen" a person, "mayor of Haifa", "in Calderwick", "at Twickenham
   on Saturday" a place, "the band Deadsy" an organisation);
3. resolve short forms to the full name used in the same article: a surname or given name to the
   one person whose name starts or ends with it, a leading word to the one organisation that
   starts with it (an acronym stays a name of its own, as CoNLL and wikigold count it);
4. the place gazetteer where the model never said place: a country, continent or US state is a
   place; a city is one unless the model called it an organisation (a club, a firm);
5. one type per entity by the votes of the mentions of its full form (short forms were resolved
   because of that type), then of all its mentions, then the corpus's votes for the name when
   given, then org > place > person > other (an even vote is more often a firm misread as a
   person than the reverse); after the vote a lone word is no person unless a full name ends
   with it, a title stands beside it, a table row typed it or it is a given name ("Konami",
   "Discontinued"): it takes what its other mentions said, else `other`;
6. salience (salience.py) from the title, the lede and the share of mentions; most salient first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from articles.entities.context import at_a_time, context_vote
from articles.entities.corpus import corpus_break_ties, corpus_retype, weak_person
from articles.entities.kinds import ORG_HEADS, kind_by_head
from articles.entities.lexicon import given_names, is_country, looks_like_a_person, lookup
from articles.entities.mentions import RawMention, split_lines, with_table_rows, with_wire_lines
from articles.entities.salience import by_salience, salience, title_and_lede_ends
from articles.entities.wire import caps_lines, datelines, names_in_caps, title_case
from articles.entities.words import GENERIC_NAMES, LABEL_TYPES, ROLE_WORDS, TABLE_LABELS, TIE_ORDER, TYPE_ORDER
from articles.model import Entity

__all__ = ["LABEL_TYPES", "RawMention", "clean_name", "consolidate", "corpus_break_ties", "corpus_retype", "weak_person"]

_DANGLING = re.compile(r"(?:\s+(?:and|of|for|the|&|,))+$", re.I)
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_TRAILING_POSSESSIVE = re.compile(r"(?:'s|')$", re.I)
_LEADING_POSSESSOR = re.compile(r"^(.+?)'s\s+(.+)$", re.I)
_EDGE_JUNK = " \t\n\r\u00a0.,;:!?\"'“”«»()[]{}<>-–—/\\|*_#+=~"
_THE = re.compile(r"^(?:the|a|an|of|and|in)\s+", re.I)
_DESIGNATION = re.compile(r"^[A-Z]{1,3}-\d+[A-Z]?\s+[A-Z]")
"""'F-86 Sabre', 'CH-53 Sea Stallion': a model's designation, then its name: a product, not a person or firm."""
_DIMENSION = re.compile(r"^\d[dD]$")
"""'3D printers', '2D': a dimension, not a firm."""
_NOT_A_NAME_AFTER = re.compile(r"^\s+(?:index|indices|futures)\b", re.I)
_KEEP_DOT = re.compile(r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Inc|Co|Corp|Ltd|Jr|Sr|St|Bros)\.)$")
_SPACES = re.compile(r"\s+")
_NOT_ALONE = GENERIC_NAMES | TABLE_LABELS | frozenset("in on at of and or for to by with from as".split())


@dataclass(slots=True)
class _Group:
    name: str
    votes: Counter[str] = field(default_factory=Counter)
    own_votes: Counter[str] = field(default_factory=Counter)  # votes of mentions in the full form
    mentions: int = 0
    forms: dict[str, None] = field(default_factory=dict)
    roles: int = 0  # mentions with a role or title beside them ("minister X", "X, the mayor")
    positions: list[int] = field(default_factory=list)  # where its mentions start in the text

    @property
    def tokens(self) -> list[str]:
        return self.name.split()


def clean_name(raw: str, known: Iterable[str] = ()) -> str:
    """The name a span stands for, or '' when nothing name-like is left."""
    text = unicodedata.normalize("NFC", raw).translate(_APOSTROPHES)
    text = _SPACES.sub(" ", text).strip()
    if "(" in text:  # "Ying Yong(third" and "Apple (AAPL)": the name is before the parenthesis
        text = text.split("(", 1)[0]
    keep_dot = bool(_KEEP_DOT.search(text.rstrip(_EDGE_JUNK.replace(".", ""))))  # "Apple Inc.", "U.S."
    text = text.strip(_EDGE_JUNK)
    for _ in range(2):  # "Shanghai International Port Co's", "Aowei Technology's"
        text = _TRAILING_POSSESSIVE.sub("", text).strip(_EDGE_JUNK)
    text = _THE.sub("", text)
    possessor = _LEADING_POSSESSOR.match(text)
    if possessor and possessor.group(1).casefold() in {k.casefold() for k in known}:
        text = possessor.group(2)  # "Shanghai's Aowei Technology": Shanghai is a name of its own
    stripped = _DANGLING.sub("", text).strip(_EDGE_JUNK)  # "Ministry of Science, Technology and"
    text = stripped + "." if keep_dot and stripped == text and _KEEP_DOT.search(stripped + ".") else stripped
    words = text.split()
    while len(words) > 1 and words[-1].isalpha() and words[-1].islower() and any(w[0].isupper() for w in words[:-1]):
        words.pop()  # "Xinhua news agency": the name, then what it is
    if len(words) < len(text.split()):
        text = " ".join(words).strip(_EDGE_JUNK.replace(".", ""))  # "Ingall's Road - southbound": no dash left
    if len(text) < 2 or not any(ch.isalpha() for ch in text) or text.casefold() in _NOT_ALONE:
        return ""
    if not any(ch.isupper() for ch in text) and not _has_caseless_letters(text):
        return ""  # all lower case in a cased script: a common noun the model tagged
    return text


def _has_caseless_letters(text: str) -> bool:
    return any(ch.isalpha() and ch.lower() == ch.upper() for ch in text)


def consolidate(
    text: str,
    mentions: Sequence[RawMention],
    corpus_votes: Mapping[str, Mapping[str, int]] | None = None,
    ties: dict[str, tuple[str, ...]] | None = None,
) -> list[Entity]:
    """The entities of one article, most salient first (then most mentioned).  `ties`, when given, receives the
    names whose type the article's own votes could not decide, with the tied types: the corpus
    breaks those ties later (corpus_break_ties) where the corpus is known."""
    typed: list[tuple[str, str, bool, int]] = []  # (clean name, vote, a role beside it, offset)
    mentions = [part for m in mentions for part in split_lines(m)]
    from_model = set(mentions)  # the others come from table rows and wire lines, typed by the line
    if text:
        mentions = with_wire_lines(text, with_table_rows(text, mentions))
    surfaces = {m.text.translate(_APOSTROPHES).strip() for m in mentions}
    for mention in mentions:
        kind = LABEL_TYPES.get(mention.label)
        if kind is None:
            continue
        name = clean_name(mention.text, surfaces)
        if name.casefold().endswith(" government"):  # "the Russian government": the country, if any
            name = name[: -len(" government")]
            if lookup(name) is None:
                continue
            kind = "place"
        if not name:
            continue
        words = name.split()  # "Councillor Petra Morrow", "Dr. Ana Lima": the title is not the name
        if len(words) > 2 and words[0].casefold().rstrip(".") in ROLE_WORDS:
            while len(words) > 2 and words[0].casefold().rstrip(".") in ROLE_WORDS:
                words = words[1:]
            name, kind = " ".join(words), "person"
        if mention.text.strip().casefold().startswith("the ") and kind == "person":
            kind = "org"  # "the Beatles": a person has no article
        after = text[mention.end : mention.end + 20]
        if name.split()[-1].isdigit() or _DIMENSION.match(name) or _NOT_A_NAME_AFTER.match(after):
            continue  # "FTSE 100", "Flight 574", "NASDAQ index", "3D": a number, an index, a dimension
        head = name.split()[-1].casefold()
        by_head = kind_by_head(name, kind)  # "Leeds United" read as a place, "Asian Cup" as a person
        if by_head == kind and kind != "person" and looks_like_a_person(name, mention.text):
            by_head = "person"
        kind = vote = "other" if _DESIGNATION.match(name) else by_head
        context = context_vote(text, mention.start, mention.end) if text else None
        if context == "person":
            vote = "person"
        elif context == "place-or-org" and kind == "person":
            vote = "place"
        elif context == "place-or-org" and kind == "org" and lookup(name) is not None and head not in ORG_HEADS:
            vote = "place"  # "in Remagen": a town the gazetteer knows, not a firm
        elif kind == "person" and at_a_time(text, mention.start, mention.end):
            if not looks_like_a_person(name, name):
                vote = "place"  # "at Twickenham on Saturday": a venue
        elif context == "team" and kind == "place" and not is_country(name):
            vote = "org"  # "Leeds manager", "Rangers beat Celtic": a club (a country stays a place)
        elif context == "org" and kind in ("person", "place") and not is_country(name):
            vote = "org"  # "the band Deadsy", "Linkin Park guitarist"
        elif context == "not-person" and kind == "person":
            vote = "org"
        typed.append((name, vote, context == "person" or mention not in from_model, mention.start))

    groups: dict[str, _Group] = {}
    for name, vote, role, offset in typed:
        key = name.casefold()
        group = groups.setdefault(key, _Group(name))
        group.votes[vote] += 1
        group.own_votes[vote] += 1
        group.mentions += 1
        group.roles += role
        group.positions.append(offset)
        group.forms.setdefault(name, None)

    _split_coordinations(groups)
    _merge_prefixes(groups)
    _resolve_short_forms(groups)
    if text:
        _names_in_capitals(text, groups)
    _places_by_gazetteer(groups)

    entities: list[Entity] = []
    title_end, lede_end = title_and_lede_ends(text)
    most = max((g.mentions for g in groups.values()), default=0)
    for group in groups.values():
        kind = _decide(group, corpus_votes)
        if kind == "person" and _lone_word(group):  # what else its mentions said, or nothing
            kind = max(("org", "place", "other"), key=lambda t: (group.votes[t], t == "other"))
        if ties is not None:
            tied = _tied(group)
            if len(tied) > 1:
                ties[group.name] = tied
        aliases = tuple(f for f in group.forms if f.casefold() != group.name.casefold())
        score = salience(group.positions, group.mentions, most, title_end, lede_end)
        entities.append(Entity(group.name, kind, group.mentions, aliases, score))
    entities.sort(key=lambda e: (*by_salience(e.salience, e.mentions), TYPE_ORDER.index(e.type), e.name.casefold()))
    return entities


def _names_in_capitals(text: str, groups: dict[str, _Group]) -> None:
    """Mentions in the lines in capitals (a wire's headline) of the names the article uses
    elsewhere, and of countries."""
    forms = {form.casefold(): key for key, group in groups.items() for form in (group.name, *group.forms)}
    dated = {start for start, _, _ in datelines(text)}

    def known(words: str) -> bool:
        place = lookup(words)
        return words in forms or (place is not None and place.strong)

    for start, end in caps_lines(text):
        if start in dated:
            continue
        for offset, words in names_in_caps(text, start, end, known):
            key = forms.get(words.casefold())
            if key is None or key not in groups:
                key = words.casefold()
                forms[key] = key
                groups[key] = _Group(title_case(words))
                groups[key].votes["place"] += 1
                groups[key].own_votes["place"] += 1
                groups[key].forms.setdefault(groups[key].name, None)
            groups[key].mentions += 1
            groups[key].positions.append(offset)


def _places_by_gazetteer(groups: dict[str, _Group]) -> None:
    """A name the gazetteer knows is a place when what the model said is weak: a country,
    continent or US state whatever the model said, a city that the model called a person (a
    person's surname was folded into the full name before this); never a name with a role or
    title beside it. A city the model called an organisation stays one: a club or a firm."""
    for group in groups.values():
        place = lookup(group.name)
        if place is None or group.roles:
            continue
        leading = _leading_type(group)
        if leading == "place" or group.own_votes["place"]:
            continue  # the model called it a place at least once: the votes decide
        if place.strong or leading in ("person", "other"):
            lead = sum(group.own_votes.values()) + 1
            group.own_votes["place"] += lead
            group.votes["place"] += lead


def _leading_type(group: _Group) -> str:
    return max(TYPE_ORDER, key=lambda t: (group.own_votes[t], -TYPE_ORDER.index(t)))


def _fold_into(groups: dict[str, _Group], key: str, target: _Group, *, keep_forms: bool = True) -> None:
    short = groups.pop(key)
    target.votes.update(short.votes)
    target.mentions += short.mentions
    target.positions.extend(short.positions)
    for form in short.forms if keep_forms else ():
        target.forms.setdefault(form, None)


def _split_coordinations(groups: dict[str, _Group]) -> None:
    """ "Space and Ministry of Economy and Industry": a span that ran over a conjunction, whose
    second part starts a name of its own in the article, stands for that name."""
    for key, group in list(groups.items()):
        head, sep, tail = group.name.partition(" and ")
        if not sep or len(tail.split()) < 2:
            continue
        tail_key = tail.casefold()
        longer = [g for k, g in groups.items() if k != key and k.startswith(tail_key)]
        if longer:
            _fold_into(groups, key, min(longer, key=lambda g: len(g.name)), keep_forms=False)


def _merge_prefixes(groups: dict[str, _Group]) -> None:
    """A name of two or more words that starts a longer name of the same type in the article is
    that name cut short ("Calderwick Port" … "Authority"), unless "of" goes on ("National Party",
    "National Party of Australia": two names, as CoNLL and wikigold count them)."""
    for key, group in sorted(groups.items(), key=lambda item: -len(item[0])):
        if key not in groups or len(group.tokens) < 2:
            continue
        kind = _leading_type(group)
        longer = [
            g
            for k, g in groups.items()
            if k != key
            and k.startswith(key + " ")
            and not k.startswith(key + " of ")  # "National Party" and "National Party of Australia": two names
            and _leading_type(g) == kind
            and kind != "person"
        ]
        if len(longer) == 1:
            _fold_into(groups, key, longer[0])


def _resolve_short_forms(groups: dict[str, _Group]) -> None:
    """Fold short forms into the one full name they stand for (in place)."""
    people = [g for g in groups.values() if len(g.tokens) >= 2 and _leading_type(g) == "person"]
    others = [g for g in groups.values() if len(g.tokens) >= 2 and _leading_type(g) in ("org", "other")]
    for key, short in list(groups.items()):
        size = len(short.tokens)
        folded = [t.casefold() for t in short.tokens]
        target: _Group | None = None
        candidates = [
            p
            for p in people
            if len(p.tokens) > size
            and folded in ([t.casefold() for t in p.tokens[:size]], [t.casefold() for t in p.tokens[-size:]])
        ]
        if size != 1 and not _is_acronym(short.name):
            if len(candidates) == 1 and _leading_type(short) == "person":  # "Vaz Pinto" of "Carolina Vaz Pinto"
                _fold_into(groups, key, candidates[0])
            continue
        word = short.name.casefold()
        short_type = _leading_type(short)
        if len(candidates) == 1 and short_type != "place":
            target = candidates[0]
        elif not candidates and short_type in ("org", "other"):
            # an acronym stays a name of its own (CoNLL and wikigold list both forms)
            matches = [] if _is_acronym(short.name) else [o for o in others if o.tokens[0].casefold() == word]
            if len(matches) == 1:
                target = matches[0]
        if target is None or target is short:
            continue
        _fold_into(groups, key, target)


def _lone_word(group: _Group) -> bool:
    """A one-word "person" that no full name of the article ends or starts with (those were folded
    in) and no role or title stands beside: a band, a game, a ship or a word the model misread
    ("Konami", "Valhalla", "Discontinued") more often than a person known by one name."""
    return len(group.tokens) == 1 and not group.roles and group.name not in given_names()


def _is_acronym(name: str) -> bool:
    letters = name.replace(".", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def _tied(group: _Group) -> tuple[str, ...]:
    best = max((group.own_votes[t], group.votes[t]) for t in TYPE_ORDER)
    return tuple(t for t in TIE_ORDER if (group.own_votes[t], group.votes[t]) == best)


def _decide(group: _Group, corpus_votes: Mapping[str, Mapping[str, int]] | None) -> str:
    corpus = corpus_votes.get(group.name.casefold(), {}) if corpus_votes else {}
    return max(
        TYPE_ORDER,
        key=lambda t: (group.own_votes[t], group.votes[t], corpus.get(t, 0), -TIE_ORDER.index(t)),
    )
