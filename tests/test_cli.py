"""The command line, driven through Typer's test runner."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accordia.cli import app
from tests.conftest import SEEDS

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'kb.db'}"
    result = runner.invoke(app, ["ingest", "--samples", "--db", url])
    assert result.exit_code == 0, result.output
    return url


def test_ingest_reports_counts_and_is_idempotent(db: str) -> None:
    again = runner.invoke(app, ["ingest", "--samples", "--db", db])
    assert again.exit_code == 0
    assert "added 0" in again.output


def test_ingest_with_a_bad_input_exits_1_and_lists_it(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "broken.bin"
    bad.write_bytes(b"\x00\x01\x02binary\x00")
    result = runner.invoke(app, ["ingest", str(bad), "--db", db])
    assert result.exit_code == 1
    listed = runner.invoke(app, ["failures", "--db", db, "--format", "json"])
    [failure] = json.loads(listed.stdout)
    assert failure["source"] == str(bad) and failure["code"] == "E101"


def test_ingest_without_inputs_is_a_usage_error() -> None:
    assert runner.invoke(app, ["ingest"]).exit_code == 2


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_events_json_and_csv_are_valid(db: str, fmt: str) -> None:
    result = runner.invoke(app, ["events", "--country", "KZ", "--format", fmt, "--db", db])
    assert result.exit_code == 0
    rows = json.loads(result.stdout) if fmt == "json" else list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and all("KZ" in str(row["countries"]) for row in rows)


def test_events_filters_by_topic_type_and_date(db: str) -> None:
    result = runner.invoke(app, ["events", "--topic", "nuclear_energy", "--type", "signing",
                                 "--since", "2023-01-01", "--format", "json", "--db", db])
    rows = json.loads(result.stdout)
    assert rows
    assert all(r["type"] == "signing" and "nuclear_energy" in r["topics"] and r["date"] >= "2023-01-01"
               for r in rows)


def test_bad_date_is_a_usage_error(db: str) -> None:
    assert runner.invoke(app, ["events", "--since", "yesterday", "--db", db]).exit_code == 2


def test_show_event_lists_evidence(db: str) -> None:
    listing = json.loads(runner.invoke(app, ["events", "--format", "json", "--db", db]).stdout)
    result = runner.invoke(app, ["show", "event", str(listing[0]["id"]), "--format", "json", "--db", db])
    detail = json.loads(result.stdout)
    assert detail["sources"] and detail["sources"][0]["sentences"]


def test_show_missing_event_is_a_clear_error(db: str) -> None:
    result = runner.invoke(app, ["show", "event", "999999", "--db", db])
    assert result.exit_code == 1
    assert "no event with id 999999" in result.output


def test_agreements_entities_partners_network_timeline(db: str) -> None:
    for args in (["agreements"], ["entities", "--kind", "person"], ["partners", "KZ"], ["network"],
                 ["timeline", "--country", "AZ"]):
        result = runner.invoke(app, [*args, "--format", "json", "--db", db])
        assert result.exit_code == 0, (args, result.output)
        assert json.loads(result.stdout), args


@pytest.mark.parametrize(("fmt", "files"), [
    ("json", ["events.json", "agreements.json", "entities.json"]),
    ("csv", ["events.csv", "agreements.csv", "entities.csv"]),
    ("graphml", ["network.graphml"]),
    ("gexf", ["network.gexf"]),
])
def test_export(db: str, tmp_path: Path, fmt: str, files: list[str]) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["export", "--format", fmt, "--out", str(out), "--db", db])
    assert result.exit_code == 0, result.output
    for name in files:
        assert (out / name).stat().st_size > 100


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the checkout")
def test_extract_prints_one_json_record_per_document() -> None:
    result = runner.invoke(app, ["extract", str(SEEDS), "--format", "jsonl"])
    assert result.exit_code == 0
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["countries"] for r in records] == [["CN", "IR", "KZ", "RU"], ["KZ", "US"]]
    assert set(records[0]) >= {"source", "language", "title", "published", "countries", "organizations",
                               "persons", "events", "agreements", "topics"}


def test_summary(db: str) -> None:
    result = runner.invoke(app, ["summary", "--db", db])
    assert result.exit_code == 0 and "documents" in result.output
