"""Install uv from its wheel on PyPI, with nothing but the system's python3.

`make` runs this file as a plain script before uv or the workspace exist, so it uses the standard
library only and runs on any python3 >= 3.8. `pip install --user` is refused by an externally
managed Python (Debian's own), and a venv needs Debian's python3-venv, which a fresh machine lacks;
uv's wheel, though, is a zip holding one static binary. So: ask the package index which files the
pinned release has, take the wheel built for this machine, check its sha256 against the index's,
and copy `uv` and `uvx` out of it. Only the package index is contacted (PyPI, or the mirror
`UV_DEFAULT_INDEX` / `UV_INDEX_URL` / `PIP_INDEX_URL` names); HTTPS proxies come from the usual
`https_proxy` variable.

    python3 tools/cli/src/smsbus/cli/uv_bootstrap.py --dest ~/.local/bin [--version 0.13.9]
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import io
import json
import os
import platform
import re
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import NamedTuple

UV_VERSION = "0.13.9"
DEFAULT_INDEX = "https://pypi.org/simple"
INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL")
BINARIES = ("uv", "uvx")
WHEEL_NAME = re.compile(r"^uv-(?P<version>[^-]+)-py3-none-(?P<platforms>[^-]+)\.whl$")


class IndexFile(NamedTuple):
    filename: str
    url: str
    sha256: str


class Machine(NamedTuple):
    system: str  # platform.system(): Linux, Darwin
    arch: str  # platform.machine(): x86_64, aarch64, arm64
    libc: str  # "glibc", "musl" or "" (not Linux)
    libc_version: tuple[int, int]  # glibc's, or macOS's for Darwin


def compatible_platforms(machine: Machine) -> list[str]:
    """Wheel platform tags this machine runs, the most specific first (PEP 600, 656, macOS)."""
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine.arch.lower(), machine.arch.lower())
    major, minor = machine.libc_version
    if machine.system == "Linux" and machine.libc == "glibc":
        tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)] if major == 2 else []
        legacy = [("manylinux2014", 17), ("manylinux2010", 12), ("manylinux1", 5)]
        return tags + [f"{name}_{arch}" for name, glibc in legacy if glibc <= minor]
    if machine.system == "Linux" and machine.libc == "musl":
        return [f"musllinux_1_{m}_{arch}" for m in range(minor, -1, -1)]
    if machine.system == "Darwin":
        mac_arch = "arm64" if arch == "aarch64" else arch
        versions = [(major, m) for m in range(minor, -1, -1)]
        versions += [(older, 0) for older in range(major - 1, 10, -1)]
        versions += [(10, m) for m in range(15, 8, -1)]
        return [f"macosx_{a}_{b}_{kind}" for a, b in versions for kind in (mac_arch, "universal2")]
    return []


def choose_wheel(files: list[IndexFile], version: str, platforms: list[str]) -> IndexFile:
    """The release's wheel whose platform tags come first in `platforms`."""
    ranked: list[tuple[int, IndexFile]] = []
    for candidate in files:
        match = WHEEL_NAME.match(candidate.filename)
        if match is None or match["version"] != version:
            continue
        ranks = [platforms.index(tag) for tag in match["platforms"].split(".") if tag in platforms]
        if ranks:
            ranked.append((min(ranks), candidate))
    if not ranked:
        wanted = ", ".join(platforms[:3]) or "this platform"
        raise SystemExit(f"uv {version} has no wheel on the index for {wanted}")
    return min(ranked, key=lambda pair: pair[0])[1]


def this_machine() -> Machine:
    system = platform.system()
    if system == "Darwin":
        major, minor = ([int(p) for p in platform.mac_ver()[0].split(".") if p.isdigit()] + [0, 0])[
            :2
        ]
        return Machine(system, platform.machine(), "", (major, minor))
    libc, version = platform.libc_ver()
    if libc == "glibc":
        major, minor = (int(p) for p in version.split(".")[:2])
        return Machine(system, platform.machine(), "glibc", (major, minor))
    return Machine(system, platform.machine(), "musl", (1, 2))


class _Links(html.parser.HTMLParser):
    """The anchors of a PEP 503 project page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def parse_project_page(body: bytes, content_type: str, page_url: str) -> list[IndexFile]:
    """The files of a simple-API project page, JSON (PEP 691) or HTML (PEP 503), with hashes."""
    files: list[IndexFile] = []
    if "json" in content_type:
        for entry in json.loads(body)["files"]:
            digest = entry.get("hashes", {}).get("sha256", "")
            url = urllib.parse.urljoin(page_url, entry["url"])
            files.append(IndexFile(entry["filename"], url, digest))
        return files
    links = _Links()
    links.feed(body.decode("utf-8", "replace"))
    for href in links.hrefs:
        url, _, fragment = urllib.parse.urljoin(page_url, href).partition("#")
        digest = fragment[len("sha256=") :] if fragment.startswith("sha256=") else ""
        files.append(IndexFile(url.rsplit("/", 1)[-1], url, digest))
    return files


def index_url() -> str:
    for variable in INDEX_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            return value.rstrip("/")
    return DEFAULT_INDEX


def _get(url: str, accept: str) -> tuple[bytes, str]:
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "smsbus-make"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return answer.read(), answer.headers.get("Content-Type", "")


def extract_binaries(wheel: bytes, dest: Path) -> list[Path]:
    """Copy uv and uvx out of the wheel into `dest`, each replaced in one rename."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
        for name in BINARIES:
            member = next(
                (
                    m
                    for m in archive.namelist()
                    if re.fullmatch(rf"uv-[^/]+\.data/scripts/{name}", m)
                ),
                None,
            )
            if member is None:
                raise SystemExit(f"the wheel holds no {name} binary")
            handle, temporary = tempfile.mkstemp(dir=dest, prefix=f".{name}-")
            with os.fdopen(handle, "wb") as out:
                out.write(archive.read(member))
            os.chmod(temporary, 0o755)
            os.replace(temporary, dest / name)
            written.append(dest / name)
    return written


def install(version: str, dest: Path) -> Path:
    page = f"{index_url()}/uv/"
    body, content_type = _get(page, "application/vnd.pypi.simple.v1+json, text/html;q=0.1")
    files = parse_project_page(body, content_type, page)
    wheel = choose_wheel(files, version, compatible_platforms(this_machine()))
    if not re.fullmatch(r"[0-9a-f]{64}", wheel.sha256):
        raise SystemExit(f"the index gives no sha256 for {wheel.filename}: refusing to install it")
    print(f"installing uv {version} from {wheel.filename} into {dest}", flush=True)
    data, _ = _get(wheel.url, "application/octet-stream")
    if hashlib.sha256(data).hexdigest() != wheel.sha256:
        raise SystemExit(f"{wheel.filename}: sha256 differs from the index's: not installed")
    return extract_binaries(data, dest)[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dest", type=Path, default=Path.home() / ".local" / "bin")
    parser.add_argument("--version", default=UV_VERSION)
    args = parser.parse_args(argv)
    uv = install(args.version, args.dest.expanduser())
    print(f"installed {uv}", file=sys.stderr)


if __name__ == "__main__":
    main()
