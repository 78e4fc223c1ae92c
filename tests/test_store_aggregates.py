"""Whole-base aggregates kept between reads: equal to a fresh count, renewed when reports come in."""

from __future__ import annotations

import itertools
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from accordia import analyze
from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.store import Store, activity, aggregates, pairs
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


def _pair_tables_match_a_recount(store: Store) -> None:
    """What the write path kept equals a count from the link tables, row for row."""
    with store.engine.connect() as conn:
        kept = {name: {tuple(row[:3]): [row[3], row[4]] for row in conn.execute(sa.text(
            f"SELECT * FROM {name} WHERE events <> 0 OR agreements <> 0"))}
            for name in ("country_pairs", "country_pair_sets")}
        counted = dict(zip(("country_pairs", "country_pair_sets"), pairs.count_all(conn), strict=True))
    assert kept == counted
    assert kept["country_pairs"] and kept["country_pair_sets"]
    _month_table_matches_a_recount(store)


def _month_table_matches_a_recount(store: Store) -> None:
    """`event_months` equals a count from the events and links, and every timeline and topic profile
    read from it equals one counted from the events (whole months, cut months, open ranges)."""
    with store.engine.connect() as conn:
        kept = {tuple(row[:4]): row[4] for row in conn.execute(sa.text(
            "SELECT country, topic, month, type, events FROM event_months WHERE events <> 0"))}
        assert kept == activity.count_all(conn)
        assert kept and all(n > 0 for n in kept.values())
        bounds = [None, date(2023, 1, 1), date(2023, 3, 15), date(2024, 6, 30), date(2024, 11, 12), date(2024, 11, 20)]
        for by, period in (("type", "month"), ("topic", "year"), ("topic", "month")):
            for country in (None, "KZ", "UZ", "XX"):
                for topic in ((None, "oil_gas", "renewables") if by == "type" else (None,)):
                    for since, until in itertools.product(bounds, bounds):
                        found = [(r.period, r.key, r.count)
                                 for r in aggregates.period_counts(conn, by, period, country, topic, since, until)]
                        counted = aggregates._period_rows(conn, by, period, country, topic, since, until)
                        assert found == sorted(counted, key=lambda r: (r[0] is not None, r[0] or "", r[1])), (
                            by, period, country, topic, since, until)


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


def test_pair_tables_follow_removed_links_and_splits(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        ingest([str(p) for p in sample_paths()[:25]], store)
        with store.engine.begin() as conn:
            countries = sa.select(t.entities.c.id).where(t.entities.c.kind == "country")
            # Links removed one by one (as a split moves a participant) and several in one statement.
            event_id, entity_id = conn.execute(sa.select(t.event_participants.c.event_id,
                                                         t.event_participants.c.entity_id)
                                               .where(t.event_participants.c.entity_id.in_(countries))
                                               .order_by(t.event_participants.c.event_id)).first()
            on_oil = conn.execute(sa.select(t.event_topics.c.event_id)
                                  .where(t.event_topics.c.topic == "oil_gas")).scalars().all()
            with pairs.recounting(conn, "events", [event_id, *on_oil]):
                conn.execute(t.event_participants.delete().where(t.event_participants.c.event_id == event_id,
                                                                 t.event_participants.c.entity_id == entity_id))
                conn.execute(t.event_topics.delete().where(t.event_topics.c.topic == "oil_gas"))
            agreement_id = conn.execute(sa.select(sa.func.min(t.agreement_parties.c.agreement_id))).scalar()
            minerals = conn.execute(sa.select(t.agreement_topics.c.agreement_id)
                                    .where(t.agreement_topics.c.topic == "critical_minerals")).scalars().all()
            with pairs.recounting(conn, "agreements", [agreement_id, *minerals]):
                conn.execute(t.agreement_parties.delete().where(t.agreement_parties.c.agreement_id == agreement_id))
                conn.execute(t.agreement_topics.delete().where(t.agreement_topics.c.topic == "critical_minerals"))
        _pair_tables_match_a_recount(store)
        # A split moves the participation of an entity (countries have no mentions to split off, so a
        # person or organization here) in the events its moved mention reports.
        with store.engine.connect() as conn:
            entity, mention = conn.execute(
                sa.select(t.mentions.c.entity_id, sa.func.min(t.mentions.c.id))
                .where(t.mentions.c.entity_id.in_(sa.select(t.event_participants.c.entity_id)))
                .group_by(t.mentions.c.entity_id).having(sa.func.count(sa.distinct(t.mentions.c.document_id)) > 1)
                .order_by(t.mentions.c.entity_id)).first()
        store.split(entity, mention_ids=[mention], reason="test: pair counts follow a split")
        _pair_tables_match_a_recount(store)
        # Reports ingested after the split (merging into stored events) keep them right too.
        ingest([str(p) for p in sample_paths()[25:]], store)
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
