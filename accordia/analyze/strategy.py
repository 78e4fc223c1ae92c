"""Strategies and how much of each is being done: key areas scored by reported activity per member.

A strategy file (YAML, bundled ones in `accordia/data/strategies/`) names the strategy, its approval
date and horizon, its members (ISO codes and/or organizations from `regions.yaml`) and its key areas,
each mapped to topic codes and keywords. An event or agreement counts for an area when a member
country took part, it is dated on or after the approval (or `since`), and its topics include one of
the area's, or one of its source reports contains one of the area's keywords (full-text search).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from accordia.analyze.regions import country_codes, read_yaml, region
from accordia.errors import DataFileError, InputError
from accordia.store import Store, country_label
from accordia.store.aggregates import AreaQuery

__all__ = ["AreaActivity", "KeyArea", "Strategy", "StrategyActivity", "StrategyCell", "available_strategies",
           "load_strategy", "strategy_activity"]


@dataclass(frozen=True)
class KeyArea:
    """One key area of a strategy and what counts as activity in it."""

    name: str
    topics: tuple[str, ...]
    keywords: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "topics": list(self.topics), "keywords": list(self.keywords)}

    def query(self) -> AreaQuery:
        """The area as a store query: its topics, and its keywords as one full-text `or` query."""
        text = " or ".join(f'"{k}"' for k in self.keywords) or None
        return AreaQuery(frozenset(self.topics), text)


@dataclass(frozen=True)
class Strategy:
    """A cooperation strategy: who signed up, when, until when, and its key areas."""

    name: str
    approved: date | None
    horizon: int | None
    members: tuple[str, ...]
    organizations: tuple[str, ...]
    areas: tuple[KeyArea, ...]
    path: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "approved": self.approved.isoformat() if self.approved else None,
                "horizon": self.horizon, "members": list(self.members),
                "organizations": list(self.organizations), "areas": [a.as_dict() for a in self.areas]}


@dataclass
class StrategyCell:
    """One member country's activity in one key area, and the reports behind it (newest first)."""

    country: str
    name: str
    events: int = 0
    agreements: int = 0
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.events + self.agreements

    def as_dict(self) -> dict[str, Any]:
        return {"country": self.country, "name": self.name, "events": self.events,
                "agreements": self.agreements, "score": self.score, "documents": self.documents}


@dataclass
class AreaActivity:
    """A key area with its score (sum over members) and one cell per active member, best first."""

    area: KeyArea
    cells: list[StrategyCell]

    @property
    def score(self) -> int:
        return sum(cell.score for cell in self.cells)

    def as_dict(self) -> dict[str, Any]:
        return {"area": self.area.name, "topics": list(self.area.topics), "score": self.score,
                "cells": [c.as_dict() for c in self.cells]}


@dataclass
class StrategyActivity:
    """A strategy scored: every key area's activity since `since`, per member country."""

    strategy: Strategy
    since: date | None
    areas: list[AreaActivity]

    def as_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy.as_dict(), "since": self.since.isoformat() if self.since else None,
                "areas": [a.as_dict() for a in self.areas]}

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per area and member (members without activity included), for tables and CSV."""
        rows = []
        for activity in self.areas:
            cells = {c.country: c for c in activity.cells}
            for code in self.strategy.members:
                cell = cells.get(code) or StrategyCell(code, country_label(code))
                rows.append({"area": activity.area.name, "country": code, "events": cell.events,
                             "agreements": cell.agreements, "score": cell.score,
                             "documents": [d["id"] for d in cell.documents]})
        return rows


def _strategies_dir() -> Path:
    return Path(str(resources.files("accordia") / "data" / "strategies"))


def available_strategies() -> list[str]:
    """Names of the bundled strategy files (without `.yaml`), for `load_strategy(name)`."""
    return sorted(p.stem for p in _strategies_dir().glob("*.yaml"))


def load_strategy(path_or_name: str | Path) -> Strategy:
    """Read and validate a strategy file, given its path or the name of a bundled one."""
    path = Path(path_or_name)
    if not path.exists():
        bundled = _strategies_dir() / f"{path_or_name}.yaml"
        if str(path_or_name) not in available_strategies() or not bundled.exists():
            raise InputError(f"no strategy file {str(path_or_name)!r}; bundled strategies: "
                             f"{', '.join(available_strategies())}")
        path = bundled
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise DataFileError(f"{path}: a strategy is a mapping with at least a name")

    def fail(item: dict[str, Any], message: str) -> DataFileError:
        return DataFileError(f"{path}:{item.get('__line__', '?')}: {message}")

    approved = data.get("approved")
    if approved is not None and not isinstance(approved, date):
        raise fail(data, f"approved must be a date (YYYY-MM-DD), got {approved!r}")
    horizon = data.get("horizon")
    if horizon is not None and not isinstance(horizon, int):
        raise fail(data, f"horizon must be a year, got {horizon!r}")
    members = list(country_codes(path, data, data.get("members") or [], "members"))
    organizations = data.get("organizations") or []
    if not isinstance(organizations, list) or not all(isinstance(o, str) for o in organizations):
        raise fail(data, "organizations must be a list of names from regions.yaml")
    for organization in organizations:
        try:
            members.extend(c for c in region(organization).members if c not in members)
        except InputError as exc:
            raise fail(data, str(exc)) from None
    if not members:
        raise fail(data, "a strategy needs members (ISO codes) or organizations")
    from accordia.extract.resources import get_resources

    known_topics = set(get_resources().topics)
    areas = []
    for item in data.get("areas") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise DataFileError(f"{path}: every area needs a name, got {item!r}")
        topics = item.get("topics") or []
        keywords = item.get("keywords") or []
        if not isinstance(topics, list) or not isinstance(keywords, list):
            raise fail(item, f"topics and keywords of {item['name']!r} must be lists")
        for topic in topics:
            if topic not in known_topics:
                raise fail(item, f"{topic!r} is not a topic code (see shared/spec/topics.md)")
        if not topics and not keywords:
            raise fail(item, f"area {item['name']!r} needs topics or keywords")
        areas.append(KeyArea(item["name"], tuple(topics), tuple(str(k) for k in keywords)))
    if not areas:
        raise fail(data, "a strategy needs at least one key area")
    return Strategy(data["name"], approved, horizon, tuple(members), tuple(organizations), tuple(areas),
                    str(path))


def strategy_activity(store: Store, strategy: Strategy, since: date | None = None) -> StrategyActivity:
    """Score each key area by the events and agreements reported since approval (or `since`), per member."""
    start = since or strategy.approved
    areas = []
    # All key areas in one store call: the members' activity is read once, not once per area.
    found = store.areas_activity([area.query() for area in strategy.areas], strategy.members, start)
    for area, area_cells in zip(strategy.areas, found, strict=True):
        cells = [StrategyCell(cell.country, country_label(cell.country), cell.events, cell.agreements,
                              [{"id": i, "source": source, "title": title,
                                "published": published.isoformat() if published else None}
                               for i, source, title, published in cell.documents])
                 for cell in area_cells]
        cells.sort(key=lambda c: (-c.score, c.country))
        areas.append(AreaActivity(area, cells))
    return StrategyActivity(strategy, start, areas)
