"""Plain dataclasses that travel between the stages: ingest → extract → resolve → store.

Records mirror `shared/spec/extraction.md`; `to_dict()` gives exactly that JSON shape
(plus the added `confidence` fields the spec allows).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from typing import Any

Span = tuple[int, int]


def to_plain(value: Any) -> Any:
    """Dataclasses, tuples and dates as JSON-ready dicts, lists and ISO strings."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_plain(asdict(value))
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def content_hash(text: str) -> str:
    """Stable identity of a document: SHA-256 of its text as the extractor reads it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One report as read by `ingest`: the exact text the extractor sees, and its metadata."""

    source: str
    text: str
    title: str | None = None
    published: date | None = None
    language: str | None = None
    format: str = "text"
    url: str | None = None

    @property
    def hash(self) -> str:
        return content_hash(self.text)


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, with a reason a person can act on."""

    source: str
    reason: str
    code: str


@dataclass(frozen=True)
class Organization:
    name: str
    acronym: str | None
    kind: str
    country: str | None
    evidence: tuple[Span, ...] = ()
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "acronym": self.acronym, "kind": self.kind,
                "country": self.country, "confidence": round(self.confidence, 2)}


@dataclass(frozen=True)
class Person:
    name: str
    role: str | None
    country: str | None
    organization: str | None
    evidence: tuple[Span, ...] = ()
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "country": self.country,
                "organization": self.organization, "confidence": round(self.confidence, 2)}


@dataclass(frozen=True)
class Event:
    type: str
    title: str
    date: date | None
    place: str | None
    countries: tuple[str, ...]
    organizations: tuple[str, ...]
    persons: tuple[str, ...]
    topics: tuple[str, ...]
    evidence: tuple[Span, ...]
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title,
                "date": self.date.isoformat() if self.date else None, "place": self.place,
                "countries": list(self.countries), "organizations": list(self.organizations),
                "persons": list(self.persons), "topics": list(self.topics),
                "evidence": [list(span) for span in self.evidence],
                "confidence": round(self.confidence, 2)}


@dataclass(frozen=True)
class Agreement:
    type: str
    title: str
    parties: tuple[str, ...]
    countries: tuple[str, ...]
    status: str | None
    horizon: str | None
    topics: tuple[str, ...]
    evidence: tuple[Span, ...]
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "title": self.title, "parties": list(self.parties),
                "countries": list(self.countries), "status": self.status,
                "horizon": self.horizon, "topics": list(self.topics),
                "evidence": [list(span) for span in self.evidence],
                "confidence": round(self.confidence, 2)}


@dataclass(frozen=True)
class RoleMention:
    """A role named without its holder ("Kazakhstan's energy minister"), with the country it
    belongs to; the store resolves it to the person holding the role on the report's date."""

    role: str
    country: str
    evidence: tuple[Span, ...] = ()
    confidence: float = 0.7


@dataclass(frozen=True)
class Record:
    """What the extractor found in one document."""

    source: str
    language: str
    title: str | None
    published: date | None
    countries: tuple[str, ...]
    organizations: tuple[Organization, ...]
    persons: tuple[Person, ...]
    events: tuple[Event, ...]
    agreements: tuple[Agreement, ...]
    topics: tuple[str, ...]
    mentioned_countries: tuple[str, ...] = field(default=())
    # Not part of the spec's JSON record (to_dict leaves it out): input to the store's role history.
    role_mentions: tuple[RoleMention, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The record as the JSON object of the extraction spec."""
        return {
            "source": self.source,
            "language": self.language,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "countries": list(self.countries),
            "organizations": [org.to_dict() for org in self.organizations],
            "persons": [person.to_dict() for person in self.persons],
            "events": [event.to_dict() for event in self.events],
            "agreements": [agreement.to_dict() for agreement in self.agreements],
            "topics": list(self.topics),
        }
