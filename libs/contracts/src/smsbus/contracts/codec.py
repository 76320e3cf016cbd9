"""Build, encode and decode envelopes, typing `data` by the model the registry names."""

from functools import cache
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from smsbus.contracts.envelope import Envelope, PayloadT
from smsbus.contracts.topics import route_for


class _EnvelopeHead(BaseModel):
    """Just enough of an envelope to pick the payload model."""

    model_config = ConfigDict(extra="ignore")

    type: str


@cache
def envelope_model(model: type[BaseModel]) -> type[Envelope[Any]]:
    """`Envelope[model]`, built once per model."""
    return Envelope[model]  # type: ignore[valid-type]


def make_envelope(
    data: PayloadT,
    *,
    event_type: str,
    event_id: str,
    object_id: str,
    source: str,
    occurred_at: AwareDatetime,
    recorded_at: AwareDatetime,
    correlation_id: str | None = None,
) -> Envelope[PayloadT]:
    """An envelope for `data`, with the schema version and dedupe key the registry implies."""
    route = route_for(event_type)
    if not isinstance(data, route.model):
        raise TypeError(f"{event_type} carries {route.model.__name__}, got {type(data).__name__}")
    return envelope_model(route.model)(
        event_id=event_id,
        type=event_type,
        schema_version=route.schema_version,
        source=source,
        occurred_at=occurred_at,
        recorded_at=recorded_at,
        dedupe_key=f"{event_type}:{object_id}",
        correlation_id=correlation_id,
        data=data,
    )


def encode_event(envelope: Envelope[Any]) -> bytes:
    return envelope.model_dump_json(by_alias=True).encode()


def decode_event(raw: bytes | str | dict[str, Any]) -> Envelope[Any]:
    """Raises pydantic's ValidationError on a malformed envelope or payload, UnknownEventType
    on a type the registry does not know."""
    if isinstance(raw, dict):
        model = route_for(_EnvelopeHead.model_validate(raw).type).model
        return envelope_model(model).model_validate(raw)
    model = route_for(_EnvelopeHead.model_validate_json(raw).type).model
    return envelope_model(model).model_validate_json(raw)
