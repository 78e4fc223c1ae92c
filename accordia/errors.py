"""Exceptions raised by Accordia, each with a stable code for user-facing messages.

    AccordiaError                 base of everything the library raises on purpose
    ├── InputError        [E1xx]  one input could not be read (the rest of a batch goes on)
    │   ├── UnsupportedInput  E101  binary or unknown format
    │   ├── EmptyInput        E102  nothing readable in it
    │   ├── InputTooLarge     E103  over the configured size limit
    │   ├── FetchError        E104  a URL could not be fetched (timeout, status, redirects)
    │   ├── BlockedURL        E105  a URL scheme or address that is refused
    │   └── ParseError        E106  a feed, PDF or JSONL line that cannot be parsed
    ├── DataFileError     E201   a gazetteer, pattern or taxonomy file is invalid (file and line)
    ├── StoreError        E301   the knowledge base refused an operation
    │   └── NotFound      E302   no such record
    └── ConfigError       E401   a setting has an invalid value
"""

from __future__ import annotations


class AccordiaError(Exception):
    """Base class; `code` is stable across releases and printed with the message."""

    code = "E000"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class InputError(AccordiaError):
    """One input could not be turned into a document."""

    code = "E100"


class UnsupportedInput(InputError):
    code = "E101"


class EmptyInput(InputError):
    code = "E102"


class InputTooLarge(InputError):
    code = "E103"


class FetchError(InputError):
    code = "E104"


class BlockedURL(InputError):
    code = "E105"


class ParseError(InputError):
    code = "E106"


class DataFileError(AccordiaError):
    """A data file (gazetteer, patterns, taxonomy) failed validation."""

    code = "E201"


class StoreError(AccordiaError):
    """The knowledge base could not complete an operation."""

    code = "E301"


class NotFound(StoreError):
    code = "E302"


class ConfigError(AccordiaError):
    code = "E401"
