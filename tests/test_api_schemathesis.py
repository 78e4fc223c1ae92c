"""Property-based API testing: schemathesis generates requests from our own OpenAPI document.

Every operation gets valid and invalid inputs; no response may be a server error, and every response
must match what the OpenAPI document promises (status code, content type, body schema).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accordia import api
from accordia.api import create_app
from accordia.errors import FetchError
from accordia.settings import Settings

TOKEN = "schemathesis-token"
# Every default check runs except one: a well-formed but made-up cursor (`after`) is a schema-valid
# request that can only be refused, with 400 as documented.
EXCLUDED = [positive_data_acceptance]


@pytest.fixture(scope="module")
def api_schema(sample_db: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The schema of an app over a private copy of the sample knowledge base (POST writes to it)."""
    source = Path(sample_db.removeprefix("sqlite:///"))
    copy = tmp_path_factory.mktemp("schemathesis") / "kb.db"
    shutil.copy(source, copy)
    app = create_app(f"sqlite:///{copy}", Settings.load(ACCORDIA_API_TOKEN=TOKEN, ACCORDIA_RATE_LIMIT="0",
                                                          ACCORDIA_MAX_PAGE_SIZE="100"))
    return schemathesis.openapi.from_asgi("/api/openapi.json", app)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated URLs must not reach the network; fetching one fails as an unreachable host would."""

    def refuse(url: str, *_args: Any, **_kwargs: Any) -> tuple[bytes, str]:
        raise FetchError(f"{url}: the network is off in this test")

    monkeypatch.setattr(api, "fetch_url", refuse)


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every API operation, from the app over an empty in-memory knowledge base.

    Invalid inputs only where there is something to get wrong besides a header (any string is a valid
    header value, so those operations have no invalid requests to generate).
    """
    spec = create_app("sqlite://", Settings.load()).openapi()
    cases = []
    for path, item in sorted(spec["paths"].items()):
        for method, operation in item.items():
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("requestBody") or any(p["in"] != "header" for p in operation.get("parameters", [])):
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return cases


@pytest.mark.parametrize(("method", "path", "mode"), _operations())
def test_api_conforms_to_its_openapi(api_schema: Any, method: str, path: str, mode: GenerationMode) -> None:
    operation = api_schema[path][method]

    # Modest budgets: CI runs this on two slow cores next to everything else.
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(case=operation.as_strategy(mode))
    def check(case: Any) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=EXCLUDED)

    check()
