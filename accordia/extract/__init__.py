"""Extraction: one `Document` in, one `Record` out (shared/spec/extraction.md).

The extractor reads the text once: a case-sensitive Aho-Corasick pass finds countries,
places and organizations, a case-insensitive one finds roles, triggers and topic keywords,
and the sentence layout ties them together. Candidates are computed first (participants,
events, agreements) and then applied to the record, each with evidence and a confidence.
"""

from __future__ import annotations

import bisect
import multiprocessing
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from accordia.extract.events import (
    AgreementCandidate,
    EventCandidate,
    event_title,
    find_agreements,
    find_events,
)
from accordia.extract.layout import Layout, Sentence, opens_with, read_layout
from accordia.extract.model import ParticipantModel
from accordia.extract.participants import (
    CountryEvidence,
    OrgCandidate,
    PersonCandidate,
    find_organizations,
    find_persons,
    find_role_mentions,
    private_company_names,
    score_countries,
)
from accordia.extract.resources import OrgInfo, Resources, get_resources
from accordia.extract.text import Match, detect_language
from accordia.models import Agreement, Document, Event, Organization, Person, Record, RoleMention

# Words in an agreement's title that keep an agreement between companies from being a contract
# ("strategic collaboration agreement"), as does a title naming two governments.
_NOT_COMMERCIAL = re.compile(r"\b(?:framework|cooperation|collaboration|strategic|partnership|intergovernmental)\b"
                             r"|\bgovernment\b.*\bgovernment\b", re.I)

_NOT_COMMERCIAL_BEFORE = re.compile(r"\b(?:framework|cooperation|collaboration|strategic)\s+$", re.I)

# After an intergovernmental body's name: its ministers or leaders, who then met.
_GROUP_MET_AFTER = re.compile(r"\s+(?:energy\s+)?(?:ministers|leaders|heads of state)\b[^.;]{0,80}?\bmet\b")
_BOTH_SIDES = re.compile(r"\b(?:(?:the two|both) (?:sides|companies|countries|governments|parties|leaders|ministers|"
                         r"presidents|ministries)|the (?:sides|parties))\b", re.I)

# Two sides in a report that names more states: the two that take the largest part.
_TWO_SIDES = re.compile(r"\bthe two (?:sides|countries|governments|leaders|presidents|ministers|parties)\b", re.I)
# A title that makes a document one between governments ("the intergovernmental agreement").
_BETWEEN_STATES = re.compile(r"\b(?:inter-?governmental|bilateral)\b", re.I)

# A document signed by "it": the body the sentence before was about. (Searched from a sentence's
# start, where `^` would not match, so a sentence that opens "It signed" is not read this way.)
_IT_SIGNED = re.compile(r"(?:[.;]\s+|,\s+|\b(?:month|week|year|day|then|also),?\s+)it\s+(?:also\s+|has\s+|had\s+)?"
                        r"(?:signed|concluded|entered into|agreed)\b")
_CHAIN_LINK = re.compile(r"\s*[-–]\s*")
# "between the European Union and Egypt", "The EU and Uzbekistan signed": a body as one side of a
# document, a state the other.
_BODY_FACING_STATE = re.compile(r"\s+and\s+(?:the\s+)?")

__all__ = ["PARTICIPANT_MODEL", "ExtractOptions", "country_evidence", "extract", "extract_many", "get_resources"]

PARTICIPANT_THRESHOLD = 1.0
# Whether the trained participant model decides by default. On: trained on the samples only, it
# beats the hand-weighted rules on the held-out development set (README, "Extraction quality").
PARTICIPANT_MODEL = True


@dataclass(frozen=True)
class ExtractOptions:
    """Settings every extraction stage reads; build once from CLI or API arguments."""

    min_confidence: float = 0.0
    data_dir: Path | None = None
    # Decide participating countries with the trained model (extract/model.py) when one is
    # installed, or by the hand-weighted rules; `accordia evaluate` compares the two.
    participant_model: bool = PARTICIPANT_MODEL


def extract(document: Document, options: ExtractOptions | None = None) -> Record:
    """Extract the record of one document."""
    options = options or ExtractOptions()
    resources = get_resources(options.data_dir)
    language = document.language or detect_language(document.text, resources)
    layout = read_layout(document.text, resources, document.title, document.published)
    if language != "en":
        # The data files are English; other languages get an honest empty record for now.
        return Record(document.source, language, layout.title, layout.published, (), (), (), (), (), ())
    return _build_record(document, layout, resources, language, options)


