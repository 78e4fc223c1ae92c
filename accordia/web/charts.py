"""Plotly figures for the dashboard, built as plain JSON-ready dicts.

The pages embed each figure in a `<script type="application/json">` block (escaped by Jinja's
`tojson`) and `static/charts.js` draws it, so no script is ever built from data. A point whose
`customdata` is a site-relative URL is a link: clicking it opens that page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

import networkx as nx

from accordia.store import country_label

__all__ = ["heatmap_figure", "network_figure", "partners_figure", "timeline_figure", "topic_trends_figure",
           "tracker_figure"]

Figure = dict[str, Any]

EVENT_TYPES = ("meeting", "conference", "signing", "approval", "visit", "announcement")
TYPE_COLOURS = {"meeting": "#4c8dcb", "conference": "#8a7cc9", "signing": "#2e9a6a", "approval": "#e0a040",
                "visit": "#d0648f", "announcement": "#8c9aa8"}
PALETTE = ("#0b6e4f", "#4c8dcb", "#e0a040", "#8a7cc9", "#d0648f", "#5fb3a1", "#c0504d", "#8c9aa8",
           "#7a9a3a", "#b07cc6")


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"margin": {"t": 20, "r": 10, "b": 40, "l": 50}, "hovermode": "closest",
                            "font": {"family": "system-ui, sans-serif", "size": 12},
                            "paper_bgcolor": "#ffffff", "plot_bgcolor": "#ffffff"}
    base.update(extra)
    return base


def events_link(**filters: str | None) -> str:
    """The events page with these filters."""
    return "/events?" + urlencode({k: v for k, v in filters.items() if v})


def network_figure(edges: list[dict[str, Any]], link_filters: dict[str, str | None] | None = None) -> Figure:
    """Countries as nodes placed by a seeded spring layout, shared events as edges; nodes link to countries."""
    graph = nx.Graph()
    for edge in edges:
        graph.add_edge(edge["source"], edge["target"], weight=edge["weight"])
    if graph.number_of_nodes() == 0:
        return {"data": [], "layout": _layout()}
    position = _layout_components(graph)
    data: list[dict[str, Any]] = []
    # One trace per edge-weight band: a trace has one line width, and per-edge traces would be slow.
    bands = ((1, 1, 0.8), (2, 3, 2.0), (4, 6, 3.5), (7, 10**9, 5.5))
    for low, high, width in bands:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for a, b, weight in graph.edges(data="weight"):
            if low <= weight <= high:
                xs += [float(position[a][0]), float(position[b][0]), None]
                ys += [float(position[a][1]), float(position[b][1]), None]
        if xs:
            data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                         "showlegend": False, "line": {"width": width, "color": "rgba(29,39,51,0.28)"}})
    strength = dict(graph.degree(weight="weight"))
    nodes = sorted(graph.nodes())
    hover = [f"{country_label(code)} ({code})<br>{strength[code]} shared events with "
             f"{graph.degree(code)} partners" for code in nodes]
    data.append({
        "type": "scatter", "mode": "markers+text", "showlegend": False,
        "x": [float(position[c][0]) for c in nodes], "y": [float(position[c][1]) for c in nodes],
        "text": nodes, "textposition": "top center", "textfont": {"color": "#1d2733", "size": 11},
        "hovertext": hover, "hoverinfo": "text",
        "customdata": [f"/countries/{code}" for code in nodes],
        "marker": {"size": [8 + 3 * strength[c] ** 0.5 for c in nodes],
                   "color": [strength[c] for c in nodes], "colorscale": "Tealgrn", "cmin": 0,
                   "line": {"width": 1, "color": "#1d2733"}},
    })
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    return {"data": data, "layout": _layout(xaxis=hidden, yaxis=hidden, margin={"t": 10, "r": 10, "b": 10, "l": 10},
                                            dragmode="pan")}


def _layout_components(graph: nx.Graph) -> dict[str, Any]:
    """Node positions: the largest component by a seeded spring layout (the same knowledge base always
    draws the same picture), the small ones in rows beneath it so they do not squeeze it."""
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    main = graph.subgraph(components[0])
    position: dict[str, Any] = dict(nx.spring_layout(main, seed=7, iterations=200,
                                                     k=2.2 / max(main.number_of_nodes(), 1) ** 0.5))
    x, y = -1.0, -1.3
    for component in components[1:]:
        if x > 1.0:
            x, y = -1.0, y - 0.3
        position.update(nx.spring_layout(graph.subgraph(component), seed=7, scale=0.08, center=(x + 0.08, y)))
        x += 0.3
    return position


def timeline_figure(months: list[dict[str, Any]], country: str | None = None,
                    topic: str | None = None) -> Figure:
    """Events per month, stacked by type; a bar links to that month's events of that type."""
    data = []
    for kind in EVENT_TYPES:
        rows = [row for row in months if row.get(kind)]
        if not rows:
            continue
        data.append({
            "type": "bar", "name": kind, "x": [row["month"] for row in rows], "y": [row[kind] for row in rows],
            "marker": {"color": TYPE_COLOURS[kind]},
            "customdata": [events_link(type=kind, country=country, topic=topic, since=f"{row['month']}-01",
                                       until=_month_end(row["month"])) for row in rows],
            "hovertemplate": "%{x}: %{y} " + kind + "<extra></extra>",
        })
    return {"data": data, "layout": _layout(barmode="stack", xaxis={"type": "category", "title": "month"},
                                            yaxis={"title": "events"}, legend={"orientation": "h", "y": 1.12})}


