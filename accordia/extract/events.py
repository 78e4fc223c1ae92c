"""What happened and on what: events, agreements and topics, each with its evidence sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from accordia.extract.layout import Layout, Sentence, dateline_span, opens_with
from accordia.extract.resources import GuardedPattern, Resources, word_alternation
from accordia.extract.text import DateMention, Match, fold_case

GATHERINGS = ("conference", "meeting", "visit")
# How far before the report a date may lie and still date one of the report's events.
BACKGROUND_DAYS = 180
_HAPPENINGS = frozenset({*GATHERINGS, "signing"})
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|to|plans? to|planning to|intends? to|expected to|agreed to|ready to|would|shall|set to)\s+(?:\w+\s+)?$",
    re.I)
# A trigger after these reports an earlier happening, background to the news ("had travelled",
# "the agreement signed in 2011", "a memorandum recently signed").
_BACKGROUND_BEFORE = GuardedPattern(re.compile(
    r"\b(?:had|had been|recently|previously|earlier|originally|once|last)\s+(?:\w+\s+)?$", re.I))
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_YEAR_AFTER = re.compile(r"^\s+(?:[\w\-]+\s+){0,5}?in\s+(?:(?P<month>" + "|".join(_MONTHS) + r")\b\s*)?"
                         r"(?P<year>(?:19|20)\d\d)?\b", re.I)
# A sentence that opens on an earlier time reports background ("Earlier this year, ... signed").
_VENUE_BEFORE = re.compile(r"\b(?:in|at|to|hosted by|held in|city of)\s+(?:the\s+)?$")
_BULLET = re.compile(r"^\s*(?:[-–—•*·▪]|\d+[.)])\s+")
_ANAPHOR = re.compile(
    r"^\s*(?:The|This|That|These|Under the|Under this|It|According to the)\s*"
    r"(?:document|documents|agreement|memorandum|mou|strategy|roadmap|road map|deal|contract|plan|"
    r"programme|program|declaration|statement|protocol|accord|concept|treaty|initiative)?\b", re.I)
_QUOTED = re.compile(r"[\"“«]([^\"”»]{8,200})[\"”»]")
_HORIZON = (
    re.compile(r"\b(?:until|till|to|through|by|up to|for the period (?:to|until))\s+(?:the\s+(?:year\s+)?)?(20\d\d)\b",
               re.I),
    re.compile(r"\b20\d\d\s*[-–—/]\s*(20\d\d)\b"),
    re.compile(r"\b(20\d\d)\s+(?:strategy|roadmap|road map|programme|program|agenda|plan|vision)\b", re.I),
)


@dataclass
class EventCandidate:
    type: str
    anchor: Sentence
    sentences: list[Sentence] = field(default_factory=list)
    strong: bool = True
    date: date | None = None
    place: str | None = None
    title: str = ""
    topics: set[str] = field(default_factory=set)


@dataclass
class AgreementCandidate:
    type: str
    title: str
    status: str | None
    horizon: str | None
    sentence: Sentence
    sentences: list[Sentence] = field(default_factory=list)
    topics: set[str] = field(default_factory=set)
    quoted: bool = False
    word: str = ""
    status_word: str = ""
    named: bool = False

    def mention(self, sentence: Sentence) -> None:
        """Record that `sentence` speaks of this document again."""
        if sentence not in self.sentences:
            self.sentences.append(sentence)


_ANAPHORIC_BEFORE = re.compile(r"\b(?:this|that|the|these|such)\s+(?:new\s+)?$")
_TITLE_WORDS = 14
# How far (characters) a status word may be from an unnamed strategy or programme it qualifies.
_STATUS_REACH = 40
_PROGRAMME_REFERENCE_BEFORE = GuardedPattern(re.compile(
    r"\b(?:under|in line with|within|in accordance with)\s+(?:the|its|their|our)\s+(?:[\w\-’']+\s+){0,4}$", re.I))
_RELEASED_EARLIER = re.compile(r",?\s*(?:[\w\-]+\s+){0,3}?(?:last year|a year ago|\w+ years ago)\b", re.I)
# ("the new SPA" is the one just reported; "a new SPA" another.)
_INDEFINITE_BEFORE = re.compile(r"\b(?:a|an|another|(?<!the )new|second|further)\s+(?:[\w\-]+,?\s+){0,3}$", re.I)
# Share of the shorter description's content words, from which two descriptions of one type are
# one document.
_SAME_TITLE = 0.6
_PROPER_NAME = re.compile(r"(?:[A-Z0-9][\w’'\-]*)(?:\s+(?:of|on|for|and|the)?\s*[A-Z0-9][\w’'\-]*)*")
_TITLE_FILLER = frozenset({"memorandum", "understanding", "agreement", "declaration", "statement", "joint", "with",
                           "between", "from", "that", "this", "which", "cooperation", "field", "sphere", "area",
                           "areas", "plan", "roadmap", "strategy", "contract", "protocol"})
# Capitalised words (and "of", "on", "for" between them) right before a capitalised document word.
_NAME_BEFORE = re.compile(r"(?<![\w’'\-])(?:[A-Z][\w’'\-]*|\d[\w\-]*)"
                          r"(?:\s+(?:of|on|for|and|the|[A-Z][\w’'\-]*|\d[\w\-]*))*\s+$")
# "the 60th anniversary of the Elysee Treaty": a past text recalled.
# An agency's credit in a dateline: ", SPA --", "(SPA) -".
_CREDIT_BEFORE = re.compile(r"[,(]\s*$")
_CREDIT_AFTER = re.compile(r"\)?\s*(?:-{1,2}|—|–)\s")
_ANNIVERSARY_BEFORE = GuardedPattern(re.compile(r"\banniversary of\s+(?:the\s+)?(?:[A-Z][\w’'\-]*\s+){0,4}$"))
_ALIAS_BEFORE = re.compile(r"\b(?:known as|dubbed|referred to as|so-called)\s+(?:an?\s+|the\s+)?[\"“«]?[^\"”»]{0,20}$",
                           re.I)
# Up to three capitalised words after a document word ("Program Inter-Agency Committee").
_NEXT_WORDS = re.compile(r"((?:\s+[A-Z][\w\-]*){1,3})")
_DEFINITE_BEFORE = re.compile(r"(?:^|[.;:]\s+|^\s*|\bof\s+)(?:The|the|this|that)\s+(?:[\w’'\-]+,?\s+){1,5}$")
_NEGATED_BEFORE = GuardedPattern(re.compile(
    r"\b(?:no|without|not|never|instead of)\s+(?:an?\s+|the\s+)?(?:[\w\-]+\s+){0,2}$", re.I))
_NEGATED_AFTER = re.compile(r"[^,.;]{0,25}?\b(?:had not been|has not been|have not been|was not|were not|not yet)\b",
                            re.I)
# Words that name no one document: generic beside a specific one, uncounted in the plural.
# Plural documents that make up one deal or one package: "entered into definitive agreements to
# acquire a 10% interest", "several agreements on digital infrastructure".
_ONE_SET_BEFORE = re.compile(r"\b(?:definitive|binding|transaction|several)\s+$", re.I)
_GENERIC = frozenset({"deal", "deals", "pact", "accord", "document", "documents", "agreements", "contracts"})
_UNCOUNTED = frozenset({"agreements", "contracts", "deals", "documents"})
# Kinds of document that a bare "the" does not make a re-mention of the previous one.
_DISTINCT_KINDS = frozenset({"joint communique", "joint communiqué", "communique", "communiqué", "joint statement",
                             "joint declaration", "declaration"})
_DESCRIBED_AFTER = re.compile(r"\s+(?:on|between|concerning|regarding|in the field of|in the area of)\s", re.I)
# A plural document word followed by its subjects, each introduced by "on" or "in".
_SUBJECT_LIST = re.compile(r"\s+(?:on|in)\s[^,;.]+?(?:(?:,\s*(?:and\s+)?|\s+and\s+)(?:on|in)\s[^,;.]+?)+(?=[,;.]|$)",
                           re.I)
_SUBJECT_ITEM = re.compile(r"(?:^\s+|,\s*(?:and\s+)?|\s+and\s+)(?:on|in)\s", re.I)
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_COUNTED_BEFORE = re.compile(r"\b(?P<number>\d+|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w\-]+\s+)?$",
                             re.I)
_FURTHER_BEFORE = re.compile(r"(?:\b(?:and|as well as|also|plus|another)\s+(?:(?:on|in|to|with|under)\s+)?"
                             r"(?:an?\s+|the\s+)?|,\s+(?:an?\s+)?)"
                             r"(?:[\w\-]+\s+)?$", re.I)
_CAPITALISED_BEFORE = re.compile(r"\b[A-Z][\w\-]+\s+$")
# Words before "deal" that make it a verb ("to deal with", "will deal").
_VERB_BEFORE = re.compile(r"\b(?:to|will|would|must|can|could|should|shall)\s+$", re.I)
_AMONG_THEM = re.compile(r"\s*(?:Among them|Among the documents|Among these|They include|These include|These included|"
                         r"They included)\b")
_REFERENCE_BEFORE = GuardedPattern(re.compile(r"\b(?:in line with|under|within the framework of|in accordance with|"
                                              r"participating in|parties to|party to|signatories to|signatories of)\s+"
                                              r"(?:the|its|their|our|this|that|these|[A-Z][\w\-]*['’]s)\s+"
                                              r"(?:[\w\-]+\s+){0,2}$", re.I))
# ...and a text that states take part in or act in line with, named or not ("countries participating
# in the Declaration of Cooperation", "in line with the Treaty on the Non-Proliferation of Nuclear
# Weapons").
_ALWAYS_REFERENCE_BEFORE = GuardedPattern(re.compile(
    r"\b(?:in line with|in accordance with|participating in|parties to|party to|signatories to|signatories of)\s+"
    r"(?:the|its|their|our)\s+$", re.I))
_KNOWN_TEXT_BEFORE = re.compile(r"(?:Paris|Charter|Kyoto|Minsk|Green Deal)\s+$")
# Where a description of an agreement stops: punctuation or the verb or clause that follows it.
# Every alternative's first character is taken by one leading class and checked again behind it,
# so that the engine skips to those characters (tests/test_extract_fastpaths.py has the plain form).
_TITLE_STOP = re.compile(r"[,;:()\[\]\n.\s](?:(?<=[,;:()\[\]\n])|(?<=[a-z]{2}\.)|(?<=\d\.)(?=\s|$)|"
                         r"(?<=\s)(?:which|that|who|was|were|is|are|has|have|will|to be|aimed|aiming|"
                         r"during|at the|in the presence|within|signed|approved|as part|"
                         # ...nor the day or place of the signing ("on Monday", "in Budapest on Sunday").
                         r"(?:in [A-Z][\w\-]+ )?on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|"
                         r"on \d{1,2} [A-Z][a-z]+|on (?:January|February|March|April|May|June|July|August|September|"
                         r"October|November|December) \d)\b)")
_GATHERING_NAME = re.compile(
    r"(?:\b\d{4}\s+|\b\d+(?:st|nd|rd|th)\s+|\b(?:First|Second|Third|Fourth|Fifth|Sixth|Seventh|Eighth|"
    r"Ninth|Tenth)\s+)?(?:[A-Z][\w.\-’']*\s+){0,6}(?:Meeting|Forum|Summit|Conference|Dialogue|Commission|"
    r"Congress|Week|Session|Council|Ministerial)(?:\s+(?:of|on|for)\s+[^,.;:()]+?)?"
    r"(?=\s+(?:in|at|on|held|during|within|was|were|has|have|which|that|to|and)\b|[,.;:()]|$)")


def sentence_topics(sentence: Sentence) -> frozenset[str]:
    """Topic codes whose keywords occur in the sentence."""
    return sentence.topics


def _event_types(layout: Layout, sentence: Sentence, resources: Resources) -> list[tuple[str, bool, int]]:
    """(type, strong, position) of each event trigger in the sentence (computed once per sentence)."""
    cached = layout.triggers.get(sentence.index)
    if cached is None:
        cached = layout.triggers[sentence.index] = _read_event_types(layout, sentence, resources)
    return cached


def _read_event_types(layout: Layout, sentence: Sentence, resources: Resources) -> list[tuple[str, bool, int]]:
    found: list[tuple[str, bool, int]] = []
    phrases = sentence.phrase_kinds("event")
    if not phrases:
        return found
    previous: Match | None = None
    for match, (event_type, strength) in phrases:
        # Only a phrase's first event entry counts.
        if match is previous:
            continue
        previous = match
        strong = strength == "strong"
        before = layout.text[max(sentence.start, match.start - 30):match.start]
        if _BACKGROUND_BEFORE.search(before) or _earlier_year(layout, match.end, sentence.end) or (
                sentence is not layout.body[0] and _in_past_clause(layout, sentence, match.start, match.end)) or (
                opens_with(layout, sentence, resources.background_opening)):
            continue
        if event_type in GATHERINGS and _BULLET.match(layout.text[sentence.start:sentence.start + 8]):
            # A bulleted item lists what a document or a meeting covers ("- promote dialogue and
            # cooperation in the energy sector"), not a gathering of its own.
            continue
        if event_type == "approval" and _STILL_TO_APPROVE_BEFORE.search(before):
            # "any access must first be approved by the Council": a condition, not an approval.
            continue
        if event_type == "signing" and _SIGNED_UP.match(layout.text, match.end):
            # "signed up to the coalition": joined it, no document was signed.
            continue
        if event_type == "meeting" and _ONGOING_BEFORE.search(before):
            # "Qatar was in talks with other German companies", "after years of negotiations": talks
            # going on, not a meeting that took place.
            continue
        if event_type == "meeting" and _RECEIVED.match(layout.text, match.start) and not _RECEIVED_SOMEONE.match(
                layout.text, match.end):
            # "Nakhchivan receives its gas through Iran": received goods, not visitors.
            continue
        if event_type == "signing" and (_FUTURE_BEFORE.search(before) or
                                        _HYPOTHETICAL_BEFORE.search(before)):
            event_type = "announcement"
        elif event_type in GATHERINGS and (
                _GATHERING_AHEAD.search(layout.text, max(sentence.start, match.start - 60), match.start)
                or _GATHERING_AHEAD_AFTER.match(layout.text, match.end, sentence.end)
                or _NOT_GATHERING_AFTER.match(layout.text, match.end, sentence.end)
                or _NOT_GATHERING_BEFORE.search(layout.text, max(sentence.start, match.start - 8), match.start)):
            # "will attend the G7 summit", "the next meetings will be held in India", "agreed to
            # establish a strategic dialogue", "a memorandum on the activation of the
            # Intergovernmental Committee": a gathering still to come is not a happening of this
            # report, nor is a room named after one.
            continue
        if event_type == "meeting" and _FORMAL_MEETING_AFTER.match(layout.text, match.end, sentence.end):
            # "the fourth meeting of the Ministers of Energy of the member States", "the seventh
            # meeting of the Intergovernmental Commission": a conference.
            event_type, strong = "conference", True
        found.append((event_type, strong, match.start))
    # A gathering that only frames a signing or approval in the same sentence ("signed on the
    # sidelines of the COP27 summit") is not itself the news; one that frames talks is, unless the
    # frame is always background ("arrived from New Delhi, where he attended the G20 summit").
    acts = bool({"signing", "approval"} & {event_type for event_type, _, _ in found})
    for number, (event_type, strong, position) in enumerate(found):
        if event_type != "conference" or not strong:
            continue
        before = layout.text[max(sentence.start, position - 60):position]
        if resources.framing_always_before.search(before) or (acts and resources.framing_before.search(before)):
            found[number] = (event_type, False, position)
    if any(event_type == "conference" and strong for event_type, strong, _ in found):
        # "the Ministerial Meeting, ... the first time that ministers of the group have met face to
        # face": a bare "met" in a conference's sentence is that conference, not separate talks.
        found = [(event_type, strong, position) for event_type, strong, position in found
                 if not (event_type == "meeting" and _BARE_MET.match(layout.text, position))]
    return found


# "Talks were opened in November last year, when the vice president visited Manila": a happening
# in a clause dated to an earlier year is background.
_PAST_WHEN_BEFORE = re.compile(
    r"\b(?:last year|years? ago|(?:in|since) (?P<year>(?:19|20)\d\d)),?\s+when\b(?:[^.;]|\.(?=\S))*$", re.I)
_STILL_TO_APPROVE_BEFORE = re.compile(r"\b(?:must|should|would|will|need|needs|has to|have to|to)\s+"
                                      r"(?:first\s+|still\s+|yet\s+|also\s+)?be\s+$", re.I)
_SIGNED_UP = re.compile(r"\s+up\b")
_CEREMONY = re.compile(r"ceremony", re.I)
_ONGOING_BEFORE = re.compile(r"\b(?:is|are|was|were|remains?|remained|been|be|still)\s+in\s+$"
                             r"|\b(?:years|months|decades|rounds)\s+of\s+(?:\w+\s+)?$|\bstop-start\s+$", re.I)
_RECEIVED = re.compile(r"(?i:receive[sd]?)\b")
_RECEIVED_SOMEONE = re.compile(r"\s+(?:(?:a|the|an)\s+)?(?:[A-Z]|by\b|delegations?\b|ministers?\b|ambassadors?\b|"
                               r"heads?\b|chairman\b|president\b|prime\b|deputy\b|representatives\b|members\b|"
                               r"envoys?\b|officials\b|counterparts?\b)")
_BARE_MET = re.compile(r"(?i:met|meet)\b(?!\s+(?:with\b|on the sidelines|[A-Z]))")
_PAST_AFTER = GuardedPattern(re.compile(r"^[^,.;]{0,40}?\b(?:last year|a year ago|\w+ years ago|last (?:month|spring|"
                                        r"summer|autumn|fall|winter|" + "|".join(_MONTHS) + r"))\b", re.I))


def _in_past_clause(layout: Layout, sentence: Sentence, start: int, end: int) -> bool:
    """Whether a trigger sits in a clause dated to an earlier year ("..., when X visited", "met last year")."""
    # Every match holds "when", which IGNORECASE and case folding read alike (on every character):
    # where the folded text has none before the trigger, the pattern is not run.
    found = _PAST_WHEN_BEFORE.search(layout.text, sentence.start, start) if fold_case(layout.text).find(
        "when", sentence.start, start) >= 0 else None
    if found and (found.group("year") is None or (
            layout.published is not None and int(found.group("year")) < layout.published.year)):
        return True
    return bool(_PAST_AFTER.match(layout.text[end:min(sentence.end, end + 60)]))


# (`word_alternation` leads each list with a class of its words' first letters, which turns most
# word starts away before the alternation compares each word there; the same below.)
_GATHERING_AHEAD = re.compile(word_alternation((
    "will", "shall", "is due to", "are due to", "is to", "are to", "is set to", "are set to", "is expected to",
    "are expected to", "plans to", "planning to", "to be held", "next", "upcoming", "forthcoming", "planned",
    "cancelled", "canceled", "postponed", "able to", "unable to", "allowed to", "permitted to", "barred from",
    "proposed", "to establish", "to set up", "to create", "to launch", "as a", "as an", "activation of",
    "establishment of", "creation of")) + r"\s+(?:[\w'’-]+\s+){0,6}$", re.I)
# Words after a gathering word that make it a room or a device, not a gathering ("the
# conference hall of the checkpoint").
_NOT_GATHERING_AFTER = re.compile(r"\s+(?:hall|halls|room|rooms|centre|center|venue|facilities)\b", re.I)
# ...nor are a news conference and a press conference: they report a gathering.
_NOT_GATHERING_BEFORE = re.compile(r"\b(?:news|press|media)\s+$", re.I)
_GATHERING_AHEAD_AFTER = re.compile(r"[^.;]{0,40}?" + word_alternation((
    "will be held", "will take place", "is scheduled", "are scheduled", "is planned", "are planned",
    "is expected to take place", "continue", "continues", "continued")) + r"\b", re.I)
_FORMAL_MEETING_AFTER = re.compile(
    r"\s+of\s+(?:the\s+)?(?:[\w\-’']+\s+){0,4}?(?:ministers|commission|council|committee|heads|working group|"
    r"member states|parties|board|cabinet)\b", re.I)
_HYPOTHETICAL_BEFORE = GuardedPattern(re.compile(
    r"\b(?:proposed|suggested|invited|called for|considering|prepare for)\b"
    r"(?:\s+\w+){0,3}\s+(?:and\s+)?$", re.I))


def _earlier_year(layout: Layout, trigger_end: int, sentence_end: int) -> bool:
    """Whether the trigger is dated to a year before the report's ("signed in 2011")."""
    found = _YEAR_AFTER.match(layout.text[trigger_end:min(sentence_end, trigger_end + 60)])
    if not found or layout.published is None:
        return False
    if found.group("year"):
        return int(found.group("year")) < layout.published.year
    # "signed in December" in a February report: a month other than the report's is background.
    month = found.group("month")
    return month is not None and _MONTHS.index(month.lower()) + 1 != layout.published.month


