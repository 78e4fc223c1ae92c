"""The dashboard in a real headless browser (Debian's chromium through Playwright)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from accordia import Document, extract
from accordia.api import create_app
from accordia.settings import Settings
from accordia.store import Store
from tests.conftest import ROOT
from tests.test_api import HOSTILE

CHROMIUM = Path(os.environ.get("ACCORDIA_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"

if not CHROMIUM.exists():
    if os.environ.get("ACCORDIA_REQUIRE_BROWSER"):
        raise RuntimeError(f"the browser tests need {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no browser at {CHROMIUM}", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(sample_db: str) -> Iterator[str]:
    store = Store.open(sample_db)
    hostile = Document(source="hostile-report.html", text=HOSTILE, title="Ministers meet <script>alert(1)</script>")
    store.add_document(hostile, extract(hostile))
    store.close()
    port = _free_port()
    config = uvicorn.Config(create_app(sample_db, Settings.load()), host="127.0.0.1", port=port,
                            log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    yield tab
    context.close()
    assert not errors, errors


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_overview_shows_counts_and_latest_events(page: Page, server: str) -> None:
    page.goto(server + "/")
    expect(page.locator("h1")).to_have_text("Energy cooperation at a glance")
    expect(page.locator(".card").first).to_contain_text("reports")
    assert page.locator("table.events tbody tr").count() >= 10
    _shot(page, "overview")


def test_filter_events_then_follow_evidence_to_the_source(page: Page, server: str) -> None:
    page.goto(server + "/events")
    page.fill("input[name=country]", "KZ")
    page.select_option("select[name=type]", "signing")
    page.click("button[type=submit]")
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
    highlighted = page.locator("mark.evidence")
    expect(highlighted.first).to_be_visible()
    assert sentence.strip()[:40] in highlighted.first.inner_text()
    _shot(page, "document-highlight")


def test_hostile_report_renders_as_inert_text(page: Page, server: str) -> None:
    # The hostile report was stored last, so its id is the document count.
    documents = page.request.get(server + "/api/summary").json()["item"]["documents"]
    page.goto(f"{server}/documents/{documents}")
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator(".document-text")).to_contain_text("Satkaliyev")
    assert page.evaluate("document.title") != "pwned"
    assert page.locator(".document-text script, .document-text img, a[href^=javascript]").count() == 0
    _shot(page, "hostile")
