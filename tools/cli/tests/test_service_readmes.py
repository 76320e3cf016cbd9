"""Every service's README says what it serves and what it reads and writes: each HTTP route its app
really has, each topic the registry says it produces or consumes, its consumer-group DLQs."""

import importlib
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.routing import Route

from smsbus.cli.configuration.catalog import member_readme
from smsbus.cli.stack.config import LOCAL_API_KEY, LOCAL_SIGNING_KEY
from smsbus.cli.stack.services import KNOWN_SERVICES, ServiceSpec
from smsbus.contracts.topics import ROUTES

REPO = Path(__file__).resolve().parents[3]
SERVICES = [spec for spec in KNOWN_SERVICES if spec.name != "openphone-sim"]
OWN_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def _app(module: str, monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setenv("SMSBUS_OPENPHONE_API_KEY", LOCAL_API_KEY)
    monkeypatch.setenv("SMSBUS_INGEST_SIGNING_KEYS", LOCAL_SIGNING_KEY)
    settings = importlib.import_module(f"{module}.settings").Settings()
    app: FastAPI = importlib.import_module(f"{module}.app").create_app(settings)
    return app


def _paths(app: FastAPI) -> set[str]:
    """The documented operations' paths, and the routes the app mounts outside OpenAPI."""
    documented = set(app.openapi()["paths"])
    direct = {r.path for r in app.routes if isinstance(r, Route) and r.path not in OWN_DOCS}
    return documented | direct


def _readme(module: str) -> str:
    path = member_readme(module, REPO)
    assert path is not None
    return (REPO / path).read_text()


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_the_readme_names_every_route_the_service_serves(
    spec: ServiceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = spec.module
    readme = _readme(module)
    paths = _paths(_app(module, monkeypatch))

    # `{id}` in the README stands for `{campaign_id}` in the code: placeholders compare equal.
    def plain(text: str) -> str:
        return "".join(part.split("}", 1)[-1] if "}" in part else part for part in text.split("{"))

    missing = sorted(p for p in paths if plain(p) not in plain(readme))
    assert paths, f"{spec.name}: no routes found"
    assert missing == [], f"{spec.name}'s README does not mention {missing}"


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_the_readme_names_every_topic_the_service_reads_or_writes(spec: ServiceSpec) -> None:
    name, module = spec.name, spec.module
    readme = _readme(module)
    produced = {r.topic for r in ROUTES if name in r.producers}
    consumed = {r.topic for r in ROUTES if name in r.consumers}

    assert produced | consumed, f"{name} is not in the registry"
    missing = sorted(t for t in produced | consumed if f"`{t}`" not in readme)
    assert missing == [], f"{name}'s README does not name {missing}"
    if consumed:
        assert f"`{name}`" in readme, "the consumer group is named"
