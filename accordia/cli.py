"""The `accordia` command line: thin wrappers over the library, one command per function.

Exit codes: 0 all good, 1 some inputs failed (or a quality floor was missed), 2 usage error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from accordia import analyze
from accordia.errors import AccordiaError, DataFileError, InputError
from accordia.extract import PARTICIPANT_MODEL, ExtractOptions, default_workers, extract_many
from accordia.ingest import IngestOptions, expand_inputs, read_inputs, sample_paths
from accordia.models import Document, Failure, to_plain
from accordia.settings import Settings
from accordia.store import EventFilter, Store

app = typer.Typer(help="Accordia: a knowledge base of international energy cooperation.",
                  no_args_is_help=True, add_completion=False)
show_app = typer.Typer(help="Show one event, agreement, entity or document in full.", no_args_is_help=True)
app.add_typer(show_app, name="show")
db_app = typer.Typer(help="Schema migrations of the knowledge base.", no_args_is_help=True)
app.add_typer(db_app, name="db")
console = Console()
err = Console(stderr=True)
T = TypeVar("T")


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[str | None, typer.Option("--db", help="Knowledge base URL (default: "
                                              "ACCORDIA_DATABASE_URL or sqlite:///accordia.db).")]
FormatOption = Annotated[Format | None, typer.Option("--format", "-f",
                                                     help="table in a terminal, json when piped.")]


def _settings() -> Settings:
    return Settings.load()


@contextmanager
def _store(db: str | None) -> Iterator[Store]:
    """Open the store, mapping every library error to one clear message and exit code."""
    store = None
    try:
        store = Store.open(db or _settings().database_url)
        yield store
    except AccordiaError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    finally:
        if store is not None:
            store.close()


def _chosen(fmt: Format | None) -> Format:
    """The output format: the one asked for, else a table in a terminal and JSON when piped."""
    return fmt or (Format.table if sys.stdout.isatty() else Format.json)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_plain(value), ensure_ascii=False, indent=2) + "\n")


def _emit(rows: Sequence[Any], fmt: Format | None, columns: Sequence[str], title: str = "") -> None:
    """Print rows as a Rich table (terminal), JSON or CSV."""
    data = [to_plain(row) for row in rows]
    chosen = _chosen(fmt)
    if chosen is Format.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif chosen is Format.csv:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for item in data:
            writer.writerow({k: _cell(item.get(k)) for k in columns})
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(title=title or None, show_lines=False)
        for column in columns:
            table.add_column(column)
        for item in data:
            table.add_row(*(_cell(item.get(c)) for c in columns))
        console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}:{v}" for k, v in value.items())
    return str(value)


def _failure_line(failure: Failure) -> str:
    """One line (never wrapped, even in a narrow log) naming the input, the reason and its code."""
    reason = " ".join(failure.reason.removeprefix(f"{failure.source}: ").split())
    return f"[yellow]failed[/yellow] {escape(failure.source)}: {escape(reason)} {escape(f'[{failure.code}]')}"


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


@app.command()
def ingest(
    inputs: Annotated[list[str] | None, typer.Argument(help="Files, directories or http(s) URLs.")] = None,
    samples: Annotated[bool, typer.Option(help="Ingest the bundled sample corpus.")] = False,
    db: DbOption = None,
    min_confidence: Annotated[float, typer.Option(help="Drop facts below this confidence.")] = 0.0,
    allow_private: Annotated[bool, typer.Option(help="Allow URLs on private or loopback addresses.")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Directory of extra gazetteer/pattern files.")] = None,
    workers: Annotated[int, typer.Option(help="Processes extracting in parallel (0 = all cores).")] = 1,
) -> None:
    """Read reports into the knowledge base; already stored ones are skipped.

    Example: accordia ingest reports/ https://example.org/feed.xml --db sqlite:///kb.db
    """
    from accordia.pipeline import ingest as run_ingest

    names = list(inputs or []) + ([str(p) for p in sample_paths()] if samples else [])
    if not names:
        raise typer.BadParameter("name at least one file, directory or URL (or --samples)")
    settings = _settings()
    options = IngestOptions(max_bytes=settings.get_int("ACCORDIA_MAX_DOCUMENT_BYTES"),
                            timeout=float(settings.get_int("ACCORDIA_FETCH_TIMEOUT")),
                            allow_private=allow_private or settings.get_bool("ACCORDIA_ALLOW_PRIVATE_URLS"))
    sources = list(expand_inputs(names))
    with _store(db) as store, Progress(SpinnerColumn(), TextColumn("[bold]ingest"), BarColumn(),
                                       MofNCompleteColumn(), TimeElapsedColumn(),
                                       TextColumn("{task.description}"), console=err) as progress:
        task = progress.add_task("", total=len(sources))

        def show_failure(item: Document | Failure) -> None:
            if isinstance(item, Failure):
                progress.console.print(_failure_line(item), highlight=False, soft_wrap=True)

        def advance(source: str) -> None:
            progress.update(task, advance=1, description=Path(source).name[:40])

        report = run_ingest(sources, store, ExtractOptions(min_confidence, data_dir), options,
                            on_item=show_failure, on_source=advance, workers=workers or default_workers())
        progress.update(task, description="done")
    err.print(f"added {report.added}, unchanged {report.unchanged}, syndicated copies {report.copies}, "
              f"failed {report.failed} (run {report.run_id}; `accordia failures` lists them)", soft_wrap=True)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def extract(
    files: Annotated[list[str], typer.Argument(help="Reports to read (files, directories, URLs).")],
    format: Annotated[str, typer.Option("--format", "-f", help="jsonl or table.")] = "jsonl",
    min_confidence: Annotated[float, typer.Option(help="Drop facts below this confidence.")] = 0.0,
    workers: Annotated[int, typer.Option(help="Processes to use (0 = all cores).")] = 1,
    data_dir: Annotated[Path | None, typer.Option(help="Directory of extra gazetteer/pattern files.")] = None,
) -> None:
    """Print one extraction record per document, without storing anything.

    Example: accordia extract report.txt page.html --format jsonl
    """
    if format not in {"jsonl", "table"}:
        raise typer.BadParameter("format must be jsonl or table")
    failed = 0
    documents: list[Document] = []
    for item in read_inputs(files):
        if isinstance(item, Failure):
            failed += 1
            err.print(_failure_line(item), highlight=False, soft_wrap=True)
        else:
            documents.append(item)
    options = ExtractOptions(min_confidence, data_dir)
    for record in extract_many(documents, options, workers or default_workers()):
        if format == "jsonl":
            sys.stdout.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
        else:
            table = Table(title=record.title or record.source, show_header=False)
            table.add_row("published", str(record.published or ""))
            table.add_row("countries", ", ".join(record.countries))
            table.add_row("persons", "\n".join(f"{p.name} ({p.role or '?'}, {p.country or '?'})"
                                               for p in record.persons))
            table.add_row("events", "\n".join(f"{e.type} {e.date or ''} {e.place or ''}: {e.title}"
                                              for e in record.events))
            table.add_row("agreements", "\n".join(f"{a.type} [{a.status}] {a.title}" for a in record.agreements))
            table.add_row("topics", ", ".join(record.topics))
            console.print(table)
    if failed:
        raise typer.Exit(1)


EVENT_COLUMNS = ("id", "date", "type", "title", "place", "countries", "topics", "sources")


@app.command()
def events(
    country: Annotated[str | None, typer.Option(help="ISO code, e.g. KZ.")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic code, e.g. nuclear_energy.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="meeting, conference, signing, ...")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Text in title or place.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    format: FormatOption = None,
    db: DbOption = None,
) -> None:
    """List events, most recent first.

    Example: accordia events --country KZ --topic nuclear_energy --since 2023-01-01
    """
    with _store(db) as store:
        rows = store.events(EventFilter(country, topic, type, _date(since), _date(until), query, limit))
    _emit(rows, format, EVENT_COLUMNS, "Events")


@app.command()
def agreements(
    country: Annotated[str | None, typer.Option(help="ISO code of a party.")] = None,
    topic: Annotated[str | None, typer.Option(help="Topic code.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="mou, agreement, contract, strategy, ...")] = None,
    since: Annotated[str | None, typer.Option(help="From this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Text in the title.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    format: FormatOption = None,
    db: DbOption = None,
) -> None:
    """List agreements (MoUs, agreements, contracts, strategies, roadmaps...).

    Example: accordia agreements --type mou --country US
    """
    with _store(db) as store:
        rows = store.agreements(EventFilter(country, topic, type, _date(since), _date(until), query, limit))
    _emit(rows, format, ("id", "date", "type", "status", "title", "countries", "horizon", "topics"),
          "Agreements")


@app.command()
def entities(
    kind: Annotated[str | None, typer.Option(help="person, organization or country.")] = None,
    country: Annotated[str | None, typer.Option(help="ISO code.")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Text in the name.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    format: FormatOption = None,
    db: DbOption = None,
) -> None:
    """List persons, organizations and countries with their mention counts.

    Example: accordia entities --kind person --country KZ
    """
    with _store(db) as store:
        rows = store.entities(kind, country, query, limit)
    _emit(rows, format, ("id", "kind", "name", "country", "mentions"), "Entities")


@show_app.command("event")
def show_event(event_id: int, db: DbOption = None, format: FormatOption = None) -> None:
    """An event with participants and the evidence sentences of every source.

    Example: accordia show event 3
    """
    with _store(db) as store:
        detail = store.event(event_id)
    if _chosen(format) is not Format.table:
        _print_json(detail)
        return
    event = detail.event
    console.print(f"[bold]{event.title}[/bold]  ({event.type}, {event.date or 'date unknown'}, "
                  f"{event.place or 'place unknown'})")
    console.print(f"countries: {', '.join(event.countries)}   topics: {', '.join(event.topics)}")
    console.print(f"persons: {', '.join(n for _, n in detail.persons) or '-'}")
    console.print(f"organizations: {', '.join(n for _, n in detail.organizations) or '-'}")
    for source in detail.sources:
        console.print(f"\n[cyan]{source.source}[/cyan] ({source.published or 'undated'})"
                      + (f" — {source.reason}" if source.reason else ""))
        for start, end, sentence in source.sentences:
            console.print(f"  [{start}:{end}] {sentence}", markup=False)


@show_app.command("agreement")
def show_agreement(agreement_id: int, db: DbOption = None) -> None:
    """An agreement and its life: every report of it with status and evidence.

    Example: accordia show agreement 2
    """
    with _store(db) as store:
        row, history = store.agreement(agreement_id)
    _print_json({"agreement": row, "history": history})


@show_app.command("entity")
def show_entity(entity_id: int, db: DbOption = None) -> None:
    """A person, organization or country: aliases, roles over time, mentions and why they merged.

    Example: accordia show entity 12
    """
    with _store(db) as store:
        detail = store.entity(entity_id)
    _print_json(detail)


@show_app.command("person")
def show_person(entity_id: int, db: DbOption = None, format: FormatOption = None) -> None:
    """A person: the mentions merged into it and why, the role history, and split decisions.

    Example: accordia show person 12
    """
    with _store(db) as store:
        detail = store.person(entity_id)
    if _chosen(format) is not Format.table:
        _print_json(detail)
        return
    entity = detail.entity
    console.print(f"[bold]{escape(entity.name)}[/bold]  ({entity.kind} {entity.id}, {entity.country or '--'})")
    console.print(f"aliases: {', '.join(detail.aliases)}", markup=False)
    roles = Table("role", "country", "organization", "first seen", "last seen", title="Role history")
    for role in detail.roles:
        roles.add_row(*(_cell(role[k]) for k in ("role", "country", "organization", "first_seen", "last_seen")))
    console.print(roles)
    mentions = Table("mention", "document", "date", "surface", "role", "why merged", title="Mentions")
    for m in detail.mentions:
        mentions.add_row(str(m["id"]), escape(m["source"].rsplit("/", 1)[-1]), _cell(m["published"]),
                         escape(m["surface"]), escape(m["role"] or ""), escape(m["reason"] or ""))
    console.print(mentions)
    for decision in detail.decisions:
        console.print(f"decision {decision['id']}: {decision['action']} {', '.join(decision['names'])} from "
                      f"entity {decision['source_entity_id']} into {decision['entity_id']} "
                      f"({decision['reason']})", markup=False)


@app.command()
def split(
    entity_id: Annotated[int, typer.Argument(help="The entity a name was wrongly merged into.")],
    alias: Annotated[str | None, typer.Option(help="Detach every mention of this name (any spelling).")] = None,
    mention: Annotated[list[int] | None, typer.Option(help="Detach this mention id (repeatable).")] = None,
    reason: Annotated[str, typer.Option(help="Why, kept with the decision.")] = "manual split",
    db: DbOption = None,
) -> None:
    """Undo a wrong merge: move a name or mentions into a new entity, and remember it on re-ingest.

    Example: accordia split 12 --alias "Alexander Novikov" --reason "different person"
    """
    if alias is None and not mention:
        raise typer.BadParameter("give --alias NAME or at least one --mention ID")
    with _store(db) as store:
        result = store.split(entity_id, alias, mention or (), reason)
    err.print(f"moved {result.moved_mentions} mention(s) from entity {result.source_entity_id} to new entity "
              f"{result.entity_id} (decision {result.decision_id})")
    sys.stdout.write(json.dumps(to_plain(result)) + "\n")


@show_app.command("document")
def show_document(document_id: int, db: DbOption = None) -> None:
    """A stored document: metadata, extraction record and text.

    Example: accordia show document 1
    """
    with _store(db) as store:
        row = store.document(document_id)
    _print_json(row)


@app.command()
def summary(db: DbOption = None) -> None:
    """Counts of documents, events, agreements, entities, and the top partner pairs.

    Example: accordia summary --db sqlite:///accordia.db
    """
    with _store(db) as store:
        result = store.summary()
    table = Table(title="Accordia knowledge base", show_header=False)
    for label in ("documents", "events", "agreements", "persons", "organizations", "countries", "failures"):
        table.add_row(label, str(getattr(result, label)))
    table.add_row("event types", ", ".join(f"{k} {v}" for k, v in sorted(result.event_types.items())))
    console.print(table)
    pairs = Table(title="Top partner pairs (shared events)")
    pairs.add_column("pair")
    pairs.add_column("events", justify="right")
    for a, b, n in result.top_pairs:
        pairs.add_row(f"{a} – {b}", str(n))
    console.print(pairs)


@app.command()
def failures(run: Annotated[int | None, typer.Option(help="Run id (default: the latest).")] = None,
             format: FormatOption = None, db: DbOption = None) -> None:
    """Inputs rejected by an ingest run, with the reason for each.

    Example: accordia failures --format csv
    """
    with _store(db) as store:
        rows = store.failures(run)
    _emit(rows, format, ("run_id", "source", "code", "reason"), "Failures")


SinceOption = Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")]
UntilOption = Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD).")]
TopicOption = Annotated[str | None, typer.Option(help="Topic code, e.g. critical_minerals.")]


def _usage(call: Callable[[], T]) -> T:
    """Run a lookup of user input (region, strategy, period), turning InputError into a usage error."""
    try:
        return call()
    except (InputError, DataFileError) as exc:
        raise typer.BadParameter(str(exc)) from None


@app.command()
def partners(country: str, topic: TopicOption = None, since: SinceOption = None, until: UntilOption = None,
             format: FormatOption = None, db: DbOption = None) -> None:
    """Partner countries of COUNTRY ranked by shared events and agreements, with topics.

    Example: accordia partners KZ --topic critical_minerals --since 2023-01-01
    """
    with _store(db) as store:
        rows = [p.as_dict() for p in analyze.partners(store, country, topic, _date(since), _date(until))]
    _emit(rows, format, ("country", "name", "events", "agreements", "topics"), f"Partners of {country}")


@app.command()
def network(topic: TopicOption = None, since: SinceOption = None, until: UntilOption = None,
            region: Annotated[str | None, typer.Option(help="Only countries of this region or grouping "
                                                       "(Central Asia, EU, GCC, SCO, ...).")] = None,
            format: FormatOption = None, db: DbOption = None) -> None:
    """The country cooperation network as weighted edges (shared events plus shared agreements).

    Example: accordia network --region "Central Asia" --format csv
    """
    if region is not None:
        _usage(lambda: analyze.region(region))
    with _store(db) as store:
        rows = [e.as_dict() for e in analyze.network(store, topic, _date(since), _date(until), region=region)]
    _emit(rows, format, ("source", "target", "weight", "events", "agreements", "topics"), "Cooperation network")


@app.command()
def timeline(country: Annotated[str | None, typer.Option(help="ISO code, e.g. UZ.")] = None,
             topic: TopicOption = None, since: SinceOption = None, until: UntilOption = None,
             format: FormatOption = None, db: DbOption = None) -> None:
    """Events per month by type.

    Example: accordia timeline --country UZ
    """
    with _store(db) as store:
        rows = [m.as_dict() for m in analyze.timeline(store, country, topic, _date(since), _date(until))]
    _emit(rows, format, ("month", "total", *analyze.EVENT_TYPES), "Timeline")


@app.command()
def topics(country: Annotated[str | None, typer.Option(help="ISO code, e.g. KZ.")] = None,
           since: SinceOption = None, until: UntilOption = None,
           by: Annotated[str, typer.Option(help="year or month.")] = "year",
           format: FormatOption = None, db: DbOption = None) -> None:
    """Topic profile over time: events per topic and year (or month), most frequent topic first.

    Example: accordia topics --country KZ --by year
    """
    if by not in analyze.PERIODS:
        raise typer.BadParameter(f"--by must be one of {', '.join(analyze.PERIODS)}")
    with _store(db) as store:
        trends = analyze.topic_profile(store, country, _date(since), by, _date(until))
    rows = [trend.as_dict() for trend in trends]
    periods = sorted({p for row in rows for p in row["periods"]})
    flat = [{"topic": row["topic"], "total": row["total"], **row["periods"]} for row in rows]
    if _chosen(format) is Format.json:
        _emit(rows, format, ("topic", "total", "periods"))
    else:
        _emit(flat, format, ("topic", "total", *periods), f"Topics{f' of {country}' if country else ''}")


@app.command()
def agreement(agreement_id: int, format: FormatOption = None, db: DbOption = None) -> None:
    """An agreement's life: signed, later mentions, approval, ratification, implementation news.

    Example: accordia agreement 2
    """
    with _store(db) as store:
        life = analyze.agreement_life(store, agreement_id)
    chosen = _chosen(format)
    if chosen is Format.json:
        sys.stdout.write(json.dumps(life.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if chosen is Format.table:
        row = life.agreement
        console.print(f"[bold]{escape(row.title)}[/bold]  ({row.type}, {row.status or 'status unknown'}, "
                      f"parties: {', '.join(row.countries) or '-'}"
                      f"{f', until {row.horizon}' if row.horizon else ''})")
    _emit([e.as_dict() for e in life.entries], format, ("date", "kind", "document_id", "title", "evidence"),
          "Life of the agreement")


@app.command()
def strategy(file_or_name: Annotated[str, typer.Argument(help="A strategy YAML file or a bundled name "
                                                         "(sco_energy_2030, us_kz_strategic_energy_dialogue).")],
             since: Annotated[str | None, typer.Option(help="Count from this date instead of the approval.")] = None,
             format: FormatOption = None, db: DbOption = None) -> None:
    """A strategy's key areas scored by the activity reported since its approval, per member country.

    Example: accordia strategy sco_energy_2030
    """
    loaded = _usage(lambda: analyze.load_strategy(file_or_name))
    with _store(db) as store:
        activity = analyze.strategy_activity(store, loaded, _date(since))
    chosen = _chosen(format)
    if chosen is Format.json:
        sys.stdout.write(json.dumps(activity.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if chosen is Format.csv:
        _emit(activity.rows(), format, ("area", "country", "events", "agreements", "score", "documents"))
        return
    # A matrix: one row per key area, one column per member, each cell "events+agreements".
    members = loaded.members
    table = Table(title=f"{loaded.name} — activity since {activity.since or 'the beginning'}")
    table.add_column("key area")
    table.add_column("score", justify="right")
    for code in members:
        table.add_column(code, justify="right")
    for area in activity.areas:
        cells = {c.country: c for c in area.cells}
        table.add_row(area.area.name, str(area.score),
                      *(f"{cells[c].events}+{cells[c].agreements}" if c in cells else "·" for c in members))
    console.print(table)
    console.print("cells: events+agreements; `--format json` lists the reports behind each cell")


@app.command()
def search(query: Annotated[str, typer.Argument(help='Words, "a phrase", or, -word.')],
           limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
           since: SinceOption = None, until: UntilOption = None,
           format: FormatOption = None, db: DbOption = None) -> None:
    """Full-text search of the stored reports, best match first, with the matching passage.

    Example: accordia search "nuclear fuel"
    """
    with _store(db) as store:
        matches = analyze.search_documents(store, query, limit, 0, _date(since), _date(until))
    _emit([m.as_dict() for m in matches], format, ("id", "published", "title", "snippet"), f"Search: {query}")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Migrate the knowledge base to the newest schema (opening it with any command does this too).

    Example: accordia db upgrade --db postgresql+psycopg://user@host/accordia
    """
    from accordia.store import migrations

    with _store(db) as store:
        before = migrations.upgrade(store.engine)
    err.print(f"schema at {migrations.head()} (was {before or 'empty'})")


