"""The ingest readers, one format at a time: what goes in and the documents that come out."""

from __future__ import annotations

import io
import os
import time
from datetime import date
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF

from accordia.errors import EmptyInput, InputError, ParseError, UnsupportedInput
from accordia.ingest import read_inputs
from accordia.ingest.readers import read_bytes, read_html, sniff_format
from accordia.models import Document, Failure

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def read(data: bytes, name: str) -> list[Document | Failure]:
    return list(read_bytes(data, name))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def make_pdf(text: str = "", title: str | None = None) -> bytes:
    """A one-page PDF with `text` in Helvetica (empty text: a page with no text layer)."""
    pdf = FPDF()
    pdf.add_page()
    if title:
        pdf.set_title(title)
    if text:
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


# --- plain text --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("report_utf8.txt", "energy ministers of Kazakhstan and Uzbekistan"),
    ("report_utf8_bom.txt", "On 14 March 2024 the energy ministers"),
    ("report_cp1251.txt", "Министр энергетики России встретился с коллегой из Казахстана"),
    ("report_latin1.txt", "Le ministre de l'Énergie a signé un accord à Genève"),
])
def test_plain_text_is_decoded(name: str, expected: str) -> None:
    [document] = read(fixture(name), name)
    assert document.format == "text"
    assert document.source == name
    assert expected in document.text
    assert "\ufeff" not in document.text  # the BOM is not part of the text
    assert "\ufffd" not in document.text  # nothing replaced


@pytest.mark.parametrize(("raw", "expected"), [
    # Short legacy-encoded texts: too little for a statistical guess, still read as people wrote them.
    ("Café".encode("latin-1"), "Café"),
    ("Genève, très détaillé".encode("latin-1"), "Genève, très détaillé"),
    ("Москва".encode("cp1251"), "Москва"),
    ("Große Übereinkunft in Düsseldorf".encode("cp1252"), "Große Übereinkunft in Düsseldorf"),
    ("The minister said \u201cyes\u201d \u2014 it\u2019s agreed.".encode("cp1252"),
     "The minister said \u201cyes\u201d \u2014 it\u2019s agreed."),
])
def test_short_legacy_texts_are_decoded(raw: bytes, expected: str) -> None:
    [document] = read(raw, "short.txt")
    assert document.text == expected


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_with_a_byte_order_mark_is_text_not_binary(codec: str) -> None:
    text = "Oman and India signed an LNG agreement."
    raw = text.encode(codec)
    if codec != "utf-16":  # the plain codec writes its own BOM
        raw = "\ufeff".encode(codec) + raw
    [document] = read(raw, "report.txt")
    assert document.text == text


def test_line_ends_are_normalised_and_control_characters_dropped() -> None:
    # A stray bell or escape in a long enough text is dropped (a text full of them is binary).
    raw = b"The first line of the report\r\nthe second line\rthe third\x07 line\x1b\n"
    [document] = read(raw, "a.txt")
    assert document.text == "The first line of the report\nthe second line\nthe third line\n"


def test_text_is_nfc_normalised() -> None:
    [document] = read("Gene\u0300ve".encode(), "a.txt")  # e + combining grave
    assert document.text == "Genève"


def test_whitespace_only_text_is_empty() -> None:
    with pytest.raises(EmptyInput):
        read(b" \n\t\r\n ", "blank.txt")


# --- HTML --------------------------------------------------------------------------------------


def test_html_article_keeps_the_main_text_and_drops_menus() -> None:
    [document] = read(fixture("article.html"), "article.html")
    assert document.format == "html"
    assert "signed a memorandum of understanding" in document.text
    assert "intergovernmental commission" in document.text
    for boilerplate in ("Homepage link", "Latest news menu", "Contact the editors", "Copyright"):
        assert boilerplate not in document.text


def test_html_title_and_date_come_from_meta_tags() -> None:
    [document] = read(fixture("article.html"), "article.html")
    assert document.title == "Kazakhstan and Uzbekistan sign power accord"
    assert document.published == date(2024, 3, 14)


def test_html_url_is_kept() -> None:
    [document] = read_html(fixture("article.html"), "article.html", url="https://news.example.org/a")
    assert document.url == "https://news.example.org/a"


def test_short_html_page_falls_back_to_visible_text_without_menus() -> None:
    page = b"""<html><head><title>Oslo talks</title>
    <meta property="article:published_time" content="2024-06-05"></head>
    <body><nav><a href="/">Home menu</a></nav><p>Norway and Germany met in Oslo.</p>
    <footer>Copyright footer</footer></body></html>"""
    [document] = read(page, "short.html")
    assert document.text == "Norway and Germany met in Oslo."
    assert document.title == "Oslo talks"
    assert document.published == date(2024, 6, 5)


def test_html_with_an_odd_meta_date_is_read_without_warnings() -> None:
    page = fixture("article.html").replace(b"2024-03-14T09:00:00Z", b"2024-03-14T09:00:00B")
    [document] = read(page, "article.html")  # dateutil's UnknownTimezoneWarning stays quiet
    assert document.published == date(2024, 3, 14)


