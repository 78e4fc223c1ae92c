"""Documentation that must stay true: settings, the public surface, data-file validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import accordia
from accordia.api import create_app
from accordia.errors import DataFileError
from accordia.extract.resources import load_resources
from accordia.settings import SETTINGS, Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting: object) -> None:
    assert f"`{setting.name}`" in README  # type: ignore[attr-defined]


def test_public_surface_is_pinned() -> None:
    assert sorted(accordia.__all__) == ["Document", "ExtractOptions", "Failure", "IngestOptions", "Record",
                                        "Settings", "extract", "extract_many", "read_inputs"]


def test_settings_come_from_environment_then_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("ACCORDIA_FETCH_TIMEOUT=7\nACCORDIA_MAX_PAGE_SIZE=9\n")
    monkeypatch.setenv("ACCORDIA_MAX_PAGE_SIZE", "11")
    settings = Settings.load(env_file)
    assert settings.get_int("ACCORDIA_FETCH_TIMEOUT") == 7
    assert settings.get_int("ACCORDIA_MAX_PAGE_SIZE") == 11
    assert settings.database_url == "sqlite:///accordia.db"


def test_bad_data_file_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "organizations.yaml").write_text(
        "- name: Good Company\n  kind: company\n  country: KZ\n- name: Bad Agency\n  kind: spaceship\n")
    with pytest.raises(DataFileError, match=r"organizations\.yaml:4: kind 'spaceship'"):
        load_resources(tmp_path)


def test_overlay_data_dir_teaches_a_new_organization(tmp_path: Path) -> None:
    (tmp_path / "organizations.yaml").write_text(
        "- name: Steppe Hydrogen Holding\n  kind: state_company\n  country: KZ\n")
    resources = load_resources(tmp_path)
    assert any(org.name == "Steppe Hydrogen Holding" for org in resources.orgs)


def test_rate_limit(sample_db: str) -> None:
    client = TestClient(create_app(sample_db, Settings.load(ACCORDIA_RATE_LIMIT="3")))
    statuses = [client.get("/api/summary").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
