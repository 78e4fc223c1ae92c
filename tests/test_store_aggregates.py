"""Whole-base aggregates kept between reads: equal to a fresh count, renewed when reports come in."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

from accordia import analyze
from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.store import Store, aggregates
from accordia.store import schema as t


def _counted(store: Store) -> list[tuple[str, str, int, int, dict[str, int]]]:
    """The whole network counted from the link tables, bypassing what is kept."""
    with store.engine.connect() as conn:
        ids = aggregates.country_ids(conn)
        return aggregates._edges(ids, aggregates._live_network(conn, ids, None, None, None,
                                                               aggregates.NETWORK_TOPICS))


def _kept(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(t.aggregate_state.c.name, t.aggregate_state.c.fingerprint)).all())


def _migration() -> ModuleType:
    """Revision 0008, whose backfill counts the pair tables from the link rows."""
    path = Path(aggregates.__file__).parent / "migrations" / "versions" / "0008_country_pair_counts.py"
    spec = importlib.util.spec_from_file_location("revision_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pair_tables_match_a_recount(store: Store) -> None:
    """What the triggers kept equals the migration's count from the link tables, row for row."""
    tables = {"country_pairs": ["topic", "x", "y"], "country_pair_topics": ["topic", "x", "y", "cotopic"]}
    with store.engine.begin() as conn:
        kept = {name: sorted(tuple(row) for row in conn.execute(sa.text(
            f"SELECT * FROM {name} WHERE events <> 0 OR agreements <> 0"))) for name in tables}
        conn.execute(sa.text("DELETE FROM country_pair_topics"))
        conn.execute(sa.text("DELETE FROM country_pairs"))
        for statement in _migration()._backfill():
            conn.execute(sa.text(statement))
        counted = {name: sorted(tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {name}")))
                   for name in tables}
        conn.rollback()
    assert kept == counted
    assert kept["country_pairs"]


def test_pair_tables_follow_every_write_and_answer_as_the_link_tables_do(store_url: str) -> None:
    paths = [str(p) for p in sample_paths()]
    store = Store.open(store_url)
    try:
        ingest(paths[:30], store)
        _pair_tables_match_a_recount(store)
        first = analyze.network(store)
        assert first and "network" not in _kept(store)
        assert store.network_edges(top_topics=aggregates.NETWORK_TOPICS) == _counted(store)
        pairs = store.country_pairs()

        ingest(paths[30:], store)
        _pair_tables_match_a_recount(store)
        assert analyze.network(store) != first
        assert store.network_edges(top_topics=aggregates.NETWORK_TOPICS) == _counted(store)
        assert store.country_pairs() != pairs
        with store.engine.connect() as conn:
            ids = aggregates.country_ids(conn)
            for topic in (None, "oil_gas", "hydrogen", "investment_finance"):
                live = aggregates._edges(ids, aggregates._live_network(conn, ids, topic, None, None,
                                                                       aggregates.NETWORK_TOPICS))
                assert aggregates.network_edges(conn, topic, top_topics=aggregates.NETWORK_TOPICS) == live
                assert aggregates.network_edges(conn, topic, top_topics=aggregates.NETWORK_TOPICS,
                                                limit=7) == live[:7]
                for own, code in ids.items():
                    kept = aggregates.partner_counts(conn, code, topic)
                    counted = aggregates._live_partners(conn, ids, own, topic, None, None)
                    assert [(p.country, p.events, p.agreements, dict(p.topics))
                            for p in sorted(kept, key=lambda p: p.country)] == [
                        (p.country, p.events, p.agreements, dict(p.topics))
                        for p in sorted(counted, key=lambda p: p.country)]
            # The summary's pairs: every pair of countries that shared an event, most first.
            live_pairs = sorted(((*aggregates._pair(ids[x], ids[y]), n) for (x, y), (n, _, _)
                                 in aggregates._live_network(conn, ids, None, None, None, 0).items() if n),
                                key=lambda pair: (-pair[2], pair[0], pair[1]))
            assert aggregates.event_pairs(conn) == live_pairs
            assert aggregates.event_pairs(conn, 5) == live_pairs[:5]
        # A region's edges: the same as counting among its members.
        inside = analyze.network(store, region="Central Asia")
        assert inside == analyze.network(store, countries={"KZ", "KG", "TJ", "TM", "UZ"})
        members = set(analyze.region("Central Asia").members)
        assert [(e.source, e.target, e.weight) for e in inside] == [
            (e.source, e.target, e.weight) for e in analyze.network(store) if {e.source, e.target} <= members]
        # A bounded network is the heaviest edges of the whole one.
        assert analyze.network(store, limit=3) == analyze.network(store, limit=None)[:3]
    finally:
        store.close()


def test_pair_tables_follow_removed_links(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        ingest([str(p) for p in sample_paths()[:25]], store)
        with store.engine.begin() as conn:
            # Links removed one by one (as a split moves a participant) and several in one statement.
            event_id, entity_id = conn.execute(sa.select(t.event_participants.c.event_id,
                                                         t.event_participants.c.entity_id)
                                               .where(t.event_participants.c.entity_id.in_(
                                                   sa.select(t.entities.c.id).where(t.entities.c.kind == "country")))
                                               .order_by(t.event_participants.c.event_id)).first()
            conn.execute(t.event_participants.delete().where(t.event_participants.c.event_id == event_id,
                                                             t.event_participants.c.entity_id == entity_id))
            conn.execute(t.event_topics.delete().where(t.event_topics.c.topic == "oil_gas"))
            agreement_id = conn.execute(sa.select(sa.func.min(t.agreement_parties.c.agreement_id))).scalar()
            conn.execute(t.agreement_parties.delete().where(t.agreement_parties.c.agreement_id == agreement_id))
            conn.execute(t.agreement_topics.delete().where(t.agreement_topics.c.topic == "critical_minerals"))
        _pair_tables_match_a_recount(store)
    finally:
        store.close()


def test_a_read_during_a_write_answers_without_waiting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kb.db"
    store = Store.open(url)
    try:
        ingest([str(p) for p in sample_paths()[:10]], store)
        writer = sa.create_engine(url)
        with writer.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # as an ingest holds the write lock
            started = time.monotonic()
            edges = analyze.network(store)
            profile = analyze.topic_profile(store)
            waited = time.monotonic() - started
            conn.exec_driver_sql("ROLLBACK")
        writer.dispose()
        # The store's connections wait up to 30 s for a lock; reading the network or keeping a profile must not.
        assert waited < 10
        assert edges and analyze.network(store) == edges
        assert profile and analyze.topic_profile(store) == profile
    finally:
        store.close()
