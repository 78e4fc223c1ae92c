"""Strategies, regions and an agreement's life, on the sample knowledge base (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from accordia import analyze
from accordia.errors import DataFileError, InputError
from accordia.store import EventFilter, Store

SAMPLE_STRATEGY = """name: Caspian gas test strategy
approved: 2023-01-01
horizon: 2030
members: [TM]
organizations: [South Caucasus]
areas:
  - name: Gas
    topics: [oil_gas]
    keywords: [gas swap]
"""


@pytest.fixture
def store(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url)
    yield store
    store.close()


def test_bundled_strategies_load() -> None:
    assert analyze.available_strategies() == ["sco_energy_2030", "us_kz_strategic_energy_dialogue"]
    sco = analyze.load_strategy("sco_energy_2030")
    assert sco.approved == date(2024, 6, 21) and sco.horizon == 2030
    # SCO members come from regions.yaml, Belarus included since July 2024.
    assert {"CN", "RU", "KZ", "IN", "PK", "IR", "BY"} <= set(sco.members)
    assert sco.areas[0].topics == ("transit_export",)
    dialogue = analyze.load_strategy("us_kz_strategic_energy_dialogue")
    assert dialogue.members == ("US", "KZ") and len(dialogue.areas) == 6


def test_a_strategy_file_by_path_with_members_from_a_region(tmp_path: Path) -> None:
    path = tmp_path / "gas.yaml"
    path.write_text(SAMPLE_STRATEGY, encoding="utf-8")
    strategy = analyze.load_strategy(path)
    assert strategy.members == ("TM", "AM", "AZ", "GE")


@pytest.mark.parametrize(("change", "message"), [
    ("topics: [oil_gas]", "topics: [oil_and_gas]"),
    ("members: [TM]", "members: [XX]"),
    ("approved: 2023-01-01", "approved: soon"),
    ("organizations: [South Caucasus]", "organizations: [Atlantis]"),
])
def test_a_bad_strategy_file_names_its_line(tmp_path: Path, change: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(SAMPLE_STRATEGY.replace(change, message), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"bad\.yaml:\d+"):
        analyze.load_strategy(path)


def test_an_unknown_strategy_name_lists_the_bundled_ones() -> None:
    with pytest.raises(InputError, match="sco_energy_2030"):
        analyze.load_strategy("no_such_strategy")


def test_us_kazakhstan_dialogue_activity_per_area_and_member(store: Store) -> None:
    activity = analyze.strategy_activity(store, analyze.load_strategy("us_kz_strategic_energy_dialogue"),
                                         since=date(2023, 1, 1))
    areas = {a.area.name: a for a in activity.areas}
    minerals = {c.country: c for c in areas["Sustainable critical materials mining and refining"].cells}
    # The C5+1 summit in New York (September 2023) launched a critical minerals dialogue.
    assert any(d["source"].endswith("ca10_c5plus1_summit_critical_minerals_dialogue.txt")
               for d in minerals["US"].documents)
    assert minerals["KZ"].score >= minerals["US"].score > 0
    security = {c.country for c in areas["Global nuclear security"].cells}
    # ICONS 2024 in Vienna: Kazakhstan's energy ministry on nuclear security.
    assert "KZ" in security
    assert len(activity.rows()) == 6 * 2


def test_sco_strategy_counts_only_activity_since_its_approval(store: Store) -> None:
    strategy = analyze.load_strategy("sco_energy_2030")
    activity = analyze.strategy_activity(store, strategy)
    assert activity.since == date(2024, 6, 21)
    for area in activity.areas:
        for cell in area.cells:
            assert cell.country in strategy.members
            assert all(d["published"] is None or d["published"] >= "2024-06-21" for d in cell.documents)
    renewables = next(a for a in activity.areas if "renewables" in a.area.topics)
    # Azerbaijan, Kazakhstan and Uzbekistan's green energy agreement at COP29 (November 2024).
    assert {"KZ", "UZ"} <= {c.country for c in renewables.cells}
    everything = analyze.strategy_activity(store, strategy, since=date(2000, 1, 1))
    assert sum(a.score for a in everything.areas) > sum(a.score for a in activity.areas)


def test_regions_are_validated_and_found_by_alias() -> None:
    assert analyze.region("shanghai cooperation organisation").name == "SCO members"
    assert set(analyze.region("Central Asia").members) == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert len(analyze.region("EU").members) == 27
    with pytest.raises(InputError):
        analyze.region("Atlantis")


def test_agreement_life_from_signing_to_later_mentions(store: Store) -> None:
    [contract] = [a for a in store.agreements(EventFilter(country="UZ", limit=1000))
                  if "small nuclear power plant" in a.title]
    life = analyze.agreement_life(store, contract.id)
    # Rosatom's contract for a small nuclear plant in Jizzakh, signed in Tashkent on 27 May 2024 and
    # reported again the next day.
    assert life.entries[0].kind == "signed"
    assert life.entries[0].date == date(2024, 5, 27)
    assert "contract" in life.entries[0].evidence.lower()
    assert all(e.kind in analyze.KINDS for e in life.entries)
    assert [e.date for e in life.entries] == sorted(e.date for e in life.entries if e.date)
    assert {e.document_id for e in life.entries} == {s.document_id for s in store.agreement_sources(contract.id)}
    assert life.as_dict()["agreement"]["id"] == contract.id


def test_agreement_life_of_an_unknown_id(store: Store) -> None:
    from accordia.errors import NotFound

    with pytest.raises(NotFound):
        analyze.agreement_life(store, 10**6)
