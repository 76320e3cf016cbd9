"""Every SMSBUS_ variable, read from where it is declared: the settings classes (the runtime's
shared one and each service's), the local stack's own variables and docker-compose.yml's.

A variable's meaning is its field's description or attribute docstring; a field with neither is
an error (`Undocumented`), so a setting cannot be added without saying what it does.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import json
import re
import textwrap
import typing
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import AliasChoices, BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, NoDecode

from smsbus.cli.stack.config import StackConfig
from smsbus.cli.stack.services import KNOWN_SERVICES
from smsbus.cli.stack.variables import STACK_VARIABLES
from smsbus.runtime.settings import ServiceSettings

SECRET_PLACEHOLDER = "<secret>"
SHARED = "shared by several services"

# Fields every service has, named alike: one meaning for all, unless the field says otherwise.
CONVENTIONS = {
    "host": "Interface the HTTP server binds; anything but loopback exposes it (0.0.0.0 in a "
    "container): a deliberate choice, made only behind SMSBUS_API_TOKENS.",
    "port": "HTTP port.",
    "db_schema": "The PostgreSQL schema this service owns (tests use their own).",
    "group_id": "Kafka consumer group of this service's subscriptions.",
}
TOPIC_MEANING = "Kafka topic; the registry's (DESIGN.md §1) unless a test or bench redirects it."

# docker-compose.yml's own knobs, read by compose from the environment or .env.
COMPOSE_MEANINGS = {
    "SMSBUS_GRAFANA_ADMIN_USER": "Grafana's admin user in docker compose (anonymous visitors "
    "only view).",
    "SMSBUS_GRAFANA_ADMIN_PASSWORD": "Grafana's admin password in docker compose.",
}
COMPOSE_VARIABLE = re.compile(r"\$\{(SMSBUS_[A-Z0-9_]+)(?::?-([^}]*))?\}")


class Undocumented(Exception):
    """Settings fields without a description or docstring."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str  # as written in the environment; "" for none
    meaning: str
    required: bool = False
    secret: bool = False
    choices: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other names it is read from
    local: str | None = None  # what `make up` gives it, when that differs from the default
    readers: tuple[str, ...] = ()  # the sections that read it


@dataclass(frozen=True)
class Section:
    title: str
    readme: str | None  # the README (repository-relative) that documents it
    variables: tuple[Variable, ...]


def docstrings(cls: type) -> dict[str, str]:
    """Attribute docstrings of a class body: the string right after `name: type = ...`."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return {}
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    found = {}
    for statement, following in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


def meaning_of(cls: type[BaseModel], name: str, field: FieldInfo) -> str | None:
    if field.description:
        return field.description
    for klass in cls.__mro__:
        if name in vars(klass).get("__annotations__", {}):
            documented = docstrings(klass).get(name)
            if documented:
                return " ".join(documented.split("\n\n")[0].split())
    if name.endswith("_topic"):
        return TOPIC_MEANING
    return CONVENTIONS.get(name)


def env_names(cls: type[BaseSettings], name: str, field: FieldInfo) -> tuple[str, ...]:
    alias = field.validation_alias
    if isinstance(alias, str):
        return (alias,)
    if isinstance(alias, AliasChoices):
        names = tuple(c for c in alias.choices if isinstance(c, str) and c.startswith("SMSBUS_"))
        if names:
            return names
    return ((str(cls.model_config.get("env_prefix", "")) + name).upper(),)


def env_value(value: object, field: FieldInfo) -> str:
    """A default as one would write it in the environment."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple | set):
        if NoDecode in field.metadata:
            return ",".join(env_value(item, field) for item in value)
        return json.dumps(list(value))
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _choices(annotation: object) -> tuple[str, ...]:
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(choice) for choice in typing.get_args(annotation))
    for inner in typing.get_args(annotation):  # Optional[Literal[...]]
        if typing.get_origin(inner) is typing.Literal:
            return _choices(inner)
    return ()


def _is_secret(annotation: object) -> bool:
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def shared_name(name: str) -> bool:
    """A runtime field read under one unprefixed name by every service (SMSBUS_KAFKA_BOOTSTRAP);
    the runtime's other fields (topic_overrides) are each service's, under its prefix."""
    field = ServiceSettings.model_fields.get(name)
    return field is not None and field.validation_alias is not None


