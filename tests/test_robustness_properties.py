"""Property tests (hypothesis) over the readers and the extractor: whatever comes in, they yield
documents and failures or raise one of our documented `InputError`s, never anything else; every
evidence span lies inside the text; and every record is valid against the record contract of
`shared/spec/extraction.md`, checked field by field below.

(Moved here from tests/test_extract_robustness.py, with the feed, HTML and schema properties added.)
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accordia.errors import InputError
from accordia.extract import extract
from accordia.ingest.readers import read_bytes, read_feed, read_html
from accordia.models import Document, Failure, Record

DATA = Path(__file__).resolve().parent.parent / "accordia" / "data"
TOPIC_CODES = {entry["code"] for entry in yaml.safe_load((DATA / "topics.yaml").read_text(encoding="utf-8"))}

# The machine has two cores shared by everyone: moderate example counts, no example database.
SETTINGS = settings(max_examples=50, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Words the extractor reacts to, so that random reports reach its deeper stages.
REPORT_WORDS = [
    "Kazakhstan", "Uzbekistan", "Russia", "Germany", "India", "Egypt", "Greece", "the", "of", "and",
    "signed", "a", "memorandum", "of understanding", "agreement", "on", "cooperation", "in",
    "met", "with", "Minister", "of Energy", "President", "Rosatom", "IAEA", "OPEC", "European Union",
    "EU", "gas", "oil", "nuclear", "hydrogen", "solar", "wind", "power plant", "pipeline",
    "14 March 2024", "2023-11-20", "March 5", "on 1 June", "in Astana", "Moscow", "Vienna", ".", ",",
    "\n", "\n\n", "(", ")", "—", "“", "”", "'s", "Mr.", "Dr.", "Joint Statement", "summit",
    "conference", "intergovernmental commission", "roadmap", "until 2030", "will", "was", "ratified",
    "approved", "strategy", "contract", "ASTANA, Kazakhstan, May 3, 2024.", "Deputy Prime Minister",
]
report_text = st.lists(st.one_of(st.sampled_from(REPORT_WORDS), st.text(max_size=4)), max_size=120).map(" ".join)
any_text = st.one_of(
    st.text(),  # every code point but surrogates: control characters, astral planes...
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from("ab \n")),
    report_text,
)
NAMES = ["report.txt", "page.html", "feed.xml", "items.jsonl", "scan.pdf", "noname"]
MARKUP = ["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<script>", "</script>", "<style>", "<nav>",
          "<article>", "</article>", "<title>", "</title>", "<!--", "-->", "&amp;", "&lt;", "&#0;", "&#xD800;",
          "&nbsp;", "<![CDATA[", "]]>", "<a href='javascript:x'>", "</a>", "<img src=x onerror=y>", "<meta ",
          "<html>", "<body>", "<head>", "<table><tr><td>", "</td></tr></table>", "\"", "'", "=", ">", "<"]
markup_text = st.lists(st.one_of(st.sampled_from(MARKUP), st.sampled_from(REPORT_WORDS), st.text(max_size=3)),
                       max_size=80).map("".join)


def consume(data: bytes, name: str) -> list[Document | Failure]:
    """Everything a reader yields, or nothing when it refuses the input with an InputError."""
    try:
        return list(read_bytes(data, name))
    except InputError:
        return []


def check_items(items: list[Document | Failure]) -> None:
    for item in items:
        assert isinstance(item, Document | Failure)
        if isinstance(item, Document):
            assert item.text.strip()
            assert isinstance(item.source, str) and item.source
        else:
            assert re.fullmatch(r"E1\d\d", item.code) and item.reason


# --- the readers -------------------------------------------------------------------------------


@SETTINGS
@given(text=any_text, name=st.sampled_from(NAMES))
def test_read_bytes_yields_items_or_raises_an_input_error(text: str, name: str) -> None:
    check_items(consume(text.encode("utf-8"), name))


@SETTINGS
@given(data=st.binary(max_size=3000), name=st.sampled_from(NAMES))
def test_read_bytes_on_random_bytes_yields_items_or_raises_an_input_error(data: bytes, name: str) -> None:
    check_items(consume(data, name))


@SETTINGS
@given(prefix=st.sampled_from([b"%PDF-1.4\n", b"<?xml version='1.0'?><rss>", b"<html><body>",
                               b'{"text": "', b"<feed>", b"\xef\xbb\xbf", b"\xff\xfe"]),
       data=st.binary(max_size=2000))
def test_read_bytes_on_broken_headers_yields_items_or_raises_an_input_error(prefix: bytes, data: bytes) -> None:
    check_items(consume(prefix + data, "input"))


@SETTINGS
@given(markup=markup_text)
def test_html_reader_on_tag_soup_yields_documents_or_raises_an_input_error(markup: str) -> None:
    try:
        documents = list(read_html(markup.encode("utf-8"), "page.html"))
    except InputError:
        return
    check_items(list(documents))
    for document in documents:
        assert "<script" not in document.text.lower() or "<script" in markup.lower()


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


feed_entry = st.fixed_dictionaries({
    "title": st.one_of(st.none(), any_text, markup_text),
    "body": st.one_of(st.none(), any_text, markup_text),
    "date": st.one_of(st.none(), st.sampled_from(["Mon, 03 Jun 2024 23:30:00 GMT", "2024-06-03", "yesterday",
                                                    "Fri, 31 Feb 2023 00:00:00 GMT", ""])),
    "escape": st.booleans(),  # markup escaped as it should be, or pasted raw as broken feeds do
})


@SETTINGS
@given(entries=st.lists(feed_entry, max_size=5), atom=st.booleans())
def test_feed_reader_on_random_entries_yields_items_or_raises_an_input_error(
        entries: list[dict[str, Any]], atom: bool) -> None:
    parts = []
    for entry in entries:
        fields = []
        for tag, value in (("title", entry["title"]), ("description" if not atom else "summary", entry["body"]),
                           ("pubDate" if not atom else "published", entry["date"])):
            if value is not None:
                fields.append(f"<{tag}>{xml_escape(value) if entry['escape'] else value}</{tag}>")
        parts.append(("<entry>" if atom else "<item>") + "".join(fields) + ("</entry>" if atom else "</item>"))
    if atom:
        feed = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">' + "".join(parts) + "</feed>"
    else:
        feed = '<?xml version="1.0"?><rss version="2.0"><channel>' + "".join(parts) + "</channel></rss>"
    try:
        items = list(read_feed(feed.encode("utf-8", "surrogatepass"), "feed.xml"))
    except InputError:
        return
    check_items(items)


# --- the extractor and the record contract -------------------------------------------------


ISO_CODE = re.compile(r"[A-Z]{2}")
ORGANIZATION_KINDS = {"ministry", "agency", "state_company", "company", "intergovernmental", "other"}
EVENT_TYPES = {"meeting", "conference", "signing", "approval", "visit", "announcement"}
AGREEMENT_TYPES = {"mou", "agreement", "contract", "strategy", "roadmap", "declaration", "protocol"}
STATUSES = {"signed", "approved", "ratified", "planned", "in_force"}


def schema_errors(record: dict[str, Any], text: str) -> list[str]:
    """How `record` (a `Record.to_dict()`) breaks the contract of shared/spec/extraction.md.

    Every field the spec names must be there with its type and vocabulary; fields may be added
    (the spec allows it: `confidence`, for one). Evidence must index into `text`.
    """
    errors: list[str] = []

    def check(ok: bool, where: str) -> None:
        if not ok:
            errors.append(where)

    def optional_str(value: Any) -> bool:
        return value is None or (isinstance(value, str) and bool(value.strip()))

    def iso_date(value: Any) -> bool:
        if value is None:
            return True
        try:
            return isinstance(value, str) and date.fromisoformat(value).isoformat() == value
        except ValueError:
            return False

    def codes(value: Any, sorted_unique: bool = False) -> bool:
        ok = isinstance(value, list) and all(isinstance(c, str) and ISO_CODE.fullmatch(c) for c in value)
        return ok and (not sorted_unique or value == sorted(set(value)))

    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)

    def topics(value: Any, sorted_unique: bool = False) -> bool:
        ok = isinstance(value, list) and set(value) <= TOPIC_CODES
        return ok and (not sorted_unique or value == sorted(set(value)))

    def evidence(value: Any) -> bool:
        return isinstance(value, list) and all(
            isinstance(span, list) and len(span) == 2 and all(type(n) is int for n in span)
            and 0 <= span[0] < span[1] <= len(text) for span in value)

    def confidence(item: dict[str, Any]) -> bool:
        value = item.get("confidence", 1.0)
        return isinstance(value, int | float) and 0 <= value <= 1

    for key in ("source", "language", "title", "published", "countries", "organizations", "persons", "events",
                "agreements", "topics"):
        check(key in record, f"missing {key}")
    if errors:
        return errors
    check(isinstance(record["source"], str) and bool(record["source"]), "source")
    check(isinstance(record["language"], str) and bool(re.fullmatch(r"[a-z]{2,3}|und", record["language"])),
          f"language {record['language']!r}")
    check(optional_str(record["title"]), "title")
    check(iso_date(record["published"]), f"published {record['published']!r}")
    check(codes(record["countries"], sorted_unique=True), f"countries {record['countries']!r}")
    check(topics(record["topics"], sorted_unique=True), f"topics {record['topics']!r}")
    for i, org in enumerate(record["organizations"]):
        where = f"organizations[{i}]"
        check(isinstance(org.get("name"), str) and bool(org["name"].strip()), f"{where}.name")
        check(optional_str(org.get("acronym")), f"{where}.acronym")
        check(org.get("kind") in ORGANIZATION_KINDS, f"{where}.kind {org.get('kind')!r}")
        check(org.get("country") is None or bool(ISO_CODE.fullmatch(org["country"])), f"{where}.country")
        check(confidence(org), f"{where}.confidence")
    for i, person in enumerate(record["persons"]):
        where = f"persons[{i}]"
        check(isinstance(person.get("name"), str) and bool(person["name"].strip()), f"{where}.name")
        check(optional_str(person.get("role")) and optional_str(person.get("organization")), f"{where}.role")
        check(person.get("country") is None or bool(ISO_CODE.fullmatch(person["country"])), f"{where}.country")
        check(confidence(person), f"{where}.confidence")
    for i, event in enumerate(record["events"]):
        where = f"events[{i}]"
        check(event.get("type") in EVENT_TYPES, f"{where}.type {event.get('type')!r}")
        check(isinstance(event.get("title"), str) and bool(event["title"].strip()), f"{where}.title")
        check(iso_date(event.get("date")), f"{where}.date")
        check(optional_str(event.get("place")), f"{where}.place")
        check(codes(event.get("countries")), f"{where}.countries")
        check(strings(event.get("organizations")) and strings(event.get("persons")), f"{where}.organizations")
        check(topics(event.get("topics")), f"{where}.topics")
        check(evidence(event.get("evidence")) and bool(event["evidence"]), f"{where}.evidence")
        check(confidence(event), f"{where}.confidence")
    for i, agreement in enumerate(record["agreements"]):
        where = f"agreements[{i}]"
        check(agreement.get("type") in AGREEMENT_TYPES, f"{where}.type {agreement.get('type')!r}")
        check(isinstance(agreement.get("title"), str) and bool(agreement["title"].strip()), f"{where}.title")
        check(strings(agreement.get("parties")), f"{where}.parties")
        check(codes(agreement.get("countries")), f"{where}.countries")
        check(agreement.get("status") is None or agreement["status"] in STATUSES, f"{where}.status")
        check(agreement.get("horizon") is None or bool(re.fullmatch(r"\d{4}", str(agreement["horizon"]))),
              f"{where}.horizon {agreement.get('horizon')!r}")
        check(topics(agreement.get("topics")), f"{where}.topics")
        check(evidence(agreement.get("evidence")) and bool(agreement["evidence"]), f"{where}.evidence")
        check(confidence(agreement), f"{where}.confidence")
    return errors


def check_record(record: Record, text: str) -> None:
    """The record's evidence lies in `text`, it is JSON, and it keeps the record contract."""
    for fact in (*record.organizations, *record.persons, *record.events, *record.agreements):
        for start, end in fact.evidence:
            assert 0 <= start < end <= len(text), (start, end, len(text))
    plain = json.loads(json.dumps(record.to_dict()))  # raises if something is not JSON
    assert schema_errors(plain, text) == []


