"""The benchmark corpus and the benchmark's measures, on a tiny corpus (no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accordia.models import content_hash
from accordia.pipeline import ingest_documents
from accordia.store import Store
from benchmarks import corpus, run


def test_same_seed_gives_byte_identical_reports() -> None:
    assert list(corpus.generate_texts(30, seed=4)) == list(corpus.generate_texts(30, seed=4))
    assert list(corpus.generate_texts(30, seed=4)) != list(corpus.generate_texts(30, seed=5))


def test_a_slice_of_the_corpus_equals_the_same_reports_made_from_the_start() -> None:
    whole = list(corpus.generate_texts(20, seed=2))
    assert list(corpus.generate_texts(5, seed=2, start=15)) == whole[15:]


def test_reports_are_distinct_varied_and_about_three_kilobytes() -> None:
    texts = list(corpus.generate_texts(300, seed=1))
    assert len({content_hash(t) for t in texts}) == len(texts)
    mean = sum(len(t.encode("utf-8")) for t in texts) / len(texts)
    assert 2_400 <= mean <= 3_600
    headlines = {t.splitlines()[0] for t in texts}
    assert len(headlines) > 250
    capitals = {c.capital for c in corpus.load_world().countries}
    assert len({c for c in capitals if any(c in t for t in texts)}) > 60


def test_about_one_report_in_ten_retells_an_earlier_event() -> None:
    retold = [t for t in corpus.generate_texts(1000, seed=3) if t.startswith(("Update: ", "Follow-up: ", "Analysis: "))]
    assert 60 <= len(retold) <= 140


def test_documents_and_cli_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    documents = list(corpus.generate_documents(3, seed=9))
    assert [d.source for d in documents] == ["bench/0000000.txt", "bench/0000001.txt", "bench/0000002.txt"]
    assert corpus.main(["--count", "3", "--seed", "9", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "0000002.txt").read_text(encoding="utf-8") == documents[2].text
    assert corpus.main(["--count", "2", "--seed", "9", "--out", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["text"] for line in lines] == [d.text for d in documents[:2]]


def test_extraction_measure_keeps_order_across_workers() -> None:
    result = run.bench_extraction(list(corpus.generate_documents(12, seed=1)), workers=2)
    assert result["in_order"] is True
    assert result["reports"] == 12 and result["one_core_reports_s"] > 0


def test_batched_ingest_is_idempotent_and_measured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    result = run.bench_ingest(url, [10, 25], seed=2, workers=1, batch_size=8)
    assert result["added"] == 25 and result["failed"] == 0
    assert set(result["sizes"]) == {"10", "25"}
    store = Store.open(url)
    again = ingest_documents(corpus.generate_documents(25, seed=2), store, batch_size=8)
    assert (again.added, again.unchanged) == (0, 25)
    assert len(store.documents(limit=100)) == 25
    queries = run.bench_queries(url, repeat=2)
    store.close()
    assert "analyze.partners" in queries["queries"]
    assert all("p95_ms" in q for q in queries["queries"].values()), queries


def test_streaming_measure_reports_peak_memory() -> None:
    result = run.bench_stream(20, seed=1, workers=1)
    assert result["reports"] == 20 and result["peak_rss_total_mib"] > 0


def test_spacy_patterns_hold_the_gazetteer() -> None:
    names, phrases = run._spacy_patterns()
    assert {"label": "GPE", "pattern": "Kazakhstan", "id": "KZ"} in names
    assert any(p["label"] == "ROLE" and p["pattern"] == "energy minister" for p in phrases)
