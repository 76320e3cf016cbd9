"""campaign-engine's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …) and its own
SMSBUS_CAMPAIGNS_*. It holds no OpenPhone key: every text leaves through compliance's egress
(DESIGN.md §3a), asked for on `requests_topic` and answered on `results_topic`."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from smsbus.runtime.settings import ServiceSettings, service_config

SERVICE = "campaign-engine"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(**service_config("campaigns"), hide_input_in_errors=True)

    host: str = "127.0.0.1"
    port: int = 8082
    db_schema: str = "campaigns"
    group_id: str = SERVICE
    messages_topic: str = "openphone.messages.v1"
    contacts_topic: str = "openphone.contacts.v1"
    consent_topic: str = "compliance.consent.v1"
    events_topic: str = "campaigns.events.v1"
    """Where member events go; the registry's topic unless a test redirects it."""
    requests_topic: str = "outbound.requests.v1"
    """Where the dispatcher asks the egress for each send (through the outbox)."""
    results_topic: str = "outbound.results.v1"
    """Where the egress answers: accepted, refused, deferred or failed."""
    compliance_url: str = "http://127.0.0.1:8081"
    api_token: SecretStr | None = None
    """SMSBUS_CAMPAIGNS_API_TOKEN: this service's bearer token toward compliance (`read` scope)."""
    eligibility_ttl_seconds: float = Field(default=60.0, ge=0)
    """How long compliance's eligibility answer for a number is reused."""

    dispatch: bool = True
    """False: this replica serves the API and consumes events but requests no sends."""
    dispatch_batch: int = Field(default=200, ge=1)
    """Members claimed per batch: a batch costs a dozen statements and one eligibility request
    whatever its size (at 50, those fixed costs are about half the engine's CPU per member)."""
    dispatch_interval: float = Field(default=1.0, gt=0)
    dispatch_lanes: int = Field(default=2, ge=1)
    """Batches in flight at once, each its own transaction: while one holds its campaigns'
    locks and writes, the next claims its members and asks compliance."""
    reply_window_days: float = Field(default=7.0, gt=0)
    default_timezone: str = "America/New_York"
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")

    clock_start: AwareDatetime | None = None
    """Tests and demos: the engine's clock starts here and runs on from it."""
    clock_control: bool = False
    """Tests and demos: POST /v1/testing/clock may set or advance the engine's clock."""