def test_the_schema_check_can_fail() -> None:
    text = "Kazakhstan and Uzbekistan signed a memorandum of understanding on gas supplies in Astana."
    good = extract(Document(source="x", text=text, language="en")).to_dict()
    assert good["events"] and schema_errors(good, text) == []
    broken = json.loads(json.dumps(good))
    broken["countries"] = ["uz", "KZ"]
    broken["events"][0]["type"] = "party"
    broken["events"][0]["evidence"] = [[0, len(text) + 1]]
    broken["topics"] = ["gas"]
    del broken["published"]
    assert schema_errors(broken, text) == ["missing published"]
    broken["published"] = "14 March"
    assert set(schema_errors(broken, text)) == {"published '14 March'", "countries ['uz', 'KZ']",
                                                "topics ['gas']", "events[0].type 'party'", "events[0].evidence"}


@SETTINGS
@given(text=any_text)
def test_extract_never_raises_and_keeps_the_record_contract(text: str) -> None:
    check_record(extract(Document(source="x", text=text)), text)


@SETTINGS
@given(text=report_text)
def test_extract_of_english_report_like_text_keeps_the_record_contract(text: str) -> None:
    document = Document(source="x", text=text, language="en")  # skip detection: always extract
    check_record(extract(document), text)


@SETTINGS
@given(markup=markup_text)
def test_html_to_record_keeps_the_contract_against_the_text_as_read(markup: str) -> None:
    page = f"<html><body><article><p>{markup}</p></article></body></html>"
    for item in consume(page.encode("utf-8"), "page.html"):
        if isinstance(item, Document):
            check_record(extract(Document(item.source, item.text, language="en")), item.text)
