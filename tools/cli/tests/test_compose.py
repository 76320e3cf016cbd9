"""docker-compose.yml read as a Docker engine would run it (there is none here): the provisioning
job's image holds every service that owns a schema, and the simulator gets a new run seed at
every start."""

import json
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from smsbus.cli.stack.provision import migration_plan
from smsbus.cli.stack.services import KNOWN_SERVICES, ServiceSpec

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


def _logical_lines(text: str) -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments and blanks left out."""
    lines, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    return lines


def _stages(text: str) -> dict[str, tuple[str, list[str]]]:
    """Stage name → (the stage it builds on, its instructions), in the Dockerfile's order."""
    stages: dict[str, tuple[str, list[str]]] = {}
    for line in _logical_lines(text):
        if line.startswith("FROM "):
            base, _, name = line.removeprefix("FROM ").partition(" AS ")
            current: list[str] = []
            stages[name] = (base, current)
        else:
            current.append(line)
    return stages


@dataclass(frozen=True)
class Image:
    """What `docker build` makes of a compose service's `build:`: the instructions of its target
    (after those of the stages it builds on), with the build args and ARG defaults put in."""

    instructions: list[str]
    declared_args: set[str]
    given_args: dict[str, str]

    def text(self) -> str:
        return "\n".join(self.instructions)

    def env(self) -> dict[str, str]:
        pairs = [
            word
            for line in self.instructions
            if line.startswith("ENV ")
            for word in shlex.split(line.removeprefix("ENV "))
        ]
        return dict(pair.split("=", 1) for pair in pairs)

    def cmd(self) -> list[str]:
        line = next(line for line in self.instructions if line.startswith("CMD "))
        return list(json.loads(line.removeprefix("CMD ")))


def _image(service: str) -> Image:
    build = COMPOSE["services"][service]["build"]
    stages = _stages((REPO / build.get("context", ".") / build["dockerfile"]).read_text())
    target = build.get("target", next(reversed(stages)))
    chain: list[list[str]] = []
    while target in stages:
        target, instructions = stages[target]
        chain.insert(0, instructions)
    given = {name: str(value) for name, value in build.get("args", {}).items()}
    values, declared, resolved = {}, set(), []
    for line in (line for instructions in chain for line in instructions):
        if line.startswith("ARG "):
            name, _, default = line.removeprefix("ARG ").partition("=")
            declared.add(name)
            values[name] = given.get(name, default)
        resolved.append(
            re.sub(r"\$\{?(\w+)\}?", lambda m: values.get(m[1], m[0]), line)
            if not line.startswith("CMD ")  # run by a shell in the container, not by the build
            else line
        )
    return Image(resolved, declared, given)


def _fake_python(tmp_path: Path) -> str:
    """A PATH whose `python` prints its arguments after SMSBUS_SIM_RUN_SEED, and runs nothing."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "python"
    fake.write_text('#!/bin/sh\necho "$SMSBUS_SIM_RUN_SEED" "$@"\n')
    fake.chmod(0o755)
    return f"{bin_dir}:/usr/bin:/bin"


def _runs(image: Image, tmp_path: Path) -> list[str]:
    """The command the image's CMD starts, run with its ENV and a `python` that only echoes."""
    done = subprocess.run(
        image.cmd(),
        env={**image.env(), "PATH": _fake_python(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return ["python", *done.stdout.split()]


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
    assert owners <= installed_by(_image("provision").text())
    assert all(
        s["depends_on"]["provision"] == {"condition": "service_completed_successfully"}
        for s in dependents
    )


def test_an_image_with_only_the_clis_dependencies_would_be_caught() -> None:
    cli_only = "RUN uv sync --frozen --no-dev --package smsbus-cli"

    assert SCHEMA_OWNERS - installed_by(cli_only) == SCHEMA_OWNERS


def _built_services() -> list[str]:
    return [n for n, s in COMPOSE["services"].items() if "build" in s and n != "provision"]


def test_every_service_image_installs_the_package_it_runs(tmp_path: Path) -> None:
    for name in _built_services():
        image = _image(name)
        module = _runs(image, tmp_path)[2]  # python -m <module>
        owner = next(
            n
            for n, f in MEMBERS.items()
            if (f / "src" / Path(*module.split(".")) / "__main__.py").is_file()
        )
        assert owner in installed_by(image.text()), name


def test_every_image_is_given_the_args_its_dockerfile_declares_for_its_service() -> None:
    specs = {spec.name: spec for spec in KNOWN_SERVICES}

    for name in _built_services():
        image, spec = _image(name), specs[name]

        # An arg the Dockerfile does not declare (a typo) is ignored by docker without a word.
        assert image.given_args.keys() == image.declared_args == {"PACKAGE", "MODULE", "PORT"}
        assert image.given_args["MODULE"] == spec.module, name
        assert int(image.given_args["PORT"]) == spec.default_port, name
        assert f"EXPOSE {spec.default_port}" in image.instructions, name
        published = COMPOSE["services"][name]["ports"]  # "127.0.0.1:<host>:<container>"
        assert [int(p.rsplit(":", 1)[1]) for p in published] == [spec.default_port], name


def test_a_service_image_without_its_args_stops_the_build() -> None:
    guard = next(
        line
        for line in _stages((REPO / "Dockerfile").read_text())["service"][1]
        if line.startswith("RUN test ")
    ).removeprefix("RUN ")

    missing = subprocess.run(["sh", "-c", guard], env={"PACKAGE": "smsbus-ingest"}, check=False)
    given = subprocess.run(
        ["sh", "-c", guard],
        env={"PACKAGE": "smsbus-ingest", "MODULE": "smsbus.ingest"},
        check=False,
    )

    assert missing.returncode != 0
    assert given.returncode == 0


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
    done = subprocess.run(
        ["sh", "-c", script],
        env={"PATH": _fake_python(tmp_path), **env},
        capture_output=True,
        text=True,
        check=True,
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
    assert _runs(_image("openphone-sim"), tmp_path) == SIM_COMMAND
    assert all(run[1:] == SIM_COMMAND[1:] for run in [*starts, given_empty, pinned])
    seeds = [run[0] for run in [*starts, given_empty]]
    assert all(seed.isdigit() for seed in seeds)
    assert len(set(seeds)) == len(seeds)
    assert pinned[0] == "7"
    assert sim["environment"]["SMSBUS_SIM_RUN_SEED"] == "${SMSBUS_SIM_RUN_SEED:-}"
