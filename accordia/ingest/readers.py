"""Turn raw bytes into `Document`s: plain text, HTML, RSS/Atom, PDF and JSONL.

Every reader either yields documents or raises an `InputError` subclass with a reason a
person can act on; a reader never returns an empty document silently.
"""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import charset_normalizer
import feedparser
import pypdf
import trafilatura
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata

from accordia.errors import EmptyInput, InputError, ParseError, UnsupportedInput
from accordia.models import Document, Failure

log = logging.getLogger(__name__)

# Formats a source can hold; `sniff_format` picks one from the bytes and the name.
FORMATS = ("text", "html", "feed", "pdf", "jsonl")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cheap first check against hostile nesting; the exact limit is libxml2's (see `_check_depth`).
MAX_HTML_DEPTH = 5000
# Real article pages have a few thousand elements; trafilatura needs seconds per 20,000 more
# (a page of a million <br> took 40 s), so pages beyond this are refused, not read slowly.
MAX_HTML_ELEMENTS = 100_000


def sniff_format(data: bytes, name: str = "") -> str:
    """The format of `data`, from its first bytes first and its file name second."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    lowered = name.lower()
    if head.startswith(b"%pdf"):
        return "pdf"
    if head.startswith(b"<?xml") or head.startswith((b"<rss", b"<feed", b"<rdf")):
        if b"<rss" in head or b"<feed" in head or b"<rdf" in head:
            return "feed"
        return "html" if b"<html" in head else "feed"
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<div", b"<article", b"<p")):
        return "html"
    if lowered.endswith((".jsonl", ".ndjson")) or (head.startswith(b"{") and b'"text"' in data[:5000]):
        return "jsonl"
    if lowered.endswith((".html", ".htm")):
        return "html"
    if lowered.endswith((".xml", ".rss", ".atom")):
        return "feed"
    if lowered.endswith(".pdf"):
        return "pdf"
    return "text"


def decode(data: bytes, source: str) -> str:
    """Text from bytes: UTF-8 when valid, else the most likely legacy encoding (cp1251, latin-1...)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # UTF-16 text (Windows "Unicode" files) is full of NUL bytes; its BOM says it is text.
        try:
            return clean_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise UnsupportedInput(f"{source}: invalid UTF-16 text") from None
    if _looks_binary(data):
        raise UnsupportedInput(f"{source}: binary content, not a text, HTML, feed or PDF file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(data).best()
        if best is not None and best.encoding not in _WESTERN_OR_CYRILLIC and len(data) >= 64:
            text = str(best)
        elif best is None and len(data) >= 64:
            raise UnsupportedInput(f"{source}: cannot tell the text encoding") from None
        else:
            text = _western_or_cyrillic(data)
    return clean_text(text)


# charset_normalizer reads Western text as cp1250 ("à Genève" → "ŕ Genčve") and guesses UTF-16 or
# Big5 for a few bytes ("Café" → "䍡曩"); for these guesses we read the bytes as cp1252 and as cp1251
# and keep the reading whose words look like words. UTF-16/32 cannot be right: there are no NULs.
_WESTERN_OR_CYRILLIC = {
    "cp1250", "cp1251", "cp1252", "latin_1", "iso8859_2", "iso8859_5", "iso8859_15", "mac_roman",
    "mac_latin2", "mac_cyrillic", "utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be",
    "utf_32_le",
}
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _western_or_cyrillic(data: bytes) -> str:
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined (0x81, 0x8d...)
        western = data.decode("latin-1")
    try:
        cyrillic = data.decode("cp1251")
    except UnicodeDecodeError:
        return western
    # Ties go to the Western reading.
    return cyrillic if _garbled_words(cyrillic) < _garbled_words(western) else western


def _garbled_words(text: str) -> int:
    """Words that only a wrong code page produces: Latin mixed with Cyrillic ("Cafй"), or Latin
    words made mostly of accented letters ("Ìîñêâà" is "Москва" read as cp1252)."""
    garbled = 0
    for word in _LETTER_RUN.findall(text):
        accented = sum(1 for ch in word if ord(ch) > 127)
        if not accented:
            continue
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        if 0 < cyrillic < len(word) or (not cyrillic and len(word) >= 3 and accented * 2 > len(word)):
            garbled += 1
    return garbled


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls / len(sample) > 0.05


def clean_text(text: str) -> str:
    """Normalise line ends and Unicode form and drop control characters; offsets refer to this."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


def require_text(text: str, source: str) -> str:
    if not text.strip():
        raise EmptyInput(f"{source}: no readable text")
    return text


def read_text(data: bytes, source: str) -> Iterator[Document]:
    """A plain-text report: the whole file is the document."""
    text = require_text(decode(data, source), source)
    yield Document(source=source, text=text, format="text")


def read_html(data: bytes | str, source: str, url: str | None = None) -> Iterator[Document]:
    """An HTML page: the article's main text and metadata, menus and footers left out."""
    markup = data if isinstance(data, str) else decode(data, source)
    _check_depth(markup, source)
    # trafilatura 2 deprecates `as_dict=True` (a DeprecationWarning, an error under our tests);
    # its result object has the same fields as attributes. Without `favor_precision` its baseline
    # for short pages keeps the <nav> menu text; the bundled samples read the same either way.
    with _quiet_date_parsing():
        extracted = trafilatura.bare_extraction(markup, url=url, with_metadata=True,
                                                include_comments=False, include_tables=True,
                                                favor_precision=True)
    if extracted is None or isinstance(extracted, dict) or not (extracted.text or "").strip():
        # Short pages are below trafilatura's thresholds; fall back to the visible text, and still
        # take the title and date from the page's metadata.
        text = _visible_text(markup)
        with _quiet_date_parsing():
            metadata = _metadata(markup, url)
        title = metadata.title if metadata is not None else None
        published = _parse_date(metadata.date) if metadata is not None else None
    else:
        text = extracted.text or ""
        title = extracted.title
        published = _parse_date(extracted.date)
    text = require_text(clean_text(text), source)
    yield Document(source=source, text=text, title=title, published=published, format="html", url=url)


def _check_depth(markup: str, source: str) -> None:
    depth = 0
    deepest = 0
    elements = 0
    # A cheap scan of the whole page (it stops at the first limit crossed): real pages nest a few
    # dozen levels and hold thousands of elements; hostile ones nest thousands or hold millions.
    for match in re.finditer(r"<(/?)([a-zA-Z][\w-]*)[^>]*?(/?)>", markup):
        if not match.group(1):
            elements += 1
            if elements > MAX_HTML_ELEMENTS:
                raise ParseError(f"{source}: HTML with more than {MAX_HTML_ELEMENTS:,} elements")
        if match.group(1):
            depth -= 1
        elif not match.group(3) and match.group(2).lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_HTML_DEPTH:
                raise ParseError(f"{source}: HTML nested more than {MAX_HTML_DEPTH} levels deep")
    # libxml2, under lxml and trafilatura, stops building the tree at 256 levels and silently drops
    # everything deeper (a page nested 300 divs deep read as "no readable text", or half of it).
    # Its error log says when that happened; we refuse such pages instead of half-reading them.
    parser = lxml_html.HTMLParser()
    try:
        lxml_html.document_fromstring(markup, parser=parser)
    except (ValueError, lxml_html.etree.ParserError):
        return  # not parseable at all: the readers' fallbacks decide
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            raise ParseError(f"{source}: HTML beyond the parser's limits ({error.message})")


_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr"}


@contextmanager
def _quiet_date_parsing() -> Iterator[None]:
    """htmldate hands odd meta dates ("2024-03-14T09:00:00B") to dateutil, which warns about the
    time zone; the date is read or dropped all the same, so the warning is only noise."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="tzname .* identified but not understood")
        yield


def _metadata(markup: str, url: str | None) -> Any:
    try:
        return extract_metadata(markup, default_url=url)
    except ValueError:  # markup lxml cannot parse
        return None


def _visible_text(markup: str) -> str:
    try:
        tree = lxml_html.fromstring(markup)
    except (ValueError, lxml_html.etree.ParserError):
        return ""
    # Menus, page headers and footers are boilerplate here as they are for trafilatura; the <head>
    # (title, meta) is metadata, not text: a page with a title and no body has no text.
    for node in tree.xpath("//head|//title|//script|//style|//noscript|//template|//nav|//footer|//aside"):
        node.drop_tree()
    return "\n".join(line.strip() for line in tree.text_content().splitlines() if line.strip())


def _parse_date(value: Any) -> date | None:
    if not value:
        return None
    if isinstance(value, datetime):  # a datetime is also a date; keep only the day
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(str(value)[:10]).date()
    except ValueError:
        return None


def read_feed(data: bytes, source: str) -> Iterator[Document | Failure]:
    """An RSS or Atom feed: one document per entry, from the content the entry carries."""
    try:
        parsed = feedparser.parse(data)
    except Exception as exc:
        # feedparser crashes on some hostile input (a character reference such as &#xD800; raises
        # UnicodeEncodeError); any crash of the parser means the feed cannot be read.
        raise ParseError(f"{source}: not a readable RSS/Atom feed ({exc.__class__.__name__})") from None
    if parsed.bozo and not parsed.entries:
        raise ParseError(f"{source}: not a readable RSS/Atom feed ({parsed.get('bozo_exception')})")
    if not parsed.entries:
        raise EmptyInput(f"{source}: the feed has no entries")
    for number, entry in enumerate(parsed.entries, start=1):
        entry_source = entry.get("link") or f"{source}#{number}"
        body = ""
        if entry.get("content"):
            body = entry["content"][0].get("value") or ""
        # Any of these can be present but None in a broken feed.
        body = body or entry.get("summary") or entry.get("description") or ""
        text = _visible_text(body) if "<" in body else body
        text = clean_text(text)
        if not text.strip():
            yield Failure(entry_source, "feed entry has no text (fetch its link with `accordia ingest URL`)",
                          EmptyInput.code)
            continue
        published = None
        # dict.get: feedparser's own get() maps a missing `updated_parsed` to `published_parsed`
        # with a DeprecationWarning when `published_parsed` is present but None.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        if stamp:
            # feedparser gives the time in UTC; `datetime.fromtimestamp` would move the date into
            # the local time zone of whichever machine reads the feed.
            published = date(*stamp[:3])
        title = clean_text(entry.get("title") or "").strip() or None
        if title:
            text = f"{title}\n\n{text}"
        yield Document(source=entry_source, text=text, title=title, published=published, format="feed",
                       url=entry.get("link"))


def read_pdf(data: bytes, source: str) -> Iterator[Document]:
    """A PDF: the text of its pages; encrypted or image-only PDFs are refused with a reason."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        # Many published PDFs are encrypted only to restrict printing or copying, with an empty
        # password for reading; those are read. A real password (or a cipher pypdf cannot do
        # without the `cryptography` package) is refused.
        if reader.is_encrypted and not _decrypt_without_password(reader):
            raise UnsupportedInput(f"{source}: the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:
        # pypdf does not only raise PdfReadError on broken files: also NotImplementedError (an
        # unknown filter or security handler), LimitReachedError, TypeError... All mean "broken".
        raise ParseError(f"{source}: not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    text = clean_text("\n".join(pages))
    if not text.strip():
        raise EmptyInput(f"{source}: the PDF has no text layer (scanned images need OCR first)")
    title = None
    try:
        metadata = reader.metadata
        if metadata is not None and metadata.title:
            title = clean_text(str(metadata.title)).strip() or None
    except Exception:  # a broken document information dictionary costs the title, not the text
        title = None
    yield Document(source=source, text=text, title=title, format="pdf")


def _decrypt_without_password(reader: pypdf.PdfReader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except (pypdf.errors.DependencyError, pypdf.errors.PdfReadError, NotImplementedError):
        return False


def read_jsonl(data: bytes, source: str) -> Iterator[Document | Failure]:
    """JSON lines of `{url, title, published, text}`; a bad line is a failure, the rest go on."""
    text = decode(data, source)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        line_source = f"{source}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Failure(line_source, f"not valid JSON ({exc.msg})", ParseError.code)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or not item["text"].strip():
            yield Failure(line_source, "a line needs a non-empty string `text`", EmptyInput.code)
            continue
        # Fields of the wrong type are dropped: a number as `url` must not become the source.
        title = item.get("title") if isinstance(item.get("title"), str) else None
        url = item.get("url") if isinstance(item.get("url"), str) and item["url"].strip() else None
        yield Document(source=url or line_source, text=clean_text(item["text"]), title=title,
                       published=_parse_date(item.get("published")), format="jsonl", url=url)


def read_bytes(data: bytes, source: str, url: str | None = None) -> Iterator[Document | Failure]:
    """Dispatch `data` to the reader of its format."""
    if not data.strip():
        raise EmptyInput(f"{source}: empty input")
    kind = sniff_format(data, source)
    if kind == "pdf":
        yield from read_pdf(data, source)
    elif kind == "html":
        yield from read_html(data, source, url)
    elif kind == "feed":
        yield from read_feed(data, source)
    elif kind == "jsonl":
        yield from read_jsonl(data, source)
    else:
        yield from read_text(data, source)
