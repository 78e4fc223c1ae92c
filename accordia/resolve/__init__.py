"""Resolution: decide when two mentions are one person, two reports one event, two texts one agreement.

Pure functions over plain values; `store` calls them with the candidates it finds, so the
policy can be read, tested and swapped without touching the database. Every decision comes
with a reason, which is stored and shown by `accordia show`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

__all__ = ["AgreementFacts", "EventFacts", "Matcher", "normalise_name", "person_key"]

# Transliteration variants collapse to one spelling before names are compared
# (Satkaliyev / Satkaliev / Satqaliev, Zharkeshov / Jarkeshov).
_TRANSLITERATION = (("iy", "i"), ("yev", "ev"), ("yeva", "eva"), ("q", "k"), ("dzh", "j"), ("zh", "j"),
                    ("kh", "h"), ("ts", "c"), ("yu", "iu"), ("ya", "ia"), ("ou", "u"), ("ck", "k"))
EVENT_DATE_WINDOW_DAYS = 2


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


def normalise_name(name: str) -> str:
    """A spelling-insensitive form of a name: ASCII, lower case, transliteration variants unified."""
    value = re.sub(r"[^a-z ]", "", _ascii(name).lower().replace("-", " "))
    for old, new in _TRANSLITERATION:
        value = value.replace(old, new)
    return " ".join(value.split())


def person_key(name: str, country: str | None) -> str:
    """The identity key of a person: country, normalised surname and first initial."""
    parts = normalise_name(name).split()
    if not parts:
        return f"{country or '--'}:?"
    initial = parts[0][0] if len(parts) > 1 else ""
    return f"{country or '--'}:{parts[-1]}:{initial}"


@dataclass(frozen=True)
class EventFacts:
    """What is compared when deciding whether two reports describe one event."""

    type: str
    date: date | None
    place: str | None
    countries: frozenset[str]
    title: str


@dataclass(frozen=True)
class AgreementFacts:
    type: str
    title: str
    countries: frozenset[str]
    horizon: str | None
    date: date | None


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b) if a | b else 0.0


class Matcher:
    """The default resolution policy: precision first, every decision with its reason."""

    def same_person(self, name_a: str, name_b: str) -> tuple[bool, str]:
        """Whether two names of people of the same country are one person."""
        a, b = normalise_name(name_a).split(), normalise_name(name_b).split()
        if not a or not b:
            return False, "empty name"
        surname_score = fuzz.ratio(a[-1], b[-1])
        if surname_score < 88:
            return False, f"surnames differ ({surname_score:.0f})"
        if len(a) > 1 and len(b) > 1 and a[0][0] != b[0][0]:
            return False, "first names differ"
        return True, f"surname match {surname_score:.0f}" + (
            "" if len(a) == 1 or len(b) == 1 else " and same first initial")

    def same_event(self, new: EventFacts, old: EventFacts) -> tuple[bool, str]:
        """Whether two reported events are one: same type, close dates, same place, shared parties."""
        if new.type != old.type:
            return False, "different types"
        if new.date and old.date:
            gap = abs((new.date - old.date).days)
            if gap > EVENT_DATE_WINDOW_DAYS:
                return False, f"dates {gap} days apart"
        elif new.date or old.date:
            return False, "one date unknown"
        if new.place and old.place and new.place != old.place:
            return False, "different places"
        overlap = _jaccard(new.countries, old.countries)
        if overlap < 0.5:
            return False, f"participants overlap {overlap:.2f}"
        title_score = fuzz.token_set_ratio(new.title.lower(), old.title.lower())
        if not (new.place and old.place) and overlap < 1.0 and title_score < 60:
            return False, "no shared place and different titles"
        return True, (f"same type, dates within {EVENT_DATE_WINDOW_DAYS} days, place "
                      f"{new.place or old.place or 'unknown'}, participants overlap {overlap:.2f}")

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
        a, b = " ".join(text_a.split())[:4000], " ".join(text_b.split())[:4000]
        return fuzz.ratio(a, b) >= 90
