"""Partners, network, timeline and topic profile on the sample knowledge base, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordia import analyze
from accordia.cli import app
from accordia.store import EventFilter, Store

CENTRAL_ASIA = {"KZ", "KG", "TJ", "TM", "UZ"}


@pytest.fixture
def store(sample_url: str) -> Iterator[Store]:
    store = Store.open(sample_url)
    yield store
    store.close()


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_kazakhstans_critical_minerals_partners(store: Store) -> None:
    found = {p.country: p for p in analyze.partners(store, "kz", topic="critical_minerals")}
    # The Korea-Central Asia summit talks on critical minerals (2024) and the C5+1 summit's critical
    # minerals dialogue with the United States (2023).
    assert {"KR", "US", "UZ"} <= set(found)
    assert found["KR"].events >= 1 and found["KR"].topics["critical_minerals"] >= 1
    assert "KZ" not in found


def test_partners_count_agreements_and_rank_by_both(store: Store) -> None:
    ranked = analyze.partners(store, "KZ")
    # Azerbaijan, Kazakhstan and Uzbekistan signed a green energy agreement at COP29 in Baku (2024).
    assert next(p for p in ranked if p.country == "AZ").agreements >= 1
    totals = [p.events + p.agreements for p in ranked]
    assert totals == sorted(totals, reverse=True)
    assert "UZ" in [p.country for p in ranked[:3]]


def test_partners_since_and_until_narrow_the_count(store: Store) -> None:
    every = {p.country: p.events for p in analyze.partners(store, "KZ")}
    recent = {p.country: p.events for p in analyze.partners(store, "KZ", since=date(2024, 1, 1))}
    assert sum(recent.values()) < sum(every.values())
    assert analyze.partners(store, "KZ", until=date(1990, 1, 1)) == []


def test_network_weights_and_regions(store: Store) -> None:
    edges = analyze.network(store)
    inside = analyze.network(store, region="Central Asia")
    assert inside and all({e.source, e.target} <= CENTRAL_ASIA for e in inside)
    assert (inside[0].source, inside[0].target) == ("KZ", "UZ")
    whole = {(e.source, e.target): e for e in edges}
    # Restricting to a region drops edges, never changes the weight of the ones kept.
    assert all(whole[(e.source, e.target)].weight == e.weight == e.events + e.agreements for e in inside)
    with pytest.raises(Exception, match="unknown region"):
        analyze.network(store, region="Atlantis")


def test_network_export_as_graphml_and_gexf(sample_url: str, tmp_path: Path) -> None:
    for fmt in ("graphml", "gexf"):
        CliRunner().invoke(app, ["export", "--format", fmt, "--out", str(tmp_path), "--db", sample_url])
        text = (tmp_path / f"network.{fmt}").read_text(encoding="utf-8")
        assert "Kazakhstan" in text and "Uzbekistan" in text


def test_timeline_counts_each_dated_event_once(store: Store) -> None:
    months = analyze.timeline(store, country="UZ")
    dated = [e for e in store.events(EventFilter(country="UZ", limit=10_000)) if e.date is not None]
    assert sum(m.total for m in months) == len(dated)
    assert [m.month for m in months] == sorted(m.month for m in months)
    # November 2024: the Azerbaijan-Kazakhstan-Uzbekistan green energy agreement was signed at COP29.
    assert next(m for m in months if m.month == "2024-11").counts.get("signing", 0) >= 1


def test_topic_profile_by_year_and_by_month(store: Store) -> None:
    yearly = {trend.topic: trend for trend in analyze.topic_profile(store, "KZ")}
    # Kazatomprom's uranium deals with Orano and CNUC were reported in 2023.
    assert yearly["nuclear_energy"].periods.get("2023", 0) >= 1
    monthly = {trend.topic: trend for trend in analyze.topic_profile(store, "KZ", period="month")}
    assert monthly["nuclear_energy"].total == yearly["nuclear_energy"].total
    assert all(len(p) == 7 or p == "undated" for p in monthly["nuclear_energy"].periods)
    later = {trend.topic: trend.total for trend in analyze.topic_profile(store, "KZ", since=date(2024, 1, 1))}
    assert all(later[topic] <= yearly[topic].total for topic in later)


@pytest.mark.parametrize("command", [
    ["partners", "KZ", "--topic", "critical_minerals"],
    ["network", "--region", "Central Asia"],
    ["timeline", "--country", "UZ"],
    ["topics", "--country", "KZ"],
    ["strategy", "us_kz_strategic_energy_dialogue", "--since", "2023-01-01"],
    ["agreement", "1"],
])
def test_analytics_commands_print_json_csv_and_tables(sample_url: str, command: list[str]) -> None:
    as_json = json.loads(_cli(*command, "--db", sample_url, "--format", "json"))
    assert as_json
    rows = list(csv.DictReader(io.StringIO(_cli(*command, "--db", sample_url, "--format", "csv"))))
    assert rows
    assert _cli(*command, "--db", sample_url, "--format", "table").strip()


def test_usage_errors_exit_with_2(sample_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["network", "--region", "Atlantis", "--db", sample_url]).exit_code == 2
    assert runner.invoke(app, ["strategy", "no_such_strategy", "--db", sample_url]).exit_code == 2
    assert runner.invoke(app, ["topics", "--by", "decade", "--db", sample_url]).exit_code == 2
    assert runner.invoke(app, ["agreement", "999999", "--db", sample_url]).exit_code == 1


def test_search_ranks_and_pages_as_one_ranked_statement_would(store: Store) -> None:
    """The search pages (ids ranked first, snippets after) equal a single statement ranking every match."""
    import sqlalchemy as sa

    from accordia.store import schema as t
    from accordia.store import search

    with store.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("the two-step search is SQLite's")
        for query in ("uranium", "nuclear fuel", 'gas or "power plant" -coal', "energy"):
            for limit, offset, since, until in ((20, 0, None, None), (3, 2, None, None),
                                                (10, 0, date(2024, 1, 1), None), (5, 1, date(2023, 1, 1),
                                                                                   date(2024, 6, 30))):
                expression = search.fts5_query(query)
                fts = sa.table("documents_fts", sa.column("rowid"))
                bm25 = sa.func.bm25(sa.literal_column("documents_fts"))
                snippet = sa.func.snippet(sa.literal_column("documents_fts"), -1, "**", "**", "…", 24)
                docs = t.documents
                stmt = (sa.select(docs.c.id, docs.c.source, docs.c.title, docs.c.published, snippet, -bm25)
                        .select_from(fts.join(docs, docs.c.id == fts.c.rowid))
                        .where(sa.literal_column("documents_fts").op("MATCH")(expression)).order_by(bm25, docs.c.id))
                if since:
                    stmt = stmt.where(docs.c.published >= since)
                if until:
                    stmt = stmt.where(docs.c.published <= until)
                expected = [search.DocumentMatch(int(r[0]), r[1], r[2], r[3], " ".join((r[4] or "").split()),
                                                 float(r[5])) for r in conn.execute(stmt.limit(limit).offset(offset))]
                found = analyze.search_documents(store, query, limit, offset, since, until)
                assert found == expected, (query, limit, offset)
                if (limit, offset, since) == (20, 0, None):
                    assert found
