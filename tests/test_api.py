"""The REST API and the server-rendered pages, through FastAPI's test client."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from accordia import api
from accordia.api import create_app
from accordia.settings import Settings
from accordia.store import Store

HOSTILE = """<html><head><title>Ministers meet <script>alert(1)</script></title></head><body>
<article><h1>Ministers meet</h1>
<p>ASTANA, Kazakhstan, May 3, 2024. The Minister of Energy of Kazakhstan Almassadam Satkaliyev met the
Minister of Energy of Azerbaijan Parviz Shahbazov in Astana <img src=x onerror="alert(2)"> and signed a
memorandum of understanding on green energy <script>document.title='pwned'</script> cooperation.</p>
<a href="javascript:alert(3)">more</a></article></body></html>"""


@pytest.fixture(scope="module")
def client(sample_db: str) -> Iterator[TestClient]:
    # The rate limit is tested on its own app below; here it would only make the suite order-dependent.
    app = create_app(sample_db, Settings.load(ACCORDIA_API_TOKEN="s3cret", ACCORDIA_RATE_LIMIT="0"))
    with TestClient(app) as test_client:
        yield test_client


def _walk(client: TestClient, path: str, **params: str | int) -> list[dict[str, typing.Any]]:
    """Every item of a listing, following `next` until the last page."""
    items: list[dict[str, typing.Any]] = []
    cursor = None
    while True:
        page = client.get(path, params={**params, **({"after": cursor} if cursor else {})}).json()
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items


@pytest.mark.parametrize(("path", "sort"), [("/api/events", "-date"), ("/api/events", "date"),
                                            ("/api/events", "title"), ("/api/events", "-id"),
                                            ("/api/agreements", "-date"), ("/api/agreements", "status"),
                                            ("/api/documents", "-published"), ("/api/persons", "name"),
                                            ("/api/organizations", "-country")])
def test_cursor_pages_neither_skip_nor_repeat(client: TestClient, path: str, sort: str) -> None:
    everything = client.get(path, params={"sort": sort, "limit": 500}).json()
    assert everything["next"] is None
    paged = _walk(client, path, sort=sort, limit=7)
    assert [item["id"] for item in paged] == [item["id"] for item in everything["items"]]
    assert len(paged) > 7


def test_events_sorted_newest_first_by_default(client: TestClient) -> None:
    dates = [e["date"] for e in client.get("/api/events", params={"limit": 500}).json()["items"] if e["date"]]
    assert dates == sorted(dates, reverse=True)


def test_sort_allowlists_match_the_store() -> None:
    for kind, alias in [("events", api.EventSort), ("agreements", api.AgreementSort),
                        ("documents", api.DocumentSort), ("entities", api.EntitySort)]:
        allowed = set(typing.get_args(alias))
        assert {value.removeprefix("-") for value in allowed} == set(Store.PAGE_SORTS[kind])
        assert all(f"-{value}" in allowed for value in Store.PAGE_SORTS[kind])


def test_filters_combine(client: TestClient) -> None:
    events = _walk(client, "/api/events", country="KZ", type="signing", since="2023-01-01", limit=50)
    assert events
    for event in events:
        assert "KZ" in event["countries"] and event["type"] == "signing" and event["date"] >= "2023-01-01"
    topical = client.get("/api/agreements", params={"topic": "nuclear_energy"}).json()["items"]
    assert topical and all("nuclear_energy" in a["topics"] for a in topical)


def test_event_detail_carries_evidence_that_is_in_the_source_text(client: TestClient) -> None:
    detail = client.get("/api/events/1").json()
    source = detail["sources"][0]
    document = client.get(f"/api/documents/{source['document_id']}").json()
    for evidence in source["evidence"]:
        assert document["text"][evidence["start"]:evidence["end"]] == evidence["text"]
    assert any(h["kind"] == "event" for h in document["highlights"])


def test_country_detail_and_analytics(client: TestClient) -> None:
    country = client.get("/api/countries/kz").json()
    assert country["code"] == "KZ" and country["partners"] and country["timeline"]
    assert {"KZ"} <= {c["code"] for c in client.get("/api/countries").json()}
    edges = client.get("/api/network", params={"region": "Central Asia"}).json()
    central_asia = {"KZ", "KG", "TJ", "TM", "UZ"}
    assert edges and all({e["source"], e["target"]} <= central_asia for e in edges)
    cells = client.get("/api/heatmap").json()
    assert any(c["country"] == "KZ" and c["events"] > 0 for c in cells)
    topics = client.get("/api/topics").json()
    assert {t["code"] for t in topics} >= {"oil_gas", "nuclear_energy"}


def test_agreement_life_and_strategy_tracker(client: TestClient) -> None:
    detail = client.get("/api/agreements/1").json()
    assert detail["life"] and detail["life"][0]["kind"] in {"signed", "approved", "mentioned", "ratified",
                                                             "in_force", "implementation"}
    strategies = client.get("/api/strategies").json()
    assert strategies
    tracker = client.get(f"/api/strategies/{strategies[0]['id']}").json()
    assert {row["area"] for row in tracker["rows"]} == {area["name"] for area in strategies[0]["areas"]}


@pytest.mark.parametrize("path", ["/api/events/1", "/api/agreements/1", "/api/entities/1", "/api/documents/1",
                                  "/api/summary", "/api/partners/KZ", "/api/network", "/api/timeline",
                                  "/api/persons", "/api/organizations", "/api/search?q=uranium",
                                  "/api/openapi.json"])
def test_read_endpoints(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]


@pytest.mark.parametrize(("path", "status"), [("/api/events/999999", 404), ("/api/events?limit=0", 422),
                                              ("/api/events?limit=100000", 422),
                                              ("/api/events?since=notadate", 422),
                                              ("/api/events?sort=confidence", 422),
                                              ("/api/events?after=bm90IGEgY3Vyc29y", 400),
                                              ("/api/events/99999999999999999999", 422),
                                              ("/api/persons/1", 404), ("/api/network?region=Atlantis", 400),
                                              ("/api/strategies/no_such_plan", 404), ("/api/nothing", 404)])
def test_errors_are_problem_details(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"] and body["detail"]


def test_openapi_documents_models_sorting_and_problems(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    events = spec["paths"]["/api/events"]["get"]
    sort = next(p for p in events["parameters"] if p["name"] == "sort")
    assert "-date" in str(sort["schema"])
    assert "application/problem+json" in events["responses"]["422"]["content"]
    assert {"Event", "EventDetail", "Agreement", "DocumentOut", "Problem"} <= set(spec["components"]["schemas"])
    assert not any(path.startswith(("/events", "/countries")) for path in spec["paths"])  # pages stay out


def test_writes_need_the_token(client: TestClient) -> None:
    payload = {"source": "note.txt", "content": "text"}
    assert client.post("/api/documents", json=payload).status_code == 401
    assert client.post("/api/documents", json=payload,
                       headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_writes_are_off_without_a_token(sample_db: str) -> None:
    closed = TestClient(create_app(sample_db, Settings.load(ACCORDIA_API_TOKEN="")))
    response = closed.post("/api/documents", json={"source": "n.txt", "content": "x"},
                           headers={"Authorization": "Bearer "})
    assert response.status_code == 403


def test_reads_can_require_the_token(sample_db: str) -> None:
    private = TestClient(create_app(sample_db, Settings.load(ACCORDIA_API_TOKEN="t", ACCORDIA_PUBLIC_READS="false")))
    assert private.get("/api/events").status_code == 401
    assert private.get("/api/events", headers={"Authorization": "Bearer t"}).status_code == 200


def test_post_document_returns_its_record(client: TestClient) -> None:
    response = client.post("/api/documents", json={"source": "hostile.html", "content": HOSTILE},
                           headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == 201, response.text
    [item] = response.json()["items"]
    assert item["record"]["countries"] == ["AZ", "KZ"]
    again = client.post("/api/documents", json={"source": "hostile.html", "content": HOSTILE},
                        headers={"Authorization": "Bearer s3cret"}).json()["items"][0]
    assert again["document_id"] == item["document_id"] and again["added"] is False


@pytest.mark.parametrize(("payload", "status"), [
    ({"source": "a.txt", "content": "x", "url": "https://example.org/a"}, 422),  # both
    ({"source": "a.txt"}, 422),  # neither
    ({"url": "ftp://example.org/a.txt"}, 422),  # not http(s)
    ({"url": "http://127.0.0.1:9/report.html"}, 400),  # loopback: refused before any request
])
def test_post_document_input_checks(client: TestClient, payload: dict[str, str], status: int) -> None:
    response = client.post("/api/documents", json=payload, headers={"Authorization": "Bearer s3cret"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_hostile_article_renders_inert(client: TestClient) -> None:
    response = client.post("/api/documents", json={"source": "hostile2.html", "content": HOSTILE + " "},
                           headers={"Authorization": "Bearer s3cret"})
    document_id = response.json()["items"][0]["document_id"]
    page = client.get(f"/documents/{document_id}").text
    assert "<script>alert" not in page and "<img" not in page
    assert 'href="javascript:' not in page


def test_body_size_limit(sample_db: str) -> None:
    small = TestClient(create_app(sample_db, Settings.load(ACCORDIA_MAX_BODY_BYTES="100",
                                                           ACCORDIA_API_TOKEN="t")))
    response = small.post("/api/documents", json={"source": "x", "content": "y" * 1000},
                          headers={"Authorization": "Bearer t"})
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        yield b'{"source": "x", "content": "'
        yield b"y" * 1000
        yield b'"}'

    response = small.post("/api/documents", content=chunks(),
                          headers={"Authorization": "Bearer t", "Content-Type": "application/json"})
    assert response.status_code == 413


def test_rate_limit(sample_db: str) -> None:
    limited = TestClient(create_app(sample_db, Settings.load(ACCORDIA_RATE_LIMIT="3")))
    statuses = [limited.get("/api/summary").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert limited.get("/").status_code == 200  # pages are not rate-limited


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    response = client.get("/vendor/plotly.min.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert "max-age" in response.headers["cache-control"] and response.headers.get("etag")
    assert response.content == api.PLOTLY_JS.read_bytes()


@pytest.mark.parametrize("path", ["/", "/events", "/events?country=KZ&topic=oil_gas&since=&until=", "/events/1",
                                  "/agreements", "/agreements/1", "/countries", "/countries/KZ", "/persons",
                                  "/organizations", "/documents", "/documents/1", "/network",
                                  "/network?topic=oil_gas&region=EU", "/timeline?country=KZ", "/topics",
                                  "/strategies", "/strategies/sco_energy_2030"])
def test_pages(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200 and "<title>" in response.text
    assert "<script>" not in response.text  # charts come as JSON data blocks, drawn by /static/charts.js


def test_page_errors_are_pages(client: TestClient) -> None:
    missing = client.get("/events/999999")
    assert missing.status_code == 404 and "Not found" in missing.text
    bad = client.get("/events?since=yesterday")
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_entity_links_redirect_to_their_kind(client: TestClient) -> None:
    person = client.get("/api/persons", params={"limit": 1}).json()["items"][0]
    response = client.get(f"/entities/{person['id']}", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == f"/persons/{person['id']}"
