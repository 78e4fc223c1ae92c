"""Shared fixtures: a knowledge base built from the samples, and the store on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.store import Store

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
GOLDEN = ROOT / "tests" / "golden"
PG_URL = os.environ.get("ACCORDIA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def _postgres_schema(prefix: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL schema, dropped afterwards; skipped (or failed in CI) if no server."""
    if not _postgres_available():
        if os.environ.get("ACCORDIA_REQUIRE_PG"):
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_URL}")
        pytest.skip(f"no PostgreSQL server at {PG_URL}")
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _ingest_samples(url: str) -> None:
    store = Store.open(url)
    report = ingest([str(p) for p in sample_paths()], store)
    assert report.failed == 0, report.failures
    store.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this test session."""
    with _postgres_schema("accordia_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty knowledge base URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kb.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(base)
    from accordia.store.schema import metadata

    metadata.drop_all(engine)
    with engine.begin() as conn:
        # Without its version table the next Store.open migrates the emptied schema from scratch.
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    yield base


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An SQLite knowledge base built once from the bundled samples."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kb') / 'samples.db'}"
    _ingest_samples(url)
    return url


@pytest.fixture(scope="session")
def pg_sample_db() -> Iterator[str]:
    """A PostgreSQL knowledge base built once from the bundled samples, in a schema of its own."""
    with _postgres_schema("accordia_samples") as url:
        _ingest_samples(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def sample_url(request: pytest.FixtureRequest) -> str:
    """The sample knowledge base on each backend (built once per session and backend; read only)."""
    fixture = "sample_db" if request.param == "sqlite" else "pg_sample_db"
    return str(request.getfixturevalue(fixture))
