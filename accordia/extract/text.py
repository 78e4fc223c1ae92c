"""Reading the text itself: matches of the data files, sentences, language and dates.

All positions are character offsets into the document text exactly as ingest stored it, so
evidence spans can be shown in the original.
"""

from __future__ import annotations

import calendar
import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import filterfalse
from typing import NamedTuple

from accordia.extract.resources import Entry, Resources


class Match(NamedTuple):
    """A data-file phrase found in the text: [start, end) and what it stands for.

    A named tuple rather than a frozen dataclass: documents hold hundreds of these, and tuple
    construction is several times cheaper.
    """

    start: int
    end: int
    entries: tuple[Entry, ...]
    # The country codes that the country and adjective entries stand for (built with the data).
    codes: frozenset[str] = frozenset()

    def of_kind(self, kind: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.kind == kind]


def _scan(automaton: object, haystack: str, original: str) -> list[Match]:
    """Longest, leftmost non-overlapping matches that sit on word boundaries."""
    candidates: list[tuple[int, int, tuple[Entry, ...], frozenset[str]]] = []
    size = len(original)
    # Whether the key starts and ends with a word character is stored with it: the haystack holds
    # the key there, and case folding keeps every character's word-character class (checked over
    # all of Unicode), so the original text's characters need not be tested.
    for end_index, value in automaton.iter(haystack):  # type: ignore[attr-defined]
        if value is None:
            # One of the lookup-order keys (resources._COMMON_CHARS), never a match.
            continue
        length, entries, first_word, last_word, codes = value
        end = end_index + 1
        start = end - length
        # Inlined word-character tests: this loop sees every raw automaton hit.
        if first_word and start > 0:
            before = original[start - 1]
            if before.isalnum() or before == "_":
                continue
        if last_word and end < size:
            after = original[end]
            if after.isalnum() or after == "_":
                continue
        candidates.append((start, -end, entries, codes))
    candidates.sort()
    matches: list[Match] = []
    last_end = -1
    new = tuple.__new__
    for start, negative_end, entries, codes in candidates:
        if start < last_end:
            continue
        last_end = -negative_end
        # Match(start, last_end, entries, codes) without the named tuple's Python-level __new__.
        matches.append(new(Match, (start, last_end, entries, codes)))
    return matches


def find_names(resources: Resources, text: str) -> list[Match]:
    """Countries, adjectives, cities and organizations, matched case-sensitively."""
    return _scan(resources.names, text, text)


@functools.lru_cache(maxsize=4)
def _lowered(text: str) -> str:
    """`text.lower()`, computed once for language detection and case folding."""
    return text.lower()


@functools.lru_cache(maxsize=4)
def fold_case(text: str) -> str:
    """Lower-case `text` without changing its length, so offsets stay valid.

    Cached: the phrase scan and the relative-date scan fold the same text.
    """
    folded = _lowered(text)
    if len(folded) == len(text):
        return folded
    return "".join(char.lower()[0] for char in text)


def find_phrases(resources: Resources, text: str) -> list[Match]:
    """Roles, triggers, statuses, cues and topic keywords, matched case-insensitively."""
    return _scan(resources.phrases, fold_case(text), text)


# Sentence punctuation before a capital, a blank line, a line break before a bullet, any line break.
# Every alternative's first character is taken by one leading class and each alternative then
# checks it with a lookbehind: a pattern that opens with a class lets the engine skip straight to
# those characters instead of trying the alternatives at every position of the text.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[.!?…]*[\"'”’»)]*(?=\s+[\"'“‘«(\[]?[A-Z0-9\-–—•*])"
                           r"|(?<=\n)\s*\n|(?<=\n)(?=\s*[-–—•*·▪]\s)|(?<=\n))")
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]")
# The token before a sentence mark (`_token_before` reads it without the regex).
_TOKEN_BEFORE = re.compile(r"(\S+)[.!?…]+[\"'”’»)]*$")
_CLOSERS = "\"'”’»)"