def test_html_with_only_scripts_is_empty() -> None:
    with pytest.raises(EmptyInput):
        read(b"<html><body><script>var x = 1;</script></body></html>", "scripts.html")


# --- feeds -------------------------------------------------------------------------------------


def test_rss_feed_gives_one_document_per_entry() -> None:
    items = read(fixture("feed_rss.xml"), "feed_rss.xml")
    assert [type(item) for item in items] == [Document, Document, Failure]
    gregy, pipeline, empty = items
    assert isinstance(gregy, Document) and isinstance(pipeline, Document)
    assert gregy.title == "Egypt and Greece agree on GREGY interconnector"
    assert gregy.published == date(2024, 6, 3)
    assert gregy.url == gregy.source == "https://news.example.org/gregy"
    assert gregy.format == "feed"
    assert gregy.text.startswith("Egypt and Greece agree on GREGY interconnector\n\n")
    assert "signed an agreement on the GREGY subsea cable." in gregy.text
    assert "<p>" not in gregy.text
    assert pipeline.published == date(2023, 3, 18)
    assert isinstance(empty, Failure)
    assert empty.source == "https://news.example.org/empty"
    assert empty.code == EmptyInput.code


def test_atom_feed_gives_one_document_per_entry() -> None:
    document, failure = read(fixture("feed_atom.xml"), "feed_atom.xml")
    assert isinstance(document, Document)
    assert document.title == "Turkey and Azerbaijan discuss gas supplies"
    assert document.published == date(2024, 5, 1)  # published, not updated
    assert document.url == "https://news.example.org/tr-az"
    assert "discussed gas supplies in Baku." in document.text
    assert failure == Failure("https://news.example.org/nothing", failure.reason, "E102")


def test_feed_entry_without_a_link_is_named_by_its_position() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>First</title><description>Some text.</description></item>
    <item><title>Second</title><description>More text.</description></item></channel></rss>"""
    first, second = read(feed, "feed.xml")
    assert (first.source, second.source) == ("feed.xml#1", "feed.xml#2")


def test_feed_without_entries_is_empty() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>"""
    with pytest.raises(EmptyInput):
        read(feed, "feed.xml")


@pytest.fixture(params=["Etc/GMT-14", "Etc/GMT+12"])
def far_timezone(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Run the test in a time zone far from UTC (POSIX sign: GMT-14 is UTC+14)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.mark.parametrize(("stamp", "expected"), [
    ("Mon, 03 Jun 2024 23:30:00 GMT", date(2024, 6, 3)),
    ("Mon, 03 Jun 2024 00:30:00 GMT", date(2024, 6, 3)),
])
def test_feed_dates_do_not_depend_on_the_machine_time_zone(far_timezone: str, stamp: str,
                                                           expected: date) -> None:
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Entry</title><pubDate>{stamp}</pubDate><description>Text.</description></item>
    </channel></rss>""".encode()
    [document] = read(feed, "feed.xml")
    assert document.published == expected


def test_feed_title_is_cleaned_like_the_text() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Line&#13;break</title><description>Body.</description></item></channel></rss>"""
    [document] = read(feed, "feed.xml")
    assert "\r" not in document.text


def test_feed_entry_with_an_unreadable_date_has_no_date() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>Entry</title><pubDate>not a date</pubDate><description>Text.</description></item>
    </channel></rss>"""
    [document] = read(feed, "feed.xml")  # and no DeprecationWarning from feedparser
    assert document.published is None


def test_feed_entry_whose_fields_are_none_is_a_failure_not_a_crash() -> None:
    # The unclosed <title> swallows the content; feedparser leaves `summary` set to None.
    feed = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
    <entry><title>Turkey and Azerbaijan discuss<id>urn:a</id>
    <content type="html">&lt;p&gt;Gas supplies.&lt;/p&gt;</content></entry></feed>"""
    [failure] = read(feed, "feed.xml")
    assert failure == Failure("feed.xml#1", failure.reason, "E102")


def test_feed_with_a_character_reference_feedparser_cannot_encode_is_a_parse_error() -> None:
    feed = b"""<?xml version='1.0'?><rss><channel><item><description>&#xD800;</description>
    </item></channel></rss>"""
    with pytest.raises(ParseError):
        read(feed, "feed.xml")


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_text_and_title_are_extracted() -> None:
    data = make_pdf("The ministers of Egypt and Greece signed an agreement on the GREGY "
                    "interconnector.", title="GREGY agreement")
    [document] = read(data, "report.pdf")
    assert document.format == "pdf"
    assert document.title == "GREGY agreement"
    assert "signed an agreement on the GREGY" in " ".join(document.text.split())


def test_pdf_is_recognised_by_its_bytes_whatever_the_name() -> None:
    [document] = read(make_pdf("Hydrogen cooperation."), "download")
    assert document.format == "pdf"


def test_encrypted_pdf_is_unsupported() -> None:
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(make_pdf("Secret protocol."))))
    writer.encrypt("owner-password", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(UnsupportedInput, match="encrypted") as info:
        read(buffer.getvalue(), "secret.pdf")
    assert info.value.code == "E101"


def pypdf_blank_page() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_encrypted_only_against_copying_is_read() -> None:
    # An empty user password: any reader opens it; only printing or copying is restricted.
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(make_pdf("Joint statement on LNG supplies."))))
    writer.encrypt(user_password="", owner_password="owner-password", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    [document] = read(buffer.getvalue(), "statement.pdf")
    assert document.text == "Joint statement on LNG supplies."


@pytest.mark.parametrize("data", [make_pdf(""), pypdf_blank_page()], ids=["fpdf", "pypdf"])
def test_pdf_without_text_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyInput, match="no text layer") as info:
        read(data, "scan.pdf")
    assert info.value.code == "E102"


