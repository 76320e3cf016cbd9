"""Installing what the stack needs from Debian's packages, only when it is missing."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess


def ensure_debian_packages(command_to_package: dict[str, str]) -> None:
    """Install the package of each command not on PATH (root only; otherwise say what to run)."""
    missing = sorted({pkg for cmd, pkg in command_to_package.items() if shutil.which(cmd) is None})
    if missing:
        install_debian_packages(missing)


def install_debian_packages(packages: list[str]) -> None:
    command = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    if os.geteuid() != 0:
        raise SystemExit(f"missing {', '.join(packages)}: run `sudo {' '.join(command)}`")
    _apt_update()
    subprocess.run(command, check=True, env=_APT_ENV)


_APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


@functools.cache
def _apt_update() -> None:
    subprocess.run(["apt-get", "update", "-q"], check=True, env=_APT_ENV)
