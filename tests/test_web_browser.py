"""The dashboard in a real headless browser (Debian's chromium through Playwright).

One server and one browser per module, over a copy of the sample knowledge base plus a hostile
report (`tests/fixtures/web/hostile_report.txt`: script tags, event handlers, `javascript:` links
and CSS injection in its text). Every page must load without script errors or Content-Security-Policy
violations; screenshots land in `test-artifacts/`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from accordia.api import create_app
from accordia.pipeline import ingest
from accordia.settings import Settings
from accordia.store import EventFilter, Store
from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("ACCORDIA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE_REPORT = ROOT / "tests" / "fixtures" / "web" / "hostile_report.txt"

if not CHROMIUM.exists():
    if os.environ.get("ACCORDIA_REQUIRE_BROWSER"):
        raise RuntimeError(f"the browser tests need {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser

# Reports every CSP violation into a list the test reads back (Playwright's init scripts run outside
# the page's CSP, so this does not need the policy to allow inline script).
WATCH_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation', "
             "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Site:
    """The running dashboard: its base URL and the ids the tests need."""

    def __init__(self, url: str, hostile_document: int, hostile_event: int) -> None:
        self.url = url
        self.hostile_document = hostile_document
        self.hostile_event = hostile_event


@pytest.fixture(scope="module")
def site(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    copy = tmp_path_factory.mktemp("browser") / "kb.db"
    shutil.copy(Path(sample_db.removeprefix("sqlite:///")), copy)
    url = f"sqlite:///{copy}"
    store = Store.open(url)
    report = ingest([str(HOSTILE_REPORT)], store)
    assert report.added == 1, report.failures
    [document] = store.page("documents", EventFilter(limit=1), "-id")[0]
    [event] = [e for e in store.events(EventFilter(query="hydrogen", limit=500))
               if any(s.document_id == document.id for s in store.event(e.id).sources)]
    store.close()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(url, Settings.load(ACCORDIA_RATE_LIMIT="0")),
                                           host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the dashboard did not start"
    yield Site(f"http://127.0.0.1:{port}", document.id, event.id)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab that fails the test on any script error, console error, dialog or CSP violation."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(WATCH_CSP)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", lambda msg: problems.append(f"console: {msg.text}") if msg.type == "error" else None)
    tab.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    yield tab
    if not tab.is_closed() and tab.url.startswith("http"):
        problems.extend(f"CSP: {v}" for v in tab.evaluate("window.__csp || []"))
    context.close()
    assert not problems, problems


@pytest.fixture
def quiet_page(browser: Browser) -> Iterator[Page]:
    """A tab for pages that are meant to fail loading (a 404 logs a console error by design)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _chart_rendered(page: Page, chart_id: str) -> None:
    """The plotly chart drew: an SVG inside the chart's div."""
    chart = page.locator(f"#{chart_id}")
    expect(chart).to_have_attribute("data-rendered", "true", timeout=15_000)
    assert chart.locator("svg.main-svg").count() >= 1


def test_overview_shows_counts_network_and_latest_events(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    expect(page.locator("h1")).to_have_text("Energy cooperation at a glance")
    expect(page.locator(".card").first).to_contain_text("reports")
    assert page.locator("table.events tbody tr").count() >= 5
    _chart_rendered(page, "network-chart")
    _chart_rendered(page, "trends-chart")
    assert page.locator("#network-chart .scatterlayer .point").count() >= 10  # one marker per country
    _shot(page, "overview")


@pytest.mark.parametrize(("path", "heading", "chart"), [
    ("/events", "Events", None), ("/agreements", "Agreements", None), ("/countries", "Countries", None),
    ("/countries/KZ", "Kazakhstan", "partners-chart"), ("/persons", "People", None),
    ("/organizations", "Organizations", None), ("/documents", "Reports", None),
    ("/network", "Cooperation network", "network-chart"), ("/timeline", "Timeline", "timeline-chart"),
    ("/topics", "Topics by country", "heatmap-chart"), ("/strategies", "Strategy tracker", None),
    ("/strategies/sco_energy_2030", "SCO energy cooperation strategy", "tracker-chart"),
])
def test_every_page_opens(page: Page, site: Site, path: str, heading: str, chart: str | None) -> None:
    response = page.goto(site.url + path)
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("nav[aria-label=main] a.active")).to_have_count(1)
    if chart:
        _chart_rendered(page, chart)
    _shot(page, "page" + re.sub(r"[^a-z0-9]+", "-", path.lower()).rstrip("-"))


