"""Score extraction against hand-checked golden records: per-field precision, recall and F1.

A golden directory holds `<stem>.json` files, each a list of records (docs/annotation.md);
the reports themselves are found by stem in the given corpus directories.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from accordia.extract import ExtractOptions, extract, get_resources
from accordia.ingest import read_inputs
from accordia.models import Document
from accordia.resolve import normalise_name

FIELDS = ("countries", "persons", "person_roles", "organizations", "event_types", "events",
          "main_event_date", "agreements", "topics", "published")


@dataclass
class FieldScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    def add(self, predicted: Counter[Any], gold: Counter[Any]) -> None:
        overlap = sum((predicted & gold).values())
        self.true_positives += overlap
        self.false_positives += sum(predicted.values()) - overlap
        self.false_negatives += sum(gold.values()) - overlap

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class DocumentDiff:
    source: str
    differences: dict[str, tuple[list[Any], list[Any]]] = field(default_factory=dict)


@dataclass
class Evaluation:
    documents: int = 0
    scores: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    diffs: list[DocumentDiff] = field(default_factory=list)

    def table(self) -> list[dict[str, Any]]:
        """One row per field with precision, recall, F1 and counts."""
        return [{"field": name, "precision": round(score.precision, 3), "recall": round(score.recall, 3),
                 "f1": round(score.f1, 3), "tp": score.true_positives, "fp": score.false_positives,
                 "fn": score.false_negatives} for name, score in self.scores.items()]


def _role_key(role: str | None) -> str | None:
    if not role:
        return None
    info = get_resources().roles.get(role.lower())
    return info.role if info else role.lower()


def _same_role(predicted: str | None, gold: str | None) -> bool:
    if predicted is None or gold is None:
        return predicted == gold
    return predicted.lower() == gold.lower() or predicted.lower() in gold.lower()


_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_PATRONYMIC_LINKS = frozenset({"bin", "ibn", "bint"})


def _surname(name: str) -> str:
    """The part of a name persons are matched on: the last word, but "bin Salman" whole and
    without "Jr." (so Mohammed bin Salman and Abdulaziz bin Salman stay two people)."""
    parts = [p for p in normalise_name(name).replace(".", " ").split() if p not in _NAME_SUFFIXES]
    if len(parts) >= 3 and parts[-2] in _PATRONYMIC_LINKS:
        return " ".join(parts[-3:])
    return parts[-1] if parts else ""


def _roles_by_surname(pairs: Iterable[tuple[str, str | None]], common: set[str]) -> dict[str, str | None]:
    """One role per matched surname, chosen the same way every run (a named role before none)."""
    roles: dict[str, str | None] = {}
    for surname, role in sorted(pairs, key=lambda pair: (pair[0], pair[1] is None, pair[1] or "")):
        if surname in common:
            roles.setdefault(surname, role)
    return roles


def _org_matches(predicted: list[dict[str, Any]], gold: list[dict[str, Any]]) -> tuple[int, int, int]:
    unmatched = list(predicted)
    hits = 0
    for wanted in gold:
        for candidate in unmatched:
            same_acronym = wanted.get("acronym") and wanted.get("acronym") == candidate.get("acronym")
            names = [candidate["name"], *([candidate["acronym"]] if candidate.get("acronym") else [])]
            if same_acronym or any(fuzz.token_set_ratio(wanted["name"].lower(), n.lower()) >= 85 for n in names):
                unmatched.remove(candidate)
                hits += 1
                break
    return hits, len(unmatched), len(gold) - hits


def project(record: dict[str, Any]) -> dict[str, Counter[Any]]:
    """The comparable facts of a record, as multisets per field."""
    events = record.get("events") or []
    main_date = [events[0]["date"]] if events and events[0].get("date") else []
    return {
        "countries": Counter(set(record.get("countries") or [])),
        "persons": Counter({_surname(p["name"]) for p in record.get("persons") or []}),
        "person_roles": Counter({(_surname(p["name"]), _role_key(p.get("role")))
                                 for p in record.get("persons") or []}),
        "event_types": Counter({e["type"] for e in events}),
        "events": Counter((e["type"], e.get("date"), e.get("place")) for e in events),
        "main_event_date": Counter(main_date),
        "agreements": Counter((a["type"], tuple(sorted(a.get("countries") or [])))
                              for a in record.get("agreements") or []),
        "topics": Counter(set(record.get("topics") or [])),
        "published": Counter([record["published"]] if record.get("published") else []),
    }


def compare(predicted: dict[str, Any], gold: dict[str, Any], evaluation: Evaluation) -> DocumentDiff:
    """Add one document's comparison to `evaluation` and return its differences."""
    diff = DocumentDiff(gold.get("source") or predicted.get("source") or "?")
    p_facts, g_facts = project(predicted), project(gold)
    if gold.get("events") and predicted.get("events"):
        # The main event is the golden record's first; compare it with the predicted one of that type.
        wanted_type = gold["events"][0]["type"]
        same_type = [e for e in predicted["events"] if e["type"] == wanted_type]
        chosen = (same_type or predicted["events"])[0]
        p_facts["main_event_date"] = Counter([chosen["date"]] if chosen.get("date") else [])
    # Roles are scored only over persons found in both; a role is right when it names the same
    # canonical role, or is the head of the fuller title the text gives ("Minister" of
    # "Minister of State for Petroleum").
    common = set(p_facts["persons"]) & set(g_facts["persons"])
    gold_roles = _roles_by_surname(g_facts["person_roles"], common)
    predicted_roles = _roles_by_surname(p_facts["person_roles"], common)
    g_facts["person_roles"] = Counter(gold_roles.items())
    p_facts["person_roles"] = Counter(
        (name, gold_roles[name] if _same_role(role, gold_roles[name]) else role)
        for name, role in predicted_roles.items())
    for name, g_counter in g_facts.items():
        evaluation.scores[name].add(p_facts[name], g_counter)
        if p_facts[name] != g_counter:
            diff.differences[name] = (sorted(map(str, (p_facts[name] - g_counter).elements())),
                                      sorted(map(str, (g_counter - p_facts[name]).elements())))
    hits, extra, missing = _org_matches(predicted.get("organizations") or [], gold.get("organizations") or [])
    score = evaluation.scores["organizations"]
    score.true_positives += hits
    score.false_positives += extra
    score.false_negatives += missing
    evaluation.documents += 1
    return diff


