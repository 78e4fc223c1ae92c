"""The two real reports that started the project (shared/seeds) give the records issue 2 describes."""

from __future__ import annotations

import pytest

from accordia import Document, extract, read_inputs
from tests.conftest import SEEDS

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the checkout")


def _record(name: str) -> dict:
    [document] = [d for d in read_inputs([str(SEEDS / name)]) if isinstance(d, Document)]
    record = extract(document).to_dict()
    for fact in record["events"] + record["agreements"]:
        for start, end in fact["evidence"]:
            assert 0 <= start < end <= len(document.text)
    return record


@pytest.fixture(scope="module")
def sco() -> dict:
    return _record("000_745bf46580cf1511.txt")


@pytest.fixture(scope="module")
def dialogue() -> dict:
    return _record("003_68c1dc45700fb2fa.txt")


def test_sco_countries_and_organization(sco: dict) -> None:
    assert sco["countries"] == ["CN", "IR", "KZ", "RU"]
    assert sco["published"] == "2024-06-21"
    sco_org = next(o for o in sco["organizations"] if o["acronym"] == "SCO")
    assert sco_org["name"] == "Shanghai Cooperation Organization"
    assert sco_org["kind"] == "intergovernmental"


@pytest.mark.parametrize(("surname", "role", "country"), [
    ("Satkaliyev", "Minister of Energy", "KZ"),
    ("Mochalnikov", "Deputy Minister of Energy", "RU"),
    ("Jinsong", "Deputy Director", "CN"),
    ("Khan", "Deputy Secretary General", None),
    ("Mehrabian", "Minister of Energy", "IR"),
])
def test_sco_officials_with_roles(sco: dict, surname: str, role: str, country: str | None) -> None:
    [person] = [p for p in sco["persons"] if p["name"].endswith(surname)]
    assert (person["role"], person["country"]) == (role, country)


def test_sco_minister_belongs_to_his_ministry(sco: dict) -> None:
    [minister] = [p for p in sco["persons"] if p["name"] == "Almassadam Satkaliyev"]
    assert minister["organization"] == "Ministry of Energy of Kazakhstan"


def test_sco_conference_in_astana(sco: dict) -> None:
    [conference] = [e for e in sco["events"] if e["type"] == "conference"]
    assert (conference["date"], conference["place"]) == ("2024-06-21", "Astana")
    assert "Meeting of Energy Ministers" in conference["title"]
    assert conference["countries"] == ["CN", "IR", "KZ", "RU"]


def test_sco_strategy_approved_with_its_key_areas(sco: dict) -> None:
    [strategy] = sco["agreements"]
    assert strategy["type"] == "strategy"
    assert strategy["status"] == "approved"
    assert strategy["horizon"] == "2030"
    assert strategy["title"].startswith("Development strategy for energy cooperation among SCO")
    assert strategy["parties"] == ["SCO"]
    # The five key areas: transit and export routes; a new energy system; modernising
    # traditional sources; innovation in renewables including hydrogen; energy conservation.
    assert {"transit_export", "infrastructure", "technology_innovation", "renewables", "hydrogen",
            "efficiency"} <= set(strategy["topics"])
    assert any(e["type"] == "approval" for e in sco["events"])


def test_sco_document_topics(sco: dict) -> None:
    assert {"oil_gas", "infrastructure", "energy_security", "technology_innovation", "investment_finance",
            "transit_export", "renewables", "hydrogen", "efficiency"} <= set(sco["topics"])


def test_dialogue_countries_and_event(dialogue: dict) -> None:
    assert dialogue["countries"] == ["KZ", "US"]
    [conference] = [e for e in dialogue["events"] if e["type"] == "conference"]
    assert conference["place"] == "Astana"
    assert "Strategic Energy Dialogue" in conference["title"]


def test_dialogue_memorandum_on_critical_minerals(dialogue: dict) -> None:
    [mou] = dialogue["agreements"]
    assert (mou["type"], mou["status"], mou["countries"]) == ("mou", "signed", ["KZ", "US"])
    assert set(mou["parties"]) == {"U.S. Department of State", "National Geological Survey of Kazakhstan",
                                   "Tau-Ken Samruk"}
    assert "critical_minerals" in mou["topics"]
    assert any(e["type"] == "signing" for e in dialogue["events"])


def test_dialogue_six_areas_as_topics(dialogue: dict) -> None:
    assert {"climate_emissions", "critical_minerals", "nuclear_energy", "renewables", "energy_security",
            "nuclear_security"} <= set(dialogue["topics"])


def test_dialogue_us_officials(dialogue: dict) -> None:
    officials = {p["name"]: (p["role"], p["country"]) for p in dialogue["persons"]}
    assert officials["Kimberly Harrington"] == ("Deputy Assistant Secretary", "US")
    assert officials["Joshua Volz"] == ("Deputy Assistant Secretary", "US")
