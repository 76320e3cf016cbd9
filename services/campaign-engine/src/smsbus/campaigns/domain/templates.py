"""Message templates: `{first_name|there}`, `{if company}…{else}…{endif}`, any contact field.

A real parser: text → tokens (with positions) → tree → render. `{{` and `}}` are literal braces.
Rendering refuses a placeholder that resolves to nothing and has no fallback (`Unresolved`):
such a message is never sent.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")

STANDARD_FIELDS: frozenset[str] = frozenset(
    {"first_name", "last_name", "name", "company", "email", "phone", "state", "city", "zip"}
)


class TemplateError(ValueError):
    """A template that cannot be used, with the 0-based offset where the problem is."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.reason = message
        self.position = position


class Unresolved(LookupError):
    def __init__(self, field: str) -> None:
        super().__init__(f"placeholder {{{field}}} has no value and no fallback")
        self.field = field


# Tokens


@dataclass(frozen=True)
class Token:
    kind: Literal["text", "field", "if", "else", "endif"]
    position: int
    value: str = ""
    fallback: str | None = None


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    text: list[str] = []
    text_start = 0
    i = 0
    while i < len(source):
        char = source[i]
        if source.startswith("{{", i) or source.startswith("}}", i):
            if not text:
                text_start = i
            text.append(char)
            i += 2
            continue
        if char == "}":
            raise TemplateError("stray '}'", i)
        if char != "{":
            if not text:
                text_start = i
            text.append(char)
            i += 1
            continue
        end = source.find("}", i + 1)
        if end < 0:
            raise TemplateError("unclosed '{'", i)
        if text:
            tokens.append(Token("text", text_start, "".join(text)))
            text = []
        tokens.append(_tag(source[i + 1 : end], i))
        i = end + 1
    if text:
        tokens.append(Token("text", text_start, "".join(text)))
    return tokens


def _tag(body: str, position: int) -> Token:
    if "{" in body:
        raise TemplateError("unclosed '{'", position)
    stripped = body.strip()
    if stripped == "else":
        return Token("else", position)
    if stripped == "endif":
        return Token("endif", position)
    if stripped.startswith("if ") or stripped == "if":
        name = stripped[2:].strip()
        if not _NAME.fullmatch(name):
            raise TemplateError(f"'{{if}}' needs a field name, got {name!r}", position)
        return Token("if", position, name)
    name, bar, fallback = body.partition("|")
    name = name.strip()
    if not _NAME.fullmatch(name):
        raise TemplateError(f"not a field name: {name!r}", position)
    return Token("field", position, name, fallback if bar else None)


# Tree


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class Field:
    name: str
    fallback: str | None
    position: int


@dataclass(frozen=True)
class If:
    name: str
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]
    position: int


Node = Text | Field | If


@dataclass(frozen=True)
class Template:
    source: str
    nodes: tuple[Node, ...]

    def fields(self) -> set[str]:
        return _fields(self.nodes)


def _fields(nodes: tuple[Node, ...]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, Field):
            found.add(node.name)
        elif isinstance(node, If):
            found |= {node.name} | _fields(node.then) | _fields(node.otherwise)
    return found


def parse(source: str, *, known_fields: Collection[str] | None = None) -> Template:
    """The template's tree; TemplateError (with a position) on any syntax or unknown field."""
    tokens = tokenize(source)
    stack: list[tuple[Token, list[Node], list[Node] | None]] = []
    current: list[Node] = []
    for token in tokens:
        if token.kind == "text":
            current.append(Text(token.value.replace("{{", "{").replace("}}", "}")))
        elif token.kind == "field":
            _check_known(token, known_fields)
            current.append(Field(token.value, token.fallback, token.position))
        elif token.kind == "if":
            _check_known(token, known_fields)
            stack.append((token, current, None))
            current = []
        elif token.kind == "else":
            if not stack or stack[-1][2] is not None:
                raise TemplateError("'{else}' without an open '{if}'", token.position)
            opener, outer, _ = stack.pop()
            stack.append((opener, outer, current))
            current = []
        else:  # endif
            if not stack:
                raise TemplateError("stray '{endif}'", token.position)
            opener, outer, then = stack.pop()
            branch = (tuple(then), tuple(current)) if then is not None else (tuple(current), ())
            outer.append(If(opener.value, branch[0], branch[1], opener.position))
            current = outer
    if stack:
        raise TemplateError("unclosed '{if}' block", stack[-1][0].position)
    return Template(source, tuple(current))


def _check_known(token: Token, known_fields: Collection[str] | None) -> None:
    if known_fields is not None and token.value not in known_fields:
        raise TemplateError(f"unknown field {token.value!r}", token.position)


# Rendering


def render(template: Template, values: Mapping[str, object]) -> str:
    """The text for one contact; Unresolved when a needed value is missing without fallback."""
    return "".join(_render(template.nodes, values))


def _render(nodes: tuple[Node, ...], values: Mapping[str, object]) -> list[str]:
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.value)
        elif isinstance(node, Field):
            value = _value(values, node.name)
            if value is None:
                if node.fallback is None:
                    raise Unresolved(node.name)
                value = node.fallback
            out.append(value)
        else:
            branch = node.then if _value(values, node.name) is not None else node.otherwise
            out.extend(_render(branch, values))
    return out


def _value(values: Mapping[str, object], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# Encoding and segments

_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€\f")

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class Segments:
    encoding: Encoding
    units: int
    """Septets for GSM-7 (extension characters count 2), UTF-16 code units for UCS-2."""
    segments: int


def segments(text: str) -> Segments:
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, multi = 160, 153
        encoding: Encoding = "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "UCS-2"
    count = 0 if units == 0 else 1 if units <= single else -(-units // multi)
    return Segments(encoding, units, count)
