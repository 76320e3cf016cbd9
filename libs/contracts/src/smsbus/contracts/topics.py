"""The topic registry: the only place that knows which event goes to which topic, keyed how,
produced by whom and consumed by which consumer groups.

Adding an event: define its model, then add one `_route(...)` line to `ROUTES`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from smsbus.contracts.calls import Call, CallSummary, CallTranscript
from smsbus.contracts.campaigns import MemberFailed, MemberResponded, MemberSent, MemberSkipped
from smsbus.contracts.consent import ConsentGranted, ConsentRevoked
from smsbus.contracts.contacts import Contact
from smsbus.contracts.envelope import Envelope
from smsbus.contracts.health import CanaryFailed, CanaryPassed
from smsbus.contracts.ingest import WebhookRejected
from smsbus.contracts.messages import Message
from smsbus.contracts.outbound import (
    SendAccepted,
    SendDeferred,
    SendFailed,
    SendRefused,
    SendRequested,
)

ModelT = TypeVar("ModelT", bound=BaseModel)


# KeyError keeps the missing name in args[0]; these only say what it was and what is known.
class UnknownEventType(KeyError):
    def __str__(self) -> str:
        return f"no route for event type {self.args[0]!r}; known: {', '.join(EVENT_TYPES)}"


class UnknownTopic(KeyError):
    def __str__(self) -> str:
        return f"unknown topic {self.args[0]!r}; known: {', '.join(all_topics())}"


@dataclass(frozen=True)
class Route:
    event_type: str
    topic: str
    model: type[BaseModel]
    partition_key: Callable[[BaseModel], str]
    producers: tuple[str, ...]
    consumers: tuple[str, ...]
    schema_version: int
    description: str
    key_description: str


@dataclass(frozen=True)
class _Stream:
    """What every event on one topic shares."""

    topic: str
    producers: tuple[str, ...]
    consumers: tuple[str, ...]


def _route(
    stream: _Stream,
    event_type: str,
    model: type[ModelT],
    key: Callable[[ModelT], str],
    description: str,
    schema_version: int = 1,
    consumers: tuple[str, ...] | None = None,
) -> Route:
    """`consumers`: the groups that handle this type, when not every group on its topic does
    (the others skip it; a service's handlers must match this exactly: runtime/routing.py)."""

    def partition_key(data: BaseModel) -> str:
        if not isinstance(data, model):
            raise TypeError(f"{event_type} carries {model.__name__}, got {type(data).__name__}")
        return key(data)

    return Route(
        event_type=event_type,
        topic=stream.topic,
        model=model,
        partition_key=partition_key,
        producers=stream.producers,
        consumers=stream.consumers if consumers is None else consumers,
        schema_version=schema_version,
        description=description,
        key_description=(key.__doc__ or key.__name__).strip().splitlines()[0],
    )


def _message_participant(message: Message) -> str:
    """the external participant's number"""
    # So one person's STOP, START and reply stay in order.
    return message.from_ if message.direction == "incoming" else message.to[0]


def _call_participant(call: Call) -> str:
    """the external participant's number"""
    return call.participants[0]


def _call_id(ai_result: CallSummary | CallTranscript) -> str:
    """the call id"""
    # Summaries and transcripts name no participant; OpenPhone promises no order for them anyway.
    return ai_result.call_id


def _contact_id(contact: Contact) -> str:
    """the contact id"""
    return contact.id


def _consent_phone(change: ConsentRevoked | ConsentGranted) -> str:
    """the person's number (E.164)"""
    # So one person's revocation and a later grant stay in order.
    return change.phone


def _member_id(event: MemberSent | MemberSkipped | MemberFailed | MemberResponded) -> str:
    """the campaign member id"""
    return event.member_id


def _canary_line(result: CanaryPassed | CanaryFailed) -> str:
    """the canary's sending line"""
    return result.line


def _recipient(
    event: SendRequested | SendAccepted | SendRefused | SendDeferred | SendFailed,
) -> str:
    """the recipient's number (E.164)"""
    # Beside the person's own STOP in the egress's order of work.
    return event.to


def _claimed_event_type(rejected: WebhookRejected) -> str:
    """the event type the body claimed, else 'unknown'"""
    return rejected.event_type or "unknown"


_MESSAGES = _Stream(
    "openphone.messages.v1",
    producers=("ingest-webhooks", "reconciler"),
    consumers=("compliance", "campaign-engine", "reconciler", "health-monitor"),
)
# Delivery outcomes matter to who sent the text and who records what the topic holds;
# compliance acts on what people write, not on how our texts fared.
_DELIVERY_WATCHERS = ("campaign-engine", "reconciler", "health-monitor")
_CALLS = _Stream(
    "openphone.calls.v1",
    producers=("ingest-webhooks", "reconciler"),
    consumers=("reconciler",),
)
_CONTACTS = _Stream(
    "openphone.contacts.v1", producers=("ingest-webhooks",), consumers=("campaign-engine",)
)
_REJECTED = _Stream("ingest.rejected.v1", producers=("ingest-webhooks",), consumers=())
_CONSENT = _Stream(
    "compliance.consent.v1", producers=("compliance",), consumers=("campaign-engine",)
)
_CAMPAIGNS = _Stream("campaigns.events.v1", producers=("campaign-engine",), consumers=())
_HEALTH = _Stream("health.checks.v1", producers=("health-monitor",), consumers=())
_REQUESTS = _Stream(
    "outbound.requests.v1",
    producers=("campaign-engine", "health-monitor"),
    consumers=("compliance",),
)
_RESULTS = _Stream(
    "outbound.results.v1",
    producers=("compliance",),
    consumers=("campaign-engine", "health-monitor"),
)

ROUTES: tuple[Route, ...] = (
    _route(_MESSAGES, "message.received", Message, _message_participant,
           "An SMS/MMS reached one of our numbers."),
    _route(_MESSAGES, "message.delivered", Message, _message_participant,
           "An outgoing message was delivered.", consumers=_DELIVERY_WATCHERS),
    _route(_MESSAGES, "message.failed", Message, _message_participant,
           "An outgoing message failed before reaching the carrier.",
           consumers=_DELIVERY_WATCHERS),
    _route(_MESSAGES, "message.undelivered", Message, _message_participant,
           "The carrier could not deliver an outgoing message.", consumers=_DELIVERY_WATCHERS),
    _route(_CALLS, "call.ringing", Call, _call_participant,
           "A call is ringing."),
    _route(_CALLS, "call.completed", Call, _call_participant,
           "A call ended; unanswered (answeredAt null) means missed, maybe with a voicemail."),
    _route(_CALLS, "call.recording.completed", Call, _call_participant,
           "A call recording is ready."),
    _route(_CALLS, "call.summary.completed", CallSummary, _call_id,
           "OpenPhone's AI summary of a call is ready (keyed by call id)."),
    _route(_CALLS, "call.transcript.completed", CallTranscript, _call_id,
           "OpenPhone's transcript of a call is ready (keyed by call id)."),
    _route(_CONTACTS, "contact.updated", Contact, _contact_id,
           "A contact was created or updated."),
    _route(_CONTACTS, "contact.deleted", Contact, _contact_id,
           "A contact was deleted."),
    _route(_REJECTED, "webhook.rejected", WebhookRejected, _claimed_event_type,
           "An authentic webhook could not be parsed; its raw body awaits replay."),
    _route(_CONSENT, "consent.revoked", ConsentRevoked, _consent_phone,
           "A person revoked consent (STOP, a plain-language request, the API): suppress them."),
    _route(_CONSENT, "consent.granted", ConsentGranted, _consent_phone,
           "A person gave or restored consent (START, a form, the API): suppression lifted."),
    _route(_CAMPAIGNS, "member.sent", MemberSent, _member_id,
           "OpenPhone accepted a campaign member's message."),
    _route(_CAMPAIGNS, "member.skipped", MemberSkipped, _member_id,
           "A campaign member will not be sent the message, with the reason."),
    _route(_CAMPAIGNS, "member.failed", MemberFailed, _member_id,
           "A campaign member's message failed for good, with the reason."),
    _route(_CAMPAIGNS, "member.responded", MemberResponded, _member_id,
           "A campaign member replied within the attribution window."),
    _route(_HEALTH, "canary.passed", CanaryPassed, _canary_line,
           "The canary SMS's delivery webhook came back through the whole pipeline in time."),
    _route(_HEALTH, "canary.failed", CanaryFailed, _canary_line,
           "The canary did not come back (send refused, or no webhook by the deadline)."),
    _route(_REQUESTS, "send.requested", SendRequested, _recipient,
           "A service asks the egress to text someone (purpose, line, text, its own ids)."),
    _route(_RESULTS, "send.accepted", SendAccepted, _recipient,
           "The egress sent the text: OpenPhone has it (message id, consent state checked)."),
    _route(_RESULTS, "send.refused", SendRefused, _recipient,
           "The egress's gate refused the text for good (opted out, DNC, campaign inactive…)."),
    _route(_RESULTS, "send.deferred", SendDeferred, _recipient,
           "Not sent: the account or line cannot send now (key, credit, A2P, daily cap)."),
    _route(_RESULTS, "send.failed", SendFailed, _recipient,
           "OpenPhone refused the message itself, or the egress ran out of attempts."),
)  # fmt: skip

_BY_TYPE = {route.event_type: route for route in ROUTES}
EVENT_TYPES: tuple[str, ...] = tuple(_BY_TYPE)


def route_for(event_type: str) -> Route:
    try:
        return _BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def all_topics() -> list[str]:
    return sorted({route.topic for route in ROUTES})


def handled_by(service: str) -> list[str]:
    """The event types a service's consumer group handles: its handlers must be exactly these."""
    return [route.event_type for route in ROUTES if service in route.consumers]


def consumer_groups(topic: str) -> list[str]:
    routes = [route for route in ROUTES if route.topic == topic]
    if not routes:
        raise UnknownTopic(topic)
    return sorted({group for route in routes for group in route.consumers})


def dlq_topic(topic: str, group: str) -> str:
    return f"{topic}.{group}.dlq"


def all_dlq_topics() -> list[str]:
    return sorted(
        dlq_topic(topic, group) for topic in all_topics() for group in consumer_groups(topic)
    )


def partition_key(envelope: Envelope[Any]) -> str:
    return route_for(envelope.type).partition_key(envelope.data)
