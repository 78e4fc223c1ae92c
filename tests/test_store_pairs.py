"""Pair counts kept by the write path: deltas of new links, recounts around removals, both dialects."""

from __future__ import annotations

import sqlalchemy as sa

from accordia.store import Store, pairs
from accordia.store import schema as t


def _kept(conn: sa.Connection) -> tuple[dict[tuple[object, ...], list[int]], ...]:
    return tuple({tuple(row[:3]): [row[3], row[4]] for row in conn.execute(sa.text(
        f"SELECT * FROM {name} WHERE events <> 0 OR agreements <> 0"))}
        for name in ("country_pairs", "country_pair_sets"))


def _link(conn: sa.Connection, table: sa.Table, left: str, item: int, right: str, values: set[object]) -> None:
    """What `Store._link` does: tell the pair counts, then write the rows."""
    present = set(conn.execute(sa.select(table.c[right]).where(table.c[left] == item)).scalars())
    pairs.linking(conn, table.name, item, present, values)
    conn.execute(table.insert(), [{left: item, right: value} for value in sorted(values - present)])


def test_new_links_of_new_and_stored_items_count_as_a_recount_does(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        with store.engine.begin() as conn:
            ids = {}
            for key in ("KZ", "UZ", "CN", "person"):
                kind = "person" if key == "person" else "country"
                ids[key] = int(conn.execute(t.entities.insert().values(kind=kind, key=key, name=key, attributes={}))
                               .inserted_primary_key[0])
            for event_id in (1, 2):
                conn.execute(t.events.insert().values(id=event_id, type="meeting", title="m", confidence=1.0))
            conn.execute(t.agreements.insert().values(id=1, type="mou", title="a", confidence=1.0))
            _link(conn, t.event_participants, "event_id", 1, "entity_id", {ids["KZ"], ids["UZ"], ids["person"]})
            _link(conn, t.event_topics, "event_id", 1, "topic", {"oil_gas", "power"})
            _link(conn, t.event_participants, "event_id", 2, "entity_id", {ids["KZ"], ids["CN"]})
            _link(conn, t.agreement_parties, "agreement_id", 1, "entity_id", {ids["KZ"], ids["CN"]})
            _link(conn, t.agreement_topics, "agreement_id", 1, "topic", {"hydrogen"})
            pairs.apply(conn)
        with store.engine.connect() as conn:
            kept = _kept(conn)
            assert kept == pairs.count_all(conn)
        kz, uz, cn = ids["KZ"], ids["UZ"], ids["CN"]
        counts, sets = kept

        def key(topic: str, x: int, y: int) -> tuple[str, int, int]:
            return (topic, min(x, y), max(x, y))  # country_pairs keeps each pair once

        assert counts[key("", kz, uz)] == counts[key("oil_gas", uz, kz)] == [1, 0]
        assert ("oil_gas", max(kz, uz), min(kz, uz)) not in counts
        assert counts[key("", kz, cn)] == [1, 1] and counts[key("hydrogen", cn, kz)] == [0, 1]
        assert sets[(kz, uz, '["oil_gas","power"]')] == [1, 0] and sets[(cn, kz, "[]")] == [1, 0]
        # A later report merged into stored event 2 adds a country and a topic: the old contribution goes.
        with store.engine.begin() as conn:
            _link(conn, t.event_participants, "event_id", 2, "entity_id", {ids["KZ"], ids["UZ"]})
            _link(conn, t.event_topics, "event_id", 2, "topic", {"power"})
            pairs.apply(conn)
        with store.engine.connect() as conn:
            counts, sets = _kept(conn)
            assert (counts, sets) == pairs.count_all(conn)
        assert counts[key("power", kz, uz)] == [2, 0] and counts[key("power", uz, cn)] == [1, 0]
        assert (cn, kz, "[]") not in sets and sets[(cn, kz, '["power"]')] == [1, 0]
        # Removing links inside `recounting` takes their counts away.
        with store.engine.begin() as conn, pairs.recounting(conn, "events", [1, 2]):
            conn.execute(t.event_participants.delete().where(t.event_participants.c.entity_id == ids["UZ"]))
        with store.engine.connect() as conn:
            counts, sets = _kept(conn)
            assert (counts, sets) == pairs.count_all(conn)
        assert key("", kz, uz) not in counts and counts[key("power", kz, cn)] == [1, 0]
    finally:
        store.close()


def test_links_of_a_failed_transaction_are_never_counted(tmp_path: object) -> None:
    store = Store.open(f"sqlite:///{tmp_path}/kb.db")
    try:
        with store.engine.connect() as conn:
            with conn.begin() as failed:
                pairs.linking(conn, "event_topics", 1, set(), {"power"})
                failed.rollback()
            with conn.begin():
                pairs.apply(conn)  # nothing of the rolled-back transaction
                assert not conn.execute(sa.text("SELECT count(*) FROM country_pairs")).scalar()
            assert "accordia.pair_changes" not in conn.info
    finally:
        store.close()


def test_events_without_links_count_in_the_month_table(tmp_path: object) -> None:
    from accordia.store import activity

    store = Store.open(f"sqlite:///{tmp_path}/kb.db")
    try:
        with store.engine.begin() as conn:
            conn.execute(t.events.insert().values(id=1, type="visit", title="v", confidence=1.0))
            conn.execute(t.events.insert().values(id=2, type="meeting", title="m", confidence=1.0,
                                                  date=sa.func.date("2024-05-06")))
            _link(conn, t.event_topics, "event_id", 2, "topic", {"power"})
            pairs.apply(conn, created=[1, 2])
        with store.engine.connect() as conn:
            kept = {tuple(row[:4]): row[4] for row in conn.execute(sa.text("SELECT * FROM event_months"))}
            assert kept == activity.count_all(conn) == {
                (0, "", "", "visit"): 1, (0, "", "2024-05", "meeting"): 1, (0, "power", "2024-05", "meeting"): 1}
    finally:
        store.close()
