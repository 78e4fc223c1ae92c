"""Full-text search on SQLite (FTS5) and PostgreSQL (tsvector): results, snippets, odd queries, events `q`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from accordia import Document, extract
from accordia.cli import app
from accordia.store import EventFilter, Store
from accordia.store import schema as t
from accordia.store.search import fts5_query

URANIUM = """Kazatomprom and CNNC agree uranium supplies

ASTANA, May 5, 2024. Kazatomprom and China National Nuclear Corporation signed a contract on supplies of
natural uranium concentrate for the nuclear fuel cycle of Chinese power plants. Deliveries are scheduled
to run until 2030, the Kazakh company said.
"""

GAS = """Turkmenistan and Iran extend gas swap

ASHGABAT, March 10, 2024. The oil ministers of Turkmenistan and Iran held talks in Ashgabat on gas swaps
through Iranian pipelines to Iraq.
"""

ODD_QUERIES = ['"', '"nuclear', "fuel*", "NEAR(nuclear fuel", "((", "nuclear)", "AND", "OR OR", "-", "-nuclear",
               "'; DROP TABLE documents; --", "uranium:*", "^uranium", "a & b | !c", "<->", "\\", "ü ß ☢", ""]


def _store(url: str) -> Store:
    store = Store.open(url)
    for source, text in (("uranium.txt", URANIUM), ("gas.txt", GAS)):
        document = Document(source=source, text=text)
        store.add_document(document, extract(document))
    return store


def test_search_finds_the_report_with_a_highlighted_snippet(store_url: str) -> None:
    store = _store(store_url)
    [match] = store.search_documents("nuclear fuel")
    assert match.source == "uranium.txt"
    assert "**fuel**" in match.snippet and match.rank > 0
    # Stemming on both backends: "swapped" finds "swaps".
    assert [m.source for m in store.search_documents("swapped")] == ["gas.txt"]
    assert [m.source for m in store.search_documents('"gas swap" or uranium')] != []
    assert store.search_documents("uranium -concentrate") == []
    store.close()


def test_a_document_is_searchable_as_soon_as_it_is_stored_and_gone_when_deleted(store_url: str) -> None:
    store = _store(store_url)
    assert [m.source for m in store.search_documents("Ashgabat")] == ["gas.txt"]
    with store.engine.begin() as conn:
        conn.execute(t.documents.delete().where(t.documents.c.source == "gas.txt"))
    assert store.search_documents("Ashgabat") == []
    store.close()


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_queries_with_odd_characters_never_fail(store_url: str, query: str) -> None:
    store = _store(store_url)
    store.search_documents(query)
    store.events(EventFilter(query=query))
    store.close()


def test_events_q_matches_the_text_of_their_source_reports(store_url: str) -> None:
    store = _store(store_url)
    # "scheduled" is in the uranium report only, never in an event title or place.
    events = store.events(EventFilter(query="scheduled"))
    assert events and all("scheduled" not in e.title.lower() for e in events)
    assert {s.source for e in events for s in store.event(e.id).sources} == {"uranium.txt"}
    store.close()


@pytest.mark.parametrize(("query", "expected"), [
    ('nuclear "fuel cycle" or uranium -coal', '"nuclear" ("fuel cycle" OR "uranium") NOT "coal"'),
    ("fuel* NEAR(", '"fuel" "NEAR"'),
    ('"unbalanced quote', '"unbalanced" "quote"'),
    ("-only -negative", None),
    ("(( ))", None),
])
def test_fts5_query_quotes_every_term(query: str, expected: str | None) -> None:
    assert fts5_query(query) == expected


def test_search_command_on_the_samples(sample_url: str) -> None:
    result = CliRunner().invoke(app, ["search", "nuclear fuel", "--db", sample_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    hits = json.loads(result.stdout)
    # Kazatomprom's uranium contract with CNUC (November 2023) speaks of the nuclear fuel cycle.
    assert hits[0]["source"].endswith("nu04_kazatomprom_cnuc_uranium_contract.txt")
    assert all("**" in hit["snippet"] for hit in hits)


def test_the_sqlite_index_is_an_external_content_fts5_table(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/kb.db")
    with store.engine.connect() as conn:
        sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE name = 'documents_fts'")).scalar()
    assert "fts5" in sql and "content='documents'" in sql
    store.close()
