"""health-monitor's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …) and its own
SMSBUS_HEALTH_*. No OpenPhone key: the canary leaves through compliance's egress."""

from __future__ import annotations

from pydantic import Field, field_validator

from smsbus.health.domain.checks import CHECK_ID_FIELD
from smsbus.runtime.settings import ConsumingSettings, service_config

SERVICE = "health-monitor"
E164 = r"^\+[1-9]\d{1,14}$"


class Settings(ConsumingSettings):
    model_config = service_config("health")

    port: int = 8084
    group_id: str = SERVICE

    # The canary.
    enabled: bool = True
    """False stops scheduled canaries; POST /checks, the consumer and alerting still work."""
    canary_from: str = Field(default="+15555550100", min_length=1, max_length=64)
    """Our sending line: `PN…` id or E.164 (the simulator's first line locally)."""
    canary_to: str = Field(default="+14155550177", pattern=E164)
    """The canary number, E.164: an external number (message.delivered proves the round trip)
    or another of our lines (message.received does). Compliance's gate must find it valid: it
    refuses the simulator's 555-01xx numbers (no area code 555) as `invalid`."""
    canary_text: str = Field(
        default="smsbus canary {check_id}: pipeline health check, please ignore",
        min_length=1,
        max_length=1000,
    )
    """The canary's text; must contain `{check_id}` (a webhook that beats the egress's result
    is matched by it)."""
    # The defaults alert an outage within 2 * 90 + 60 = 240 s at worst (domain/detection.py;
    # tests/integration/test_detection.py measures it), and one late webhook fails one check
    # without alerting.
    interval_seconds: float = Field(default=90.0, gt=0)
    """A new check this long after the previous one started (never while one is pending)."""
    timeout_seconds: float = Field(default=60.0, gt=0)
    """The deadline for the delivery webhook, from the check's start; the egress refuses to
    send the canary after it (`expired`)."""
    failures_before_alert: int = Field(default=2, ge=1)
    """Consecutive failed checks that make the status `failing` (and send an alert); 1 would
    alert on a single late webhook."""

    # Loops.
    sweep_interval_seconds: float = Field(default=1.0, gt=0)
    """How often deadlines (and alerts to deliver) are looked at."""

    # Alerting.
    alert_webhook_url: str | None = None
    """Where alerts are POSTed as JSON (Slack-compatible `text` + generic fields); unset:
    alerts are only recorded (outcome `skipped`)."""
    alert_max_attempts: int = Field(default=8, ge=1)
    """Deliveries of one alert before it is recorded `failed`."""
    alert_retry_initial: float = Field(default=1.0, gt=0)
    """Seconds before the first retry of an alert; doubled (with jitter) after each failure."""
    alert_retry_max: float = Field(default=300.0, gt=0)
    """The longest wait between two deliveries of an alert, in seconds."""
    alert_timeout: float = Field(default=10.0, gt=0)
    """Seconds the alert webhook has to answer one delivery."""

    @field_validator("canary_text")
    @classmethod
    def _text_names_the_check(cls, value: str) -> str:
        if CHECK_ID_FIELD not in value:
            raise ValueError(f"the canary text must contain {CHECK_ID_FIELD}")
        return value

    @field_validator("alert_webhook_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("the alert webhook must be an http(s) URL")
        return value or None
