"""The ingest writer alone: extracted records replayed into a store, timed, counted and profiled.

    python benchmarks/writer.py --count 3000 --records /tmp/records-3000.pickle           # time it
    python benchmarks/writer.py --count 3000 --records /tmp/records-3000.pickle --profile  # cProfile

The records are extracted once (the corpus of `--seed`, with all cores) and kept in the
`--records` file, so that runs of different versions of the store replay the very same input and
time only the writer: `Store.add_documents` in batches, as the pipeline calls it. It prints the
writer's seconds, reports per second and the statements sent per report by kind (from
SQLAlchemy's cursor events: an executemany counts once).
"""

from __future__ import annotations

import argparse
import cProfile
import pickle
import pstats
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    # `python benchmarks/writer.py` puts benchmarks/ on the path, not the repository root.
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from accordia.extract import default_workers, extract_many  # noqa: E402
from accordia.models import Document, Record  # noqa: E402
from accordia.pipeline import DEFAULT_BATCH_SIZE  # noqa: E402
from accordia.store import Store  # noqa: E402
from benchmarks.corpus import generate_documents  # noqa: E402

__all__ = ["load_records", "main", "replay"]


def load_records(count: int, seed: int, path: Path | None, workers: int) -> list[tuple[Document, Record]]:
    """The corpus's first `count` documents with their records, read from `path` if it holds them."""
    if path is not None and path.exists():
        with path.open("rb") as handle:
            kept: list[tuple[Document, Record]] = pickle.load(handle)  # our own file, made above
        if len(kept) >= count:
            return kept[:count]
    documents = list(generate_documents(count, seed))
    pairs = list(zip(documents, extract_many(documents, workers=workers), strict=True))
    if path is not None:
        with path.open("wb") as handle:
            pickle.dump(pairs, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return pairs


def _statement_kind(statement: str) -> str:
    """`INSERT documents`, `SELECT`, `UPDATE entities`: the verb and, for writes, the table."""
    words = statement.split(None, 4)
    verb = words[0].upper() if words else "?"
    if verb == "INSERT" and len(words) > 2:
        return "INSERT " + words[2].strip('"')
    if verb == "UPDATE" and len(words) > 1:
        return "UPDATE " + words[1].strip('"')
    return verb


def replay(url: str, pairs: Sequence[tuple[Document, Record]], batch_size: int,
           profile: cProfile.Profile | None = None) -> tuple[float, float, Counter[str]]:
    """Store the pairs at `url` in batches: the writer's wall and CPU seconds and the statements
    sent by kind."""
    store = Store.open(url)
    statements: Counter[str] = Counter()

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements[_statement_kind(statement)] += 1

    sa.event.listen(store.engine, "before_cursor_execute", count)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        for i in range(0, len(pairs), batch_size):
            store.add_documents(pairs[i:i + batch_size])
        if profile is not None:
            profile.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        store.close()
    return seconds, cpu, statements


def main(argv: Sequence[str] | None = None) -> int:
    """Replay extracted records into a fresh SQLite knowledge base (or `--db`) and report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=3000, help="reports")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--records", type=Path, help="pickle of extracted records (made if missing)")
    parser.add_argument("--db", help="knowledge base URL (default: a new SQLite file, or --keep)")
    parser.add_argument("--keep", type=Path, help="directory for the SQLite file (kept as writer.db)")
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="documents per transaction")
    parser.add_argument("--workers", type=int, default=default_workers(), help="processes for the extraction")
    parser.add_argument("--profile", action="store_true", help="print the cProfile of the writer")
    parser.add_argument("--top", type=int, default=40, help="profile rows shown")
    args = parser.parse_args(argv)

    pairs = load_records(args.count, args.seed, args.records, args.workers)
    profile = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory() as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        url = args.db or f"sqlite:///{directory.resolve() / 'writer.db'}"
        seconds, cpu, statements = replay(url, pairs, args.batch_size, profile)
    print(f"writer: {len(pairs)} reports in {seconds:.2f} s ({cpu:.2f} s CPU), {len(pairs) / seconds:.1f} reports/s")
    total = sum(statements.values())
    print(f"statements: {total / len(pairs):.2f} per report")
    for kind, n in statements.most_common():
        print(f"  {n / len(pairs):7.3f}  {kind}")
    if profile is not None:
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
