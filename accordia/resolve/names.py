"""Spelling-insensitive forms of names, places and texts, the raw material of every match.

Each function here is pure and cheap: the store calls them on every mention it writes.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from array import array
from collections.abc import Callable
from datetime import date

__all__ = ["acronym_of", "canonical_place", "containment", "copy_probe", "fold_name", "looks_like_acronym",
           "normalise_name", "org_key", "person_key", "place_on", "resemblance", "shingles"]

# Transliteration variants collapse to one spelling before names are compared
# (Satkaliyev / Satkaliev / Satqaliev, Zharkeshov / Jarkeshov, Mirzamakhmudov / Mirzamahmudov,
# Tsivilev / Tsivilyov). Order matters: "iy" must go before "yev", "yo" after "ts".
_TRANSLITERATION = (("iy", "i"), ("yev", "ev"), ("yeva", "eva"), ("q", "k"), ("dzh", "j"), ("zh", "j"),
                    ("kh", "h"), ("ts", "c"), ("yo", "e"), ("yu", "iu"), ("ya", "ia"), ("ou", "u"),
                    ("ck", "k"))

# Legal forms and generic heads that do not tell two organizations apart
# ("JSC NC KazMunayGas" is "KazMunayGas").
_ORG_NOISE = frozenset({"the", "jsc", "nc", "ao", "oao", "pjsc", "llc", "ltd", "plc", "inc", "co", "corp",
                        "sa", "ag", "gmbh", "national", "company", "joint", "stock", "group"})
_ORG_STOP = frozenset({"of", "and", "for", "the", "de", "du", "des", "la", "le", "&"})

# Places whose name changed or has several Latin spellings, compared in one canonical form.
_PLACE_VARIANTS = {
    "nur-sultan": "Astana", "nursultan": "Astana", "akmola": "Astana", "aqmola": "Astana",
    "ashkhabad": "Ashgabat", "ashgabad": "Ashgabat", "kiev": "Kyiv", "alma-ata": "Almaty",
    "tashkend": "Tashkent", "toshkent": "Tashkent", "frunze": "Bishkek", "bombay": "Mumbai",
    "peking": "Beijing", "rangoon": "Yangon", "sharm el sheikh": "Sharm el-Sheikh",
    "sharm al-sheikh": "Sharm el-Sheikh",
}
# Kazakhstan's capital was officially Nur-Sultan between these dates, Astana before and after.
NUR_SULTAN_YEARS = (date(2019, 3, 23), date(2022, 9, 17))


def _ascii(text: str) -> str:
    if text.isascii():
        # Most reports are plain ASCII already; the character loop below is the costly part.
        return text
    # Accents come apart into a base letter and a combining mark under NFKD; dropping the marks
    # (one regex pass, not a Python loop over characters) leaves "Tokayev" of "Tokaýev".
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold_name(name: str) -> str:
    """A name without case, accents and punctuation, but with its spelling: the form manual
    rules and splits compare, so that "Satkaliev" can be told apart from "Satkaliyev"."""
    return " ".join(re.sub(r"[^a-z ]", "", _ascii(name).lower().replace("-", " ")).split())


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


def looks_like_acronym(name: str) -> bool:
    """Whether a name is written as an acronym ("KMG", "IAEA", "NC KMG" is not)."""
    return bool(re.fullmatch(r"[A-Z][A-Z0-9&]{1,7}", name.strip()))


def org_key(name: str) -> str:
    """The identity key of an organization: case, punctuation and legal forms removed.

    "National Company KazMunayGas", "JSC NC KazMunayGas" and "KazMunayGas" share one key; an
    acronym keeps its own key and is matched through `acronym_of` instead.
    """
    words = normalise_name(name.replace("&", " and ")).split()
    kept = [w for w in words if w not in _ORG_NOISE]
    return " ".join(kept or words)


def acronym_of(name: str) -> frozenset[str]:
    """The acronyms a name may go by: initials of its significant words, with and without legal
    forms ("Kazakhstan Electricity Grid Operating Company" → KEGOC; camel-case parts count as
    words, so "National Company KazMunayGas" → NCKMG and KMG)."""
    words = [w for w in re.findall(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+", _ascii(name))
             if w.lower() not in _ORG_STOP]
    full = "".join(w[0].upper() for w in words)
    bare = "".join(w[0].upper() for w in words if w.lower() not in _ORG_NOISE)
    return frozenset(a for a in (full, bare) if len(a) >= 2)


def canonical_place(place: str | None) -> str | None:
    """One spelling per place, for comparison: "Nur-Sultan" → "Astana", "Kiev" → "Kyiv"."""
    if not place:
        return None
    value = " ".join(place.split())
    return _PLACE_VARIANTS.get(value.lower(), value)


def place_on(place: str | None, day: date | None) -> str | None:
    """The official name of a place on a day: Kazakhstan's capital was Nur-Sultan in 2019-2022."""
    canonical = canonical_place(place)
    if canonical == "Astana" and day is not None and NUR_SULTAN_YEARS[0] <= day < NUR_SULTAN_YEARS[1]:
        return "Nur-Sultan"
    return canonical


def shingles(text: str, size: int = 4) -> frozenset[int]:
    """Hashed word `size`-grams of a text, the unit of near-duplicate comparison.

    Exact sets, not MinHash: candidates are first narrowed by date (tens of texts at most), so
    exact Jaccard is as fast as a sketch and never wrong by sampling.
    """
    words = _WORDS.findall(_ascii(text).lower())
    if len(words) < size:
        return frozenset({zlib.crc32(" ".join(words).encode())}) if words else frozenset()
    # The same hashes as crc32(" ".join(words[i:i + size]).encode()) for each i, built by `map`
    # over zipped word runs: this runs once per stored report, and the loop was most of its cost.
    grams = zip(*(words[i:] for i in range(size)), strict=False)
    return frozenset(map(zlib.crc32, map(str.encode, map(" ".join, grams))))


_WORDS = re.compile(r"\w+")


SKETCH_SIZE = 64


def sketch(shingle_set: frozenset[int], size: int = SKETCH_SIZE) -> list[int]:
    """The `size` smallest shingle hashes: a bottom-k sketch, stored with each document.

    Two copies of one article share most of their smallest hashes, two different reports
    almost none, so comparing sketches picks the few texts worth comparing in full.
    """
    return sorted(shingle_set)[:size]


def may_be_copies(a: list[int], b: list[int]) -> bool:
    """Whether two sketches share enough to compare the texts themselves (a generous test)."""
    if not a or not b:
        return False
    shared = len(set(a) & set(b))
    # Two bottom-k sketches of texts with resemblance J share about 2J/(1+J) of their hashes:
    # 0.67 for a cut of half an article (J = 0.5), far more for a whole copy.
    return shared >= max(1, min(len(a), len(b)) // 2)


def copy_probe(mine: list[int]) -> Callable[[list[int] | array[int]], bool]:
    """`may_be_copies` with one sketch fixed, for comparing it with many: same answers, the set
    of this sketch built once instead of once per comparison."""
    mine_set = set(mine)
    size = len(mine)

    def probe(other: list[int] | array[int]) -> bool:
        if not size or not other:
            return False
        return len(mine_set.intersection(other)) >= max(1, min(size, len(other)) // 2)

    return probe


def resemblance(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets (1.0 for identical texts)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    """How much of the smaller text is inside the larger one (1.0 when one is a cut of the other)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
