"""The ingest flow end to end: read inputs → extract records → store with resolution.

Documents are stored in batches, one transaction per batch: an interrupted run leaves every
committed batch in place and nothing half-written, and running it again skips what is already
stored (documents are keyed by the hash of their text), so it completes the rest. With
`workers > 1` the extraction of the next batch runs in worker processes while the main process
writes the current one, so extraction and storage overlap; records still come back in input
order and memory stays bounded by two batches.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType

from accordia.errors import StoreError
from accordia.extract import ExtractOptions, extract
from accordia.ingest import IngestOptions, expand_inputs, read_inputs
from accordia.models import Document, Failure, Record
from accordia.store import AddResult, Store

__all__ = ["DEFAULT_BATCH_SIZE", "IngestReport", "ingest", "ingest_documents"]

# Documents per transaction. Large enough that commits (an fsync each on SQLite) stop mattering,
# small enough that a crash loses little work and a batch's records fit easily in memory.
DEFAULT_BATCH_SIZE = 100


@dataclass
class IngestReport:
    """What one ingest run did."""

    run_id: int
    added: int = 0
    unchanged: int = 0
    copies: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass(frozen=True)
class _EndOfSource:
    """Marks, in the item stream, that every item of one source has gone by."""

    source: str


_Item = Document | Failure | _EndOfSource


def _extract_batch(args: tuple[list[Document], ExtractOptions]) -> list[Record]:
    documents, options = args
    return [extract(document, options) for document in documents]


class _Extractor:
    """Extracts batches in order, in this process or across a pool that works one batch ahead."""

    def __init__(self, options: ExtractOptions, workers: int) -> None:
        self.options = options
        self.workers = workers
        self.pool: Pool | None = None

    def __enter__(self) -> _Extractor:
        if self.workers > 1:
            context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
            self.pool = context.Pool(self.workers)
        return self

    def __exit__(self, *exc: object | TracebackType | None) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def submit(self, documents: list[Document]) -> Callable[[], list[Record]]:
        """Start extracting `documents`; the returned function waits for their records, in order."""
        if self.pool is None or not documents:
            return lambda: _extract_batch((documents, self.options))
        # Split the batch across the workers; each slice comes back whole, so order is kept.
        size = max(1, -(-len(documents) // (self.workers * 4)))
        slices = [documents[i:i + size] for i in range(0, len(documents), size)]
        pending: AsyncResult[list[list[Record]]] = self.pool.map_async(
            _extract_batch, [(part, self.options) for part in slices], chunksize=1)
        return lambda: [record for part in pending.get() for record in part]


def _batches(items: Iterable[_Item], size: int) -> Iterator[list[_Item]]:
    """Consecutive groups holding at most `size` documents each (failures and markers ride along)."""
    batch: list[_Item] = []
    documents = 0
    for item in items:
        batch.append(item)
        if isinstance(item, Document):
            documents += 1
            if documents >= size:
                yield batch
                batch, documents = [], 0
    if batch:
        yield batch


def _process(store: Store, report: IngestReport, batch: list[_Item], records: Sequence[Record],
             on_item: Callable[[Document | Failure], None] | None,
             on_source: Callable[[str], None] | None) -> None:
    """Store one extracted batch atomically, then tell the callers about each item in order."""
    documents = [item for item in batch if isinstance(item, Document)]
    pairs = list(zip(documents, records, strict=True))
    results: list[AddResult | Failure]
    try:
        results = list(store.add_documents(pairs))
    except StoreError:
        # One bad document must not cost the batch: store each alone, recording the one that fails.
        results = []
        for document, record in pairs:
            try:
                results.append(store.add_document(document, record))
            except StoreError as exc:
                results.append(Failure(document.source, str(exc), exc.code))
    outcome = iter(results)
    for item in batch:
        if isinstance(item, _EndOfSource):
            if on_source is not None:
                on_source(item.source)
            continue
        if isinstance(item, Document):
            result = next(outcome)
            if isinstance(result, Failure):
                report.failures.append(result)
                store.record_failure(report.run_id, result)
            elif not result.added:
                report.unchanged += 1
            else:
                report.added += 1
                report.copies += result.copy_of is not None
        if on_item is not None:
            on_item(item)


def _run(items: Iterable[_Item], store: Store, report: IngestReport, options: ExtractOptions, workers: int,
         batch_size: int, on_item: Callable[[Document | Failure], None] | None,
         on_source: Callable[[str], None] | None) -> None:
    with _Extractor(options, workers) as extractor:
        previous: tuple[list[_Item], Callable[[], list[Record]]] | None = None
        for batch in _batches(items, batch_size):
            for item in batch:
                if isinstance(item, Failure):
                    report.failures.append(item)
                    store.record_failure(report.run_id, item)
            documents = [item for item in batch if isinstance(item, Document)]
            # `Document.hash` hashes the text on every call: once per document here.
            hashes = {id(d): d.hash for d in documents}
            # Skip what is stored already before paying for its extraction (one query per batch).
            stored = store.stored_hashes(list(hashes.values()))
            seen: set[str] = set()
            fresh: list[_Item] = []
            for item in batch:
                if isinstance(item, Document):
                    text_hash = hashes[id(item)]
                    if text_hash in stored or text_hash in seen:
                        report.unchanged += 1
                        if on_item is not None:
                            # Reported now: it is already in the knowledge base.
                            on_item(item)
                        continue
                    seen.add(text_hash)
                fresh.append(item)
            pending = extractor.submit([item for item in fresh if isinstance(item, Document)])
            if previous is not None:
                _process(store, report, previous[0], previous[1](), on_item, on_source)
            previous = (fresh, pending)
        if previous is not None:
            _process(store, report, previous[0], previous[1](), on_item, on_source)


def ingest(inputs: Iterable[str], store: Store, extract_options: ExtractOptions | None = None,
           ingest_options: IngestOptions | None = None,
           on_item: Callable[[Document | Failure], None] | None = None,
           on_source: Callable[[str], None] | None = None, workers: int = 1,
           batch_size: int = DEFAULT_BATCH_SIZE) -> IngestReport:
    """Read, extract and store every document in `inputs`; failures are recorded, not raised.

    `on_item` is called for each document (once stored) or failure, `on_source` after each file
    or URL is done. `workers` > 1 extracts in that many processes; `batch_size` documents are
    written per transaction.
    """
    sources = list(expand_inputs(inputs))
    report = IngestReport(run_id=store.start_run(sources))

    def items() -> Iterator[_Item]:
        for source in sources:
            yield from read_inputs([source], ingest_options)
            yield _EndOfSource(source)

    try:
        _run(items(), store, report, extract_options or ExtractOptions(), workers, batch_size, on_item, on_source)
    finally:
        store.finish_run(report.run_id, report.added, report.unchanged, report.failed)
    return report


def ingest_documents(documents: Iterable[Document], store: Store, extract_options: ExtractOptions | None = None,
                     workers: int = 1, batch_size: int = DEFAULT_BATCH_SIZE,
                     on_item: Callable[[Document | Failure], None] | None = None,
                     label: str = "documents") -> IngestReport:
    """Extract and store documents already in memory (a generator is read lazily), as one run."""
    report = IngestReport(run_id=store.start_run([label]))
    try:
        _run(documents, store, report, extract_options or ExtractOptions(), workers, batch_size, on_item, None)
    finally:
        store.finish_run(report.run_id, report.added, report.unchanged, report.failed)
    return report
