"""REST API and dashboard, served by one FastAPI app over the same library functions as the CLI.

Every page and its JSON twin call the same `store`/`analyze` function. Errors leave in one
JSON envelope (`ok`, `status`, `error`); article text is escaped by the templates, and a
Content-Security-Policy forbids inline script.
"""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from datetime import date
from importlib import resources
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from accordia import analyze
from accordia.errors import AccordiaError, InputError, NotFound
from accordia.extract import ExtractOptions, extract
from accordia.ingest.readers import read_bytes
from accordia.models import Document, Failure, to_plain
from accordia.settings import Settings
from accordia.store import EventFilter, Store

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class DocumentIn(BaseModel):
    """A report to ingest through the API: its text or HTML, and where it came from."""

    source: str = Field(min_length=1, max_length=2000)
    content: str = Field(min_length=1)
    title: str | None = Field(default=None, max_length=1000)


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """The ASGI app over the knowledge base at `database_url`."""
    settings = settings or Settings.load()
    store = Store.open(database_url or settings.database_url)
    max_page = settings.get_int("ACCORDIA_MAX_PAGE_SIZE")
    max_body = settings.get_int("ACCORDIA_MAX_BODY_BYTES")
    token = settings.get("ACCORDIA_API_TOKEN")
    public_reads = settings.get_bool("ACCORDIA_PUBLIC_READS")
    rate_limit = settings.get_int("ACCORDIA_RATE_LIMIT")
    recent: dict[str, deque[float]] = defaultdict(deque)

    app = FastAPI(title="Accordia", version="0.1.0", openapi_url="/api/openapi.json",
                  docs_url="/api/docs", redoc_url=None)
    app.state.store = store
    web = resources.files("accordia") / "web"
    templates = Jinja2Templates(directory=str(web / "templates"))
    app.mount("/static", StaticFiles(directory=str(web / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if rate_limit > 0 and request.url.path.startswith("/api/"):
            # A sliding one-minute window per client address, kept in memory.
            client = request.client.host if request.client else "unknown"
            now = time.monotonic()
            window = recent[client]
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= rate_limit:
                return _problem(429, f"more than {rate_limit} requests a minute; slow down")
            window.append(now)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body:
            return _problem(413, f"request body over {max_body} bytes")
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return _problem(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _problem(422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound) -> JSONResponse:
        return _problem(404, str(exc))

    @app.exception_handler(AccordiaError)
    async def library_error(_request: Request, exc: AccordiaError) -> JSONResponse:
        return _problem(400 if isinstance(exc, InputError) else 500, str(exc))

    def check_token(value: str | None) -> None:
        if not token:
            raise HTTPException(403, "writes are disabled: set ACCORDIA_API_TOKEN to enable them")
        supplied = (value or "").removeprefix("Bearer ").strip()
        # Constant-time comparison: the response time must not leak how much of a guess was right.
        if not hmac.compare_digest(supplied.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong API token")

    def read_access(authorization: Annotated[str | None, Header()] = None) -> None:
        if not public_reads:
            check_token(authorization)

    Reader = Depends(read_access)

    def limit_param(limit: int) -> int:
        if not 1 <= limit <= max_page:
            raise HTTPException(422, f"limit must be between 1 and {max_page}")
        return limit

    # --- JSON API ------------------------------------------------------------------------

    @app.get("/api/events", dependencies=[Reader])
    def api_events(country: str | None = None, topic: str | None = None, type: str | None = None,
                   since: date | None = None, until: date | None = None, q: str | None = None,
                   limit: int = 50, after: int | None = None) -> dict[str, Any]:
        """Events with filters; `after` is the cursor from the previous page's `next`."""
        rows = store.events(EventFilter(country, topic, type, since, until, q, limit_param(limit), after))
        return {"ok": True, "items": to_plain(rows), "next": rows[-1].id if len(rows) == limit else None}

    @app.get("/api/events/{event_id}", dependencies=[Reader])
    def api_event(event_id: int) -> dict[str, Any]:
        return {"ok": True, "item": to_plain(store.event(event_id))}

    @app.get("/api/agreements", dependencies=[Reader])
    def api_agreements(country: str | None = None, topic: str | None = None, type: str | None = None,
                       since: date | None = None, until: date | None = None, q: str | None = None,
                       limit: int = 50, after: int | None = None) -> dict[str, Any]:
        rows = store.agreements(EventFilter(country, topic, type, since, until, q, limit_param(limit),
                                            after))
        return {"ok": True, "items": to_plain(rows), "next": rows[-1].id if len(rows) == limit else None}

    @app.get("/api/agreements/{agreement_id}", dependencies=[Reader])
    def api_agreement(agreement_id: int) -> dict[str, Any]:
        row, history = store.agreement(agreement_id)
        return {"ok": True, "item": to_plain(row), "history": to_plain(history)}

    @app.get("/api/entities", dependencies=[Reader])
    def api_entities(kind: str | None = None, country: str | None = None, q: str | None = None,
                     limit: int = 50, after: int | None = None) -> dict[str, Any]:
        rows = store.entities(kind, country, q, limit_param(limit), after)
        return {"ok": True, "items": to_plain(rows), "next": rows[-1].id if len(rows) == limit else None}

    @app.get("/api/entities/{entity_id}", dependencies=[Reader])
    def api_entity(entity_id: int) -> dict[str, Any]:
        return {"ok": True, "item": to_plain(store.entity(entity_id))}

    @app.get("/api/documents/{document_id}", dependencies=[Reader])
    def api_document(document_id: int) -> dict[str, Any]:
        return {"ok": True, "item": to_plain(store.document(document_id))}

    @app.get("/api/summary", dependencies=[Reader])
    def api_summary() -> dict[str, Any]:
        return {"ok": True, "item": to_plain(store.summary())}

    @app.get("/api/partners/{country}", dependencies=[Reader])
    def api_partners(country: Annotated[str, Path(pattern="^[A-Za-z]{2}$")],
                     topic: str | None = None, since: date | None = None) -> dict[str, Any]:
        return {"ok": True, "items": [p.as_dict() for p in analyze.partners(store, country, topic, since)]}

    @app.get("/api/network", dependencies=[Reader])
    def api_network(topic: str | None = None, since: date | None = None) -> dict[str, Any]:
        return {"ok": True, "items": analyze.network(store, topic, since)}

    @app.get("/api/timeline", dependencies=[Reader])
    def api_timeline(country: str | None = None, topic: str | None = None) -> dict[str, Any]:
        return {"ok": True, "items": analyze.timeline(store, country, topic)}

    @app.post("/api/documents", status_code=201)
    def api_ingest(document: DocumentIn,
                   authorization: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Ingest one report (text or HTML) and return its extraction record."""
        check_token(authorization)
        items = list(read_bytes(document.content.encode("utf-8"), document.source))
        docs = [i for i in items if isinstance(i, Document)]
        if not docs:
            reasons = "; ".join(i.reason for i in items if isinstance(i, Failure)) or "no document"
            raise HTTPException(422, reasons)
        results = []
        for doc in docs:
            if document.title and doc.title is None:
                doc = Document(doc.source, doc.text, document.title, doc.published, doc.language,
                               doc.format, doc.url)
            record = extract(doc, ExtractOptions())
            added = store.add_document(doc, record)
            results.append({"document_id": added.document_id, "added": added.added,
                            "record": record.to_dict()})
        return {"ok": True, "items": results}

    # --- dashboard -----------------------------------------------------------------------

    def page(request: Request, name: str, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview(request: Request) -> HTMLResponse:
        return page(request, "overview.html", summary=store.summary(),
                    events=store.events(EventFilter(limit=15)))

    @app.get("/events", response_class=HTMLResponse, include_in_schema=False)
    def events_page(request: Request, country: str | None = None, topic: str | None = None,
                    type: str | None = None, q: str | None = None) -> HTMLResponse:
        filters = EventFilter(country or None, topic or None, type or None, None, None, q or None, 200)
        return page(request, "events.html", events=store.events(filters), filters=filters)

    @app.get("/events/{event_id}", response_class=HTMLResponse, include_in_schema=False)
    def event_page(request: Request, event_id: int) -> HTMLResponse:
        return page(request, "event.html", detail=store.event(event_id))

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(request: Request, document_id: int,
                      start: int | None = None, end: int | None = None) -> HTMLResponse:
        row = store.document(document_id)
        return page(request, "document.html", document=row,
                    segments=_segments(row.text, row.record, start, end))

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: int) -> HTMLResponse:
        return page(request, "entity.html", detail=store.entity(entity_id))

    return app


def _segments(text: str, record: dict[str, Any], start: int | None,
              end: int | None) -> list[tuple[str, bool]]:
    """The text cut into (piece, highlighted) pairs; the template escapes every piece."""
    spans: list[tuple[int, int]] = []
    for fact in (record.get("events") or []) + (record.get("agreements") or []):
        spans.extend((int(s), int(e)) for s, e in fact.get("evidence") or [])
    if start is not None and end is not None:
        spans = [(start, end)]
    spans = sorted((max(0, s), min(len(text), e)) for s, e in spans if s < e)
    pieces: list[tuple[str, bool]] = []
    position = 0
    for s, e in spans:
        if e <= position:
            continue
        s = max(s, position)
        if s > position:
            pieces.append((text[position:s], False))
        pieces.append((text[s:e], True))
        position = e
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"ok": False, "status": status, "error": detail}, status_code=status)
