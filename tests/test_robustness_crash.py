"""Crash safety: `accordia ingest` killed with SIGKILL at random points leaves a sound knowledge
base, and running it again finishes the job with exactly the knowledge base one run builds."""

from __future__ import annotations

import random
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.robustness.support import (
    build_corpus,
    cli,
    consistency_problems,
    document_count,
    dump_difference,
    kb_dump,
    kb_pair,
    start_cli,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

ROUNDS = 6  # kills per backend; each costs about one start-up of the CLI
SEED = 20261124


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """150 report files (153 documents): the samples and republished copies of the text ones."""
    directory = tmp_path_factory.mktemp("crash") / "reports"
    assert len(build_corpus(directory)) == 150
    return directory


@pytest.fixture
def kb_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty knowledge bases on the backend under test: one to crash, one built in one go."""
    postgres = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    with kb_pair(request.param, tmp_path, postgres) as urls:
        yield urls


@pytest.mark.parametrize("kb_urls", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_ingest_killed_at_random_points_resumes_to_the_same_knowledge_base(
        corpus: Path, kb_urls: tuple[str, str], tmp_path: Path) -> None:
    crashed, reference = kb_urls
    began = time.monotonic()
    done = cli("ingest", str(corpus), "--db", reference, cwd=tmp_path)
    full_run = time.monotonic() - began
    assert done.returncode == 0, done.stderr
    total = document_count(reference)
    assert total == 153
    # A run with nothing left to do: start-up, reading and hashing the inputs, no extraction.
    began = time.monotonic()
    again = cli("ingest", str(corpus), "--db", reference, cwd=tmp_path)
    start_up = time.monotonic() - began
    assert again.returncode == 0 and "added 0, unchanged 153" in again.stderr, again.stderr

    # Kill at a random moment of what is left of the work: the run writes in batches (one
    # transaction each), so kills land before, inside and between transactions, and some during
    # start-up (imports, schema creation).
    rng = random.Random(SEED)
    killed_at: list[tuple[float, int, int]] = []
    for round_number in range(ROUNDS):
        left = (total - document_count(crashed)) / total
        delay = rng.uniform(0.5 * start_up, start_up + 0.95 * left * max(full_run - start_up, 0.1))
        process = start_cli("ingest", str(corpus), "--db", crashed, cwd=tmp_path)
        try:
            time.sleep(delay)
            process.send_signal(signal.SIGKILL)
        finally:
            returncode = process.wait(timeout=60)
        stored = document_count(crashed)
        killed_at.append((round(delay, 2), returncode, stored))
        assert consistency_problems(crashed) == [], f"after kill {round_number}: {killed_at}"

    # Most kills really interrupted a run (a run that beat its kill is harmless but proves nothing).
    assert sum(code == -signal.SIGKILL for _, code, _ in killed_at) >= ROUNDS - 2, killed_at
    assert [stored for *_, stored in killed_at] == sorted(stored for *_, stored in killed_at), killed_at

    finished = cli("ingest", str(corpus), "--db", crashed, cwd=tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert consistency_problems(crashed) == []
    crashed_dump, reference_dump = kb_dump(crashed), kb_dump(reference)
    assert crashed_dump == reference_dump, dump_difference(crashed_dump, reference_dump)
