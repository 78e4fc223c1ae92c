"""Full-text search over document text: SQLite FTS5 and PostgreSQL `tsvector`, one query language.

Users type what they would type into a web search box: words (all must match), "quoted phrases",
`or` between alternatives and `-word` to exclude. PostgreSQL reads that natively with
`websearch_to_tsquery`; for FTS5 `fts5_query` rewrites it into FTS5 syntax with every term quoted, so
characters that mean something to FTS5 (`*`, `:`, `^`, parentheses, `NEAR`, `AND`) are only ever
searched for as words and can never raise a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from accordia.store import schema as t

__all__ = ["FTS5_TOKENIZER", "PG_DOCUMENT_VECTOR_SQL", "PG_VECTOR_COLUMN", "DocumentMatch", "fts5_query",
           "matching_documents", "search", "text_match"]

# Stemming on both sides, so "fuels" finds "fuel" in SQLite as it does in PostgreSQL's English config.
FTS5_TOKENIZER = "porter unicode61 remove_diacritics 2"
PG_CONFIG = "english"
# Queries must repeat this expression exactly for PostgreSQL to use the GIN index built on it. The text
# is cut at 500,000 characters because a tsvector holds at most 1 MB.
PG_DOCUMENT_VECTOR_SQL = f"to_tsvector('{PG_CONFIG}', left(coalesce(title, '') || ' ' || text, 500000))"
# On PostgreSQL the vector is a stored generated column (migration 0006), indexed with GIN: queries
# and ranking read it instead of recomputing `to_tsvector` for every matching document.
PG_VECTOR_COLUMN = "documents.text_vector"
# Highlight markers around matched words in snippets; callers escape the text, then style these.
MARK = ("**", "**")

_TERM = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DocumentMatch:
    """One document found by a full-text query, with the passage that matched."""

    id: int
    source: str
    title: str | None
    published: date | None
    snippet: str
    rank: float

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "title": self.title,
                "published": self.published.isoformat() if self.published else None,
                "snippet": self.snippet, "rank": round(self.rank, 4)}


def fts5_query(text: str) -> str | None:
    """A web-search style query as a safe FTS5 expression; None when it holds no searchable word.

    >>> fts5_query('nuclear "fuel cycle" or uranium -coal')
    '"nuclear" ("fuel cycle" OR "uranium") NOT "coal"'
    """
    groups: list[list[str]] = []  # AND of OR-groups
    excluded: list[str] = []
    pending_or = False
    for negated_phrase, phrase, negated_word, word in _TERM.findall(text):
        raw = phrase if phrase or not word else word
        if not phrase and raw.lower() == "or":
            pending_or = bool(groups)
            continue
        tokens = _WORD.findall(raw)
        if not tokens:
            continue
        term = '"' + " ".join(tokens) + '"'
        if negated_phrase or negated_word:
            excluded.append(term)
        elif pending_or and groups:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if not groups:
        # FTS5 cannot search for "everything except X"; nothing to find is the honest answer.
        return None
    parts = [group[0] if len(group) == 1 else "(" + " OR ".join(group) + ")" for group in groups]
    return " ".join(parts) + "".join(f" NOT {term}" for term in excluded)


def matching_documents(dialect: str, query: str) -> sa.Select[Any]:
    """`SELECT id` of the documents matching `query`, to use as a subquery (`IN (...)`)."""
    if dialect == "postgresql":
        return sa.select(t.documents.c.id).where(
            sa.literal_column(PG_VECTOR_COLUMN).bool_op("@@")(
                sa.func.websearch_to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), query)))
    expression = fts5_query(query)
    if expression is None:
        return sa.select(t.documents.c.id).where(sa.false())
    return sa.select(sa.literal_column("rowid").label("id")).select_from(sa.table("documents_fts")).where(
        sa.literal_column("documents_fts").op("MATCH")(expression))


def text_match(dialect: str, query: str) -> sa.ColumnElement[bool]:
    """A condition on `documents` rows: the document matches `query`.

    On PostgreSQL the stored vector of each row is tested, which is cheap when the rows are already few
    (a list of ids); SQLite looks the query up in the FTS5 index once and tests membership.
    """
    if dialect == "postgresql":
        return sa.literal_column(PG_VECTOR_COLUMN).bool_op("@@")(
            sa.func.websearch_to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), query))
    return t.documents.c.id.in_(matching_documents(dialect, query))


def search(conn: Connection, query: str, limit: int = 20, offset: int = 0, since: date | None = None,
           until: date | None = None) -> list[DocumentMatch]:
    """Documents matching `query`, best first, each with a highlighted snippet."""
    if conn.dialect.name != "postgresql":
        return _fts5_search(conn, query, limit, offset, since, until)
    docs = t.documents
    tsquery = sa.func.websearch_to_tsquery(sa.literal_column(f"'{PG_CONFIG}'"), query)
    vector: sa.ColumnElement[Any] = sa.literal_column(PG_VECTOR_COLUMN)
    rank = sa.func.ts_rank(vector, tsquery)
    snippet = sa.func.ts_headline(
        sa.literal_column(f"'{PG_CONFIG}'"), sa.func.left(docs.c.text, 500000), tsquery,
        f"StartSel={MARK[0]}, StopSel={MARK[1]}, MaxWords=30, MinWords=12, MaxFragments=2, "
        "FragmentDelimiter= … ")
    stmt = (sa.select(docs.c.id, docs.c.source, docs.c.title, docs.c.published, snippet.label("snippet"),
                      rank.label("rank"))
            .where(vector.bool_op("@@")(tsquery)).order_by(sa.desc("rank"), docs.c.id))
    if since is not None:
        stmt = stmt.where(docs.c.published >= since)
    if until is not None:
        stmt = stmt.where(docs.c.published <= until)
    rows = conn.execute(stmt.limit(limit).offset(offset)).all()
    return [_match(r.id, r.source, r.title, r.published, r.snippet, r.rank) for r in rows]


def _match(document_id: int, source: str, title: str | None, published: date | None, snippet: str | None,
           rank: float | None) -> DocumentMatch:
    # Snippets cross line breaks; one line reads better in a table and a JSON field.
    return DocumentMatch(int(document_id), source, title, published, " ".join((snippet or "").split()),
                         float(rank or 0.0))


def _fts5_search(conn: Connection, query: str, limit: int, offset: int, since: date | None,
                 until: date | None) -> list[DocumentMatch]:
    """`search` on SQLite: the page of best ids first, then snippets and details of those alone.

    Ranked in one statement over the index (bm25 of every match, joined to `documents` only under a
    date filter), the snippets of the page's rows in a second: a snippet re-reads and tokenizes the
    whole text, and computed in the ranking statement it was made for every match before the sort.
    """
    expression = fts5_query(query)
    if expression is None:
        return []
    docs = t.documents
    fts = sa.table("documents_fts", sa.column("rowid"))
    match = sa.literal_column("documents_fts").op("MATCH")(expression)
    bm25 = sa.func.bm25(sa.literal_column("documents_fts"))
    ranked = sa.select(fts.c.rowid, bm25.label("score")).where(match)
    if since is not None or until is not None:
        ranked = ranked.join_from(fts, docs, docs.c.id == fts.c.rowid)
        if since is not None:
            ranked = ranked.where(docs.c.published >= since)
        if until is not None:
            ranked = ranked.where(docs.c.published <= until)
    page = conn.execute(ranked.order_by(bm25, fts.c.rowid).limit(limit).offset(offset)).all()
    if not page:
        return []
    ids = [int(row[0]) for row in page]
    snippet = sa.func.snippet(sa.literal_column("documents_fts"), -1, MARK[0], MARK[1], "…", 24)
    details = {int(r.id): r for r in conn.execute(
        sa.select(docs.c.id, docs.c.source, docs.c.title, docs.c.published, snippet.label("snippet"))
        .select_from(fts.join(docs, docs.c.id == fts.c.rowid)).where(match, fts.c.rowid.in_(ids)))}
    return [_match(i, details[i].source, details[i].title, details[i].published, details[i].snippet, -score)
            for i, (_, score) in zip(ids, page, strict=True)]
