"""The bulk write path (per-transaction cache, the store's mirror of agreements and sketches) decides
exactly what the one-document path decides with its indexed queries, also when other writers
(another store, as another process would) and single-document writes come in between batches."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from accordia.extract import extract
from accordia.models import Document, Record
from accordia.resolve import copy_probe, may_be_copies
from accordia.store import Store
from benchmarks.corpus import generate_documents
from tests.fixtures.robustness.support import dump_difference, kb_dump, kb_pair

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def pairs() -> list[tuple[Document, Record]]:
    """Generated reports (one in ten retells an earlier event) plus syndicated copies of a few."""
    documents = list(generate_documents(240, seed=11))
    copies = [replace(documents[i], source=f"copy-{i}", text=f"Wire service\n{documents[i].text}\nEnds.",
                      published=documents[i].published + timedelta(days=1) if documents[i].published else None)
              for i in (3, 57, 130)]
    documents[150:150] = copies
    return [(document, extract(document)) for document in documents]


@pytest.fixture
def kb_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    postgres = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with kb_pair(request.param, tmp_path, postgres) as urls:
        yield urls


def _one_by_one(url: str, pairs: list[tuple[Document, Record]]) -> None:
    store = Store.open(url)
    try:
        for document, record in pairs:
            store.add_document(document, record)
    finally:
        store.close()


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_batches_build_what_single_documents_build(kb_urls: tuple[str, str],
                                                    pairs: list[tuple[Document, Record]]) -> None:
    batched, single = kb_urls
    store = Store.open(batched)
    try:
        results = [r for i in range(0, len(pairs), 40) for r in store.add_documents(pairs[i:i + 40])]
    finally:
        store.close()
    assert sum(r.copy_of is not None for r in results) == 3
    _one_by_one(single, pairs)
    first, second = kb_dump(batched), kb_dump(single)
    assert first == second, dump_difference(first, second)


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_other_writers_between_batches_are_seen(kb_urls: tuple[str, str],
                                                pairs: list[tuple[Document, Record]]) -> None:
    interleaved, single = kb_urls
    mine, other = Store.open(interleaved), Store.open(interleaved)
    try:
        mine.add_documents(pairs[:60])
        # Another writer (as another process would) and a single-document write on this store.
        other.add_documents(pairs[60:120])
        mine.add_document(*pairs[120])
        mine.add_documents(pairs[121:180])
        other.add_documents(pairs[180:])
        # The same batch again: everything is stored already.
        assert not any(r.added for r in mine.add_documents(pairs[100:140]))
    finally:
        mine.close()
        other.close()
    _one_by_one(single, pairs)
    first, second = kb_dump(interleaved), kb_dump(single)
    assert first == second, dump_difference(first, second)


def test_copy_probe_answers_as_may_be_copies() -> None:
    sketches = [[], [5], [1, 2, 3, 4], [3, 4, 5, 6], [1, 2], list(range(64)), list(range(30, 94)), list(range(33, 97))]
    for mine in sketches:
        probe = copy_probe(mine)
        for other in sketches:
            assert probe(other) == may_be_copies(mine, other), (mine, other)


def _split_busiest_person(store: Store) -> None:
    """Split the first mention of the person with the most mentions (chosen by key, so that two
    knowledge bases built alike split the same)."""
    with store.engine.connect() as conn:
        key = conn.execute(sa.text(
            "SELECT e.key FROM entities e JOIN mentions m ON m.entity_id = e.id WHERE e.kind = 'person' "
            "GROUP BY e.key ORDER BY count(*) DESC, e.key LIMIT 1")).scalar_one()
        entity_id, mention_id = conn.execute(sa.text(
            "SELECT e.id, m.id FROM entities e JOIN mentions m ON m.entity_id = e.id "
            "WHERE e.kind = 'person' AND e.key = :key ORDER BY m.document_id, m.start LIMIT 1"), {"key": key}).one()
    store.split(int(entity_id), mention_ids=[int(mention_id)])


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_a_split_between_batches_is_seen(kb_urls: tuple[str, str], pairs: list[tuple[Document, Record]]) -> None:
    # The mirror holds event participants and aliases, which a split moves: a split by another
    # writer (it adds no document) must make the next batch read them again.
    batched, single = kb_urls
    mine, other = Store.open(batched), Store.open(batched)
    try:
        mine.add_documents(pairs[:120])
        _split_busiest_person(other)
        mine.add_documents(pairs[120:200])
        _split_busiest_person(mine)
        mine.add_documents(pairs[200:])
    finally:
        mine.close()
        other.close()
    store = Store.open(single)
    try:
        for start, end in ((0, 120), (120, 200), (200, len(pairs))):
            for document, record in pairs[start:end]:
                store.add_document(document, record)
            if end < len(pairs):
                _split_busiest_person(store)
    finally:
        store.close()
    first, second = kb_dump(batched), kb_dump(single)
    assert first == second, dump_difference(first, second)


def test_copy_suspects_are_the_candidates_that_pass_the_probe() -> None:
    from datetime import date

    from accordia.store.writing import Mirror

    mirror = Mirror()
    day = date(2024, 5, 10)
    sketches = [None, [1, 2, 3, 4], [3, 4, 5, 6], [1, 2], list(range(64)), list(range(30, 94))]
    for document_id in range(1, 60):
        mirror.add_document(document_id * 7 % 61, day + timedelta(days=document_id % 9 - 4),
                            sketches[document_id % len(sketches)])
    for mine in ([1, 2, 3, 4], list(range(64)), [5]):
        probe = copy_probe(mine)
        for limit in (2000, 10, 1):
            expected = [i for i, sketch in mirror.copy_candidates(day, 3, limit) if sketch is None or probe(sketch)]
            assert mirror.copy_suspects(day, 3, limit, probe) == expected
