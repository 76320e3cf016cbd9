"""`.env.example` and the READMEs' settings tables come from the settings classes, and stay so."""

import ast
import re
from pathlib import Path
from typing import Annotated, Literal

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import NoDecode

from smsbus.cli.configuration.catalog import (
    SECRET_PLACEHOLDER,
    Undocumented,
    Variable,
    catalog,
    settings_variables,
)
from smsbus.cli.configuration.render import env_example, generated_files
from smsbus.runtime.settings import ServiceSettings, service_config

REPO = Path(__file__).resolve().parents[3]
SOURCES = [
    p for group in ("libs", "services", "tools") for p in (REPO / group).glob("*/src/**/*.py")
]
VARIABLE = re.compile(r"^SMSBUS_[A-Z0-9_]*[A-Z0-9]$")


def test_env_example_and_every_settings_table_are_generated_from_the_settings() -> None:
    stale = [
        str(path.relative_to(REPO))
        for path, wanted in generated_files(REPO, catalog(REPO)).items()
        if path.read_text() != wanted
    ]

    assert stale == [], f"out of date: {stale}; run `make env-example`"


def _names_in_code() -> set[str]:
    """Every string literal in the members' sources that is exactly a variable's name."""
    names = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and VARIABLE.match(node.value)
            ):
                names.add(node.value)
    return names


def test_every_variable_the_code_or_compose_names_is_documented() -> None:
    documented = set(
        re.findall(r"^#(SMSBUS_[A-Z0-9_]+)=", (REPO / ".env.example").read_text(), re.M)
    )
    in_compose = set(
        re.findall(r"\$\{(SMSBUS_[A-Z0-9_]+)", (REPO / "docker-compose.yml").read_text())
    )

    assert {"SMSBUS_API_TOKEN", "SMSBUS_STATE_DIR", "SMSBUS_KAFKA_BOOTSTRAP"} <= _names_in_code()
    assert (_names_in_code() | in_compose) - documented == set()


class _Example(ServiceSettings):
    model_config = service_config("example")

    port: int = 8099
    """Where it listens."""
    api_key: SecretStr
    """The provider's key."""
    lines: Annotated[list[str], NoDecode] = ["+15555550100", "+15555550101"]
    """Our numbers."""
    regions: list[str] = ["US", "CA"]
    """Regions we text."""
    mode: Literal["fast", "safe"] = "safe"
    """How it runs."""
    rate: float = Field(default=8.5, validation_alias="SMSBUS_SHARED_RATE")
    """Requests per second."""
    idle: float = 15.0
    """Seconds between polls."""


def test_each_field_becomes_a_variable_written_as_the_environment_takes_it() -> None:
    found = {v.name: v for v in settings_variables(_Example, own_only=True)}

    assert list(found) == [
        "SMSBUS_EXAMPLE_PORT", "SMSBUS_EXAMPLE_API_KEY", "SMSBUS_EXAMPLE_LINES",
        "SMSBUS_EXAMPLE_REGIONS", "SMSBUS_EXAMPLE_MODE", "SMSBUS_SHARED_RATE", "SMSBUS_EXAMPLE_IDLE",
    ]  # fmt: skip
    assert found["SMSBUS_EXAMPLE_PORT"] == Variable(
        "SMSBUS_EXAMPLE_PORT", "8099", "Where it listens."
    )
    assert found["SMSBUS_EXAMPLE_API_KEY"].required
    assert found["SMSBUS_EXAMPLE_API_KEY"].secret
    assert (
        found["SMSBUS_EXAMPLE_LINES"].default == "+15555550100,+15555550101"
    )  # NoDecode: comma-separated
    assert found["SMSBUS_EXAMPLE_REGIONS"].default == '["US", "CA"]'  # decoded as JSON
    assert found["SMSBUS_EXAMPLE_MODE"].choices == ("fast", "safe")
    assert found["SMSBUS_EXAMPLE_IDLE"].default == "15"


def test_a_setting_without_a_meaning_is_refused() -> None:
    class Careless(ServiceSettings):
        model_config = service_config("careless")
        retries: int = 3

    with pytest.raises(Undocumented, match=r"Careless\.retries"):
        settings_variables(Careless, own_only=True)


def test_secrets_show_as_placeholders_and_every_variable_appears_once() -> None:
    sections = catalog(REPO)
    text = env_example(sections)
    assignments = re.findall(r"^#(SMSBUS_[A-Z0-9_]+)=(.*)$", text, re.M)
    secrets = {v.name for s in sections for v in s.variables if v.secret}

    assert {
        "SMSBUS_OPENPHONE_API_KEY",
        "SMSBUS_INGEST_SIGNING_KEYS",
        "SMSBUS_API_TOKENS",
    } <= secrets
    assert all(value == SECRET_PLACEHOLDER for name, value in assignments if name in secrets)
    names = [name for name, _ in assignments]
    assert len(names) == len(set(names))
