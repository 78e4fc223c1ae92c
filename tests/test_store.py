"""The store on SQLite and PostgreSQL: idempotent ingest, resolution, queries, failures."""

from __future__ import annotations

from datetime import date

import yaml

from accordia import Document, Failure, extract
from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.store import EventFilter, Store
from tests.conftest import GOLDEN

REPORT = """Uzbekistan and Kazakhstan sign water-energy roadmap

TASHKENT, March 3, 2024. The Minister of Energy of Uzbekistan Jurabek Mirzamakhmudov and
Kazakhstan's Minister of Energy Almassadam Satkaliyev held talks in Tashkent on Sunday and signed a
roadmap on cooperation in the electric power sector until 2027.
"""

SAME_EVENT_OTHER_OUTLET = """Roadmap agreed in Tashkent

Tashkent, 4 March 2024. Kazakh energy minister Almassadam Satkaliev met Uzbekistan's Minister of Energy
Jurabek Mirzamakhmudov in Tashkent and the two signed a roadmap on electric power cooperation to 2027.
"""


def _add(store: Store, source: str, text: str) -> None:
    document = Document(source=source, text=text)
    store.add_document(document, extract(document))


def test_ingest_samples_twice_changes_nothing(store_url: str) -> None:
    store = Store.open(store_url)
    inputs = [str(p) for p in sample_paths()]
    first = ingest(inputs, store)
    before = store.summary()
    second = ingest(inputs, store)
    after = store.summary()
    assert first.failed == 0 and first.added > 60
    assert second.added == 0 and second.unchanged == first.added
    assert (before.documents, before.events, before.agreements, before.persons) == \
        (after.documents, after.events, after.agreements, after.persons)
    store.close()


def test_two_reports_of_one_event_become_one_event(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "a.txt", REPORT)
    _add(store, "b.txt", SAME_EVENT_OTHER_OUTLET)
    signings = store.events(EventFilter(type="signing"))
    assert len(signings) == 1
    assert signings[0].sources == 2
    detail = store.event(signings[0].id)
    assert {s.source for s in detail.sources} == {"a.txt", "b.txt"}
    # "Satkaliyev" and "Satkaliev" are one person, with both spellings kept as aliases.
    [person] = store.entities(kind="person", query="satkali")
    entity = store.entity(person.id)
    assert {"Almassadam Satkaliyev", "Almassadam Satkaliev"} <= set(entity.aliases)
    assert entity.roles[0]["role"] == "Minister of Energy"
    store.close()


def test_same_ministers_a_month_apart_stay_two_events(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "a.txt", REPORT)
    _add(store, "c.txt", REPORT.replace("March 3, 2024", "April 7, 2024"))
    assert len(store.events(EventFilter(type="signing"))) == 2
    store.close()


def test_filters(store_url: str) -> None:
    store = Store.open(store_url)
    _add(store, "a.txt", REPORT)
    assert store.events(EventFilter(country="UZ"))
    assert store.events(EventFilter(topic="power"))
    assert not store.events(EventFilter(country="BR"))
    assert not store.events(EventFilter(since=date(2025, 1, 1)))
    [roadmap] = store.agreements(EventFilter(type="roadmap"))
    assert roadmap.horizon == "2027" and roadmap.countries == ("KZ", "UZ")
    store.close()


def test_failures_are_recorded_per_run(store_url: str) -> None:
    store = Store.open(store_url)
    run = store.start_run(["x"])
    store.record_failure(run, Failure("broken.bin", "binary content", "E101"))
    store.finish_run(run, 0, 0, 1)
    [failure] = store.failures()
    assert (failure["source"], failure["code"]) == ("broken.bin", "E101")
    store.close()


def _duplicate_groups() -> list[dict]:
    groups = []
    for path in sorted((GOLDEN / "duplicates").glob("*.yaml")):
        groups.extend(yaml.safe_load(path.read_text(encoding="utf-8")) or [])
    return groups


def test_duplicate_groups_are_annotated() -> None:
    groups = _duplicate_groups()
    assert len(groups) >= 5
    stems = {p.stem for p in sample_paths()}
    for group in groups:
        assert set(group["samples"]) <= stems, group


def test_duplicate_merge_rate_on_samples(sample_db: str) -> None:
    """Pair-wise recall of event merging over the annotated duplicate groups (precision: see above)."""
    store = Store.open(sample_db)
    by_stem = {d.source.rsplit("/", 1)[-1].rsplit(".", 1)[0]: d.id for d in store.documents(limit=1000)}
    merged = 0
    groups = _duplicate_groups()
    for group in groups:
        event_sets = []
        for stem in group["samples"]:
            rows = [e for e in store.events(EventFilter(type=group["type"], limit=1000))
                    if by_stem[stem] in {s.document_id for s in store.event(e.id).sources}]
            event_sets.append({e.id for e in rows})
        merged += bool(set.intersection(*event_sets))
    store.close()
    # Every annotated group merges; precision against hard negatives: tests/test_resolve_quality.py.
    assert merged == len(groups)
