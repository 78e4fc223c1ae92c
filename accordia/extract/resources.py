"""Load and validate the extractor's data files, and build the matchers over them.

Everything the extractor knows about the world (countries, places, organizations, roles,
trigger words, topics) comes from YAML files under `accordia/data/`, optionally overlaid by a
user's own directory of files with the same names. Each file is validated on load; a bad
entry raises `DataFileError` naming the file and line.
"""

from __future__ import annotations

import calendar
import functools
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from re import _constants, _parser  # type: ignore[attr-defined]
from typing import Any

import ahocorasick
import pycountry
import yaml

from accordia.errors import DataFileError
from accordia.extract.model import ParticipantModel, load_participant_model

DATA_FILES = ("countries", "places", "organizations", "roles", "triggers", "topics", "lexicon")
ORG_KINDS = ("ministry", "agency", "state_company", "company", "intergovernmental", "other")
EVENT_TYPES = ("meeting", "conference", "signing", "approval", "visit", "announcement")
AGREEMENT_TYPES = ("mou", "agreement", "contract", "strategy", "roadmap", "declaration", "protocol")
AGREEMENT_STATUSES = ("signed", "approved", "ratified", "planned", "in_force")


def _needles(items: Iterable[tuple[Any, Any]]) -> tuple[set[str], bool] | None:
    """Strings of which every match of the parsed sequence `items` consumes one, or None where no
    such set is known; with whether an inline flag turns IGNORECASE on inside.

    Runs of literals are strings of the sequence; a group or a repeat taken at least once gives
    its own set; a branch gives the union of its alternatives' sets (when each has one). Of the
    sets a sequence has, the one with the longest shortest string is taken (then the smallest).
    Classes, anchors and lookarounds give none: lookarounds consume nothing.
    """
    best: set[str] | None = None
    folded = False
    run: list[str] = []

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and (best is None or (min(map(len, found)), -len(found)) > (min(map(len, best)), -len(best))):
            best = found

    for op, av in items:
        if op is _constants.LITERAL:
            run.append(chr(av))
            continue
        if run:
            consider({"".join(run)})
            run = []
        inner: list[tuple[set[str], bool] | None] = []
        if op is _constants.SUBPATTERN:
            folded = folded or bool(av[1] & re.IGNORECASE)
            inner = [_needles(av[3])]
        elif op is _constants.ATOMIC_GROUP:
            inner = [_needles(av)]
        elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            found = _needles(av[2])
            folded = folded or (found is not None and found[1])
            inner = [found] if av[0] >= 1 else []
        elif op is _constants.BRANCH:
            alternatives = [_needles(branch) for branch in av[1]]
            folded = folded or any(a is not None and a[1] for a in alternatives)
            if all(a is not None for a in alternatives):
                consider({needle for a in alternatives if a is not None for needle in a[0]})
        for found in inner:
            if found is not None:
                folded = folded or found[1]
                consider(found[0])
    if run:
        consider({"".join(run)})
    return None if best is None else (best, folded)


def word_alternation(words: Iterable[str]) -> str:
    """`\\b(?:w1|w2|...)` led by a class of the words' first letters (lower case: compile it with
    IGNORECASE), which turns most word starts away before the alternation compares each word
    there; built from the words, so an added word cannot be missed by a stale class."""
    listed = list(words)
    letters = "".join(sorted({word[0].lower() for word in listed}))
    return r"\b(?=[" + re.escape(letters) + "])(?:" + "|".join(listed) + ")"


def required_strings(pattern: re.Pattern[str]) -> tuple[tuple[str, ...], bool] | None:
    """Strings of which every match of `pattern` consumes one, and whether to compare them with
    lower-cased text; None where the pattern gives no such set.

    Under IGNORECASE (anywhere in the pattern) the strings are lower-cased and cut at characters
    outside ASCII, keeping the longest ASCII piece: on ASCII text IGNORECASE compares lower-cased
    letters, and a character outside ASCII may match an ASCII one ("K", the Kelvin sign, matches
    "k"), so only the pieces around it are required.
    """
    found = _needles(_parser.parse(pattern.pattern, pattern.flags))
    if found is None:
        return None
    needles, folded = found
    folded = folded or bool(pattern.flags & re.IGNORECASE)
    if folded:
        pieces = set()
        for needle in needles:
            piece = max(re.split(r"[^\x00-\x7f]+", needle.lower()), key=len)
            if not piece:
                return None
            pieces.add(piece)
        needles = pieces
    # A string that holds another of the set is implied by it.
    kept = sorted(n for n in needles if not any(other != n and other in n for other in needles))
    return tuple(kept), folded


