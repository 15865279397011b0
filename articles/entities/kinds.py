"""Kind words: the last word of a name that says what kind of thing it is ("Harbourside Library"
is a place, "Leeds United" a club, "Asian Cup" an event), and what they make of the model's label.
No word here names an entity."""

from __future__ import annotations

# The last word of a name that says what kind of thing it is ("Harbourside Library" is no person).
PLACE_HEADS = frozenset(
    """
    library museum hospital school college bridge street road avenue square station airport park
    centre center hall church cathedral mosque temple tower stadium arena port harbour harbor quay
    river lake valley mountain island bay estuary beach district province county
    """.split()
)
# Words of the land and water that are nobody's surname ("Sandy Creek", "Ayalon Cave", "Bridgton
# Junction"): a place even when the model read a firm. Not "Hill", "Brook", "Mills", "Marsh",
# "Woods" or "Forest" (Damon Hill, Tiger Woods, Nottingham Forest).
NATURAL_HEADS = frozenset(
    "creek canyon gorge glacier gulf peninsula strait fjord lagoon cave caves junction canal falls".split()
)
PLACE_HEADS = PLACE_HEADS | NATURAL_HEADS
ORG_HEADS = frozenset(
    """
    university council ministry agency authority trust company group corp corporation inc ltd plc
    bank party union association institute foundation committee commission board department
    federation league club police army navy court office ventures holdings partners terminals
    airlines airways systems technologies industries motors athletic fc rovers united
    afc cf sc works records studios pictures entertainment media press times herald tribune gazette
    journal telegraph orchestra ensemble quartet choir
    """.split()
)
# The last word of a name that says it is an event or an award, whatever the model said
# ("MTV Video Music Awards", "Asian Cup", "North Sea Jazz Festival"): not a person, firm or place.
EVENT_HEADS = frozenset(
    """
    award awards prize prizes cup championship championships festival olympics games tournament
    marathon grand prix election elections war summit expo show paralympics
    """.split()
)
# The last word of a party's name that a model reads as a nationality ("Free Democrats").
PARTY_HEADS = frozenset(
    "democrats republicans socialists communists liberals conservatives nationalists unionists greens".split()
)


def kind_by_head(name: str, kind: str) -> str:
    """The type a name's last word gives it, or `kind` (the model's) when its last word says nothing:
    place and organisation words turn a person or place into a place or an organisation, party
    plurals turn a nationality into a party, event and award words make anything `other`."""
    words = name.split()
    if len(words) < 2:
        return kind
    head = words[-1].casefold().replace(".", "")  # "Sunderland A.F.C."
    if head in NATURAL_HEADS:
        return "place"
    if kind in ("person", "place") and (head in PLACE_HEADS or head in ORG_HEADS):
        return "place" if head in PLACE_HEADS else "org"
    if kind == "other" and head in PARTY_HEADS:
        return "org"
    if head in EVENT_HEADS:
        return "other"
    return kind