def split_sentences(text: str, abbreviations: frozenset[str]) -> list[tuple[int, int]]:
    """Sentence spans [start, end) with surrounding whitespace trimmed.

    Blank lines and bullets always end a sentence. A single line break ends one only after a
    short line (a headline, a byline) or sentence punctuation, so hard-wrapped prose (plain-text
    mail, PDF text) reads as whole sentences.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for boundary in _SENTENCE_END.finditer(text):
        mark_start, end = boundary.span()
        first = text[mark_start]
        if first != "\n":
            token = _token_before(text[max(start, mark_start - 20) : end]).lstrip("(\"'“")
            # "U.S." or "Mr." or a single initial ("F.") do not end a sentence.
            if token in abbreviations or token.rstrip(".") in abbreviations or (
                    # _INITIALS ends with a capital: most tokens fail this before the regex.
                    "A" <= token[-1:] <= "Z" and _INITIALS.fullmatch(token)):
                continue
        elif end - mark_start == 1 and _wrapped(text, mark_start):
            continue
        _append_trimmed(spans, text, start, end)
        start = end
    _append_trimmed(spans, text, start, len(text))
    return spans


def _token_before(segment: str) -> str:
    """The word before the stop that ends `segment`: `_TOKEN_BEFORE.search(segment).group(1)`
    (or "" without a match), read with string methods.

    The segment ends with a sentence mark (stops, then closing quotes); its last whitespace-free
    stretch holds the mark, and without the quotes and the last stop what is left is the token.
    """
    tail = segment.rsplit(None, 1)[-1]
    core = tail.rstrip(_CLOSERS)
    return core[:-1] if len(core) >= 2 else ""


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """Add [start, end) without its surrounding whitespace, unless that leaves nothing."""
    piece = text[start:end]
    core = piece.strip()
    if core:
        # Only whitespace stands before the core's first character, which is none: where it first
        # occurs is the length of the leading whitespace (`len(piece) - len(piece.lstrip())`).
        lead = piece.find(core[0])
        spans.append((start + lead, start + lead + len(core)))


def _wrapped(text: str, newline: int) -> bool:
    """Whether the line break at `newline` only wraps a sentence that goes on."""
    line_start = text.rfind("\n", 0, newline) + 1
    line = text[line_start:newline].rstrip()
    if len(line) < 60 or line.endswith((".", "!", "?", ":", ";", '"', "”", "»")):
        return False
    following = text[newline + 1 : newline + 3]
    if line_start == 0 and following[:1].isupper():
        # The text's first line is its headline, which a capitalised line (byline, date) follows;
        # wrapped prose rarely breaks its first line before a capital.
        return False
    return bool(following.strip()) and following.lstrip()[:1] not in {"-", "–", "—", "•", "*", "·", "▪"}


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# ASCII characters other than letters become spaces; other bytes (UTF-8 of non-ASCII) stay.
_ASCII_NON_LETTERS = bytes.maketrans(
    bytes(range(128)), bytes(c if chr(c).isalpha() else 32 for c in range(128)))


def _word_counts(text: str, vocabulary: frozenset[str]) -> tuple[int, int, Counter[str]]:
    """How many words of `_WORD` the text holds, how many of them start with a Cyrillic letter,
    and how often each word of `vocabulary` occurs: what `Counter(_WORD.findall(text))` tells,
    without building it.

    The regex walks every character in Python's engine; here the ASCII part is split in C and
    only the few tokens that hold non-ASCII characters go through `_WORD`. Splitting at
    characters `_WORD` never matches cannot cut or join its words.
    """
    spaced = text.encode("utf-8", "surrogatepass").translate(_ASCII_NON_LETTERS).decode("utf-8", "surrogatepass")
    tokens = spaced.split()
    total = len(tokens)
    counts = Counter(filter(vocabulary.__contains__, tokens))
    cyrillic = 0
    if not spaced.isascii():
        mixed = list(filterfalse(str.isascii, tokens))
        # Each of these tokens was counted as one word; the words it holds count instead.
        words = _WORD.findall(" ".join(mixed))
        total += len(words) - len(mixed)
        cyrillic = sum(1 for word in words if "\u0400" <= word[0] <= "\u04ff")
        counts.subtract(filter(vocabulary.__contains__, mixed))
        counts.update(filter(vocabulary.__contains__, words))
    return total, cyrillic, counts


def detect_language(text: str, resources: Resources) -> str:
    """ISO 639-1 code of the text's language from its function words; 'und' when unsure."""
    # The opening 3,000 characters settle the language; counting words once keeps this cheap.
    head = text[:3000]
    lowered = _lowered(text)
    # Where no character lower-cases to several and no capital sigma (whose lower case depends
    # on the letters after it) is in the opening, the whole text's lower case (which the phrase
    # scan folds again) begins with the opening's.
    sample = lowered[:3000] if len(lowered) == len(text) and "\u03a3" not in head else head.lower()
    total, cyrillic, counts = _word_counts(sample, resources.stopword_vocabulary)
    if not total:
        return "und"
    if cyrillic > total * 0.5:
        return "ru"
    words = counts.keys()
    scores = {lang: sum(counts[w] for w in words & stop) for lang, stop in resources.stopwords.items()}
    best = max(scores, key=lambda lang: scores[lang])
    if scores[best] < max(2, total * 0.03):
        return "und"
    return best


