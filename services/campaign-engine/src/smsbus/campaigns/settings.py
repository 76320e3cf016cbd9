"""campaign-engine's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …) and its own
SMSBUS_CAMPAIGNS_*. It holds no OpenPhone key: every text leaves through compliance's egress
(DESIGN.md §3a): asked for with send.requested, answered with send.accepted, refused,
deferred or failed."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, SecretStr

from smsbus.runtime.settings import ConsumingSettings, service_config

SERVICE = "campaign-engine"


class Settings(ConsumingSettings):
    model_config = service_config("campaigns")

    port: int = 8082
    group_id: str = SERVICE
    compliance_url: str = "http://127.0.0.1:8081"
    """compliance, asked which members may be texted (`POST /v1/eligibility`)."""
    api_token: SecretStr | None = None
    """SMSBUS_CAMPAIGNS_API_TOKEN: this service's bearer token toward compliance: `read`
    (eligibility) and `consent` (a contacts import's consent columns, handed over as a consent
    import), e.g. `campaign-engine:<token>:read+consent` in compliance's SMSBUS_API_TOKENS."""
    consent_poll_seconds: float = Field(default=1.0, gt=0)
    """How often a contacts import asks compliance how its consent import is doing."""
    consent_patience_seconds: float = Field(default=600.0, gt=0)
    """How long a contacts import waits out compliance unreachable (or 5xx) before failing."""
    eligibility_ttl_seconds: float = Field(default=60.0, ge=0)
    """How long compliance's eligibility answer for a number is reused."""

    dispatch: bool = True
    """False: this replica serves the API and consumes events but requests no sends."""
    dispatch_batch: int = Field(default=200, ge=1)
    """Members claimed per batch: a batch costs a dozen statements and one eligibility request
    whatever its size (at 50, those fixed costs are about half the engine's CPU per member)."""
    dispatch_interval: float = Field(default=1.0, gt=0)
    """Seconds between dispatch batches when the last one was not full (a full one is followed
    at once); housekeeping runs at this pace too, at most once a second."""
    dispatch_lanes: int = Field(default=2, ge=1)
    """Batches in flight at once, each its own transaction: while one holds its campaigns'
    locks and writes, the next claims its members and asks compliance."""
    progress_interval: float = Field(default=15.0, gt=0)
    """Seconds between measurements of every campaign's progress (smsbus_campaign_engine_campaign_*
    gauges: members per variant and state, the daily limit and today's use of it)."""
    reply_window_days: float = Field(default=7.0, gt=0)
    """A reply within this many days of a member's text is attributed to it (member.responded)."""
    default_timezone: str = "America/New_York"
    """Not read yet: a campaign's time zone is given when it is created (the API's default is
    America/New_York)."""
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    """Region assumed for numbers written without a country code (contacts, imports, replies)."""

    clock_start: AwareDatetime | None = None
    """Tests and demos: the engine's clock starts here and runs on from it."""
    clock_control: bool = False
    """Tests and demos: POST /v1/testing/clock may set or advance the engine's clock."""

    def compliance_token(self) -> str | None:
        return self.api_token.get_secret_value() if self.api_token else None
