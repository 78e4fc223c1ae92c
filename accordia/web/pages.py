"""The dashboard: server-rendered pages over the same store and analytics as the REST API.

Every page is a plain Jinja2 template (autoescaped: article text is untrusted). Charts are plotly
figures passed as JSON data blocks and drawn by `static/charts.js`; no page has inline script.
"""

from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from accordia import analyze
from accordia.analyze import regions as analyze_regions
from accordia.errors import NotFound
from accordia.extract.resources import get_resources
from accordia.store import EventFilter, Store, country_label
from accordia.web import charts

__all__ = ["page_router", "segments"]

EVENT_TYPES = charts.EVENT_TYPES
AGREEMENT_TYPES = ("mou", "agreement", "contract", "strategy", "roadmap", "declaration", "protocol")
PAGE_SIZE = 50


def _date(name: str, value: str | None) -> date | None:
    """A date from a form field: empty means no filter, anything else must be YYYY-MM-DD."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name}: {value!r} is not a date; use YYYY-MM-DD") from None


def _sort(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    if not value:
        return default
    if value.removeprefix("-") not in allowed:
        raise HTTPException(422, f"sort: {value!r} is not one of {', '.join(allowed)}")
    return value


def _code(value: str | None) -> str | None:
    """An ISO country code from a form field, upper-cased; empty means no filter."""
    return value.strip().upper() or None if value else None


def page_router(store: Store, templates: Jinja2Templates, max_page: int) -> APIRouter:
    """The dashboard's routes over `store`."""
    router = APIRouter(include_in_schema=False)
    # Globals, not context: the macros in _macros.html are imported without the page's context.
    templates.env.globals.update(topic_labels=get_resources().topics, country_label=country_label)
    templates.env.filters["short_source"] = short_source
    from accordia import api

    def render(request: Request, template: str, **context: Any) -> HTMLResponse:
        def page_link(cursor: str | None) -> str:
            """This page with the same filters, at `cursor` (the first page for None)."""
            query = {k: v for k, v in request.query_params.items() if k != "after" and v}
            return "?" + urlencode({**query, "after": cursor} if cursor else query)

        context["page_link"] = page_link
        return templates.TemplateResponse(request, template, context)

    def countries() -> list[tuple[str, str]]:
        return [(row.country, row.name) for row in api.all_countries(store) if row.country]

    def filter_options() -> dict[str, Any]:
        return {"countries": countries(), "topics": sorted(get_resources().topics.items(), key=lambda i: i[1])}

    @router.get("/", response_class=HTMLResponse)
    def overview(request: Request) -> HTMLResponse:
        summary = store.summary()
        topics = api.topic_rows(store)
        return render(request, "overview.html", summary=summary, events=store.events(EventFilter(limit=10)),
                      network=charts.network_figure([e.as_dict() for e in analyze.network(store)]),
                      trends=charts.topic_trends_figure(topics), nav="overview")

    @router.get("/events", response_class=HTMLResponse)
    def events_page(request: Request, country: str | None = None, topic: str | None = None,
                    type: str | None = None, since: str | None = None, until: str | None = None,
                    q: str | None = None, sort: str | None = None, after: str | None = None) -> HTMLResponse:
        filters = EventFilter(_code(country), topic or None, type or None, _date("since", since),
                              _date("until", until), q or None, PAGE_SIZE)
        order = _sort(sort, store.PAGE_SORTS["events"], "-date")
        rows, cursor = store.page("events", filters, order, after or None)
        return render(request, "events.html", events=rows, filters=filters, sort=order, next=cursor,
                      after=after, types=EVENT_TYPES, nav="events", **filter_options())

    @router.get("/events/{event_id}", response_class=HTMLResponse)
    def event_page(request: Request, event_id: int) -> HTMLResponse:
        return render(request, "event.html", detail=store.event(event_id), nav="events")

    @router.get("/agreements", response_class=HTMLResponse)
    def agreements_page(request: Request, country: str | None = None, topic: str | None = None,
                        type: str | None = None, since: str | None = None, until: str | None = None,
                        q: str | None = None, after: str | None = None) -> HTMLResponse:
        filters = EventFilter(_code(country), topic or None, type or None, _date("since", since),
                              _date("until", until), q or None, PAGE_SIZE)
        rows, cursor = store.page("agreements", filters, "-date", after or None)
        return render(request, "agreements.html", agreements=rows, filters=filters, next=cursor, after=after,
                      types=AGREEMENT_TYPES, nav="agreements", **filter_options())

    @router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
    def agreement_page(request: Request, agreement_id: int) -> HTMLResponse:
        life = analyze.agreement_life(store, agreement_id)
        return render(request, "agreement.html", agreement=life.agreement, life=life, nav="agreements")

    @router.get("/countries", response_class=HTMLResponse)
    def countries_page(request: Request) -> HTMLResponse:
        counts: dict[str, int] = {}
        for (country, _topic), n in api.heatmap_counts(store).items():
            counts[country] = counts.get(country, 0) + n
        rows = [(code, name, counts.get(code, 0)) for code, name in countries()]
        return render(request, "countries.html", countries=rows, nav="countries")

    @router.get("/countries/{code}", response_class=HTMLResponse)
    def country_page(request: Request, code: str, topic: str | None = None) -> HTMLResponse:
        code = code.upper()
        known = dict(countries())
        if code not in known:
            raise NotFound(f"no country {code} in the knowledge base")
        labels = get_resources().topics
        partners = [p.as_dict() for p in analyze.partners(store, code, topic or None)]
        agreements, _ = store.page("agreements", EventFilter(country=code, topic=topic or None, limit=max_page),
                                   "-date")
        events, more = store.page("events", EventFilter(country=code, topic=topic or None, limit=PAGE_SIZE),
                                  "-date")
        months = [m.as_dict() for m in analyze.timeline(store, code, topic or None)]
        return render(request, "country.html", code=code, name=known[code], topic=topic or None,
                      partners=partners, agreements=agreements, events=events, more_events=more is not None,
                      partners_chart=charts.partners_figure(partners, labels),
                      timeline_chart=charts.timeline_figure(months, code, topic or None),
                      topics=sorted(labels.items(), key=lambda i: i[1]), nav="countries")

    @router.get("/entities/{entity_id}")
    def entity_page(entity_id: int) -> Response:
        entity = store.entity(entity_id).entity
        if entity.kind == "country" and entity.country:
            return RedirectResponse(f"/countries/{entity.country}", status_code=307)
        return RedirectResponse(f"/{entity.kind}s/{entity_id}", status_code=307)

    def entity_detail(request: Request, kind: str, entity_id: int) -> HTMLResponse:
        detail = store.entity(entity_id)
        if detail.entity.kind != kind:
            raise NotFound(f"no {kind} with id {entity_id}")
        return render(request, "entity.html", detail=detail, nav="entities")

    @router.get("/persons/{person_id}", response_class=HTMLResponse)
    def person_page(request: Request, person_id: int) -> HTMLResponse:
        return entity_detail(request, "person", person_id)

    @router.get("/organizations/{organization_id}", response_class=HTMLResponse)
    def organization_page(request: Request, organization_id: int) -> HTMLResponse:
        return entity_detail(request, "organization", organization_id)

    @router.get("/persons", response_class=HTMLResponse)
    def persons_page(request: Request, q: str | None = None, country: str | None = None,
                     after: str | None = None) -> HTMLResponse:
        return entities_list(request, "person", q, country, after)

    @router.get("/organizations", response_class=HTMLResponse)
    def organizations_page(request: Request, q: str | None = None, country: str | None = None,
                           after: str | None = None) -> HTMLResponse:
        return entities_list(request, "organization", q, country, after)

    def entities_list(request: Request, kind: str, q: str | None, country: str | None,
                      after: str | None) -> HTMLResponse:
        filters = EventFilter(country=_code(country), type=kind, query=q or None, limit=PAGE_SIZE)
        rows, cursor = store.page("entities", filters, "name", after or None)
        return render(request, "entities.html", kind=kind, entities=rows, filters=filters, next=cursor,
                      after=after, countries=countries(), nav="entities")

    @router.get("/documents", response_class=HTMLResponse)
    def documents_page(request: Request, country: str | None = None, topic: str | None = None,
                       q: str | None = None, after: str | None = None) -> HTMLResponse:
        filters = EventFilter(_code(country), topic or None, None, None, None, q or None, PAGE_SIZE)
        rows, cursor = store.page("documents", filters, "-published", after or None)
        return render(request, "documents.html", documents=rows, filters=filters, next=cursor, after=after,
                      nav="documents", **filter_options())

    @router.get("/documents/{document_id}", response_class=HTMLResponse)
    def document_page(request: Request, document_id: int,
                      start: int | None = None, end: int | None = None) -> HTMLResponse:
        row = store.document(document_id)
        return render(request, "document.html", document=row, segments=segments(row.text, row.record, start, end),
                      nav="documents")

    @router.get("/network", response_class=HTMLResponse)
    def network_page(request: Request, topic: str | None = None, since: str | None = None,
                     until: str | None = None, region: str | None = None) -> HTMLResponse:
        start, end = _date("since", since), _date("until", until)
        edges = api.network_edges(store, topic or None, start, end, region or None)
        return render(request, "network.html", edges=edges[:40], figure=charts.network_figure(edges),
                      topic=topic or None, since=start, until=end, region=region or None, regions=regions(),
                      topics=sorted(get_resources().topics.items(), key=lambda i: i[1]), nav="network")

    @router.get("/timeline", response_class=HTMLResponse)
    def timeline_page(request: Request, country: str | None = None, topic: str | None = None) -> HTMLResponse:
        code = _code(country)
        months = [m.as_dict() for m in analyze.timeline(store, code, topic or None)]
        return render(request, "timeline.html", months=months, country=code, topic=topic or None,
                      figure=charts.timeline_figure(months, code, topic or None), types=EVENT_TYPES,
                      nav="timeline", **filter_options())

    @router.get("/topics", response_class=HTMLResponse)
    def topics_page(request: Request, since: str | None = None, until: str | None = None) -> HTMLResponse:
        start, end = _date("since", since), _date("until", until)
        labels = get_resources().topics
        counts = api.heatmap_counts(store, start, end)
        return render(request, "topics.html", topics=api.topic_rows(store), since=start, until=end,
                      figure=charts.heatmap_figure(counts, labels), empty=not counts, nav="topics")

    @router.get("/strategies", response_class=HTMLResponse)
    def strategies_page(request: Request) -> HTMLResponse:
        return render(request, "strategies.html", strategies=api.strategies(), nav="strategies")

    @router.get("/strategies/{name}", response_class=HTMLResponse)
    def strategy_page(request: Request, name: str, since: str | None = None) -> HTMLResponse:
        activity = api.strategy_tracker(store, name, _date("since", since))
        areas = [area.area.name for area in activity.areas]
        members = list(activity.strategy.members)
        counts = {(row["area"], row["country"]): row["score"] for row in activity.rows()}
        start = activity.since.isoformat() if activity.since else None
        links = {(area.area.name, code): charts.events_link(country=code, topic=next(iter(area.area.topics), None),
                                                           since=start)
                 for area in activity.areas for code in members}
        return render(request, "strategy.html", name=name, activity=activity, members=members,
                      figure=charts.tracker_figure(areas, members, counts, links), nav="strategies")

    return router


def short_source(source: str) -> str:
    """A URL as it is, a file by its name: local directories say nothing to the reader."""
    return source if "://" in source else PurePath(source).name or source


def regions() -> list[str]:
    """Names of the regions the network can be filtered by."""
    return sorted({region.name for region in analyze_regions.load_regions().values()})


def segments(text: str, record: dict[str, Any], start: int | None,
             end: int | None) -> list[tuple[str, bool]]:
    """The text cut into (piece, highlighted) pairs; the template escapes every piece.

    Highlighted are the evidence sentences of every event and agreement, or only `[start, end)`
    when the page was opened from one evidence sentence.
    """
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
