"""Starting a canary: the check and its send request, in one transaction (DESIGN.md §3a).

The monitor never calls OpenPhone: the request goes through the outbox to
`outbound.requests.v1`, compliance's egress sends it (or refuses it), and its result comes back
on `outbound.results.v1` (handlers.py). The check id is the request id, so the egress sends
one text per check however often the request is relayed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from smsbus.health.domain.checks import Check, new_check
from smsbus.health.events import request_envelope
from smsbus.health.settings import Settings
from smsbus.health.store import checks as store
from smsbus.runtime.db import Sessions
from smsbus.runtime.outbox import add_to_outbox

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class CanaryConfig:
    line: str
    to: str
    template: str
    timeout: timedelta
    requests_topic: str

    @classmethod
    def of(cls, settings: Settings) -> CanaryConfig:
        return cls(
            line=settings.canary_from,
            to=settings.canary_to,
            template=settings.canary_text,
            timeout=timedelta(seconds=settings.timeout_seconds),
            requests_topic=settings.topic_for("send.requested"),
        )


class Canary:
    def __init__(
        self,
        *,
        sessions: Sessions,
        clock: Clock,
        new_id: Callable[[], str],
        config: CanaryConfig,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._new_id = new_id
        self._config = config

    async def start(self, *, trigger: str) -> Check:
        """Commits a new check and its send request; raises store.AlreadyPending while one is
        pending (and then requests nothing)."""
        config = self._config
        check = new_check(
            check_id=self._new_id(),
            line=config.line,
            to=config.to,
            template=config.template,
            now=self._clock(),
            timeout=config.timeout,
        )
        async with self._sessions() as session, session.begin():
            await store.add_intent(session=session, check=check, trigger=trigger)
            await add_to_outbox(session, request_envelope(check), topic=config.requests_topic)
        logger.info("canary %s requested (%s)", check.id, trigger)
        return check