class GuardedPattern:
    """A compiled pattern behind a cheap string test that every match of it passes.

    Every match consumes one of the strings that `required_strings` reads from the pattern
    itself; a short text (a few words before a mention, up to _SHORT characters) that holds none
    of them cannot match, and the regex is not run. Under IGNORECASE the test reads an ASCII text
    in lower case, which is what IGNORECASE compares there; other texts go to the regex. Results
    are always the regex's own.
    """

    __slots__ = ("folded", "needles", "pattern")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        required = required_strings(pattern)
        # Without required strings the guard lets every call through.
        self.needles, self.folded = required if required is not None else ((), False)

    def _may_match(self, text: str) -> bool:
        if not self.needles or len(text) > _SHORT:
            # A long text most likely holds a needle: looking for them would cost more than it saves.
            return True
        if self.folded:
            if not text.isascii():
                return True
            text = text.lower()
        return any(map(text.__contains__, self.needles))

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """`pattern.match`, run only where a match is possible."""
        return self.pattern.match(text, pos, endpos) if self._may_match(text) else None

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """`pattern.search`, run only where a match is possible."""
        return self.pattern.search(text, pos, endpos) if self._may_match(text) else None

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        """`pattern.fullmatch`, run only where a match is possible."""
        return self.pattern.fullmatch(text, pos, endpos) if self._may_match(text) else None


# Texts up to this long are tested; longer ones go straight to the regex.
_SHORT = 200


@dataclass(frozen=True)
class CountryInfo:
    code: str
    name: str
    capital: str | None


@dataclass(frozen=True)
class OrgInfo:
    name: str
    acronym: str | None
    kind: str
    country: str | None


@dataclass(frozen=True)
class RoleInfo:
    role: str
    body: str | None
    rank: int


@dataclass(frozen=True)
class Entry:
    """What a gazetteer key stands for: `kind` is country, adjective, city, org or role."""

    kind: str
    value: Any


@dataclass
class Resources:
    """Everything loaded from the data files, with the automata built over it."""

    countries: dict[str, CountryInfo]
    orgs: list[OrgInfo]
    roles: dict[str, RoleInfo]
    topics: dict[str, str]
    event_triggers: dict[str, dict[str, list[str]]]
    agreement_phrases: dict[str, list[str]]
    # Every agreement word in one pattern (data-file order, so the first type listed wins a tie).
    agreement_word_pattern: re.Pattern[str]
    agreement_word_types: dict[str, str]
    named_only: frozenset[str]
    status_phrases: dict[str, list[str]]
    cooperation_cues: frozenset[str]
    passing_cues: tuple[str, ...]
    # A gathering named right after one of these frames another happening (triggers.yaml).
    framing_before: re.Pattern[str]
    framing_always_before: re.Pattern[str]
    # Standing formats that are conferences even between two states (triggers.yaml).
    standing_formats: re.Pattern[str]
    # Words right after a country that make it a country named in passing (triggers.yaml).
    passing_after: re.Pattern[str]
    company_origin_after: re.Pattern[str]
    # A sentence opening that makes the sentence background (triggers.yaml `background_openings`).
    background_opening: re.Pattern[str]
    # A sentence opening that makes the sentence an aside (triggers.yaml `aside_openings`).
    aside_opening: re.Pattern[str]
    not_name_words: frozenset[str]
    # Courtesy titles before names, without their dots ("Mr", "H.E" -> "HE").
    honorifics: frozenset[str]
    org_heads: frozenset[str]
    abbreviations: frozenset[str]
    stopwords: dict[str, frozenset[str]]
    # Every language's stop words together: the only words language detection counts one by one.
    stopword_vocabulary: frozenset[str]
    city_country: dict[str, str] = field(default_factory=dict)
    # Case-sensitive automaton over proper names: countries, adjectives, cities, organizations.
    # Each key maps to (length, entries, ...), so a match's end position gives back its start.
    names: Any = None
    # Case-insensitive automaton over lowercase phrases: roles, triggers, topics, statuses.
    phrases: Any = None
    # The trained participant model (extract/model.py); None when no model file is installed.
    participant_model: ParticipantModel | None = None


