"""A deterministic generator of realistic energy-cooperation reports for benchmarks.

Countries, capitals, cities, organizations, roles and topic keywords come from the bundled data
files (`accordia/data/*.yaml`), so every name the extractor knows can turn up. Each report is a
wire story or press release of about 3 KB: a headline, a byline in one of several styles, a
dateline, a lead about a meeting, signing, approval, visit or conference, quoted speech, a list
of areas of cooperation, and background paragraphs that name other countries in passing.

Report `i` depends only on `(seed, i)`, so the same seed gives byte-identical output and any
slice of a corpus can be made without the rest. About one report in ten retells an earlier
report's event (same type, date, place, countries and people) in other words under another
outlet, so event resolution and deduplication have real work to do. Every text carries its
own story number, so no two texts are identical and ingest never skips one as already stored.

    python benchmarks/corpus.py --count 1000 --seed 7 --out corpus/    # one .txt file per report
    python benchmarks/corpus.py --count 10 --out -                     # JSON lines on stdout
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from accordia.extract.resources import data_paths
from accordia.models import Document

__all__ = ["RETELL_SHARE", "World", "generate_documents", "generate_texts", "load_world", "main"]

# Share of reports that describe an event already described by an earlier report.
RETELL_SHARE = 0.10
# A retelling looks back at most this many reports, as syndicated follow-ups arrive soon after.
RETELL_WINDOW = 40
EVENT_TYPES = ("meeting", "signing", "approval", "visit", "conference")
FIRST_DAY = date(2019, 1, 1)
DAYS = 7 * 365

# Person names are the generator's own: common given names and surnames of several regions,
# enough that surnames repeat across reports (so person resolution is exercised) but not always.
GIVEN_NAMES = (
    "Almas",
    "Aigerim",
    "Nurlan",
    "Dilnoza",
    "Sardor",
    "Bakhyt",
    "Rustam",
    "Gulnara",
    "Timur",
    "Madina",
    "Sergey",
    "Olga",
    "Pavel",
    "Irina",
    "Andrei",
    "Elena",
    "Mehmet",
    "Ayse",
    "Emre",
    "Zeynep",
    "Rahul",
    "Priya",
    "Arjun",
    "Meera",
    "Wei",
    "Li",
    "Jun",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Min-jun",
    "Ji-woo",
    "Ahmed",
    "Fatima",
    "Omar",
    "Layla",
    "Karim",
    "Nadia",
    "John",
    "Sarah",
    "Michael",
    "Laura",
    "David",
    "Anna",
    "Thomas",
    "Claire",
    "Marco",
    "Giulia",
    "Pierre",
    "Sophie",
    "Lars",
    "Ingrid",
    "Pedro",
    "Lucia",
    "Kwame",
    "Amina",
    "Tunde",
    "Ngozi",
    "Carlos",
    "Mariana",
    "Jakub",
    "Katarzyna",
    "Andrius",
    "Liga",
)
SURNAMES = (
    "Akhmetov",
    "Satkaliyev",
    "Nurlanova",
    "Yusupov",
    "Karimova",
    "Abdullaev",
    "Tursunov",
    "Ismailova",
    "Orlov",
    "Petrova",
    "Volkov",
    "Sokolova",
    "Kuznetsov",
    "Demir",
    "Yilmaz",
    "Kaya",
    "Celik",
    "Sharma",
    "Iyer",
    "Mehta",
    "Banerjee",
    "Zhang",
    "Liu",
    "Chen",
    "Wang",
    "Tanaka",
    "Suzuki",
    "Watanabe",
    "Park",
    "Kim",
    "Choi",
    "Haddad",
    "Mansour",
    "Khalil",
    "Farouk",
    "Rahman",
    "Miller",
    "Walker",
    "Bennett",
    "Hughes",
    "Fischer",
    "Schneider",
    "Weber",
    "Rossi",
    "Bianchi",
    "Laurent",
    "Moreau",
    "Dubois",
    "Johansson",
    "Lindqvist",
    "Almeida",
    "Ferreira",
    "Santos",
    "Mensah",
    "Okafor",
    "Adeyemi",
    "Novak",
    "Kowalski",
    "Wisniewska",
    "Petrauskas",
    "Ozols",
    "Kenzhebekov",
    "Zhaksybekov",
    "Mirzaev",
    "Rakhimov",
)
OUTLETS = (
    "Steppe Energy Wire",
    "Caspian Business Desk",
    "Continental Power Review",
    "Gulf Energy Monitor",
    "Transit Pipeline Journal",
    "Northern Grid Report",
    "Atlas Commodities Wire",
    "Meridian Policy Brief",
    "Harbour Energy Dispatch",
    "Highland Resources Bulletin",
    "Delta Power Digest",
    "Silk Road Energy Notes",
    "Equator Markets Daily",
    "Baltic Energy Ledger",
    "Andes Resources Wire",
    "Pacific Energy Observer",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
MONTHS_SHORT = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Roles that senior officials in these stories hold, by canonical name in roles.yaml.
LEAD_ROLES = (
    "Minister of Energy",
    "Deputy Prime Minister",
    "Prime Minister",
    "Minister of Foreign Affairs",
    "Minister of Economy",
    "Minister of Industry",
    "Minister of Natural Resources",
    "Deputy Minister of Energy",
    "President",
)
AGREEMENT_WORDS = {
    "mou": ("memorandum of understanding", "memorandum of cooperation", "MoU"),
    "agreement": ("intergovernmental agreement", "framework agreement", "cooperation agreement"),
    "roadmap": ("roadmap", "joint action plan", "implementation plan"),
    "contract": ("supply contract", "power purchase agreement", "sale and purchase agreement"),
    "strategy": ("development programme", "strategy", "master plan"),
}
CONFERENCE_NAMES = (
    "Energy Week",
    "Energy Forum",
    "Ministerial Conference on Energy Transition",
    "Summit on Energy Security",
    "Investment Forum",
    "Energy Dialogue",
)
PASSING_CUES = (
    "Prices in {a} have eased since the spring, while demand in {b} kept rising.",
    "Analysts compared the plan with similar projects in {a} and {b}.",
    "The sanctions on {a} and the war in {b} have reshaped supply routes across the region.",
    "Markets of {a} remain the main outlet for the region's crude, unlike those of {b}.",
    "Output in {a} fell by a few per cent last quarter, as it did in {b}.",
)
FILLER = (
    "Officials said technical teams would meet again before the end of the quarter to review progress.",
    "The two sides have held regular consultations on energy since the previous decade.",
    "Industry observers noted that financing terms had not been published.",
    "The ministry said further details would be released after the legal review is complete.",
    "Experts at the meeting pointed to the need for stable long-term rules for investors.",
    "A follow-up session of the working group is planned for later in the year.",
    "The statement did not give a figure for the total value of the planned investments.",
    "Regional utilities have asked for clearer grid connection procedures for new projects.",
    "Delegations also reviewed the state of earlier projects and the timetable for new ones.",
    "Local officials said the programme would create jobs in construction and maintenance.",
    "Neither side disclosed how the first phase of the work would be financed.",
    "Both governments have set targets for cutting emissions from the power sector by the end of the decade.",
    "The talks took place against the background of volatile fuel prices and tight supply chains.",
    "Engineers from both countries will prepare a feasibility study over the coming months.",
    "Company executives who attended said they were waiting for the final terms before committing capital.",
    "The agenda also included training for specialists and exchanges between universities.",
    "A joint statement issued afterwards listed several projects at different stages of preparation.",
    "Observers said the outcome was more modest than the organisers had hoped for.",
    "The next round of talks is expected to take place in the partner country's capital.",
    "Environmental groups called for public hearings on the larger projects before any final decision.",
)
PROJECTS = (
    "{org} plans to build a {size} megawatt {what} plant in the {region} region, with construction due to "
    "begin in {year}.",
    "{org} said it was ready to invest about {money} billion dollars in {what} projects over the next decade.",
    "Under the plan, {org} would raise annual output by {size} thousand tonnes, mainly for export.",
    "A pilot {what} project run by {org} is expected to start operating in {year}, officials said.",
)
REGIONS = ("northern", "southern", "eastern", "western", "central", "coastal", "mountain", "border")


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    adjective: str
    capital: str
    cities: tuple[str, ...]


@dataclass(frozen=True)
class Org:
    name: str
    acronym: str | None
    kind: str
    country: str | None


@dataclass(frozen=True)
class World:
    """The names a generated report draws on, read from the data files."""

    countries: tuple[Country, ...]
    orgs_by_country: dict[str, tuple[Org, ...]]
    intergovernmental: tuple[Org, ...]
    roles: dict[str, tuple[str, ...]]
    topics: dict[str, tuple[str, ...]]
    places: tuple[tuple[str, str], ...]


@functools.cache
def load_world(data_dir: Path | None = None) -> World:
    """Read the gazetteers once: countries with a capital and an adjective, their bodies, roles, topics."""
    paths = data_paths(data_dir)

    def entries(name: str) -> list[Any]:
        found: list[Any] = []
        for path in paths[name]:
            found.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
        return found

    countries = tuple(
        Country(
            str(c["code"]),
            c["names"][0],
            (c.get("adjectives") or [c["names"][0]])[0],
            c["capital"],
            tuple(c.get("cities") or ()),
        )
        for c in entries("countries")
        if c.get("capital") and c.get("names")
    )
    orgs_by_country: dict[str, list[Org]] = {}
    intergovernmental: list[Org] = []
    for item in entries("organizations"):
        org = Org(item["name"], item.get("acronym"), item["kind"], item.get("country"))
        if org.kind == "intergovernmental":
            intergovernmental.append(org)
        elif org.country and org.kind in {"ministry", "agency", "state_company"}:
            orgs_by_country.setdefault(org.country, []).append(org)
    roles = {str(r["role"]): tuple(r.get("variants") or [str(r["role"]).lower()]) for r in entries("roles")}
    topics = {str(t["code"]): tuple(t["keywords"]) for t in entries("topics")}
    places = tuple((str(p["name"]), str(p["country"])) for p in entries("places"))
    # Countries active in energy diplomacy (those with cities listed) are drawn more often below.
    return World(
        countries,
        {k: tuple(v) for k, v in orgs_by_country.items()},
        tuple(intergovernmental),
        {k: v for k, v in roles.items() if k in LEAD_ROLES},
        topics,
        places,
    )


@dataclass(frozen=True)
class Official:
    given: str
    surname: str
    role: str
    country: Country


@dataclass(frozen=True)
class Facts:
    """What happened, independent of the words used to report it."""

    type: str
    day: date
    host: Country
    guests: tuple[Country, ...]
    city: str
    officials: tuple[Official, ...]
    topics: tuple[str, ...]
    agreement: str
    horizon: int
    conference: str


def _pick_country(rng: random.Random, world: World, exclude: Sequence[Country] = ()) -> Country:
    # Two in three picks come from the states the gazetteer knows cities for (the busy ones).
    busy = [c for c in world.countries if c.cities]
    while True:
        country = rng.choice(busy if rng.random() < 0.67 and busy else world.countries)
        if country not in exclude:
            return country


def _facts(seed: int, index: int, world: World) -> Facts:
    rng = random.Random(f"facts:{seed}:{index}")
    kind = rng.choices(EVENT_TYPES, weights=(30, 25, 12, 18, 15))[0]
    host = _pick_country(rng, world)
    guests: list[Country] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3)) if kind != "conference" else rng.randint(3, 6)):
        guests.append(_pick_country(rng, world, [host, *guests]))
    city = rng.choice((host.capital, host.capital, *host.cities)) if host.cities else host.capital
    officials = []
    for country in (host, *guests[:2]):
        officials.append(
            Official(rng.choice(GIVEN_NAMES), rng.choice(SURNAMES), rng.choice(tuple(world.roles)), country)
        )
    topics = tuple(rng.sample(sorted(world.topics), rng.randint(1, 3)))
    return Facts(
        kind,
        FIRST_DAY + timedelta(days=rng.randrange(DAYS)),
        host,
        tuple(guests),
        city,
        tuple(officials),
        topics,
        rng.choice(tuple(AGREEMENT_WORDS)),
        rng.choice((2027, 2030, 2035, 2040)),
        rng.choice(CONFERENCE_NAMES),
    )


def _date_long(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _date_us(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def _byline(rng: random.Random, outlet: str, published: date, story: int) -> str:
    hour, minute = rng.randrange(6, 23), rng.randrange(60)
    style = rng.randrange(4)
    if style == 0:
        return f"{outlet} | {_date_long(published)}, {hour:02d}:{minute:02d} (UTC) | Story {story}"
    if style == 1:
        return f"{outlet}\nPublished {_date_us(published)} · ref. {story}"
    if style == 2:
        return f"{outlet} — {published.isoformat()} {hour:02d}:{minute:02d} — item {story}"
    return f"By {rng.choice(GIVEN_NAMES)} {rng.choice(SURNAMES)}, {outlet} (no. {story}) | {_date_long(published)}"


def _dateline(rng: random.Random, facts: Facts, published: date) -> str:
    style = rng.randrange(3)
    if style == 0:
        return f"{facts.city.upper()}, {MONTHS_SHORT[published.month - 1]} {published.day} — "
    if style == 1:
        return f"{facts.city}, {facts.host.name}, {_date_long(published)}. "
    return f"{facts.city.upper()} — "


def _when(rng: random.Random, day: date, published: date) -> str:
    """The event date as a report words it: absolute, or relative to the report date."""
    gap = (published - day).days
    if gap == 0:
        return rng.choice(("today", "on " + WEEKDAYS[day.weekday()]))
    if gap == 1:
        return rng.choice(("yesterday", "on " + WEEKDAYS[day.weekday()]))
    if gap < 7:
        return "on " + WEEKDAYS[day.weekday()]
    return rng.choice((f"on {_date_long(day)}", f"on {_date_us(day)}"))


def _title(official: Official, world: World, rng: random.Random) -> str:
    wording = rng.choice(world.roles[official.role])
    words = [w if w in {"of", "and", "for", "the"} else w.capitalize() for w in wording.split()]
    return f"{official.country.adjective} {' '.join(words)}"


def _person(official: Official, world: World, rng: random.Random, full: bool = True) -> str:
    name = f"{official.given} {official.surname}" if full else official.surname
    if rng.random() < 0.5:
        return f"{_title(official, world, rng)} {name}"
    return f"{name}, {official.country.name}'s {rng.choice(world.roles[official.role])},"


def _org(rng: random.Random, world: World, country: Country) -> str | None:
    orgs = world.orgs_by_country.get(country.code)
    if not orgs:
        return None
    org = rng.choice(orgs)
    return org.acronym if org.acronym and rng.random() < 0.4 else org.name


def _areas(rng: random.Random, world: World, facts: Facts) -> str:
    words = [rng.choice(world.topics[t]) for t in facts.topics]
    words += [rng.choice(world.topics[t]) for t in rng.sample(sorted(world.topics), 2)]
    words = list(dict.fromkeys(words))
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


def _parties(facts: Facts) -> str:
    names = [facts.host.name, *(g.name for g in facts.guests)]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _lead(rng: random.Random, world: World, facts: Facts, when: str) -> str:
    host, guest = facts.officials[0], facts.officials[1]
    agreement = rng.choice(AGREEMENT_WORDS[facts.agreement])
    areas = _areas(rng, world, facts)
    if facts.type == "meeting":
        return rng.choice(
            (
                f"{_person(host, world, rng)} met {_person(guest, world, rng)} in {facts.city} {when} to discuss "
                f"cooperation in {areas}.",
                f"{_person(guest, world, rng)} held talks with {_person(host, world, rng)} {when} in {facts.city}, "
                f"where the sides reviewed joint work on {areas}.",
            )
        )
    if facts.type == "signing":
        return rng.choice(
            (
                f"{facts.host.name} and {facts.guests[0].name} signed a {agreement} on {areas} in {facts.city} {when}, "
                f"covering the period until {facts.horizon}.",
                f"{_person(host, world, rng)} and {_person(guest, world, rng)} put their signatures {when} to a "
                f"{agreement} that sets out cooperation in {areas} until {facts.horizon}.",
            )
        )
    if facts.type == "approval":
        return rng.choice(
            (
                f"The government of {facts.host.name} approved {when} a {agreement} with {facts.guests[0].name} on "
                f"{areas}, the cabinet office said in {facts.city}.",
                f"{facts.host.adjective} lawmakers ratified {when} the {agreement} with {facts.guests[0].name}, "
                f"which covers {areas} until {facts.horizon}.",
            )
        )
    if facts.type == "visit":
        return rng.choice(
            (
                f"{_person(guest, world, rng)} arrived in {facts.city} {when} on an official visit to "
                f"{facts.host.name} focused on {areas}.",
                f"{_person(guest, world, rng)} paid a working visit to {facts.host.name} {when}, meeting officials "
                f"in {facts.city} to discuss {areas}.",
            )
        )
    return rng.choice(
        (
            f"Ministers and officials from {_parties(facts)} gathered in {facts.city} {when} for the "
            f"{facts.host.adjective} {facts.conference}, with {areas} high on the agenda.",
            f"The {facts.conference} opened in {facts.city} {when}, bringing together delegations of {_parties(facts)} "
            f"to discuss {areas}.",
        )
    )


def _quote(rng: random.Random, world: World, facts: Facts, official: Official) -> str:
    topic = rng.choice(world.topics[rng.choice(facts.topics)])
    said = rng.choice(("said", "told reporters", "noted", "stressed"))
    line = rng.choice(
        (
            f"Our countries share a long history, and {topic} is where we can do the most together",
            f"We agreed to move from plans to projects in {topic} within the next two years",
            f"Investors need predictable rules, and this is what we are offering in {topic}",
            f"The work on {topic} will continue at the level of experts and companies",
        )
    )
    return f"“{line},” {official.surname} {said}."


def _render(facts: Facts, world: World, seed: int, index: int, retold: bool) -> str:
    rng = random.Random(f"text:{seed}:{index}")
    published = facts.day + timedelta(days=rng.choice((0, 0, 1, 1, 2, 5, 9)))
    outlet = rng.choice(OUTLETS)
    when = _when(rng, facts.day, published)
    kind_word = {
        "meeting": "hold talks on",
        "signing": "sign deal on",
        "approval": "approves pact on",
        "visit": "visit focuses on",
        "conference": "forum discusses",
    }[facts.type]
    first_topic = rng.choice(world.topics[facts.topics[0]])
    headline = rng.choice(
        (
            f"{facts.host.name} and {facts.guests[0].name} {kind_word} {first_topic}",
            f"{facts.host.adjective}-{facts.guests[0].adjective} {first_topic} cooperation: "
            f"{facts.type} in {facts.city}",
            f"{facts.guests[0].name}, {facts.host.name} look to {first_topic} ties",
        )
    )
    if retold:
        headline = rng.choice(("Update: ", "Follow-up: ", "Analysis: ")) + headline
    paragraphs = [headline, _byline(rng, outlet, published, 100_000 + index)]
    paragraphs.append(_dateline(rng, facts, published) + _lead(rng, world, facts, when))

    host, guest = facts.officials[0], facts.officials[1]
    org_host, org_guest = _org(rng, world, facts.host), _org(rng, world, facts.guests[0])
    body: list[str] = []
    if org_host or org_guest:
        names = [n for n in (org_host, org_guest) if n]
        body.append(
            f"Representatives of {' and '.join(names)} also took part, according to the "
            f"{rng.choice(('ministry', 'government', 'organisers'))}."
        )
    body.append(_quote(rng, world, facts, host))
    body.append(
        f"The parties agreed to expand cooperation in {_areas(rng, world, facts)}, and to set up "
        f"a joint working group that will report back by {facts.horizon}."
    )
    if facts.type != "signing" and rng.random() < 0.5:
        body.append(
            f"Officials said a {rng.choice(AGREEMENT_WORDS[facts.agreement])} is expected to be signed later this year."
        )
    body.append(_quote(rng, world, facts, guest))
    if len(facts.officials) > 2 and rng.random() < 0.6:
        third = facts.officials[2]
        body.append(
            f"{_person(third, world, rng)} joined the talks and spoke about regional "
            f"{rng.choice(world.topics[rng.choice(facts.topics)])} projects."
        )
    if world.intergovernmental and rng.random() < 0.3:
        body.append(f"Experts from the {rng.choice(world.intergovernmental).name} attended as observers.")
    paragraphs.append(" ".join(body))

    # Who led each side, and what the companies plan: the part a real report spends most words on.
    project_org = org_host or org_guest or f"The {facts.host.adjective} energy ministry"
    what = rng.choice(world.topics[rng.choice(facts.topics)])
    details = [
        f"The {facts.host.adjective} side was led by {_person(host, world, rng)} while the "
        f"{facts.guests[0].adjective} delegation was headed by {_person(guest, world, rng)}.",
        rng.choice(PROJECTS).format(
            org=project_org,
            size=rng.randrange(50, 1500, 10),
            what=what,
            region=rng.choice(REGIONS),
            year=facts.day.year + rng.randint(1, 4),
            money=rng.randint(1, 20),
        ),
        f"{host.surname} said the {facts.guests[0].adjective} partners had shown strong interest in "
        f"{_areas(rng, world, facts)}.",
    ]
    filler = rng.sample(FILLER, rng.randint(8, 12))
    details.extend(filler[:2])
    paragraphs.append(" ".join(details))
    paragraphs.append(
        f"Trade between {facts.host.name} and {facts.guests[0].name} reached {rng.randint(40, 990)} million "
        f"dollars last year, {rng.choice(('up', 'down'))} {rng.randint(2, 30)} per cent, with "
        f"{rng.choice(world.topics[rng.choice(sorted(world.topics))])} accounting for the largest share. "
        + _quote(rng, world, facts, host if rng.random() < 0.5 else guest)
        + f" The {rng.choice(AGREEMENT_WORDS[facts.agreement])} discussed this year would be the "
        f"{rng.choice(('first', 'second', 'third'))} of its kind between the two countries."
    )

    background: list[str] = []
    for _ in range(rng.randint(2, 4)):
        a = _pick_country(rng, world, [facts.host, *facts.guests])
        b = _pick_country(rng, world, [facts.host, *facts.guests, a])
        background.append(rng.choice(PASSING_CUES).format(a=a.name, b=b.name))
    background.extend(filler[2:])
    rng.shuffle(background)
    while background:
        take = rng.randint(2, 4)
        paragraphs.append(" ".join(background[:take]))
        background = background[take:]
    paragraphs.append(
        f"{facts.host.adjective} and {facts.guests[0].adjective} officials last met "
        f"{rng.randint(2, 14)} months ago, when they discussed "
        f"{rng.choice(world.topics[rng.choice(sorted(world.topics))])}."
    )
    # An appositive title that ends a sentence ("…, Hungary's energy minister,.") loses its comma.
    return ("\n\n".join(paragraphs) + "\n").replace(",.", ".")


def generate_texts(count: int, seed: int = 0, start: int = 0, data_dir: Path | None = None) -> Iterator[str]:
    """Report texts `start` .. `start + count - 1` of the corpus of `seed`, made lazily one at a time."""
    world = load_world(data_dir)
    for index in range(start, start + count):
        rng = random.Random(f"retell:{seed}:{index}")
        source = index
        if index > 0 and rng.random() < RETELL_SHARE:
            source = max(0, index - rng.randint(1, RETELL_WINDOW))
        yield _render(_facts(seed, source, world), world, seed, index, source != index)


def generate_documents(count: int, seed: int = 0, start: int = 0, data_dir: Path | None = None) -> Iterator[Document]:
    """The corpus as `Document`s, as `accordia.ingest` would read them from `bench/NNNNNNN.txt`."""
    for offset, text in enumerate(generate_texts(count, seed, start, data_dir)):
        yield Document(source=f"bench/{start + offset:07d}.txt", text=text)


def main(argv: Sequence[str] | None = None) -> int:
    """Write a corpus as .txt files into a directory, or as JSON lines on stdout with `--out -`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1000, help="number of reports")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same corpus")
    parser.add_argument("--out", default="-", help="directory for .txt files, or - for JSON lines on stdout")
    args = parser.parse_args(argv)
    documents = generate_documents(args.count, args.seed)
    if args.out == "-":
        for document in documents:
            sys.stdout.write(json.dumps({"source": document.source, "text": document.text}) + "\n")
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for document in documents:
        (out / Path(document.source).name).write_text(document.text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
