"""Rules: a query and what to do to the articles it matches — tag them, mark them read, star
them, or delete them (to the trash; never a starred or tagged article).  Kept in views.json's
`rules` table, each with a stable numeric id; rules run over each import batch, each refresh and
each batch of stored entities (store.adding), and over the whole store on `rules apply`.

A run is two commits at most, whatever the number of rules: every tag, read and star change in
one (Tagging.rewrite_each, applied to each article's state at commit time), then the deletions
in one (Trash.delete_articles).  Rules written by an older newsdesk (`{"tag", "query"}`, no id)
are tag rules, given ids in their order when read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from store.disk.documents import Session
from store.disk.layout import VIEWS_FILE
from store.search.query import parse_query
from store.tags import merge_tags, normalise_tag, tag_key
from store.values import State

if TYPE_CHECKING:
    from store.care.trashing import Trash
    from store.core import StoreCore
    from store.search.searching import Searching
    from store.tagging import Tagging

ACTIONS = ("tag", "read", "star", "delete")
"""What a rule does to its matches."""

RULE_TRASH_WHY = "rule"
"""The trash's `why` of an article a delete rule removed."""


class RuleError(ValueError):
    """A rule that cannot be added (no query, an unknown action, a tag rule without a tag)."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: int
    action: str
    query: str
    tag: str | None = None
    """The tag a `tag` rule gives; None for the other actions."""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "tag": self.tag, "query": self.query}

    def change(self, state: State) -> State:
        """The state this rule gives an article (a delete rule changes none)."""
        if self.action == "tag" and self.tag:
            return State(tuple(merge_tags(state.tags, [self.tag])), state.read, state.starred)
        if self.action == "read":
            return State(state.tags, True, state.starred)
        if self.action == "star":
            return State(state.tags, state.read, True)
        return state

    def describe(self) -> str:
        return f"tag {self.tag}" if self.action == "tag" else self.action


@dataclass(slots=True)
class RuleRun:
    """What a run of the rules changed (or, planned, would change)."""

    counts: dict[int, int] = field(default_factory=dict)
    """Rule id -> the articles it changes (deletes, for a delete rule), the rules taken in their
    order: a rule whose change an earlier rule already made counts none for it."""
    changes: dict[str, list[Rule]] = field(default_factory=dict)
    """Article id -> the tag, read and star rules whose change it gets."""
    deleted: list[str] = field(default_factory=list)
    """Articles a delete rule sends to the trash."""
    changed: list[str] = field(default_factory=list)
    """After the run: the articles whose state changed."""


# -- views.json --------------------------------------------------------------------------------
def read_rules(session: Session) -> list[Rule]:
    """Every rule in the order it was added.  A rule of an older newsdesk (no action, no id) is a
    tag rule, given the next free id in its order; one that makes no sense is left out."""
    docs = session.load(session.root / VIEWS_FILE).get("rules", {})
    ordered = [d for _, d in sorted(docs.items(), key=lambda item: int(item[0]))]
    taken = {d["id"] for d in ordered if _valid_id(d.get("id"))}
    next_id = max(taken | {_stored_next(session) - 1, 0}) + 1
    rules: list[Rule] = []
    for doc in ordered:
        action, query, tag = doc.get("action", "tag"), doc.get("query"), doc.get("tag")
        if action not in ACTIONS or not isinstance(query, str):
            continue
        if action == "tag" and not (isinstance(tag, str) and tag):
            continue
        rule_id = doc.get("id")
        if not _valid_id(rule_id) or rule_id in {r.id for r in rules}:
            rule_id, next_id = next_id, next_id + 1
        rules.append(Rule(int(rule_id), action, query, tag if action == "tag" else None))
    return rules


def write_rules(session: Session, rules: Sequence[Rule]) -> None:
    path = session.root / VIEWS_FILE
    next_id = max([_stored_next(session), *(r.id + 1 for r in rules)])
    table = session.table(path, "rules")
    table.truncate()
    if rules:
        table.insert_multiple([r.to_json() for r in rules])
    counter = session.table(path, "rule_ids")
    counter.truncate()
    counter.insert({"next": next_id})


def _valid_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _stored_next(session: Session) -> int:
    """The id the next rule gets, so that an id once removed is never given again."""
    docs: dict[str, dict[str, Any]] = session.load(session.root / VIEWS_FILE).get("rule_ids", {})
    found = next(iter(docs.values()), {}).get("next")
    return found if isinstance(found, int) and _valid_id(found) else 1


# -- the service -------------------------------------------------------------------------------
class Rules:
    """The store's rules: list, add, remove, plan and apply (see the module docstring)."""

    def __init__(self, core: StoreCore, searching: Searching, tagging: Tagging) -> None:
        self.core = core
        self.searching = searching
        self.tagging = tagging
        self.trash: Trash | None = None
        """Set once the store's Trash exists (delete rules need it; it needs the import path)."""

    def list(self) -> list[Rule]:
        with self.core.reading() as session:
            return read_rules(session)

    def add(self, query: str, *, action: str = "tag", tag: str | None = None) -> Rule:
        """Add a rule (QueryError when the query is malformed, TagError when the tag is, RuleError
        otherwise).  A tag rule replaces the rule of the same tag; a rule like one there already
        is that one."""
        if action not in ACTIONS:
            raise RuleError(f"a rule's action is one of {', '.join(ACTIONS)}, not {action!r}")
        query = " ".join(query.split())
        if not query:
            raise RuleError("a rule needs a query (an empty one would match every article)")
        parse_query(query)
        if action == "tag":
            if tag is None:
                raise RuleError("a tag rule needs a tag")
            tag = normalise_tag(tag)
        else:
            tag = None
        with self.core.writing() as session:
            rules = read_rules(session)
            same = next((r for r in rules if r.action == action and r.query == query and r.tag == tag), None)
            if same is not None:
                return same
            if tag is not None:
                rules = [r for r in rules if not (r.action == "tag" and tag_key(r.tag or "") == tag_key(tag))]
            next_id = max([_stored_next(session), *(r.id + 1 for r in read_rules(session))])
            rule = Rule(next_id, action, query, tag)
            write_rules(session, [*rules, rule])
            session.commit()
        return rule

    def remove(self, key: str) -> Rule | None:
        """Remove the rule with this id, else the tag rule of this tag (how rules were named before
        they had ids); returns it, or None when there is none."""
        with self.core.writing() as session:
            rules = read_rules(session)
            found = next((r for r in rules if str(r.id) == key.strip()), None)
            if found is None:
                found = next((r for r in rules if r.action == "tag" and tag_key(r.tag or "") == tag_key(key)), None)
            if found is None:
                return None
            write_rules(session, [r for r in rules if r.id != found.id])
            session.commit()
        return found

    def plan(self, among: Sequence[str] | None = None, *, only: Sequence[Rule] | None = None) -> RuleRun:
        """What the rules (or `only` these) would change over the store or `among`, as the
        store is now; nothing is written."""
        run = RuleRun()
        if among is not None and not among:
            return run
        rules = self.list() if only is None else list(only)
        matched: list[tuple[Rule, list[str]]] = []
        for rule in rules:
            try:
                matched.append((rule, self.searching.ids_matching(rule.query, among)))
            except ValueError:
                continue  # a query no longer valid does nothing (`rules list` shows it)
        if not matched:
            return run
        with self.core.reading():
            states = self.core.catalogue.states_of(list({i for _, ids in matched for i in ids}))
        doomed: dict[str, None] = {}
        for rule in (r for r, _ in matched if r.action != "delete"):
            run.counts[rule.id] = 0
        for rule, ids in matched:
            if rule.action == "delete":
                continue
            for article_id in ids:
                state = states.get(article_id)
                if state is None:
                    continue
                after = rule.change(state)
                if after != state:
                    states[article_id] = after
                    run.changes.setdefault(article_id, []).append(rule)
                    run.counts[rule.id] += 1
        for rule, ids in matched:  # after the other rules: a tag or a star they give spares an article
            if rule.action != "delete":
                continue
            run.counts[rule.id] = 0
            for article_id in ids:
                state = states.get(article_id)
                if state is None or state.starred or state.tags or article_id in doomed:
                    continue
                doomed[article_id] = None
                run.counts[rule.id] += 1
        run.deleted = list(doomed)
        return run

    def apply(
        self, among: Sequence[str] | None = None, *, only: Sequence[Rule] | None = None, trash_days: int | None = None
    ) -> RuleRun:
        """Run the rules (or `only` these) over the store or `among`: one commit of state changes,
        one of deletions.  Returns the run, `changed` filled in."""
        run = self.plan(among, only=only)
        if run.changes:
            run.changed = self.tagging.rewrite_each({i: _composed(rules) for i, rules in run.changes.items()})
        if run.deleted:
            if self.trash is None:
                raise RuntimeError("delete rules need the store's Trash")
            # Read again just before the deletion: an article starred or tagged since the plan stays.
            with self.core.reading():
                states = self.core.catalogue.states_of(run.deleted)
            still = [i for i in run.deleted if i in states and not states[i].starred and not states[i].tags]
            gone = self.trash.delete_articles(still, why=RULE_TRASH_WHY, trash_days=trash_days)
            run.deleted = [d["record"]["id"] for d in gone]
        return run

    def after_add(self, ids: Sequence[str]) -> None:
        """The rules over articles just added or changed (an import batch, stored entities)."""
        rules = self.list() if ids else []
        if rules:
            self.apply(ids, only=rules)


def _composed(rules: Sequence[Rule]) -> Callable[[State], State]:
    def change(state: State) -> State:
        for rule in rules:
            state = rule.change(state)
        return state

    return change
