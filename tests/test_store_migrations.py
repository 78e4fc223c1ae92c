"""Alembic migrations: new and pre-Alembic databases reach head, and the migrated schema is `metadata`."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from accordia import Document, extract
from accordia.cli import app
from accordia.store import Store, migrations
from accordia.store import schema as t

# The tables `metadata.create_all` made before Alembic came in (revision 0001); fixed history.
PRE_ALEMBIC_TABLES = (
    "schema_info", "documents", "entities", "aliases", "mentions", "person_roles", "events", "event_sources",
    "event_participants", "event_topics", "agreements", "agreement_sources", "agreement_parties",
    "agreement_topics", "document_countries", "document_topics", "runs", "failures",
)

REPORT = """Kazatomprom and CNNC agree uranium supplies

ASTANA, May 5, 2024. Kazatomprom and China National Nuclear Corporation signed a contract on supplies of
natural uranium concentrate for the nuclear fuel cycle of Chinese power plants.
"""


def _differences(url: str, metadata: sa.MetaData = t.metadata) -> list[Any]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": migrations.include_object,
                                                             "compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_a_new_database_is_migrated_to_head_and_equals_the_schema_module(store_url: str) -> None:
    Store.open(store_url).close()
    engine = sa.create_engine(store_url)
    with engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
    engine.dispose()
    # A change to schema.py without a migration shows up here as a difference.
    assert _differences(store_url) == []


def test_a_table_missing_from_the_migrations_is_reported(store_url: str) -> None:
    Store.open(store_url).close()
    ahead = sa.MetaData()
    for table in t.metadata.sorted_tables:
        table.to_metadata(ahead)
    sa.Table("not_migrated", ahead, sa.Column("id", sa.Integer, primary_key=True))
    ahead.tables["events"].append_column(sa.Column("unmigrated_note", sa.Text))
    kinds = {diff[0] for diff in _differences(store_url, ahead)}
    assert {"add_table", "add_column"} <= kinds


def test_a_database_made_before_alembic_is_stamped_and_upgraded(store_url: str) -> None:
    # What the old create_all path left: the baseline tables, a schema_info row, no alembic_version.
    engine = sa.create_engine(store_url)
    migrations.upgrade(engine, migrations.BASELINE)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        assert set(sa.inspect(conn).get_table_names()) >= set(PRE_ALEMBIC_TABLES)
        assert conn.execute(sa.select(t.schema_info.c.version)).scalar() == 1
    engine.dispose()
    store = Store.open(store_url)
    document = Document(source="kazatomprom.txt", text=REPORT)
    store.add_document(document, extract(document))
    with store.engine.connect() as conn:
        assert migrations.current(conn) == migrations.head()
    # The full-text index made by a later revision covers the new document.
    assert [m.source for m in store.search_documents("uranium concentrate")] == ["kazatomprom.txt"]
    store.close()
    assert _differences(store_url) == []


def test_opening_twice_changes_nothing(store_url: str) -> None:
    Store.open(store_url).close()
    engine = sa.create_engine(store_url)
    assert migrations.upgrade(engine) == migrations.head()
    engine.dispose()


def test_db_commands_report_and_apply_the_revision(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    runner = CliRunner()
    before = runner.invoke(app, ["db", "current", "--db", url])
    assert before.exit_code == 0 and before.stdout.startswith("none")
    upgraded = runner.invoke(app, ["db", "upgrade", "--db", url])
    assert upgraded.exit_code == 0, upgraded.output
    after = runner.invoke(app, ["db", "current", "--db", url])
    assert after.stdout.startswith(f"{migrations.head()} (head {migrations.head()}, up to date)")
