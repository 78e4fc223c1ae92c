"""Resolution in the store on SQLite and PostgreSQL: role history, organizations, copies, splits, alias file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from accordia import Document, extract
from accordia.cli import app
from accordia.resolve import AliasRules, Matcher, load_alias_rules
from accordia.store import EventFilter, Store

TALKS = """Kazakhstan and Uzbekistan energy ministers meet in Tashkent

TASHKENT, March 3, 2024. The Minister of Energy of Uzbekistan Jurabek Mirzamakhmudov and
Kazakhstan's Minister of Energy Almassadam Satkaliyev held talks in Tashkent on Sunday and signed a
roadmap on cooperation in the electric power sector until 2027.
"""

LATER = """Kazakh minister visits Astana power plant

ASTANA, June 21, 2024. Kazakhstan's Minister of Energy Almassadam Satkaliev inspected the
modernisation of a combined heat and power plant in Astana on Friday.
"""

KMG = """KazMunayGas and SOCAR sign oil transit memorandum

BAKU, April 10, 2024. National Company KazMunayGas and SOCAR signed a memorandum on the transit of
Kazakh oil through Azerbaijan. KMG said the first volumes would move in May.
"""


def _add(store: Store, source: str, text: str) -> int:
    document = Document(source=source, text=text)
    return store.add_document(document, extract(document)).document_id


def _person(store: Store, fragment: str) -> int:
    [row] = store.entities(kind="person", query=fragment)
    return row.id


def test_role_history_resolves_a_role_only_mention(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "talks.txt", TALKS)
    _add(store, "later.txt", LATER)
    satkaliyev = _person(store, "satkali")
    [span] = [s for s in store.role_history("Minister of Energy", "KZ")]
    assert (span.entity_id, span.first_seen, span.last_seen) == (satkaliyev, date(2024, 3, 3), date(2024, 6, 21))
    text = "Kazakhstan's energy minister said the grid would be ready by winter."
    document_id = _add(store, "role-only.txt", "Grid update\n\nASTANA, May 2, 2024. " + text)
    start = store.document(document_id).text.index("Kazakhstan's energy minister")
    person, reason = store.add_role_mention(document_id, "Minister of Energy", "KZ", start, start + 28)
    assert person == satkaliyev and "held Minister of Energy of KZ" in reason
    detail = store.person(satkaliyev)
    assert any(m["reason"].startswith("role-only mention") for m in detail.mentions)
    assert store.role_holder("Minister of Energy", "TM", date(2024, 5, 2))[0] is None
    store.close()


def test_ingest_resolves_role_only_mentions_by_the_role_held_that_day(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "talks.txt", TALKS)
    _add(store, "later.txt", LATER)
    report = ("Oil output plan kept\n\nASTANA, May 2, 2024. Kazakhstan's energy minister told reporters on "
              "Thursday that the country would keep its oil output plan for the year.")
    document_id = _add(store, "role-only.txt", report)
    satkaliyev = _person(store, "satkali")
    [mention] = [m for m in store.person(satkaliyev).mentions if m["document_id"] == document_id]
    assert mention["reason"].startswith("role-only mention")
    # Nobody is known to hold the role in Turkmenistan: that mention stays unresolved.
    other = _add(store, "tm.txt", report.replace("Kazakhstan's", "Turkmenistan's").replace("ASTANA", "ASHGABAT"))
    assert not [m for m in store.person(satkaliyev).mentions if m["document_id"] == other]
    store.close()


def test_acronym_and_full_name_are_one_organization(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "kmg.txt", KMG)
    kmg = [e for e in store.entities(kind="organization") if "KazMunayGas" in e.name]
    assert len(kmg) == 1, kmg
    store.close()


def test_a_syndicated_copy_is_linked_not_counted_twice(store_url: str) -> None:
    store = Store.open(store_url)
    original = _add(store, "wire.txt", TALKS)
    copy = TALKS.replace("Kazakhstan and Uzbekistan energy ministers meet in Tashkent",
                         "Central Asian neighbours agree power roadmap") + "\n(Republished from the wire.)\n"
    document = Document(source="copy.txt", text=copy)
    result = store.add_document(document, extract(document))
    assert result.copy_of == original
    [signing] = store.events(EventFilter(type="signing"))
    assert signing.sources == 2
    assert any("syndicated copy" in (s.reason or "") for s in store.event(signing.id).sources)
    store.close()


def test_split_detaches_a_name_and_reingest_respects_it(store_url: str, tmp_path: Path) -> None:
    store = Store.open(store_url)
    _add(store, "talks.txt", TALKS)
    _add(store, "later.txt", LATER)
    merged = _person(store, "satkali")
    assert {"Almassadam Satkaliyev", "Almassadam Satkaliev"} <= set(store.person(merged).aliases)
    result = store.split(merged, alias="Almassadam Satkaliev", reason="test: different person")
    assert result.moved_mentions >= 1
    old, new = store.person(merged), store.person(result.entity_id)
    assert "Almassadam Satkaliev" not in old.aliases and "Almassadam Satkaliev (split)" in new.aliases
    assert [r["last_seen"] for r in old.roles] == [date(2024, 3, 3)]
    assert [r["first_seen"] for r in new.roles] == [date(2024, 6, 21)]
    assert new.decisions[0]["reason"] == "test: different person"
    # A new report with the detached spelling goes to the new entity, the other spelling to the old.
    _add(store, "again.txt", "Wind farm tender\n\nASTANA, July 2, 2024. Kazakhstan's Minister of Energy "
         "Almassadam Satkaliev announced a tender for a new wind farm near Shymkent.\n")
    _add(store, "again2.txt", "Oil output\n\nASTANA, July 3, 2024. Kazakhstan's Minister of Energy "
         "Almassadam Satkaliyev told parliament that oil output would rise this year.\n")
    assert store.person(result.entity_id).entity.mentions > new.entity.mentions
    assert store.person(merged).entity.mentions > old.entity.mentions
    store.close()


def test_cli_split_and_show_person(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "talks.txt", TALKS)
    _add(store, "later.txt", LATER)
    merged = _person(store, "satkali")
    mention = next(m["id"] for m in store.person(merged).mentions if m["surface"].endswith("Satkaliev"))
    store.close()
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "person", str(merged), "--db", store_url, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["roles"][0]["role"] == "Minister of Energy"
    split = runner.invoke(app, ["split", str(merged), "--mention", str(mention), "--db", store_url])
    assert split.exit_code == 0, split.output
    assert json.loads(split.stdout.splitlines()[-1])["moved_mentions"] == 1
    refused = runner.invoke(app, ["split", str(merged), "--db", store_url])
    assert refused.exit_code == 2


def test_alias_file_forces_and_forbids_merges(store_url: str, tmp_path: Path) -> None:
    rules_file = tmp_path / "aliases.yaml"
    rules_file.write_text("distinct:\n  - [Almassadam Satkaliyev, Almassadam Satkaliev]\n", encoding="utf-8")
    store = Store.open(store_url, matcher=Matcher(load_alias_rules([rules_file], settings_file="")))
    _add(store, "talks.txt", TALKS)
    _add(store, "later.txt", LATER)
    assert len(store.entities(kind="person", query="satkali")) == 2
    store.close()
    plants = {"a": "opened a solar plant in Mongla", "b": "inaugurated a gas turbine unit at Ghorasal",
              "c": "laid the foundation of a wind farm in Cox's Bazar", "d": "visited the Rooppur nuclear site"}

    def hasina(store: Store, doc: str, day: int, name: str) -> None:
        _add(store, f"{doc}.txt", f"Dhaka\n\nDHAKA, May {day}, 2024. The Prime Minister of Bangladesh {name} "
             f"{plants[doc]} on Sunday, officials said.\n")

    store = Store.open(store_url, matcher=Matcher(AliasRules()))
    hasina(store, "a", 5, "Sheikh Hasina")
    hasina(store, "b", 9, "Hasina Wazed")
    assert len(store.entities(kind="person", country="BD")) == 2  # different surnames: the matcher says two
    store.close()
    rules_file.write_text("same:\n  - [Sheikh Hasina, Hasina Wazed]\n", encoding="utf-8")
    store = Store.open(store_url, matcher=Matcher(load_alias_rules([rules_file], settings_file="")))
    hasina(store, "c", 12, "Hasina Wazed")
    hasina(store, "d", 14, "Sheikh Hasina")
    reasons = [m["reason"] for p in store.entities(kind="person", country="BD") for m in store.person(p.id).mentions]
    assert sum("manual alias file: same as" in r for r in reasons) == 2
    store.close()
