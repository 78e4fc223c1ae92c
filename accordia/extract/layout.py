"""The shape of a report: headline, byline lines, dateline, body sentences and the report date."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from accordia.extract.resources import Resources
from accordia.extract.text import DateMention, Match, find_dates, find_names, find_phrases, first_year, split_sentences

T = TypeVar("T")


@dataclass(eq=False)
class Sentence:
    """A sentence of the body with the data-file matches that fall inside it.

    Compared by identity: a sentence is one place in one text, and field-wise equality over its
    match lists was a measurable cost in membership tests.
    """

    index: int
    start: int
    end: int
    names: list[Match] = field(default_factory=list)
    phrases: list[Match] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    in_body: bool = True
    # (match, value) of the phrases by entry kind, built on first use: every stage asks for its
    # own kinds (roles, statuses, cues...) of the same sentence.
    _phrase_index: dict[str, list[tuple[Match, Any]]] | None = field(default=None, init=False, repr=False)
    _topics: frozenset[str] | None = field(default=None, init=False, repr=False)
    # Whether the sentence opens with a pattern, by the pattern's id (`opens_with`): the events,
    # the country scores and the record's topics each ask for the background opening.
    _opens: dict[int, bool] | None = field(default=None, init=False, repr=False)

    def phrase_kinds(self, kind: str) -> list[tuple[Match, Any]]:
        """(match, value) of each phrase entry of `kind`, in text order; shared, do not modify."""
        index = self._phrase_index
        if index is None:
            index = self._phrase_index = {}
            for match in self.phrases:
                for entry in match.entries:
                    index.setdefault(entry.kind, []).append((match, entry.value))
        return index.get(kind, _NONE)

    @property
    def topics(self) -> frozenset[str]:
        """Topic codes whose keywords occur in the sentence (computed once)."""
        topics = self._topics
        if topics is None:
            topics = self._topics = frozenset(str(value) for _, value in self.phrase_kinds("topic"))
        return topics


_NONE: list[tuple[Match, Any]] = []


@dataclass
class Layout:
    """A document read once: sentences with their matches, the header and the dateline."""

    text: str
    sentences: list[Sentence]
    body_start: int
    title: str | None
    published: date | None
    dateline_place: tuple[str, str] | None  # (city, country code)
    # Event triggers of each sentence by index, filled in by the events stage as it reads them.
    triggers: dict[int, list[tuple[str, bool, int]]] = field(default_factory=dict)

    _body: list[Sentence] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def body(self) -> list[Sentence]:
        """The body sentences (read_layout settles which they are before building the layout)."""
        body = self._body
        if body is None:
            body = self._body = [sentence for sentence in self.sentences if sentence.in_body]
        return body


_BODY_LIKE = re.compile(r"[a-z]{2,}\s+[a-z]{2,}\s+[a-z]{2,}")


def _looks_like_body(text: str) -> bool:
    # A body sentence reads as prose: several lower-case words in a row, some length, and it ends
    # like a sentence (headlines rarely end with a full stop).
    stripped = text.rstrip()
    ends_like_sentence = stripped.endswith((".", "!", "?", ":", '"', "”", "’", "»")) or len(stripped) >= 200
    return len(stripped) >= 60 and ends_like_sentence and bool(_BODY_LIKE.search(stripped))


def read_layout(text: str, resources: Resources, title: str | None = None,
                published: date | None = None) -> Layout:
    """Split `text` into sentences, find the header, dateline and report date."""
    spans = split_sentences(text, resources.abbreviations)
    names = find_names(resources, text)
    phrases = find_phrases(resources, text)
    sentences = [Sentence(i, s, e) for i, (s, e) in enumerate(spans)]
    _distribute(sentences, names, "names")
    _distribute(sentences, phrases, "phrases")

    body_index = next((s.index for s in sentences if _looks_like_body(text[s.start:s.end])),
                      len(sentences))
    for sentence in sentences[:body_index]:
        sentence.in_body = False
    if title is None and sentences:
        first_line = text[sentences[0].start:sentences[0].end]
        headline_like = len(first_line) <= 250 and (
            "\n" not in first_line if not sentences[0].in_body else not first_line.endswith("."))
        if headline_like:
            title = first_line.strip()

    header_text_end = sentences[body_index].start if body_index < len(sentences) else len(text)
    if published is None:
        published = _report_date(text, header_text_end, sentences, body_index)
    reference = published
    _distribute_dates(sentences, find_dates(text, reference, sentences=spans))
    dateline = _dateline(text, sentences, body_index)
    return Layout(text, sentences, sentences[body_index].start if body_index < len(sentences) else 0,
                  title, published, dateline)


def in_sentences(sentences: list[Sentence], spans: Iterable[tuple[int, int, T]],
                 whole: bool = False) -> Iterator[tuple[Sentence, T]]:
    """Each item of `spans` ((start, end, item) in text order) with the sentence it starts in, or
    with `whole` the sentence that holds it entirely; one pass over both sorted lists."""
    index = 0
    for start, end, item in spans:
        while index < len(sentences) and sentences[index].end <= start:
            index += 1
        if index == len(sentences):
            return
        sentence = sentences[index]
        if sentence.start <= start and (not whole or end <= sentence.end):
            yield sentence, item


def _distribute(sentences: list[Sentence], matches: list[Match], attribute: str) -> None:
    """Hand each match to the sentence it starts in (`in_sentences`, inlined: hundreds per text)."""
    index = 0
    count = len(sentences)
    if not count:
        return
    sentence = sentences[0]
    bucket = getattr(sentence, attribute)
    for match in matches:
        start = match.start
        if sentence.end <= start:
            while index < count and sentences[index].end <= start:
                index += 1
            if index == count:
                return
            sentence = sentences[index]
            bucket = getattr(sentence, attribute)
        if sentence.start <= start:
            bucket.append(match)


def _distribute_dates(sentences: list[Sentence], dates: list[DateMention]) -> None:
    """Hand each date to the sentence that holds it whole; one spanning a boundary is dropped."""
    for sentence, mention in in_sentences(sentences, ((d.start, d.end, d) for d in dates), whole=True):
        sentence.dates.append(mention)


# What may stand before a dateline's date: a place ("ASTANA, Kazakhstan,") or nothing; not a
# preposition, which makes the date an event's ("On 5 April 2024 the EU signed...").
_DATELINE_PREFIX = re.compile(
    r"^\s*(?:(?!(?:On|In|By|At|Since|From|Until|As|Before|After|During)\b)[A-Z][\w.'’\-]*"
    r"(?:[ \-/][A-Z][\w.'’\-]*)*\s*(?:,\s*[A-Z][\w.'’\- ]{1,30})?\s*[,:(—–\-]?\s*)?$")


def _report_date(text: str, header_end: int, sentences: list[Sentence], body_index: int) -> date | None:
    # The header (byline, timestamp) carries the most reliable date; then the first body sentence
    # (a dateline such as "ASTANA, Kazakhstan, June 21."), whose year may come from the header.
    header_dates = [d for d in find_dates(text[:header_end], None) if d.explicit_year]
    if header_dates:
        return _day_month_as_dateline(header_dates[0].value, text, sentences, body_index)
    if body_index < len(sentences):
        first = sentences[body_index]
        opening = text[first.start:min(first.end, first.start + 120)]
        dated = [d for d in find_dates(opening, None) if d.explicit_year]
        if dated and dated[0].start < 60 and _DATELINE_PREFIX.match(opening[:dated[0].start]):
            return dated[0].value
        # "Tashkent, 21 June. /Agency/." with no year anywhere in the header: the year is the one
        # the report itself names first.
        year = first_year(text[first.start:])
        if year is not None:
            partial = [d for d in find_dates(opening, date(year, 7, 1), relative=False) if not d.explicit_year]
            if partial and partial[0].start < 60 and _DATELINE_PREFIX.match(opening[:partial[0].start]):
                return partial[0].value.replace(year=year)
    return None


def _day_month_as_dateline(value: date, text: str, sentences: list[Sentence], body_index: int) -> date:
    """A numeric header date read day first ("5/1/2024" as 5 January) unless the dateline names
    the other reading ("BAKU, Azerbaijan, May 1."): some sites print dates month first."""
    if value.day > 12 or value.day == value.month:
        return value
    # The dateline opens the body, after the header ("(MENAFN- Trend) BAKU, Azerbaijan, May 1.").
    start = sentences[body_index].start if body_index < len(sentences) else len(text)
    start = min(start, sentences[-1].end if sentences else 0)
    header_tail = max(0, start - 200)
    opening = text[header_tail:start + 150]
    swapped = date(value.year, value.day, value.month)
    # Only a date without a year can be the dateline's: the relative dates are not read.
    for mention in find_dates(opening, swapped, relative=False):
        if not mention.explicit_year and mention.value == swapped:
            return swapped
    return value


def opens_with(layout: Layout, sentence: Sentence, *openings: re.Pattern[str]) -> bool:
    """Whether a body sentence after the lead opens with one of `openings` (Resources'
    `background_opening`, `aside_opening`): the lead is the news whatever its first words."""
    body = layout.body
    if not body or sentence is body[0]:
        return False
    known = sentence._opens
    if known is None:
        known = sentence._opens = {}
    for opening in openings:
        # Keyed by id: the patterns live in the Resources for as long as the layout does.
        found = known.get(id(opening))
        if found is None:
            found = known[id(opening)] = opening.match(layout.text, sentence.start) is not None
        if found:
            return True
    return False


def dateline_span(layout: Layout) -> tuple[int, int] | None:
    """Where the dateline's date sits in the text, if the first body sentence opens with one."""
    body = layout.body
    if not body or layout.published is None:
        return None
    first = body[0]
    for mention in first.dates:
        if mention.start - first.start < 60 and mention.value == layout.published and \
                _DATELINE_PREFIX.match(layout.text[first.start:mention.start]):
            return mention.start, mention.end
    return None


def _dateline(text: str, sentences: list[Sentence], body_index: int) -> tuple[str, str] | None:
    """The city that opens the body or a line just above it ("ASTANA, Kazakhstan, June 21.")."""
    for sentence in reversed(sentences[max(0, body_index - 2):body_index + 1]):
        for match in sentence.names:
            if match.start - sentence.start > 1:
                break
            cities = match.of_kind("city")
            if cities and text[match.end:match.end + 1] in {",", ":", "(", " ", "—", "–"}:
                city, code = cities[0].value
                return str(city), str(code)
    return None
