"""Arbitrary and hostile input: the readers and the extractor fail politely or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accordia.errors import InputError
from accordia.extract import extract
from accordia.ingest.readers import read_bytes, read_html
from accordia.models import Document, Failure, Record

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
TOPICS = Path(__file__).resolve().parent.parent / "accordia" / "data" / "topics.yaml"
TOPIC_CODES = {entry["code"] for entry in yaml.safe_load(TOPICS.read_text(encoding="utf-8"))}

SETTINGS = settings(max_examples=60, deadline=None, database=None,  # no .hypothesis/ in the repo
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Words the extractor reacts to, so that random reports reach its deeper stages.
REPORT_WORDS = [
    "Kazakhstan", "Uzbekistan", "Russia", "Germany", "India", "Egypt", "Greece", "the", "of", "and",
    "signed", "a", "memorandum", "of understanding", "agreement", "on", "cooperation", "in",
    "met", "with", "Minister", "of Energy", "President", "Rosatom", "IAEA", "OPEC", "European Union",
    "EU", "gas", "oil", "nuclear", "hydrogen", "solar", "wind", "power plant", "pipeline",
    "14 March 2024", "2023-11-20", "March 5", "on 1 June", "in Astana", "Moscow", "Vienna", ".", ",",
    "\n", "\n\n", "(", ")", "—", "“", "”", "'s", "Mr.", "Dr.", "Joint Statement", "summit",
    "conference", "intergovernmental commission", "roadmap", "until 2030", "will", "was",
]
report_text = st.lists(
    st.one_of(st.sampled_from(REPORT_WORDS), st.text(max_size=4)), max_size=120,
).map(" ".join)
any_text = st.one_of(
    st.text(),  # every code point but surrogates: control characters, astral planes...
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("ab \n")),
    report_text,
)
NAMES = ["report.txt", "page.html", "feed.xml", "items.jsonl", "scan.pdf", "noname"]


def consume(data: bytes, name: str) -> list[Document | Failure]:
    try:
        return list(read_bytes(data, name))
    except InputError:
        return []


@SETTINGS
@given(text=any_text, name=st.sampled_from(NAMES))
def test_read_bytes_yields_items_or_raises_an_input_error(text: str, name: str) -> None:
    for item in consume(text.encode("utf-8"), name):
        assert isinstance(item, Document | Failure)
        if isinstance(item, Document):
            assert item.text.strip()
            assert isinstance(item.source, str)


@SETTINGS
@given(data=st.binary(max_size=3000), name=st.sampled_from(NAMES))
def test_read_bytes_on_random_bytes_yields_items_or_raises_an_input_error(data: bytes,
                                                                          name: str) -> None:
    for item in consume(data, name):
        assert isinstance(item, Document | Failure)


@SETTINGS
@given(prefix=st.sampled_from([b"%PDF-1.4\n", b"<?xml version='1.0'?><rss>", b"<html><body>",
                               b'{"text": "', b"<feed>"]),
       data=st.binary(max_size=2000))
def test_read_bytes_on_broken_headers_yields_items_or_raises_an_input_error(prefix: bytes,
                                                                            data: bytes) -> None:
    for item in consume(prefix + data, "input"):
        assert isinstance(item, Document | Failure)


def check_record(record: Record, text: str) -> None:
    def within(spans: tuple[tuple[int, int], ...]) -> None:
        for start, end in spans:
            assert 0 <= start < end <= len(text), (start, end, len(text))

    for organization in record.organizations:
        within(organization.evidence)
    for person in record.persons:
        within(person.evidence)
    for event in record.events:
        within(event.evidence)
    for agreement in record.agreements:
        within(agreement.evidence)
    json.dumps(record.to_dict())  # raises if something is not JSON-serialisable
    assert list(record.countries) == sorted(set(record.countries))
    assert set(record.topics) <= TOPIC_CODES
    for item in (*record.events, *record.agreements):
        assert set(item.topics) <= TOPIC_CODES


@SETTINGS
@given(text=any_text)
def test_extract_never_raises_and_keeps_its_spans_in_the_text(text: str) -> None:
    check_record(extract(Document(source="x", text=text)), text)


@SETTINGS
@given(text=report_text)
def test_extract_of_english_report_like_text_is_well_formed(text: str) -> None:
    document = Document(source="x", text=text, language="en")  # skip detection: always extract
    check_record(extract(document), text)


def test_hostile_html_loses_its_scripts_and_still_extracts() -> None:
    [document] = read_html((FIXTURES / "hostile.html").read_bytes(), "hostile.html")
    lowered = document.text.lower()
    for payload in ("<script", "alert(", "document.cookie", "javascript:", "onerror", "onload",
                    "</scr"):
        assert payload not in lowered
    assert "Norway and Germany met in Oslo" in document.text
    assert "subsea cable" in document.text
    record = extract(document)
    check_record(record, document.text)
    assert record.language == "en"
    assert {"DE", "NO"} <= set(record.mentioned_countries)
    assert [event.place for event in record.events] == ["Oslo"]


def test_hostile_html_through_read_bytes_is_the_same() -> None:
    data = (FIXTURES / "hostile.html").read_bytes()
    assert list(read_bytes(data, "download")) == list(read_html(data, "download"))
