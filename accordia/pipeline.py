"""The ingest flow end to end: read inputs → extract records → store with resolution.

Each document is stored in its own transaction, so an interrupted run leaves every finished
document in place and none half-written; running it again skips what is already stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from accordia.errors import StoreError
from accordia.extract import ExtractOptions, extract
from accordia.ingest import IngestOptions, expand_inputs, read_inputs
from accordia.models import Document, Failure, Record
from accordia.store import Store

__all__ = ["IngestReport", "ingest"]


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


def ingest(inputs: Iterable[str], store: Store, extract_options: ExtractOptions | None = None,
           ingest_options: IngestOptions | None = None,
           on_item: Callable[[Document | Failure], None] | None = None,
           on_source: Callable[[str], None] | None = None) -> IngestReport:
    """Read, extract and store every document in `inputs`; failures are recorded, not raised.

    `on_item` is called for each document or failure, `on_source` after each file or URL.
    """
    sources = list(expand_inputs(inputs))
    extract_options = extract_options or ExtractOptions()
    report = IngestReport(run_id=store.start_run(sources))
    try:
        for source in sources:
            for item in read_inputs([source], ingest_options):
                if isinstance(item, Failure):
                    report.failures.append(item)
                    store.record_failure(report.run_id, item)
                else:
                    _store_one(item, store, extract_options, report)
                if on_item is not None:
                    on_item(item)
            if on_source is not None:
                on_source(source)
    finally:
        store.finish_run(report.run_id, report.added, report.unchanged, report.failed)
    return report


def _store_one(document: Document, store: Store, options: ExtractOptions, report: IngestReport) -> None:
    if store.has_document(document.hash):
        report.unchanged += 1
        return
    record: Record = extract(document, options)
    try:
        result = store.add_document(document, record)
    except StoreError as exc:
        failure = Failure(document.source, str(exc), exc.code)
        report.failures.append(failure)
        store.record_failure(report.run_id, failure)
        return
    if not result.added:
        report.unchanged += 1
    else:
        report.added += 1
        report.copies += result.copy_of is not None
