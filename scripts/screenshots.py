"""Take the README's dashboard screenshots: docs/screenshots/overview.png and docs/screenshots/event.png.

Builds a fresh knowledge base from the bundled samples in a temporary directory, serves the dashboard
on a free loopback port and photographs it with Debian's chromium through Playwright:

    .venv/bin/python scripts/screenshots.py [--chromium /usr/bin/chromium] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from accordia.api import create_app
from accordia.ingest import sample_paths
from accordia.pipeline import ingest
from accordia.settings import Settings
from accordia.store import EventFilter, Store

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _showcase_event(store: Store) -> int:
    """The signing reported by the most sources: the event page with the most evidence to show."""
    signings = store.events(EventFilter(type="signing", limit=10_000))
    return max(signings, key=lambda e: (e.sources, len(e.countries), -e.id)).id


def main() -> None:
    """Build the sample knowledge base, serve it, and save the two screenshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser to drive")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to save")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'samples.db'}"
        store = Store.open(url)
        ingest([str(p) for p in sample_paths()], store)
        event_id = _showcase_event(store)
        store.close()
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(url, Settings.load(ACCORDIA_RATE_LIMIT="0")),
                                               host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(base + "/")
            page.wait_for_selector("#network-chart[data-rendered=true]")
            page.wait_for_selector("#trends-chart[data-rendered=true]")
            page.screenshot(path=str(args.out / "overview.png"), full_page=False)
            page.goto(f"{base}/events/{event_id}")
            page.screenshot(path=str(args.out / "event.png"), full_page=False)
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
    print(f"saved {args.out / 'overview.png'} and {args.out / 'event.png'} (event {event_id})")


if __name__ == "__main__":
    main()
