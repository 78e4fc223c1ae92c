"""Ids the write path hands out itself (`store.writing.RowIds`) and the rows it sends in bulk
(`store.writing.send_rows`): dense ids on SQLite, sequences that stay ahead on PostgreSQL, nothing
left behind by a failed batch, and the same stored values as SQLAlchemy's own inserts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from accordia.errors import StoreError
from accordia.extract import extract
from accordia.models import Document, Record
from accordia.store import Store, pairs
from accordia.store import schema as t
from accordia.store.writing import ALLOCATED, send_rows
from benchmarks.corpus import generate_documents
from tests.fixtures.robustness.support import dump_difference, kb_dump, kb_pair

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module")
def reports() -> list[tuple[Document, Record]]:
    """Generated reports with their records (one in ten retells an earlier event)."""
    return [(document, extract(document)) for document in generate_documents(60, seed=5)]


@pytest.fixture
def kb_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    postgres = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with kb_pair(request.param, tmp_path, postgres) as urls:
        yield urls


def _ids(url: str) -> dict[str, list[int]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {name: list(conn.execute(sa.select(t.metadata.tables[name].c.id).order_by(
                t.metadata.tables[name].c.id)).scalars()) for name in ALLOCATED}
    finally:
        engine.dispose()


def _insert_the_ordinary_way(url: str, n: int) -> dict[str, int]:
    """One row per allocated table with the id the database picks (as `split` and other code do)."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            values: dict[str, dict[str, Any]] = {
                "documents": {"hash": f"ordinary-{n}", "source": "x", "text": "x", "record": {},
                              "ingested_at": datetime.now(UTC)},
                "entities": {"kind": "person", "key": f"--:ordinary {n}", "name": "Ordinary", "attributes": {}},
                "events": {"type": "meeting", "title": "Ordinary", "confidence": 0.5},
                "agreements": {"type": "treaty", "title": "Ordinary", "confidence": 0.5},
            }
            return {name: int(conn.execute(t.metadata.tables[name].insert(), row).inserted_primary_key[0])
                    for name, row in values.items()}
    finally:
        engine.dispose()


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_allocated_ids_are_unique_and_the_database_keeps_counting_after_them(
        kb_urls: tuple[str, str], reports: list[tuple[Document, Record]]) -> None:
    url, _ = kb_urls
    store = Store.open(url)
    try:
        store.add_documents(reports[:25])
        before = _ids(url)
        ordinary = _insert_the_ordinary_way(url, 1)
        store.add_documents(reports[25:])
    finally:
        store.close()
    after = _ids(url)
    for name in ALLOCATED:
        assert before[name], name
        # The database's own id comes after every id the write path gave.
        assert ordinary[name] > max(before[name]), name
        assert len(set(after[name])) == len(after[name])
        assert min(i for i in after[name] if i not in before[name] and i != ordinary[name]) > ordinary[name]
        if url.startswith("sqlite"):
            # What SQLite itself gives one insert at a time: the largest id + 1, no gaps.
            assert after[name] == list(range(1, len(after[name]) + 1)), name
    assert _insert_the_ordinary_way(url, 2)["documents"] > max(after["documents"])


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
@pytest.mark.parametrize("where", ["before_flush", "after_flush"])
def test_a_failed_batch_leaves_nothing_and_the_next_builds_what_one_run_builds(
        kb_urls: tuple[str, str], reports: list[tuple[Document, Record]], where: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    failing, reference = kb_urls
    store = Store.open(failing)
    try:
        store.add_documents(reports[:20])
        kept = _ids(failing)
        if where == "before_flush":
            # The 15th agreement of the batch fails, with rows of every table still pending.
            calls = {"n": 0}
            original = Store._agreement

            def agreement(self: Store, *args: Any, **kwargs: Any) -> int:
                calls["n"] += 1
                if calls["n"] == 15:
                    raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
                return original(self, *args, **kwargs)

            monkeypatch.setattr(Store, "_agreement", agreement)
        else:
            # Every pending row is sent; the pair counts, the last step before commit, fail.
            def apply(conn: sa.Connection, created: object = ()) -> None:
                raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))

            monkeypatch.setattr(pairs, "apply", apply)
        with pytest.raises(StoreError):
            store.add_documents(reports[20:])
        assert _ids(failing) == kept
        monkeypatch.undo()
        store.add_documents(reports[20:])
    finally:
        store.close()
    one = Store.open(reference)
    try:
        one.add_documents(reports[:20])
        one.add_documents(reports[20:])
    finally:
        one.close()
    first, second = kb_dump(failing), kb_dump(reference)
    assert first == second, dump_difference(first, second)
    if failing.startswith("sqlite"):
        assert _ids(failing) == _ids(reference)


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_a_batch_sends_its_rows_in_a_few_statements(kb_urls: tuple[str, str],
                                                     reports: list[tuple[Document, Record]]) -> None:
    url, _ = kb_urls
    statements: list[str] = []
    store = Store.open(url, tracer=statements.append)
    try:
        store.add_documents(reports[:30])
        before = _ids(url)
        statements.clear()
        store.add_documents(reports[30:])
    finally:
        store.close()
    rows = {name: len(ids) - len(before[name]) for name, ids in _ids(url).items()}
    sent = {name: sum(s.lstrip().startswith(f"INSERT INTO {name} ") for s in statements) for name in ALLOCATED}
    # The first document is sent when the mirror is checked, the rest at the end; events and
    # agreements at the end. Entities also go when a lookup needs this transaction's entities in
    # the database (an organization's alias candidates, a role's holder): never one per row.
    assert sent["documents"] <= 2 and sent["events"] <= 2 and sent["agreements"] <= 2, sent
    assert sent["entities"] < rows["entities"] / 2, (sent, rows)


def test_send_rows_stores_what_sqlalchemy_stores(store_url: str) -> None:
    Store.open(store_url).close()
    document: dict[str, Any] = {
        "source": "s", "url": None, "title": "T", "published": date(2024, 2, 29), "language": "en",
        "format": "text", "text": "text", "record": {"a": [1, "é"], "b": None}, "copy_of": None,
        "ingested_at": datetime(2024, 3, 1, 12, 30, 15, 123456, tzinfo=UTC), "sketch": None}
    mention = {"entity_id": 1, "surface": "S", "role": None, "start": 0, "end": 1, "confidence": 1,
               "reason": "r"}
    engine = sa.create_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(t.entities.insert(), {"id": 1, "kind": "person", "key": "k", "name": "n", "attributes": {}})
            send_rows(conn, t.documents, [{"id": 1, "hash": "a", **document}])
            conn.execute(t.documents.insert(), [{"id": 2, "hash": "b", **document}])
            send_rows(conn, t.mentions, [{"id": 1, "document_id": 1, **mention}])
            conn.execute(t.mentions.insert(), [{"id": 2, "document_id": 2, **mention}])
            raw = {name: [tuple(row)[1:] for row in conn.exec_driver_sql(f"SELECT * FROM {name} ORDER BY id")]
                   for name in ("documents", "mentions")}
    finally:
        engine.dispose()
    documents, mentions = raw["documents"], raw["mentions"]
    # Past the hash (and, for mentions, the document id) every stored value is the same.
    assert documents[0][1:] == documents[1][1:]
    assert mentions[0][1:] == mentions[1][1:]
    assert isinstance(mentions[0][-2], float)
