"""smsbus event contracts: the envelope, payload models, the topic registry and the codec."""

from smsbus.contracts.base import OwnEvent, ProviderModel
from smsbus.contracts.calls import (
    Call,
    CallMedia,
    CallStatus,
    CallSummary,
    CallSummaryStatus,
    CallTranscript,
    DialogueLine,
)
from smsbus.contracts.codec import decode_event, encode_event, envelope_model, make_envelope
from smsbus.contracts.consent import (
    ConsentEvidence,
    ConsentGranted,
    ConsentRevoked,
    ConsentSource,
    ConsentType,
)
from smsbus.contracts.contacts import Contact
from smsbus.contracts.envelope import Envelope
from smsbus.contracts.health import CanaryFailed, CanaryPassed, CanaryStage
from smsbus.contracts.ingest import RejectionReason, WebhookRejected
from smsbus.contracts.messages import Message, MessageDirection, MessageMedia, MessageStatus
from smsbus.contracts.outbound import (
    DeferralScope,
    Purpose,
    SendAccepted,
    SendDeferred,
    SendFailed,
    SendRefused,
    SendRequested,
    SendWindow,
)
from smsbus.contracts.topics import (
    EVENT_TYPES,
    ROUTES,
    Route,
    UnknownEventType,
    UnknownTopic,
    all_dlq_topics,
    all_topics,
    consumer_groups,
    dlq_topic,
    handled_by,
    partition_key,
    route_for,
)

__all__ = [
    "EVENT_TYPES",
    "ROUTES",
    "Call",
    "CallMedia",
    "CallStatus",
    "CallSummary",
    "CallSummaryStatus",
    "CallTranscript",
    "CanaryFailed",
    "CanaryPassed",
    "CanaryStage",
    "ConsentEvidence",
    "ConsentGranted",
    "ConsentRevoked",
    "ConsentSource",
    "ConsentType",
    "Contact",
    "DeferralScope",
    "DialogueLine",
    "Envelope",
    "Message",
    "MessageDirection",
    "MessageMedia",
    "MessageStatus",
    "OwnEvent",
    "ProviderModel",
    "Purpose",
    "RejectionReason",
    "Route",
    "SendAccepted",
    "SendDeferred",
    "SendFailed",
    "SendRefused",
    "SendRequested",
    "SendWindow",
    "UnknownEventType",
    "UnknownTopic",
    "WebhookRejected",
    "all_dlq_topics",
    "all_topics",
    "consumer_groups",
    "decode_event",
    "dlq_topic",
    "encode_event",
    "envelope_model",
    "handled_by",
    "make_envelope",
    "partition_key",
    "route_for",
]
