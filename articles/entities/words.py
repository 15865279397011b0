"""The words the consolidation rules read: model labels, role and title words,
and generic institution nouns (no word here names an entity)."""

from __future__ import annotations

LABEL_TYPES = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "other",
    "EVENT": "other",
    "LAW": "other",
    "PRODUCT": "other",
    "WORK_OF_ART": "other",
    "LANGUAGE": "other",
    "MISC": "other",
}
"""spaCy (OntoNotes) labels to newsdesk types; dates, times, numbers and money are not entities."""

TYPE_ORDER = ("person", "org", "place", "other")
TIE_ORDER = ("org", "place", "person", "other")
"""On an even vote the model's person label is the likelier mistake (Ryanair, Dacia)."""

# Words that, just before a name, say it is a person ("Mayor Ying Yong", "minister Eli Cohen").
ROLE_WORDS = frozenset(
    """
    mr mrs ms miss dr prof professor sir dame lord lady president vice-president premier
    minister prime chancellor secretary mayor governor senator congressman congresswoman
    representative ambassador consul consul-general envoy chairman chairwoman chair ceo cfo coo
    founder co-founder director manager spokesman spokeswoman spokesperson chief executive
    commissioner king queen prince princess pope bishop archbishop rabbi imam reverend general
    colonel captain lieutenant sergeant officer judge justice lawyer attorney analyst economist
    professor researcher scientist author writer actor actress singer coach player striker
    goalkeeper leader deputy councillor councilor mp mep head vice charge d'affaires
    """.split()
)
# Capitalised nouns that name a kind of institution, not one: alone, they are not an entity.
GENERIC_NAMES = frozenset(
    """
    embassy ministry government parliament council court police army navy university company
    group city state province republic kingdom department agency committee commission authority
    bank party union president minister mayor north south east west northern southern eastern western
    """.split()
)
# Capitalised words that label a column or a line of a table, not a name ("Halftime 1-0",
# "Attendance 28,000", "Extras 14", "Total 278").
TABLE_LABELS = frozenset(
    """
    halftime half-time attendance att extras total totals scorers scorer standings fall wickets
    bowling innings played won drawn lost points pts pct gb goals home away result results leading
    overall men women round group stage penalties conversions tries conversion penalty note pos
    """.split()
)
