"""OpenPhone's three webhook payload generations onto one canonical contract.

The envelope (`id`, `type`, `apiVersion`, `createdAt`, `data`) is the same in every generation;
`apiVersion` picks the module that maps `data` onto the canonical payload model, which the
topic registry names for the event type. Each module has the same surface: `API_VERSIONS`,
`TYPE_ALIASES` and `to_canonical(model, data)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from types import ModuleType
from typing import Any, Final

from pydantic import AwareDatetime, TypeAdapter, ValidationError
from pydantic_core import from_json

from smsbus.contracts import ROUTES, ProviderModel
from smsbus.ingest.parsing import app, v4, versioned
from smsbus.ingest.parsing.common import ParsedWebhook, Unparseable, require_object

__all__ = ["GENERATIONS", "WEBHOOK_TYPES", "ParsedWebhook", "Unparseable", "parse_webhook"]

GENERATIONS: Final[tuple[ModuleType, ...]] = (v4, app, versioned)
_BY_VERSION: Final = {version: module for module in GENERATIONS for version in module.API_VERSIONS}

# What OpenPhone may send us: the registry's events that carry an OpenPhone object
# (not, say, `webhook.rejected`, which only we emit).
WEBHOOK_TYPES: Final = {
    route.event_type: route for route in ROUTES if issubclass(route.model, ProviderModel)
}

_TIMESTAMP: Final = TypeAdapter(AwareDatetime)


def parse_webhook(body: bytes) -> ParsedWebhook:
    """The canonical webhook, or Unparseable saying why not (with what the body claimed)."""
    payload = _load_json(body)
    if not isinstance(payload, dict):
        raise Unparseable("invalid_payload", f"the body is a JSON {type(payload).__name__}")
    claimed_type = _text(payload.get("type"))
    event_id = _text(payload.get("id"))
    try:
        return _parse(payload, claimed_type, event_id)
    except Unparseable as exc:
        exc.event_type = exc.event_type or claimed_type
        exc.event_id = exc.event_id or event_id
        raise


def _load_json(body: bytes) -> Any:
    # pydantic-core's parser is ~4x faster than the json module on a webhook and gives the
    # same values for UTF-8 JSON. What it refuses (a BOM, UTF-16/32, lone surrogate escapes)
    # gets the json module's verdict, so exactly what json.loads accepts is accepted.
    try:
        return from_json(body)
    except ValueError:
        pass
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError alike
        raise Unparseable("malformed_json", f"the body is not JSON: {exc}") from None


def _parse(
    payload: Mapping[str, Any], claimed_type: str | None, event_id: str | None
) -> ParsedWebhook:
    api_version = payload.get("apiVersion")
    generation = _BY_VERSION.get(api_version) if isinstance(api_version, str) else None
    if generation is None:
        raise Unparseable(
            "unsupported_api_version",
            f"apiVersion {api_version!r}; known: {', '.join(sorted(_BY_VERSION))}",
        )
    if claimed_type is None:
        raise Unparseable("invalid_payload", "type is missing")
    event_type = generation.TYPE_ALIASES.get(claimed_type, claimed_type)
    route = WEBHOOK_TYPES.get(event_type)
    if route is None:
        raise Unparseable("unknown_event_type", f"no route for event type {claimed_type!r}")
    if event_id is None:
        raise Unparseable("invalid_payload", "id is missing", event_type=event_type)
    try:
        occurred_at: datetime = _TIMESTAMP.validate_python(payload.get("createdAt"))
    except ValidationError as exc:
        detail = "createdAt: " + exc.errors(include_input=False)[0]["msg"]
        raise Unparseable("invalid_payload", detail, event_type=event_type) from None
    try:
        data = route.model.model_validate(
            generation.to_canonical(route.model, require_object(payload.get("data"), "data"))
        )
    except ValidationError as exc:
        raise Unparseable("invalid_payload", _summary(exc), event_type=event_type) from None
    except Unparseable as exc:
        exc.event_type = event_type
        raise
    return ParsedWebhook(
        event_type=event_type,
        event_id=event_id,
        occurred_at=occurred_at,
        data=data,
        api_version=str(api_version),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _summary(exc: ValidationError, limit: int = 5) -> str:
    """Which fields failed and why, without echoing the values (they may be phone numbers)."""
    errors = exc.errors(include_input=False, include_url=False)
    parts = [f"{'.'.join(map(str, e['loc'])) or exc.title}: {e['msg']}" for e in errors[:limit]]
    more = f" (+{len(errors) - limit} more)" if len(errors) > limit else ""
    return f"{exc.title}: " + "; ".join(parts) + more
