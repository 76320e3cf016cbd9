"""What every generation's parser shares: the result, the refusal, small field helpers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from smsbus.contracts import RejectionReason

Fields = dict[str, Any]


@dataclass(frozen=True, slots=True)
class ParsedWebhook:
    """One webhook in canonical form: what the envelope builder needs, nothing else."""

    event_type: str
    """The registry's name for it (aliases resolved)."""
    event_id: str
    """OpenPhone's event id (`EV…`), the same on every delivery of the event."""
    occurred_at: datetime
    data: BaseModel
    """The canonical payload model the registry names for `event_type`."""
    api_version: str


class Unparseable(Exception):
    """An authentic webhook we cannot turn into a contract; it goes to ingest.rejected.v1."""

    def __init__(
        self,
        reason: RejectionReason,
        detail: str,
        *,
        event_type: str | None = None,
        event_id: str | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: RejectionReason = reason
        self.detail = detail
        self.event_type = event_type
        self.event_id = event_id


def as_list(value: Any) -> Any:
    """A recipient list from an array, a string, or a comma-separated string (app payloads)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def renamed(fields: Mapping[str, Any], renames: Mapping[str, str]) -> Fields:
    """`fields` with keys renamed; a key already spelled canonically wins over its old name."""
    out = {renames.get(key, key): value for key, value in fields.items() if key not in renames}
    for old, new in renames.items():
        if old in fields and new not in out:
            out[new] = fields[old]
    return out


def require_object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Unparseable("invalid_payload", f"{where} is missing or not an object")
    return value
