"""Ingest: read files, directories and URLs into `Document`s (or `Failure`s with a reason).

`read_inputs()` walks what the user named, in order, and yields one item per document; bad
inputs become failures and the rest of the batch goes on.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import httpx

from accordia.errors import BlockedURL, FetchError, InputError, InputTooLarge, UnsupportedInput
from accordia.ingest.readers import read_bytes
from accordia.models import Document, Failure

__all__ = ["IngestOptions", "expand_inputs", "fetch_url", "read_inputs", "sample_paths"]

SKIP_SUFFIXES = {".json", ".yaml", ".yml", ".py", ".pyc", ".md"}


@dataclass(frozen=True)
class IngestOptions:
    """Limits and permissions for reading inputs."""

    max_bytes: int = 20_000_000
    timeout: float = 20.0
    allow_private: bool = False
    max_redirects: int = 5


def sample_paths() -> list[Path]:
    """The bundled sample corpus, in a stable order."""
    root = Path(str(resources.files("accordia") / "samples"))
    return sorted(p for p in root.iterdir() if p.is_file() and p.suffix not in SKIP_SUFFIXES)


def expand_inputs(inputs: Iterable[str]) -> Iterator[str]:
    """Each file, URL, and every file below a directory (sorted), in the order given."""
    for item in inputs:
        path = Path(item)
        if "://" not in item and path.is_dir():
            for child in sorted(path.rglob("*")):
                # Hidden directories too (.git, .cache): their files are not reports.
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and child.suffix not in SKIP_SUFFIXES and not hidden:
                    yield str(child)
        else:
            yield item


def read_inputs(inputs: Iterable[str], options: IngestOptions | None = None,
                client: httpx.Client | None = None) -> Iterator[Document | Failure]:
    """Every document in the named files, directories and URLs, or a failure for each bad one."""
    options = options or IngestOptions()
    for source in expand_inputs(inputs):
        try:
            if source.startswith(("http://", "https://")) or "://" in source:
                data, final_url = fetch_url(source, options, client)
                yield from read_bytes(data, source, url=final_url)
            else:
                yield from read_bytes(_read_file(Path(source), options), source)
        except InputError as exc:
            yield Failure(source, str(exc).split("] ", 1)[-1], exc.code)


def _read_file(path: Path, options: IngestOptions) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if not path.is_file():
        # A FIFO or device would block or never end; only regular files are read.
        raise UnsupportedInput(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > options.max_bytes:
        raise InputTooLarge(f"{path}: {size:,} bytes is over the limit of {options.max_bytes:,}")
    try:
        return path.read_bytes()
    except OSError as exc:  # unreadable (permissions, I/O error): a failure, not a crashed batch
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None


def check_url(url: str, allow_private: bool) -> None:
    """Refuse non-http(s) schemes and, unless allowed, hosts on private or loopback addresses."""
    try:
        # urlparse and .port raise ValueError on "http://[::1" or "http://host:99999/".
        parsed = urlparse(url)
        port = parsed.port
    except ValueError as exc:
        raise BlockedURL(f"{url}: malformed URL ({exc})") from None
    if parsed.scheme not in {"http", "https"}:
        raise BlockedURL(f"{url}: only http and https URLs are fetched")
    if not parsed.hostname:
        raise BlockedURL(f"{url}: no host name")
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parsed.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"{url}: cannot resolve host ({exc.strerror})") from None
    except UnicodeError:  # a host name IDNA cannot encode (an empty or 64+ character label)
        raise BlockedURL(f"{url}: malformed host name") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise BlockedURL(f"{url}: resolves to the non-public address {address} "
                             "(use --allow-private to permit it)")


def fetch_url(url: str, options: IngestOptions, client: httpx.Client | None = None) -> tuple[bytes, str]:
    """Download a URL within the size, time and redirect limits; returns (body, final URL)."""
    own_client = client is None
    http = client or httpx.Client(timeout=options.timeout, follow_redirects=False,
                                  headers={"User-Agent": "Accordia/0.1 (+https://github.com/accordia)"})
    try:
        current = url
        for _ in range(options.max_redirects + 1):
            check_url(current, options.allow_private)
            # Never let the client follow redirects itself: each hop must pass check_url.
            with http.stream("GET", current, follow_redirects=False) as response:
                if response.is_redirect:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(f"{url}: redirect without a location")
                    current = str(response.url.join(location))
                    continue
                if response.status_code >= 400:
                    raise FetchError(f"{url}: the server answered HTTP {response.status_code}")
                chunks = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > options.max_bytes:
                        raise InputTooLarge(f"{url}: more than {options.max_bytes:,} bytes")
                    chunks.append(chunk)
                return b"".join(chunks), str(response.url)
        raise FetchError(f"{url}: more than {options.max_redirects} redirects")
    except httpx.TimeoutException:
        raise FetchError(f"{url}: timed out after {options.timeout:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL is no HTTPError
        raise FetchError(f"{url}: {exc.__class__.__name__}: {exc}") from None
    finally:
        if own_client:
            http.close()