def find_events(layout: Layout, resources: Resources,
                agreements: list[AgreementCandidate] | None = None) -> list[EventCandidate]:
    """One event per type of happening the report describes, with the sentences that describe it.

    A declaration the report says was issued or adopted (`agreements`, status approved) is an
    approval even where no approval verb is near ("set out in a joint statement released on...").
    """
    events: dict[str, EventCandidate] = {}
    # Whether every trigger of a type was a ceremony ("attended the ceremony"): a ceremony beside a
    # signing or an approval is that act's setting, not a meeting of its own.
    ceremony_only: dict[str, bool] = {}
    strong_besides_ceremony: dict[str, bool] = {}
    current: EventCandidate | None = None
    for sentence in layout.body:
        triggers = _event_types(layout, sentence, resources)
        if triggers:
            strong = [t for t in triggers if t[1]]
            # Travel stays a candidate visit beside the talks it led to ("travelled to Algiers for
            # talks with the President").
            chosen = strong + [t for t in triggers if t[0] == "visit" and not t[1]] if strong else triggers
            for event_type, is_strong, position in chosen:
                ceremonial = bool(_CEREMONY.search(layout.text, position, min(sentence.end, position + 40)))
                ceremony_only[event_type] = ceremony_only.get(event_type, True) and ceremonial
                strong_besides_ceremony[event_type] = strong_besides_ceremony.get(event_type, False) or (
                    is_strong and not ceremonial)
                event = events.get(event_type)
                if event is None:
                    event = EventCandidate(event_type, sentence, strong=is_strong)
                    events[event_type] = event
                elif is_strong and not event.strong:
                    event.anchor, event.strong = sentence, True
                if sentence not in event.sentences:
                    event.sentences.append(sentence)
            current = events[chosen[0][0]]
        elif current is not None:
            current.sentences.append(sentence)
    if "approval" not in events:
        # A pledge "launched" at a summit is announced for others to join, not adopted.
        # A joint statement "issued" or "released" after talks or a visit is their outcome, not an
        # adoption; issued on its own it is the news.
        talks = any(events[kind].strong for kind in ("meeting", "visit") if kind in events)
        outcome_words = {"issued", "released"} if talks else set()
        issued = [a for a in agreements or () if a.type == "declaration" and a.status == "approved"
                  and a.status_word not in {"launched", "unveiled", "launch", "unveil", *outcome_words}]
        if issued:
            events["approval"] = EventCandidate("approval", issued[0].sentence, list(issued[0].sentences))
    has_gathering = any(events[t].strong for t in GATHERINGS if t in events)
    has_conference = "conference" in events and events["conference"].strong
    any_strong = any(event.strong for event in events.values())
    result = []
    if "meeting" in events and ("signing" in events or "approval" in events):
        if ceremony_only["meeting"]:
            del events["meeting"]
        else:
            events["meeting"].strong = strong_besides_ceremony["meeting"]
    for event in events.values():
        if event.type == "visit" and not event.strong:
            # Travel ("flew to Vienna", "arrived in Baku") is a visit unless the report's
            # multilateral gathering explains it ("travelled to Algiers for the summit").
            if has_conference:
                continue
        elif not event.strong:
            # A gathering named only as the frame of something else is the event only when
            # nothing else happened; other weak triggers need a gathering-less report.
            framed_gathering = event.type == "conference"
            if (framed_gathering and any_strong) or (not framed_gathering and (
                    has_gathering or event.type != "meeting")):
                continue
        if event.type == "announcement" and len(events) > 1 and not event.strong:
            continue
        result.append(event)
    # An "announcement" next to a gathering or a signing is that happening's own wording ("the
    # ministry announced that the sides signed..."); a plan or statement is news only on its own
    # or beside an approval.
    if any(e.type in _HAPPENINGS for e in result):
        result = [e for e in result if e.type != "announcement"]
    # The dateline's date is when the report was filed, not when things happened ("ASTANA,
    # November 7 (SBN) - ... signed on Thursday"): it is the fallback, not a candidate. A date
    # long before the report is background ("the agreement of 12 February 2015").
    dateline = dateline_span(layout)
    earliest = layout.published - timedelta(days=BACKGROUND_DAYS) if layout.published else None
    own_dates = {id(event): _event_date(event, layout, dateline, earliest) for event in result}
    # An event whose own sentences carry no date happened on the occasion the report dates
    # elsewhere ("the visit" of a report that says the MoU was signed "on Monday"): the first
    # event in the text that has a date of its own.
    dated = [own_dates[id(e)] for e in sorted(result, key=lambda e: e.anchor.start) if own_dates[id(e)] is not None]
    # Failing that, the lead's own date ("On Saturday in Moscow there was held the ceremony...").
    occasion = dated[0] if dated else _lead_date(layout, dateline, earliest)
    for event in result:
        own = own_dates[id(event)]
        if own is not None:
            event.date = own
        elif occasion and not _dated_itself(event):
            event.date = occasion
        else:
            event.date = layout.published
    for event in result:
        event.place = _event_place(event, layout)
        event.topics = set().union(*[s.topics for s in event.sentences])
    order = {name: i for i, name in enumerate(("conference", "meeting", "visit", "signing", "approval",
                                               "announcement"))}
    result.sort(key=lambda e: (e.anchor.start, order[e.type]))
    return result