def settings_variables(cls: type[BaseSettings], *, own_only: bool) -> tuple[Variable, ...]:
    """The class's variables in declaration order; with own_only, not the shared runtime's;
    without, only those."""
    variables, missing = [], []
    for name, field in cls.model_fields.items():
        if shared_name(name) is own_only:
            continue
        meaning = meaning_of(cls, name, field)
        if meaning is None:
            missing.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
            continue
        primary, *others = env_names(cls, name, field)
        default = field.get_default(call_default_factory=True)
        variables.append(
            Variable(
                name=primary,
                default="" if default is PydanticUndefined else env_value(default, field),
                meaning=meaning,
                required=default is PydanticUndefined,
                secret=_is_secret(field.annotation),
                choices=_choices(field.annotation),
                also=tuple(others),
            )
        )
    if missing:
        raise Undocumented("settings without a docstring or description: " + ", ".join(missing))
    return tuple(variables)


def settings_class(module_name: str) -> type[BaseSettings]:
    """The one ServiceSettings subclass a service's `settings` module defines."""
    module = importlib.import_module(f"{module_name}.settings")
    found = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, ServiceSettings)
        and value.__module__ == module.__name__
    ]
    if len(found) != 1:
        raise LookupError(f"{module.__name__} should define one ServiceSettings subclass")
    return found[0]


def member_readme(module_name: str, repo: Path) -> str | None:
    """The README.md of the workspace member that holds a module."""
    location = Path(inspect.getfile(importlib.import_module(module_name))).resolve()
    for folder in location.parents:
        if (folder / "pyproject.toml").is_file():
            return str((folder / "README.md").relative_to(repo)) if folder != repo else None
    return None


def with_local_values(variables: Iterable[Variable], local: dict[str, str]) -> list[Variable]:
    """Note what `make up` gives a variable where that differs from its default."""
    noted = []
    for variable in variables:
        given = local.get(variable.name)
        if given is not None and given != variable.default:
            variable = replace(variable, local=SECRET_PLACEHOLDER if variable.secret else given)
        noted.append(variable)
    return noted


def compose_variables(compose_text: str, known: set[str]) -> tuple[Variable, ...]:
    """docker-compose.yml's `${SMSBUS_…}` that no settings class or the stack declares."""
    found: dict[str, Variable] = {}
    for name, default in COMPOSE_VARIABLE.findall(compose_text):
        if name in known or name in found:
            continue
        meaning = COMPOSE_MEANINGS.get(name)
        if meaning is None:
            raise Undocumented(
                f"docker-compose.yml reads {name}: add its meaning to COMPOSE_MEANINGS"
            )
        found[name] = Variable(name=name, default=default, meaning=meaning)
    return tuple(found.values())


def catalog(repo: Path) -> list[Section]:
    """Every section of `.env.example`, in order: shared, each service's, the stack's, compose's."""
    local = StackConfig(repo=repo, env={}).local_wiring()
    services = []
    for spec in KNOWN_SERVICES:
        cls = settings_class(spec.module)
        own = with_local_values(settings_variables(cls, own_only=True), local)
        readme = member_readme(spec.module, repo)
        services.append(
            Section(spec.name, readme, tuple(replace(v, readers=(spec.name,)) for v in own))
        )

    readers: dict[str, list[str]] = {}
    for section in services:
        for variable in section.variables:
            readers.setdefault(variable.name, []).append(section.title)
    shared_names = {name for name, who in readers.items() if len(who) > 1}
    shared: dict[str, Variable] = {}
    for section in services:
        for variable in section.variables:
            if variable.name in shared_names and variable.name not in shared:
                shared[variable.name] = replace(variable, readers=tuple(readers[variable.name]))

    runtime = settings_variables(ServiceSettings, own_only=False)
    stack = [
        Variable(
            name=v.name, default="" if v.secret else v.default, meaning=v.meaning, secret=v.secret
        )
        for v in STACK_VARIABLES
    ]
    known = {v.name for s in services for v in s.variables} | {v.name for v in [*runtime, *stack]}
    compose_text = (repo / "docker-compose.yml").read_text()
    return [
        Section("every service", member_readme("smsbus.runtime", repo), runtime),
        Section(SHARED, None, tuple(shared.values())),
        *services,
        Section("the local stack", member_readme("smsbus.cli", repo), tuple(stack)),
        Section("docker compose", None, compose_variables(compose_text, known)),
    ]
