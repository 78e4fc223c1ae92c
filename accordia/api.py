"""REST API and dashboard, served by one FastAPI app over the same library functions as the CLI.

The JSON API lives under `/api/` (OpenAPI at `/api/openapi.json`); the dashboard pages are in
`accordia.web.pages`. Errors leave as RFC 9457 problem details (`application/problem+json`);
article text is escaped by the templates, and a Content-Security-Policy forbids inline script.
"""

from __future__ import annotations

import functools
import hmac
import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from datetime import date as Date
from importlib import resources
from pathlib import Path as FilePath
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accordia import analyze
from accordia.analyze import strategy
from accordia.errors import AccordiaError, InputError, NotFound
from accordia.extract import ExtractOptions, extract
from accordia.extract.resources import get_resources
from accordia.ingest import IngestOptions, fetch_url
from accordia.ingest.readers import read_bytes
from accordia.models import Document, Failure, to_plain
from accordia.settings import Settings
from accordia.store import DocumentRow, EventFilter, Store, country_label

__all__ = ["CSP", "create_app"]

log = logging.getLogger(__name__)

# Scripts only from this site, never inline. Styles from this site, plus exactly two inline <style>
# elements that plotly.js (7.1.0, served from the installed package) creates on its own: an empty one
# it then fills through the CSSOM (allowed under CSP), and the map library's stylesheet it adds at
# load time; 'unsafe-hashes' lets the same two hashes cover the style attributes plotly sets (an empty
# one on heatmap images). The hashes change with plotly's version; the browser tests fail on any CSP
# violation.
PLOTLY_STYLE_HASHES = ("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
                       "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='")