def _lead_date(layout: Layout, dateline: tuple[int, int] | None, earliest: date | None) -> date | None:
    """The first date of the lead sentence that is neither the dateline's, background nor ahead."""
    body = layout.body
    for mention in body[0].dates if body else ():
        if _happened_on(mention, layout, dateline, earliest):
            return mention.value
    return None


def _happened_on(mention: DateMention, layout: Layout, dateline: tuple[int, int] | None,
                 earliest: date | None) -> bool:
    """Whether a date can be the day of a reported happening: not the dateline's (the filing
    day), not long before the report (background), not after it ("with deliveries set to begin
    on March 1" in a report of February 11)."""
    if dateline is not None and mention.start == dateline[0]:
        return False
    if earliest is not None and mention.value < earliest:
        return False
    return layout.published is None or mention.value <= layout.published


def _dated_itself(event: EventCandidate) -> bool:
    return any(sentence.dates for sentence in [event.anchor, *event.sentences])


# A gathering's first day, where the text gives its opening or its length and its last day:
# "the three-day event, which opened on Wednesday", "adopted on Sunday at the end of a two-day
# meeting" (docs/annotation.md: a gathering over several days takes its first day).
_OPENED_BEFORE = re.compile(r"\b(?:opened|opens|began|begins|started|starts|kicked off|got under ?way|opening)"
                            r"(?:\s+\w+){0,6}?\s+(?:on\s+)?$", re.I)