@db_app.command("current")
def db_current(db: DbOption = None) -> None:
    """Print the schema revision of the knowledge base and the newest one this version knows.

    Example: accordia db current
    """
    import sqlalchemy as sa

    from accordia.store import migrations

    url = db or _settings().database_url
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            revision = migrations.current(conn)
    except sa.exc.SQLAlchemyError as exc:
        err.print(f"[red]error:[/red] cannot read {escape(url)}: {escape(str(exc.__class__.__name__))}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    head = migrations.head()
    sys.stdout.write(f"{revision or 'none'} (head {head}{', up to date' if revision == head else ''})\n")


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="json, csv, graphml or gexf.")] = "json",
    out: Annotated[Path, typer.Option(help="Directory to write into.")] = Path("export"),
    db: DbOption = None,
) -> None:
    """Write the knowledge base for other tools: JSON, CSV tables, or the network as GraphML/GEXF.

    Example: accordia export --format graphml --out exports/
    """
    import networkx as nx

    if format not in {"json", "csv", "graphml", "gexf"}:
        raise typer.BadParameter("format must be json, csv, graphml or gexf")
    out.mkdir(parents=True, exist_ok=True)
    with _store(db) as store:
        tables = {
            "events": [to_plain(r) for r in store.events(EventFilter(limit=analyze.MAX_EVENTS))],
            "agreements": [to_plain(r) for r in store.agreements(EventFilter(limit=analyze.MAX_EVENTS))],
            "entities": [to_plain(r) for r in store.entities(limit=analyze.MAX_EVENTS)],
        }
        edges = analyze.network(store, limit=None)  # an export holds every edge
    written = []
    if format == "json":
        for name, rows in tables.items():
            path = out / f"{name}.json"
            path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
            written.append(path)
    elif format == "csv":
        for name, rows in tables.items():
            path = out / f"{name}.csv"
            columns = list(rows[0]) if rows else ["id"]
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: _cell(row.get(k)) for k in columns})
            written.append(path)
    else:
        graph = analyze.network_graph(edges)
        path = out / f"network.{format}"
        (nx.write_graphml if format == "graphml" else nx.write_gexf)(graph, path)
        written.append(path)
    for path in written:
        err.print(f"wrote {path}")


