"""Who takes part: organizations, persons with their roles, and participating countries.

Each function returns candidates with evidence spans and a confidence; `extract()` decides
what goes into the record.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from accordia.extract.layout import Layout, Sentence, in_sentences, opens_with
from accordia.extract.resources import OrgInfo, Resources, RoleInfo
from accordia.extract.text import Match, fold_case

# --- organizations ----------------------------------------------------------------------------

_CAP = r"[A-Z][\w\-’'&.]*"
_HEADS = (r"(?:Ministry|Department|Agency|Administration|Committee|Commission|Authority|Bureau|Office|"
          r"Survey|Company|Corporation|Fund|Council|Institute|Holding|Inspectorate|Regulator|Operator)")
_ORG_PATTERN = re.compile(
    rf"(?:(?P<owner>{_CAP}(?:\s{_CAP})?)['’]s\s+)?"
    rf"(?P<name>(?:{_CAP}\s+){{0,4}}?"
    rf"(?P<head>{_HEADS[3:-1]})"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?{_CAP}(?:\s+(?:and\s+(?!(?:the\s+)?{_HEADS}\b))?{_CAP})*)*"
    rf"(?:\s+{_CAP})*)"
)
# `\b{_HEADS}\b`, with each word's first letter outside its boundary check so that the engine
# skips straight to those letters (a pattern opening with a lookaround is tried at every position).
_HEAD_WORD = re.compile("(?:" + "|".join(word[0] + r"(?<!\w.)" + word[1:] for word in _HEADS[3:-1].split("|"))
                        + r")\b")
_AGENCY_HEADS = {"Agency", "Administration", "Committee", "Commission", "Authority", "Bureau", "Office",
                 "Survey", "Inspectorate", "Regulator", "Council", "Institute"}
_COMPANY_HEADS = {"Company", "Corporation", "Holding", "Operator", "Fund"}
_LEADING_STOP = {"The", "A", "An", "And", "With", "From", "Of", "In", "On", "At", "By", "For", "During",
                 "Between", "Both", "Its", "Their", "His", "Her"}


_SHARED_OWNER_GAP = re.compile(r"\s*(?:,|and|&)\s*(?:the\s+)?")
_STATE_WORD = re.compile(r"\b(National|State)\b")
_INVERTED_MINISTRY = re.compile(r"(?P<field>[A-Z][\w ]+?) Ministry")
_TOKEN = re.compile(r"\S+")
_ROLE_ATTACHMENT = re.compile(r"(?:\s+(?:of|for|at|in)\s+(?:the\s+)?(?:[A-Z][\w\-’'.]*\s*(?:of\s+|and\s+|for\s+)?)+)?")
# Where a happening took place: "in Tashkent", "hosted by Astana"; not where a company has its seat
# ("Aurubis, based in Hamburg").
_VENUE_BEFORE = re.compile(r"\b(?<!based )(?<!headquartered )(?<!registered )(?:in|at|to|hosted by)\s+(?:the\s+)?$")


@dataclass
class OrgCandidate:
    name: str
    acronym: str | None
    kind: str
    country: str | None
    spans: list[tuple[int, int]] = field(default_factory=list)
    from_gazetteer: bool = True


def country_name(resources: Resources, code: str) -> str:
    info = resources.countries.get(code)
    return info.name if info else code


def _country_in(matches: list[Match], start: int, end: int) -> str | None:
    for match in matches:
        if start <= match.start and match.end <= end:
            for entry in match.entries:
                if entry.kind in {"country", "adjective"}:
                    return str(entry.value)
    return None


def find_organizations(layout: Layout, resources: Resources) -> dict[str, OrgCandidate]:
    """Organizations named in the body, from the gazetteer and from naming patterns."""
    found: dict[str, OrgCandidate] = {}
    text = layout.text
    # Only sentences holding a head word ("Ministry", "Agency"...) can match the naming pattern.
    head_positions = [m.start() for m in _HEAD_WORD.finditer(text, layout.body_start)]
    for sentence in layout.body:
        covered: list[tuple[int, int]] = []
        for match in sentence.names:
            if match.codes and len(match.entries) == 1:
                # A country or adjective and nothing else.
                continue
            for entry in match.of_kind("org"):
                org: OrgInfo = entry.value
                candidate = found.setdefault(org.name, OrgCandidate(org.name, org.acronym, org.kind,
                                                                    org.country))
                candidate.spans.append((match.start, match.end))
                covered.append((match.start, match.end))
                break
        index = bisect.bisect_left(head_positions, sentence.start)
        if index == len(head_positions) or head_positions[index] >= sentence.end:
            continue
        chunk = text[sentence.start:sentence.end]
        previous: tuple[str | None, int] | None = None
        for pattern_match in _ORG_PATTERN.finditer(chunk):
            start = sentence.start + pattern_match.start("name")
            end = sentence.start + pattern_match.end("name")
            name = pattern_match.group("name")
            words = name.split()
            while words and words[0] in _LEADING_STOP:
                start += len(words[0]) + 1
                words = words[1:]
            if len(words) < 2 or any(s <= start and end <= e for s, e in covered):
                continue
            if any(s < end and start < e for s, e in covered):
                # A pattern around a gazetteer name ("National Mining Company Tau-Ken Samruk").
                continue
            name = " ".join(words)
            owner = pattern_match.group("owner")
            country = _country_in(sentence.names, start, end)
            if country is None and owner:
                owner_start = sentence.start + pattern_match.start("owner")
                country = _country_in(sentence.names, owner_start, start)
            if country is None:
                window_start = max(sentence.start, start - 25)
                country = _country_in(sentence.names, window_start, start)
            if country is None and previous is not None and \
                    _SHARED_OWNER_GAP.fullmatch(text[previous[1]:start]):
                # "Kazakhstan's Ministry of Foreign Affairs and Ministry of Energy": one owner for both.
                country = previous[0]
            name = normalise_org_name(name, country, resources)
            head = pattern_match.group("head")
            kind = _kind_for(head, name)
            candidate = found.setdefault(name, OrgCandidate(name, None, kind, country,
                                                            from_gazetteer=False))
            candidate.spans.append((start, end))
            covered.append((start, end))
            previous = (country, end)
    _apply_defined_acronyms(found, text)
    return found


# An acronym the report defines in brackets right after a name: "Nepal Electricity Authority (NEA)".
_DEFINED_ACRONYM = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z0-9&\-]{1,11})\)")


def _apply_defined_acronyms(found: dict[str, OrgCandidate], text: str) -> None:
    """Give an acronym the report defines to the body it defines it for.

    The gazetteer's body of the same acronym (China's NEA) is dropped when the report only ever
    names it by that acronym: the report's own definition wins.
    """
    defined: dict[str, OrgCandidate] = {}
    for candidate in found.values():
        for _, end in candidate.spans:
            definition = _DEFINED_ACRONYM.match(text, end)
            if definition:
                defined.setdefault(definition.group("acronym"), candidate)
    for acronym, owner in defined.items():
        for other in list(found.values()):
            if other is owner or other.acronym != acronym:
                continue
            if all(text[start:end] == acronym for start, end in other.spans):
                owner.spans.extend(other.spans)
                owner.spans.sort()
                owner.acronym = owner.acronym or acronym
                del found[other.name]


def _kind_for(head: str, name: str) -> str:
    if head in {"Ministry", "Department"}:
        return "ministry"
    if head in _AGENCY_HEADS:
        return "agency"
    if head in _COMPANY_HEADS:
        return "state_company" if _STATE_WORD.search(name) else "company"
    return "other"


def normalise_org_name(name: str, country: str | None, resources: Resources) -> str:
    """"Energy Ministry" of RU → "Ministry of Energy of Russia"; names keep their own country."""
    inverted = _INVERTED_MINISTRY.fullmatch(name)
    if inverted:
        name = f"Ministry of {inverted.group('field')}"
    if country and name.startswith("Ministry"):
        full = country_name(resources, country)
        if full not in name:
            name = f"{name} of {full}"
    return name


# --- persons ----------------------------------------------------------------------------------

# A capitalised word or up to three initials; the shared capital comes first, so the engine skips to
# capitals instead of trying both alternatives at every position.
# Letters of Latin names with their accents: Latin-1 and Latin Extended-A ("Erdoğan", "Šefčovič").
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſ"
_LOWER = "a-zß-öø-ÿĀ-ſ"
_NAME_TOKEN = rf"[{_UPPER}](?:[{_LOWER}'’\-]*[{_LOWER}](?:[-’'][{_UPPER}][{_LOWER}]+)?|\.(?:[A-Z]\.){{0,2}})"
_NAME_RUN = re.compile(
    rf"{_NAME_TOKEN}(?:\s+(?:(?:bin|ibn|al|el|de|da|van|von|der|den|di|du|le|la|dos|del)\s+)*(?:al-|el-)?"
    rf"{_NAME_TOKEN})*"
)
# How far (characters) a cooperation cue reaches from a country mention in its sentence.
_COOPERATION_REACH = 80
_OF_THE_BEFORE = re.compile(r"\bof\s+the\s+$")
_GAP_TOKEN = re.compile(r"[\w\-.’']+|[^\w\s]")
_GAP_WORDS = {"of", "for", "the", "at", "on", "'s", "’s", "s", "and", "in", "from", "&", "-", "state", "corporation",
              "company", "concern", "group", "holding"}
_SPEECH_VERBS = re.compile(
    r"^\s*(?:,\s*)?(?:said|says|stated|noted|told|stressed|emphasized|emphasised|added|explained|"
    r"underlined|highlighted|announced|remarked|pointed out|met|signed|visited|thanked|welcomed)\b"
)
# The words that own a role just before it: "Kazakhstan's", "Russian", "SCO", "the U.S.".
_OWNER_BEFORE = re.compile(r"(?:(?:the\s+)?(?:[A-Z][\w.\-’']*(?:['’]s)?\s+){1,4})$")
_ORG_AFTER = re.compile(r"\s*,?\s*(?:from|of|at|with|representing)\s+(?:the\s+)?(?=[A-Z])")
_DELEGATION = re.compile(r"\bdelegation\b|\bside\b", re.I)
_RIGHT_ROLE = re.compile(r"^\.?\s*,\s*(?:the\s+|a\s+|who\s+is\s+(?:the\s+)?)?")


@dataclass
class PersonCandidate:
    name: str
    role: RoleInfo | None = None
    country: str | None = None
    organization: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    confidence: float = 0.6

    @property
    def surname(self) -> str:
        return self.name.split()[-1]


def _name_runs(sentence: Sentence, text: str, resources: Resources,
               several_words: bool = False) -> list[tuple[int, int]]:
    """Runs of capitalised words that may be a person's name, split at known non-name words.

    With `several_words`, a single capitalised word is not looked at (its runs could only be
    single words too).
    """
    # Built at the first run that needs it: most runs are single words that `several_words` skips.
    blocked: list[tuple[int, int]] | None = None
    not_name_words = resources.not_name_words
    runs: list[tuple[int, int]] = []
    for found in _NAME_RUN.finditer(text, sentence.start, sentence.end):
        run = found.group()
        if several_words and len(run.split(None, 1)) == 1:
            continue
        if blocked is None:
            blocked = [(m.start, m.end) for m in sentence.names]
            blocked += [(m.start, m.end) for m, _ in sentence.phrase_kinds("role")]
        found_start, found_end = found.span()
        touches = False
        for s, e in blocked:
            if s < found_end and found_start < e:
                touches = True
                break
        if not touches:
            # Most runs touch no gazetteer match: only the non-name words can split them.
            if "." not in run and not_name_words.isdisjoint(run.split()):
                runs.append((found_start, found_end))
                continue
        elif len(run.split()) == 1:
            # A single word inside a gazetteer match ("Kazakhstan") is no name.
            continue
        run_start = run_end = -1
        for token in _TOKEN.finditer(text, found_start, found_end):
            start, end = token.span()
            stop = token.group().rstrip(".") in not_name_words
            if not stop:
                for s, e in blocked:
                    if s < end and start < e:
                        stop = True
                        break
            if stop:
                if run_start >= 0:
                    runs.append((run_start, run_end))
                run_start = -1
            else:
                if run_start < 0:
                    run_start = start
                run_end = end
        if run_start >= 0:
            runs.append((run_start, run_end))
    return runs


# Words that link the parts of an Arabic name ("Mohamed bin Zayed Al Nahyan"); they make a long
# name, which is still one person's.
_NAME_LINKS = frozenset({"bin", "ibn", "bint", "al", "el", "abu", "al-", "el-"})


def _too_long_for_a_name(words: list[str]) -> bool:
    """Whether a run has more words than a person's name has: four, or five besides the links of
    an Arabic name ("Sheikh Khaled bin Mohamed bin Zayed Al Nahyan")."""
    core = [w for w in words if w.lower() not in _NAME_LINKS]
    return len(core) > (5 if len(core) < len(words) else 4)


def _gap_is_attachment(gap: str, honorifics: frozenset[str] = frozenset()) -> bool:
    """Whether the words between a role and a name only attach the role ("of the X of Y")."""
    tokens = _GAP_TOKEN.findall(gap)
    while tokens and tokens[-1].replace(".", "") in honorifics:
        # "the Minister of Energy and Mines, Mr. Mohamed Arkab": the courtesy title is no gap.
        tokens.pop()
    if tokens and tokens[-1] == ",":
        # An apposition: "Kazakhstan's Minister of Energy, Almassadam Satkaliyev, said".
        tokens = tokens[:-1]
    if len(tokens) > 14:
        return False
    # A comma inside the role's name ("Minister of Energy, Commerce and Industry") comes before a
    # capitalised word.
    return all(t.lower() in _GAP_WORDS or t[:1].isupper() or t in {"’", "'"}
               or (t == "," and position + 1 < len(tokens) and tokens[position + 1][:1].isupper())
               for position, t in enumerate(tokens))


def _context_country_org(sentence: Sentence, start: int, end: int,
                         orgs: dict[str, OrgCandidate]) -> tuple[str | None, str | None]:
    country = None
    organization = None
    for match in sentence.names:
        if match.end <= start or match.start >= end:
            continue
        for entry in match.entries:
            if entry.kind in {"country", "adjective"} and country is None:
                country = str(entry.value)
            elif entry.kind == "org" and organization is None:
                organization = entry.value.name
                country = country or entry.value.country
    if organization is None:
        for name, candidate in orgs.items():
            if any(start <= s and e <= end for s, e in candidate.spans):
                organization = name
                country = country or candidate.country
                break
    return country, organization


def find_persons(layout: Layout, resources: Resources,
                 orgs: dict[str, OrgCandidate]) -> list[PersonCandidate]:
    """Named people with the role, country and organization the text attaches to them."""
    text = layout.text
    persons: list[PersonCandidate] = []
    for sentence in layout.body:
        roles: list[tuple[Match, RoleInfo]] = sentence.phrase_kinds("role")
        # Where the sentence's persons so far begin: a role does not reach past one of them to a
        # name that has a role of its own ("Estonian Prime Minister Kaja Kallas and Sanna Marin,
        # Prime Minister of Finland"), though it does to one that has none ("Presidents A and B").
        person_starts: list[int] = []
        # Roles already taken as a named person's apposition ("H.E. Joko Widodo, President of the
        # Republic of Indonesia, H.E. Ferdinand Marcos Jr., ..."): not the next name's role too.
        apposition_roles: set[int] = set()
        # Without a role in the sentence only a name of several words can be a person's.
        for run_start, run_end in _name_runs(sentence, text, resources, several_words=not roles):
            words = text[run_start:run_end].split()
            if _OF_THE_BEFORE.search(text, max(sentence.start, run_start - 8), run_start):
                # "Chairman of the Halk Maslahaty": what a role is "of" is a body or a place; a
                # longer run goes on past it to the name ("Secretary of the Treasury Scott Bessent").
                if len(words) < 3:
                    continue
                run_start = text.index(words[1], run_start + len(words[0]))
                words = words[1:]
            if words[-1].endswith(("'s", "’s")):
                # "Tokayev's proposal": the possessive is not part of the name.
                words[-1] = words[-1][:-2]
            candidate: PersonCandidate | None = None
            # Role before the name: "Deputy Minister of Energy of Russia Sergey Mochalnikov".
            left = [(m, info) for m, info in roles if m.end <= run_start] if roles else roles
            if left:
                match, info = left[-1]
                if match.start not in apposition_roles and _gap_is_attachment(
                        text[match.end:run_start], resources.honorifics) and not (
                        any(match.end <= start < run_start for start in person_starts)
                        and _own_role_follows(text, run_end, sentence.end, roles)):
                    window_start = max(sentence.start, match.start - 40)
                    owner = _OWNER_BEFORE.search(text[window_start:match.start])
                    ctx_start = window_start + owner.start() if owner else match.start
                    country, org = _context_country_org(sentence, ctx_start, run_start, orgs)
                    after_org = _ORG_AFTER.match(text, run_end)
                    if after_org:
                        right_country, right_org = _context_country_org(
                            sentence, run_end, min(sentence.end, after_org.end() + 60), orgs)
                        country = country or right_country
                        org = right_org or org
                    candidate = PersonCandidate(" ".join(words), info, country, org, confidence=0.9)
            # Role after the name: "Alexander Novak, Russia's Deputy Prime Minister".
            right = [(m, info) for m, info in roles if m.start >= run_end] if candidate is None and roles else None
            if right:
                after = text[run_end:sentence.end]
                lead = _RIGHT_ROLE.match(after)
                if lead:
                    match, info = right[0]
                    between = text[run_end + lead.end():match.start]
                    if len(between) <= 40 and _gap_is_attachment(between):
                        tail_end = _attachment_end(text, match.end, sentence.end)
                        country, org = _context_country_org(sentence, run_end, tail_end, orgs)
                        candidate = PersonCandidate(" ".join(words), info, country, org, confidence=0.85)
                        apposition_roles.add(match.start)
            if candidate is None and len(words) >= 2:
                before = text[max(sentence.start, run_start - 6):run_start]
                honorific = before.rstrip().rsplit(None, 1)[-1].replace(".", "") if before.strip() else ""
                if honorific in resources.honorifics or _SPEECH_VERBS.match(text[run_end:run_end + 30]):
                    candidate = PersonCandidate(" ".join(words), confidence=0.6)
            if candidate is None or (len(words) < 2 and candidate.role is None):
                continue
            if _too_long_for_a_name(words) or any(w.isupper() and len(w) > 1 and "." not in w for w in words):
                continue
            if candidate.country is None and _DELEGATION.search(text[sentence.start:sentence.end]):
                # "Leading the U.S. delegation were ... X and Y": the delegation's country.
                candidate.country = _delegation_country(sentence, text)
            if candidate.country is None and candidate.role is not None and candidate.role.role in _HOST_ROLES:
                # "von der Leyen travelled to Baku and signed a memorandum with President Ilham
                # Aliyev": the head of state a visitor meets is the host's.
                candidate.country = _visited_country(sentence, text)
            candidate.spans.append((sentence.start, sentence.end))
            persons.append(candidate)
            person_starts.append(run_start)
    return _merge_persons(persons, layout, resources)


def _own_role_follows(text: str, run_end: int, sentence_end: int, roles: list[tuple[Match, RoleInfo]]) -> bool:
    """Whether a role stands right after the name, set off by a comma ("Sanna Marin, Prime Minister")."""
    lead = _RIGHT_ROLE.match(text[run_end:sentence_end])
    return lead is not None and any(match.start == run_end + lead.end() for match, _ in roles)


_HOST_ROLES = frozenset({"President", "Prime Minister", "King", "Emir", "Crown Prince", "Chancellor"})
_TRAVEL_BEFORE = re.compile(r"\b(?:travell?ed to|arrived in|arrives in|flew to|visited|visiting|in a visit to|"
                            r"on a visit to|trip to)\s+$", re.I)


def _visited_country(sentence: Sentence, text: str) -> str | None:
    """The country of the city the sentence says someone travelled to ("travelled to Baku")."""
    for match in sentence.names:
        if _TRAVEL_BEFORE.search(text, max(sentence.start, match.start - 20), match.start):
            for entry in match.entries:
                if entry.kind == "city":
                    return str(entry.value[1])
                if entry.kind == "country":
                    return str(entry.value)
    return None


def _delegation_country(sentence: Sentence, text: str) -> str | None:
    for match in sentence.names:
        following = text[match.end:match.end + 16].lower()
        if "delegation" in following or following.startswith(" side"):
            for entry in match.entries:
                if entry.kind in {"country", "adjective"}:
                    return str(entry.value)
    return None


def _attachment_end(text: str, start: int, limit: int) -> int:
    """End of "of the National Energy Administration of China" after a role."""
    tail = _ROLE_ATTACHMENT.match(text, start, limit)
    return tail.end() if tail else start


def _same_person(a: PersonCandidate, b: PersonCandidate) -> bool:
    if a.country and b.country and a.country != b.country:
        return False
    if fuzz.ratio(a.name.lower(), b.name.lower()) >= 88:
        return True
    # Transliterations of the surname (Satkaliyev / Satkaliev) with compatible first names.
    if fuzz.ratio(a.surname.lower(), b.surname.lower()) >= 85:
        first_a, first_b = a.name.split()[0], b.name.split()[0]
        return len(a.name.split()) == 1 or len(b.name.split()) == 1 or first_a[0] == first_b[0]
    return False


def _merge_persons(persons: list[PersonCandidate], layout: Layout,
                   resources: Resources) -> list[PersonCandidate]:
    merged: list[PersonCandidate] = []
    for person in persons:
        for existing in merged:
            if _same_person(existing, person):
                if len(person.name) > len(existing.name):
                    existing.name = person.name
                if existing.role is None or (person.role and person.role.rank > existing.role.rank \
                        and existing.confidence <= person.confidence):
                    existing.role = existing.role or person.role
                existing.country = existing.country or person.country
                existing.organization = existing.organization or person.organization
                existing.spans.extend(person.spans)
                existing.confidence = max(existing.confidence, person.confidence)
                break
        else:
            merged.append(person)
    # Surname-only mentions later in the text ("Satkaliyev said ...") add evidence.
    surnames = defaultdict(list)
    for person in merged:
        surnames[person.surname].append(person)
    unique = {surname: owners[0] for surname, owners in surnames.items() if len(owners) == 1}
    if unique:
        # One scan of the text for all surnames, then each hit goes to its sentence.
        body = layout.body
        hits = _word_hits(layout.text, sorted(unique, key=len, reverse=True), body[0].start if body else 0)
        for sentence, surname in in_sentences(body, hits):
            span = (sentence.start, sentence.end)
            owner = unique[surname]
            if span not in owner.spans:
                owner.spans.append(span)
    for person in merged:
        if person.organization is None and person.role and person.role.body and person.country:
            person.organization = f"{person.role.body} of {country_name(resources, person.country)}"
    # A lone capitalised word next to a role is a department or a place far more often than a
    # person ("Minister of Petroleum and Mines", "Governor of Kemerovo"); surnames of people named
    # in full have merged into them above, so what is left alone is dropped.
    return [person for person in merged if len(person.name.split()) >= 2]


def _is_boundary(text: str, position: int) -> bool:
    """Whether `\\b` matches at `position`: a word character on exactly one side."""
    before = position > 0 and (text[position - 1].isalnum() or text[position - 1] == "_")
    after = position < len(text) and (text[position].isalnum() or text[position] == "_")
    return before != after


def _word_hits(text: str, words: list[str], position: int) -> list[tuple[int, int, str]]:
    """The (start, end, word) that `re.finditer(r"\\b(?:w1|w2|...)\\b", text, position)` finds.

    The names differ in every document, so a compiled pattern would miss the regex cache each
    time; plain substring searches give the same hits without compiling. As in the alternation,
    the first listed word that fits wins at a position, and the search resumes after each hit.
    """
    found: list[tuple[int, int, int, str]] = []
    for rank, word in enumerate(words):
        start = text.find(word, position)
        while start >= 0:
            end = start + len(word)
            if _is_boundary(text, start) and _is_boundary(text, end):
                found.append((start, rank, end, word))
            start = text.find(word, start + 1)
    found.sort()
    hits: list[tuple[int, int, str]] = []
    last_end = -1
    for start, _, end, word in found:
        if start >= last_end:
            hits.append((start, end, word))
            last_end = end
    return hits


@dataclass
class RoleMentionCandidate:
    """A role named without a person ("Kazakhstan's energy minister said..."), for the store to
    resolve against the role history of the knowledge base."""

    role: RoleInfo
    country: str
    span: tuple[int, int]


def find_role_mentions(layout: Layout, resources: Resources, persons: list[PersonCandidate],
                       orgs: dict[str, OrgCandidate]) -> list[RoleMentionCandidate]:
    """Roles with a country but no name beside them: "the Russian Deputy Prime Minister"."""
    text = layout.text
    found: list[RoleMentionCandidate] = []
    for sentence in layout.body:
        roles = sentence.phrase_kinds("role")
        if not roles:
            continue
        named = [p for p in persons if (sentence.start, sentence.end) in p.spans]
        for match, info in roles:
            if any(_name_near(text, person.name, match.start, match.end, sentence) for person in named):
                continue
            tail_end = _attachment_end(text, match.end, sentence.end)
            if _NAME_AFTER.match(text, tail_end, sentence.end):
                # A name follows that the person rules did not take: not role-only either.
                continue
            window_start = max(sentence.start, match.start - 40)
            owner = _OWNER_BEFORE.search(text[window_start:match.start])
            ctx_start = window_start + owner.start() if owner else match.start
            country, _ = _context_country_org(sentence, ctx_start, tail_end, orgs)
            if country is not None:
                found.append(RoleMentionCandidate(info, country, (match.start, tail_end)))
    return found


_NAME_AFTER = re.compile(r"\s*,?\s*[A-Z][a-z]")


def _name_near(text: str, name: str, start: int, end: int, sentence: Sentence) -> bool:
    surname = name.split()[-1]
    # A name just before ("Novak, Russia's Deputy Prime Minister") or after the role is its holder.
    window = text[max(sentence.start, start - 25):min(sentence.end, end + 80)]
    return surname in window


# --- countries --------------------------------------------------------------------------------

# The facts about a named country that tell a participant from a country named in passing. The
# rule score and the trained participant model (accordia/extract/model.py) both read them.
COUNTRY_FEATURES = (
    "officials_with_role", "officials_without_role", "state_bodies", "cooperative_mentions",
    "other_mentions", "passing_mentions", "venue", "in_header", "in_lead", "listed_after_cue",
    "possessive", "dateline", "adjective_only", "agreement_mentions",
)
# A list of countries may run through a body that is not a state ("France, the European Union and
# Germany"): one such item of up to four capitalised words is passed over.
_LIST_ITEM = r"(?-i:(?:[A-Z][\w’'\-]*\s+){0,3}[A-Z][\w’'\-]*)\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?"
# A list of countries right after one of these names the parties ("the ministers of A, B and C").
_LIST_CUE = re.compile(
    r"\b(?:delegations?|ministers?|leaders|heads of (?:state|government)|representatives|officials|"
    r"governments?|members?|partners|countries|states|nations|presidents|between|with|from|of|"
    r"made up of|comprising|consisting of|joined by|signed by|by|includes|include|namely)"
    r"\s+(?:of\s+|from\s+)?(?:the\s+)?(?:" + _LIST_ITEM + r")?$", re.I)
# ...unless the list is a route, a market or a group's history ("through Benin, Togo and Ghana",
# "serve Niger and Mali", "BRICS was founded by Brazil, Russia...").
_SIGNED_AFTER = re.compile(r"\s+(?:(?:also|have|has|had|jointly|both|all)\s+)*(?:signed|adopted|endorsed|ratified)\b")
# A list of states that acts together: "Nine members, including Iraq, Kuwait, Algeria and Oman,
# extended the voluntary cuts".
_LIST_ACTED_AFTER = re.compile(r"\s*[,\-–—]?\s+(?:(?:also|have|has|had|jointly|both|all|each)\s+)*(?:agreed|pledged|"
                               r"committed|joined|extended|announced|approved|launched|decided|held|met|attended)\b")
# A list a group's name or its members introduce: "The endorsing countries are the United States,
# Bulgaria...", "the eight countries that had announced cuts - Saudi Arabia, Russia...", "the member
# states of the Cooperation Council for the Arab States of the Gulf (GCC) - the United Arab Emirates".
_LIST_INTRO = re.compile(r"(?:\b(?:countries|states|members|nations|signatories|partners|participants)\b[^.;:]{0,80}?"
                         r"|\))\s*(?:[-–—:]|\b(?:are|were|include|included|includes)\b)\s*(?:the\s+)?$", re.I)
_ROUTE_BEFORE = re.compile(r"\b(?:through|via|along|across|transit|serve|serving|reach|reaching|export(?:s|ed)? to|"
                           r"import(?:s|ed)? from|supplies to|landlocked|neighbouring|neighboring|"
                           r"founded by|established by|created by|set up by|"
                           # ...or a market: who buys from, sells to, competes with whom.
                           r"buys?|bought|buying|purchases?|purchased|relies|rely|relying|reliance|dependence|"
                           r"compet(?:e|es|ing|ition|itors?)|rivals?|suppliers?|importers?|exporters?|"
                           r"(?:gas|oil|crude|lng|electricity|power|coal|uranium|cargoes|supplies|imports|exports)\s+"
                           r"(?:from|to)|"
                           # ...or the sides of a conflict, or what a pipeline links.
                           r"backed|backers?|supported|armed|sanctioned|links?|linking|connects?|connecting|"
                           r"neighbou?rs?|courts?|courting)\b", re.I)
_LIST_JOINER = re.compile(r"\s*(?:,\s*(?:and\s+|as well as\s+)?|\s+and\s+|\s*&\s*|\s+as well as\s+)(?:the\s+)?"
                          # "..., the Government of the Democratic Socialist Republic of Sri Lanka and
                          # the Government of the United Arab Emirates"
                          r"(?:(?-i:Government|Governments|Kingdom|Republic|State|Sultanate|Emirate)\s+of\s+(?:the\s+)?)?"
                          r"(?:" + _LIST_ITEM + r")?$")


@dataclass
class CountryEvidence:
    score: float = 0.0
    spans: list[tuple[int, int]] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTRY_FEATURES, 0.0))
    # Named as an observer of the group ("Hungary and Turkmenistan take part as observers").
    observer: bool = False

    def count(self, feature: str, cap: float) -> None:
        self.features[feature] = min(cap, self.features[feature] + 1)


def _listed_after_cue(text: str, matches: list[Match], position: int, sentence_start: int,
                      lists: _SentenceLists | None = None) -> bool:
    """Whether matches[position] is one of a list of countries that follows a participant cue.

    `lists` (the sentence's `_SentenceLists`) keeps what is read of the gaps and list ends, so
    each mention of a sentence does not read them again; the answer is the same without it.
    """
    lists = lists or _SentenceLists(text, matches, sentence_start)
    # Walk the list both ways; a joined item that is not a state (an organisation such as the
    # European Union) is passed over.
    joined = lists.joined
    first = position
    while first > 0 and joined(first):
        first -= 1
    while first < position and not matches[first].codes:
        first += 1
    last = position
    while last + 1 < len(matches) and joined(last + 1):
        last += 1
    while last > position and not matches[last].codes:
        last -= 1
    if lists.signed_after(last):
        # The states are the subject of a signing: "Germany and Sweden also signed the declaration".
        return True
    if first == last:
        return False
    if lists.acted_after(last):
        return True
    return lists.cue_before(first)


class _SentenceLists:
    """What `_listed_after_cue` reads around the country mentions of one sentence, each read once:
    whether a list joiner fills the gap before a mention, whether a signing verb or a verb of a
    list acting together follows one, and whether a participant cue or a list's introduction (and
    no route) precedes one."""

    __slots__ = ("_acted", "_cue", "_joined", "_signed", "matches", "sentence_start", "text")

    def __init__(self, text: str, matches: list[Match], sentence_start: int) -> None:
        self.text = text
        self.matches = matches
        self.sentence_start = sentence_start
        self._joined: dict[int, bool] = {}
        self._signed: dict[int, bool] = {}
        self._acted: dict[int, bool] = {}
        self._cue: dict[int, bool] = {}

    def joined(self, index: int) -> bool:
        """Whether only a list joiner stands between matches[index - 1] and matches[index]."""
        found = self._joined.get(index)
        if found is None:
            matches = self.matches
            found = self._joined[index] = bool(
                _LIST_JOINER.fullmatch(self.text[matches[index - 1].end:matches[index].start]))
        return found

    def signed_after(self, index: int) -> bool:
        """Whether a signing verb follows matches[index]."""
        found = self._signed.get(index)
        if found is None:
            found = self._signed[index] = bool(_SIGNED_AFTER.match(self.text, self.matches[index].end))
        return found

    def acted_after(self, index: int) -> bool:
        """Whether a verb of states acting together follows matches[index] (`_LIST_ACTED_AFTER`)."""
        found = self._acted.get(index)
        if found is None:
            found = self._acted[index] = bool(_LIST_ACTED_AFTER.match(self.text, self.matches[index].end))
        return found

    def cue_before(self, index: int) -> bool:
        """Whether a participant cue, and no route or market, comes just before matches[index]."""
        found = self._cue.get(index)
        if found is None:
            start = self.matches[index].start
            before = self.text[max(self.sentence_start, start - 70):start]
            introduction = self.text[max(self.sentence_start, start - 120):start]
            found = self._cue[index] = bool(_LIST_CUE.search(before) or _LIST_INTRO.search(introduction)) and (
                not _ROUTE_BEFORE.search(before))
        return found


_OBSERVER_NEAR = re.compile(r"\bobservers?\s+(?:state\s+|states\s+|from\s+)?(?:\w+\s+){0,2}$", re.I)
_OBSERVER_AFTER = re.compile(r"(?:\s+and\s+\w+)?[^.;]{0,40}?\b(?:as (?:an )?observers?|is an observer|observer status|"
                             r"are observers)\b", re.I)
_OBSERVER_WORD = re.compile("observer", re.I)
_STATE_BODIES = frozenset({"ministry", "agency", "state_company"})
_NO_CODES: frozenset[str] = frozenset()


def private_company_names(orgs: dict[str, OrgCandidate]) -> set[str]:
    """The names and acronyms of the private companies found: their people speak for the company,
    not for a state (docs/annotation.md)."""
    return {name for o in orgs.values() if o.kind == "company" for name in (o.name, o.acronym) if name}


def score_countries(layout: Layout, resources: Resources, orgs: dict[str, OrgCandidate],
                    persons: list[PersonCandidate], event_sentences: set[int],
                    agreement_sentences: set[int] | None = None) -> dict[str, CountryEvidence]:
    """Evidence that each named country takes part in the reported cooperation (score >= 1).

    Besides the rule score, each country's `features` (COUNTRY_FEATURES) are filled in for the
    trained participant model.
    """
    evidence: dict[str, CountryEvidence] = defaultdict(CountryEvidence)
    text = layout.text
    agreement_sentences = agreement_sentences or set()
    company_names = private_company_names(orgs)
    # An executive of a private company speaks for the company, not for its home state.
    officials = [p for p in persons if p.country and p.organization not in company_names]
    for person in officials:
        if person.country:
            item = evidence[person.country]
            item.score += 1.0 if person.role else 0.5
            item.count("officials_with_role" if person.role else "officials_without_role", 3)
            item.spans.extend(person.spans[:1])
    for org in orgs.values():
        if org.country and org.kind in _STATE_BODIES:
            item = evidence[org.country]
            item.score += 1.0
            item.count("state_bodies", 3)
            item.spans.extend(org.spans[:1])
    # An official or state body named where the cooperation is reported ("Deputy Director of the
    # National Energy Administration of China" among the delegations that met) is a mention of
    # its state in that sentence, though the state's name sits inside the body's name.
    actors = [(p.country, p.spans) for p in officials if p.country and p.role]
    actors += [(o.country, o.spans) for o in orgs.values() if o.country and o.kind in _STATE_BODIES]
    acting = sorted((span[0], span[1], code) for code, spans in actors for span in spans)
    for sentence, code in in_sentences(layout.body, acting):
        # ...and so is one named, however far down a long list, in a sentence that says who took
        # part ("the meeting was attended by H.E. Joko Widodo, President of the Republic of
        # Indonesia, ... and Sonexay Siphandone, Prime Minister of the Lao People's Democratic Republic").
        if sentence.index in event_sentences or any(
                value == "cooperation" for _, value in sentence.phrase_kinds("cue")):
            evidence[code].count("cooperative_mentions", 4)
    if layout.dateline_place:
        evidence[layout.dateline_place[1]].features["dateline"] = 1.0
    adjective_mentions: dict[str, int] = defaultdict(int)
    name_mentions: dict[str, int] = defaultdict(int)
    for sentence in layout.sentences:
        if sentence.in_body:
            continue
        for match in sentence.names:
            for code in match.codes:
                evidence[code].features["in_header"] = 1.0
    body = layout.body
    lead_index = body[0].index if body else -1
    passing_after = resources.passing_after
    folded = fold_case(text)
    for sentence in body:
        names = sentence.names
        if not names:
            continue
        cues = sentence.phrase_kinds("cue")
        in_event = sentence.index in event_sentences
        in_agreement = sentence.index in agreement_sentences
        in_lead = sentence.index == lead_index
        span = (sentence.start, sentence.end)
        cooperation_cues = [m for m, value in cues if value == "cooperation"]
        passing = [m for m, value in cues if value == "passing"]
        # A background sentence or an aside ("To note, Azerbaijan is implementing together with
        # Georgia...") names every country in it in passing, however cooperative its words.
        background = opens_with(layout, sentence, resources.background_opening, resources.aside_opening)
        passing_run = False
        # Both observer patterns take the word within the sentence: most sentences have none. Case
        # folding reads the word's letters as IGNORECASE does, but for "ſ" (which IGNORECASE takes
        # for "s"): the folded text is searched, and the pattern only where an "ſ" may stand in.
        observers_named = folded.find("observer", sentence.start, sentence.end) >= 0 or (
            text.find("\u017f", sentence.start, sentence.end) >= 0
            and _OBSERVER_WORD.search(text, sentence.start, sentence.end) is not None)
        lists = _SentenceLists(text, names, sentence.start)
        for position, match in enumerate(names):
            codes = match.codes
            # A list continues a mention in passing ("disconnected from the Russian and Belarusian
            # systems", "after those concluded with South Africa, Indonesia and Vietnam").
            passing_run = passing_run and bool(codes) and position > 0 and lists.joined(position)
            venue = {str(e.value[1]) for e in match.entries if e.kind == "city"
                     and _is_venue(text, match)} if in_event else _NO_CODES
            if not codes and not venue:
                # An organization or a city that hosts nothing: no evidence for any country.
                continue
            listed = bool(codes) and _listed_after_cue(text, names, position, sentence.start, lists)
            possessive = text[match.end:match.end + 2] in {"'s", "’s"}
            in_passing: bool | None = None
            # A cooperation word counts for the mentions near it, not for every state a long
            # sentence names ("relations" at one end, "Madrid" at the other).
            cooperative = in_event or any(abs(m.start - match.start) <= _COOPERATION_REACH
                                          for m in cooperation_cues)
            observer = bool(codes) and observers_named and bool(
                _OBSERVER_NEAR.search(text, max(sentence.start, match.start - 50), match.start)
                or _OBSERVER_AFTER.match(text, match.end, min(sentence.end, match.end + 60)))
            for code in (codes | venue if venue else codes):
                item = evidence[code]
                if code in venue and code not in codes:
                    # Hosting a meeting does not make a state a party to it (COP27 in Sharm
                    # el-Sheikh, Russian-Hungarian talks in Istanbul); the venue is kept as evidence.
                    item.features["venue"] = 1.0
                    item.spans.append(span)
                    continue
                if in_passing is None:
                    # The same for every code of the match: read once.
                    in_passing = background or passing_run or any(
                        0 <= match.start - p.end <= 25 for p in passing) or bool(
                        passing_after.match(text, match.end, min(len(text), match.end + 24))) or (
                        _names_private_company(text, names, position, resources))
                weight = 0.0 if in_passing else (0.55 if cooperative else 0.2)
                if listed and not in_passing and item.features["listed_after_cue"] == 0.0:
                    # One of the states listed as the parties ("ministers of A, B and C") is a
                    # participant on that mention alone.
                    weight = max(weight, 1.0)
                if weight:
                    item.score += weight
                    item.spans.append(span)
                if any(e.kind == "adjective" and e.value == code for e in match.entries):
                    adjective_mentions[code] += 1
                name_mentions[code] += 1
                if in_passing:
                    passing_run = True
                    item.count("passing_mentions", 3)
                elif cooperative:
                    item.count("cooperative_mentions", 4)
                else:
                    item.count("other_mentions", 4)
                if in_lead:
                    item.features["in_lead"] = 1.0
                if listed:
                    item.features["listed_after_cue"] = 1.0
                if possessive:
                    item.features["possessive"] = 1.0
                if observer:
                    item.observer = True
                if in_agreement:
                    item.count("agreement_mentions", 3)
    for code, item in evidence.items():
        if name_mentions[code] and adjective_mentions[code] == name_mentions[code]:
            item.features["adjective_only"] = 1.0
    return evidence


def _names_private_company(text: str, names: list[Match], position: int, resources: Resources) -> bool:
    """Whether the country mention only says where a private company comes from ("the Russian
    company Uranium One", "Saudi Arabia's ACWA Power", "U.S.-based Lilac Solutions")."""
    match = names[position]
    if resources.company_origin_after.match(text, match.end, min(len(text), match.end + 60)):
        return True
    if position + 1 < len(names):
        following = names[position + 1]
        return bool(_COMPANY_GAP.fullmatch(text, match.end, following.start)) and any(
            isinstance(entry.value, OrgInfo) and entry.value.kind == "company" for entry in following.of_kind("org"))
    return False


_COMPANY_GAP = re.compile(r"(?:['’]s)?\s+(?:the\s+)?")


def _is_venue(text: str, match: Match) -> bool:
    return bool(_VENUE_BEFORE.search(text[max(0, match.start - 12):match.start]))
