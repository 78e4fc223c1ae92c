"""The trained participant model: which named countries take part in the reported cooperation.

The rules in `participants.score_countries` describe each named country by a few facts
(COUNTRY_FEATURES: officials with roles, state bodies, mentions in sentences that report
cooperation, mentions in passing, a place in a list of parties...). Adding up fixed weights was
where the rules ran out: a country listed once among five delegations and one named twice in
background need different treatment than counts alone give. A logistic regression fitted on the
hand-checked golden records of the bundled samples weighs these facts instead.

The model is a small YAML data file (`accordia/data/participant_model.yaml`): feature weights,
a bias and a threshold, readable and reviewable like any other data file. It is trained by
`python scripts/train_participant_model.py` from data in this repository; nothing is downloaded.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from accordia.errors import DataFileError

MODEL_FILE = "participant_model.yaml"


@dataclass(frozen=True)
class ParticipantModel:
    """Logistic regression over named features; `probability` is P(participant)."""

    weights: dict[str, float]
    bias: float
    threshold: float
    trained_on: str = ""
    # The weights' names, values and a 0.0 per name, for summing with C-level map().
    _columns: tuple[tuple[str, ...], tuple[float, ...], tuple[float, ...]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        columns = (tuple(self.weights), tuple(self.weights.values()), (0.0,) * len(self.weights))
        object.__setattr__(self, "_columns", columns)

    def probability(self, features: dict[str, float]) -> float:
        """P(participant) for one country's feature values (missing features count as 0)."""
        names, weights, zeros = self._columns
        # The same products summed in the same order as a generator over weights.items() would.
        z = self.bias + sum(map(operator.mul, weights, map(features.get, names, zeros)))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def is_participant(self, features: dict[str, float]) -> bool:
        return self.probability(features) >= self.threshold

    def to_yaml(self, header: str = "") -> str:
        """The model as the data file stores it."""
        body = yaml.safe_dump({"trained_on": self.trained_on, "threshold": self.threshold, "bias": self.bias,
                               "weights": self.weights}, sort_keys=False, allow_unicode=True)
        return header + body


def parse_participant_model(data: Any, origin: str) -> ParticipantModel:
    """Validate a loaded model file; `origin` names it in error messages."""
    if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
        raise DataFileError(f"{origin}: a participant model needs a `weights` mapping")
    try:
        weights = {str(name): float(value) for name, value in data["weights"].items()}
        return ParticipantModel(weights, float(data.get("bias", 0.0)), float(data.get("threshold", 0.5)),
                                str(data.get("trained_on") or ""))
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"{origin}: weights, bias and threshold must be numbers ({exc})") from exc


def load_participant_model(extra_dir: Path | None = None) -> ParticipantModel | None:
    """The model from the overlay directory if it has one, else the bundled one (None if absent)."""
    candidates = []
    if extra_dir is not None:
        candidates.append(extra_dir / MODEL_FILE)
    candidates.append(Path(str(resources.files("accordia") / "data" / MODEL_FILE)))
    for path in candidates:
        if path.is_file():
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except yaml.YAMLError as exc:
                raise DataFileError(f"{path}: not valid YAML ({exc})") from exc
            return parse_participant_model(data, str(path))
    return None
