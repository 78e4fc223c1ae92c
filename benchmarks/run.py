"""Accordia's benchmark: extraction, streaming memory, ingest, query latency and a spaCy baseline.

    python benchmarks/run.py --quick                  # under two minutes, for development
    python benchmarks/run.py                          # the full run (100k knowledge base, 1M streamed)
    python benchmarks/run.py --sizes 1000,10000 --skip-pg --stream-count 200000 --out results.json

One run prints the command line, the date and the machine, then a Rich table of every figure,
and writes them all as JSON (`--out`). Each measure is a function of this module, so the tests
can run them on a tiny corpus. The corpus comes from `benchmarks/corpus.py` (deterministic by seed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import importlib.metadata
import inspect
import json
import os
import pkgutil
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # `python benchmarks/run.py` puts benchmarks/ on the path, not the repository root.
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from accordia.extract import default_workers, extract, extract_many  # noqa: E402
from accordia.extract.resources import data_paths  # noqa: E402
from accordia.models import Document  # noqa: E402
from accordia.pipeline import DEFAULT_BATCH_SIZE, ingest_documents  # noqa: E402
from accordia.store import EventFilter, Store  # noqa: E402
from benchmarks.corpus import generate_documents  # noqa: E402

__all__ = [
    "bench_extraction",
    "bench_ingest",
    "bench_queries",
    "bench_spacy",
    "bench_stream",
    "machine_info",
    "main",
]

DEFAULT_PG = os.environ.get("ACCORDIA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
Result = dict[str, Any]


def machine_info() -> Result:
    """CPU model, cores, memory, Python and OS of this machine."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else 0
    return {
        "cpu": cpu,
        "cores": default_workers(),
        "memory_gib": round(memory / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def _peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(who).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def bench_extraction(documents: Sequence[Document], workers: int) -> Result:
    """Reports/s and MB/s on one core and across `workers` processes; checks the order is kept."""
    size_mb = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6
    extract(documents[0])  # load the data files and build the automata outside the timing
    started = time.perf_counter()
    for document in documents:
        extract(document)
    one = time.perf_counter() - started
    started = time.perf_counter()
    sources = [record.source for record in extract_many(iter(documents), workers=workers)]
    many = time.perf_counter() - started
    return {
        "reports": len(documents),
        "mean_kb": round(size_mb * 1000 / len(documents), 2),
        "one_core_reports_s": round(len(documents) / one, 1),
        "one_core_mb_s": round(size_mb / one, 2),
        "workers": workers,
        "workers_reports_s": round(len(documents) / many, 1),
        "workers_mb_s": round(size_mb / many, 2),
        "in_order": sources == [d.source for d in documents],
    }


def _stream(count: int, seed: int, workers: int) -> Result:
    """Extract `count` generated reports without keeping them; runs inside a fresh process."""
    started = time.perf_counter()
    n = 0
    chars = 0
    for record in extract_many(generate_documents(count, seed), workers=workers):
        n += 1
        chars += len(record.source)
    seconds = time.perf_counter() - started
    return {
        "reports": n,
        "seconds": round(seconds, 1),
        "reports_s": round(n / seconds, 1),
        "peak_rss_main_mib": _peak_rss_mib(resource.RUSAGE_SELF),
        "peak_rss_worker_mib": _peak_rss_mib(resource.RUSAGE_CHILDREN),
    }


def bench_stream(count: int, seed: int, workers: int) -> Result:
    """Peak memory streaming `count` reports through extraction, measured in a fresh process.

    The main process's peak plus one worker's peak per worker is the whole footprint, since each
    worker is forked from a main process of the same size and grows on its own.
    """
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); from benchmarks.run import _stream; "
        f"print(json.dumps(_stream({count}, {seed}, {workers})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    result["workers"] = workers
    result["peak_rss_total_mib"] = round(
        result["peak_rss_main_mib"] + (workers if workers > 1 else 0) * result["peak_rss_worker_mib"], 1
    )
    return result


def bench_ingest(
    url: str,
    sizes: Sequence[int],
    seed: int,
    workers: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    chunk: int | None = None,
) -> Result:
    """Ingest the corpus into an empty knowledge base at `url`, with all stages, up to the largest size.

    The time to reach each size is recorded, and the rate of every `chunk` reports, so the first
    and last chunks show whether the per-report cost grows with the knowledge base.
    """
    store = Store.open(url)
    total = max(sizes)
    # Items are reported when their batch commits, so a chunk must hold whole batches to be timed.
    chunk = chunk or max(1, min(1000, total // 10))
    chunk = -(-chunk // batch_size) * batch_size
    marks: dict[int, float] = {}
    chunk_times: list[float] = []
    started = time.perf_counter()
    last = started
    count = 0

    def on_item(_item: object) -> None:
        nonlocal count, last
        count += 1
        now = time.perf_counter()
        if count % chunk == 0:
            chunk_times.append(now - last)
            last = now
        if count in sizes:
            marks[count] = now - started

    report = ingest_documents(
        generate_documents(total, seed),
        store,
        workers=workers,
        batch_size=batch_size,
        on_item=on_item,
        label="benchmark",
    )
    summary = store.summary()
    store.close()
    rates = [round(chunk / s, 1) for s in chunk_times]
    return {
        "url": url.split("?")[0],
        "workers": workers,
        "batch_size": batch_size,
        "added": report.added,
        "copies": report.copies,
        "failed": report.failed,
        "events": summary.events,
        "agreements": summary.agreements,
        "persons": summary.persons,
        "sizes": {str(n): {"seconds": round(marks[n], 1), "reports_s": round(n / marks[n], 1)} for n in sorted(marks)},
        "chunk": chunk,
        "first_chunk_reports_s": rates[0] if rates else None,
        "last_chunk_reports_s": rates[-1] if rates else None,
        "chunk_rates": rates,
    }


def _analytics() -> Iterator[tuple[str, Callable[..., Any]]]:
    """Every public function of `accordia.analyze` and its modules that takes the store first."""
    package = importlib.import_module("accordia.analyze")
    modules = [package] + [
        importlib.import_module(f"accordia.analyze.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
        if not m.name.startswith("_")
    ]
    seen: set[Any] = set()
    for module in modules:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            params = list(inspect.signature(func).parameters)
            if name.startswith("_") or func in seen or not params or params[0] != "store":
                continue
            seen.add(func)
            yield f"{func.__module__.removeprefix('accordia.')}.{name}", func


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _call(
    store: Store, func: Callable[..., Any], names: list[str], values: dict[str, list[Any]]
) -> Callable[[int], Any]:
    """A call of `func` whose i-th run takes the i-th value (cycling) of each named argument."""

    def call(i: int) -> Any:
        return func(store, **{name: values[name][i % len(values[name])] for name in names})

    return call


def bench_queries(url: str, repeat: int = 20) -> Result:
    """p50/p95 latency (ms) of each analytics function and of filtered event listings."""
    store = Store.open(url)
    pairs = store.country_pairs()
    countries = list(dict.fromkeys(c for a, b, _ in pairs[:20] for c in (a, b)))[:4] or ["KZ"]
    topics = ["oil_gas", "renewables", "nuclear_energy", "hydrogen"]
    values: dict[str, list[Any]] = {
        "country": countries,
        "topic": topics,
        "since": [dt.date(2022, 1, 1)],
        "until": [dt.date(2024, 12, 31)],
    }
    values["query"] = ["nuclear fuel", "gas pipeline", "hydrogen", "grid"]
    with contextlib.suppress(ImportError):
        from accordia.analyze import strategy

        # The bundled strategies (goals and their keywords) that `strategy_activity` tracks.
        values["strategy"] = [strategy.load_strategy(name) for name in strategy.available_strategies()]
    first_agreement = store.agreements(EventFilter(limit=1))
    if first_agreement:
        values["agreement_id"] = [first_agreement[0].id]
    cases: list[tuple[str, Callable[[int], Any]]] = []
    skipped: list[str] = []
    for name, func in _analytics():
        required = [
            p
            for p in list(inspect.signature(func).parameters.values())[1:]
            if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        if any(p.name not in values for p in required):
            skipped.append(f"{name} (needs {', '.join(p.name for p in required if p.name not in values)})")
            continue
        names = [p.name for p in required]
        cases.append((name, _call(store, func, names, values)))
        if "topic" in inspect.signature(func).parameters and "topic" not in names:
            cases.append((f"{name}(topic)", _call(store, func, [*names, "topic"], values)))
    cases += [
        ("Store.events(country)", lambda i: store.events(EventFilter(country=countries[i % len(countries)]))),
        (
            "Store.events(country, topic)",
            lambda i: store.events(EventFilter(country=countries[i % len(countries)], topic=topics[i % len(topics)])),
        ),
        (
            "Store.events(type, since)",
            lambda i: store.events(EventFilter(type=("meeting", "signing", "visit")[i % 3], since=dt.date(2023, 1, 1))),
        ),
        ("Store.agreements(country)", lambda i: store.agreements(EventFilter(country=countries[i % len(countries)]))),
        ("Store.summary", lambda i: store.summary()),
    ]
    results: dict[str, Result] = {}
    for name, call in cases:
        timings = []
        for i in range(repeat):
            started = time.perf_counter()
            try:
                call(i)
            except Exception as exc:  # a broken analytic is reported in the table, not fatal to the run
                results[name] = {"error": f"{exc.__class__.__name__}: {exc}"[:200]}
                break
            timings.append((time.perf_counter() - started) * 1000)
        else:
            results[name] = {
                "p50_ms": round(statistics.median(timings), 1),
                "p95_ms": round(_percentile(timings, 0.95), 1),
                # The first call after the ingest also rebuilds what the store keeps between
                # reads (the aggregate_state answers): the latency a reader sees after new reports.
                "first_ms": round(timings[0], 1),
                "runs": repeat,
            }
    store.close()
    return {"url": url.split("?")[0], "countries": countries, "queries": results, "skipped": skipped}


def _spacy_patterns(data_dir: Path | None = None) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The gazetteer as entity-ruler phrase patterns: proper names (case-sensitive) and phrases (any case)."""
    import yaml

    paths = data_paths(data_dir)

    def entries(name: str) -> Any:
        return yaml.safe_load(paths[name][0].read_text(encoding="utf-8")) or []

    names: list[dict[str, str]] = []
    for country in entries("countries"):
        for key in ("names", "adjectives", "cities"):
            names += [
                {"label": "GPE" if key != "adjectives" else "NORP", "pattern": n, "id": str(country["code"])}
                for n in country.get(key) or []
            ]
        if country.get("capital"):
            names.append({"label": "GPE", "pattern": country["capital"], "id": str(country["code"])})
    for place in entries("places"):
        names += [
            {"label": "GPE", "pattern": n, "id": str(place["country"])}
            for n in [place["name"], *(place.get("aliases") or [])]
        ]
    for org in entries("organizations"):
        names += [
            {"label": "ORG", "pattern": n, "id": org["name"]}
            for n in [org["name"], org.get("acronym"), *(org.get("aliases") or [])]
            if n
        ]
    phrases: list[dict[str, str]] = []
    for role in entries("roles"):
        phrases += [{"label": "ROLE", "pattern": v, "id": role["role"]} for v in role.get("variants") or []]
    for topic in entries("topics"):
        phrases += [{"label": "TOPIC", "pattern": k, "id": topic["code"]} for k in topic["keywords"]]
    triggers = entries("triggers")
    for kind, groups in triggers.get("events", {}).items():
        for words in groups.values():
            phrases += [{"label": "EVENT", "pattern": w, "id": kind} for w in words or []]
    for kind, words in triggers.get("agreements", {}).items():
        phrases += [{"label": "AGREEMENT", "pattern": w, "id": kind} for w in words]
    return names, phrases


def bench_spacy(texts: Sequence[str], accordia_reports_s: float) -> Result:
    """spaCy's blank English pipeline with entity rulers over the same gazetteer, on the same texts."""
    try:
        import spacy
    except ImportError:
        return {"error": "spaCy is not installed: pip install -e '.[bench]'"}
    names, phrases = _spacy_patterns()
    nlp = spacy.blank("en")
    # Two rulers, as Accordia has two automata: names match exact case, phrases any case.
    nlp.add_pipe("entity_ruler", name="names").add_patterns(names)  # type: ignore[attr-defined,unused-ignore]
    nlp.add_pipe(
        "entity_ruler",
        name="phrases",  # type: ignore[attr-defined,unused-ignore]
        config={"phrase_matcher_attr": "LOWER"},
    ).add_patterns(phrases)
    list(nlp.pipe(texts[:5]))
    started = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    seconds = time.perf_counter() - started
    rate = len(texts) / seconds
    return {
        "spacy": importlib.metadata.version("spacy"),
        "patterns": len(names) + len(phrases),
        "reports": len(texts),
        "reports_s": round(rate, 1),
        "entities": entities,
        "accordia_reports_s": accordia_reports_s,
        "ratio": round(accordia_reports_s / rate, 2),
    }


@contextlib.contextmanager
def _pg_schema(url: str) -> Iterator[str | None]:
    """A fresh PostgreSQL schema for the run, dropped afterwards; None when no server answers."""
    import sqlalchemy as sa

    try:
        admin = sa.create_engine(url, connect_args={"connect_timeout": 3})
        schema = f"accordia_bench_{uuid.uuid4().hex[:8]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        yield None
        return
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _table(results: Result) -> Table:
    table = Table(title="Accordia benchmark", show_lines=False)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    ex = results.get("extraction", {})
    if ex:
        table.add_row("corpus (reports, mean KB)", f"{ex['reports']:,}, {ex['mean_kb']} KB", "≈3 KB")
        table.add_row(
            "extraction, one core",
            f"{ex['one_core_reports_s']:,} reports/s, {ex['one_core_mb_s']} MB/s",
            "≥ 1,000 reports/s",
        )
        table.add_row(
            f"extraction, {ex['workers']} workers",
            f"{ex['workers_reports_s']:,} reports/s, {ex['workers_mb_s']} MB/s (in order: {ex['in_order']})",
            "",
        )
    sp = results.get("spacy", {})
    if sp:
        table.add_row(
            "spaCy entity_ruler baseline",
            sp.get("error") or f"{sp['reports_s']:,} reports/s → Accordia {sp['ratio']}×",
            "≥ 5×",
        )
    st = results.get("stream", {})
    if st:
        table.add_row(
            f"stream {st['reports']:,} reports, {st['workers']} workers",
            f"peak {st['peak_rss_total_mib']:,} MiB (main {st['peak_rss_main_mib']}, "
            f"worker {st['peak_rss_worker_mib']}), {st['reports_s']:,} reports/s",
            "≤ 1 GB (1M)",
        )
    for backend in ("sqlite", "postgresql"):
        ing = results.get("ingest", {}).get(backend)
        if not ing:
            continue
        if "error" in ing:
            table.add_row(f"ingest {backend}", ing["error"], "")
            continue
        for size, mark in ing["sizes"].items():
            table.add_row(
                f"ingest {backend}, {int(size):,} reports",
                f"{mark['seconds']:,} s, {mark['reports_s']:,} reports/s",
                "≤ 300 s (SQLite 100k)" if backend == "sqlite" and size == "100000" else "",
            )
        table.add_row(
            f"ingest {backend}, per-{ing['chunk']:,} chunk rate",
            f"first {ing['first_chunk_reports_s']} → last {ing['last_chunk_reports_s']} reports/s",
            "flat",
        )
    for key, backend in (("queries", "SQLite"), ("queries_postgresql", "PostgreSQL")):
        qs = results.get(key, {})
        for name, q in qs.get("queries", {}).items():
            value = q.get("error") or f"p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms, first {q.get('first_ms')} ms"
            table.add_row(f"query {name} ({backend})", value, "p95 ≤ 100 ms")
        for name in qs.get("skipped", []):
            table.add_row(f"query {name} ({backend})", "skipped", "")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measure and print and save the figures."""
    parser = argparse.ArgumentParser(description="Accordia benchmark")
    parser.add_argument("--quick", action="store_true", help="a small run (under two minutes)")
    parser.add_argument("--sizes", help="knowledge-base sizes for ingest, e.g. 1000,10000,100000")
    parser.add_argument("--extract-count", type=int, help="reports for the extraction and spaCy timings")
    parser.add_argument("--stream-count", type=int, help="reports streamed for peak memory (default 1M)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="processes (default all cores)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="documents per transaction")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL URL (a fresh schema is used and dropped)")
    parser.add_argument("--skip-pg", action="store_true", help="no PostgreSQL ingest")
    parser.add_argument("--skip-sqlite", action="store_true", help="no SQLite ingest")
    parser.add_argument("--pg-sizes", help="knowledge-base sizes for the PostgreSQL ingest (default: --sizes)")
    parser.add_argument("--skip-spacy", action="store_true", help="no spaCy baseline")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--out", default="benchmarks/results.json", help="JSON file for the figures")
    parser.add_argument("--keep", metavar="DIR",
                        help="build the SQLite knowledge base in DIR (as bench.db) and keep it, for --parts queries")
    parser.add_argument("--db", help="with --parts queries: the knowledge base whose query latencies are timed")
    parser.add_argument("--parts", default=",".join(DEFAULT_PARTS),
                        help=f"which measures to run, comma-separated, of {','.join(PARTS)} "
                             f"(default {','.join(DEFAULT_PARTS)})")
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(parts - set(PARTS)))}; choose from {', '.join(PARTS)}")
    sizes = [int(s) for s in (args.sizes or ("500" if args.quick else "1000,10000,100000")).split(",")]
    extract_count = args.extract_count or (500 if args.quick else 5000)
    stream_count = args.stream_count or (5000 if args.quick else 1_000_000)
    console = Console(width=max(Console().width, 140))
    results: Result = {
        "command": shlex.join([sys.executable, *sys.argv]) if argv is None else shlex.join(["run.py", *argv]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "corpus_seed": args.seed,
    }
    console.print(
        f"[bold]command[/] {results['command']}\n[bold]date[/] {results['date']}\n"
        f"[bold]machine[/] {json.dumps(results['machine'])}"
    )

    if "extraction" in parts:
        documents = list(generate_documents(extract_count, args.seed + 1))
        with console.status("extraction"):
            results["extraction"] = bench_extraction(documents, args.workers)
        console.print("extraction", results["extraction"])
        if not args.skip_spacy:
            with console.status("spaCy baseline"):
                results["spacy"] = bench_spacy([d.text for d in documents],
                                               results["extraction"]["one_core_reports_s"])
            console.print("spacy", results["spacy"])
        del documents
    if "stream" in parts:
        with console.status(f"streaming {stream_count:,} reports"):
            results["stream"] = bench_stream(stream_count, args.seed + 2, args.workers)
        console.print("stream", results["stream"])

    if "queries" in parts:
        if not args.db:
            parser.error("--parts queries needs --db URL (a knowledge base, e.g. one built with --keep)")
        with console.status("queries"):
            results["queries"] = bench_queries(args.db, args.repeat)
        console.print("queries", results["queries"])

    results["ingest"] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "ingest" not in parts:
            return _finish(console, results, Path(args.out))
        if args.keep:
            if (Path(args.keep) / "bench.db").exists():
                parser.error(f"{args.keep}/bench.db exists: the ingest timings need an empty knowledge base")
            Path(args.keep).mkdir(parents=True, exist_ok=True)
        sqlite_url = f"sqlite:///{Path(args.keep or tmp).resolve()}/bench.db"
        if not args.skip_sqlite:
            with console.status("ingest into SQLite"):
                results["ingest"]["sqlite"] = bench_ingest(sqlite_url, sizes, args.seed, args.workers,
                                                           args.batch_size)
            console.print("ingest sqlite", results["ingest"]["sqlite"])
            with console.status("queries"):
                results["queries"] = bench_queries(sqlite_url, args.repeat)
        if not args.skip_pg:
            with _pg_schema(args.pg) as pg_url:
                if pg_url is None:
                    results["ingest"]["postgresql"] = {"error": f"no PostgreSQL server at {args.pg}"}
                else:
                    pg_sizes = [int(x) for x in args.pg_sizes.split(",")] if args.pg_sizes else sizes
                    with console.status("ingest into PostgreSQL"):
                        results["ingest"]["postgresql"] = bench_ingest(
                            pg_url, pg_sizes, args.seed, args.workers, args.batch_size
                        )
                    # Fresh planner statistics after a bulk load, as an operator would run (or
                    # autovacuum would, later) before serving queries.
                    _analyze_pg(pg_url)
                    with console.status("queries on PostgreSQL"):
                        results["queries_postgresql"] = bench_queries(pg_url, args.repeat)
            console.print("ingest postgresql", results["ingest"]["postgresql"])

    return _finish(console, results, Path(args.out))


def _analyze_pg(url: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


# The measures `--parts` chooses from; "ingest" includes the query latencies on what it built, and
# "queries" times them on an existing knowledge base (`--db`); it is not part of the default run.
PARTS = ("extraction", "stream", "ingest", "queries")
DEFAULT_PARTS = ("extraction", "stream", "ingest")


def _finish(console: Console, results: Result, out: Path) -> int:
    """Print the table and save the figures."""
    console.print(_table(results))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
