"""Whole-base aggregates kept between reads: equal to a fresh count, renewed when reports come in."""

from __future__ import annotations

import time
from pathlib import Path

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


def test_kept_aggregates_equal_a_fresh_count_and_follow_new_reports(store_url: str) -> None:
    paths = [str(p) for p in sample_paths()]
    store = Store.open(store_url)
    try:
        ingest(paths[:30], store)
        first = analyze.network(store)
        assert first and _kept(store)["network"]
        assert analyze.network(store) == first  # read back from what was kept
        assert store.network_edges(top_topics=aggregates.NETWORK_TOPICS) == _counted(store)
        pairs = store.country_pairs()
        profile = analyze.topic_profile(store)
        state = _kept(store)["network"]

        ingest(paths[30:], store)
        # New reports change the fingerprint: the next reads count again and keep the new answer.
        assert analyze.network(store) != first
        assert _kept(store)["network"] != state
        assert store.network_edges(top_topics=aggregates.NETWORK_TOPICS) == _counted(store)
        assert store.country_pairs() != pairs
        assert sum(trend.total for trend in analyze.topic_profile(store)) > sum(trend.total for trend in profile)
        # A region reads its edges out of the kept network: the same as counting among its members.
        inside = analyze.network(store, region="Central Asia")
        assert inside == analyze.network(store, countries={"KZ", "KG", "TJ", "TM", "UZ"})
        members = set(analyze.region("Central Asia").members)
        assert [(e.source, e.target, e.weight) for e in inside] == [
            (e.source, e.target, e.weight) for e in analyze.network(store) if {e.source, e.target} <= members]
    finally:
        store.close()


def test_a_read_during_a_write_answers_without_waiting_or_keeping(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/kb.db"
    store = Store.open(url)
    try:
        ingest([str(p) for p in sample_paths()[:10]], store)
        writer = sa.create_engine(url)
        with writer.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # as an ingest holds the write lock
            started = time.monotonic()
            edges = analyze.network(store)
            waited = time.monotonic() - started
            conn.exec_driver_sql("ROLLBACK")
        writer.dispose()
        # The store's connections wait up to 30 s for a lock; keeping the network must not.
        assert waited < 10
        assert edges and "network" not in _kept(store)
        assert analyze.network(store) == edges and "network" in _kept(store)
    finally:
        store.close()
