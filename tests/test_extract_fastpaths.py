"""The extractor's fast paths find exactly what the plain regular expressions they replace find.

Extraction output must not change when the extractor gets faster: each shortcut (string methods
instead of a regex, a pattern reshaped so the engine can skip ahead, a scan limited to windows)
is checked here against the straightforward form on generated text.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from accordia.extract import events, participants, text
from accordia.extract.resources import GuardedPattern, get_resources, required_strings, word_alternation

# Characters that exercise word boundaries, whitespace of all kinds, sentence marks, case folding
# and non-ASCII letters and digits.
_ALPHABET = "aAdeiklmnorstuwyDMTW _-.,!?…'\"”’»)(“\n\t\u00a0\u2003éİſK\u0430\u0416ß٣²😀"
_TEXT = st.text(alphabet=_ALPHABET, max_size=60)
_WORDS = ["which", "signed", "at the", "as part", "ab.", "9.",
          "today", "Monday", "wednesday", "this week", "Tomorrow", "last", "on", "earlier", "days", "weeK",
          "Ministry", "Agency", "Energy", "U.S.", "Mr.", "Novak", "al-Falih", "2024", "14", "Sept."]
_PROSE = st.lists(st.one_of(st.sampled_from(_WORDS), _TEXT), max_size=12).map(
    lambda parts: " ".join(parts))


def _spans(pattern: re.Pattern[str], value: str) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(value)]


# The patterns as they read before they were reshaped for speed.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)]*(?=\s+[\"'“‘«(\[]?[A-Z0-9\-–—•*])|\n\s*\n|\n(?=\s*[-–—•*·▪]\s)|\n")
_HEAD_WORD = re.compile(rf"\b{participants._HEADS}\b")
_UPPER, _LOWER = "A-ZÀ-ÖØ-ÞĀ-ſ", "a-zß-öø-ÿĀ-ſ"
# (A first initial may be any capital of a name, as its first letter may: "Ś. Kowalski".)
_NAME_TOKEN = rf"(?:[{_UPPER}][{_LOWER}'’\-]*[{_LOWER}](?:[-’'][{_UPPER}][{_LOWER}]+)?|[{_UPPER}]\.(?:[A-Z]\.){{0,2}})"
_NAME_RUN = re.compile(
    rf"{_NAME_TOKEN}(?:\s+(?:(?:bin|ibn|al|el|de|da|van|von|der|den|di|du|le|la|dos|del)\s+)*(?:al-|el-)?"
    rf"{_NAME_TOKEN})*")
# The package's own module (the name `accordia.extract.extract` is the function).
extract_module = importlib.import_module("accordia.extract")
_RELATIVE = re.compile(text._RELATIVE.pattern.replace(r"\b(?=[yteolnp])", r"(?=[yteolnp])\b"), re.I)
_TITLE_STOP = re.compile(r"[,;:()\[\]\n]|(?<=[a-z]{2})\.|(?<=\d)\.(?=\s|$)|"
                         r"\s(?:which|that|who|was|were|is|are|has|have|will|to be|aimed|aiming|"
                         r"during|at the|in the presence|within|signed|approved|as part|"
                         r"(?:in [A-Z][\w\-]+ )?on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
                         r"on \d{1,2} [A-Z][a-z]+|on (?:January|February|March|April|May|June|July|August|September|"
                         r"October|November|December) \d)\b")


@settings(max_examples=400, deadline=None)
@given(_PROSE)
def test_reshaped_patterns_match_the_originals(value: str) -> None:
    for before, after in ((_SENTENCE_END, text._SENTENCE_END), (_HEAD_WORD, participants._HEAD_WORD),
                          (_NAME_RUN, participants._NAME_RUN), (re.compile(r"\d+"), text._DIGITS),
                          (_RELATIVE, text._RELATIVE), (_TITLE_STOP, events._TITLE_STOP)):
        assert _spans(before, value) == _spans(after, value), after.pattern


@settings(max_examples=400, deadline=None)
@given(_PROSE)
def test_relative_dates_lie_in_their_windows(value: str) -> None:
    windowed = [(m.span(), m.groupdict()) for a, b in text._relative_windows(value)
                for m in text._RELATIVE.finditer(value, a, b)]
    assert windowed == _spans(text._RELATIVE, value)


@settings(max_examples=400, deadline=None)
@given(_PROSE)
def test_word_counts_match_the_word_pattern(value: str) -> None:
    vocabulary = get_resources().stopword_vocabulary | {"a", "é", "ж", "ß"}
    for sample in (value, value.lower()):
        expected = Counter(text._WORD.findall(sample))
        total, cyrillic, counts = text._word_counts(sample, vocabulary)
        assert total == sum(expected.values())
        assert cyrillic == sum(n for word, n in expected.items() if "\u0400" <= word[0] <= "\u04ff")
        assert {w: n for w, n in counts.items() if n} == {w: n for w, n in expected.items() if w in vocabulary}


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.text(alphabet=".!?…", min_size=1, max_size=3), st.text(alphabet="\"'”’»)", max_size=2))
def test_token_before_a_mark_matches_the_regex(body: str, stops: str, closers: str) -> None:
    segment = body + stops + closers
    found = text._TOKEN_BEFORE.search(segment)
    assert text._token_before(segment) == (found.group(1) if found else "")


@settings(max_examples=300, deadline=None)
@given(_PROSE, st.lists(st.sampled_from(["Novak", "Satkaliyev", "U.S.", "al-Falih", "A", "Mr."]), max_size=4,
                        unique=True), st.integers(min_value=0, max_value=20))
def test_word_hits_match_an_alternation(value: str, words: list[str], position: int) -> None:
    if not words:
        return
    ordered = sorted(words, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, ordered)) + r")\b")
    expected = [(m.start(), m.end(), m.group()) for m in pattern.finditer(value, position)]
    assert participants._word_hits(value, ordered, position) == expected


def test_case_folding_keeps_word_characters() -> None:
    # The phrase scan tests word boundaries on the folded text's keys, the relative-date windows
    # find their words in it: both rely on folding keeping each character's word class, and on
    # IGNORECASE and folding agreeing on the letters of the relative-date words.
    def word(char: str) -> bool:
        return char.isalnum() or char == "_"

    letters = set("".join(text._RELATIVE_ENDINGS))
    any_letter = re.compile("(?i)[" + "".join(sorted(letters)) + "]")
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        folded = text.fold_case.__wrapped__(char)
        assert word(char) == word(folded), hex(point)
        if folded in letters or any_letter.fullmatch(char):
            assert folded in letters and re.fullmatch("(?i)" + folded, char), hex(point)
            assert [letter for letter in letters if re.fullmatch("(?i)" + letter, char)] == [folded], hex(point)


_GUARD_WORDS = ["had", "last year", "will be held", "not yet", "known as", "when", "Summit", "Meeting", "under",
                "observer", "OBSERVERS", "obſerver", "as an observer", "observer status", "company", "COMPANY",
                "-based", "-BASED", "troops", "’s war", "'s war", "and", "And", "&", "as well as", ",", "the",
                "France", "Kazakhstan", "state", "Sept", "MAY", "jan", "2024", "14", "K", "İ"]
# Every guarded pattern of the extractor.
_GUARDS = [value for module in (participants, events, text) for value in vars(module).values()
           if isinstance(value, GuardedPattern)]
_GUARDS += [value for value in vars(get_resources()).values() if isinstance(value, GuardedPattern)]
_GUARD_PROSE = st.lists(st.one_of(st.sampled_from(_GUARD_WORDS), _TEXT), max_size=10).map(
    lambda parts: " ".join(parts))


@settings(max_examples=400, deadline=None)
@given(_GUARD_PROSE, st.integers(min_value=-3, max_value=80), st.integers(min_value=0, max_value=90))
def test_guarded_patterns_find_what_their_regexes_find(value: str, pos: int, endpos: int) -> None:
    for guard in _GUARDS:
        pattern = guard.pattern
        for method in ("match", "search", "fullmatch"):
            expected = getattr(pattern, method)(value, pos, endpos)
            found = getattr(guard, method)(value, pos, endpos)
            assert (found and (found.span(), found.group())) == (expected and (expected.span(), expected.group())), (
                pattern.pattern, method)
        assert bool(guard.search(value)) == bool(pattern.search(value))


def test_a_guard_tests_short_texts_only() -> None:
    guard = events._BACKGROUND_BEFORE
    assert guard.search("the deal had been") is None
    assert guard.search("the deal had been ") is not None
    assert guard.search("x" * 300 + " had been ") is not None
    # A character that IGNORECASE matches to "s" sends the call to the regex.
    assert guard.search("it was previou\u017fly ") is not None


def test_required_strings_are_read_from_the_pattern() -> None:
    def required(pattern: str, flags: int = 0) -> tuple[tuple[str, ...], bool] | None:
        return required_strings(re.compile(pattern, flags))

    assert required(r"\bobservers?\s+(?:state\s+)?$", re.I) == (("observer",), True)
    assert required(r"(?:x\s+)?abc|de(?:f|g)") == (("abc", "de"), False)
    assert required(r"\s*(?:,\s*|\s+and\s+)") == ((",", "and"), False)
    # Outside ASCII, IGNORECASE may match ASCII letters: only the ASCII pieces are required.
    assert required(r"’s war|troops", re.I) == (("s war", "troops"), True)
    # An inline IGNORECASE makes the whole test compare lower-cased text.
    assert required(r"a(?i:B)c") == (("a",), True)
    assert required(r"x{2,3}y?") == (("x",), False)
    for unbounded in (r"a|b*", r"\d+", r"(?=abc)\w", r"[ab]c?", r"(?:abc)?"):
        assert required(unbounded) is None, unbounded
    assert required("\u212a", re.I) == (("k",), True)  # the Kelvin sign folds to "k"
    assert required("é", re.I) is None  # no ASCII piece to require
    assert required("K", re.I) == (("k",), True)
    assert GuardedPattern(re.compile(r"\d+")).needles == ()


_DATE_WORDS = ["12 May 2024", "May 12, 2023", "2022-03-04", "4.5.2021", "7/8/2020", "12-05-2024", "May 12", "14",
               "2019", "Sept. 3", "on Monday", "3rd of June 2025"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_DATE_WORDS), _TEXT), max_size=12).map(lambda parts: " ".join(parts)))
def test_first_year_is_the_first_written_year(value: str) -> None:
    years = [d.value.year for d in text.find_dates(value, None) if d.explicit_year]
    assert text.first_year(value) == (years[0] if years else None)
    assert text._date_windows(value) == list(text._iter_date_windows(value))


def test_observer_patterns_need_the_observer_word() -> None:
    # score_countries runs the observer patterns only in sentences that hold the word.
    for pattern in (participants._OBSERVER_NEAR, participants._OBSERVER_AFTER):
        assert required_strings(pattern) == (("observer",), True)
    assert participants._OBSERVER_WORD.pattern == "observer" and participants._OBSERVER_WORD.flags & re.I


_SPAN = st.tuples(st.integers(0, 60), st.integers(0, 60))


@settings(max_examples=400, deadline=None)
@given(st.lists(_SPAN, max_size=8), st.lists(_SPAN, max_size=5))
def test_named_in_matches_the_plain_test(named: list[tuple[int, int]], spans: list[tuple[int, int]]) -> None:
    expected = any(a <= x < b for x, _ in named for a, b in spans)
    assert extract_module._named_in(extract_module._starts(named), spans) == expected


# --- the fast paths of the reshaped date and event patterns, the folded lookups ---

_ALPHABET = "aAdeiklmnorstuwyDMTWIC _-.,;/!?…'\"”’»)(“\n\t\u00a0\u2003éİſKıß٣²😀0123456789"
_TEXT = st.text(alphabet=_ALPHABET, max_size=12)
_WORDS = ["12 May 2024", "May 12, 2023", "2022-03-04", "4.5.2021", "7/8/2020", "12-05-2024", "May 12", "14", "2019",
          "Sept. 3", "ſept 3", "SEPT. 4", "3rd of June 2025", "x2024", "_12", "a1", "٣", "15 to 16 April 2024", "T12",
          "Jan 2024", "xjan 3", "Augusta 5", "DEC.", "will", "shall", "is due to", "Are To", "next", "as an",
          "creation of", "barred from", "unable to", "will be held", "continues", "observer", "OBSERVER", "obſerver",
          "when", "WHEN", "last year", "in 2019", "since 2021", "years ago", "the", "summit"]
_PROSE = st.lists(st.one_of(st.sampled_from(_WORDS), _TEXT), max_size=14).map(" ".join)

_MONTH_WORD = re.compile(r"\b(?=[jfmasond])" + text._MONTH, re.I)
# The plain forms of the word alternations: the same words without their first-letter class.
_LETTER_CLASS = re.compile(r"\\b\(\?=\[[^\]]+\]\)")
_GATHERING_AHEAD = re.compile(_LETTER_CLASS.sub(r"\\b", events._GATHERING_AHEAD.pattern), re.I)
_GATHERING_AHEAD_AFTER = re.compile(_LETTER_CLASS.sub(r"\\b", events._GATHERING_AHEAD_AFTER.pattern), re.I)


def _found(found: re.Match[str] | None) -> object:
    return found and (found.span(), found.groupdict())


@settings(max_examples=1000, deadline=None)
@given(_PROSE, st.integers(0, 40), st.integers(0, 150))
def test_reshaped_date_and_event_patterns_match_the_plain_ones(value: str, pos: int, endpos: int) -> None:
    pairs = [*zip(text.DATE_PATTERNS, text.DATE_PLAIN_PATTERNS, strict=True), (text._MONTH_WORD, _MONTH_WORD),
             (events._GATHERING_AHEAD, _GATHERING_AHEAD), (events._GATHERING_AHEAD_AFTER, _GATHERING_AHEAD_AFTER)]
    for fast, plain in pairs:
        for args in ((value,), (value, pos), (value, pos, endpos)):
            assert [_found(m) for m in fast.finditer(*args)] == [_found(m) for m in plain.finditer(*args)], fast.pattern
            assert _found(fast.match(*args)) == _found(plain.match(*args)), fast.pattern


def test_the_plain_date_patterns_read_as_before() -> None:
    # The plain forms are the patterns as they read before they were reshaped.
    assert text.DATE_PLAIN_PATTERNS[2].pattern.startswith(r"\b(?P<month>")
    assert text.DATE_PLAIN_PATTERNS[1].pattern.startswith(r"\b(?P<day>\d{1,2})")
    assert text.DATE_PLAIN_PATTERNS[0].pattern.startswith(r"\b(?P<year>20\d\d)")


@settings(max_examples=1000, deadline=None)
@given(_PROSE, st.integers(0, 40), st.integers(0, 150))
def test_folded_lookups_agree_with_the_patterns(value: str, pos: int, endpos: int) -> None:
    folded = text.fold_case(value)
    # score_countries: the observer word in the folded text, the pattern where an "ſ" stands.
    expected = participants._OBSERVER_WORD.search(value, pos, endpos) is not None
    assert (folded.find("observer", pos, endpos) >= 0 or (
        value.find("\u017f", pos, endpos) >= 0 and participants._OBSERVER_WORD.search(value, pos, endpos) is not None
    )) == expected
    # _in_past_clause: no "when" in the folded text, no match.
    if folded.find("when", pos, endpos) < 0:
        assert events._PAST_WHEN_BEFORE.search(value, pos, endpos) is None


def test_folding_reads_when_and_observer_as_ignorecase_does() -> None:
    for word, exceptions in (("when", set()), ("observer", {"\u017f"})):
        letters = set(word)
        for point in range(sys.maxunicode + 1):
            char = chr(point)
            folded = text.fold_case.__wrapped__(char)
            matched = {letter for letter in letters if re.fullmatch("(?i)" + letter, char)}
            if char in exceptions:
                continue
            assert (folded in letters) == bool(matched) and (not matched or matched == {folded}), hex(point)


@settings(max_examples=1000, deadline=None)
@given(_PROSE, st.integers(0, 60))
def test_language_detection_sample_is_the_lower_cased_opening(value: str, cut: int) -> None:
    lowered = value.lower()
    if len(lowered) == len(value) and "\u03a3" not in value[:cut]:
        assert lowered[:cut] == value[:cut].lower()


def test_a_word_alternation_finds_what_its_plain_alternation_finds() -> None:
    words = ("will", "barred from", "as a", "Upcoming", "is due to")
    fast = re.compile(word_alternation(words), re.I)
    plain = re.compile(r"\b(?:" + "|".join(words) + ")", re.I)
    for value in ("they were barred from it", "As a rule", "UPCOMING talks", "Will", "xwill", "the next", "is due to"):
        assert [m.span() for m in fast.finditer(value)] == [m.span() for m in plain.finditer(value)], value