_LAST_DAY_OF = re.compile(r"\b(?:at the (?:end|close) of|closing|concluded|concluding|wrapped up|ended)\s+"
                          r"(?:an?|the|their|its)\s+(?P<days>two|three|four|five|[2-5])-day\b", re.I)
_DAY_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}


def _first_day(event: EventCandidate, layout: Layout, dateline: tuple[int, int] | None,
               earliest: date | None) -> date | None:
    """A gathering's opening day when its sentences name it (`_OPENED_BEFORE`, `_LAST_DAY_OF`)."""
    text = layout.text
    sentences = [event.anchor, *event.sentences]
    for sentence in sentences:
        for mention in sentence.dates:
            if _happened_on(mention, layout, dateline, earliest) and _OPENED_BEFORE.search(
                    text, max(sentence.start, mention.start - 60), mention.start):
                return mention.value
    for sentence in sentences:
        last_day_of = _LAST_DAY_OF.search(text, sentence.start, sentence.end)
        if last_day_of is None:
            continue
        days = last_day_of.group("days").lower()
        for mention in sentence.dates:
            if _happened_on(mention, layout, dateline, earliest):
                return mention.value - timedelta(days=_DAY_COUNTS.get(days, int(days) if days.isdigit() else 1) - 1)
    return None


def _event_date(event: EventCandidate, layout: Layout, dateline: tuple[int, int] | None,
                earliest: date | None) -> date | None:
    """The first date of the event's sentences that it can have happened on (`_happened_on`), if any;
    a conference's opening day where the text gives it (`_first_day`)."""
    if event.type == "conference":
        first_day = _first_day(event, layout, dateline, earliest)
        if first_day is not None:
            return first_day
    for sentence in [event.anchor, *event.sentences]:
        for mention in sentence.dates:
            if _happened_on(mention, layout, dateline, earliest):
                return mention.value
    return None


