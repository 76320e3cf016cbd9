import pytest

from smsbus.campaigns.domain.templates import (
    STANDARD_FIELDS,
    TemplateError,
    Unresolved,
    parse,
    render,
    segments,
)
from smsbus.runtime.testing import labelled

RENDER = [
    ("seed conditional", "Hi {first_name|there}! {if company}We see you work at {company}.{endif}",
     {"first_name": "John", "company": "Acme Corp"}, "Hi John! We see you work at Acme Corp."),
    ("seed fallback", "Hi {first_name|valued customer}!", {"first_name": None}, "Hi valued customer!"),
    ("blank is missing", "Hi {first_name|there}", {"first_name": "  "}, "Hi there"),
    ("else branch", "{if company}At {company}{else}Hello{endif}", {}, "Hello"),
    ("nested", "{if a}{if b}AB{else}A{endif}{endif}", {"a": "1"}, "A"),
    ("custom field", "Your quote {quote_id|}", {"quote_id": "Q7"}, "Your quote Q7"),
    ("empty fallback", "x{nick|}y", {}, "xy"),
    ("escaped braces", "{{literal}} {first_name}", {"first_name": "Jo"}, "{literal} Jo"),
]  # fmt: skip


@pytest.mark.parametrize(("source", "values", "expected"), labelled(RENDER))
def test_render(source: str, values: dict[str, object], expected: str) -> None:
    assert render(parse(source), values) == expected


def test_unresolved_placeholder_without_fallback_refuses() -> None:
    with pytest.raises(Unresolved) as caught:
        render(parse("Hi {first_name}"), {"first_name": None})
    assert caught.value.field == "first_name"


ERRORS = [
    ("unknown field", "Hi {frist_name}", "unknown field 'frist_name'", 3),
    ("unclosed block", "A {if company}B", "unclosed '{if}' block", 2),
    ("stray endif", "A {endif}", "stray '{endif}'", 2),
    ("stray else", "{else}", "'{else}' without an open '{if}'", 0),
    ("double else", "{if company}a{else}b{else}c{endif}", "'{else}' without an open '{if}'", 20),
    ("unclosed brace", "Hi {first_name", "unclosed '{'", 3),
    ("stray close", "Hi }", "stray '}'", 3),
    ("bad name", "Hi {first name}", "not a field name: 'first name'", 3),
    ("if without field", "{if }x{endif}", "'{if}' needs a field name, got ''", 0),
]  # fmt: skip


@pytest.mark.parametrize(("source", "reason", "position"), labelled(ERRORS))
def test_validation_errors_have_positions(source: str, reason: str, position: int) -> None:
    with pytest.raises(TemplateError) as caught:
        parse(source, known_fields=STANDARD_FIELDS)
    assert (caught.value.reason, caught.value.position) == (reason, position)


SEGMENTS = [
    ("empty", "", "GSM-7", 0, 0),
    ("160 gsm", "a" * 160, "GSM-7", 160, 1),
    ("161 gsm", "a" * 161, "GSM-7", 161, 2),
    ("306 gsm", "a" * 306, "GSM-7", 306, 2),
    ("307 gsm", "a" * 307, "GSM-7", 307, 3),
    ("extension chars count 2", "€" * 80, "GSM-7", 160, 1),
    ("extension over", "€" * 81, "GSM-7", 162, 2),
    ("70 ucs2", "é" * 69 + "ł", "UCS-2", 70, 1),
    ("71 ucs2", "ł" * 71, "UCS-2", 71, 2),
    ("emoji is two units", "😀" * 35, "UCS-2", 70, 1),
    ("134 ucs2", "ł" * 134, "UCS-2", 134, 2),
    ("135 ucs2", "ł" * 135, "UCS-2", 135, 3),
]  # fmt: skip


@pytest.mark.parametrize(("text", "encoding", "units", "count"), labelled(SEGMENTS))
def test_segments(text: str, encoding: str, units: int, count: int) -> None:
    found = segments(text)
    assert (found.encoding, found.units, found.segments) == (encoding, units, count)
