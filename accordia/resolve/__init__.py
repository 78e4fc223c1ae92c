"""Resolution: decide when two mentions are one person, two reports one event, two texts one agreement.

Pure functions over plain values; `store` calls them with the candidates it finds, so the
policy can be read, tested and swapped without touching the database. Every decision comes
with a reason, which is stored and shown by `accordia show`.

    names.py   spelling-insensitive keys for persons, organizations, places; text shingles
    roles.py   role history and role-only mentions ("Kazakhstan's energy minister")
    rules.py   the manual alias file: forced (`same`) and forbidden (`distinct`) merges
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from accordia.resolve.names import (
    acronym_of,
    canonical_place,
    containment,
    copy_probe,
    fold_name,
    looks_like_acronym,
    may_be_copies,
    normalise_name,
    org_key,
    person_key,
    resemblance,
    shingles,
    sketch,
)
from accordia.resolve.roles import RoleSpan, role_holder
from accordia.resolve.rules import AliasRules, load_alias_rules

__all__ = [
    "COPY_CONTAINMENT",
    "EVENT_SHINGLE_WORDS",
    "NOTHING_IN_COMMON",
    "AgreementFacts",
    "AliasRules",
    "EventFacts",
    "Matcher",
    "RoleSpan",
    "acronym_of",
    "canonical_place",
    "copy_probe",
    "fold_name",
    "load_alias_rules",
    "looks_like_acronym",
    "may_be_copies",
    "normalise_name",
    "org_key",
    "person_key",
    "role_holder",
    "shingles",
    "sketch",
    "surnames",
]

EVENT_DATE_WINDOW_DAYS = 2
# Words that begin a surname ("von der Leyen", "bin Salman"), never a first name.
NAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "da", "di", "du", "le", "la", "al", "el", "bin", "ibn"})
# same_event's answer when only wording could still support a match (the store then reads it).
NOTHING_IN_COMMON = "nothing but type and date in common"
# Shingle containment above which two texts are one article republished (measured: copies
# score 0.9+, two outlets' own reports of one event at most 0.35 on the samples).
COPY_CONTAINMENT = 0.8
# Evidence containment that counts as "similar text" in favour of one event; never enough alone,
# since two MoUs signed the same day are often worded alike (tests/fixtures/hard_negatives).
EVENT_TEXT_SUPPORT = 0.3
# Evidence sentences are compared on word pairs: short sentences reworded by two outlets share few longer runs.
EVENT_SHINGLE_WORDS = 2


@dataclass(frozen=True)
class EventFacts:
    """What is compared when deciding whether two reports describe one event.

    `persons` are normalised surnames of the named participants, `text` the shingles of the
    evidence sentences; both may be empty when unknown.
    """

    type: str
    date: date | None
    place: str | None
    countries: frozenset[str]
    title: str
    persons: frozenset[str] = frozenset()
    text: frozenset[int] = frozenset()


@dataclass(frozen=True)
class AgreementFacts:
    """What is compared when deciding whether two mentions name one agreement."""

    type: str
    title: str
    countries: frozenset[str]
    horizon: str | None
    date: date | None


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b) if a | b else 0.0


def surnames(names: list[str] | tuple[str, ...]) -> frozenset[str]:
    """Normalised surnames of person names, for comparing who took part in two events."""
    return frozenset(parts[-1] for parts in (normalise_name(n).split() for n in names) if parts)


class Matcher:
    """The default resolution policy: precision first, every decision with its reason."""

    def __init__(self, rules: AliasRules | None = None) -> None:
        self._rules = rules

    @property
    def rules(self) -> AliasRules:
        """The manual alias rules (bundled file plus ACCORDIA_ALIASES), loaded on first use."""
        if self._rules is None:
            self._rules = load_alias_rules()
        return self._rules

    def same_person(self, name_a: str, name_b: str) -> tuple[bool, str]:
        """Whether two names of people of the same country are one person."""
        forbidden = self.rules.forbids(name_a, [name_b])
        if forbidden:
            return False, forbidden
        a, b = normalise_name(name_a).split(), normalise_name(name_b).split()
        if not a or not b:
            return False, "empty name"
        surname_score = fuzz.ratio(a[-1], b[-1])
        if surname_score < 88:
            return False, f"surnames differ ({surname_score:.0f})"
        # "Von der Leyen" opening a sentence is a surname with its particles, not a first name.
        surname_only = len(a) == 1 or len(b) == 1 or a[0] in NAME_PARTICLES or b[0] in NAME_PARTICLES
        if not surname_only and a[0][0] != b[0][0]:
            return False, "first names differ"
        reason = f"surname match {surname_score:.0f}" + ("" if surname_only else " and same first initial")
        written_a, written_b = name_a.split()[-1], name_b.split()[-1]
        if written_a != written_b and a[-1] == b[-1]:
            reason += f" ({written_a} / {written_b}: transliteration variants)"
        return True, reason

    def same_organization(self, name_a: str, acronym_a: str | None, name_b: str,
                          acronym_b: str | None) -> tuple[bool, str]:
        """Whether two organization names are one body: same key, or an acronym of the other."""
        forbidden = self.rules.forbids(name_a, [name_b, *([acronym_b] if acronym_b else [])])
        if forbidden:
            return False, forbidden
        if org_key(name_a) == org_key(name_b):
            return True, "same name up to case, punctuation and legal form"
        for short, long_name, long_acronym in ((name_a, name_b, acronym_b), (name_b, name_a, acronym_a)):
            if looks_like_acronym(short) and (short == long_acronym or short in acronym_of(long_name)):
                return True, f"{short} is the acronym of {long_name}"
        if acronym_a and acronym_b and acronym_a == acronym_b and \
                fuzz.token_set_ratio(org_key(name_a), org_key(name_b)) >= 80:
            return True, f"same acronym {acronym_a} and similar names"
        return False, "different names"

    def same_event(self, new: EventFacts, old: EventFacts) -> tuple[bool, str]:
        """Whether two reported events are one: same type, close dates, same place, shared parties.

        Precision first: type, date window, place and participating countries must all agree,
        and at least one positive sign must back the match (the same known place, a person
        named in both, or the same set of several countries, or similar wording); two events
        naming disjoint sets of several people are different.
        """
        if new.type != old.type:
            return False, "different types"
        if new.date and old.date:
            gap = abs((new.date - old.date).days)
            if gap > EVENT_DATE_WINDOW_DAYS:
                return False, f"dates {gap} days apart"
        elif new.date or old.date:
            return False, "one date unknown"
        place_a, place_b = canonical_place(new.place), canonical_place(old.place)
        if place_a and place_b and place_a != place_b:
            return False, f"different places ({place_a}, {place_b})"
        overlap = _jaccard(new.countries, old.countries)
        if overlap < 0.5:
            return False, f"participants overlap {overlap:.2f}"
        shared_people = new.persons & old.persons
        if len(new.persons) >= 2 and len(old.persons) >= 2 and not shared_people:
            return False, "no person named in both"
        text_score = containment(new.text, old.text)
        title_score = fuzz.token_set_ratio(new.title.lower(), old.title.lower())
        support = []
        if place_a and place_b:
            support.append(f"place {place_a}")
        if shared_people:
            support.append(f"{len(shared_people)} shared person(s)")
        if overlap == 1.0 and len(new.countries) >= 2:
            support.append("same countries")
        if text_score >= EVENT_TEXT_SUPPORT:
            support.append(f"similar text {text_score:.2f}")
        if not support and title_score >= 60 and (new.countries or old.countries):
            support.append(f"similar title {title_score:.0f}")
        if not support:
            return False, NOTHING_IN_COMMON
        window = "same date" if new.date == old.date else f"dates within {EVENT_DATE_WINDOW_DAYS} days"
        return True, (f"same type, {window}, participants overlap {overlap:.2f}; " + ", ".join(support))

    def same_agreement(self, new: AgreementFacts, old: AgreementFacts) -> tuple[bool, str]:
        """Whether two mentions name one agreement: same type, shared parties, similar title."""
        if new.type != old.type:
            return False, "different types"
        overlap = _jaccard(new.countries, old.countries)
        if overlap < 0.5:
            return False, f"parties overlap {overlap:.2f}"
        if new.horizon and old.horizon and new.horizon != old.horizon:
            return False, "different horizons"
        title_score = fuzz.token_set_ratio(new.title.lower(), old.title.lower())
        close_dates = (new.date is None or old.date is None
                       or abs((new.date - old.date).days) <= 30)
        if title_score >= 80 or (title_score >= 55 and close_dates):
            return True, f"same type, parties overlap {overlap:.2f}, title similarity {title_score:.0f}"
        return False, f"titles differ ({title_score:.0f})"

    def is_copy(self, text_a: str, text_b: str) -> bool:
        """Whether two texts are copies of one article (syndication), not two reports."""
        return self.copy_score(shingles(text_a), shingles(text_b)) >= COPY_CONTAINMENT

    @staticmethod
    def copy_score(a: frozenset[int], b: frozenset[int]) -> float:
        """How much of the shorter text reappears in the other, word 4-grams (1.0: a verbatim cut)."""
        if not a or not b or min(len(a), len(b)) < 0.5 * max(len(a), len(b)):
            # A short brief quoting a long article is not a copy of it.
            return resemblance(a, b)
        return containment(a, b)
