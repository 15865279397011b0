"""Entity merges: `entities merge ALIAS NAME` says two names are one entity.  Kept in
entities.json (TinyDB) and applied when entities are read — the sidebar, `show`, counts and
search — so they hold for articles imported later, and unmerge loses nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from articles.entities.salience import by_salience
from articles.model import ENTITY_TYPES, Entity
from store.disk.documents import Session
from store.disk.layout import ENTITIES_FILE


class MergeError(ValueError):
    """A merge that cannot be made or undone; the message says why."""


def key(name: str) -> str:
    return " ".join(name.split()).casefold()


def read_merges(session: Session) -> dict[str, str]:
    """alias key -> canonical name."""
    docs = session.load(session.root / ENTITIES_FILE).get("merges", {})
    merges = {}
    for doc in docs.values():
        alias, name = doc.get("alias"), doc.get("name")
        if isinstance(alias, str) and isinstance(name, str) and alias and name:
            merges[key(alias)] = name
    return merges


def write_merges(session: Session, merges: Mapping[str, tuple[str, str]]) -> None:
    """merges: alias key -> (alias as written, canonical name)."""
    table = session.table(session.root / ENTITIES_FILE, "merges")
    table.truncate()
    if merges:
        table.insert_multiple([{"alias": alias, "name": name} for alias, name in merges.values()])


def read_written(session: Session) -> dict[str, tuple[str, str]]:
    docs = session.load(session.root / ENTITIES_FILE).get("merges", {})
    return {key(d["alias"]): (d["alias"], d["name"]) for d in docs.values() if d.get("alias") and d.get("name")}


def group_of(merges: Mapping[str, str], name: str) -> list[str]:
    """Every name that means the same entity as `name`: its canonical name and all aliases."""
    canonical = merges.get(key(name), name)
    names = [canonical] + [alias for alias, target in merges.items() if key(target) == key(canonical)]
    return list(dict.fromkeys(names))


def index_table(merges: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
    """How the index's entity rows (keyed `type:casefolded name`) fold into merged entities:
    (row key, name key, canonical key, canonical name) for every merged name and every
    canonical name, under each type."""
    names = {alias: (key(name), name) for alias, name in merges.items()}
    for name in merges.values():
        names.setdefault(key(name), (key(name), name))
    return [(f"{kind}:{alias}", alias, *canonical) for alias, canonical in names.items() for kind in ENTITY_TYPES]


def apply(entities: Sequence[Entity] | None, merges: Mapping[str, str]) -> tuple[Entity, ...] | None:
    """An article's entities with merged names folded into their canonical entity."""
    if entities is None or not merges:
        return None if entities is None else tuple(entities)
    folded: dict[str, Entity] = {}
    for entity in entities:
        canonical = merges.get(key(entity.name))
        name = canonical or entity.name
        aliases: Iterable[str] = (*entity.aliases, entity.name) if canonical else entity.aliases
        seen = folded.get(key(name))
        if seen is None:
            folded[key(name)] = Entity(
                name,
                entity.type,
                entity.mentions,
                tuple(a for a in aliases if key(a) != key(name)),
                entity.salience,
            )
        else:
            merged_aliases = tuple(dict.fromkeys(a for a in (*seen.aliases, *aliases) if key(a) != key(name)))
            kind = seen.type if seen.mentions >= entity.mentions else entity.type
            folded[key(name)] = Entity(
                name, kind, seen.mentions + entity.mentions, merged_aliases, most_salient(seen.salience, entity.salience)
            )
    return tuple(sorted(folded.values(), key=lambda e: by_salience(e.salience, e.mentions)))


def most_salient(one: float | None, other: float | None) -> float | None:
    """A merged entity is as salient as the more salient of its names (None when neither has one)."""
    known = [s for s in (one, other) if s is not None]
    return max(known) if known else None
