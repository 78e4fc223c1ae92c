"""The server's defences: the write token (compared in constant time), body, page-size and rate
limits, no internals in error responses, SQL only through bound parameters, and URL ingestion
that refuses other schemes and private addresses unless allowed.

The ordinary behaviour of the API is in tests/test_api.py.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

import accordia.api
from accordia.api import create_app
from accordia.errors import StoreError
from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.settings import Settings
from accordia.store import Store
from tests.fixtures.robustness.support import local_site

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small knowledge base of six sample reports."""
    url = f"sqlite:///{tmp_path_factory.mktemp('server') / 'kb.db'}"
    store = Store.open(url)
    try:
        assert ingest([str(p) for p in sample_paths()[:6]], store).failed == 0
    finally:
        store.close()
    return url


def make_client(kb: str, raise_errors: bool = True, **settings: str) -> TestClient:
    values = {"ACCORDIA_API_TOKEN": TOKEN, "ACCORDIA_RATE_LIMIT": "0"} | settings
    return TestClient(create_app(kb, Settings.load(Path("/nonexistent/.env"), **values)),
                      raise_server_exceptions=raise_errors)


@pytest.fixture
def client(kb: str) -> Iterator[TestClient]:
    with make_client(kb) as test_client:
        yield test_client


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


# --- the token ---------------------------------------------------------------------------------


NEW_REPORT = {"source": "note.txt", "content": "The energy ministers of Norway and Germany met in Oslo."}


@pytest.mark.parametrize(("authorization", "status"), [
    (None, 401),
    ("Bearer ", 401),
    ("Bearer wrong", 401),
    (f"Bearer {TOKEN[:-1]}", 401),  # a prefix of the token
    (f"Bearer {TOKEN}x", 401),  # the token and more
    (f"Bearer {TOKEN.upper()}", 401),
    (f"Basic {TOKEN}", 401),
    ("Bearer s\u00e9cret".encode(), 401),  # not ASCII: refused, not a crash
    (f"Bearer {TOKEN}", 201),
])
def test_writes_need_exactly_the_token(client: TestClient, authorization: str | bytes | None, status: int) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.post("/api/documents", json=NEW_REPORT | {"source": f"note-{status}.txt"},
                           headers=headers)  # type: ignore[arg-type]
    assert response.status_code == status, response.text


def test_the_token_is_compared_in_constant_time(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(accordia.api.hmac, "compare_digest", spy)
    assert client.post("/api/documents", json=NEW_REPORT, headers={"Authorization": "Bearer guess"}).status_code == 401
    assert compared == [(b"guess", TOKEN.encode())]


def test_writes_are_off_without_a_token(kb: str) -> None:
    with make_client(kb, ACCORDIA_API_TOKEN="") as client:
        body = assert_problem(client.post("/api/documents", json=NEW_REPORT, headers={"Authorization": "Bearer "}),
                              403)
    assert "ACCORDIA_API_TOKEN" in body["detail"]


def test_reads_need_the_token_when_not_public(kb: str) -> None:
    with make_client(kb, ACCORDIA_PUBLIC_READS="false") as client:
        assert_problem(client.get("/api/events"), 401)
        assert client.get("/api/events", headers=AUTH).status_code == 200


# --- limits ------------------------------------------------------------------------------------


def test_body_over_the_limit_is_refused_with_or_without_a_length(kb: str) -> None:
    big = b'{"source": "big.txt", "content": "' + b"x" * 2000 + b'"}'
    with make_client(kb, ACCORDIA_MAX_BODY_BYTES="1000") as client:
        announced = client.post("/api/documents", content=big,
                                headers=AUTH | {"Content-Type": "application/json"})
        chunked = client.post("/api/documents", content=iter([big[:600], big[600:]]),
                              headers=AUTH | {"Content-Type": "application/json"})
        small = client.post("/api/documents", json=NEW_REPORT | {"source": "small.txt"}, headers=AUTH)
    assert_problem(announced, 413)
    assert "content-length" not in {k.lower() for k in chunked.request.headers}
    assert_problem(chunked, 413)
    assert small.status_code == 201, small.text


def test_page_size_is_bounded_on_every_listing(kb: str) -> None:
    with make_client(kb, ACCORDIA_MAX_PAGE_SIZE="3") as client:
        listings = {path: params for path, params in query_routes(client).items() if "limit" in params}
        assert {"/api/events", "/api/agreements", "/api/documents"} <= set(listings)
        for path, params in listings.items():
            for limit in (0, -1, 4, 10**12):
                assert_problem(client.get(path, params=required(params) | {"limit": limit}), 422)
            page = client.get(path, params=required(params) | {"limit": 3})
            assert page.status_code == 200, (path, page.text)
            items = page.json()
            assert len(items["items"] if isinstance(items, dict) else items) <= 3


def test_rate_limit_answers_429_per_client(kb: str) -> None:
    with make_client(kb, ACCORDIA_RATE_LIMIT="3") as client:
        statuses = [client.get("/api/summary").status_code for _ in range(5)]
        body = assert_problem(client.get("/api/events"), 429)
    assert statuses == [200, 200, 200, 429, 429]
    assert "slow down" in body["detail"]


# --- no internals in errors --------------------------------------------------------------------


SECRET = "/srv/accordia/secret_module.py password=hunter2"


@pytest.mark.parametrize("error", [
    RuntimeError(f"boom in {SECRET}"),
    KeyError(SECRET),
    StoreError(f"summary failed: OperationalError: no such table: documents [SQL: SELECT id FROM documents] {SECRET}"),
], ids=["RuntimeError", "KeyError", "StoreError"])
def test_an_internal_error_leaves_no_trace_to_the_client(kb: str, monkeypatch: pytest.MonkeyPatch,
                                                          error: Exception) -> None:
    with make_client(kb, raise_errors=False) as client:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise error

        monkeypatch.setattr(client.app.state.store, "summary", fail)  # type: ignore[attr-defined]
        response = client.get("/api/summary")
        page = client.get("/")
    for answer in (response, page):
        assert answer.status_code == 500
        for leak in ("Traceback", "secret_module", "hunter2", "SELECT", 'File "', type(error).__name__):
            assert leak not in answer.text, (leak, answer.text)
    assert response.json()["status"] == 500


# --- SQL only through bound parameters ---------------------------------------------------------


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE documents; --",
    '" OR ""="',
    "%' UNION SELECT hash, text FROM documents --",
    "KZ' --",
    "'); DELETE FROM events; --",
    "\\'; SELECT pg_sleep(5); --",
]


