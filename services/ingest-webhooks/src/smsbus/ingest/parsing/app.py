"""App-created webhooks (the OpenPhone app's settings), `apiVersion` "v2" or "v3".

    {"id": "EV…", "object": "event", "apiVersion": "v2", "createdAt": "…",
     "type": "message.received",
     "data": {"object": {"id": "AC…", "object": "message", "from": "+1…", "to": "+1…",
                         "direction": "incoming", "body": "…", "status": "received", …}}}

Quirks, as data below: the message text is `body`; `to` is a string, a comma-separated string
for group messages (v3) or an array; calls carry `from`/`to` instead of `participants`, and the
canonical participants are the external side (the caller of an incoming call, the callee of an
outgoing one). Samples: testdata/app/.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel

from smsbus.contracts import Call, Message
from smsbus.ingest.parsing.common import Fields, as_list, renamed, require_object

API_VERSIONS = frozenset({"v2", "v3"})

TYPE_ALIASES: Mapping[str, str] = {
    "callSummary": "call.summary.completed",
    "callTranscript": "call.transcript.completed",
}

MESSAGE_RENAMES: Mapping[str, str] = {"body": "text"}

# Which of a call's two ends is the external participant, by direction.
EXTERNAL_END: Mapping[str, str] = {"incoming": "from", "outgoing": "to"}


def _message(fields: Mapping[str, Any]) -> Fields:
    out = renamed(fields, MESSAGE_RENAMES)
    if "to" in out:
        out["to"] = as_list(out["to"])
    return out


def _call(fields: Mapping[str, Any]) -> Fields:
    out = {key: value for key, value in fields.items() if key not in ("from", "to")}
    if "participants" not in out:
        end = EXTERNAL_END.get(str(fields.get("direction")))
        if end is not None and fields.get(end) is not None:
            out["participants"] = as_list(fields[end])
    return out


_BY_MODEL: Mapping[type, Callable[[Mapping[str, Any]], Fields]] = {
    Message: _message,
    Call: _call,
}


def to_canonical(model: type[BaseModel], data: Mapping[str, Any]) -> Fields:
    fields = require_object(data.get("object"), "data.object")
    mapper = _BY_MODEL.get(model)
    return mapper(fields) if mapper else dict(fields)
