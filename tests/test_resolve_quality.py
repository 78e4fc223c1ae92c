"""Pair-wise precision and recall of event merging: annotated duplicates must merge, hard negatives must not.

Positives: the duplicate groups of tests/golden/duplicates/ (samples) and the `duplicates` of the
hard-negative manifest (fixtures that retell a sample's event). Negatives: the manifest's `pairs`,
reports of different real events that look alike. A pair counts as merged when one stored event
of the given type has both reports as sources. Run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.resolve import normalise_name
from accordia.store import EventFilter, Store
from tests.conftest import GOLDEN, ROOT, SEEDS

NEGATIVES = ROOT / "tests" / "fixtures" / "hard_negatives"
Pair = tuple[str, str, str]  # report stem, report stem, event type


def _stem(source: str) -> str:
    return Path(source).stem if "://" not in source else source


def _positives() -> set[Pair]:
    pairs: set[Pair] = set()
    groups = [g for path in sorted((GOLDEN / "duplicates").glob("*.yaml"))
              for g in yaml.safe_load(path.read_text(encoding="utf-8")) or []]
    manifest = yaml.safe_load((NEGATIVES / "manifest.yaml").read_text(encoding="utf-8"))
    for group in groups:
        pairs |= {(a, b, group["type"]) for a, b in itertools.combinations(sorted(group["samples"]), 2)}
    for group in manifest["duplicates"]:
        pairs |= {(a, b, group["type"]) for a, b in itertools.combinations(sorted(group["reports"]), 2)}
    return pairs


def _negatives() -> set[Pair]:
    manifest = yaml.safe_load((NEGATIVES / "manifest.yaml").read_text(encoding="utf-8"))
    return {(*sorted((p["a"], p["b"])), kind) for p in manifest["pairs"] for kind in p["types"]}


def _merged_pairs(store: Store) -> set[Pair]:
    stems = {d.id: _stem(d.source) for d in store.documents(limit=10_000)}
    merged: set[Pair] = set()
    for event in store.events(EventFilter(limit=10_000)):
        sources = sorted({stems[s.document_id] for s in store.event(event.id).sources})
        merged |= {(a, b, event.type) for a, b in itertools.combinations(sources, 2)}
    return merged


@pytest.fixture
def knowledge_base(store_url: str) -> Store:
    store = Store.open(store_url)
    report = ingest([*(str(p) for p in sample_paths()), str(NEGATIVES)]
                    + ([str(SEEDS)] if SEEDS.is_dir() else []), store)
    assert report.failed == 0, report.failures
    return store


def test_manifest_is_well_formed() -> None:
    stems = {p.stem for p in NEGATIVES.glob("*.txt")} | {p.stem for p in sample_paths()}
    manifest = yaml.safe_load((NEGATIVES / "manifest.yaml").read_text(encoding="utf-8"))
    assert len(manifest["pairs"]) >= 8
    for pair in manifest["pairs"]:
        assert {pair["a"], pair["b"]} <= stems and pair["why"] and pair["types"], pair
    for group in manifest["duplicates"]:
        assert set(group["reports"]) <= stems, group


def test_every_duplicate_merged_and_no_hard_negative(knowledge_base: Store) -> None:
    merged = _merged_pairs(knowledge_base)
    knowledge_base.close()
    positives, negatives = _positives(), _negatives()
    true_positives = positives & merged
    false_positives = negatives & merged
    recall = len(true_positives) / len(positives)
    precision = len(true_positives) / (len(true_positives) + len(false_positives))
    assert not positives - merged, f"duplicates not merged: {sorted(positives - merged)}"
    assert not false_positives, f"hard negatives merged: {sorted(false_positives)}"
    assert (precision, recall) == (1.0, 1.0)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the checkout")
@pytest.mark.parametrize(("surname", "country"), [
    ("Satkaliyev", "KZ"), ("Mochalnikov", "RU"), ("Mehrabian", "IR"), ("Harrington", "US"), ("Volz", "US"),
])
def test_seed_officials_are_one_person_each(knowledge_base: Store, surname: str, country: str) -> None:
    rows = [r for r in knowledge_base.entities(kind="person", query=surname[:4], limit=1000)
            if normalise_name(r.name).split()[-1] == normalise_name(surname)]
    assert len(rows) == 1, rows
    detail = knowledge_base.person(rows[0].id)
    assert detail.entity.country == country
    if surname == "Satkaliyev":
        # The seed's "Almassadam" and sample ca06's "Almasadam": one person, both documents, one role.
        assert len({m["document_id"] for m in detail.mentions}) >= 2
        assert [r["role"] for r in detail.roles] == ["Minister of Energy"]
    knowledge_base.close()
