"""Hostile content: an article full of scripts, event handlers, `javascript:` links and CSS
injection is read for its words only, and every dashboard page shows those words escaped.

(The browser check that nothing runs is in tests/test_web_browser.py; here FastAPI's test client
reads the HTML the server sends.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accordia.api import create_app
from accordia.errors import InputError
from accordia.extract import extract
from accordia.ingest.readers import read_bytes, read_html
from accordia.pipeline import ingest
from accordia.settings import Settings
from accordia.store import EventFilter, Store

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = FIXTURES / "robustness" / "hostile_article.html"
# Words of the article that are markup written as text (&lt;script&gt; in the page's source).
QUOTED_MARKUP = '<script>alert("text")</script>'
PAYLOADS = ("document.cookie", "evil.example", "expression(", "alert('onload')", "alert('img')",
            "alert('svg')", "alert('a')", "alert('css')", "alert(\"svg script\")")


def test_the_reader_keeps_the_words_and_drops_the_active_content() -> None:
    [document] = read_html(ARTICLE.read_bytes(), "hostile.html")
    for payload in PAYLOADS:
        assert payload not in document.text
    assert "javascript:" not in document.text.lower()
    assert "memorandum of understanding in Cairo" in document.text
    assert QUOTED_MARKUP in document.text  # the article's own words, kept as text
    record = extract(document)
    assert record.countries == ("EG", "IL")
    assert [(event.type, event.place) for event in record.events] == [("signing", "Cairo")]


def test_the_older_hostile_page_reads_the_same_through_any_door() -> None:
    data = (FIXTURES / "ingest" / "hostile.html").read_bytes()
    [document] = read_bytes(data, "download")
    assert list(read_bytes(data, "download")) == list(read_html(data, "download"))
    assert "Norway and Germany met in Oslo" in document.text
    for payload in ("<script", "alert(", "document.cookie", "javascript:", "onerror", "onload", "</scr"):
        assert payload not in document.text.lower()
    assert "subsea cable" in document.text
    record = extract(document)
    assert record.language == "en"
    assert {"DE", "NO"} <= set(record.mentioned_countries)
    assert [event.place for event in record.events] == ["Oslo"]


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """The dashboard over a knowledge base holding the hostile article, and the ids of its facts."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'kb.db'}"
    store = Store.open(url)
    try:
        report = ingest([str(ARTICLE)], store)
        assert (report.added, report.failed) == (1, 0)
        [document] = store.documents()
        [event] = store.events(EventFilter())
        [agreement] = store.agreements(EventFilter())
        person_or_org = next(row for row in store.entities() if row.kind in {"organization", "person"})
    finally:
        store.close()
    ids = {"document": document.id, "event": event.id, "agreement": agreement.id, "entity": person_or_org.id}
    with TestClient(create_app(url, Settings.load(Path("/nonexistent/.env"), ACCORDIA_RATE_LIMIT="0"))) as client:
        yield client, ids


PAGES = ["/", "/events", "/events/{event}", "/documents/{document}", "/agreements", "/agreements/{agreement}",
         "/entities/{entity}", "/documents", "/events?q=script"]
ACTIVE = [
    # Only the site's own script files, and JSON data islands for the charts (checked below).
    re.compile(r"<script(?![^>]*\b(?:src=\"/(?:static|vendor)/|type=\"application/json\"))", re.IGNORECASE),
    re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),  # an event-handler attribute
    re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*(?:javascript|data):""", re.IGNORECASE),
    re.compile(r"<(?:iframe|object|embed|svg)\b", re.IGNORECASE),  # the site's own search forms are fine
    re.compile(r"expression\(|url\(\s*[\"']?javascript:", re.IGNORECASE),
]
JSON_ISLAND = re.compile(r'<script type="application/json"[^>]*>(.*?)</script>', re.DOTALL)


@pytest.mark.parametrize("page", PAGES)
def test_every_dashboard_page_shows_the_article_escaped(dashboard: tuple[TestClient, dict[str, int]],
                                                        page: str) -> None:
    client, ids = dashboard
    response = client.get(page.format(**ids))
    assert response.status_code == 200, response.text
    html = response.text
    for pattern in ACTIVE:
        assert not pattern.search(html), (pattern.pattern, pattern.search(html))
    for payload in PAYLOADS:
        assert payload not in html
    for island in JSON_ISLAND.findall(html):
        assert "<" not in island  # "</script>" in data would end the island early
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src and "'unsafe-inline'" not in script_src[1] and "'unsafe-eval'" not in script_src[1]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_document_page_shows_quoted_markup_as_text(dashboard: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = dashboard
    html = client.get(f"/documents/{ids['document']}").text
    assert QUOTED_MARKUP not in html
    assert "&lt;script&gt;alert(" in html  # shown, as the words the article holds
    assert "&lt;img src=x onerror=alert(4)&gt;" in html


def test_the_api_returns_the_text_as_json_data(dashboard: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = dashboard
    response = client.get(f"/api/documents/{ids['document']}")
    assert response.headers["content-type"].startswith("application/json")
    assert QUOTED_MARKUP in response.json()["text"]  # data, for the client to escape where it shows it


# --- evidence offsets on hostile markup ------------------------------------------------------


FRAGMENTS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '<a href="javascript:alert(3)">link</a>',
    "<style>p{behavior:expression(alert(4))}</style>", "<svg onload=alert(5)>", "</p>", "<p>", "<br>",
    "&lt;script&gt;", "&amp;", "&#0;", "&#xD800;", "<!--", "-->", "<![CDATA[", "]]>", "<title>", "</title>",
    "<div>", "</div>", "<p onclick='x'>", "\u202e", "\u200b", "\ufeff", "\x00", "\r\n", "\n\n",
    "The Minister of Energy of Kazakhstan", "met", "signed a memorandum of understanding with",
    "Egypt", "Israel", "in Cairo", "on 15 June 2022", "the European Commission", "on gas exports.",
]
hostile_pages = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=60).map(
    lambda parts: "<html><body><article><p>" + " ".join(parts) + "</p></article></body></html>")


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(page=hostile_pages)
def test_evidence_offsets_on_hostile_pages_stay_inside_the_text(page: str) -> None:
    try:
        items = list(read_bytes(page.encode("utf-8", "surrogatepass"), "page.html"))
    except InputError:
        return
    for document in items:
        if not hasattr(document, "text"):
            continue
        record = extract(document)
        spans = [span for fact in (*record.events, *record.agreements, *record.persons, *record.organizations)
                 for span in fact.evidence]
        for start, end in spans:
            assert 0 <= start < end <= len(document.text), (start, end, len(document.text))
