"""Regions and groupings of countries (`accordia/data/regions.yaml`), validated on load."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import yaml

from accordia.errors import DataFileError, InputError

__all__ = ["Region", "load_regions", "read_yaml", "region"]


@dataclass(frozen=True)
class Region:
    """A named grouping of countries (ISO codes), such as Central Asia or the SCO members."""

    name: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": list(self.aliases), "members": list(self.members),
                "note": self.note}


class _Loader(yaml.SafeLoader):
    """Records the line of every mapping so that a bad entry can be reported with its line."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping  # type: ignore[return-value]


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read_yaml(path: Path | str) -> Any:
    """A YAML file with `__line__` in every mapping; errors name the file."""
    try:
        with Path(path).open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}") from None


def country_codes(path: Path | str, item: dict[str, Any], values: Any, what: str) -> tuple[str, ...]:
    """Validate a list of ISO 3166-1 alpha-2 codes, failing with the file and line of the entry."""
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise DataFileError(f"{path}:{item.get('__line__', '?')}: {what} must be a list of ISO country codes")
    codes = tuple(v.upper() for v in values)
    for code in codes:
        if pycountry.countries.get(alpha_2=code) is None:
            raise DataFileError(f"{path}:{item.get('__line__', '?')}: {code!r} in {what} is not an ISO country code")
    return codes


def _bundled() -> Path:
    return Path(str(resources.files("accordia") / "data" / "regions.yaml"))


@functools.cache
def load_regions(path: Path | None = None) -> dict[str, Region]:
    """Every region by lower-cased name and alias."""
    path = path or _bundled()
    data = read_yaml(path)
    if not isinstance(data, list):
        raise DataFileError(f"{path}: expected a list of regions at the top level")
    found: dict[str, Region] = {}
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise DataFileError(f"{path}: every region needs a name, got {item!r}")
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise DataFileError(f"{path}:{item['__line__']}: aliases of {item['name']} must be a list of names")
        region_ = Region(item["name"], tuple(aliases), country_codes(path, item, item.get("members"), "members"),
                         item.get("note"))
        for name in (region_.name, *region_.aliases):
            if name.lower() in found:
                raise DataFileError(f"{path}:{item['__line__']}: {name!r} names two regions")
            found[name.lower()] = region_
    return found


def region(name: str) -> Region:
    """The region called `name` (or one of its aliases, any case); InputError if there is none."""
    regions = load_regions()
    found = regions.get(name.strip().lower())
    if found is None:
        known = sorted({r.name for r in regions.values()})
        raise InputError(f"unknown region {name!r}; known regions: {', '.join(known)}")
    return found