def country_evidence(document: Document, options: ExtractOptions | None = None) -> dict[str, CountryEvidence]:
    """Every country the document names, with the rule score and the model's features.

    What the participant model is trained on (scripts/train_participant_model.py).
    """
    options = options or ExtractOptions()
    resources = get_resources(options.data_dir)
    layout = read_layout(document.text, resources, document.title, document.published)
    return _stages(layout, resources)[4]


def _stages(layout: Layout, resources: Resources) -> tuple[
        dict[str, OrgCandidate], list[PersonCandidate], list[EventCandidate], list[AgreementCandidate],
        dict[str, CountryEvidence]]:
    orgs = find_organizations(layout, resources)
    persons = find_persons(layout, resources, orgs)
    agreements = find_agreements(layout, resources)
    events = find_events(layout, resources, agreements)
    event_sentences = {s.index for e in events for s in e.sentences}
    agreement_sentences = {s.index for a in agreements for s in a.sentences}
    evidence = score_countries(layout, resources, orgs, persons, event_sentences | agreement_sentences,
                               agreement_sentences)
    return orgs, persons, events, agreements, evidence


def _group_met(text: str, sentence: Sentence) -> bool:
    """Whether the sentence says a group's ministers or leaders met ("The G7 ministers ... met")."""
    return any(isinstance(entry.value, OrgInfo) and entry.value.kind == "intergovernmental"
               and _GROUP_MET_AFTER.match(text, match.end, sentence.end)
               for match in sentence.names for entry in match.of_kind("org"))


def _participant_confidence(item: CountryEvidence, model: ParticipantModel | None) -> float:
    """How sure we are that a named country takes part: the model's probability, else the rule score."""
    if model is not None:
        return model.probability(item.features)
    return min(1.0, item.score)