def load_golden(golden_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Golden records by file stem."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(golden_dir.glob("*.json"))}


def find_report(stem: str, corpus_dirs: Iterable[Path]) -> Path | None:
    for directory in corpus_dirs:
        for candidate in sorted(directory.glob(f"{stem}.*")):
            if candidate.suffix != ".json":
                return candidate
    return None


def evaluate(golden_dir: Path, corpus_dirs: Iterable[Path], options: ExtractOptions | None = None,
             on_document: Callable[[str], None] | None = None) -> Evaluation:
    """Extract every report that has a golden file and score the results field by field."""
    evaluation = Evaluation()
    corpus_dirs = list(corpus_dirs)
    for stem, golden_records in load_golden(golden_dir).items():
        report = find_report(stem, corpus_dirs)
        if report is None:
            raise FileNotFoundError(f"no report named {stem}.* in {', '.join(map(str, corpus_dirs))}")
        documents = [d for d in read_inputs([str(report)]) if isinstance(d, Document)]
        for index, gold in enumerate(golden_records):
            predicted = extract(documents[index], options).to_dict() if index < len(documents) else {}
            diff = compare(predicted, gold, evaluation)
            if diff.differences:
                evaluation.diffs.append(diff)
        if on_document is not None:
            on_document(stem)
    return evaluation