def _event_place(event: EventCandidate, layout: Layout) -> str | None:
    for sentence in [event.anchor, *event.sentences]:
        for match in sentence.names:
            cities = match.of_kind("city")
            if cities and _VENUE_BEFORE.search(layout.text[max(sentence.start, match.start - 14):match.start]):
                return str(cities[0].value[0])
    if layout.dateline_place and event.type != "announcement":
        return layout.dateline_place[0]
    for sentence in event.sentences:
        for match in sentence.names:
            cities = match.of_kind("city")
            if cities:
                return str(cities[0].value[0])
    return None


def find_agreements(layout: Layout, resources: Resources) -> list[AgreementCandidate]:
    """Documents named as signed, approved, ratified, planned or in force."""
    agreements: list[AgreementCandidate] = []
    text = layout.text
    body = layout.body
    owner: AgreementCandidate | None = None
    for position, sentence in enumerate(body):
        phrases: list[tuple[Match, str]] = sentence.phrase_kinds("agreement")
        if not phrases:
            # No document named here: the sentence can only continue the current one.
            if owner is not None and sentence not in owner.sentences:
                _continue_agreement(owner, text, body, position)
                if owner.sentences[-1] is not sentence and _event_types(layout, sentence, resources):
                    owner = None
            continue
        chunk = text[sentence.start:sentence.end]
        statuses: list[tuple[Match, str]] = sentence.phrase_kinds("status")
        triggers = {t for t, _, _ in _event_types(layout, sentence, resources)}
        quoted = [q for q in _QUOTED.finditer(chunk)]
        # A quoted title that names a document ("the "Baku Declaration"") makes "the" introduce it.
        titled = any(resources.agreement_word_pattern.search(q.group(1).lower()) for q in quoted)
        new_here: list[AgreementCandidate] = []
        for match, agreement_type in phrases:
            word = text[match.start:match.end]
            before = text[max(sentence.start, match.start - 12):match.start].lower()
            # "the agreement", or the quoted name it is "known as", is one already named.
            alias = _ALIAS_BEFORE.search(text, max(sentence.start, match.start - 40), match.start)
            anaphoric = bool(_ANAPHORIC_BEFORE.search(before)) and not titled
            # "the agreement" is the last document of its kind, else the last one; but "the joint
            # communiqué" after an action plan is another document.
            same_kind = [a for a in agreements if a.type == agreement_type]
            referent: AgreementCandidate | None = None
            if agreements:
                # "the memorandum on gas cooperation that the two countries signed in 2024", after a
                # contract: a document of another kind described in full is another document.
                described = not same_kind and bool(_DESCRIBED_AFTER.match(text, match.end, sentence.end))
                referent = (agreements[-1] if alias else same_kind[-1] if same_kind
                            else agreements[-1] if word.lower() not in _DISTINCT_KINDS and not described
                            else None)
            if (alias or anaphoric) and referent is not None:
                owner = referent
                owner.mention(sentence)
                continue
            wider = text[max(sentence.start, match.start - 50):match.start]
            abbreviation = word.isupper() or word.lower() in {"mou", "mous"}
            if same_kind and not quoted and (abbreviation or not word[:1].isupper()) and _DEFINITE_BEFORE.search(
                    wider) and not _INDEFINITE_BEFORE.search(wider):
                # "The hydrocarbons MoU was signed by...", "The 20-year treaty": the one already named.
                owner = same_kind[-1]
                owner.mention(sentence)
                continue
            if _NEGATED_BEFORE.search(wider) or _NEGATED_AFTER.match(text, match.end, sentence.end):
                # "no purchase contracts had been signed"
                continue
            if _ANNIVERSARY_BEFORE.search(wider):
                continue
            if word.isupper() and _CREDIT_BEFORE.search(wider) and _CREDIT_AFTER.match(text, match.end):
                # "Riyadh, December 08, 2022, SPA --": the Saudi Press Agency's credit, not a sale and
                # purchase agreement.
                continue
            if word.lower() in {"deal", "deals"} and (_VERB_BEFORE.search(wider)
                                                       or text.startswith(" with", match.end)):
                # "how to deal with non-market practices": the verb.
                continue
            if _inside_name(text, match.start, match.end, resources) or any(
                    n.start <= match.start and match.end <= n.end and n.of_kind("org") for n in sentence.names):
                # "Paris Agreement", "Collective Security Treaty Organization": a name, not a document.
                continue
            if word.lower() in resources.named_only and not (
                    word[:1].isupper() and _CAPITALISED_BEFORE.search(wider)):
                continue
            status, status_match = _nearest_status(statuses, match.start, match.end, triggers)
            if status is None and position:
                # "Among them is a protocol on...", or a line of a list that "The following documents
                # were exchanged:" opens: one of the documents the lead-in signed.
                lead_in = body[position - 1] if _AMONG_THEM.match(chunk) else _list_lead_in(body, position, text)
                if lead_in is not None and not lead_in.phrase_kinds("status") and lead_in.index > 0 and (
                        _AMONG_THEM.match(text, lead_in.start)):
                    # "... a package of documents was signed. Among the documents:" then the lines.
                    lead_in = layout.sentences[lead_in.index - 1]
                if lead_in is not None:
                    status, status_match = _nearest_status(
                        lead_in.phrase_kinds("status"),
                        match.start, match.end, {t for t, _, _ in _event_types(layout, lead_in, resources)})
                    if status == "in_force":
                        # "Under the deal, the parties commit to:" opens a list of undertakings.
                        status, status_match = None, None
            title, title_quoted = _agreement_title(text, sentence, match.start, match.end, quoted, resources)
            if title_quoted:
                agreement_type = _type_from_title(title, resources) or agreement_type
            # A capitalised document word names one particular text ("the OTS Programme on Energy
            # Cooperation", "Memorandum of Understanding between the Government of..."), which is an
            # agreement of the report even when no status word is near.
            named = word[:1].isupper() and (match.start > sentence.start + 1 or " " in word)
            if status is None and not (title_quoted or named):
                continue
            if word.lower() in {"deal", "deals", "concept", "program", "programme", "charter", "minutes",
                                "plans", "strategies", "agreements", "contracts"} and status is None and not named:
                continue
            counted = _COUNTED_BEFORE.search(wider)
            subjects = _listed_subjects(text, match.end, sentence.end) if _is_plural(word) else 0
            if word.lower() in _UNCOUNTED and not (named or title_quoted or counted or subjects > 1
                                                   or _ONE_SET_BEFORE.search(wider)):
                # "a number of agreements were signed", "hesitated to sign contracts": no one document.
                continue
            if (not (named or title_quoted) and _REFERENCE_BEFORE.search(wider)) or _ALWAYS_REFERENCE_BEFORE.search(
                    wider):
                # "in line with our long-term strategy", "under the agreement": a reference to an
                # existing text, not one of the report's.
                continue
            if agreement_type == "strategy" and not title_quoted and (
                    _PROGRAMME_REFERENCE_BEFORE.search(wider) or _RELEASED_EARLIER.match(text, match.end, sentence.end)
                    or (not named and (status_match is None or _distance(status_match, match) > _STATUS_REACH))):
                # States and agencies name their programmes and strategies in passing ("under the IAEA
                # Technical Cooperation Programme", "its strategy, released last year", "its nuclear
                # programme"); one of the report's own is approved or planned in so many words.
                continue
            # Another document of the same kind in the sentence is a re-mention ("a memorandum of
            # understanding (MoU)") unless it is introduced as a further one ("as well as a
            # memorandum on transport").
            further = bool(_FURTHER_BEFORE.search(wider))
            # Two documents named in capitals are one only under one name; descriptions in lower
            # case are compared by their words.
            duplicate = next((a for a in agreements + new_here if a.type == agreement_type and (
                a.title.lower() == title.lower() or (not (named and a.named) and _same_title(a.title, title))
                or (named and a.named and _same_name(a.title, title))
                or (a.sentence is sentence and not further))), None)
            if duplicate:
                duplicate.mention(sentence)
                continue
            horizon = _horizon(title) or (_horizon(chunk) if agreement_type in
                                          {"strategy", "roadmap", "agreement", "declaration"} else None)
            copies = _NUMBER_WORDS.get(counted.group("number").lower(), 1) if counted and _is_plural(word) else 1
            if copies == 1 and subjects > 1:
                # "agreements on technology, on training for the mining sector and on the circular
                # economy", "memorandums on transport and on customs affairs": one per subject.
                copies = subjects
            for copy in range(copies):
                # "two declarations of intent were signed": each document is one agreement.
                new_here.append(AgreementCandidate(
                    agreement_type, f"{title} ({copy + 1} of {copies})" if copies > 1 else title, status, horizon,
                    sentence, [sentence], quoted=title_quoted, word=word.lower(),
                    status_word=text[status_match.start:status_match.end].lower() if status_match else "",
                    named=named))
        if len(new_here) > 1:
            # "An agreement worth $25 billion ... a deal that will...": a generic word beside a
            # document of the same sentence is that document.
            specific = [a for a in new_here if a.word not in _GENERIC]
            if specific:
                new_here = specific
        if new_here:
            agreements.extend(new_here)
            owner = new_here[-1]
        elif owner is not None and sentence not in owner.sentences:
            _continue_agreement(owner, text, body, position)
            if owner.sentences[-1] is not sentence and triggers:
                owner = None
    for agreement in agreements:
        agreement.topics = set().union(*[s.topics for s in agreement.sentences])
    return agreements


