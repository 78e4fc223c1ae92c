"""An agreement's life: signed, mentioned again, approved, ratified, in force, implemented.

Every report the store linked to the agreement becomes one entry, in date order. The entry's kind
comes from what that report says: a status the agreement had not reached before (signed, approved,
ratified, in force), news of implementation (construction, deliveries, first supplies, progress), or
otherwise a later mention. The sentence that says so is kept as evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from accordia.models import to_plain
from accordia.store import AgreementRow, Store
from accordia.store.aggregates import LifeSource

__all__ = ["KINDS", "AgreementLife", "LifeEntry", "agreement_life"]

KINDS = ("signed", "mentioned", "approved", "ratified", "in_force", "implementation")

# Wording of a report about work done under an agreement rather than about the paper itself.
_IMPLEMENTATION = re.compile(
    r"\b(implement\w*|under construction|construction (?:of|has|began|started|work)|commissioned|commissioning|"
    r"put into operation|first (?:batch|deliver\w*|shipment|supplies|gas|electricity|power|unit)|"
    r"deliver(?:ed|ies|y) (?:of|to|began|started)|progress|milestone|feasibility study|"
    r"(?:began|begun|started|launched) (?:work|operations|production|supplies|construction))\b",
    re.IGNORECASE)
_STATUS_WORDS = {
    "signed": re.compile(r"\b(sign\w*|ink\w*|conclu\w*|seal\w*)\b", re.IGNORECASE),
    "approved": re.compile(r"\b(approv\w*|adopt\w*|endors\w*)\b", re.IGNORECASE),
    "ratified": re.compile(r"\bratif\w*\b", re.IGNORECASE),
    "in_force": re.compile(r"\b(into force|in force|took effect)\b", re.IGNORECASE),
}
# A status a report gives counts as news only the first time; afterwards the report is a mention.
_MILESTONES = ("signed", "approved", "ratified", "in_force")


@dataclass(frozen=True)
class LifeEntry:
    """One moment of an agreement's life, from one report."""

    date: date | None
    kind: str
    document_id: int
    source: str
    title: str | None
    evidence: str

    def as_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat() if self.date else None, "kind": self.kind,
                "document_id": self.document_id, "source": self.source, "title": self.title,
                "evidence": self.evidence}


@dataclass(frozen=True)
class AgreementLife:
    """An agreement and its entries, oldest first."""

    agreement: AgreementRow
    entries: tuple[LifeEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"agreement": to_plain(self.agreement), "entries": [e.as_dict() for e in self.entries]}


def _sentences(source: LifeSource) -> list[str]:
    text = source.text
    return [" ".join(text[s:e].split()) for s, e in source.evidence if 0 <= s < e <= len(text)]


def _entry(source: LifeSource, reached: set[str]) -> LifeEntry:
    sentences = _sentences(source)
    implementation = next((s for s in sentences if _IMPLEMENTATION.search(s)), None)
    status = source.status if source.status in _MILESTONES else None
    if status is not None and status not in reached:
        kind = status
        cue = _STATUS_WORDS[status]
        evidence = next((s for s in sentences if cue.search(s)), sentences[0] if sentences else "")
    elif implementation is not None:
        kind, evidence = "implementation", implementation
    else:
        kind, evidence = "mentioned", sentences[0] if sentences else ""
    # A milestone is dated by the event that made it; anything else by the report that tells it.
    when = (source.date or source.published) if kind in _MILESTONES else (source.published or source.date)
    return LifeEntry(when, kind, source.document_id, source.source, source.title, evidence)


def agreement_life(store: Store, agreement_id: int) -> AgreementLife:
    """The agreement and a dated entry per report that mentions it; NotFound if there is no such id."""
    row, _ = store.agreement(agreement_id)
    sources = sorted(store.agreement_sources(agreement_id),
                     key=lambda s: (s.date or s.published or date.max, s.published or date.max, s.document_id))
    reached: set[str] = set()
    entries = []
    for source in sources:
        entry = _entry(source, reached)
        if entry.kind in _MILESTONES:
            reached.add(entry.kind)
        entries.append(entry)
    entries.sort(key=lambda e: (e.date or date.max, e.document_id))
    return AgreementLife(row, tuple(entries))