CSP = (f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-hashes' {' '.join(PLOTLY_STYLE_HASHES)}; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
PROBLEM_TYPE = "application/problem+json"
# Identifiers are 32-bit on PostgreSQL; larger values could only ever answer 404, so they are refused early.
MAX_ID = 2**31 - 1

EventType = Literal["meeting", "conference", "signing", "approval", "visit", "announcement"]
AgreementType = Literal["mou", "agreement", "contract", "strategy", "roadmap", "declaration", "protocol"]
# The `sort` allowlists; tests check they match `Store.PAGE_SORTS`.
EventSort = Literal["date", "-date", "id", "-id", "title", "-title", "type", "-type"]
AgreementSort = Literal["date", "-date", "id", "-id", "title", "-title", "type", "-type", "status", "-status"]
DocumentSort = Literal["published", "-published", "id", "-id", "title", "-title", "source", "-source"]
EntitySort = Literal["name", "-name", "id", "-id", "country", "-country"]


def _no_nul(value: str | None) -> str | None:
    """Refuse NUL characters: PostgreSQL cannot compare text containing them."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


CountryCode = Annotated[str, Path(pattern="^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 code, e.g. KZ")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
CountryQ = Annotated[str | None, Query(pattern="^[A-Za-z]{2}$", description="ISO country code, e.g. KZ")]
TopicQ = Annotated[str | None, Query(pattern="^[a-z_]{1,32}$", description="topic code, e.g. nuclear_energy "
                                                                           "(see /api/topics)")]
def _iso_date_only(value: object) -> object:
    # Pydantic would also read "0.0" or "1700000000" as a Unix time; a filter date is YYYY-MM-DD.
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[Date, BeforeValidator(_iso_date_only)]
SinceQ = Annotated[IsoDate | None, Query(description="on or after this date (YYYY-MM-DD)")]
UntilQ = Annotated[IsoDate | None, Query(description="on or before this date (YYYY-MM-DD)")]
TextQ = Annotated[str | None, Query(max_length=200, description="case-insensitive text to look for"),
                  AfterValidator(_no_nul)]
AfterQ = Annotated[str | None, Query(max_length=200, pattern="^[A-Za-z0-9_=-]*$",
                                     description="cursor: the `next` of the previous page")]

T = TypeVar("T")


# --- response and request models ------------------------------------------------------------

class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field("about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="short summary of the kind of problem (the HTTP reason)")
    status: int = Field(description="the HTTP status code")
    detail: str = Field(description="what went wrong with this request, and how to fix it")


class Page(BaseModel, Generic[T]):
    """One page of a listing; pass `next` as `after` to get the following page."""

    items: list[T]
    next: str | None = Field(description="cursor of the next page; null on the last page")


class Event(BaseModel):
    """An event: a meeting, conference, signing, approval, visit or announcement."""

    id: int
    type: str
    title: str
    date: Date | None
    place: str | None
    countries: list[str] = Field(description="ISO codes of the participating countries")
    topics: list[str]
    sources: int = Field(description="how many reports describe it")
    confidence: float


class Ref(BaseModel):
    """A link to another resource: its id and name."""

    id: int
    name: str


class Evidence(BaseModel):
    """A sentence of a report that supports a fact: `[start, end)` offsets into the stored text."""

    start: int
    end: int
    text: str


class Source(BaseModel):
    """A report describing an event, with the sentences that support it."""

    document_id: int
    source: str
    title: str | None
    published: Date | None
    reason: str | None = Field(description="why this report was matched to the event")
    evidence: list[Evidence]


class EventDetail(BaseModel):
    """An event with its participants, related agreements and every source's evidence."""

    event: Event
    persons: list[Ref]
    organizations: list[Ref]
    agreements: list[Ref]
    sources: list[Source]


class Agreement(BaseModel):
    """A memorandum, agreement, contract, strategy, roadmap, declaration or protocol."""

    id: int
    type: str
    title: str
    status: str | None
    horizon: str | None = Field(description="the year it runs until, when the reports give one")
    date: Date | None
    countries: list[str]
    parties: list[str] = Field(description="organizations party to it")
    topics: list[str]
    sources: int


class AgreementReport(BaseModel):
    """One report about an agreement: its date, the status it gives, and the evidence."""

    document_id: int
    source: str
    title: str | None
    date: Date | None
    status: str | None
    evidence: list[str]


class AgreementDetail(BaseModel):
    """An agreement and its life: every report of it in date order."""

    agreement: Agreement
    history: list[AgreementReport]
    life: list[LifeEntry] = Field(description="its life from signing on: one dated entry per report, oldest first")


class Entity(BaseModel):
    """A person, organization or country."""

    id: int
    kind: str
    name: str
    country: str | None
    attributes: dict[str, Any]
    mentions: int


class Role(BaseModel):
    """A role a person held, and when the reports saw it."""

    role: str
    country: str | None
    organization: str | None
    first_seen: Date | None
    last_seen: Date | None


class Mention(BaseModel):
    """Where a report names an entity, and why it was merged into this one."""

    document_id: int
    source: str
    surface: str
    role: str | None
    start: int
    end: int
    reason: str | None


class EntityDetail(BaseModel):
    """A person or organization with aliases, role history, mentions and events."""

    entity: Entity
    aliases: list[str]
    roles: list[Role]
    mentions: list[Mention]
    events: list[Event]


class Country(BaseModel):
    """A country in the knowledge base."""

    code: str
    name: str
    entity_id: int
    mentions: int


class PartnerOut(BaseModel):
    """A partner country: shared events and agreements, and the topics of that cooperation."""

    country: str
    name: str
    events: int
    agreements: int
    topics: dict[str, int]


class CountryDetail(BaseModel):
    """A country: its partners, events per month, and agreements."""

    code: str
    name: str
    partners: list[PartnerOut]
    timeline: list[Month]
    agreements: list[Agreement]


class Highlight(BaseModel):
    """An extracted fact's span in a document's text."""

    start: int
    end: int
    kind: Literal["event", "agreement", "person", "organization"]
    label: str


class DocumentSummary(BaseModel):
    """A stored report, without its text."""

    id: int
    source: str
    title: str | None
    published: Date | None
    language: str | None
    format: str | None
    copy_of: int | None = Field(description="id of the report this is a syndicated copy of")


class DocumentOut(DocumentSummary):
    """A stored report with its exact text, extraction record and highlights."""

    text: str
    record: dict[str, Any]
    highlights: list[Highlight]


class Topic(BaseModel):
    """A topic of the taxonomy and how many events carry it."""

    code: str
    label: str
    events: int
    years: dict[str, int]


class Edge(BaseModel):
    """Two countries and how often they cooperated: shared events and agreements, and the main topics."""

    source: str
    target: str
    weight: int = Field(description="events plus agreements")
    events: int
    agreements: int
    topics: dict[str, int]


class Month(BaseModel):
    """Events in one month: the total and one count per event type."""

    month: str
    total: int
    meeting: int = 0
    conference: int = 0
    signing: int = 0
    approval: int = 0
    visit: int = 0
    announcement: int = 0


class LifeEntry(BaseModel):
    """One moment of an agreement's life (signed, mentioned, approved, ratified, in force, implementation)."""

    date: Date | None
    kind: str
    document_id: int
    source: str
    title: str | None
    evidence: str


class SearchHit(BaseModel):
    """A report found by full-text search, with the passage that matched."""

    id: int
    source: str
    title: str | None
    published: Date | None
    snippet: str
    rank: float


class HeatCell(BaseModel):
    """Events of one country on one topic."""

    country: str
    topic: str
    events: int


class Pair(BaseModel):
    """Two countries and the number of events they took part in together."""

    a: str
    b: str
    events: int


class Summary(BaseModel):
    """Counts of everything in the knowledge base."""

    documents: int
    events: int
    agreements: int
    persons: int
    organizations: int
    countries: int
    failures: int
    event_types: dict[str, int]
    top_pairs: list[Pair] = Field(description="the country pairs with the most shared events")




class KeyAreaOut(BaseModel):
    """A key area of a strategy and what counts as activity in it."""

    name: str
    topics: list[str]
    keywords: list[str]


class StrategyOut(BaseModel):
    """A cooperation strategy the tracker follows."""

    id: str = Field(description="the name to pass to /api/strategies/{name}")
    name: str
    approved: Date | None
    horizon: int | None
    members: list[str]
    organizations: list[str]
    areas: list[KeyAreaOut]


class TrackerCell(BaseModel):
    """One member's activity in one key area, and the reports behind it."""

    country: str
    name: str
    events: int
    agreements: int
    score: int
    documents: list[dict[str, Any]]


class AreaOut(BaseModel):
    """A key area's activity: its score and one cell per active member, best first."""

    area: str
    topics: list[str]
    score: int
    cells: list[TrackerCell]


class StrategyTracker(BaseModel):
    """A strategy scored by key area and member country."""

    strategy: dict[str, Any]
    since: Date | None
    areas: list[AreaOut]
    rows: list[dict[str, Any]]


class DocumentIn(BaseModel):
    """A report to ingest: its text or HTML in `content`, or a `url` to fetch it from."""

    source: str | None = Field(None, min_length=1, max_length=2000,
                               description="where it came from (a file name or URL); defaults to the url")
    content: str | None = Field(None, min_length=1, description="the report as text or HTML")
    url: str | None = Field(None, min_length=8, max_length=2000, pattern="^https?://",
                            description="an http(s) URL to fetch the report from")
    title: str | None = Field(None, max_length=1000)

    @model_validator(mode="after")
    def _one_input(self) -> DocumentIn:
        if (self.content is None) == (self.url is None):
            raise ValueError("give either `content` or `url`, not both or neither")
        if self.content is not None and self.source is None:
            raise ValueError("`source` is required with `content`")
        return self


class Ingested(BaseModel):
    """One stored document and the record extracted from it."""

    document_id: int
    added: bool = Field(description="false when the same text was stored before")
    copy_of: int | None
    record: dict[str, Any]


class IngestResult(BaseModel):
    """Every document read from the input (a feed gives several)."""

    items: list[Ingested]


# --- the app --------------------------------------------------------------------------------

def _problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses an operation may give."""
    reasons = {400: "Bad input", 401: "Missing or wrong token", 403: "Not allowed", 404: "Not found",
               413: "Body too large", 422: "Invalid parameters", 429: "Too many requests"}
    return {status: {"model": Problem, "description": reasons[status],
                     "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for status in statuses}


READ_ERRORS = _problem_responses(400, 401, 403, 422, 429)
ONE_ERRORS = _problem_responses(400, 401, 403, 404, 422, 429)
LIST_ERRORS = _problem_responses(400, 401, 403, 422, 429)


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """The ASGI app over the knowledge base at `database_url`."""
    settings = settings or Settings.load()
    store = Store.open(database_url or settings.database_url)
    max_page = settings.get_int("ACCORDIA_MAX_PAGE_SIZE")
    max_body = settings.get_int("ACCORDIA_MAX_BODY_BYTES")
    token = settings.get("ACCORDIA_API_TOKEN")
    public_reads = settings.get_bool("ACCORDIA_PUBLIC_READS")
    rate_limit = settings.get_int("ACCORDIA_RATE_LIMIT")
    fetch_options = IngestOptions(max_bytes=settings.get_int("ACCORDIA_MAX_DOCUMENT_BYTES"),
                                  timeout=float(settings.get("ACCORDIA_FETCH_TIMEOUT")),
                                  allow_private=settings.get_bool("ACCORDIA_ALLOW_PRIVATE_URLS"))
    recent: dict[str, deque[float]] = defaultdict(deque)

    app = FastAPI(title="Accordia", version="0.1.0", openapi_url="/api/openapi.json",
                  docs_url="/api/docs", redoc_url=None,
                  description="The knowledge base of international energy cooperation: events, agreements, "
                              "persons, organizations, countries and topics, each fact linked to the sentences "
                              "it came from. Listings are cursor-paginated: pass a page's `next` as `after`. "
                              "Errors are problem details (RFC 9457).")
    app.state.store = store
    web = resources.files("accordia") / "web"
    templates = Jinja2Templates(directory=str(web / "templates"))
    app.mount("/static", StaticFiles(directory=str(web / "static")), name="static")
    app.add_middleware(_BodyLimit, max_bytes=max_body)

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
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def error(request: Request, status: int, detail: str) -> Response:
        """A problem document for the API, an HTML page for the dashboard."""
        if request.url.path.startswith("/api/"):
            return _problem(status, detail)
        return templates.TemplateResponse(request, "error.html", {"status": status, "detail": detail},
                                          status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return error(request, 422, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return error(request, 404, str(exc))

    @app.exception_handler(AccordiaError)
    async def library_error(request: Request, exc: AccordiaError) -> Response:
        if isinstance(exc, InputError):
            return error(request, 400, str(exc))
        # A store or settings failure: its message can hold SQL, paths and driver details, which go
        # to the server log, not to the client.
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
        return error(request, 500, f"internal error [{exc.code}]; the server log has the details")

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception) -> Response:
        # Anything else is a bug: the traceback goes to the log; the client gets the same envelope as
        # every other error (Starlette's default would be a bare text page).
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error(request, 500, "internal error; the server log has the details")

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

    # Plain defaults, not Annotated aliases: a local alias cannot be resolved from the string annotations.
    page_size = Query(50, ge=1, le=max_page, description=f"page size, 1 to {max_page}")
    region_query = Query(None, max_length=60, description="only edges between countries of this region "
                         "(its name or an alias, any case)",
                         json_schema_extra={"examples": sorted({r.name for r in analyze.load_regions().values()})})
    hits_size = Query(20, ge=1, le=max_page, description=f"how many hits, 1 to {max_page}")
    api = APIRouter(prefix="/api", dependencies=[Depends(read_access)])

    # --- events and agreements ---

    @api.get("/events", responses=LIST_ERRORS, tags=["events"])
    def api_events(country: CountryQ = None, topic: TopicQ = None, type: EventType | None = None,
                   since: SinceQ = None, until: UntilQ = None, q: TextQ = None, sort: EventSort = "-date",
                   limit: int = page_size, after: AfterQ = None) -> Page[Event]:
        """Events matching every filter given; `q` looks in the title and place."""
        rows, cursor = store.page("events", EventFilter(country, topic, type, since, until, q, limit), sort, after)
        return Page[Event](items=to_plain(rows), next=cursor)

    @api.get("/events/{event_id}", responses=ONE_ERRORS, tags=["events"])
    def api_event(event_id: Id) -> EventDetail:
        """One event with participants, related agreements, and each source's evidence sentences."""
        detail = store.event(event_id)
        return EventDetail(
            event=Event.model_validate(to_plain(detail.event)),
            persons=[Ref(id=i, name=n) for i, n in detail.persons],
            organizations=[Ref(id=i, name=n) for i, n in detail.organizations],
            agreements=[Ref(id=i, name=n) for i, n in detail.agreements],
            sources=[Source(document_id=s.document_id, source=s.source, title=s.title, published=s.published,
                            reason=s.reason, evidence=[Evidence(start=a, end=b, text=text)
                                                       for a, b, text in s.sentences])
                     for s in detail.sources])

    @api.get("/agreements", responses=LIST_ERRORS, tags=["agreements"])
    def api_agreements(country: CountryQ = None, topic: TopicQ = None, type: AgreementType | None = None,
                       since: SinceQ = None, until: UntilQ = None, q: TextQ = None, sort: AgreementSort = "-date",
                       limit: int = page_size, after: AfterQ = None) -> Page[Agreement]:
        """Agreements matching every filter given; `q` looks in the title."""
        rows, cursor = store.page("agreements", EventFilter(country, topic, type, since, until, q, limit),
                                  sort, after)
        return Page[Agreement](items=to_plain(rows), next=cursor)

    @api.get("/agreements/{agreement_id}", responses=ONE_ERRORS, tags=["agreements"])
    def api_agreement(agreement_id: Id) -> AgreementDetail:
        """One agreement and its life: every report of it in date order, with status and evidence."""
        row, history = store.agreement(agreement_id)
        return AgreementDetail(agreement=to_plain(row), history=to_plain(history),
                               life=analyze.agreement_life(store, agreement_id).as_dict()["entries"])

    # --- persons, organizations, countries ---

    def entity_page(kind: str, country: str | None, q: str | None, sort: str, limit: int,
                    after: str | None) -> Page[Entity]:
        rows, cursor = store.page("entities", EventFilter(country=country, type=kind, query=q, limit=limit),
                                  sort, after)
        return Page[Entity](items=to_plain(rows), next=cursor)

    def entity_detail(kind: str, entity_id: int) -> EntityDetail:
        detail = store.entity(entity_id)
        if detail.entity.kind != kind:
            raise NotFound(f"no {kind} with id {entity_id}")
        return EntityDetail.model_validate(to_plain(detail))

    @api.get("/persons", responses=LIST_ERRORS, tags=["entities"])
    def api_persons(country: CountryQ = None, q: TextQ = None, sort: EntitySort = "name", limit: int = page_size,
                    after: AfterQ = None) -> Page[Entity]:
        """Persons, with how often the reports mention them; `q` looks in the name."""
        return entity_page("person", country, q, sort, limit, after)

    @api.get("/persons/{person_id}", responses=ONE_ERRORS, tags=["entities"])
    def api_person(person_id: Id) -> EntityDetail:
        """A person: aliases, role history, mentions (with why each was merged) and events."""
        return entity_detail("person", person_id)

    @api.get("/organizations", responses=LIST_ERRORS, tags=["entities"])
    def api_organizations(country: CountryQ = None, q: TextQ = None, sort: EntitySort = "name",
                          limit: int = page_size, after: AfterQ = None) -> Page[Entity]:
        """Ministries, agencies, companies and intergovernmental bodies; `q` looks in the name."""
        return entity_page("organization", country, q, sort, limit, after)

    @api.get("/organizations/{organization_id}", responses=ONE_ERRORS, tags=["entities"])
    def api_organization(organization_id: Id) -> EntityDetail:
        """An organization: aliases, mentions and events."""
        return entity_detail("organization", organization_id)

    @api.get("/entities/{entity_id}", responses=ONE_ERRORS, tags=["entities"])
    def api_entity(entity_id: Id) -> EntityDetail:
        """Any entity by id, whatever its kind."""
        return EntityDetail.model_validate(to_plain(store.entity(entity_id)))

    @api.get("/countries", responses=READ_ERRORS, tags=["entities"])
    def api_countries() -> list[Country]:
        """Every country in the knowledge base, by name."""
        return [Country(code=row.country or "", name=row.name, entity_id=row.id, mentions=row.mentions)
                for row in all_countries(store)]

    @api.get("/countries/{code}", responses=ONE_ERRORS, tags=["entities"])
    def api_country(code: CountryCode, topic: TopicQ = None, since: SinceQ = None) -> CountryDetail:
        """A country: partners by topic, events per month, and its agreements."""
        code = code.upper()
        if code not in {row.country for row in all_countries(store)}:
            raise NotFound(f"no country {code} in the knowledge base")
        agreements, _ = store.page("agreements", EventFilter(country=code, topic=topic, since=since,
                                                             limit=max_page), "-date")
        return CountryDetail.model_validate({
            "code": code, "name": country_label(code),
            "partners": [p.as_dict() for p in analyze.partners(store, code, topic, since)],
            "timeline": [m.as_dict() for m in analyze.timeline(store, code, topic, since)],
            "agreements": to_plain(agreements)})

    # --- documents ---

    @api.get("/documents", responses=LIST_ERRORS, tags=["documents"])
    def api_documents(country: CountryQ = None, topic: TopicQ = None, since: SinceQ = None, until: UntilQ = None,
                      q: TextQ = None, sort: DocumentSort = "-published", limit: int = page_size,
                      after: AfterQ = None) -> Page[DocumentSummary]:
        """Stored reports; `q` looks in the title and text."""
        rows, cursor = store.page("documents", EventFilter(country, topic, None, since, until, q, limit),
                                  sort, after)
        return Page[DocumentSummary](items=[document_summary(row) for row in rows], next=cursor)

    @api.get("/documents/{document_id}", responses=ONE_ERRORS, tags=["documents"])
    def api_document(document_id: Id) -> DocumentOut:
        """A report with its exact text, extraction record, and the spans of every extracted fact."""
        row = store.document(document_id)
        return DocumentOut(**document_summary(row).model_dump(), text=row.text, record=row.record,
                           highlights=highlights(row))

    @app.post("/api/documents", status_code=201, tags=["documents"],
              responses=_problem_responses(400, 401, 403, 413, 422, 429))
    def api_ingest(document: DocumentIn,
                   authorization: Annotated[str | None, Header()] = None) -> IngestResult:
        """Ingest one report (text, HTML, or a URL to fetch) and return its extraction record.

        Needs `Authorization: Bearer <ACCORDIA_API_TOKEN>`.
        """
        check_token(authorization)
        source = document.source or document.url or ""
        if document.url is not None:
            data, final_url = fetch_url(document.url, fetch_options)
            items = list(read_bytes(data, source, url=final_url))
        else:
            items = list(read_bytes((document.content or "").encode("utf-8"), source))
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
            results.append(Ingested(document_id=added.document_id, added=added.added, copy_of=added.copy_of,
                                    record=record.to_dict()))
        return IngestResult(items=results)

    # --- analytics ---

    @api.get("/summary", responses=READ_ERRORS, tags=["analytics"])
    def api_summary() -> Summary:
        """Counts of documents, events, agreements and entities, and the most frequent partner pairs."""
        summary = to_plain(store.summary())
        summary["top_pairs"] = [{"a": a, "b": b, "events": n} for a, b, n in summary["top_pairs"]]
        return Summary.model_validate(summary)

    @api.get("/topics", responses=READ_ERRORS, tags=["analytics"])
    def api_topics(country: CountryQ = None) -> list[Topic]:
        """Every topic of the taxonomy with its events per year (for one country if given)."""
        return [Topic.model_validate(row) for row in topic_rows(store, country)]

    @api.get("/partners/{code}", responses=READ_ERRORS, tags=["analytics"])
    def api_partners(code: CountryCode, topic: TopicQ = None, since: SinceQ = None,
                     until: UntilQ = None) -> list[PartnerOut]:
        """Countries that cooperated with `code`, ranked by shared events and agreements."""
        return [PartnerOut.model_validate(p.as_dict()) for p in analyze.partners(store, code, topic, since, until)]

    @api.get("/network", responses=READ_ERRORS, tags=["analytics"])
    def api_network(topic: TopicQ = None, since: SinceQ = None, until: UntilQ = None,
                    region: str | None = region_query,
                    ) -> list[Edge]:
        """Country pairs weighted by the events they took part in together."""
        return [Edge.model_validate(edge) for edge in network_edges(store, topic, since, until, region)]

    @api.get("/timeline", responses=READ_ERRORS, tags=["analytics"])
    def api_timeline(country: CountryQ = None, topic: TopicQ = None, since: SinceQ = None,
                     until: UntilQ = None) -> list[Month]:
        """Events per month: `total` and one count per event type."""
        return [Month.model_validate(m.as_dict()) for m in analyze.timeline(store, country, topic, since, until)]

    @api.get("/heatmap", responses=READ_ERRORS, tags=["analytics"])
    def api_heatmap(since: SinceQ = None, until: UntilQ = None) -> list[HeatCell]:
        """Events per country and topic (the countries × topics heatmap)."""
        return [HeatCell(country=c, topic=t, events=n) for (c, t), n in heatmap_counts(store, since, until).items()]

    @api.get("/agreements/{agreement_id}/life", responses=ONE_ERRORS, tags=["analytics"])
    def api_agreement_life(agreement_id: Id) -> list[LifeEntry]:
        """An agreement's life from signing on: one dated entry per report, oldest first."""
        return [LifeEntry.model_validate(e.as_dict()) for e in analyze.agreement_life(store, agreement_id).entries]

    @api.get("/search", responses=LIST_ERRORS, tags=["documents"])
    def api_search(q: Annotated[str, Query(min_length=1, max_length=200,
                                           description='words, "a phrase", `or`, -word'),
                                AfterValidator(_no_nul)],
                   since: SinceQ = None, until: UntilQ = None, limit: int = hits_size,
                   offset: Annotated[int, Query(ge=0, le=10_000)] = 0) -> list[SearchHit]:
        """Full-text search over the reports, best match first, with the passage that matched."""
        hits = analyze.search_documents(store, q, limit, offset, since, until)
        return [SearchHit.model_validate(hit.as_dict()) for hit in hits]

    @api.get("/strategies", responses=READ_ERRORS, tags=["analytics"])
    def api_strategies() -> list[StrategyOut]:
        """The strategies the tracker knows: name, approval, horizon, member countries and key areas."""
        return [StrategyOut(id=name, **plan.as_dict()) for name, plan in strategies()]

    @api.get("/strategies/{name}", responses=ONE_ERRORS, tags=["analytics"])
    def api_strategy(name: Annotated[str, Path(pattern="^[a-z0-9_-]{1,60}$")], since: SinceQ = None
                     ) -> StrategyTracker:
        """A strategy's key areas with the events and agreements of each member country since approval
        (or `since`); `rows` has one entry per area and member, inactive members included."""
        activity = strategy_tracker(store, name, since)
        return StrategyTracker(**activity.as_dict(), rows=activity.rows())

    app.include_router(api)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """plotly.js from the installed `plotly` package, so the dashboard needs no CDN."""
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=604800"})

    from accordia.web.pages import page_router

    app.include_router(page_router(store, templates, max_page))
    return app


# --- helpers shared by the API and the pages --------------------------------------------------

def _plotly_js() -> FilePath:
    import plotly

    return FilePath(plotly.__file__).parent / "package_data" / "plotly.min.js"


PLOTLY_JS = _plotly_js()
PLOTLY_VERSION = __import__("plotly").__version__


def all_countries(store: Store) -> list[Any]:
    """Every country entity, by name."""
    rows, _ = store.page("entities", EventFilter(type="country", limit=1000), "name")
    return rows


def document_summary(row: DocumentRow) -> DocumentSummary:
    """A document without its text."""
    return DocumentSummary(id=row.id, source=row.source, title=row.title, published=row.published,
                           language=row.language, format=row.format, copy_of=row.copy_of)


def highlights(row: DocumentRow) -> list[Highlight]:
    """The spans of every extracted fact in a document, in text order."""
    found: list[Highlight] = []
    size = len(row.text)
    for kind, key in (("event", "events"), ("agreement", "agreements"), ("person", "persons"),
                      ("organization", "organizations")):
        for fact in row.record.get(key) or []:
            label = str(fact.get("title") or fact.get("name") or fact.get("type") or kind)
            for start, end in fact.get("evidence") or []:
                if 0 <= int(start) < int(end) <= size:
                    found.append(Highlight.model_validate({"start": start, "end": end, "kind": kind,
                                                           "label": label}))
    return sorted(found, key=lambda h: (h.start, h.end))


def topic_rows(store: Store, country: str | None = None) -> list[dict[str, Any]]:
    """Every taxonomy topic with its label and events per year, busiest first."""
    labels = get_resources().topics
    trends = {trend.topic: trend for trend in analyze.topic_profile(store, country)}
    rows = [{"code": code, "label": labels.get(code, code),
             "events": trends[code].total if code in trends else 0,
             "years": dict(trends[code].periods) if code in trends else {}} for code in {**labels, **trends}]
    return sorted(rows, key=lambda row: (-row["events"], row["code"]))


def heatmap_counts(store: Store, since: Date | None = None, until: Date | None = None) -> dict[tuple[str, str], int]:
    """Events per (country, topic)."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for event in store.events(EventFilter(since=since, until=until, limit=analyze.MAX_EVENTS)):
        for country in event.countries:
            for topic in event.topics:
                counts[(country, topic)] += 1
    return dict(counts)


def network_edges(store: Store, topic: str | None, since: Date | None, until: Date | None,
                  region: str | None) -> list[dict[str, Any]]:
    """The cooperation network as plain edges, only among the countries of `region` when one is named."""
    return [edge.as_dict() for edge in analyze.network(store, topic, since, until, region=region)]


@functools.lru_cache(maxsize=32)
def _bundled_strategy(name: str) -> strategy.Strategy:
    # Cached: the bundled files do not change while the server runs, and validating one is slow.
    return strategy.load_strategy(name)


def strategies() -> list[tuple[str, strategy.Strategy]]:
    """The bundled strategies: (name of the file, the strategy)."""
    return [(name, _bundled_strategy(name)) for name in strategy.available_strategies()]


def strategy_tracker(store: Store, name: str, since: Date | None) -> strategy.StrategyActivity:
    """A bundled strategy's activity per key area and member country."""
    if name not in strategy.available_strategies():
        raise NotFound(f"no strategy named {name}; see /api/strategies")
    return strategy.strategy_activity(store, _bundled_strategy(name), since=since)


def _problem(status: int, detail: str) -> JSONResponse:
    """An RFC 9457 problem document."""
    from http import HTTPStatus

    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return JSONResponse({"type": "about:blank", "title": title, "status": status, "detail": detail},
                        status_code=status, media_type=PROBLEM_TYPE)


class _BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, whether or not they announce a Content-Length.

    A pure ASGI middleware: it reads a body (at most `max_bytes`) before the app sees it, so a
    chunked upload cannot get past the limit either.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_bytes:
            await _problem(413, f"request body over {self.max_bytes} bytes")(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await _problem(413, f"request body over {self.max_bytes} bytes")(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