def _listed_subjects(text: str, start: int, end: int) -> int:
    """How many subjects a plural document word lists right after it ("on X, on Y and on Z": 3)."""
    listed = _SUBJECT_LIST.match(text, start, end)
    return len(_SUBJECT_ITEM.findall(listed.group())) if listed else 0


def _distance(first: Match, second: Match) -> int:
    return max(0, second.start - first.end, first.start - second.end)


def _same_title(first: str, second: str) -> bool:
    """Whether two descriptions name one document ("Five-point plan to secure critical minerals" and
    "Five-Point Plan for Critical Minerals Security")."""
    left, right = _content_words(first), _content_words(second)
    return len(left) >= 2 and len(right) >= 2 and len(left & right) / min(len(left), len(right)) >= _SAME_TITLE


def _same_name(first: str, second: str) -> bool:
    """Whether two capitalised titles start with one proper name ("Nuclear Energy Declaration" and
    "Nuclear Energy Declaration in Brussels"), a name with more than document words in it."""
    left, right = _PROPER_NAME.match(first), _PROPER_NAME.match(second)
    if not (left and right) or left.group().strip().lower() != right.group().strip().lower():
        return False
    return bool(_content_words(left.group()))


def _content_words(title: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", title.lower()) if len(w) > 3 and w not in _TITLE_FILLER}


def _continue_agreement(owner: AgreementCandidate, text: str, body: list[Sentence], position: int) -> None:
    """Add body[position] to `owner` if it goes on about it: an anaphor ("The document...") or a
    bullet of a list that the previous sentence opened or is part of."""
    sentence = body[position]
    chunk = text[sentence.start:sentence.end]
    previous = text[body[position - 1].start:body[position - 1].end] if position else ""
    if _ANAPHOR.match(chunk) or (_BULLET.match(chunk) and previous.rstrip().endswith((":", ";"))) \
            or (_BULLET.match(chunk) and _BULLET.match(previous)):
        owner.sentences.append(sentence)


def _is_plural(word: str) -> bool:
    head = word.lower().split()[0]
    return head.endswith(("s", "memoranda")) and not head.endswith(("mou's", "ss"))


def _inside_name(text: str, start: int, end: int, resources: Resources) -> bool:
    """"Paris Agreement" or "Energy Charter Treaty" name a known text, not one agreed here; in
    "Nuclear Energy Program Inter-Agency Committee" the document word is part of a body's name."""
    word = text[start:end]
    if not word[:1].isupper():
        return False
    if _KNOWN_TEXT_BEFORE.search(text[max(0, start - 12):start]):
        return True
    following = _NEXT_WORDS.match(text, end)
    return following is not None and any(w.strip("()") in resources.org_heads for w in following.group(1).split())


# How many list lines may stand between a line and the lead-in that opens the list.
_LIST_REACH = 12


def _list_lead_in(body: list[Sentence], position: int, text: str) -> Sentence | None:
    """The sentence ending in a colon that opens the list whose line `body[position]` is, if any.

    A line is a list item when it starts on a line of its own; the lines before it back to the
    lead-in must be items too ("The following documents were signed:" then one line per document).
    """
    index = position
    while index > 0 and position - index < _LIST_REACH:
        line = body[index]
        if "\n" not in text[body[index - 1].end:line.start]:
            return None
        previous = body[index - 1]
        if text[previous.start:previous.end].rstrip().endswith(":"):
            return previous
        index -= 1
    return None


def _nearest_status(statuses: list[tuple[Match, str]], start: int, end: int,
                    triggers: set[str]) -> tuple[str | None, Match | None]:
    """The status of the status phrase nearest the document word (with that phrase), else the
    status the sentence's event implies."""
    if statuses:
        def distance(item: tuple[Match, str]) -> int:
            match = item[0]
            return min(abs(match.start - end), abs(start - match.end))
        match, status = min(statuses, key=distance)
        return status, match
    for event_type, status in (("signing", "signed"), ("approval", "approved"), ("announcement", "planned")):
        if event_type in triggers:
            return status, None
    return None, None


# What may stand between a document word and the quoted name after it ("a memorandum titled
# "Green Bridge"", "the Programme: "Energy 2030""); anything more makes the quote another name
# ("Framework agreement between the State Concern "Türkmengaz" and...").
_TITLE_GAP = re.compile(r"\s*[,:]?\s*(?:(?:titled|entitled|named|called|known as|dubbed|on|of|for)\s+)?(?:the\s+)?$")


def _agreement_title(text: str, sentence: Sentence, start: int, end: int,
                     quoted: list[re.Match[str]], resources: Resources) -> tuple[str, bool]:
    for quote in quoted:
        q_start, q_end = sentence.start + quote.start(), sentence.start + quote.end()
        # A quoted title is short; a long quote is speech that happens to name a document.
        if not (q_start - 60 <= start <= q_end + 5 and len(quote.group(1).split()) <= _TITLE_WORDS):
            continue
        if resources.agreement_word_pattern.search(quote.group(1).lower()) or q_end <= start or (
                _TITLE_GAP.match(text[end:q_start])):
            return quote.group(1).strip(), True
    if text[start:start + 1].isupper():
        # "the Nuclear Energy Declaration", "the OTS Programme": the name starts before the word.
        named = _NAME_BEFORE.search(text, sentence.start, start)
        if named:
            start = named.start()
    tail = text[end:sentence.end]
    stop = _TITLE_STOP.search(tail)
    phrase = text[start:end] + (tail[:stop.start()] if stop else tail)
    words = phrase.split()
    if len(words) > 18:
        phrase = " ".join(words[:18])
    phrase = phrase.strip()
    return phrase[:1].upper() + phrase[1:], False


def _type_from_title(title: str, resources: Resources) -> str | None:
    found = resources.agreement_word_pattern.search(title.lower())
    return resources.agreement_word_types[found.group()] if found else None


def _horizon(text: str) -> str | None:
    for pattern in _HORIZON:
        found = pattern.search(text)
        if found:
            return found.group(1)
    return None


def event_title(event: EventCandidate, layout: Layout, countries: list[str],
                agreements: list[AgreementCandidate]) -> str:
    """A readable title: the gathering's proper name if the text gives one, else a description."""
    text = layout.text
    anchor = text[event.anchor.start:event.anchor.end]
    if event.type == "conference":
        named = _GATHERING_NAME.search(anchor)
        if named and len(named.group().split()) >= 2:
            return named.group().strip(" ,.")
    if event.type in {"signing", "approval"}:
        related = [a for a in agreements if a.sentence in event.sentences]
        if related:
            verb = "Signing" if event.type == "signing" else "Approval"
            return f"{verb} of {related[0].title[:1].lower()}{related[0].title[1:]}"
    label = {"meeting": "Talks", "conference": "Conference", "visit": "Visit", "signing": "Signing",
             "approval": "Approval", "announcement": "Announcement"}[event.type]
    parts = [label]
    if countries:
        parts.append("involving " + ", ".join(countries))
    if event.place:
        parts.append(f"in {event.place}")
    return " ".join(parts)
