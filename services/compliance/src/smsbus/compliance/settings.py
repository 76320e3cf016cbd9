"""compliance's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …), OpenPhone's
(SMSBUS_OPENPHONE_*) and its own SMSBUS_COMPLIANCE_*."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator, model_validator

from smsbus.compliance.domain.ledger import RevocationScope
from smsbus.compliance.domain.texts import ReplyTexts, configured_texts
from smsbus.runtime.settings import ConsumingSettings, OpenPhoneSettings, service_config

SERVICE = "compliance"


class Settings(ConsumingSettings, OpenPhoneSettings):
    model_config = service_config(SERVICE)

    port: int = 8081

    openphone_timeout: float = Field(default=10.0, gt=0)
    """The OpenPhone client's timeout (connect, write and read each)."""

    # What the replies say (CTIA: brand, support contact, frequency, rates, how to stop).
    brand_name: str = Field(default="smsbus", min_length=1, max_length=40)
    """The brand every confirmation and HELP reply names, in every language."""
    support_contact: str = Field(default="support@example.com", min_length=1, max_length=60)
    """How to reach support, in every HELP reply, in every language."""
    message_frequency: str = Field(default="Msg frequency varies", min_length=1, max_length=60)
    """How often we text, in the opt-in confirmation and HELP (the English wording; other
    languages' come from reply_texts)."""
    help_intro: str = Field(default="Texts about your jobs and quotes.", max_length=80)
    """What our texts are about, opening the HELP reply (the English wording: change the es/fr
    `help_intro` in reply_texts with it)."""
    reply_texts: dict[str, dict[str, str]] = {}
    """Per language (en, es, fr), any of `opt_out`, `opt_in`, `help`, `opt_out_marketing`,
    `opt_out_transactional` (templates over {brand}, {support}, {frequency}, {help_intro}; the
    last two confirm a STOP that ended one purpose), `frequency`, `help_intro`, over the
    built-in wording (domain/wordings.py). Replies go out in the language of the message that
    asked for them; a template missing what carriers require (brand; STOP, frequency; support)
    is refused at start-up."""
    help_interval_hours: float = Field(default=24.0, gt=0)
    """At most one HELP reply per number in this many hours."""
    default_region: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    """Region assumed for numbers written without a country code."""
    allowed_regions: list[str] = ["US", "CA"]
    """Regions we text; eligibility refuses others (`unsupported_country`)."""
    marketing_requires_express_consent: bool = True
    """Marketing needs an express grant in the ledger (TCPA); transactional does not."""
    revocation_scope: RevocationScope = "all"
    """`all`: a STOP (any revocation) ends every purpose. `purpose`: a STOP ends the purpose of
    the campaign text it answered (marketing or transactional; everything when unknown or when
    the person says "STOP ALL"), and revocations recorded with a purpose end only it."""

    # The egress: every text to a customer, compliance's own replies included.
    egress_sending: bool = True
    """False pauses every outgoing text (requests are still recorded and sent once re-enabled)."""
    egress_batch: int = Field(default=50, ge=1)
    """Due requests one egress lane takes per pass (a full pass is followed by the next at once)."""
    egress_poll_interval: float = Field(default=1.0, gt=0)
    """Seconds between passes when nothing woke the egress (a committed request wakes it)."""
    egress_max_attempts: int = Field(default=20, ge=1)
    """POSTs per request before it fails (with the backoff below: hours)."""
    egress_retry_initial: float = Field(default=1.0, gt=0)
    """Seconds before the first retry of a request that surely did not send (429, unreachable,
    an account refusal of a confirmation); doubled, with jitter, after each."""
    egress_retry_max: float = Field(default=300.0, gt=0)
    """The longest wait between two attempts of one request, in seconds."""
    egress_lookup_after_seconds: float = Field(default=35.0, gt=0)
    """An unknown outcome is looked up this long after its POST began (at least three client
    timeouts: a POST cut off by the timeout may still land until then)."""
    lookup_margin_seconds: float = Field(default=120.0, ge=0)
    """Clock skew allowed when looking a possibly-sent text up at OpenPhone."""
    line_daily_cap: int | None = Field(default=125, ge=0)
    """Campaign texts per line per UTC day, all campaigns together (the line's A2P cap may be
    lower: set it here); the excess is deferred to the next day. `none`: no cap."""
    campaigns_url: str = "http://127.0.0.1:8082"
    """campaign-engine, asked whether a campaign still runs as its text leaves."""
    api_token: SecretStr | None = None
    """SMSBUS_COMPLIANCE_API_TOKEN: this service's bearer token toward campaign-engine (`read`)."""

    # Line-type lookup through a NumVerify-compatible provider; off without a key.
    numverify_url: str = "https://apilayer.net/api"
    """A NumVerify-compatible line-type lookup (tells mobile from landline in the NANP)."""
    numverify_api_key: SecretStr | None = None
    """The lookup provider's key; unset: no lookups (line type `unknown` in the NANP)."""
    lookup_cache_ttl_hours: float = Field(default=24.0 * 30, gt=0)
    """How long a number's lookup answer is reused, in hours."""
    lookup_monthly_quota: int = Field(default=1000, ge=0)
    """Paid lookups per UTC month at most (a failed one counts); beyond it, none."""
    lookup_timeout: float = Field(default=5.0, gt=0)
    """Seconds the lookup provider has to answer."""

    # DNC and consent imports.
    dnc_max_invalid_lines: int = Field(default=0, ge=0)
    """Invalid lines tolerated in one file before the whole import is refused."""
    consent_import_chunk: int = Field(default=1000, ge=1, le=5000)
    """Numbers a consent import applies per transaction (each holds their locks meanwhile)."""

    @field_validator("line_daily_cap", mode="before")
    @classmethod
    def _no_cap(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() == "none" else value

    @model_validator(mode="after")
    def _replies_keep_carrier_rules(self) -> Settings:
        self.replies()
        return self

    def replies(self) -> ReplyTexts:
        """What the confirmations and HELP replies say, per language."""
        english = {"frequency": self.message_frequency, "help_intro": self.help_intro}
        overrides = {**self.reply_texts, "en": english | self.reply_texts.get("en", {})}
        return configured_texts(
            brand=self.brand_name, support_contact=self.support_contact, overrides=overrides
        )

    @property
    def lookup_enabled(self) -> bool:
        key = self.numverify_api_key
        return key is not None and bool(key.get_secret_value().strip())
