"""Compare every table of two knowledge bases row by row, ids included (timestamps left out).

    python benchmarks/compare_kb.py sqlite:////tmp/old/bench.db sqlite:////tmp/new/bench.db

Two builds of the same corpus by two versions of the write path must hold the same rows; this
says which tables differ and shows the first rows that do. Columns that record when something
ran (ingest and run times) are left out, as is the `runs` table's bookkeeping.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from accordia.store import schema as t  # noqa: E402

__all__ = ["IGNORED", "compare", "main", "table_rows"]

# Columns whose values are times of a run, not facts of the knowledge base.
IGNORED = {
    "documents": {"ingested_at"},
    "runs": {"started_at", "finished_at"},
    "aggregate_state": {"computed_at"},
    "resolution_decisions": {"created_at"},
}


def table_rows(conn: sa.Connection, table: sa.Table) -> Iterator[tuple[object, ...]]:
    """The rows of `table` in primary-key order, without the ignored columns, as the driver returns
    them (JSON as stored text, SQLite dates as stored strings, 1 and 1.0 told apart)."""
    quote = conn.dialect.identifier_preparer.quote
    columns = [quote(c.name) for c in table.columns if c.name not in IGNORED.get(table.name, set())]
    order = [quote(c.name) for c in table.primary_key.columns] or columns
    yield from (tuple(row) for row in conn.exec_driver_sql(
        f"SELECT {', '.join(columns)} FROM {quote(table.name)} ORDER BY {', '.join(order)}"))


def compare(old_url: str, new_url: str, shown: int = 3) -> list[str]:
    """One line per table: its row count and whether the two bases agree (with differing rows)."""
    lines = []
    old_engine, new_engine = sa.create_engine(old_url), sa.create_engine(new_url)
    try:
        with old_engine.connect() as old, new_engine.connect() as new:
            for table in t.metadata.sorted_tables:
                differences: list[str] = []
                count = 0
                for left, right in _pairs(table_rows(old, table), table_rows(new, table)):
                    count += 1
                    if left != right and len(differences) < shown:
                        differences.append(f"    old {left!r:.300}\n    new {right!r:.300}")
                state = "identical" if not differences else "DIFFERENT"
                lines.append(f"{table.name}: {count} rows, {state}")
                lines.extend(differences)
    finally:
        old_engine.dispose()
        new_engine.dispose()
    return lines


Row = tuple[object, ...]


def _pairs(left: Iterator[Row], right: Iterator[Row]) -> Iterator[tuple[Row | None, Row | None]]:
    """Rows of both sides side by side (None where one side has run out)."""
    done = object()
    while True:
        a, b = next(left, done), next(right, done)
        if a is done and b is done:
            return
        yield (None if a is done else a), (None if b is done else b)  # type: ignore[misc]


def main(argv: Sequence[str] | None = None) -> int:
    """Print the comparison; exit status 1 when any table differs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("old", help="URL of the first knowledge base")
    parser.add_argument("new", help="URL of the second knowledge base")
    args = parser.parse_args(argv)
    lines = compare(args.old, args.new)
    print("\n".join(lines))
    return 1 if any("DIFFERENT" in line for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