class _Loader(yaml.SafeLoader):
    """A YAML loader that records the line of every mapping, for error messages."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping  # type: ignore[return-value]


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.load(handle, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path}: not valid YAML: {exc}") from None


def _fail(path: Path, item: Any, message: str) -> DataFileError:
    line = item.get("__line__", "?") if isinstance(item, dict) else "?"
    return DataFileError(f"{path}:{line}: {message}")


def _check_code(path: Path, item: dict[str, Any], code: Any, allow_none: bool = False) -> None:
    if code is None and allow_none:
        return
    if not isinstance(code, str) or (pycountry.countries.get(alpha_2=code) is None and code != "XK"):
        raise _fail(path, item, f"{code!r} is not an ISO 3166-1 alpha-2 country code")


def _strings(path: Path, item: dict[str, Any], key: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, item, f"`{key}` must be a list of strings")
    return value


def data_paths(extra_dir: Path | None = None) -> dict[str, list[Path]]:
    """The data files to read: the bundled ones, then a user's overlay directory if given."""
    bundled = resources.files("accordia") / "data"
    paths: dict[str, list[Path]] = {}
    for name in DATA_FILES:
        path = Path(str(bundled / f"{name}.yaml"))
        if not path.is_file():
            raise DataFileError(f"{path}: bundled data file is missing; reinstall accordia")
        paths[name] = [path]
    if extra_dir is not None:
        for name in DATA_FILES:
            candidate = extra_dir / f"{name}.yaml"
            if candidate.is_file():
                paths[name].append(candidate)
    return paths


def _entries(paths: Iterable[Path]) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in paths:
        data = _read(path) or []
        if not isinstance(data, list):
            raise DataFileError(f"{path}: expected a list of entries at the top level")
        for item in data:
            if not isinstance(item, dict):
                raise DataFileError(f"{path}: every entry must be a mapping, got {item!r}")
            yield path, item


