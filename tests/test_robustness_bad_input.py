"""Bad input, end to end: a batch mixing good reports with every kind of bad one.

Each bad input gets one line naming it, the reason and a stable code; it is recorded as a failure
of the run (`accordia failures`); the good inputs of the same batch are stored. Exit codes: 0 all
good, 1 some inputs failed, 2 usage error — through Typer's runner and a real process alike.

How each reader treats one bad input in detail is in tests/test_ingest_readers.py and
tests/test_ingest_inputs.py; this file is about what a user running a batch sees.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
from fpdf import FPDF
from typer.testing import CliRunner

from accordia.cli import app
from accordia.ingest import sample_paths
from accordia.store import Store
from tests.fixtures.robustness.support import cli, local_site

INGEST_FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
GOOD_SAMPLE = next(p for p in sample_paths() if p.name.startswith("ap01_"))


@dataclass(frozen=True)
class Bad:
    """A bad input and what its failure must say."""

    name: str
    code: str
    words: str  # a phrase the reason must contain


def pdf_bytes(text: str = "") -> bytes:
    """A one-page PDF; without text it is a page with no text layer (a scan, as far as we know)."""
    pdf = FPDF()
    pdf.add_page()
    if text:
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    """A PDF that needs a password to be read (RC4 needs no extra package in pypdf)."""
    writer = pypdf.PdfWriter()
    writer.append(pypdf.PdfReader(io.BytesIO(pdf_bytes("The protocol of the commission."))))
    writer.encrypt(user_password="reader-password", owner_password="owner-password", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


BAD_FILES = [
    Bad("binary.dat", "E101", "binary content"),
    Bad("empty.txt", "E102", "empty input"),
    Bad("huge.txt", "E103", "over the limit"),
    Bad("no-body.html", "E102", "no readable text"),
    Bad("nested.html", "E106", "nested more than"),
    Bad("many-tags.html", "E106", "elements"),
    Bad("broken.rss", "E106", "not a readable RSS/Atom feed"),
    Bad("encrypted.pdf", "E101", "encrypted"),
    Bad("scan.pdf", "E102", "no text layer"),
]
BAD_URLS = [
    Bad("/slow", "E104", "timed out"),
    Bad("/loop", "E104", "redirects"),
    Bad("/error", "E104", "HTTP 500"),
]
GOOD_FILES = ["good.txt", "russian-cp1251.txt", "french-latin1.txt", "invalid-utf8.txt"]


def write_batch(directory: Path) -> None:
    """Good and bad inputs side by side; big and binary ones are generated here, not committed."""
    directory.mkdir()
    shutil.copyfile(GOOD_SAMPLE, directory / "good.txt")
    shutil.copyfile(INGEST_FIXTURES / "report_cp1251.txt", directory / "russian-cp1251.txt")
    shutil.copyfile(INGEST_FIXTURES / "report_latin1.txt", directory / "french-latin1.txt")
    # English with a stray byte that is not UTF-8: read through the legacy fallback, not refused.
    (directory / "invalid-utf8.txt").write_bytes(
        b"The energy ministers of Norway and Germany met in Oslo on 5 June 2024 \xff\xfe to discuss "
        b"offshore wind.\n")
    (directory / "binary.dat").write_bytes(b"\x7fELF\x02\x01\x01\x00" + random.Random(1).randbytes(4096))
    (directory / "empty.txt").write_bytes(b"")
    with (directory / "huge.txt").open("wb") as handle:  # 50 MB, over the 20 MB default limit
        line = b"Energy cooperation between two states, reported at length.\n"
        chunk = line * (1_000_000 // len(line) + 1)
        for _ in range(50):
            handle.write(chunk[:1_000_000])
    (directory / "no-body.html").write_bytes(b"<html><head><title>Only a title</title></head></html>")
    (directory / "nested.html").write_bytes(b"<html><body>" + b"<div>" * 1_000_000 + b"deep text")
    (directory / "many-tags.html").write_bytes(b"<html><body>" + b"<br>" * 1_000_000 + b"text")
    (directory / "broken.rss").write_bytes(b"<?xml version='1.0'?><rss version='2.0'><channel><<<>>></rss>")
    (directory / "encrypted.pdf").write_bytes(encrypted_pdf())
    (directory / "scan.pdf").write_bytes(pdf_bytes())


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bad") / "batch"
    write_batch(directory)
    return directory


def test_a_batch_of_bad_inputs_fails_each_with_one_line_and_stores_the_rest(batch: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    with local_site(slow_seconds=10) as site:
        urls = [site.url(bad.name) for bad in BAD_URLS]
        started = time.monotonic()
        result = cli("ingest", str(batch), *urls, site.url("/good.html"), "--allow-private", "--db", db,
                     cwd=tmp_path, env={"ACCORDIA_FETCH_TIMEOUT": "1"})
        elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert elapsed < 60, f"a bad input held the batch up: {elapsed:.0f} s"

    expected = {str(batch / bad.name): bad for bad in BAD_FILES} | {
        url: bad for url, bad in zip(urls, BAD_URLS, strict=True)}
    lines = [line for line in result.stderr.splitlines() if line.startswith("failed ")]
    assert len(lines) == len(expected), result.stderr
    for source, bad in expected.items():
        [line] = [line for line in lines if line.startswith(f"failed {source}: ")]
        assert bad.words in line and line.endswith(f"[{bad.code}]"), line
    assert f"failed {len(expected)}" in result.stderr

    listed = cli("failures", "--db", db, "--format", "json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    failures = {row["source"]: row for row in json.loads(listed.stdout)}
    assert set(failures) == set(expected)
    for source, bad in expected.items():
        assert failures[source]["code"] == bad.code
        assert bad.words in failures[source]["reason"]

    store = Store.open(db)
    try:
        stored = {row.source: row for row in store.documents()}
    finally:
        store.close()
    assert set(stored) == {str(batch / name) for name in GOOD_FILES} | {site.url("/good.html")}
    # Legacy encodings are read, not refused: the text is what was written.
    assert "Министр энергетики России" in stored[str(batch / "russian-cp1251.txt")].text
    assert "Genève" in stored[str(batch / "french-latin1.txt")].text
    assert stored[str(batch / "invalid-utf8.txt")].record["countries"] == ["DE", "NO"]


@pytest.mark.parametrize(("name", "language"), [("russian-cp1251.txt", "ru"), ("french-latin1.txt", "fr")])
def test_non_english_reports_are_stored_with_their_language_and_an_empty_record(
        batch: Path, tmp_path: Path, name: str, language: str) -> None:
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    result = CliRunner().invoke(app, ["ingest", str(batch / name), "--db", db])
    assert result.exit_code == 0, result.output
    store = Store.open(db)
    try:
        [document] = store.documents()
        summary = store.summary()
    finally:
        store.close()
    assert document.language == document.record["language"] == language
    assert all(document.record[field] == [] for field in
               ("countries", "organizations", "persons", "events", "agreements", "topics"))
    assert (summary.events, summary.agreements, summary.persons) == (0, 0, 0)


def test_a_loopback_url_is_refused_without_allow_private_and_never_requested(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    with local_site() as site:
        result = CliRunner().invoke(app, ["ingest", site.url("/good.html"), "--db", db])
        assert site.hits == []
    assert result.exit_code == 1
    assert "non-public address 127.0.0.1" in result.output and "[E105]" in result.output


# --- exit codes --------------------------------------------------------------------------------


EXIT_CASES = [
    pytest.param(["ingest", "{good}"], 0, id="all-good"),
    pytest.param(["ingest", "{good}", "{bad}"], 1, id="some-failed"),
    pytest.param(["ingest", "{bad}"], 1, id="all-failed"),
    pytest.param(["ingest"], 2, id="no-inputs"),
    pytest.param(["ingest", "{good}", "--no-such-option"], 2, id="unknown-option"),
    pytest.param(["ingest", "{good}", "--min-confidence", "high"], 2, id="bad-option-value"),
    pytest.param(["events", "--since", "yesterday"], 2, id="bad-date"),
    pytest.param(["no-such-command"], 2, id="unknown-command"),
]


def exit_args(args: list[str], tmp_path: Path) -> list[str]:
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)))
    filled = [a.format(good=GOOD_SAMPLE, bad=bad) for a in args]
    if filled[0] in {"ingest", "events"}:
        filled += ["--db", f"sqlite:///{tmp_path / 'kb.db'}"]
    return filled


@pytest.mark.parametrize(("args", "code"), EXIT_CASES)
def test_exit_codes_through_typers_runner(tmp_path: Path, args: list[str], code: int) -> None:
    result = CliRunner().invoke(app, exit_args(args, tmp_path))
    assert result.exit_code == code, result.output


# A real process costs a second or two of start-up: one case per code, and the usage errors.
@pytest.mark.parametrize(("args", "code"), [case for case in EXIT_CASES
                                            if case.id in {"all-good", "some-failed", "no-inputs", "unknown-option"}])
def test_exit_codes_of_a_real_process(tmp_path: Path, args: list[str], code: int) -> None:
    process = cli(*exit_args(args, tmp_path), cwd=tmp_path)
    assert process.returncode == code, process.stderr
    assert "Traceback" not in process.stderr
