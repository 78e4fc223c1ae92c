"""Manual resolution rules: names forced to be one entity or forbidden to merge.

The rules come from YAML files: the bundled `accordia/data/aliases.yaml` (empty, with comments),
then the file named by the `ACCORDIA_ALIASES` setting, then any file passed explicitly. Later
files add to earlier ones. A rule overrides the automatic matcher in both directions:

    same:                         # every name of a group is one entity
      - [KazMunayGas, KMG, National Company KazMunayGas]
    distinct:                     # no two names of a group may ever be merged
      - [Alexander Novak, Alexander Novikov]

Names are compared without case, accents and punctuation (`fold_name`) but with their spelling,
so a rule can keep two transliterations apart; list each spelling a `same` group should cover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from accordia.errors import DataFileError
from accordia.resolve.names import fold_name

__all__ = ["BUNDLED_ALIASES", "AliasRules", "load_alias_rules"]

BUNDLED_ALIASES = Path(__file__).resolve().parent.parent / "data" / "aliases.yaml"


@dataclass
class AliasRules:
    """Forced merges (`same`) and forbidden merges (`distinct`) between names."""

    same: list[frozenset[str]] = field(default_factory=list)
    distinct: list[frozenset[str]] = field(default_factory=list)

    def add_same(self, names: Iterable[str]) -> None:
        """Force the names to be one entity."""
        group = frozenset(n for n in (fold_name(x) for x in names) if n)
        if len(group) > 1:
            self.same.append(group)

    def add_distinct(self, names: Iterable[str]) -> None:
        """Forbid any two of the names to be merged."""
        group = frozenset(n for n in (fold_name(x) for x in names) if n)
        if len(group) > 1:
            self.distinct.append(group)

    def group_of(self, name: str) -> str | None:
        """The canonical (sorted-first) name of the `same` group a name belongs to, if any."""
        value = fold_name(name)
        for group in self.same:
            if value in group:
                return min(group)
        return None

    def forbids(self, name: str, others: Iterable[str]) -> str | None:
        """The rule that forbids merging `name` with an entity known by `others`, if one does."""
        value = fold_name(name)
        known = {fold_name(o) for o in others} - {value}
        for group in self.distinct:
            if value in group and known & group:
                return f"manual rule: {value!r} and {sorted(known & group)[0]!r} are distinct"
        return None


def _groups(data: Any, key: str, path: Path) -> list[list[str]]:
    groups = data.get(key) or []
    if not isinstance(groups, list) or not all(
            isinstance(g, list) and all(isinstance(n, str) for n in g) for g in groups):
        raise DataFileError(f"{path}: '{key}' must be a list of lists of names")
    return groups


def load_alias_rules(paths: Sequence[Path | str] = (), settings_file: str | None = None) -> AliasRules:
    """The bundled rules plus those in `settings_file` (the ACCORDIA_ALIASES setting) and `paths`."""
    rules = AliasRules()
    files = [BUNDLED_ALIASES]
    if settings_file is None:
        from accordia.settings import Settings

        settings_file = Settings.load().get("ACCORDIA_ALIASES")
    if settings_file:
        files.append(Path(settings_file))
    files.extend(Path(p) for p in paths)
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise DataFileError(f"cannot read the alias file {path}: {exc.strerror}") from exc
        except yaml.YAMLError as exc:
            raise DataFileError(f"{path}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or set(data) - {"same", "distinct"}:
            raise DataFileError(f"{path}: expected only the keys 'same' and 'distinct'")
        for names in _groups(data, "same", path):
            rules.add_same(names)
        for names in _groups(data, "distinct", path):
            rules.add_distinct(names)
    return rules