def query_routes(client: TestClient) -> dict[str, dict[str, bool]]:
    """Every API path without path parameters that takes query parameters: {name: required}."""
    spec = client.get("/api/openapi.json").json()
    routes = {}
    for path, operations in spec["paths"].items():
        get = operations.get("get") or {}
        params = {p["name"]: bool(p.get("required")) for p in get.get("parameters", []) if p["in"] == "query"}
        if params and "{" not in path:
            routes[path] = params
    return routes


def required(params: dict[str, bool]) -> dict[str, str]:
    """Harmless values for the required parameters of a route (a search needs its words)."""
    return {name: "energy" for name, needed in params.items() if needed}


# Dashboard pages take the same filters; they are not in the OpenAPI document.
PAGE_ROUTES = {"/events": dict.fromkeys(["country", "topic", "type", "q"], False)}


def test_sql_injection_strings_in_every_filter_are_only_data(kb: str) -> None:
    statements: list[str] = []
    with make_client(kb) as client:
        store = client.app.state.store  # type: ignore[attr-defined]
        before = store.summary()
        sa.event.listen(store.engine, "before_cursor_execute",
                        lambda conn, cursor, statement, *rest: statements.append(statement))
        routes = query_routes(client) | PAGE_ROUTES
        assert {"/api/events", "/api/agreements", "/api/documents"} <= set(routes)
        answered = 0
        for path, params in routes.items():
            for param in params:
                for payload in INJECTIONS:
                    response = client.get(path, params=required(params) | {param: payload})
                    # A parameter with a fixed form (a country code, a date, a sort key) refuses the
                    # string; one that takes free text searches for it, as the words it holds.
                    assert response.status_code in {200, 400, 422}, (path, param, payload, response.text)
                    answered += response.status_code == 200
        after = store.summary()
    assert answered >= len(INJECTIONS) * 3
    assert after == before
    assert statements and not [s for s in statements for payload in INJECTIONS if payload in s]


# --- URL ingestion -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/report.txt", "javascript:alert(1)",
                                 "gopher://127.0.0.1/"])
def test_api_url_ingestion_refuses_other_schemes(client: TestClient, url: str) -> None:
    response = client.post("/api/documents", json={"url": url}, headers=AUTH)
    assert response.status_code in {400, 422}, response.text


def test_api_url_ingestion_refuses_private_addresses_unless_allowed(kb: str) -> None:
    with local_site() as site:
        url = site.url("/good.html")
        with make_client(kb) as client:
            for private in (url, "http://169.254.169.254/latest/meta-data/", "http://[::1]/",
                            "http://10.0.0.1/report.html"):
                body = assert_problem(client.post("/api/documents", json={"url": private}, headers=AUTH), 400)
                assert "E105" in body["detail"]
        assert site.hits == []
        with make_client(kb, ACCORDIA_ALLOW_PRIVATE_URLS="true") as client:
            allowed = client.post("/api/documents", json={"url": url}, headers=AUTH)
        assert allowed.status_code == 201, allowed.text
        assert site.hits == ["/good.html"]
