"""reconciler's settings: the shared ones (SMSBUS_KAFKA_BOOTSTRAP, …), OpenPhone's
(SMSBUS_OPENPHONE_*) and its own SMSBUS_RECONCILER_*. Its consumer group (GROUP_ID) decides
what counts as "seen"; the synthetic copies it emits go to the topics it reads."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode

from smsbus.reconciler.domain.windows import MARGIN
from smsbus.reconciler.fastpass import FastConfig
from smsbus.reconciler.runner import RunConfig
from smsbus.runtime.settings import ConsumingSettings, OpenPhoneSettings, service_config

SERVICE = "reconciler"


class Settings(ConsumingSettings, OpenPhoneSettings):
    model_config = service_config(SERVICE)

    port: int = 8083

    lines: Annotated[list[str], NoDecode] = []
    """Comma-separated lines to reconcile (`PN…` ids or E.164 numbers); empty: every line."""
    schedule: bool = True
    """False: no fast pass, and deep runs happen only on `POST /runs`."""
    fast_interval_seconds: float = Field(default=60.0, gt=0)
    """Time between fast passes (start to start): each lists the conversations updated since
    the last one and reads only those whose last activity no event carried."""
    fast_grace_seconds: float = Field(default=60.0, ge=0)
    """A last activity younger than this waits for its webhook (a later pass looks again)."""
    fast_lookback_seconds: float = Field(default=900.0, gt=0)
    """How far back the very first fast pass lists (the deep pass covers what is older)."""
    deep_share: float = Field(default=0.3, gt=0, le=1)
    """The deep pass's share of the key's rate (SMSBUS_OPENPHONE_RATE) at most: 0.3 of 8.5 =
    2.55 requests/s by default, the rest left to sends, confirmations and the fast pass."""
    interval_seconds: float = Field(default=900.0, gt=0)
    """Time between scheduled deep runs."""
    first_run_delay_seconds: float = Field(default=30.0, ge=0)
    """Wait after start-up before the first scheduled run (lets the consumer catch up)."""
    lookback_seconds: float = Field(default=7 * 86400.0, gt=0)
    """How far back the very first run looks (the seed's 7 days); later runs start where the
    last successful one ended."""
    overlap_seconds: float = Field(default=3600.0, ge=0)
    """A window starts this long before the previous successful one ended: a status change
    that comes late (a delivery minutes after the send) is still looked at."""
    seen_keep_days: float = Field(default=30.0, gt=0)
    """Days a seen fact (a webhook's or a synthetic event) is remembered, by when it happened;
    a run never looks back further than this less a day, the rest is left unjudged (logged).
    Keep it under the inbox's (SMSBUS_RECONCILER_INBOX_KEEP_DAYS): a copy of a fact emitted again
    is then still dropped by its consumers."""
    grace_seconds: float = Field(default=600.0, ge=0)
    """Facts younger than this are not judged yet: their webhook may still be on its way."""
    catchup_timeout_seconds: float = Field(default=30.0, ge=0)
    """How long a run waits for its own consumer to reach the end offsets before deferring."""
    page_size: int = Field(default=100, ge=1, le=100)
    """Items per page of OpenPhone's list endpoints (100 at most: fewer requests per run)."""
    concurrency: int = Field(default=4, ge=1, le=16)
    """Conversations read at once; the client still paces all requests to OpenPhone's limit."""

    @field_validator("lines", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _remembers_more_than_the_first_run_reads(self) -> Settings:
        if self.memory - MARGIN <= timedelta(seconds=self.lookback_seconds):
            raise ValueError("seen_keep_days must exceed the lookback (lookback_seconds) by a day")
        return self

    def run_config(self, topics: Mapping[str, str]) -> RunConfig:
        """The deep pass's, over `topics` (registry topic → the topic consumed and written)."""
        return RunConfig(
            **self._pass_fields(topics),
            lookback=timedelta(seconds=self.lookback_seconds),
            overlap=timedelta(seconds=self.overlap_seconds),
            grace=timedelta(seconds=self.grace_seconds),
        )

    @property
    def memory(self) -> timedelta:
        return timedelta(days=self.seen_keep_days)

    def fast_config(self, topics: Mapping[str, str]) -> FastConfig:
        """The fast pass's, over `topics`."""
        return FastConfig(
            **self._pass_fields(topics),
            grace=timedelta(seconds=self.fast_grace_seconds),
            lookback=timedelta(seconds=self.fast_lookback_seconds),
        )

    def _pass_fields(self, topics: Mapping[str, str]) -> dict[str, Any]:
        """What both passes are configured with (`PassConfig`'s fields)."""
        return {
            "bootstrap": self.kafka_bootstrap,
            "group_id": self.group_id,
            "topics": topics,
            "lines": tuple(self.lines),
            "catchup_timeout": self.catchup_timeout_seconds,
            "page_size": self.page_size,
            "concurrency": self.concurrency,
            "memory": self.memory,
        }
