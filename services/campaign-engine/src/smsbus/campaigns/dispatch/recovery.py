"""Intents without a result (a crash or kill -9 after the intent was committed, an unknown
outcome): taken over once their lease ran out, looked up at OpenPhone (line, recipient, text,
from the intent's time) and recorded as sent when found; sent again only when not found."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from smsbus.campaigns.dispatch.config import DispatchConfig
from smsbus.campaigns.dispatch.outcomes import Outcomes
from smsbus.campaigns.store import dispatch as store
from smsbus.contracts.rest import SendMessageRequest
from smsbus.openphone import OpenPhoneClient, SendOutcomeUnknown
from smsbus.runtime.db import Sessions

logger = logging.getLogger(__name__)


class Recovery:
    def __init__(
        self,
        *,
        sessions: Sessions,
        openphone: OpenPhoneClient,
        outcomes: Outcomes,
        config: DispatchConfig,
        count: Callable[[str], None],
    ) -> None:
        self._sessions = sessions
        self._openphone = openphone
        self._outcomes = outcomes
        self._config = config
        self._count = count

    async def look_up(self, intent: store.Intent, sent_at: datetime) -> bool:
        """True when OpenPhone has the message (and it is now recorded as sent)."""
        request = SendMessageRequest(content=intent.text, from_=intent.line, to=[intent.phone])
        unknown = SendOutcomeUnknown(request=request, sent_at=sent_at, reason="recovery")
        found = await self._openphone.find_sent_message(unknown, margin=self._config.lookup_margin)
        if found is None:
            return False
        await self._outcomes.sent(intent, found.id, found.created_at, recovered=True)
        return True

    async def recover_once(self, resend: Callable[[store.Intent], Awaitable[None]]) -> int:
        """One batch of stale intents: look up, else `resend`. Returns how many were taken."""
        async with self._sessions() as session, session.begin():
            stale = await store.claim_stale_intents(
                session=session, limit=self._config.batch, lease=self._config.lease
            )
        for intent in stale:
            try:
                found = await self.look_up(intent, intent.intent_at)
            except Exception:
                logger.warning(
                    "lookup of member %s failed; retrying later", intent.member_id, exc_info=True
                )
                await self._outcomes.hold(intent, self._config.recheck)
                continue
            if not found:
                self._count("resent")
                await resend(intent)
            else:
                self._count("recovered")
        return len(stale)
