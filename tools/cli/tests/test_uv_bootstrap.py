"""How `make` installs uv without pip: the wheel for this machine, checked, its binaries copied out."""

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

from smsbus.cli.uv_bootstrap import (
    IndexFile,
    Machine,
    choose_wheel,
    compatible_platforms,
    extract_binaries,
    parse_project_page,
)

# The platform part of uv 0.13.9's wheels on PyPI (the sdist and Windows left out).
RELEASE = [
    "linux_armv6l",
    "macosx_10_12_x86_64",
    "macosx_11_0_arm64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
    "manylinux_2_17_armv7l.manylinux2014_armv7l",
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_28_aarch64",
    "musllinux_1_1_x86_64",
]
FILES = [
    IndexFile(f"uv-0.13.9-py3-none-{tags}.whl", f"https://x/{tags}", "0" * 64) for tags in RELEASE
]
OLDER = IndexFile("uv-0.9.0-py3-none-manylinux_2_17_x86_64.whl", "https://x/old", "0" * 64)


@pytest.mark.parametrize(
    ("machine", "wheel_platforms"),
    [
        (
            Machine("Linux", "x86_64", "glibc", (2, 36)),
            "manylinux_2_17_x86_64.manylinux2014_x86_64",
        ),
        (Machine("Linux", "x86_64", "musl", (1, 2)), "musllinux_1_1_x86_64"),
        (Machine("Linux", "aarch64", "glibc", (2, 36)), "manylinux_2_28_aarch64"),
        (
            Machine("Linux", "aarch64", "glibc", (2, 27)),
            "manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64",
        ),
        (Machine("Darwin", "arm64", "", (14, 5)), "macosx_11_0_arm64"),
        (Machine("Darwin", "x86_64", "", (13, 0)), "macosx_10_12_x86_64"),
    ],
)
def test_the_wheel_built_for_the_machine_is_chosen(machine: Machine, wheel_platforms: str) -> None:
    chosen = choose_wheel([OLDER, *FILES], "0.13.9", compatible_platforms(machine))

    assert chosen.filename == f"uv-0.13.9-py3-none-{wheel_platforms}.whl"


def test_a_machine_no_wheel_runs_on_is_refused() -> None:
    too_old = Machine("Linux", "x86_64", "glibc", (2, 12))

    with pytest.raises(SystemExit, match=r"uv 0\.13\.9 has no wheel"):
        choose_wheel(FILES, "0.13.9", compatible_platforms(too_old))


def test_another_release_is_never_taken() -> None:
    glibc = compatible_platforms(Machine("Linux", "x86_64", "glibc", (2, 36)))

    with pytest.raises(SystemExit):
        choose_wheel([OLDER], "0.13.9", glibc)


def test_the_json_and_the_html_simple_api_give_the_same_files() -> None:
    page = "https://mirror.example/simple/uv/"
    digest = "ab" * 32
    as_json = json.dumps(
        {
            "files": [
                {
                    "filename": "uv-1-py3-none-any.whl",
                    "url": "../../f/uv-1-py3-none-any.whl",
                    "hashes": {"sha256": digest},
                }
            ]
        }
    ).encode()
    as_html = f'<html><body><a href="../../f/uv-1-py3-none-any.whl#sha256={digest}">uv-1</a></body></html>'.encode()
    expected = [
        IndexFile("uv-1-py3-none-any.whl", "https://mirror.example/f/uv-1-py3-none-any.whl", digest)
    ]

    assert parse_project_page(as_json, "application/vnd.pypi.simple.v1+json", page) == expected
    assert parse_project_page(as_html, "text/html", page) == expected


def test_the_binaries_come_out_executable(tmp_path: Path) -> None:
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("uv-0.13.9.data/scripts/uv", b"uv binary")
        archive.writestr("uv-0.13.9.data/scripts/uvx", b"uvx binary")
        archive.writestr("uv/__init__.py", b"")

    written = extract_binaries(wheel.getvalue(), tmp_path / "bin")

    assert [p.name for p in written] == ["uv", "uvx"]
    assert (tmp_path / "bin/uv").read_bytes() == b"uv binary"
    assert (tmp_path / "bin/uv").stat().st_mode & stat.S_IXUSR
    assert sorted(p.name for p in (tmp_path / "bin").iterdir()) == ["uv", "uvx"]
