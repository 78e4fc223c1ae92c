"""Bad inputs through `read_inputs`, and the URL guard and fetcher (no network: a mock transport)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import httpx
import pytest

from accordia.errors import BlockedURL, FetchError, InputTooLarge
from accordia.extract import extract
from accordia.ingest import IngestOptions, check_url, fetch_url, read_inputs
from accordia.models import Document, Failure

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PUBLIC = "http://93.184.216.34"  # an address literal: check_url needs no DNS to call it public
PAGE = (b"<html><head><title>Oslo talks</title></head><body>"
        b"<p>The energy ministers of Norway and Germany met in Oslo.</p></body></html>")


def read_one(path: Path | str, options: IngestOptions | None = None) -> Document | Failure:
    [item] = list(read_inputs([str(path)], options))
    return item


def binary_bytes(size: int = 4096) -> bytes:
    noise = random.Random(7).randbytes(size)
    return b"\x00\x01\x02" + noise  # NULs guaranteed


# --- bad files ---------------------------------------------------------------------------------


def test_binary_file_is_unsupported_and_named(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(binary_bytes())
    failure = read_one(path)
    assert isinstance(failure, Failure)
    assert failure.code == "E101"
    assert failure.source == str(path)
    assert str(path) in failure.reason
    assert "binary" in failure.reason


@pytest.mark.parametrize("name", ["empty.txt", "empty.html", "empty.pdf", "empty.jsonl", "empty.xml"])
def test_zero_byte_file_is_empty(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert read_one(path) == Failure(str(path), f"{path}: empty input", "E102")


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Energy cooperation. " * 250, encoding="utf-8")  # 5,000 bytes
    failure = read_one(path, IngestOptions(max_bytes=1000))
    assert isinstance(failure, Failure)
    assert failure.code == "E103"
    assert "5,000 bytes is over the limit of 1,000" in failure.reason


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "report.txt"
    failure = read_one(path)
    assert isinstance(failure, Failure)
    assert failure.code.startswith("E1")
    assert "no such file" in failure.reason


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "reports.txt"
    os.mkfifo(pipe)
    failure = read_one(pipe)
    assert isinstance(failure, Failure)
    assert failure.code == "E101"
    assert "not a regular file" in failure.reason


def test_unreadable_file_is_a_failure_not_a_crash(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Secret.", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    failure = read_one(path)
    assert isinstance(failure, Failure)
    assert "Permission denied" in failure.reason


@pytest.mark.parametrize("depth", [300, 4_000, 100_000])
def test_deeply_nested_html_is_refused_quickly(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.html"
    path.write_bytes(b"<html><body>" + b"<div>" * depth + b"<p>Hidden text.</p>")
    started = time.perf_counter()
    failure = read_one(path)
    assert time.perf_counter() - started < 5
    assert isinstance(failure, Failure)
    assert failure.code == "E106"


def test_html_nested_a_little_is_read(tmp_path: Path) -> None:
    path = tmp_path / "nested.html"
    path.write_bytes(b"<html><body>" + b"<div>" * 200 + b"<p>Norway and Germany met.</p>"
                     + b"</div>" * 200 + b"</body></html>")
    document = read_one(path)
    assert isinstance(document, Document)
    assert document.text == "Norway and Germany met."


@pytest.mark.parametrize("feed", [
    b"<rss><channel><item><title>cut off",
    b"<?xml version='1.0'?><rss version='2.0'><channel><item>",
    b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x</title>",
    b"<?xml version='1.0'?><rss><channel><item><description>&bogus;&#xD800;</description></item>",
    b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
    b"<rss><channel><item><title>&b;</title><description>&b;&b;</description></item></channel></rss>",
    b"<?xml version='1.0'?><rss version='2.0'><channel></channel></rss>",
    b"<?xml version='1.0' encoding='klingon'?><rss><channel><item><title>T</title>"
    b"<description>Text.</description></item></channel></rss>",
], ids=["cut-off", "empty-item", "atom-cut-off", "bad-entities", "entity-expansion", "no-items",
        "unknown-encoding"])
def test_malformed_feed_gives_failures_or_documents_never_an_exception(tmp_path: Path,
                                                                       feed: bytes) -> None:
    path = tmp_path / "feed.xml"
    path.write_bytes(feed)
    items = list(read_inputs([str(path)]))
    assert items
    assert all(isinstance(item, Document | Failure) for item in items)
    for item in items:
        if isinstance(item, Document):
            assert item.text.strip()
        else:
            assert item.code.startswith("E1")


@pytest.mark.parametrize(("name", "language"), [
    ("report_cp1251.txt", "ru"),
    ("report_latin1.txt", "fr"),
])
def test_non_english_text_is_a_document_with_an_empty_record(name: str, language: str) -> None:
    document = read_one(FIXTURES / name)
    assert isinstance(document, Document)
    record = extract(document)
    assert record.language == language != "en"
    assert record.countries == record.organizations == record.persons == ()
    assert record.events == record.agreements == record.topics == ()


def test_batch_yields_good_documents_and_failures_in_order(tmp_path: Path) -> None:
    (tmp_path / "1-good.txt").write_text("Oman and India signed an LNG deal.", encoding="utf-8")
    (tmp_path / "2-empty.txt").write_bytes(b"")
    (tmp_path / "3-binary.txt").write_bytes(binary_bytes())
    (tmp_path / "4-page.html").write_bytes(PAGE)
    inputs = [
        str(tmp_path / "1-good.txt"),
        str(tmp_path / "missing.txt"),
        str(tmp_path / "2-empty.txt"),
        str(FIXTURES / "feed_rss.xml"),
        str(tmp_path / "3-binary.txt"),
        "file:///etc/passwd",
        str(tmp_path / "4-page.html"),
    ]
    items = list(read_inputs(inputs))
    summary = [(type(item).__name__, item.code if isinstance(item, Failure) else item.format)
               for item in items]
    assert summary == [
        ("Document", "text"),
        ("Failure", "E100"),
        ("Failure", "E102"),
        ("Document", "feed"), ("Document", "feed"), ("Failure", "E102"),
        ("Failure", "E101"),
        ("Failure", "E105"),
        ("Document", "html"),
    ]
    assert items[0].source == inputs[0]
    assert items[-1].source == inputs[-1]


# --- the URL guard -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "ftp://example.org/report.txt",
    "javascript:alert(1)",
    "data:text/html,<p>hi</p>",
    "gopher://example.org/",
    "http:///no-host",
    "http://[::1",  # malformed: unbalanced bracket
    "http://example.org:99999/",  # malformed: port out of range
])
@pytest.mark.parametrize("allow_private", [False, True])
def test_check_url_refuses_other_schemes_and_malformed_urls(url: str, allow_private: bool) -> None:
    with pytest.raises(BlockedURL) as info:
        check_url(url, allow_private=allow_private)
    assert info.value.code == "E105"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/",
    "http://localhost/",
    "http://10.0.0.5/",
    "http://192.168.1.1/admin",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://0x7f000001/",  # 127.0.0.1 spelled in hex
    "https://0.0.0.0:8443/",
])
def test_check_url_refuses_private_addresses_unless_allowed(url: str) -> None:
    with pytest.raises(BlockedURL, match="non-public address"):
        check_url(url, allow_private=False)
    check_url(url, allow_private=True)  # no exception


def test_check_url_accepts_a_public_address() -> None:
    check_url(f"{PUBLIC}/report.html", allow_private=False)


def test_check_url_refuses_a_host_name_that_cannot_be_encoded() -> None:
    with pytest.raises(BlockedURL, match="malformed host"):
        check_url("http://" + "a" * 64 + ".example/", allow_private=False)


# --- fetching through a mock transport ---------------------------------------------------------


def client_for(handler) -> httpx.Client:  # type: ignore[no-untyped-def]
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_good_page_becomes_a_document_with_its_url() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=PAGE, headers={"content-type": "text/html"})

    url = f"{PUBLIC}/news/oslo"
    with client_for(handler) as client:
        [document] = list(read_inputs([url], client=client))
    assert isinstance(document, Document)
    assert document.url == document.source == url
    assert document.text == "The energy ministers of Norway and Germany met in Oslo."


def test_fake_host_is_fetched_when_private_hosts_are_allowed() -> None:
    # allow_private skips DNS, so a host that does not exist can be served by the mock.
    with client_for(lambda request: httpx.Response(200, content=PAGE)) as client:
        body, final = fetch_url("http://reports.invalid/a", IngestOptions(allow_private=True), client)
    assert (body, final) == (PAGE, "http://reports.invalid/a")


def test_server_error_is_a_fetch_error() -> None:
    with client_for(lambda request: httpx.Response(500)) as client, \
            pytest.raises(FetchError, match="HTTP 500") as info:
        fetch_url(f"{PUBLIC}/down", IngestOptions(), client)
    assert info.value.code == "E104"


def test_server_error_in_a_batch_is_a_failure() -> None:
    with client_for(lambda request: httpx.Response(404)) as client:
        [failure] = list(read_inputs([f"{PUBLIC}/gone"], client=client))
    assert failure == Failure(f"{PUBLIC}/gone", f"{PUBLIC}/gone: the server answered HTTP 404", "E104")


def test_redirect_loop_is_a_fetch_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        target = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"location": target})

    with client_for(handler) as client, pytest.raises(FetchError, match="redirects") as info:
        fetch_url(f"{PUBLIC}/a", IngestOptions(max_redirects=3), client)
    assert "more than 3 redirects" in str(info.value)


def test_redirect_is_followed_and_the_final_url_kept() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return httpx.Response(301, headers={"location": "/new"})
        return httpx.Response(200, content=PAGE)

    with client_for(handler) as client:
        [document] = list(read_inputs([f"{PUBLIC}/old"], client=client))
    assert isinstance(document, Document)
    assert document.url == f"{PUBLIC}/new"


@pytest.mark.parametrize("follow_redirects", [False, True])
def test_redirect_to_a_private_address_is_blocked(follow_redirects: bool) -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        if request.url.host == "93.184.216.34":
            return httpx.Response(302, headers={"location": "http://127.0.0.1/admin"})
        return httpx.Response(200, content=b"internal secrets")

    # Even a client that follows redirects on its own must not reach the private address.
    client = httpx.Client(transport=httpx.MockTransport(handler), follow_redirects=follow_redirects)
    with client, pytest.raises(BlockedURL):
        fetch_url(f"{PUBLIC}/start", IngestOptions(), client)
    assert requested == [f"{PUBLIC}/start"]


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x"])
def test_redirect_to_another_scheme_is_blocked(location: str) -> None:
    with client_for(lambda request: httpx.Response(302, headers={"location": location})) as client, \
            pytest.raises(BlockedURL):
        fetch_url(f"{PUBLIC}/start", IngestOptions(), client)


@pytest.mark.parametrize("streamed", [False, True])
def test_body_over_the_size_limit_is_refused(streamed: bool) -> None:
    body = b"<p>" + b"x" * 5000 + b"</p>"

    def handler(request: httpx.Request) -> httpx.Response:
        if streamed:  # no Content-Length: the limit must hold while reading
            return httpx.Response(200, content=iter([body[:2000], body[2000:]]))
        return httpx.Response(200, content=body)

    with client_for(handler) as client, pytest.raises(InputTooLarge) as info:
        fetch_url(f"{PUBLIC}/big", IngestOptions(max_bytes=1000), client)
    assert info.value.code == "E103"


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectTimeout])
def test_timeout_is_a_fetch_error(error: type[httpx.TimeoutException]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("timed out", request=request)

    with client_for(handler) as client, pytest.raises(FetchError, match="timed out") as info:
        fetch_url(f"{PUBLIC}/slow", IngestOptions(timeout=2), client)
    assert info.value.code == "E104"


def test_connection_error_is_a_fetch_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with client_for(handler) as client, pytest.raises(FetchError, match="ConnectError"):
        fetch_url(f"{PUBLIC}/refused", IngestOptions(), client)


def test_fetched_binary_body_is_a_failure() -> None:
    with client_for(lambda request: httpx.Response(200, content=binary_bytes())) as client:
        [failure] = list(read_inputs([f"{PUBLIC}/file.bin"], client=client))
    assert isinstance(failure, Failure)
    assert failure.code == "E101"


def test_fetched_feed_gives_one_document_per_entry() -> None:
    feed = (FIXTURES / "feed_rss.xml").read_bytes()
    with client_for(lambda request: httpx.Response(200, content=feed)) as client:
        items = list(read_inputs([f"{PUBLIC}/rss"], client=client))
    assert [type(item) for item in items] == [Document, Document, Failure]
