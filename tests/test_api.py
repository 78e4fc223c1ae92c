"""The REST API and the server-rendered pages, through FastAPI's test client."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accordia.api import create_app
from accordia.settings import Settings

HOSTILE = """<html><head><title>Ministers meet <script>alert(1)</script></title></head><body>
<article><h1>Ministers meet</h1>
<p>ASTANA, Kazakhstan, May 3, 2024. The Minister of Energy of Kazakhstan Almassadam Satkaliyev met the
Minister of Energy of Azerbaijan Parviz Shahbazov in Astana <img src=x onerror="alert(2)"> and signed a
memorandum of understanding on green energy <script>document.title='pwned'</script> cooperation.</p>
<a href="javascript:alert(3)">more</a></article></body></html>"""


@pytest.fixture
def client(sample_db: str) -> TestClient:
    return TestClient(create_app(sample_db, Settings.load(ACCORDIA_API_TOKEN="s3cret")))


def test_events_with_cursor_pagination(client: TestClient) -> None:
    first = client.get("/api/events", params={"limit": 5}).json()
    assert first["ok"] and len(first["items"]) == 5
    second = client.get("/api/events", params={"limit": 5, "after": first["next"]}).json()
    assert {e["id"] for e in first["items"]}.isdisjoint({e["id"] for e in second["items"]})


@pytest.mark.parametrize("path", ["/api/events/1", "/api/agreements/1", "/api/entities/1", "/api/documents/1",
                                  "/api/summary", "/api/partners/KZ", "/api/network", "/api/timeline",
                                  "/api/openapi.json"])
def test_read_endpoints(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(("path", "status"), [("/api/events/999999", 404), ("/api/events?limit=0", 422),
                                              ("/api/events?limit=100000", 422),
                                              ("/api/events?since=notadate", 422)])
def test_errors_are_json_problems(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]


def test_writes_need_the_token(client: TestClient) -> None:
    payload = {"source": "note.txt", "content": "text"}
    assert client.post("/api/documents", json=payload).status_code == 401
    assert client.post("/api/documents", json=payload,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_post_document_returns_its_record(client: TestClient) -> None:
    response = client.post("/api/documents", json={"source": "hostile.html", "content": HOSTILE},
                           headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 201, response.text
    [item] = response.json()["items"]
    assert item["record"]["countries"] == ["AZ", "KZ"]


def test_hostile_article_renders_inert(client: TestClient) -> None:
    response = client.post("/api/documents", json={"source": "hostile2.html", "content": HOSTILE},
                           headers={"Authorization": "Bearer s3cret"})
    document_id = response.json()["items"][0]["document_id"]
    page = client.get(f"/documents/{document_id}").text
    assert "<script>" not in page and "onerror=" not in page.replace("onerror=&#34;", "")
    assert "javascript:" not in page


def test_body_size_limit(sample_db: str) -> None:
    small = TestClient(create_app(sample_db, Settings.load(ACCORDIA_MAX_BODY_BYTES="100",
                                                           ACCORDIA_API_TOKEN="t")))
    response = small.post("/api/documents", json={"source": "x", "content": "y" * 1000},
                          headers={"Authorization": "Bearer t"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/", "/events", "/events?country=KZ&topic=oil_gas", "/events/1",
                                  "/documents/1", "/entities/1"])
def test_pages(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and "<title>" in response.text
