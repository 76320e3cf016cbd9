"""docker-compose.yml read as a Docker engine would run it (there is none here): the provisioning
job's image holds every service that owns a schema, and the simulator gets a new run seed at
every start."""

import json
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from smsbus.cli.stack.provision import migration_plan
from smsbus.cli.stack.services import ServiceSpec

REPO = Path(__file__).resolve().parents[3]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SIM_COMMAND = ["python", "-m", "smsbus.openphone_sim"]


def _members() -> dict[str, Path]:
    """Workspace member name → its folder."""
    folders = [
        p.parent
        for group in ("libs", "services", "tools")
        for p in (REPO / group).glob("*/pyproject.toml")
    ]
    return {
        tomllib.loads((f / "pyproject.toml").read_text())["project"]["name"]: f for f in folders
    }


MEMBERS = _members()


def _workspace_dependencies(name: str) -> set[str]:
    project = tomllib.loads((MEMBERS[name] / "pyproject.toml").read_text())["project"]
    names = {
        re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]
        for requirement in project["dependencies"]
    }
    return names & MEMBERS.keys()


def installed_by(dockerfile: str) -> set[str]:
    """The workspace members an image's `uv sync` installs, with their workspace dependencies."""
    sync = next(line for line in dockerfile.splitlines() if re.match(r"RUN\s+uv\s+sync\b", line))
    words = shlex.split(sync)
    if "--all-packages" in words:
        return set(MEMBERS)
    wanted = [words[i + 1] for i, word in enumerate(words) if word == "--package"]
    found: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name not in found:
            found.add(name)
            wanted.extend(_workspace_dependencies(name))
    return found


def _dockerfile(service: str) -> str:
    build = COMPOSE["services"][service]["build"]
    return (REPO / build.get("context", ".") / build["dockerfile"]).read_text()


def _cmd(dockerfile: str) -> list[str]:
    line = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    return list(json.loads(line.removeprefix("CMD ")))


SCHEMA_OWNERS = {
    name for name, folder in MEMBERS.items() if any(folder.glob("src/smsbus/*/migrations/env.py"))
}


def test_the_provisioning_image_holds_every_service_that_owns_a_schema() -> None:
    provision = COMPOSE["services"]["provision"]
    dependents = [s for s in COMPOSE["services"].values() if "provision" in s.get("depends_on", {})]

    owners = SCHEMA_OWNERS

    assert provision["command"] == ["provision"]
    assert owners == {
        "smsbus-compliance",
        "smsbus-campaigns",
        "smsbus-reconciler",
        "smsbus-health",
    }
    assert owners <= installed_by(_dockerfile("provision"))
    assert all(
        s["depends_on"]["provision"] == {"condition": "service_completed_successfully"}
        for s in dependents
    )


def test_an_image_with_only_the_clis_dependencies_would_be_caught() -> None:
    cli_only = "RUN uv sync --frozen --no-dev --package smsbus-cli"

    assert SCHEMA_OWNERS - installed_by(cli_only) == SCHEMA_OWNERS


def test_every_service_image_installs_the_package_it_runs() -> None:
    for name, service in COMPOSE["services"].items():
        if "build" not in service or name == "provision":
            continue
        dockerfile = _dockerfile(name)
        module = _cmd(dockerfile)[2]  # python -m <module>
        owner = next(
            n
            for n, f in MEMBERS.items()
            if (f / "src" / Path(*module.split(".")) / "__main__.py").is_file()
        )
        assert owner in installed_by(dockerfile), name


def test_provisioning_stops_rather_than_skip_a_schema_whose_service_is_missing() -> None:
    absent = ServiceSpec("billing", "smsbus.billing", "SMSBUS_BILLING_PORT", 8099, "billing")

    with pytest.raises(SystemExit, match="cannot migrate billing"):
        migration_plan((absent,))
    assert sorted(schema for schema, _ in migration_plan()) == [
        "campaigns",
        "compliance",
        "health",
        "reconciler",
    ]


def _run_sim_command(script: str, tmp_path: Path, **env: str) -> list[str]:
    """The simulator's compose command under sh, with a `python` that prints what it was given."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\necho "$SMSBUS_SIM_RUN_SEED" "$@"\n')
    fake.chmod(0o755)
    path = f"{bin_dir}:/usr/bin:/bin"
    done = subprocess.run(
        ["sh", "-c", script], env={"PATH": path, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_simulator_gets_a_new_run_seed_at_every_start(tmp_path: Path) -> None:
    sim = COMPOSE["services"]["openphone-sim"]
    shell, flag, script = sim["command"]
    script = script.replace("$$", "$")  # compose's escape for a literal $

    starts = [_run_sim_command(script, tmp_path) for _ in range(3)]
    given_empty = _run_sim_command(script, tmp_path, SMSBUS_SIM_RUN_SEED="")  # compose's `:-}`
    pinned = _run_sim_command(script, tmp_path, SMSBUS_SIM_RUN_SEED="7")

    assert (shell, flag) == ("sh", "-c")
    assert _cmd(_dockerfile("openphone-sim")) == SIM_COMMAND
    assert all(run[1:] == SIM_COMMAND[1:] for run in [*starts, given_empty, pinned])
    seeds = [run[0] for run in [*starts, given_empty]]
    assert all(seed.isdigit() for seed in seeds)
    assert len(set(seeds)) == len(seeds)
    assert pinned[0] == "7"
    assert sim["environment"]["SMSBUS_SIM_RUN_SEED"] == "${SMSBUS_SIM_RUN_SEED:-}"
