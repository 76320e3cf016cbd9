"""API-created webhooks (`POST /v1/webhooks/...`), `apiVersion` "v4": the canonical shape itself.

    {"id": "EV…", "object": "event", "apiVersion": "v4", "createdAt": "…",
     "type": "message.received",
     "data": {"object": {"id": "AC…", "object": "message", "from": "+1…", "to": ["+1…"],
                         "direction": "incoming", "text": "…", "status": "received", …}}}

Quirks: the guide names the AI events `callSummary` / `callTranscript` on the envelope while
subscriptions use the dotted names; both are accepted. Samples: testdata/v4/.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from smsbus.ingest.parsing.common import Fields, require_object

API_VERSIONS = frozenset({"v4"})

TYPE_ALIASES: Mapping[str, str] = {
    "callSummary": "call.summary.completed",
    "callTranscript": "call.transcript.completed",
}


def to_canonical(model: type[BaseModel], data: Mapping[str, Any]) -> Fields:  # noqa: ARG001
    """The payload fields as the canonical model spells them: here, `data.object` as is."""
    return dict(require_object(data.get("object"), "data.object"))
