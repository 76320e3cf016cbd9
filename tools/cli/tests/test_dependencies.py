"""The dependency check (`python -m smsbus.cli.dependencies`) on a tiny fake uv workspace: a
library `smsbus.base` and a service `smsbus.app` whose imports and declarations each case sets."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from smsbus.cli.dependencies import imported_modules, main, problems, workspace

# What packages_distributions() would say of the fake third-party modules.
DISTRIBUTIONS = {
    "fastapi": ["fastapi"],
    "starlette": ["starlette"],
    "sqlalchemy": ["SQLAlchemy"],
    "sqlmodel": ["sqlmodel"],
    "prometheus_client": ["prometheus_client"],
    "pydantic": ["pydantic"],
    "pydantic_core": ["pydantic_core"],
    "asyncpg": ["asyncpg"],
    "pytest": ["pytest"],
}


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dedent(text))


def fake_workspace(root: Path, *, declared: list[str], code: str, testing: str = "") -> None:
    write(
        root / "pyproject.toml",
        """
        [tool.uv.workspace]
        members = ["libs/*", "services/*"]
        [dependency-groups]
        dev = ["pytest>=9.0"]
        """,
    )
    write(root / "libs/base/pyproject.toml", '[project]\nname = "smsbus-base"\n')
    write(root / "libs/base/src/smsbus/base/__init__.py", "import json\n")
    service = root / "services/app"
    write(
        service / "pyproject.toml", f'[project]\nname = "smsbus-app"\ndependencies = {declared}\n'
    )
    write(service / "src/smsbus/app/__init__.py", "from smsbus.app import own  # its own code\n")
    write(service / "src/smsbus/app/own.py", code)
    if testing:
        write(service / "src/smsbus/app/testing_guards.py", testing)


CASES = [
    pytest.param(["fastapi>=0.1"], "import fastapi\n", "", [], id="declared and imported"),
    pytest.param(
        ["sqlmodel>=0.1"],
        "import sqlmodel\nfrom sqlalchemy.ext.asyncio import AsyncSession\n",
        "",
        ["imports sqlalchemy.ext.asyncio but does not declare sqlalchemy"],
        id="imported, only brought in by another dependency",
    ),
    pytest.param(
        ["fastapi>=0.1", "sqlmodel"],
        "import fastapi\n",
        "",
        ["declares sqlmodel but never imports it"],
        id="declared, never imported",
    ),
    pytest.param(
        ["fastapi", "asyncpg>=0.30"],
        "import fastapi\n",
        "",
        [],
        id="a driver loaded by URL is not imported and is allowed",
    ),
    pytest.param(
        ["Prometheus_Client[extra]>=0.1"],
        "def later():\n    from prometheus_client import Counter\n",
        "",
        [],
        id="names normalised, extras dropped, a lazy import counts",
    ),
    pytest.param(
        ["pydantic"],
        "from pydantic_core import to_json\n",
        "",
        [],
        id="pydantic_core is pydantic's",
    ),
    pytest.param(
        [],
        "from smsbus.base import thing\n",
        "",
        ["imports smsbus.base but does not declare smsbus-base"],
        id="a workspace library imported, not declared",
    ),
    pytest.param(
        ["smsbus-base"],
        "import os\nimport smsbus.base\n",
        "",
        [],
        id="a workspace library declared",
    ),
    pytest.param(
        ["fastapi"],
        "import fastapi\n",
        "import pytest\nimport fastapi\n",
        [],
        id="the testing harness may import the dev group",
    ),
    pytest.param(
        ["fastapi"],
        "import fastapi\nimport pytest\n",
        "",
        ["imports pytest but does not declare pytest"],
        id="code that is not the harness may not",
    ),
    pytest.param(
        [],
        "import notinstalled.sub\n",
        "",
        ["imports notinstalled.sub, which no installed distribution provides"],
        id="an import nothing provides",
    ),
]


@pytest.mark.parametrize(("declared", "code", "testing", "expected"), CASES)
def test_a_service_declares_what_it_imports(
    tmp_path: Path, declared: list[str], code: str, testing: str, expected: list[str]
) -> None:
    fake_workspace(tmp_path, declared=declared, code=code, testing=testing)
    members, dev = workspace(tmp_path)
    roots = {root: member.name for member in members for root in member.roots}
    assert roots == {"smsbus.base": "smsbus-base", "smsbus.app": "smsbus-app"}
    app = next(member for member in members if member.name == "smsbus-app")

    found = problems(
        app,
        imported_modules(app.path / "src"),
        workspace=roots,
        distributions=DISTRIBUTIONS,
        dev=dev,
    )

    assert found == expected


def test_the_command_fails_naming_the_package_and_passes_once_declared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_workspace(tmp_path, declared=[], code="import smsbus.base\n")
    assert main(tmp_path) == 1
    assert "services/app: imports smsbus.base but does not declare smsbus-base" in (
        capsys.readouterr().err
    )

    fake_workspace(tmp_path, declared=["smsbus-base"], code="import smsbus.base\n")
    assert main(tmp_path) == 0
    assert "the 2 workspace packages declare what they import" in capsys.readouterr().out