@pytest.mark.parametrize("data", [
    b"%PDF-1.4\nnot really a pdf",
    make_pdf("Cut short in the middle of the file.")[:400],
    b"%PDF-1.7\n" + bytes(range(1, 256)) * 4,
    # pypdf raises NotImplementedError for an unknown stream filter, not PdfReadError.
    make_pdf("A page compressed with a filter nobody knows.").replace(b"/FlateDecode", b"/FlateDecoX"),
], ids=["garbage", "truncated", "noise", "unknown-filter"])
def test_broken_pdf_is_a_parse_error(data: bytes) -> None:
    with pytest.raises(InputError) as info:
        read(data, "broken.pdf")
    assert info.value.code in {"E101", "E102", "E106"}


# --- JSONL -------------------------------------------------------------------------------------


def test_jsonl_lines_become_documents_and_bad_lines_failures() -> None:
    items = read(fixture("records.jsonl"), "records.jsonl")
    assert [type(item) for item in items] == [Document, Failure, Failure, Document]
    first, broken, textless, last = items
    assert first == Document(source="https://news.example.org/1",
                             text="Oman and India signed a long-term LNG supply agreement.",
                             title="Oman and India sign LNG deal", published=date(2024, 2, 1),
                             format="jsonl", url="https://news.example.org/1")
    assert broken == Failure("records.jsonl:2", broken.reason, ParseError.code)
    assert "not valid JSON" in broken.reason
    assert textless == Failure("records.jsonl:3", textless.reason, EmptyInput.code)
    # A line without a URL is named by its line number (line 4 is blank and skipped).
    assert last.source == "records.jsonl:5"
    assert last.published == date(2023, 11, 20)


@pytest.mark.parametrize("line", [
    b'{"text": "   "}',
    b'{"text": 42}',
    b'["text", "a list"]',
    b'"just a string"',
    b"null",
])
def test_jsonl_line_without_text_is_a_failure(line: bytes) -> None:
    [failure] = read(line + b"\n", "items.jsonl")
    assert failure == Failure("items.jsonl:1", "a line needs a non-empty string `text`", "E102")


@pytest.mark.parametrize("fields", [
    b'"url": 5, "title": ["x"], "published": {"y": 1}',
    b'"url": null, "title": null, "published": 2024',
    b'"url": "", "title": 3.5, "published": "not a date"',
])
def test_jsonl_odd_field_types_are_ignored_not_copied(fields: bytes) -> None:
    [document] = read(b'{"text": "Some text.", ' + fields + b"}\n", "items.jsonl")
    assert document.source == "items.jsonl:1"
    assert document.url is None
    assert document.title is None
    assert document.published is None


# --- format sniffing ---------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "name", "expected"), [
    (b"%PDF-1.7 ...", "x.txt", "pdf"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>", "x", "html"),
    (b"<?xml version='1.0'?><rss version='2.0'>", "x", "feed"),
    (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'>", "x", "feed"),
    (b"<?xml version='1.0'?><html><body>", "x", "html"),
    (b'{"text": "a"}\n', "x", "jsonl"),
    (b"anything", "x.ndjson", "jsonl"),
    (b"anything", "page.HTM", "html"),
    (b"anything", "feed.atom", "feed"),
    (b"Plain words.", "notes", "text"),
])
def test_sniff_format(data: bytes, name: str, expected: str) -> None:
    assert sniff_format(data, name) == expected


# --- directories -------------------------------------------------------------------------------


def test_directory_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    files = {
        "b.txt": "Second report.",
        "a.txt": "First report.",
        "sub/c.txt": "Third report.",
        "sub/deeper/d.html": "<html><body><p>Fourth report.</p></body></html>",
        "z.json": '{"skipped": true}',
        "sub/notes.md": "# skipped",
        "sub/config.yaml": "skipped: true",
        "sub/config.yml": "skipped: true",
        ".hidden.txt": "Skipped hidden file.",
        ".git/objects/info.txt": "Skipped: inside a hidden directory.",
        "sub/.cache/x.txt": "Skipped: inside a hidden directory.",
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    items = list(read_inputs([str(tmp_path)]))
    assert [Path(item.source).relative_to(tmp_path).as_posix() for item in items] == [
        "a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.html"]
    assert [item.text for item in items if isinstance(item, Document)] == [
        "First report.", "Second report.", "Third report.", "Fourth report."]
