"""The resolution policy on plain values: names, organizations, places, role history, events, copies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from accordia.errors import DataFileError
from accordia.resolve import AliasRules, EventFacts, Matcher, RoleSpan, load_alias_rules, role_holder, shingles
from accordia.resolve.names import canonical_place, org_key, place_on


@pytest.mark.parametrize(("a", "b"), [
    ("Almassadam Satkaliyev", "Almassadam Satkaliev"),
    ("Almassadam Satkaliev", "Almasadam Satqaliev"),
    ("Jurabek Mirzamahmudov", "Jurabek Mirzamakhmudov"),
    ("Sergey Tsivilev", "Sergei Tsivilyov"),
    ("Satkaliyev", "Almassadam Satkaliyev"),
    ("Von der Leyen", "Ursula von der Leyen"),
])
def test_transliterations_are_one_person(a: str, b: str) -> None:
    same, reason = Matcher(AliasRules()).same_person(a, b)
    assert same, reason


@pytest.mark.parametrize(("a", "b"), [
    ("Alexander Novak", "Alexander Novikov"),
    ("Sergey Tsivilev", "Anton Tsivilev"),
])
def test_different_people_stay_apart(a: str, b: str) -> None:
    assert not Matcher(AliasRules()).same_person(a, b)[0]


def test_distinct_rule_overrides_the_matcher() -> None:
    rules = AliasRules()
    rules.add_distinct(["Almassadam Satkaliyev", "Almassadam Satkaliev"])
    same, reason = Matcher(rules).same_person("Almassadam Satkaliev", "Almassadam Satkaliyev")
    assert not same and "manual rule" in reason


@pytest.mark.parametrize(("a", "acronym_a", "b", "acronym_b"), [
    ("KMG", None, "KazMunayGas", "KMG"),
    ("KMG", None, "KazMunayGas", None),
    ("National Company KazMunayGas", None, "KazMunayGas", "KMG"),
    ("JSC NC KazMunayGas", None, "KazMunayGas", None),
    ("Kazakhstan Electricity Grid Operating Company", None, "KEGOC", None),
    ("ministry of energy of kazakhstan", None, "Ministry of Energy of Kazakhstan", None),
])
def test_organization_variants_are_one_body(a: str, acronym_a: str | None, b: str, acronym_b: str | None) -> None:
    same, reason = Matcher(AliasRules()).same_organization(a, acronym_a, b, acronym_b)
    assert same, reason


def test_different_organizations_stay_apart() -> None:
    matcher = Matcher(AliasRules())
    assert not matcher.same_organization("KEGOC", None, "KazMunayGas", "KMG")[0]
    assert not matcher.same_organization("Ministry of Energy of Kazakhstan", None,
                                         "Ministry of Energy of Uzbekistan", None)[0]
    assert org_key("National Company KazMunayGas") == org_key("KazMunayGas")


def test_places_compare_in_one_spelling_and_astana_is_named_by_date() -> None:
    assert canonical_place("Nur-Sultan") == canonical_place("Astana") == "Astana"
    assert canonical_place("Ashkhabad") == "Ashgabat" and canonical_place("Kiev") == "Kyiv"
    assert place_on("Astana", date(2021, 6, 1)) == "Nur-Sultan"
    assert place_on("Nur-Sultan", date(2023, 6, 1)) == "Astana"


SPANS = [
    RoleSpan(1, "Bolat Akchulakov", "Minister of Energy", "KZ", date(2022, 1, 10), date(2023, 8, 20)),
    RoleSpan(2, "Almassadam Satkaliyev", "Minister of Energy", "KZ", date(2023, 9, 5), date(2024, 6, 21)),
    RoleSpan(3, "Jurabek Mirzamakhmudov", "Minister of Energy", "UZ", date(2022, 3, 1), date(2024, 3, 3)),
]


@pytest.mark.parametrize(("day", "country", "expected"), [
    (date(2024, 1, 15), "KZ", 2),      # inside Satkaliyev's span
    (date(2022, 6, 1), "KZ", 1),       # inside Akchulakov's span
    (date(2024, 9, 1), "KZ", 2),       # after the last report: the nearest, latest holder
    (date(2023, 8, 28), "KZ", None),   # between two holders: the office changed hands
    (date(2024, 1, 15), "UZ", 3),
    (date(2024, 1, 15), "TM", None),   # nobody known
    (date(2027, 1, 1), "KZ", None),    # too far from any report
])
def test_role_only_mentions_resolve_by_role_history(day: date, country: str, expected: int | None) -> None:
    person, reason = role_holder(SPANS, "Minister of Energy", country, day)
    assert person == expected, reason


def test_two_holders_in_one_span_is_ambiguous() -> None:
    spans = [*SPANS, RoleSpan(4, "Someone Else", "Minister of Energy", "KZ", date(2024, 1, 1), date(2024, 2, 1))]
    person, reason = role_holder(spans, "Minister of Energy", "KZ", date(2024, 1, 15))
    assert person is None and "all seen" in reason


def _facts(**changes: object) -> EventFacts:
    base: dict[str, object] = {
        "type": "meeting", "date": date(2024, 3, 3), "place": "Tashkent", "countries": frozenset({"KZ", "UZ"}),
        "title": "Talks involving KZ, UZ in Tashkent", "persons": frozenset({"satkaliev", "mirzamahmudov"}),
        "text": shingles("The energy ministers met in Tashkent and signed a roadmap", 2),
    }
    base.update(changes)
    return EventFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "why"), [
    ({"date": date(2024, 4, 7)}, "dates 35 days apart"),
    ({"type": "signing"}, "different types"),
    ({"place": "Nur-Sultan"}, "different places"),
    ({"countries": frozenset({"KZ", "RU"}), "persons": frozenset()}, "participants overlap"),
    ({"persons": frozenset({"akchulakov", "novak"})}, "no person named in both"),
    ({"date": None}, "one date unknown"),
])
def test_events_that_differ_in_one_respect_stay_apart(changes: dict[str, object], why: str) -> None:
    same, reason = Matcher(AliasRules()).same_event(_facts(**changes), _facts())
    assert not same and why in reason


def test_one_event_told_twice_merges_with_its_reasons() -> None:
    other = _facts(date=date(2024, 3, 4), place="Toshkent", persons=frozenset({"satkaliev"}), text=frozenset())
    same, reason = Matcher(AliasRules()).same_event(other, _facts())
    assert same and "1 shared person" in reason and "place Tashkent" in reason


def test_an_event_with_nothing_but_type_and_date_in_common_is_not_merged() -> None:
    lone = _facts(place=None, countries=frozenset({"KZ"}), persons=frozenset(), title="x", text=frozenset())
    old = _facts(countries=frozenset({"KZ"}), persons=frozenset(), title="y", text=frozenset())
    same, reason = Matcher(AliasRules()).same_event(lone, old)
    assert not same and "nothing but" in reason


ARTICLE = ("Kazakhstan and Uzbekistan signed a roadmap on cooperation in the electric power sector on Sunday. "
           "The document was signed by the energy ministers of the two countries in Tashkent and runs to 2027. "
           "It covers the joint operation of the power grids, water releases in the growing season and trade "
           "in electricity between the two neighbours.")


def test_a_syndicated_copy_is_recognised_and_a_retelling_is_not() -> None:
    matcher = Matcher(AliasRules())
    copy = "Roadmap signed (Reuters)\n\n" + ARTICLE.replace("on Sunday", "on Sunday, March 3")
    retelling = ("The energy ministers of Uzbekistan and Kazakhstan met in Tashkent and agreed a roadmap for "
                 "electricity cooperation until 2027, covering grids, water and power trade.")
    assert matcher.is_copy(ARTICLE, copy)
    assert not matcher.is_copy(ARTICLE, retelling)


def test_alias_file_same_and_distinct(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("same:\n  - [QazaqGaz, KazTransGas]\ndistinct:\n  - [Alexander Novak, A. Novak]\n",
                    encoding="utf-8")
    rules = load_alias_rules([path], settings_file="")
    assert rules.group_of("Qazaqgaz") == rules.group_of("KazTransGas") == "kaztransgas"
    assert rules.forbids("A. Novak", ["Alexander Novak"])
    assert rules.forbids("Alexander Novak", ["Alexander Novak"]) is None


def test_a_bad_alias_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text("same: [KMG, KazMunayGas]\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"aliases\.yaml"):
        load_alias_rules([path], settings_file="")


def test_the_bundled_alias_file_is_empty() -> None:
    rules = load_alias_rules(settings_file="")
    assert rules.same == [] and rules.distinct == []


@pytest.mark.parametrize("size", [1, 2, 4])
@pytest.mark.parametrize("text", ["", "one", "two words", "The energy ministers met in Tashkent",
                                  "Tokaýev and  Мирзиёев met,\nagain; in Nur-Sultan (2021)!"])
def test_shingles_are_the_crc32_of_each_word_run(text: str, size: int) -> None:
    import re
    import zlib

    from accordia.resolve.names import _ascii

    words = re.findall(r"\w+", _ascii(text).lower())
    expected = frozenset({zlib.crc32(" ".join(words).encode())}) if 0 < len(words) < size else frozenset(
        zlib.crc32(" ".join(words[i:i + size]).encode()) for i in range(len(words) - size + 1))
    assert shingles(text, size) == expected