def test_filter_events_then_follow_evidence_to_the_source(page: Page, site: Site) -> None:
    page.goto(site.url + "/events")
    page.select_option("select[name=country]", "KZ")
    page.select_option("select[name=type]", "signing")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"country=KZ.*type=signing"))
    rows = page.locator("table.events tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        expect(rows.nth(i)).to_contain_text("KZ")
        expect(rows.nth(i)).to_contain_text("signing")
    rows.first.locator("td:nth-child(3) a").click()
    expect(page.locator("dl.facts")).to_contain_text("signing")
    evidence = page.locator("blockquote.evidence").first
    sentence = evidence.inner_text()
    _shot(page, "event")
    evidence.locator("a").click()
    highlighted = page.locator("mark.evidence#hl")
    expect(highlighted).to_be_visible()
    assert " ".join(sentence.split())[:40] in " ".join(highlighted.inner_text().split())
    _shot(page, "document-highlight")


def test_event_links_lead_to_country_person_and_agreement(page: Page, site: Site) -> None:
    page.goto(site.url + "/events?country=KZ&type=signing")
    page.locator("table.events tbody tr td:nth-child(3) a").first.click()
    event_url = page.url
    page.locator("dl.facts a.country", has_text="KZ").first.click()
    expect(page.locator("h1")).to_contain_text("Kazakhstan")
    _chart_rendered(page, "timeline-chart")
    page.goto(event_url)
    if page.locator("dl.facts a.person").count():
        page.locator("dl.facts a.person").first.click()
        expect(page.locator("h2", has_text="Role history")).to_be_visible()
        page.goto(event_url)
    page.goto(site.url + "/agreements")
    page.locator("table.agreements tbody tr td:nth-child(3) a").first.click()
    expect(page.locator("h2", has_text="Its life")).to_be_visible()
    assert page.locator("ol.life li").count() >= 1
    _shot(page, "agreement")


def test_network_filters_by_topic_and_period(page: Page, site: Site) -> None:
    page.goto(site.url + "/network")
    _chart_rendered(page, "network-chart")
    everyone = page.locator("#network-chart .scatterlayer .point").count()
    page.select_option("select[name=topic]", "oil_gas")
    page.fill("input[name=since]", "2023-01-01")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"topic=oil_gas.*since=2023-01-01"))
    _chart_rendered(page, "network-chart")
    assert 0 < page.locator("#network-chart .scatterlayer .point").count() < everyone
    _shot(page, "network-filtered")


def test_hostile_report_renders_as_inert_text(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/documents/{site.hostile_document}")
    text = page.locator(".document-text")
    expect(text).to_contain_text("<script>alert('evidence')</script>")
    expect(text).to_contain_text("<style>body { display: none !important }</style>")
    expect(page.locator("body")).to_be_visible()
    assert page.evaluate("document.title") != "pwned"
    assert page.locator("main script, main img, main iframe, main svg, main style, [onclick], [onerror], "
                        "[onload], [onmouseover], a[href^='javascript' i]").count() == 0
    _shot(page, "hostile-document")
    page.goto(f"{site.url}/events/{site.hostile_event}")
    expect(page.locator("blockquote.evidence").first).to_contain_text("<a href=\"javascript:alert('link')\"")
    assert page.locator("main script, main img, a[href^='javascript' i]").count() == 0
    assert page.evaluate("document.title") != "pwned"
    _shot(page, "hostile-event")


def test_unknown_pages_explain_themselves(quiet_page: Page, site: Site) -> None:
    response = quiet_page.goto(site.url + "/events/999999")
    assert response is not None and response.status == 404
    expect(quiet_page.locator("h1")).to_have_text("Not found")
    expect(quiet_page.locator("a", has_text="Back to the overview")).to_be_visible()

