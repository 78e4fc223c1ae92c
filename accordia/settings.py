"""Settings in one declared table, read from the environment, then `.env`, then defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from accordia.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    """One configurable value: its environment name, default and help text."""

    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("ACCORDIA_DATABASE_URL", "sqlite:///accordia.db",
            "SQLAlchemy URL of the knowledge base (sqlite:///FILE or postgresql+psycopg://...)."),
    Setting("ACCORDIA_API_TOKEN", "", "Token required by write endpoints of the REST API; "
            "empty disables writes."),
    Setting("ACCORDIA_PUBLIC_READS", "true",
            "Whether read endpoints are open (true) or need the API token too (false)."),
    Setting("ACCORDIA_MAX_DOCUMENT_BYTES", "20000000",
            "Largest input accepted for one document, in bytes; larger inputs are refused."),
    Setting("ACCORDIA_FETCH_TIMEOUT", "20", "Seconds to wait for a URL or feed before giving up."),
    Setting("ACCORDIA_ALLOW_PRIVATE_URLS", "false",
            "Allow fetching URLs that resolve to private or loopback addresses."),
    Setting("ACCORDIA_MAX_PAGE_SIZE", "500", "Largest page of results the API returns."),
    Setting("ACCORDIA_MAX_BODY_BYTES", "5000000", "Largest request body the API accepts."),
    Setting("ACCORDIA_RATE_LIMIT", "120",
            "Requests per minute one client may make to the API (0 disables the limit)."),
    Setting("ACCORDIA_ALIASES", "",
            "YAML file of manual resolution rules (same/distinct names) added to the bundled aliases.yaml."),
)


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with `Settings.load()`."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, env_file: Path | None = None, **overrides: str) -> Settings:
        """Read every declared setting from overrides, environment, `.env`, then defaults."""
        dotenv = _read_dotenv(env_file or Path(".env"))
        values = {}
        for setting in SETTINGS:
            values[setting.name] = overrides.get(
                setting.name, os.environ.get(setting.name, dotenv.get(setting.name, setting.default))
            )
        return cls(values)

    def get(self, name: str) -> str:
        """The raw string value of a declared setting."""
        if name not in self.values:
            raise ConfigError(f"unknown setting {name}")
        return self.values[name]

    def get_int(self, name: str) -> int:
        """A declared setting as an integer."""
        raw = self.get(name)
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None

    def get_bool(self, name: str) -> bool:
        """A declared setting as a boolean (true/false, 1/0, yes/no)."""
        raw = self.get(name).strip().lower()
        if raw in {"1", "true", "yes", "on"}:
            return True
        if raw in {"0", "false", "no", "off", ""}:
            return False
        raise ConfigError(f"{name} must be true or false, got {raw!r}")

    @property
    def database_url(self) -> str:
        return self.get("ACCORDIA_DATABASE_URL")
