"""Accordia: reports about international energy cooperation in, a provenance-linked knowledge base out.

    >>> from accordia import Document, extract
    >>> record = extract(Document(source="note.txt", text="..."))
"""

from __future__ import annotations

import logging

from accordia.extract import ExtractOptions, extract, extract_many
from accordia.ingest import IngestOptions, read_inputs
from accordia.models import Document, Failure, Record
from accordia.settings import Settings

__all__ = [
    "Document",
    "ExtractOptions",
    "Failure",
    "IngestOptions",
    "Record",
    "Settings",
    "extract",
    "extract_many",
    "read_inputs",
]
__version__ = "0.1.0"

# A library adds a NullHandler and leaves configuration to the application (the CLI does it).
logging.getLogger(__name__).addHandler(logging.NullHandler())