@app.command()
def evaluate(
    golden_dir: Annotated[Path, typer.Argument(help="Directory of golden <stem>.json files.")],
    corpus: Annotated[list[Path] | None, typer.Option(help="Where the reports are (repeatable).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print each document's differences.")] = False,
    participant_model: Annotated[bool, typer.Option(
        "--participant-model/--rules-only",
        help="Decide participating countries with the trained model, or by the rules alone.")] = PARTICIPANT_MODEL,
    format: FormatOption = None,
) -> None:
    """Score extraction against golden records: precision, recall and F1 per field.

    Example: accordia evaluate tests/golden/samples --corpus accordia/samples
    """
    from accordia.evaluate import evaluate as run_evaluation

    corpus_dirs = corpus or [Path(str(sample_paths()[0].parent))]
    result = run_evaluation(golden_dir, corpus_dirs, ExtractOptions(participant_model=participant_model))
    if verbose:
        for diff in result.diffs:
            err.print(f"[bold]{escape(diff.source)}[/bold]")
            for name, (extra, missing) in diff.differences.items():
                err.print(f"  {name}: +{extra} -{missing}", markup=False)
    _emit(result.table(), format, ("field", "precision", "recall", "f1", "tp", "fp", "fn"),
          f"Extraction quality on {result.documents} documents")


@app.command()
def serve(db: DbOption = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the dashboard and REST API.

    Example: accordia serve --port 8000
    """
    import uvicorn

    from accordia.api import create_app

    url = db or _settings().database_url
    err.print(f"Accordia dashboard on http://{host}:{port}/  (API docs at /api/docs)")
    uvicorn.run(create_app(url), host=host, port=port, log_level="warning")


def main() -> None:
    """Entry point with logging configured (the library itself never configures logging)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
