"""The trained participant model: reproducible from the repository, sensible, and replaceable."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from accordia.errors import DataFileError
from accordia.extract import ExtractOptions, extract
from accordia.extract.model import load_participant_model
from accordia.extract.participants import COUNTRY_FEATURES
from accordia.models import Document

ROOT = Path(__file__).resolve().parent.parent


def _training_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("train_participant_model",
                                                  ROOT / "scripts" / "train_participant_model.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_model_is_what_the_golden_records_train() -> None:
    # A change to the features or the samples without retraining would leave a stale model.
    assert _training_script().main(["--check"]) == 0


def test_model_weighs_every_feature_the_extractor_computes() -> None:
    model = load_participant_model()
    assert model is not None
    assert set(model.weights) == set(COUNTRY_FEATURES)


def test_officials_make_a_participant_and_a_passing_mention_does_not() -> None:
    model = load_participant_model()
    assert model is not None
    official = dict.fromkeys(COUNTRY_FEATURES, 0.0) | {"officials_with_role": 1.0, "cooperative_mentions": 1.0,
                                                      "in_lead": 1.0}
    passing = dict.fromkeys(COUNTRY_FEATURES, 0.0) | {"passing_mentions": 1.0}
    assert model.is_participant(official)
    assert not model.is_participant(passing)


def test_rules_only_is_still_available() -> None:
    text = ("ASTANA, Kazakhstan, June 21, 2024. Kazakhstan's Minister of Energy Almassadam Satkaliyev met "
            "Russia's Deputy Minister of Energy Sergey Mochalnikov in Astana to discuss gas supplies. "
            "Prices rose in Germany last year.")
    document = Document("memory", text, None, None)
    with_model = extract(document)
    rules = extract(document, ExtractOptions(participant_model=False))
    assert with_model.countries == rules.countries == ("KZ", "RU")


def test_a_model_in_the_overlay_directory_replaces_the_bundled_one(tmp_path: Path) -> None:
    (tmp_path / "participant_model.yaml").write_text(
        "threshold: 0.5\nbias: -5.0\nweights: {officials_with_role: 10.0}\n", encoding="utf-8")
    model = load_participant_model(tmp_path)
    assert model is not None
    assert model.is_participant({"officials_with_role": 1.0})
    assert not model.is_participant({"cooperative_mentions": 4.0})


def test_a_broken_model_file_names_itself(tmp_path: Path) -> None:
    (tmp_path / "participant_model.yaml").write_text("weights: {in_lead: lots}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"participant_model\.yaml"):
        load_participant_model(tmp_path)