# --- dates -------------------------------------------------------------------------------------

_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
# `\b` + _MONTH (under IGNORECASE) reshaped so that the engine skips to the letters months start
# with: a case-sensitive class of every character that IGNORECASE matches to one of them ("ſ"
# matches "s"), the word boundary checked behind it, and each alternative (in _MONTH's order)
# checking its own first letter behind it before reading the rest. A pattern that opens with the
# alternation is tried at every word start, each of its 25 names compared without case.
_MONTH_AT_WORD = (r"(?P<month>(?-i:[ADFJMNOSadfjmnos\u017f])(?<!\w.)(?:"
                  + "|".join(f"(?<={name[0]}){name[1:]}" for name in sorted(_MONTHS, key=len, reverse=True))
                  + r"))\.?")
_WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
# The rest of a range of days after its first: a gathering "on 15-16 April" or "from 21 to 23
# September" is dated by its first day.
_DAY_RANGE = r"(?:\s*(?:[-–—]|to|and)\s*\d{1,2}(?:st|nd|rd|th)?)?"

# `\b(?P<day>\d{1,2})` with the boundary checked behind the first digit (a digit is a word
# character, so the boundary before it is a non-word character or the start): a pattern that
# opens with a class or a literal lets the engine skip straight to digits instead of trying the
# boundary at every position of a window. DATE_PLAIN_PATTERNS keeps the plain forms.
_DAY = r"(?P<day>\d(?<!\w\d)\d?)"

DATE_PATTERNS = (
    # ISO dates, and the same order with dots or slashes ("Published 2023.01.16 15:02").
    # ... and with a time after it ("2023-03-21T13:05:00").
    re.compile(r"(?P<year>2(?<!\w2)0\d\d)(?P<mark>[-./])(?P<mnum>\d{1,2})(?P=mark)(?P<day>\d{1,2})(?:\b|(?=T\d))"),
    # "21 March 2024", "21st of March, 2024", "21-Mar-2024".
    re.compile(_DAY + r"(?:st|nd|rd|th)?" + _DAY_RANGE + r"(?:\s+of)?(?:\s+|-)" + _MONTH
               + r"(?:,?\s+|-)(?P<year>20\d\d)\b", re.I),
    re.compile(_MONTH_AT_WORD + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?" + _DAY_RANGE + r",?\s+(?P<year>20\d\d)\b",
               re.I),
    re.compile(_DAY + r"\.(?P<mnum>\d{1,2})\.(?P<year>20\d\d)\b"),
    re.compile(_DAY + r"/(?P<mnum>\d{1,2})/(?P<year>20\d\d)\b"),
    re.compile(_MONTH_AT_WORD + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*,?\s*20\d\d)", re.I),
    re.compile(_DAY + r"(?:st|nd|rd|th)?" + _DAY_RANGE + r"(?:\s+of)?\s+" + _MONTH + r"\b(?!,?\s+20\d\d)", re.I),
    re.compile(_DAY + r"-(?P<mnum>\d{1,2})-(?P<year>20\d\d)\b"),
)
# The patterns in their plain form, which DATE_PATTERNS match exactly (the tests compare them).
DATE_PLAIN_PATTERNS = tuple(
    re.compile(pattern.pattern.replace(_DAY, r"\b(?P<day>\d{1,2})").replace(r"(?P<year>2(?<!\w2)0\d\d)(?P<mark>",
                                                                      r"\b(?P<year>20\d\d)(?P<mark>")
               .replace(_MONTH_AT_WORD, r"\b" + _MONTH), pattern.flags)
    for pattern in DATE_PATTERNS)
