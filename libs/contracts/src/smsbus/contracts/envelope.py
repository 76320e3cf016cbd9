"""The one envelope every event travels in, on every topic."""

from typing import Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

PayloadT = TypeVar("PayloadT", bound=BaseModel)


class Envelope(BaseModel, Generic[PayloadT]):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    event_id: str = Field(min_length=1)
    """OpenPhone's event id for webhooks; deterministic for synthetic events."""
    type: str = Field(min_length=1)
    """The event type, e.g. `message.received`; the topic registry routes by it."""
    schema_version: int = Field(ge=1)
    """Major version of the payload contract."""
    source: str = Field(min_length=1)
    """Who produced it: `openphone.webhook`, `reconciler`, `health-monitor` or a service name."""
    occurred_at: AwareDatetime
    """When it happened, in provider time."""
    recorded_at: AwareDatetime
    """When we recorded it."""
    dedupe_key: str = Field(min_length=1)
    """`<type>:<object id>`: equal for a webhook and a reconciled copy of the same fact."""
    correlation_id: str | None = None
    data: PayloadT
