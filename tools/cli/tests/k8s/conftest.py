"""deploy/k8s rendered once per session, overlay by overlay, by kustomize (kubectl's own).

kubectl comes with the project's machine image; without it (a laptop) these tests skip, and in
CI (CI=true) they fail instead, so that the manifests are never shipped unvalidated.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from smsbus.cli.stack.config import find_repo_root

K8S = find_repo_root() / "deploy" / "k8s"
OVERLAYS = ("small", "production", "dev")

Resource = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    overlay: str
    resources: list[Resource]

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r["kind"] == kind]

    def one(self, kind: str, name: str) -> Resource:
        found = [r for r in self.of_kind(kind) if r["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.overlay}: {len(found)} {kind} named {name!r}"
        return found[0]

    def config_map(self, generated_name: str) -> Resource:
        """A generated ConfigMap by its base name (kustomize appends a content hash)."""
        found = [
            r
            for r in self.of_kind("ConfigMap")
            if r["metadata"]["name"].rsplit("-", 1)[0] == generated_name
        ]
        assert len(found) == 1, f"{self.overlay}: {len(found)} ConfigMaps {generated_name}-<hash>"
        return found[0]

    @staticmethod
    def containers(workload: Resource) -> Iterator[Resource]:
        """Every container of a Deployment's or Job's pod, init containers first."""
        pod = workload["spec"]["template"]["spec"]
        yield from pod.get("initContainers", [])
        yield from pod["containers"]


def kustomize_command() -> list[str] | None:
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if kustomize := shutil.which("kustomize"):
        return [kustomize, "build"]
    return None


def render(directory: Path) -> list[Resource]:
    command = kustomize_command()
    if command is None:
        message = "neither kubectl nor kustomize is on PATH: deploy/k8s cannot be rendered"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    result = subprocess.run(
        [*command, str(directory)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, f"kustomize {directory} failed:\n{result.stderr}"
    return [doc for doc in yaml.load_all(result.stdout, Loader=yaml.CSafeLoader) if doc]


@pytest.fixture(scope="session")
def overlays() -> dict[str, Rendered]:
    return {name: Rendered(name, render(K8S / "overlays" / name)) for name in OVERLAYS}
