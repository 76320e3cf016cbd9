"""The webhook events a REST message or call proves, one labelled case per row."""

from datetime import datetime

import pytest

from smsbus.contracts import Call, Message
from smsbus.reconciler.domain.facts import call_facts, message_facts

from ..builders import a_call, a_message, at

MESSAGES: list[tuple[str, Message, list[tuple[str, datetime]]]] = [
    ("incoming → received at createdAt", a_message("incoming", "received"), [("message.received", at(0))]),
    ("incoming with the guide's 'delivered' slip", a_message("incoming", "delivered"), [("message.received", at(0))]),
    ("outgoing queued: no webhook yet", a_message("outgoing", "queued"), []),
    ("outgoing sent: no webhook yet (v1 has no message.sent)", a_message("outgoing", "sent"), []),
    ("outgoing delivered at updatedAt", a_message("outgoing", "delivered"), [("message.delivered", at(5))]),
    ("outgoing undelivered", a_message("outgoing", "undelivered"), [("message.undelivered", at(5))]),
    ("outgoing failed", a_message("outgoing", "failed"), [("message.failed", at(5))]),
    ("outgoing delivered without updatedAt: createdAt", a_message("outgoing", "delivered", updatedAt=None), [("message.delivered", at(0))]),
]  # fmt: skip


@pytest.mark.parametrize(("label", "message", "expected"), MESSAGES, ids=[m[0] for m in MESSAGES])
def test_message_facts(label: str, message: Message, expected: list[tuple[str, datetime]]) -> None:
    facts = message_facts(message)
    assert [(f.event_type, f.occurred_at) for f in facts] == expected, label
    assert all(f.dedupe_key == f"{f.event_type}:{message.id}" and f.data is message for f in facts)


RECORDING = {"url": "https://example.invalid/rec.mp3", "type": "audio/mpeg", "duration": 60}

CALLS: list[tuple[str, Call, list[tuple[str, datetime]]]] = [
    ("answered and completed", a_call("completed", completedAt=at(65)), [("call.completed", at(65))]),
    ("missed (status missed)", a_call("missed", completedAt=at(20)), [("call.completed", at(20))]),
    ("no-answer without completedAt: updatedAt", a_call("no-answer"), [("call.completed", at(70))]),
    ("busy", a_call("busy", completedAt=at(3)), [("call.completed", at(3))]),
    ("canceled", a_call("canceled", completedAt=at(3)), [("call.completed", at(3))]),
    ("forwarded and over (completedAt set)", a_call("forwarded", completedAt=at(30)), [("call.completed", at(30))]),
    ("ringing: not over", a_call("ringing"), []),
    ("in progress: not over", a_call("in-progress"), []),
    ("queued: not over", a_call("queued"), []),
    ("with a recording", a_call("completed", completedAt=at(65), media=[RECORDING]), [("call.completed", at(65)), ("call.recording.completed", at(65))]),
    ("voicemail is not a recording", a_call("completed", completedAt=at(20), voicemail=RECORDING), [("call.completed", at(20))]),
]  # fmt: skip


@pytest.mark.parametrize(("label", "call", "expected"), CALLS, ids=[c[0] for c in CALLS])
def test_call_facts(label: str, call: Call, expected: list[tuple[str, datetime]]) -> None:
    facts = call_facts(call)
    assert [(f.event_type, f.occurred_at) for f in facts] == expected, label
    assert all(f.object_id == call.id and f.data is call for f in facts)