def _build_record(document: Document, layout: Layout, resources: Resources, language: str,
                  options: ExtractOptions) -> Record:
    min_confidence = options.min_confidence
    orgs, persons, events, agreements, evidence = _stages(layout, resources)
    model = resources.participant_model if options.participant_model else None
    confidence_of = {code: _participant_confidence(item, model) for code, item in evidence.items()}
    if model is not None:
        chosen = {code for code, confidence in confidence_of.items() if confidence >= model.threshold}
    else:
        chosen = {code for code, item in evidence.items() if item.score >= PARTICIPANT_THRESHOLD}
    countries = sorted(code for code in chosen if confidence_of[code] >= min_confidence)

    org_records = tuple(
        Organization(o.name, o.acronym, o.kind, o.country, tuple(o.spans),
                     0.9 if o.from_gazetteer else 0.7)
        for o in orgs.values()
        if (0.9 if o.from_gazetteer else 0.7) >= min_confidence
    )
    person_records = tuple(
        Person(p.name, p.role.role if p.role else None, p.country, p.organization,
               tuple(_unique(p.spans)), p.confidence)
        for p in persons if p.confidence >= min_confidence
    )
    country_set = set(countries)

    # Where each country, person and organization is named (span starts, sorted), read once: the
    # events and agreements below each ask which of them their sentences name.
    country_starts = {code: _starts(evidence[code].spans) for code in country_set}
    person_starts = [(p, _starts(p.spans)) for p in persons]
    org_starts = [(o, _starts(o.spans)) for o in orgs.values()]

    # A private company's officer speaks for the company, not for a state party.
    company_names = private_company_names(orgs)

    def countries_in(sentences: Iterable[object], parties: bool = False) -> tuple[str, ...]:
        spans = [(s.start, s.end) for s in sentences]  # type: ignore[attr-defined]
        found = {code for code in country_set if _named_in(country_starts[code], spans)}
        if parties:
            # States named only as links of a project's or a route's name are not its parties.
            found -= set().union(*[_chain_only_codes(layout.text, s) for s in sentences])  # type: ignore[arg-type]
        found |= {p.country for p, starts in person_starts if p.country in country_set and _named_in(starts, spans)
                  and not (parties and p.organization in company_names)}
        return tuple(sorted(c for c in found if c))

    def names_in(sentences: Iterable[object]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        spans = [(s.start, s.end) for s in sentences]  # type: ignore[attr-defined]
        org_names = tuple(dict.fromkeys(o.acronym or o.name for o, starts in org_starts if _named_in(starts, spans)))
        person_names = tuple(dict.fromkeys(p.name for p, starts in person_starts if _named_in(starts, spans)))
        return org_names, person_names

    agreement_records = []
    agreement_sentences: list[set[int]] = []
    for agreement in agreements:
        party_orgs = [o for o in orgs.values()
                      if any(agreement.sentence.start <= x < agreement.sentence.end for x, _ in o.spans)]
        parties = tuple(dict.fromkeys(o.acronym or o.name for o in party_orgs))
        # A private company's home state is not a party through it (docs/annotation.md).
        party_countries = {o.country for o in party_orgs if o.country and o.kind != "company"}
        if party_countries:
            # The other side is often a state or its signatory rather than a listed body ("Rosatom
            # and Uzbekistan signed", "signed by Kazakhstan's minister"): participants named in the
            # agreement's sentence are parties too.
            party_countries |= set(countries_in([agreement.sentence], parties=True))
        body_and_states = False
        if not party_countries:
            # Parties that are intergovernmental bodies (or none named): the participating states,
            # unless the sentence sets states against the body (`_states_sign_beside`).
            bodies = [o for o in party_orgs if o.kind == "intergovernmental"]
            named_states = set(countries_in([agreement.sentence]))
            body_and_states = bool(bodies) and _states_sign_beside(
                bodies, named_states, layout.text, agreement.sentence, country_set)
            party_countries = named_states if body_and_states else set(countries) if bodies else (
                named_states or set(countries))
            if not parties:
                parties = tuple(resources.countries[c].name for c in sorted(party_countries)
                                if c in resources.countries)
        companies = [o for o in party_orgs if o.kind in {"company", "state_company"}]
        if _IT_SIGNED.search(layout.text, agreement.sentence.start, agreement.sentence.end):
            # "Earlier this month it signed a contract with Norway's Equinor", after a sentence about
            # "Poland's state-controlled gas company PGNiG": the state body the sentence before names.
            party_countries |= _previous_state_body(agreement.sentence, layout, orgs, country_set)
        both_sides = [m.group().lower() for m in _BOTH_SIDES.finditer(layout.text, agreement.sentence.start,
                                                                       agreement.sentence.end)]
        if len(countries) == 2 and any(side.endswith("companies") for side in both_sides):
            # "The two companies also signed a partnership agreement": the states of the report's
            # state companies, not a private company's home (docs/annotation.md).
            party_countries |= {o.country for o in orgs.values()
                                if o.kind == "state_company" and o.country in country_set}
        elif len(countries) == 2 and (both_sides or _BETWEEN_STATES.search(agreement.title)
                                      or (agreement.type == "declaration" and "joint" in agreement.title.lower())):
            # "a joint statement", "the sides agreed", "the intergovernmental agreement": both
            # sides of a two-state report are parties, though the sentence names one.
            party_countries |= set(countries)
        two_sides = len(countries) > 2 and _TWO_SIDES.search(layout.text, agreement.sentence.start,
                                                              agreement.sentence.end)
        if two_sides and len(party_countries) != 2:
            # "the two sides signed" in a report naming more states: the two that take the largest
            # part, beginning with a party the sentence names.
            ranked = sorted(countries, key=lambda code: (code not in party_countries, -evidence[code].score))
            party_countries = set(ranked[:2])
        elif agreement.type == "declaration" and len(countries) > 2 and not companies and not body_and_states:
            # A communiqué or declaration in a report of three or more states is the whole group's,
            # whichever minister hosted or signed it ("the communique adopted at the meeting hosted
            # by Italy's minister").
            party_countries |= set(countries)
        if len(party_countries) > 2 and agreement.type != "declaration":
            # Observer states attend a group's meetings, and may sign the communiqué of one, but
            # are not party to the group's programmes and plans.
            party_countries -= {code for code in party_countries if code in evidence and evidence[code].observer}
        # A party state takes part in the report's events by definition (docs/annotation.md); a
        # body's home state that the report names in no other way is not one. A document whose
        # parties are all such outsiders is someone else's ("a contract Budapest signed with
        # Gazprom in 2021", in a report on a Turkish-Hungarian deal).
        if party_countries and not party_countries & country_set:
            continue
        party_countries &= country_set
        agreement_type = agreement.type
        if agreement_type == "agreement" and party_orgs and len(companies) == len(party_orgs) and not (
                _NOT_COMMERCIAL.search(agreement.title) or _not_commercial_before(layout.text, agreement)):
            # An "agreement" between companies is a commercial contract (spec: contract), unless it
            # is a framework between them or one between governments ("strategic collaboration
            # agreement", "Agreement between the Government of Ukraine and...").
            agreement_type = "contract"
        elif agreement_type == "contract" and agreement.word in {"deal", "deals"} and not companies:
            # A "deal" between states is an agreement ("the maritime border deal").
            agreement_type = "agreement"
        confidence = 0.9 if agreement.status and parties else 0.7
        if confidence < min_confidence:
            continue
        agreement_sentences.append({s.index for s in agreement.sentences})
        agreement_records.append(Agreement(
            agreement_type, agreement.title, parties, tuple(sorted(c for c in party_countries if c)),
            agreement.status, agreement.horizon, tuple(sorted(agreement.topics)),
            tuple(_unique((s.start, s.end) for s in agreement.sentences)), confidence))

    event_records = []
    multilateral = len(countries) > 2 or any(o.kind == "intergovernmental" for o in orgs.values())
    for event in events:
        if event.type == "conference" and not multilateral and not resources.standing_formats.search(
                layout.text[event.anchor.start:event.anchor.end]):
            # A "summit" or "dialogue" of two states is talks between named parties: a meeting
            # (docs/annotation.md), unless the report already has one.
            if any(other.type == "meeting" for other in events):
                continue
            event.type = "meeting"
        elif event.type == "meeting" and not any(other.type == "conference" for other in events) and (
                _group_met(layout.text, event.anchor)):
            # "The G7 ministers of climate and energy met in Sapporo": a group's ministerial
            # meeting is a conference (docs/annotation.md).
            event.type = "conference"
        confidence = 0.9 if event.strong else 0.6
        if event.date is None:
            confidence -= 0.1
        if confidence < min_confidence:
            continue
        indices = {s.index for s in event.sentences}
        if event.type == "conference":
            # A multilateral gathering's participants are the report's participants.
            event_countries = tuple(countries)
        else:
            found = set(countries_in(event.sentences))
            if event.type in {"signing", "approval"}:
                for record, sentence_set in zip(agreement_records, agreement_sentences, strict=True):
                    if sentence_set & indices:
                        found |= set(record.countries)
            if event.type == "meeting" and len(found) < 2:
                # Talks have two sides at least: where the event's sentences name fewer ("the
                # heads of state exchanged views"), the report's participants are the sides.
                found |= set(countries)
            event_countries = tuple(sorted(found)) or tuple(countries)
        org_names, person_names = names_in(event.sentences)
        event_records.append(Event(
            event.type, event_title(event, layout, list(event_countries), agreements), event.date,
            event.place, event_countries, org_names, person_names, tuple(sorted(event.topics)),
            tuple(_unique((s.start, s.end) for s in [event.anchor, *event.sentences])), confidence))

    topics: set[str] = set()
    for event_record in event_records:
        topics.update(event_record.topics)
    for agreement_record in agreement_records:
        topics.update(agreement_record.topics)
    if event_records or agreement_records:
        # Subjects the report names, but not those of its background sentences ("Last year the
        # two countries also discussed nuclear power").
        topics.update(*[sentence.topics for sentence in layout.body
                        if not opens_with(layout, sentence, resources.background_opening)])
    return Record(
        source=document.source,
        language=language,
        title=layout.title,
        published=layout.published,
        countries=tuple(countries),
        organizations=org_records,
        persons=person_records,
        events=tuple(event_records),
        agreements=tuple(agreement_records),
        topics=tuple(sorted(topics)),
        mentioned_countries=tuple(sorted(evidence)),
        role_mentions=tuple(mention for mention in (
            RoleMention(m.role.role, m.country, (m.span,))
            for m in find_role_mentions(layout, resources, persons, orgs))
            if mention.confidence >= min_confidence),
    )


def _not_commercial_before(text: str, agreement: AgreementCandidate) -> bool:
    """Whether the words just before the document's word make it a framework between companies:
    "a strategic collaboration agreement between the two companies", whatever title was read."""
    at = text.find(agreement.word, agreement.sentence.start, agreement.sentence.end) if agreement.word else -1
    return at > 0 and bool(_NOT_COMMERCIAL_BEFORE.search(text, max(agreement.sentence.start, at - 40), at))


def _states_sign_beside(bodies: list[OrgCandidate], named_states: set[str], text: str, sentence: Sentence,
                        participants: set[str]) -> bool:
    """Whether the states an intergovernmental body's sentence names are parties in their own right.

    "Kazakhstan and the United States signed ... during the C5+1 summit" binds two states, not the
    group; "between the European Union and Egypt" and "the EU and Uzbekistan signed" bind that
    state, not the EU's members. One state named beside a body is otherwise most often its host
    ("the SCO ministers met in Tashkent"), and the body's members are then the parties.
    """
    if 2 <= len(named_states) < len(participants):
        return True
    return any(_faces_state(text, end, sentence.names, participants)
               for body in bodies for start, end in body.spans if sentence.start <= start < sentence.end)


def _previous_state_body(sentence: Sentence, layout: Layout, orgs: dict[str, OrgCandidate],
                         participants: set[str]) -> set[str]:
    """The state of the first state body or state company named in the body sentence before this one."""
    body = layout.body
    position = next((i for i, s in enumerate(body) if s is sentence), 0)
    if position == 0:
        return set()
    previous = body[position - 1]
    named = sorted((start, o.country) for o in orgs.values() if o.kind in {"ministry", "agency", "state_company"}
                   and o.country in participants for start, _ in o.spans if previous.start <= start < previous.end)
    return {named[0][1]} if named else set()


def _chain_only_codes(text: str, sentence: Sentence) -> set[str]:
    """States a sentence names only as links of a hyphenated chain of three or more names, the name
    of a project or a route ("the Lao PDR-Thailand-Malaysia-Singapore Power Integration Project")."""
    names = sentence.names
    in_chain: set[int] = set()
    start = 0
    while start < len(names):
        end = start
        while end + 1 < len(names) and _CHAIN_LINK.fullmatch(text, names[end].end, names[end + 1].start):
            end += 1
        if end - start >= 2:
            in_chain.update(range(start, end + 1))
        start = end + 1
    chained = {code for i in in_chain for code in names[i].codes}
    elsewhere = {code for i, match in enumerate(names) if i not in in_chain for code in match.codes}
    return chained - elsewhere


def _faces_state(text: str, body_end: int, names: list[Match], states: set[str]) -> bool:
    """Whether a body's name is followed by "and" and a participating state ("the EU and Egypt")."""
    joined = _BODY_FACING_STATE.match(text, body_end)
    return joined is not None and any(match.start == joined.end() and match.codes & states for match in names)


def _starts(spans: Iterable[tuple[int, int]]) -> list[int]:
    """The sorted start offsets of `spans`."""
    return sorted(start for start, _ in spans)


def _named_in(starts: list[int], spans: list[tuple[int, int]]) -> bool:
    """Whether a start of `starts` (sorted) lies in one of `spans` ([start, end) each):
    `any(a <= x < b for x in starts for a, b in spans)` with a binary search per span."""
    for a, b in spans:
        index = bisect.bisect_left(starts, a)
        if index < len(starts) and starts[index] < b:
            return True
    return False


def _unique(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted(set(spans))


def _worker_extract(args: tuple[Document, ExtractOptions]) -> Record:
    return extract(*args)


def extract_many(documents: Iterable[Document], options: ExtractOptions | None = None,
                 workers: int = 1) -> Iterator[Record]:
    """Extract records in input order; with workers > 1, across processes with bounded memory."""
    options = options or ExtractOptions()
    if workers <= 1:
        for document in documents:
            yield extract(document, options)
        return
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with context.Pool(workers) as pool:
        # imap keeps order and pulls input lazily, so memory stays bounded by the chunk size.
        yield from pool.imap(_worker_extract, ((d, options) for d in documents), chunksize=16)


def default_workers() -> int:
    """All cores the process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
