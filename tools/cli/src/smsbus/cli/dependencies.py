"""Each workspace package declares what its code imports, and imports what it declares.

`python -m smsbus.cli.dependencies` (in `make lint`): for every member of the uv workspace, the
distributions its src/ imports (third-party ones through the installed packages' metadata,
workspace ones by their import root) against its [project] dependencies. It fails on an import
not declared (it works today only because another dependency happens to bring it) and on a
dependency never imported, unless that one is loaded by other means (RUNTIME_ONLY). A test
harness shipped in src/ (`testing*` modules, loaded by pytest) may also import what the root
pyproject's dev group declares.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

# Declared for a reason no import shows; each says what loads it.
RUNTIME_ONLY: dict[str, str] = {
    "asyncpg": "SQLAlchemy loads the driver named by the URL (postgresql+asyncpg://)",
    "uvicorn": "runs a service's app; services start it through smsbus.runtime.serving",
    "uvloop": "uvicorn picks up libuv's event loop on its own when installed",
    "httptools": "uvicorn picks up the C HTTP parser on its own when installed",
    "python-multipart": "FastAPI parses the form and file uploads of the import APIs with it",
}

# Importable modules that belong to another distribution's release: pydantic pins its compiled
# core to one exact version, and its docs import `pydantic_core` names (to_json, from_json).
PART_OF: dict[str, str] = {"pydantic-core": "pydantic"}

TEST_SUPPORT = "testing"
"""A module named so (`testing.py`, `testing_guards.py`) or a `testing` package is a pytest
harness: dev-group imports are allowed there."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    """The distribution name, normalised."""
    path: Path
    declared: frozenset[str]
    """Normalised distribution names of [project] dependencies."""
    roots: frozenset[str]
    """What the member's own code is imported as: `smsbus.ingest`, `example_subscriber`."""


def normalise(distribution: str) -> str:
    """PEP 503: `Prometheus_Client` and `prometheus-client` are one distribution."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def requirement_name(requirement: str) -> str:
    """`faststream[kafka]>=0.7.8,<0.8` -> `faststream`."""
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if found is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return normalise(found.group(1))


def import_roots(src: Path) -> frozenset[str]:
    """The packages under src/, one level into a namespace package (no __init__.py)."""
    roots = set()
    for top in _packages(src):
        if (top / "__init__.py").exists():
            roots.add(top.name)
        else:
            roots.update(f"{top.name}.{sub.name}" for sub in _packages(top))
    return frozenset(roots)


def _packages(folder: Path) -> list[Path]:
    return [
        p for p in folder.iterdir() if p.is_dir() and p.name.isidentifier() and p.name[0] != "_"
    ]


def load_member(path: Path) -> Member:
    project = tomllib.loads((path / "pyproject.toml").read_text())["project"]
    return Member(
        name=normalise(project["name"]),
        path=path,
        declared=frozenset(requirement_name(r) for r in project.get("dependencies", [])),
        roots=import_roots(path / "src"),
    )


@dataclass(frozen=True, slots=True)
class Imports:
    code: frozenset[str]
    test_support: frozenset[str]
    """Imported by the member's `testing` harness only."""


def imported_modules(src: Path) -> Imports:
    """Every absolute module name imported anywhere under src/, lazy imports included."""
    code: set[str] = set()
    test_support: set[str] = set()
    for source in src.rglob("*.py"):
        harness = source.stem.startswith(TEST_SUPPORT) or source.parent.name == TEST_SUPPORT
        into = test_support if harness else code
        for node in ast.walk(ast.parse(source.read_bytes(), filename=str(source))):
            if isinstance(node, ast.Import):
                into.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                into.add(node.module)
    return Imports(frozenset(code), frozenset(test_support - code))


def problems(
    member: Member,
    imported: Imports,
    *,
    workspace: Mapping[str, str],
    distributions: Mapping[str, list[str]],
    dev: frozenset[str] = frozenset(),
) -> list[str]:
    """What is wrong with `member`'s declarations. `workspace` maps each member's import root
    to its distribution; `distributions` maps a top-level module to the distributions that
    provide it (importlib.metadata.packages_distributions()); `dev` is the dev group."""
    used: set[str] = set()
    undeclared: dict[str, list[str]] = {}
    unknown = []
    for module in sorted(imported.code | imported.test_support):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top == "__future__":
            continue
        owner = next((root for root in workspace if _within(module, root)), None)
        if owner is not None:
            provided = {workspace[owner]}
        elif top in distributions:
            provided = {PART_OF.get(n, n) for n in map(normalise, distributions[top])}
        else:
            unknown.append(f"imports {module}, which no installed distribution provides")
            continue
        if member.name in provided:
            continue
        used |= provided
        allowed = member.declared | (dev if module in imported.test_support else frozenset())
        if not provided & allowed:
            undeclared.setdefault(" or ".join(sorted(provided)), []).append(module)
    found = unknown + [
        f"imports {', '.join(modules)} but does not declare {name}"
        for name, modules in undeclared.items()
    ]
    found += [
        f"declares {name} but never imports it"
        for name in sorted(member.declared - used - RUNTIME_ONLY.keys())
    ]
    return sorted(found)


def _within(module: str, root: str) -> bool:
    return module == root or module.startswith(root + ".")


def workspace(root: Path) -> tuple[list[Member], frozenset[str]]:
    """The members listed by the root pyproject's [tool.uv.workspace] (globs), and its dev group."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["uv"]["workspace"]["members"]
    paths = sorted({p.parent for g in patterns for p in root.glob(f"{g}/pyproject.toml")})
    dev = config.get("dependency-groups", {}).get("dev", [])
    return [load_member(path) for path in paths], frozenset(map(requirement_name, dev))


def main(root: Path | None = None) -> int:
    """Checks the workspace at `root`, by default the current directory (`make lint` runs it
    from the repository's root)."""
    root = root or Path.cwd()
    members, dev = workspace(root)
    roots = {r: m.name for m in members for r in m.roots}
    distributions = packages_distributions()
    failed = 0
    for member in members:
        imported = imported_modules(member.path / "src")
        for problem in problems(
            member, imported, workspace=roots, distributions=distributions, dev=dev
        ):
            print(f"{member.path.relative_to(root)}: {problem}", file=sys.stderr)
            failed += 1
    if failed:
        print(f"dependencies: {failed} problem(s); fix the pyproject.toml above", file=sys.stderr)
        return 1
    print(f"dependencies: the {len(members)} workspace packages declare what they import")
    return 0


if __name__ == "__main__":
    sys.exit(main())