def _month_end(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31][number - 1]
    return f"{month}-{days:02d}"


def topic_trends_figure(topics: list[dict[str, Any]], top: int = 8) -> Figure:
    """Events per year for the busiest topics, stacked; a bar links to that topic's events of that year."""
    years = sorted({year for row in topics for year in row["years"] if year != "undated"})
    data = []
    for i, row in enumerate([t for t in topics if t["events"]][:top]):
        data.append({
            "type": "bar", "name": row["label"], "x": years, "y": [row["years"].get(y, 0) for y in years],
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "customdata": [events_link(topic=row["code"], since=f"{y}-01-01", until=f"{y}-12-31") for y in years],
            "hovertemplate": "%{x}: %{y} events on " + row["label"] + "<extra></extra>",
        })
    return {"data": data, "layout": _layout(barmode="stack", xaxis={"type": "category", "title": "year"},
                                            yaxis={"title": "events"}, legend={"font": {"size": 11}})}


def heatmap_figure(counts: dict[tuple[str, str], int], labels: dict[str, str], max_countries: int = 30) -> Figure:
    """Countries (rows, the most active first) × topics (columns); a cell links to those events."""
    per_country: Counter[str] = Counter()
    per_topic: Counter[str] = Counter()
    for (country, topic), n in counts.items():
        per_country[country] += n
        per_topic[topic] += n
    countries = [c for c, _ in per_country.most_common(max_countries)]
    topics = [t for t, _ in per_topic.most_common()]
    z = [[counts.get((c, t), 0) for t in topics] for c in countries]
    links = [[events_link(country=c, topic=t) for t in topics] for c in countries]
    return {"data": [{
        "type": "heatmap", "z": z, "x": [labels.get(t, t) for t in topics], "y": countries,
        "customdata": links, "colorscale": "YlGnBu", "reversescale": True, "xgap": 1, "ygap": 1,
        "hovertemplate": "%{y} · %{x}: %{z} events<extra></extra>",
    }], "layout": _layout(height=max(360, 22 * len(countries) + 160), yaxis={"autorange": "reversed", "dtick": 1},
                          xaxis={"tickangle": -35, "side": "top"}, margin={"t": 130, "r": 10, "b": 10, "l": 50})}


def partners_figure(partners: list[dict[str, Any]], labels: dict[str, str], top: int = 15) -> Figure:
    """A country's partners (bars) split by topic; a bar links to the partner's page."""
    partners = partners[:top]
    topic_totals: Counter[str] = Counter()
    for partner in partners:
        topic_totals.update(partner["topics"])
    data = []
    for i, (topic, _) in enumerate(topic_totals.most_common(10)):
        data.append({
            "type": "bar", "orientation": "h", "name": labels.get(topic, topic),
            "y": [p["country"] for p in partners], "x": [p["topics"].get(topic, 0) for p in partners],
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "customdata": [f"/countries/{p['country']}" for p in partners],
            "hovertemplate": "%{y}: %{x} on " + labels.get(topic, topic) + "<extra></extra>",
        })
    return {"data": data, "layout": _layout(barmode="stack", height=max(300, 26 * len(partners) + 120),
                                            yaxis={"autorange": "reversed", "dtick": 1},
                                            xaxis={"title": "events and agreements by topic"},
                                            legend={"font": {"size": 11}})}


def tracker_figure(areas: list[str], countries: list[str], counts: dict[tuple[str, str], int],
                   links: dict[tuple[str, str], str]) -> Figure:
    """Key areas (rows) × member countries (columns) of a strategy; a cell links to its events."""
    z = [[counts.get((area, country), 0) for country in countries] for area in areas]
    custom = [[links.get((area, country), "") for country in countries] for area in areas]
    return {"data": [{
        "type": "heatmap", "z": z, "x": countries, "y": areas, "customdata": custom, "colorscale": "Greens",
        "xgap": 2, "ygap": 2, "hovertemplate": "%{y} · %{x}: %{z} events<extra></extra>",
    }], "layout": _layout(height=max(300, 40 * len(areas) + 120), yaxis={"autorange": "reversed"},
                          margin={"t": 20, "r": 10, "b": 40, "l": 220})}

