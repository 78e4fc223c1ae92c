"""Role history: who held an office when, and who "the energy minister" of a report is.

A person's role history is derived from reports: each (role, country) a person is named with,
from the first to the last report date that shows it. A role-only mention ("Kazakhstan's energy
minister", "the Russian Deputy Prime Minister") on day D resolves to the one person whose span
covers D, or else to the nearest span, and only when no other holder is as near or on the
other side of D (the office may have changed hands in between).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

__all__ = ["MAX_ROLE_GAP_DAYS", "RoleSpan", "role_holder"]

# Beyond this distance from every span the reports say nothing about who held the office.
MAX_ROLE_GAP_DAYS = 400


@dataclass(frozen=True)
class RoleSpan:
    """One person seen in one role, from `first_seen` to `last_seen` (report dates)."""

    entity_id: int
    name: str
    role: str
    country: str | None
    first_seen: date | None
    last_seen: date | None

    def distance(self, day: date) -> int | None:
        """Days from `day` to this span (0 inside it); None when the span has no dates."""
        if self.first_seen is None or self.last_seen is None:
            return None
        if self.first_seen <= day <= self.last_seen:
            return 0
        return (self.first_seen - day).days if day < self.first_seen else (day - self.last_seen).days


def _when(span: RoleSpan) -> str:
    if span.first_seen == span.last_seen:
        return f"seen on {span.first_seen}"
    return f"seen {span.first_seen} to {span.last_seen}"


def role_holder(spans: Iterable[RoleSpan], role: str, country: str | None,
                day: date | None) -> tuple[int | None, str]:
    """The person holding `role` of `country` on `day`, with the reason; None when not unambiguous."""
    where = f"{role} of {country or 'unknown country'}"
    holders: dict[int, list[RoleSpan]] = {}
    for span in spans:
        if span.role == role and span.country == country:
            holders.setdefault(span.entity_id, []).append(span)
    if not holders:
        return None, f"no one is known as {where}"
    if day is None:
        if len(holders) == 1:
            [(entity_id, [span, *_])] = holders.items()
            return entity_id, f"only known {where} ({span.name}, {_when(span)}); mention undated"
        return None, f"{len(holders)} people known as {where} and the mention is undated"
    nearest: list[tuple[int, RoleSpan, bool]] = []  # distance, span, span is before the day
    for entity_spans in holders.values():
        dated = [(d, s) for s in entity_spans if (d := s.distance(day)) is not None]
        if dated:
            distance, span = min(dated, key=lambda pair: pair[0])
            nearest.append((distance, span, span.last_seen is not None and span.last_seen < day))
    if not nearest:
        return None, f"no dated report of {where}"
    nearest.sort(key=lambda item: item[0])
    distance, best, best_before = nearest[0]
    if distance > MAX_ROLE_GAP_DAYS:
        return None, f"no report of {where} within {MAX_ROLE_GAP_DAYS} days of {day}"
    if distance == 0:
        covering = [s for d, s, _ in nearest if d == 0]
        if len(covering) > 1:
            return None, f"{', '.join(s.name for s in covering)} all seen as {where} around {day}"
        return best.entity_id, f"{best.name} held {where} on {day} ({_when(best)})"
    for other_distance, other, other_before in nearest[1:]:
        if other_distance == distance:
            return None, f"{best.name} and {other.name} equally near as {where} on {day}"
        if other_before != best_before and other_distance <= MAX_ROLE_GAP_DAYS:
            # One holder seen before the day and another after: the office may have changed hands.
            return None, f"{where} passed between {best.name} and {other.name} around {day}"
    side = "before" if best_before else "after"
    return best.entity_id, f"nearest {where}: {best.name} ({_when(best)}, {distance} days {side} {day})"
