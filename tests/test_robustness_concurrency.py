"""Idempotence and concurrency: the same batch ingested twice, or by two processes at once, gives
the knowledge base one run gives (SQLite in WAL mode, and PostgreSQL)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.store import Store
from tests.fixtures.robustness.support import (
    build_corpus,
    cli,
    cli_env,
    consistency_problems,
    document_count,
    dump_difference,
    kb_dump,
    kb_pair,
)

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture
def kb_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty knowledge bases on the backend under test."""
    postgres = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with kb_pair(request.param, tmp_path, postgres) as urls:
        yield urls


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("concurrency") / "reports"
    build_corpus(directory)
    return directory


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_the_same_batch_ingested_twice_is_the_same_as_once(kb_urls: tuple[str, str]) -> None:
    twice, once = kb_urls
    inputs = [str(p) for p in sample_paths()]
    for url, runs in ((twice, 2), (once, 1)):
        store = Store.open(url)
        try:
            reports = [ingest(inputs, store) for _ in range(runs)]
        finally:
            store.close()
        assert reports[0].failed == 0 and reports[0].added == 63
        if runs == 2:
            assert (reports[1].added, reports[1].unchanged, reports[1].failed) == (0, 63, 0)
    first, second = kb_dump(twice), kb_dump(once)
    assert first == second, dump_difference(first, second)


@pytest.mark.parametrize("kb_urls", BACKENDS, indirect=True)
def test_two_processes_ingesting_one_batch_at_once_build_what_one_builds(
        corpus: Path, kb_urls: tuple[str, str], tmp_path: Path) -> None:
    together, alone = kb_urls
    single = cli("ingest", str(corpus), "--db", alone, cwd=tmp_path)
    assert single.returncode == 0, single.stderr

    # Both start on an empty knowledge base: they race to create the schema, then for every batch.
    command = [sys.executable, "-m", "accordia.cli", "ingest", str(corpus), "--db", together]
    processes = [subprocess.Popen(command, cwd=tmp_path, env=cli_env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=300)[1] for process in processes]
    for process, output in zip(processes, outputs, strict=True):
        assert process.returncode == 0, output
        assert "failed 0" in output, output
    added = [int(re.search(r"added (\d+)", output)[1]) for output in outputs]  # type: ignore[index]
    assert sum(added) == document_count(alone) == 153, outputs

    assert consistency_problems(together) == []
    both, one = kb_dump(together), kb_dump(alone)
    assert both == one, dump_difference(both, one)