_RELATIVE = re.compile(
    # The word boundary fails fast inside words; the class then rules out most word starts.
    r"\b(?=[yteolnp])(?:(?P<rel>yesterday|today|tomorrow|earlier today|this week)"
    r"|(?:on|last|this|next|past)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)
_FUTURE = re.compile(r"\b(?:will|next|is to|are to|is scheduled|are scheduled|upcoming|planned for)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: date
    explicit_year: bool


# Not `\d+`: a pattern that opens with a class (not a repeat) lets the engine skip to digits.
_DIGITS = re.compile(r"\d\d*")
# Room around a run of digits for the words of a date ("21st of September 2024").
_DATE_REACH = 24


def _date_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of `text` around its digits, cut at whitespace, where an absolute date can be.

    Scanning only these keeps the month-name patterns off the long digit-free stretches of prose.
    """
    return list(_iter_date_windows(text))


def _iter_date_windows(text: str) -> Iterator[tuple[int, int]]:
    """`_date_windows`, each window given as soon as the next run of digits lies beyond it."""
    window: tuple[int, int] | None = None
    for run in _DIGITS.finditer(text):
        start = text.rfind(" ", 0, max(0, run.start() - _DATE_REACH)) + 1
        end = text.find(" ", min(len(text), run.end() + _DATE_REACH))
        end = len(text) if end < 0 else end
        if window is not None and start <= window[1]:
            window = (window[0], max(window[1], end))
        else:
            if window is not None:
                yield window
            window = (start, end)
    if window is not None:
        yield window


_MONTH_WORD = re.compile(_MONTH_AT_WORD, re.I)
_NUMERIC_PATTERNS = {"-": (0, 7), ".": (0, 3), "/": (0, 4)}
_MONTH_PATTERNS = frozenset({1, 2, 5, 6})


def _allowed(marks: tuple[bool, ...], month: bool) -> tuple[int, ...]:
    """The pattern numbers, in order, that the marks of _NUMERIC_PATTERNS (in its order) and a
    month name allow."""
    allowed = {number for present, numbers in zip(marks, _NUMERIC_PATTERNS.values(), strict=True) if present
               for number in numbers}
    if month:
        allowed |= _MONTH_PATTERNS
    return tuple(sorted(allowed))


# What `_allowed` gives for every combination, looked up by (marks..., month).
_ALLOWED = {(*marks, month): _allowed(marks, month)
            for marks in itertools.product((False, True), repeat=len(_NUMERIC_PATTERNS)) for month in (False, True)}
_MARKS = tuple(_NUMERIC_PATTERNS)


def _usable_patterns(window: str) -> tuple[int, ...]:
    """Numbers of the DATE_PATTERNS that could match somewhere in `window`, in order."""
    dash, dot, slash = _MARKS
    return _ALLOWED[dash in window, dot in window, slash in window, _MONTH_WORD.search(window) is not None]


def find_dates(text: str, reference: date | None, start_offset: int = 0,
               sentences: list[tuple[int, int]] | None = None, relative: bool = True) -> list[DateMention]:
    """Absolute and relative dates in `text`; ones without a year take the reference's year.

    With `sentences` (spans into `text`), the whole text is scanned once and a relative date
    ("on Friday") reads as future or past from its own sentence's wording. Without `relative`,
    only the absolute dates are read: what the full list holds of those that have no explicit
    year, since relative dates count as explicit and never change which absolute dates are found.
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    # Windows are disjoint and hold their matches, so taking each window's patterns in order gives
    # the matches that taking each pattern across all windows in order would.
    for a, b in _date_windows(text):
        # Which patterns can match in the window: cheap substring tests spare most regex calls.
        allowed = _usable_patterns(text[a:b])
        if allowed:
            _absolute_dates(text, a, b, allowed, reference, start_offset, taken, found)
    if reference is not None and relative:
        explicit_starts = {s for s, _ in taken}
        for match in (m for a, b in _relative_windows(text) for m in _RELATIVE.finditer(text, a, b)):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            gap = len(text[match.end():match.end() + 3]) - len(text[match.end():match.end() + 3].lstrip(", "))
            if match.end() + gap in explicit_starts:
                # "on Tuesday, 13 December": the explicit date says it all.
                continue
            low, high = 0, len(text)
            if sentences is not None:
                low, high = next(((a, b) for a, b in sentences if a <= match.start() < b), (0, len(text)))
            # Tense is read from the clause around the day, not the whole sentence: "signed on
            # Monday a deal that will supply gas" is past.
            after = text[match.end():min(high, match.end() + 25)]
            after = after.split(",", 1)[0].split(";", 1)[0]
            clause = text[max(low, match.start() - 45):match.end()] + after
            resolved = _resolve_relative(match, reference, bool(_FUTURE.search(clause)))
            if resolved is not None:
                found.append(DateMention(start_offset + match.start(), start_offset + match.end(),
                                         resolved, True))
    found.sort(key=lambda mention: mention.start)
    return found


def first_year(text: str) -> int | None:
    """The year of the first date in `text` that writes its year out: what
    `[d.value.year for d in find_dates(text, None) if d.explicit_year][0]` gives (None for none).

    Windows are disjoint, in text order, and hold their matches, so the first window with a dated
    match holds the first one; the windows after it (usually the rest of the report) are not read.
    """
    for a, b in _iter_date_windows(text):
        allowed = _usable_patterns(text[a:b])
        if allowed:
            found: list[DateMention] = []
            _absolute_dates(text, a, b, allowed, None, 0, [], found)
            if found:
                return min(found, key=lambda mention: mention.start).value.year
    return None


def _absolute_dates(text: str, a: int, b: int, numbers: tuple[int, ...], reference: date | None, start_offset: int,
                    taken: list[tuple[int, int]], found: list[DateMention]) -> None:
    """Add the dates that DATE_PATTERNS `numbers`, in order, find in text[a:b] clear of `taken`."""
    for number in numbers:
        for match in DATE_PATTERNS[number].finditer(text, a, b):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = match.groupdict()
            month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS[groups["month"].lower()]
            year_text = groups.get("year")
            if year_text is None and reference is None:
                continue
            year = int(year_text) if year_text else reference.year  # type: ignore[union-attr]
            try:
                value = date(year, month, int(groups["day"]))
            except ValueError:
                continue
            if year_text is None and reference is not None and value > reference + timedelta(days=31):
                # "December 28" in a report of January 3 is last year's.
                try:
                    value = value.replace(year=year - 1)
                except ValueError:
                    continue
            taken.append((match.start(), match.end()))
            found.append(DateMention(start_offset + match.start(), start_offset + match.end(), value,
                                     year_text is not None))


# Every match of _RELATIVE ends with one of these words (in any case).
_RELATIVE_ENDINGS = ("day", "week", "tomorrow")


def _relative_windows(text: str) -> list[tuple[int, int]]:
    """Disjoint stretches of `text` that hold every match of _RELATIVE, for scanning only those.

    Each match ends with a word of _RELATIVE_ENDINGS, found in the case-folded text (for the
    letters of these words, folding and the pattern's IGNORECASE agree on every character). A
    match begins at most ten characters before that word ("earlier today"), or four before the
    run of whitespace ahead of a weekday ("last  Wednesday"); one character after the word stays
    in the stretch so that the closing word boundary sees it.
    """
    folded = fold_case(text)
    spans: list[tuple[int, int]] = []
    for word in _RELATIVE_ENDINGS:
        hit = folded.find(word)
        while hit >= 0:
            start = hit - 10
            # A weekday starts 3 to 6 characters before its "day" (Mon..., Wednes...).
            for weekday_start in range(hit - 6, hit - 2):
                run = weekday_start
                while run > 0 and text[run - 1].isspace():
                    run -= 1
                start = min(start, run - 4)
            spans.append((max(0, start), min(len(text), hit + len(word) + 1)))
            hit = folded.find(word, hit + 1)
    spans.sort()
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    return windows


def _resolve_relative(match: re.Match[str], reference: date, future: bool) -> date | None:
    rel = (match.group("rel") or "").lower()
    if rel in {"today", "earlier today", "this week"}:
        return reference
    if rel == "yesterday":
        return reference - timedelta(days=1)
    if rel == "tomorrow":
        return reference + timedelta(days=1)
    weekday = match.group("weekday")
    if not weekday:
        return None
    target = _WEEKDAYS[weekday.lower()]
    if future or match.group(0).lower().startswith("next"):
        return reference + timedelta(days=(target - reference.weekday()) % 7 or 7)
    # A past-tense report: the most recent such day on or before the report date.
    return reference - timedelta(days=(reference.weekday() - target) % 7)