def _sections(paths: Iterable[Path]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in paths:
        data = _read(path) or {}
        if not isinstance(data, dict):
            raise DataFileError(f"{path}: expected a mapping at the top level")
        for key, value in data.items():
            if key == "__line__":
                continue
            if isinstance(value, list) and isinstance(merged.get(key), list):
                merged[key] = merged[key] + value
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
    return merged


def _add(table: dict[str, list[Entry]], key: str, entry: Entry) -> None:
    if not key:
        return
    entries = table.setdefault(key, [])
    if entry not in entries:
        entries.append(entry)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


# Characters of running text, most frequent first. pyahocorasick looks a node's children up one
# by one in the order they were added, and most characters of a text fall back to the root; added
# first (as never-reported keys ending in a noncharacter), these are found there in a step or two
# instead of after every key's first letter.
_COMMON_CHARS = " etaoinsrhldcumfpgwybv,.kTSACIMPBRNEHDFGLOWU\n-0123456789'\"()xjqzKJVYQXZ"
_NOT_A_KEY = "\uffff"


def _automaton(table: dict[str, list[Entry]]) -> Any:
    """An Aho-Corasick automaton over the table's keys; each stores (length, entries, whether the
    key starts with a word character, whether it ends with one, the country codes its country and
    adjective entries stand for). The keys of _COMMON_CHARS store None."""
    automaton = ahocorasick.Automaton()
    for char in _COMMON_CHARS:
        automaton.add_word(char + _NOT_A_KEY, None)
    for key, entries in table.items():
        codes = frozenset(str(e.value) for e in entries if e.kind in {"country", "adjective"})
        automaton.add_word(key, (len(key), tuple(entries), _is_word_char(key[0]), _is_word_char(key[-1]), codes))
    automaton.make_automaton()
    return automaton


def load_resources(extra_dir: Path | None = None) -> Resources:
    """Read and validate every data file and build the matchers (uncached)."""
    paths = data_paths(extra_dir)
    names: dict[str, list[Entry]] = {}
    phrases: dict[str, list[Entry]] = {}

    countries: dict[str, CountryInfo] = {}
    city_country: dict[str, str] = {}
    for path, item in _entries(paths["countries"]):
        code = str(item.get("code"))
        _check_code(path, item, item.get("code"))
        country_names = _strings(path, item, "names")
        if not country_names:
            raise _fail(path, item, "a country needs at least one name")
        capital = item.get("capital")
        countries[code] = CountryInfo(code, country_names[0], capital)
        for name in country_names:
            _add(names, name, Entry("country", code))
            if len(name) > 4:
                _add(names, name.upper(), Entry("country", code))
        for adjective in _strings(path, item, "adjectives"):
            _add(names, adjective, Entry("adjective", code))
        cities = ([capital] if isinstance(capital, str) else []) + _strings(path, item, "cities")
        for city in cities:
            city_country.setdefault(city, code)
            _add(names, city, Entry("city", (city, code)))
            _add(names, city.upper(), Entry("city", (city, code)))

    for path, item in _entries(paths["places"]):
        _check_code(path, item, item.get("country"))
        place = item.get("name")
        if not isinstance(place, str):
            raise _fail(path, item, "a place needs a `name`")
        place_country = str(item["country"])
        for alias in [place, *_strings(path, item, "aliases")]:
            city_country.setdefault(alias, place_country)
            _add(names, alias, Entry("city", (place, place_country)))
            _add(names, alias.upper(), Entry("city", (place, place_country)))

    orgs: list[OrgInfo] = []
    for path, item in _entries(paths["organizations"]):
        org_name = item.get("name")
        kind = item.get("kind")
        if not isinstance(org_name, str):
            raise _fail(path, item, "an organization needs a `name`")
        if kind not in ORG_KINDS:
            raise _fail(path, item, f"kind {kind!r} is not one of {', '.join(ORG_KINDS)}")
        _check_code(path, item, item.get("country"), allow_none=True)
        acronym = item.get("acronym")
        org = OrgInfo(org_name, acronym if isinstance(acronym, str) else None, kind, item.get("country"))
        orgs.append(org)
        for alias in [org_name, *_strings(path, item, "aliases")]:
            _add(names, alias, Entry("org", org))
        if org.acronym:
            _add(names, org.acronym, Entry("org", org))

    roles: dict[str, RoleInfo] = {}
    for path, item in _entries(paths["roles"]):
        role = item.get("role")
        if not isinstance(role, str):
            raise _fail(path, item, "a role entry needs `role`")
        info = RoleInfo(role, item.get("body"), int(item.get("rank", 1)))
        for variant in [role.lower(), *_strings(path, item, "variants")]:
            roles[variant.lower()] = info
            _add(phrases, variant.lower(), Entry("role", info))

    topics: dict[str, str] = {}
    for path, item in _entries(paths["topics"]):
        topic = item.get("code")
        if not isinstance(topic, str):
            raise _fail(path, item, "a topic needs a `code`")
        topics[topic] = str(item.get("label", code))
        for keyword in _strings(path, item, "keywords"):
            _add(phrases, keyword.lower(), Entry("topic", topic))

    triggers = _sections(paths["triggers"])
    event_triggers: dict[str, dict[str, list[str]]] = {}
    for event_type, strengths in (triggers.get("events") or {}).items():
        if event_type == "__line__":
            continue
        if event_type not in EVENT_TYPES:
            raise DataFileError(f"{paths['triggers'][0]}: unknown event type {event_type!r}")
        event_triggers[event_type] = {}
        for strength in ("strong", "weak"):
            words = [w.lower() for w in (strengths.get(strength) or [])]
            event_triggers[event_type][strength] = words
            for word in words:
                _add(phrases, word, Entry("event", (event_type, strength)))
    agreement_phrases: dict[str, list[str]] = {}
    for agreement_type, words in (triggers.get("agreements") or {}).items():
        if agreement_type == "__line__":
            continue
        if agreement_type not in AGREEMENT_TYPES:
            raise DataFileError(f"{paths['triggers'][0]}: unknown agreement type {agreement_type!r}")
        agreement_phrases[agreement_type] = [w.lower() for w in words]
        for word in words:
            _add(phrases, word.lower(), Entry("agreement", agreement_type))
    status_phrases: dict[str, list[str]] = {}
    for status, words in (triggers.get("status") or {}).items():
        if status == "__line__":
            continue
        if status not in AGREEMENT_STATUSES:
            raise DataFileError(f"{paths['triggers'][0]}: unknown agreement status {status!r}")
        status_phrases[status] = [w.lower() for w in words]
        for word in words:
            _add(phrases, word.lower(), Entry("status", status))
    cooperation_cues = frozenset(w.lower() for w in triggers.get("cooperation_cues") or [])
    for cue in cooperation_cues:
        _add(phrases, cue, Entry("cue", "cooperation"))
    passing_cues = tuple(w.lower() for w in triggers.get("passing_cues") or [])
    for cue in passing_cues:
        _add(phrases, cue, Entry("cue", "passing"))

    lexicon = _sections(paths["lexicon"])
    stopwords = {lang: frozenset(words) for lang, words in (lexicon.get("stopwords") or {}).items()
                 if lang != "__line__"}

    return Resources(
        countries=countries,
        orgs=orgs,
        roles=roles,
        topics=topics,
        event_triggers=event_triggers,
        agreement_phrases=agreement_phrases,
        agreement_word_pattern=re.compile(r"\b(?:" + "|".join(
            re.escape(word) for words in agreement_phrases.values() for word in words) + r")\b"),
        named_only=frozenset(w.lower() for w in triggers.get("named_only") or []),
        agreement_word_types={word: kind for kind, words in reversed(agreement_phrases.items()) for word in words},
        status_phrases=status_phrases,
        cooperation_cues=cooperation_cues,
        passing_cues=passing_cues,
        company_origin_after=_company_origin(triggers.get("company_nouns"), triggers.get("state_owner_words")),
        passing_after=re.compile(
            r"\s*(?:" + "|".join(re.escape(w.lower()) for w in triggers.get("passing_after_cues") or ["\0"])
            + r")\b", re.I),
        standing_formats=re.compile(
            r"\b(?:" + "|".join(re.escape(w.lower()) for w in triggers.get("standing_formats") or ["\0"])
            + r")\b", re.I),
        framing_before=_cue_before(triggers.get("framing_cues")),
        framing_always_before=_cue_before(triggers.get("framing_always_cues")),
        background_opening=re.compile(
            r"\s*(?:(?:" + "|".join(re.escape(w) for w in triggers.get("background_openings") or ["\0"])
            + r")\b|In (?:19|20)\d\d,|(?:Last|In) " + _MONTH_NAMES + r"\b)", re.I),
        aside_opening=re.compile(
            r"\s*(?:" + "|".join(re.escape(w) for w in triggers.get("aside_openings") or ["\0"]) + r")\b", re.I),
        not_name_words=frozenset(lexicon.get("not_name_words") or []),
        honorifics=frozenset(str(word).replace(".", "") for word in lexicon.get("honorifics") or []),
        org_heads=frozenset(lexicon.get("org_heads") or []),
        abbreviations=frozenset(lexicon.get("abbreviations") or []),
        stopwords=stopwords,
        stopword_vocabulary=frozenset().union(*stopwords.values()),
        city_country=city_country,
        names=_automaton(names),
        phrases=_automaton(phrases),
        participant_model=load_participant_model(extra_dir),
    )


def _company_origin(nouns: list[str] | None, owners: list[str] | None) -> re.Pattern[str]:
    """After a country: "-based", or up to three words without a state-owner word and then a
    company noun ("'s largest private company", "company")."""
    owner = "|".join(re.escape(w.lower()) for w in owners or ["\0"])
    noun = "|".join(re.escape(w.lower()) for w in nouns or ["\0"])
    return re.compile(r"(?:-based\b|(?:['’]s)?(?:\s+(?!(?:" + owner + r")\b)[\w\-]+){0,3}?\s+(?:" + noun + r")\b)",
                      re.I)


# "Last September, ..." and "In March, ..." open background as a year does.
_MONTH_NAMES = "(?:" + "|".join(calendar.month_name[1:]) + ")"


def _cue_before(cues: list[str] | None) -> re.Pattern[str]:
    """A cue followed by up to six words (an acronym in brackets counts) at the end of a text."""
    return re.compile(r"\b(?:" + "|".join(re.escape(w.lower()) for w in cues or ["\0"])
                      + r")\s+(?:the\s+)?(?:[\w.'’()\-]+\s+){0,6}$", re.I)


@functools.lru_cache(maxsize=8)
def get_resources(extra_dir: Path | None = None) -> Resources:
    """The loaded resources, built once per process and overlay directory."""
    return load_resources(extra_dir)
